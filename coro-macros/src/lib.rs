//! The procedural macros of [`coro`](https://docs.rs/coro): a thin shim over `coro-transform`,
//! which does all the work and can be called as an ordinary library.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;

/// Turns a function whose body uses `suspend!` into a coroutine.
///
/// Write it with its path, `#[coro::coroutine(...)]`: rustc reserves the bare name for an
/// unstable attribute of its own.
///
/// ```
/// use coro::{Coroutine, EarlyExit, suspend};
///
/// /// Counts down, then says so.
/// #[coro::coroutine(yield = u32)]
/// fn countdown(from: u32) -> &'static str {
///     for n in (1..=from).rev() {
///         suspend!(n);
///     }
///     "liftoff"
/// }
///
/// let mut c = countdown(2);
/// assert_eq!(c.resume(()), Ok(2));
/// assert_eq!(c.resume(()), Ok(1));
/// assert_eq!(c.resume(()), Err(EarlyExit::Returned("liftoff")));
/// assert_eq!(countdown(3).collect::<Vec<_>>(), [3, 2, 1]);
/// ```
///
/// The function's signature becomes
/// `-> impl Coroutine<R, Yield = Y, Return = T>` (plus `FusedIterator<Item = Y>` when the
/// resume type is `()`, and `Clone` with the `clone` option), capturing the parameters'
/// lifetimes. Calling it runs nothing.
///
/// # Options
///
/// - `yield = Y` (required): the type of the values the body suspends with.
/// - `resume = R`: the type of resume values, `()` by default. When it is not `()`, a parameter
///   marked `#[resume]` receives the first resume value.
/// - `clone`: the coroutine implements `Clone`; a clone continues independently.
/// - `pinned`: the body is lowered through rustc's `async` transform into one boxed state that
///   does not move, so it may keep borrows of its own locals across `suspend!` (a loop over
///   `&local`, `text.lines()`, a delegate given `&mut local`). It cannot be combined with
///   `clone`. See "Borrowing across `suspend!`" in the `coro` crate for what each mode allows
///   and costs.
/// - `name = "..."`: the name `current()` reports, the function's name by default.
/// - `crate = "path"`: where the `coro` runtime is, if the dependency is renamed.
///
/// ```
/// use coro::{Coroutine, suspend};
///
/// #[coro::coroutine(yield = String, resume = i32, clone, name = "tally")]
/// fn tally(label: &'static str, #[resume] first: i32) {
///     let mut total = first;
///     loop {
///         total += suspend!(format!("{label}: {total}"));
///     }
/// }
///
/// let mut t = tally("apples");
/// assert_eq!(t.resume(1).unwrap(), "apples: 1");
/// let mut fork = t.clone();
/// assert_eq!(t.resume(2).unwrap(), "apples: 3");
/// assert_eq!(fork.resume(10).unwrap(), "apples: 11");
/// ```
///
/// With `pinned`, the body borrows its own locals freely:
///
/// ```
/// use coro::suspend;
///
/// #[coro::coroutine(yield = (usize, String), pinned)]
/// fn numbered_words(text: String) {
///     let owned = text.to_lowercase();
///     for (i, w) in owned.split_whitespace().enumerate() {
///         suspend!((i, w.to_string()));
///     }
/// }
///
/// let got: Vec<_> = numbered_words("Hello World".into()).collect();
/// assert_eq!(got, [(0, "hello".to_string()), (1, "world".to_string())]);
/// ```
///
/// See the `coro` crate for what the body may contain, which locals a coroutine keeps across a
/// suspension point, and how borrows and recursion work.
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    coro_transform::expand_attribute(args.into(), item.into()).into()
}

/// Turns a function into a microthread of [`coro::uthread`](https://docs.rs/coro): a coroutine
/// whose suspensions are requests to the scheduler and whose resume values say why it runs
/// again.
///
/// `#[coro::uthread]` is `#[coro::coroutine(yield = Syscall, resume = Wake)]` with a
/// `#[resume] _: Wake` parameter added when the function has none, so a microthread is written
/// as a plain function. It takes the other options of `#[coro::coroutine]` (`pinned`,
/// `name = ".."`, `crate = ".."`).
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Channel, Scheduler, yield_now};
///
/// #[coro::uthread]
/// fn summer(inbox: Channel<u32>) -> u32 {
///     let mut sum = 0;
///     while let Ok(v) = suspend_from!(inbox.recv()) {
///         sum += v;
///         let _ = suspend_from!(yield_now());
///     }
///     sum
/// }
///
/// #[coro::uthread]
/// fn sender(out: Channel<u32>) {
///     for v in [1, 2, 3] {
///         let _ = suspend_from!(out.send(v));
///     }
///     out.close();
/// }
///
/// let s = Scheduler::new().unwrap();
/// let ch = Channel::rendezvous();
/// let total = s.spawn(summer(ch.clone()));
/// s.spawn(sender(ch));
/// assert!(s.run().is_clean());
/// assert_eq!(total.try_join(), Ok(6));
/// ```
#[proc_macro_attribute]
pub fn uthread(args: TokenStream, item: TokenStream) -> TokenStream {
    coro_transform::expand_uthread(args.into(), item.into()).into()
}

/// Builds a coroutine from a block, in place, the way a `move` closure captures its environment.
///
/// `coro!(yield = Y, [resume = R,] [return = T,] [clone | pinned,] [name = "..",] move { body })` takes the
/// same options as `#[coro::coroutine]`, plus `return = T` for the body's value (inferred when
/// absent). The block owns what it uses from its environment: every local it names is moved (or
/// copied) in. When the resume type is not `()`, the first resume value is bound like a closure
/// parameter: `move |first| { .. }`.
///
/// ```
/// use coro::{Coroutine, suspend};
///
/// let words = vec!["tic", "tac"];
/// let n = 2;
/// let echo = coro::coro!(yield = String, move {
///     for w in words {
///         for _ in 0..n {
///             suspend!(w.to_uppercase());
///         }
///     }
/// });
/// assert_eq!(echo.collect::<Vec<_>>(), ["TIC", "TIC", "TAC", "TAC"]);
///
/// let scale = 3;
/// let mut times = coro::coro!(yield = i32, resume = i32, move |first| {
///     let mut x = first;
///     loop {
///         x = suspend!(x * scale);
///     }
/// });
/// assert_eq!(times.resume(2), Ok(6));
/// assert_eq!(times.resume(5), Ok(15));
/// ```
///
/// To borrow instead of moving, bind a reference outside the block and use that:
/// `let v = &data; coro!(yield = u8, move { .. v .. })`.
#[proc_macro]
pub fn coro(input: TokenStream) -> TokenStream {
    coro_transform::expand_inline(input.into()).into()
}
