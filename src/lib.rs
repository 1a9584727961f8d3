//! Stackless coroutines for stable Rust, written with `suspend!()`.
//!
//! A function marked `#[coro::coroutine]` whose body calls [`suspend!`] becomes a coroutine: a
//! value that runs the body a piece at a time. Each [`resume`](Coroutine::resume) runs the body up
//! to its next `suspend!(value)` and hands `value` to the resumer; the next resume continues from
//! there. The macro rewrites the body into an explicit state machine: no threads, no `unsafe`,
//! nothing on the heap (but the frame stack of a recursive coroutine, which grows like a `Vec`),
//! and the result can be moved between resumes. The `pinned` option lowers the body through
//! rustc's `async` transform instead, into one boxed state that may borrow from itself.
//!
//! ```
//! use coro::{Coroutine, suspend, suspend_from};
//!
//! enum Tree {
//!     Leaf(i32),
//!     Node(Vec<Tree>),
//! }
//!
//! /// The leaves of a nested list, in order: Guido van Rossum's fringe.
//! #[coro::coroutine(yield = i32)]
//! fn fringe(list: &[Tree]) {
//!     for x in list {
//!         match x {
//!             Tree::Leaf(v) => suspend!(*v),
//!             Tree::Node(sub) => suspend_from!(fringe(sub)),
//!         }
//!     }
//! }
//!
//! use Tree::{Leaf, Node};
//! let x = [Leaf(0), Leaf(1), Node(vec![Leaf(2), Node(vec![Leaf(3)])])];
//! let mut c = fringe(&x);
//! let mut seen = Vec::new();
//! while let Ok(v) = c.resume(()) {
//!     seen.push(v);
//! }
//! assert_eq!(seen, [0, 1, 2, 3]);
//! // A coroutine resumed with `()` is also an iterator:
//! assert_eq!(fringe(&x).sum::<i32>(), 6);
//! ```
//!
//! # The pieces
//!
//! - [`#[coro::coroutine(yield = Y)]`](coroutine) turns a function into a coroutine constructor:
//!   calling it runs nothing and returns an `impl Coroutine<R, Yield = Y, Return = T>`, where `T`
//!   is the function's written return type and `R` the resume type (`resume = R`, `()` when
//!   absent). With `R = ()` it is also a [`FusedIterator`](core::iter::FusedIterator) over the
//!   yielded values.
//! - [`suspend!(value)`](suspend) pauses the body, yields `value`, and evaluates to the argument
//!   of the next resume. [`suspend_from!(c)`](suspend_from) runs another coroutine inside this one
//!   (Python's `yield from`) and evaluates to what it returns.
//! - [`Coroutine::resume`] returns `Ok(value)` when the body suspends and `Err(`[`EarlyExit`]`)`
//!   when it does not: [`EarlyExit::Returned`] carries the return value once, and every later
//!   resume says why nothing ran (`Finished`, `Killed`, `Panicked`) instead of panicking.
//! - [`Coroutine::kill`] ends a suspended coroutine and drops what it holds; dropping it does the
//!   same. [`Coroutine::throw`] resumes with an error, for resume types `Result<T, E>`.
//! - [`current()`] says which coroutine is running and which one resumed it.
//! - [`coro!`] builds a coroutine from a block that captures its environment, like a `move`
//!   closure. [`BoxCoroutine`] erases a coroutine's type.
//!
//! # Why the attribute is written `#[coro::coroutine]`
//!
//! rustc reserves the name `coroutine` for its own unstable attribute, so an imported
//! `#[coroutine]` is ambiguous on stable Rust (error E0659). The path form,
//! `#[coro::coroutine(...)]`, is unambiguous and reads like `#[tokio::main]`.
//!
//! # Options
//!
//! `#[coro::coroutine(yield = Y, resume = R, clone, name = "...")]`:
//!
//! | option | meaning |
//! |---|---|
//! | `yield = Y` | required: the type the body suspends with |
//! | `resume = R` | the type of resume values (default `()`) |
//! | `clone` | the coroutine is `Clone`: a suspended coroutine can be forked (with the delegate it is suspended in, which must be `Clone` too) |
//! | `pinned` | the body may keep borrows of its own locals across `suspend!` (see below) |
//! | `async` | on an `async fn`: the body may `.await`, and the coroutine is a [`Stream`] (see below) |
//! | `name = "..."` | the name [`current()`] reports (default: the function's name) |
//! | `crate = "..."` | where the runtime is, if the `coro` dependency is renamed |
//!
//! The attribute works on free functions and on methods (`self`, `&self`, `&mut self`), in
//! inherent and trait impls (declare the trait method as returning
//! `impl Coroutine<R, Yield = Y, Return = T>`), with generics, bounds, where clauses,
//! `impl Trait` arguments and any visibility. Doc comments and other attributes are kept.
//!
//! # The first resume value
//!
//! The first resume starts the body; there is no `suspend!` yet for its value to become. A
//! coroutine whose resume type is not `()` must say where that value goes, with a parameter
//! marked `#[resume]`, so that it is never lost. It is not part of the function's signature:
//!
//! ```
//! use coro::{Coroutine, suspend};
//!
//! /// Running average of the numbers it is sent.
//! #[coro::coroutine(yield = f64, resume = f64)]
//! fn average(#[resume] first: f64) {
//!     let (mut sum, mut n) = (first, 1.0);
//!     loop {
//!         sum += suspend!(sum / n);
//!         n += 1.0;
//!     }
//! }
//!
//! let mut avg = average();
//! assert_eq!(avg.resume(10.0), Ok(10.0));
//! assert_eq!(avg.resume(20.0), Ok(15.0));
//! ```
//!
//! `#[resume] _: R` drops it, explicitly. In the same way, `suspend_from!(c)` starts the delegate
//! `c` with `()` when the resume type is `()` (or with `Wake::Start` in a microthread, see
//! [`uthread`](mod@uthread)), and otherwise needs its first value, which rustc asks for if it is left out:
//! `suspend_from!(c, first)`.
//!
//! # What the body may contain
//!
//! Ordinary Rust, with `suspend!` wherever an expression may stand: in statements, `let`
//! initializers (with any pattern, `let ... else` included), operands of operators, call and
//! method-call arguments, conditions of `if`, `while` and `if let` chains, `match` scrutinees and
//! arms, `loop`, `while`, `while let` and `for` bodies (over any `IntoIterator`), labeled blocks
//! and loops with `break value` and labeled `continue`, `return` and `?` (on `Result`, `Option`
//! and `ControlFlow`). Evaluation order is Rust's: in `f(a(), suspend!(b), c())`, `a()` runs
//! before the suspension and `c()` after it. Closures, nested functions and items may appear in
//! the body; they cannot suspend the coroutine themselves.
//!
//! `#[cfg(..)]` and `#[cfg_attr(..)]` on statements, arms and fields mean what they mean in a
//! plain function, suspension points and the drop rule below included: the body is expanded once
//! per combination of the conditions it mentions (at most six), and rustc keeps the one that
//! holds.
//!
//! No type annotations are needed: every local the state machine keeps gets its type by
//! inference.
//!
//! # What a coroutine keeps across a suspension point
//!
//! At each suspension point the coroutine keeps exactly the locals in scope that are
//!
//! - **used after it** (read, borrowed, or named in a closure or a macro, on some path), or
//! - **not used on any path from their declaration to it** (guards such as
//!   `let _lock = mutex.lock()`). A path that returns or panics does not reach the suspension
//!   point, so what it uses does not count.
//!
//! This is the rule the differential tests check, on thousands of generated programs killed at
//! every suspension point. A local that was used before the suspension point and is not used
//! after it is dropped when
//! the coroutine suspends there, instead of at the end of its scope: the coroutine cannot tell
//! whether the use moved it. The temporaries of the statement that suspends are dropped when it
//! suspends, too. Everything kept is dropped at the end of its scope, or, if the coroutine is
//! killed or dropped first, then: innermost delegate first, then the locals in reverse
//! declaration order, as Rust drops them.
//!
//! This is the default lowering's rule. The `pinned` and `async` lowerings go through rustc's
//! own transform and keep every local and every temporary of the suspending statement to the end
//! of its scope, as a plain function and `async-stream` do: a `MutexGuard` temporary in
//! `suspend!(q.lock().unwrap().pop())` is still held while such a coroutine is suspended.
//!
//! The same rule applies where the state machine jumps between states without suspending, which
//! it does only around code that creates closures inside loops or branches that suspend (a
//! closure type cannot be duplicated into several states).
//!
//! ```
//! use coro::{Coroutine, suspend};
//! use std::cell::RefCell;
//!
//! struct Noisy<'a>(&'static str, &'a RefCell<Vec<&'static str>>);
//! impl Drop for Noisy<'_> {
//!     fn drop(&mut self) {
//!         self.1.borrow_mut().push(self.0);
//!     }
//! }
//!
//! #[coro::coroutine(yield = ())]
//! fn holder<'a>(log: &'a RefCell<Vec<&'static str>>) {
//!     let _guard = Noisy("guard", log); // never used: kept to the end of its scope
//!     let used = Noisy("used", log);
//!     let _ = used.0; // used before the suspension point, not after: dropped there
//!     suspend!();
//!     log.borrow_mut().push("resumed");
//! }
//!
//! let log = RefCell::new(Vec::new());
//! let mut c = holder(&log);
//! c.resume(()).unwrap();
//! assert_eq!(*log.borrow(), ["used"]);
//! assert!(c.resume(()).is_err());
//! assert_eq!(*log.borrow(), ["used", "resumed", "guard"]);
//! ```
//!
//! # Borrowing across `suspend!`
//!
//! A coroutine has two lowerings, chosen by the `pinned` option; everything else (resume
//! values, `EarlyExit`, kill and the order it drops locals in, `throw`, `current()`, delegation
//! in both directions, recursion) works the same in both, except when a local that is no longer
//! used is dropped (the last row below), and a coroutine of one mode delegates to one of the
//! other.
//!
//! | | default | `pinned` |
//! |---|---|---|
//! | lowering | this crate's own state machine, a value that moves | rustc's `async` transform, one boxed state that stays in place |
//! | borrows of its own locals across `suspend!` | whole locals only (see below) | any: `for x in &v`, `text.lines()`, `let first = &v[0]`, `suspend_from!(g(&mut v))` |
//! | creating one | nothing allocated | one `Box` for the state (and an `Arc` for the hand-off when the yield or resume type names a generic parameter, see below) |
//! | a resume | the code of the state it is in | the same, plus a poll and two slot moves |
//! | recursion (`suspend_from!(f(..))`) | frames of one state machine, any depth | a coroutine per level, on the native stack |
//! | `clone` | available | refused: a copy would point into the original |
//! | `Send` | when the locals it keeps are | when the locals it keeps are |
//! | a local used before a suspension and not after it, and the suspending statement's temporaries | dropped when it suspends | kept to the end of their scope, as in a plain function |
//! | `suspend!` in another macro's arguments (`vec![..]`, `assert_eq!`, the arms of `tokio::select!`) | refused: bind the value first | accepted wherever the macro puts it in the body, as an `.await` is in an `async` block |
//!
//! A pinned coroutine's body hands each yielded and resume value over through a slot. When the
//! yield and resume types can be named in a `static` (primitive and prelude types, paths through
//! a module such as `io::Error` or `crate::Token`, tuples and arrays of them) the slot is a
//! thread-local of the coroutine's own, which costs nothing to create; a type written as a
//! single capitalized name (`Token`, `T`) may be a generic parameter of an enclosing `impl`,
//! which the attribute cannot see, so it gets a slot behind an uncontended `Arc<Mutex<..>>`
//! instead. Either way the coroutine is `Send` when its locals are.
//!
//! Choose the default when the body works on owned values, indexes or borrows of parameters (it
//! allocates nothing and moves freely), and `pinned` when the natural code borrows a local the
//! coroutine owns. `BENCHMARKS.md` gives the measured costs of both.
//!
//! ```
//! use coro::{suspend, suspend_from};
//!
//! #[coro::coroutine(yield = u32)]
//! fn walk(v: &[u32]) {
//!     for x in v {
//!         suspend!(*x);
//!     }
//! }
//!
//! #[coro::coroutine(yield = u32, pinned)]
//! fn doubled_then_walked(src: Vec<u32>) {
//!     let v: Vec<u32> = src.iter().map(|x| x * 2).collect();
//!     for x in &v {
//!         suspend!(*x);
//!     }
//!     suspend_from!(walk(&v));
//! }
//!
//! assert_eq!(doubled_then_walked(vec![1, 2]).collect::<Vec<_>>(), [2, 4, 2, 4]);
//! ```
//!
//! In the default lowering the state of a suspended coroutine is a value that can move, so it
//! cannot hold a borrow of one of its own locals. Borrows of parameters (and of anything else
//! outside the coroutine) are fine. Two forms of local borrow are supported anyway:
//!
//! - `let r = &v;` or `let r = &mut v;` (a whole local, no `mut` on `r`) is taken again from
//!   `v` after each suspension point, so `let r = &mut list; suspend!(); r.push(1);` works.
//!   Only a whole local is borrowed again: a borrow of a field or an element (`&v.f`, `&v[i]`)
//!   may go through a user's `Deref` or `Index`, which must not run a second time, and could
//!   return another place when it does.
//! - In an expression such as `v.len() + suspend!(x)` or `p.a == suspend!(x)`, what is left of
//!   the suspension is evaluated before it, as Rust does. A place operand held across it (a
//!   method receiver, the operand of `&`, a side of `==`) may be a local or a local's field; an
//!   index or a dereference there (`v[0] == suspend!(x)`) is refused, since its code would run
//!   after the suspension instead of before it: bind the suspension's value first.
//! - A borrow of a local the coroutine owns that is used after a suspension point, in the forms
//!   people write (`for x in &local`, `local.iter().enumerate()`, `text.lines()`,
//!   `let first = &v[0]`, `if let [a, ..] = v.as_slice()`, `suspend_from!(g(&local))`, a
//!   `match` on `cell.borrow()`), gets an error at the borrow that says to add `pinned`, and
//!   the other ways out: iterate by value or by index, or keep the data in a parameter and
//!   borrow that. A closure that uses a local and is used after a suspension point must be a
//!   `move` closure. A borrow the transform does not recognise is rustc's to report.
//!
//! # Async coroutines
//!
//! `#[coro::coroutine(yield = Y, async)]` on an `async fn` makes a [`Stream`] of what the body
//! suspends with, whose body may `.await` wherever an expression stands. It is lowered as with
//! `pinned` (so it may borrow its own locals across both kinds of suspension), and polled with
//! the executor's own `Context`: a pending `.await` returns `Poll::Pending` with the executor's
//! waker, and a `suspend!(v)` returns `Poll::Ready(Some(v))`. `coro!(yield = Y, async, move {..})`
//! is the inline form.
//!
//! ```
//! use coro::suspend;
//! use futures::StreamExt;
//!
//! async fn double(x: u32) -> u32 {
//!     x * 2
//! }
//!
//! #[coro::coroutine(yield = u32, async)]
//! async fn doubled(xs: Vec<u32>) {
//!     for x in &xs {
//!         suspend!(double(*x).await);
//!     }
//! }
//!
//! let s = doubled(vec![1, 2, 3]);
//! assert_eq!(futures::executor::block_on(s.collect::<Vec<_>>()), [2, 4, 6]);
//! ```
//!
//! - The stream is `Send` exactly when its state is (its arguments, its locals, the futures it
//!   awaits and the yielded type), so `tokio::spawn` takes a task that consumes it.
//! - The return type is `()`, or `Result<(), E>` when the coroutine yields `Result<T, E>`:
//!   then `?` works in the body, and an error is the stream's last item ([`StreamReturn`]).
//! - Dropping the stream drops its body where it is: the future of a pending `.await` first,
//!   then the locals in reverse order, as when an `async fn`'s future is dropped.
//! - `suspend_from!(s)` delegates to another async coroutine or any `Stream` (and evaluates to
//!   `()`), or to a synchronous coroutine resumed with `()` (and evaluates to its return
//!   value). A synchronous coroutine cannot delegate to a stream, and `clone` is refused.
//! - Each item passes through a slot, as in a pinned coroutine: a thread-local of the
//!   coroutine's own when the yielded type can be named in a `static` (see the `pinned`
//!   section), else one behind an `Arc<Mutex<..>>` that the stream shares with its body.
//!   Creating one allocates the boxed state.
//! - With `resume = R` (not `()`), the coroutine is an [`AsyncResume<R>`](AsyncResume)
//!   instead of a stream: `resume(arg)` is a future of `Result<Y, EarlyExit<T>>`, the first
//!   value goes to the `#[resume]` parameter (`move |first|` in `coro!`), each `suspend!(v)`
//!   evaluates to the next, and `throw` and `kill` work as for a synchronous coroutine. Its
//!   `suspend_from!` delegates to a coroutine or an async coroutine of the same resume type. A
//!   resume's future dropped in the middle of an `.await` leaves the body there: the next
//!   resume panics, since its value would have nowhere to go; kill the coroutine instead.
//! - A `suspend_from!` of the coroutine itself (`suspend_from!(walk(k - 1))`) is boxed by the
//!   lowering, one allocation per level. Mutual recursion is broken with a box of your own:
//!   `suspend_from!(Box::pin(odd(n - 1)))`. Not with `StreamExt::boxed`, which needs rustc to
//!   prove the stream `Send`, and it cannot for a type that contains itself (E0283).
//! - [`AsyncCoroutine`] gives the stream a `kill()`, which drops the body where it is as a drop
//!   of the stream does (later polls end the stream), and its `status()` and `name()`.
//!
//! # Beside Python's generators
//!
//! Where the two differ in shape, the choice follows PEP 342 and PEP 380:
//!
//! | Python | coro |
//! |---|---|
//! | `gen.send(v)`; the first `send` must be `None` | [`resume(v)`](Coroutine::resume); the first value goes to the `#[resume]` parameter, so none is lost |
//! | `StopIteration` carries the return value | `Err(EarlyExit::Returned(v))`, once; later resumes say `Finished`, `Killed` or `Panicked` |
//! | `StopIteration.value` after a `for` loop (lost) | [`yields()`](Coroutine::yields) then `returned()`; [`try_yields()`](Coroutine::try_yields) for a `Result<(), E>` body |
//! | `gen.throw(e)` into a suspended generator | [`throw(e)`](Coroutine::throw): its `suspend!` evaluates to `Err(e)` |
//! | `gen.throw(e)` into an unstarted generator: closed, `e` raised | killed without running any of its body, `Err(Thrown::Refused(e, Status::Unstarted))` |
//! | `gen.throw(e)` into a finished generator: `e` raised | `Err(Thrown::Refused(e, status))`: the error comes back |
//! | `gen.close()`, `GeneratorExit` in cleanup code | [`kill()`](Coroutine::kill), [`is_killing()`] in a drop guard |
//! | `yield from sub` | `suspend_from!(sub)`, with throw and kill reaching `sub` first |
//! | `yield from` an exhausted generator evaluates to `None` | a coroutine that had ended has no return value left, so the delegating coroutine ends as killed; a `Stream` delegate of an async coroutine has none to lose, and `suspend_from!` evaluates to `()` |
//!
//! # Recursion and delegation
//!
//! `suspend_from!(f(args))`, where `f` is the coroutine itself, runs the call as a new frame of
//! the same state machine: no `Box`, nothing allocated per level beyond a frame stack that grows
//! like a `Vec`, and a resume costs the same at any depth. Recursion written the natural way
//! works too: in a generator, `for x in f(args) { suspend!(x) }` means the same and runs as a
//! frame; any other call of `f` inside `f` (`let sub = perms(rest); for p in sub { .. }`) is
//! boxed behind a trait object, one allocation per call. A call through a method
//! (`self.kids[i].walk()`, `Tree::walk(&self.kids[i])`) counts as recursion too. In the
//! `pinned` lowering each recursive call is a coroutine of its own. Killing or dropping a deep chain drops
//! the innermost frame first, without recursion on the native stack. Inside each frame,
//! `current()` names that frame, and its resumer is the frame that delegated to it; `throw`
//! reaches the innermost frame first, and each level decides what to do with what it returns.
//!
//! A recursive call of a generic coroutine passes the types it received, as in a function: a
//! recursion that wraps its argument in a new type on every level (a prime sieve that filters
//! its input iterator) has no finite type, and gets an error at the argument that says to take a
//! trait object instead (`fn sieve(it: Box<dyn Iterator<Item = u64>>)`).
//!
//! Delegating to another coroutine keeps it inline in the state. Mutual recursion (`a`
//! delegating to `b` delegating to `a`) makes the state's type contain itself; box one of the
//! delegates to break the cycle: `suspend_from!(b(x).boxed())`. A chain of such boxed
//! delegations runs at any depth, as direct recursion does: the outermost boxed delegation keeps
//! every boxed delegate below it on a stack of its own and resumes the innermost one directly,
//! so a resume costs the same at any depth and the native stack does not grow (mutual recursion
//! 100,000 levels deep runs on a 2 MiB thread, to its end or dropped at the bottom). Killing or
//! dropping it kills the innermost level first, one level at a time; `throw` and resume values
//! reach the innermost level; inside each level `current()` reports the coroutine that delegated
//! to it as its resumer (and a hand-written coroutine on the chain sees that coroutine as the
//! running one, as it would if that coroutine resumed it); a panic in a level ends the levels
//! it unwinds out of as panicked, as native recursion would. What the chain costs is one
//! allocation per level beyond the first, besides the box itself.
//!
//! The transform takes a delegate for one that may be recursive when the expression given to
//! `suspend_from!` ends in `.boxed()` (whatever that method returns: ours, or one of your own),
//! or is a method call the transform boxes (see above). Such a delegation holds the chain's
//! stack, which is not `Send`, so the delegating coroutine is not `Send` either (a
//! [`BoxCoroutine`] is not `Send` anyway). To delegate to a `Send` box from a coroutine that
//! must stay `Send`, give `suspend_from!` the box another way: `let d: BoxSendCoroutine<'_, R,
//! Y, T> = Box::new(g(..)); suspend_from!(d)`. Every other delegate (`suspend_from!(self.child)`,
//! a field of type [`BoxCoroutine`], a wrapped `(x.boxed())`) is resumed through its delegating
//! coroutine, which costs one native stack frame per level of a chain of them: write
//! `.boxed()` where the recursion is. Pinned coroutines take part in a chain as hand-written
//! coroutines do: each one is resumed through the level above it.
//!
//! # Symmetric sets
//!
//! [`symmetric`] builds Simula-style coroutines on the same functions: members of a
//! [`symmetric::Set`] hand control and a value straight to each other
//! (`suspend!(tran(member, data))`), driven by a trampoline so the native stack does not grow.
//! See the module for the edges (first transfer, falling through, panics, kill).
//!
//! # Limitations
//!
//! - In the default lowering, code after a statement that cannot complete (`return`, `break`,
//!   `continue`, `panic!`), up to the next suspension point, is not emitted, so rustc does not
//!   check it: an error there that a plain function would report is not reported. The
//!   differential tests' ill-typed mode found this; the `pinned` lowering checks it as rustc
//!   does.
//! - A coroutine that has not finished kills itself when dropped, so it is a value with a `Drop`
//!   of its own: what it borrows must outlive it. For a `coro!` block, whose type is not hidden
//!   behind `impl Trait`, that means declaring the data before the coroutine
//!   (`let v = ..; let c = coro!(..)`, not `let c; let v = ..; c = coro!(..)`).
//! - A `return` that only a macro's expansion holds (anyhow's `bail!` and `ensure!`, a
//!   `macro_rules!` of your own) ends the coroutine as it ends a function when the return type is
//!   written `Result<..>` or `Option<..>` (`io::Result<T>` and `anyhow::Result<T>` included). In
//!   the default lowering the body runs in a closure of the state machine, and such a `return`
//!   returns from it: a body that calls a macro other than the standard library's runs its code
//!   in a closure whose type gives `return Err(e)` and `return None` that meaning. Behind an alias
//!   (`-> MyResult`) or with another return type it cannot: `bail!` and `ensure!` get an error
//!   that says so, another macro's `return` a type error naming
//!   `ReturnInMacroNeedsResultOrOption`. With `pinned` every such macro works as in a function.
//! - A loop whose body holds a closure or an `async` block is entered through an internal state
//!   of the state machine (two copies of a closure would be two types). A local used before such
//!   a loop and never after it is dropped there, when the loop is entered, instead of at the
//!   next suspension point as the drop rule says.
//! - The hand-off slot of a pinned or async coroutine whose types can be named in a `static` is
//!   a thread-local: resuming such a coroutine from the destructor of another thread-local, while
//!   the thread exits, may find it gone and panic, as any use of a thread-local there may.
//! - When a resume panics, a local kept in place across several suspension points (see
//!   [Cost](#cost)) is dropped after the locals that resume was working on, instead of in reverse
//!   declaration order among them. Returns and `?` keep Rust's order.
//! - A local that is partly moved (`let items = self.items;` then `self.step` used after a
//!   suspension point) cannot be kept whole: take it apart first
//!   (`let Self { items, step } = self;`).
//! - `suspend!` cannot stand inside a closure, an `async` block, a nested function or a match
//!   guard, nor (in the default lowering) in another macro's arguments; each is a compile error
//!   saying what to do instead.
//! - A `&mut self` method cannot recurse through `suspend_from!(self.method())`: the callee
//!   frame would borrow from its caller's. Pass what the recursion needs as arguments instead.
//!
//! # Cost
//!
//! A resume runs the generated code for the state it is in; LLVM usually inlines it into the
//! consumer's loop, where it compiles to the code a hand-written iterator or `step` method
//! compiles to.
//!
//! [`current()`] is the crate's one feature, `current`, and it is off by default, because it is
//! the one thing that costs: with it, every resume records the running coroutine (a few
//! thread-local words saved and restored), and each recursive call records its frame. The
//! compiler removes those stores when it sees the whole resume loop; behind an opaque call, or
//! when the coroutine lives behind a reference, they cost a few nanoseconds per resume, several
//! times a hand-written step. A program that never calls `current()` pays nothing for it. One
//! that does turns it on:
//!
//! ```toml
//! [dependencies]
//! coro = { version = "0.1", features = ["current"] }
//! ```
//!
//! Without it, everything else works the same; `coro::current()` is not there (rustc says which
//! feature it needs), and a microthread without a name given at spawn is named `"microthread"`.
//! A library that depends on `coro` should leave the feature to the program, so that only
//! programs that ask for `current()` pay for it.
//!
//! The project's criterion benches (`cargo bench -p benchmarks --bench generators`,
//! `--bench delegation`) measure this beside hand-written code, and `BENCHMARKS.md` beside the
//! other coroutine libraries.
//!
//! A local kept across several suspension points stays where it is in the state, however large:
//! the points of one loop, and points one after another in the body, share one state variant,
//! and going from one to the next only records which point the coroutine is at. Such a local is
//! moved only where the code may move it (its last use, an assignment of the whole local, a
//! closure or a macro naming it), or where the code leaves the loop or the run of points. One
//! difference from a plain function follows: when a resume panics, such a local is dropped after
//! the locals the resume was working on, not in reverse declaration order among them.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub use coro_core::symmetric;
pub use coro_core::{
    AsyncCoroutine, AsyncResume, BoxCoroutine, BoxSendCoroutine, Coroutine, CoroutineState,
    EarlyExit, FusedStream, Resume, Status, Stream, StreamReturn, Throw, Throwing, Thrown,
    TryYields, Yields, is_killing, suspend, suspend_from,
};
#[cfg(feature = "current")]
pub use coro_core::{CoroutineId, Current, current};
pub use coro_macros::{coro, coroutine, uthread};
#[doc(inline)]
pub use coro_uthread as uthread;

#[doc(hidden)]
pub mod __private {
    pub use coro_core::__private::*;
}
