//! `suspend!` and `suspend_from!`: rewritten by `#[coroutine]`, an error anywhere else.

/// Suspends the running coroutine with a value; evaluates to the value of the next resume.
///
/// `suspend!(value)` hands `value` to whoever resumed the coroutine (as the `Ok` of
/// [`Coroutine::resume`](crate::Coroutine::resume), or the next item of the iterator) and pauses
/// the body there. The next resume continues it: `suspend!(value)` then evaluates to the
/// argument of that resume. `suspend!()` suspends with `()`.
///
/// It is only meaningful inside a `#[coroutine]` function or a `coro!` block, which rewrite it;
/// anywhere else it is a compile error. It may stand wherever an expression may, except inside
/// closures, `async` blocks, nested functions, match guards and the arguments of other macros
/// (bind it with `let` first there).
///
/// # Examples
///
/// ```
/// use coro::{Coroutine, suspend};
///
/// #[coro::coroutine(yield = u32, resume = u32)]
/// fn doubler(#[resume] first: u32) {
///     let mut x = first;
///     loop {
///         x = suspend!(x * 2);
///     }
/// }
///
/// let mut d = doubler();
/// assert_eq!(d.resume(1), Ok(2));
/// assert_eq!(d.resume(21), Ok(42));
/// ```
#[macro_export]
macro_rules! suspend {
    ($($tokens:tt)*) => {
        $crate::not_in_a_coroutine!(suspend $($tokens)*)
    };
}

/// Delegates to another coroutine until it returns: Python's `yield from`.
///
/// `suspend_from!(c)` runs the coroutine `c` inside the running one: every value `c` yields is
/// yielded by the running coroutine, every resume value goes to `c`, killing the running
/// coroutine kills `c` first, and the expression evaluates to `c`'s return value.
///
/// The first resume of `c` happens at once, when the delegation starts; in a coroutine whose
/// resume type is `()` it gets `()` (in a microthread of `coro::uthread`, `Wake::Start`).
/// Elsewhere the first value is given explicitly, and rustc asks for it if it is left out:
/// `suspend_from!(c, first)`.
///
/// A call of the enclosing function itself (direct recursion) needs no `Box` and allocates nothing
/// per level: the callee runs as a new frame of the same state machine.
///
/// If `c` had already ended (returned, was killed or panicked) before the delegation started,
/// there is no return value for `suspend_from!(c)` to evaluate to, and the delegating coroutine
/// cannot go on: it ends as if killed, its locals dropped in kill order, and the resume reports
/// `EarlyExit::Killed`. (Python's `yield from` an exhausted generator evaluates to `None`; Rust
/// has no value of every type to stand for it.)
///
/// A [`Stream`](crate::Stream) delegate of an async coroutine (another async coroutine resumed
/// with `()` among them) has no return value to lose: `suspend_from!(s)` evaluates to `()` when
/// `s` ends, and at once when it had ended before, whether it ran out or was killed, as
/// `StreamExt::next` sees such a stream and as Python does.
///
/// # Examples
///
/// ```
/// use coro::{suspend, suspend_from};
///
/// enum Tree {
///     Leaf(i32),
///     Node(Vec<Tree>),
/// }
///
/// #[coro::coroutine(yield = i32)]
/// fn fringe(list: &[Tree]) {
///     for x in list {
///         match x {
///             Tree::Leaf(v) => suspend!(*v),
///             Tree::Node(sub) => suspend_from!(fringe(sub)),
///         }
///     }
/// }
///
/// use Tree::{Leaf, Node};
/// let t = [Leaf(0), Node(vec![Leaf(1), Node(vec![Leaf(2)])]), Leaf(3)];
/// assert_eq!(fringe(&t).collect::<Vec<_>>(), [0, 1, 2, 3]);
/// ```
#[macro_export]
macro_rules! suspend_from {
    ($($tokens:tt)*) => {
        $crate::not_in_a_coroutine!(suspend_from $($tokens)*)
    };
}

/// What `suspend!` and `suspend_from!` expand to where no coroutine rewrote them.
#[doc(hidden)]
#[macro_export]
macro_rules! not_in_a_coroutine {
    // The expansion of a coroutine invokes each suspension macro this way once, so that the
    // import the body uses for it counts as used.
    ($name:ident @used) => {};
    (suspend $($tokens:tt)*) => {
        ::core::compile_error!(
            "`suspend!` can only be used in the body of a `#[coro::coroutine]` function or a `coro!` block; an imported bare `#[coroutine]` is rustc's own unstable attribute, which does not rewrite it: write the path, `#[coro::coroutine(..)]`"
        )
    };
    (suspend_from $($tokens:tt)*) => {
        ::core::compile_error!(
            "`suspend_from!` can only be used in the body of a `#[coro::coroutine]` function or a `coro!` block; an imported bare `#[coroutine]` is rustc's own unstable attribute, which does not rewrite it: write the path, `#[coro::coroutine(..)]`"
        )
    };
}
