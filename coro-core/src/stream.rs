//! The runtime of async coroutines: `#[coroutine(yield = Y, async)]` on an `async fn`, whose body
//! may `.await` and `suspend!`, and which is a [`Stream`] of what it suspends with.
//!
//! The body is an `async move` block, as in the `pinned` lowering, and each `suspend!(v)` is an
//! `.await` of a [`Yield`]. The block is polled with the executor's own [`Context`], so a real
//! `.await` that is pending returns `Pending` to the executor with the executor's waker in the
//! awaited future's hands:
//!
//! ```text
//! poll_next(cx) ──► poll(body, cx) ──► Pending, a value in the port ──► Ready(Some(v))
//!                                 ├──► Pending, nothing in the port ──► Pending (a real await)
//!                                 └──► Ready(t) ───────────────────────► the end of the stream
//! Yield(v).await:  first poll: port = v, Pending        second poll: Ready(())
//! ```
//!
//! The port is the one thing the body and its stream share, reached through a
//! [`Hand`](crate::__private::Hand) as in the `pinned` lowering: a thread-local of the
//! coroutine's own when the yielded type can be named in a `static`, else an uncontended
//! `Arc<Mutex<..>>`. Either way the stream is `Send` exactly when its body is. A `Context`
//! carries nothing but a waker, so safe code has no other way to hand a value from inside a
//! future to whoever polls it; the body runs only inside `poll_next`, which holds the stream by
//! `&mut`, and the port is empty whenever no poll is running.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::Stream;
use futures_core::stream::FusedStream;

use crate::current::{self, Meta};
use crate::pinned::{Hand, Left, Port};
use crate::{Coroutine, EarlyExit, Status};

/// What the return value of an async coroutine adds to the end of its stream.
///
/// An async coroutine whose resume type is `()` is a [`Stream`] of what it suspends with; the
/// value its body returns is not an item, so it must say what to do at the end: `()` ends the
/// stream, and `Result<(), E>` (in a coroutine that yields `Result<T, E>`) ends it after one
/// last item `Err(e)` when the body returned an error, so that `?` works in the body as in
/// `async-stream`'s `try_stream!`.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use coro::suspend;
///
/// #[coro::coroutine(yield = Result<u32, String>, async)]
/// async fn parse(words: Vec<&'static str>) -> Result<(), String> {
///     for w in words {
///         let n: u32 = w.parse().map_err(|_| format!("not a number: {w}"))?;
///         suspend!(Ok(n));
///     }
///     Ok(())
/// }
///
/// let items = futures::executor::block_on(parse(vec!["1", "2", "x", "3"]).collect::<Vec<_>>());
/// assert_eq!(items, [Ok(1), Ok(2), Err("not a number: x".to_string())]);
/// ```
#[diagnostic::on_unimplemented(
    message = "an async coroutine that yields `{Item}` cannot return `{Self}`",
    label = "a `Stream` of `{Item}` has nowhere to put a `{Self}`",
    note = "an async coroutine is a `Stream` of what it suspends with: return `()`, or return `Result<(), E>` and yield `Result<T, E>` so that an error becomes the stream's last item"
)]
pub trait StreamReturn<Item> {
    /// The item the stream ends with, if any.
    fn last_item(self) -> Option<Item>;
}

impl<Item> StreamReturn<Item> for () {
    #[inline]
    fn last_item(self) -> Option<Item> {
        None
    }
}

impl<T, E> StreamReturn<Result<T, E>> for Result<(), E> {
    #[inline]
    fn last_item(self) -> Option<Result<T, E>> {
        self.err().map(Err)
    }
}

/// An async coroutine beside the [`Stream`] it is: its status and name, and a kill.
///
/// # Examples
///
/// ```
/// use coro::{AsyncCoroutine, Status, suspend};
/// use futures::StreamExt;
///
/// #[coro::coroutine(yield = u32, async)]
/// async fn naturals() {
///     let mut n = 0;
///     loop {
///         suspend!(n);
///         n += 1;
///     }
/// }
///
/// futures::executor::block_on(async {
///     let mut s = naturals();
///     assert_eq!(s.next().await, Some(0));
///     assert_eq!(s.status(), Status::Suspended);
///     s.kill();
///     assert_eq!(s.status(), Status::Killed);
///     assert_eq!(s.next().await, None);
/// });
/// ```
pub trait AsyncCoroutine: FusedStream {
    /// Ends the coroutine where it is suspended, as dropping it would: the future of a pending
    /// `.await` is dropped first, then the locals in reverse order, with
    /// [`is_killing`](crate::is_killing) true meanwhile. Later polls end the stream. Nothing
    /// happens to a coroutine that has already ended.
    fn kill(&mut self);

    /// Where the coroutine is: not started, suspended (at a `suspend!` or an `.await`), or
    /// ended.
    fn status(&self) -> Status;

    /// The coroutine's name, as `current()` reports it.
    fn name(&self) -> Option<&'static str>;
}

/// `suspend!(value)` in an async coroutine: `stream_yield(&port, value).await`.
#[inline]
pub fn stream_yield<H: Hand<Y, ()>, Y>(hand: &H, value: Y) -> Yield<Y> {
    // The value goes to the port at once: the `.await` that follows returns `Pending` before
    // any other code runs, so it is still there when the stream looks.
    hand.with_port(|p| p.put_yielded(value));
    Yield {
        polled: false,
        types: PhantomData,
    }
}

/// The future a `suspend!` awaits in an async coroutine: its value is in the port from the
/// start; pending once, then ready.
#[must_use = "a suspension does nothing unless awaited"]
pub struct Yield<Y> {
    polled: bool,
    types: PhantomData<fn() -> Y>,
}

impl<Y> Future for Yield<Y> {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.polled {
            Poll::Ready(())
        } else {
            self.polled = true;
            Poll::Pending
        }
    }
}

/// An async coroutine resumed with `()`: a [`Stream`] of what its body suspends with.
pub struct AsyncGen<Y, F: Future, H> {
    /// The body; `None` once it has ended (returned, killed or panicked), which drops its
    /// locals.
    body: Option<Pin<Box<F>>>,
    hand: H,
    /// What the return value adds to the stream, fixed where the bound is checked.
    last: fn(F::Output) -> Option<Y>,
    status: Status,
    meta: &'static Meta,
    /// The coroutine's identity for `current()`, 0 until somebody asks.
    id: current::Id,
}

// The body is boxed: nothing of a stream is pinned structurally.
impl<Y, F: Future, H> Unpin for AsyncGen<Y, F, H> {}

/// Builds an async coroutine; `Y` and `T` are spelled out by the generated code so that type
/// errors point at the user's types and expressions.
#[inline]
pub fn async_gen<Y, T: StreamReturn<Y>, F: Future<Output = T>, H: Hand<Y, ()>>(
    meta: &'static Meta,
    hand: H,
    body: F,
) -> AsyncGen<Y, F, H> {
    AsyncGen {
        body: Some(Box::pin(body)),
        hand,
        last: StreamReturn::last_item,
        status: Status::Unstarted,
        meta,
        id: current::NO_ID,
    }
}

/// Restores the thread's current frame when a poll ends, and ends the stream if the body
/// unwinds.
struct Polling<'a, Y, F: Future, H: Hand<Y, ()>> {
    stream: &'a mut AsyncGen<Y, F, H>,
    outer: current::Frame,
    completed: bool,
}

impl<Y, F: Future, H: Hand<Y, ()>> Drop for Polling<'_, Y, F, H> {
    #[inline]
    fn drop(&mut self) {
        self.stream.id = current::leave(self.outer);
        if !self.completed {
            self.stream.status = Status::Panicked;
            self.stream.body = None;
            self.stream.hand.with_port(Port::clear);
        }
    }
}

impl<Y, F: Future, H: Hand<Y, ()>> Stream for AsyncGen<Y, F, H> {
    type Item = Y;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        let this = self.get_mut();
        if this.body.is_none() {
            return Poll::Ready(None);
        }
        let outer = current::enter(this.id, this.meta, |resumer| resumer);
        let mut polling = Polling {
            stream: this,
            outer,
            completed: false,
        };
        let step = match &mut polling.stream.body {
            Some(body) => body.as_mut().poll(cx),
            None => unreachable!("checked above"),
        };
        polling.completed = true;
        let stream = &mut *polling.stream;
        match step {
            Poll::Pending => match stream.hand.with_port(Port::take_left) {
                Left::Yielded(value) => {
                    stream.status = Status::Suspended;
                    Poll::Ready(Some(value))
                }
                // A real `.await` is pending: the future it awaits holds `cx`'s waker.
                Left::Nothing => {
                    stream.status = Status::Suspended;
                    Poll::Pending
                }
                Left::Ended => {
                    let _killing = current::Killing::start();
                    stream.status = Status::Killed;
                    stream.body = None;
                    Poll::Ready(None)
                }
            },
            Poll::Ready(value) => {
                stream.body = None;
                stream.status = Status::Finished;
                Poll::Ready((stream.last)(value))
            }
        }
    }
}

impl<Y, F: Future, H: Hand<Y, ()>> AsyncCoroutine for AsyncGen<Y, F, H> {
    fn kill(&mut self) {
        if self.body.is_some() {
            let _killing = current::Killing::start();
            self.status = Status::Killed;
            self.body = None;
        }
    }

    fn status(&self) -> Status {
        self.status
    }

    fn name(&self) -> Option<&'static str> {
        Some(self.meta.name)
    }
}

impl<Y, F: Future, H: Hand<Y, ()>> FusedStream for AsyncGen<Y, F, H> {
    fn is_terminated(&self) -> bool {
        self.body.is_none()
    }
}

/// Dropping a stream that has not finished drops its body where it is suspended (at a
/// `suspend!` or in the middle of an `.await`, whose future is dropped too), with
/// [`is_killing`](crate::is_killing) true meanwhile, as for a coroutine.
impl<Y, F: Future, H> Drop for AsyncGen<Y, F, H> {
    fn drop(&mut self) {
        if self.body.is_some() {
            let _killing = current::Killing::start();
            self.body = None;
        }
    }
}

// ---- suspend_from! in an async coroutine ---------------------------------------------------------

/// The delegate of a `suspend_from!` in an async coroutine: another async coroutine, any
/// [`Stream`], or a synchronous coroutine resumed with `()`. `M` tells the two kinds apart, so
/// that neither impl overlaps the other.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a `Stream` nor a coroutine resumed with `()`",
    label = "`suspend_from!` in an async coroutine cannot delegate to this",
    note = "an async coroutine delegates with `suspend_from!` to another async coroutine (or any `Stream`), or to a coroutine resumed with `()`"
)]
pub trait IntoAsyncDelegate<M> {
    /// What the delegation polls.
    type Delegate: AsyncDelegate;
    /// Starts the delegation.
    fn into_delegate(self) -> Self::Delegate;
}

/// One step of a delegation: a value to yield, or the delegate's end.
#[derive(Debug)]
pub enum Step<Y, T> {
    /// The delegate yielded.
    Yield(Y),
    /// The delegate returned this.
    Return(T),
    /// The delegate had already ended (it was killed or panicked, or had finished).
    Ended,
}

/// What a delegation polls.
pub trait AsyncDelegate {
    /// What the delegate yields.
    type Item;
    /// What `suspend_from!` evaluates to.
    type Output;
    /// The delegate's next step.
    fn poll_step(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Step<Self::Item, Self::Output>>;
}

/// The marker of a [`Stream`] delegate.
#[derive(Debug)]
pub enum StreamMarker {}

/// The marker of a synchronous coroutine delegate.
#[derive(Debug)]
pub enum CoroutineMarker {}

impl<S: Stream> IntoAsyncDelegate<StreamMarker> for S {
    type Delegate = S;

    #[inline]
    fn into_delegate(self) -> S {
        self
    }
}

impl<S: Stream> AsyncDelegate for S {
    type Item = S::Item;
    type Output = ();

    #[inline]
    fn poll_step(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Step<S::Item, ()>> {
        self.poll_next(cx)
            .map(|item| item.map_or(Step::Return(()), Step::Yield))
    }
}

/// A synchronous coroutine a `suspend_from!` in an async coroutine runs: each resume runs to
/// completion inside one poll, and dropping the delegation in the middle kills it.
pub struct SyncDelegate<C: Coroutine<()>> {
    coro: C,
    ended: bool,
}

// Never pinned structurally: the coroutine is only ever used through `&mut`.
impl<C: Coroutine<()>> Unpin for SyncDelegate<C> {}

impl<C: Coroutine<()>> IntoAsyncDelegate<CoroutineMarker> for C {
    type Delegate = SyncDelegate<C>;

    #[inline]
    fn into_delegate(self) -> SyncDelegate<C> {
        SyncDelegate {
            coro: self,
            ended: false,
        }
    }
}

impl<C: Coroutine<()>> AsyncDelegate for SyncDelegate<C> {
    type Item = C::Yield;
    type Output = C::Return;

    #[inline]
    fn poll_step(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Step<C::Yield, C::Return>> {
        let this = self.get_mut();
        // Counted as ended while it runs: a delegate whose resume panics is not killed again
        // while the panic unwinds.
        this.ended = true;
        let step = this.coro.resume(());
        this.ended = step.is_err();
        Poll::Ready(match step {
            Ok(y) => Step::Yield(y),
            Err(EarlyExit::Returned(t)) => Step::Return(t),
            Err(_) => Step::Ended,
        })
    }
}

impl<C: Coroutine<()>> Drop for SyncDelegate<C> {
    fn drop(&mut self) {
        if !self.ended {
            self.coro.abandon();
        }
    }
}

/// Starts the delegation `suspend_from!(c)` in an async coroutine: the one place that requires
/// `c` to be something it can delegate to, so that a value that is not is reported once, at the
/// user's expression.
#[inline]
pub fn async_delegation<M, C: IntoAsyncDelegate<M>>(c: C) -> C::Delegate {
    c.into_delegate()
}

/// The next item of the stream of a `for await` loop (`StreamExt::next`, which futures-core does
/// not have): what such a loop, which is not stable Rust, is rewritten into after its error, so
/// that the rest of the body is checked.
#[inline]
pub fn next_item<'a, 'p, S: Stream + ?Sized>(
    stream: &'a mut Pin<&'p mut S>,
) -> impl Future<Output = Option<S::Item>> + use<'a, 'p, S> {
    core::future::poll_fn(move |cx| stream.as_mut().poll_next(cx))
}

/// The next step of a pinned delegation, as a future.
#[inline]
pub fn next_step<D: AsyncDelegate + ?Sized>(delegate: Pin<&mut D>) -> NextStep<'_, D> {
    NextStep { delegate }
}

/// The future of [`next_step`].
#[must_use = "a delegation step does nothing unless awaited"]
pub struct NextStep<'a, D: ?Sized> {
    delegate: Pin<&'a mut D>,
}

impl<D: AsyncDelegate + ?Sized> Future for NextStep<'_, D> {
    type Output = Step<D::Item, D::Output>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.delegate.as_mut().poll_step(cx)
    }
}

// ---- Debug ----------------------------------------------------------------------------------------

impl<Y> fmt::Debug for Yield<Y> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yield")
            .field("polled", &self.polled)
            .finish_non_exhaustive()
    }
}

impl<Y, F: Future, H> fmt::Debug for AsyncGen<Y, F, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncCoroutine")
            .field("name", &self.meta.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<C: Coroutine<()>> fmt::Debug for SyncDelegate<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncDelegate")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<D: ?Sized> fmt::Debug for NextStep<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextStep").finish_non_exhaustive()
    }
}

/// What an async `#[coroutine]` function returns when its body had errors: a stream type that
/// satisfies the signature, so the errors the macro reported are the only ones the user sees.
pub struct NeverStream<Y>(PhantomData<fn() -> Y>, core::convert::Infallible);

/// Never called: the function it stands in for failed to compile.
#[must_use]
pub fn never_stream<Y>() -> NeverStream<Y> {
    unreachable!("an async #[coroutine] that failed to compile was called")
}

impl<Y> Stream for NeverStream<Y> {
    type Item = Y;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Y>> {
        match self.1 {}
    }
}

impl<Y> AsyncCoroutine for NeverStream<Y> {
    fn kill(&mut self) {
        match self.1 {}
    }

    fn status(&self) -> Status {
        match self.1 {}
    }

    fn name(&self) -> Option<&'static str> {
        match self.1 {}
    }
}

impl<Y> FusedStream for NeverStream<Y> {
    fn is_terminated(&self) -> bool {
        match self.1 {}
    }
}

impl<Y> fmt::Debug for NeverStream<Y> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {}
    }
}

// ---- async coroutines resumed with a value ---------------------------------------------------------

/// An async coroutine whose resume type is not `()`: the async counterpart of [`Coroutine`],
/// whose [`resume`](AsyncResume::resume) is a future of what a synchronous resume returns.
///
/// The first resume value goes to the parameter marked `#[resume]`, and each `suspend!(v)`
/// evaluates to the value of the resume after the one that received `v`, as for a synchronous
/// coroutine; between two suspensions the body may `.await`, and the resume's future is pending
/// meanwhile, with the executor's waker in the awaited future's hands.
///
/// # Examples
///
/// ```
/// use coro::{AsyncResume, EarlyExit, suspend};
///
/// async fn double(x: u64) -> u64 {
///     x * 2
/// }
///
/// #[coro::coroutine(yield = u64, resume = u64, async)]
/// async fn running_total(#[resume] first: u64) -> u64 {
///     let mut total = double(first).await;
///     while total < 100 {
///         let x = suspend!(total);
///         total += double(x).await;
///     }
///     total
/// }
///
/// futures::executor::block_on(async {
///     let mut c = running_total();
///     assert_eq!(c.resume(5).await, Ok(10));
///     assert_eq!(c.resume(20).await, Ok(50));
///     assert_eq!(c.resume(30).await, Err(EarlyExit::Returned(110)));
///     assert_eq!(c.resume(1).await, Err(EarlyExit::Finished));
/// });
/// ```
pub trait AsyncResume<R> {
    /// What the body suspends with.
    type Yield;
    /// What the body returns.
    type Return;

    /// Runs the body from where it is until it suspends, returns or is pending on an `.await`.
    /// `arg` is taken when the body is ready for it (at once, unless an earlier resume's future
    /// was dropped while the body was awaiting).
    ///
    /// # Panics
    ///
    /// If `arg` is given while the body is in the middle of an `.await` whose resume's future
    /// was dropped before it completed: a value would have nowhere to go. Await each resume to
    /// its end, or kill the coroutine.
    fn poll_resume(
        &mut self,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<Result<Self::Yield, EarlyExit<Self::Return>>>;

    /// Resumes the coroutine with `arg`: a future of its next suspension or its end.
    fn resume(&mut self, arg: R) -> Resume<'_, Self, R>
    where
        Self: Sized,
    {
        Resume {
            coro: self,
            arg: Some(arg),
        }
    }

    /// Resumes the coroutine with `R::thrown(error)`, as [`Coroutine::throw`] does: an
    /// unstarted coroutine is killed and an ended one hands the error back.
    fn throw<E>(&mut self, error: E) -> Throwing<'_, Self, R, E>
    where
        R: crate::Throw<E>,
        Self: Sized,
    {
        let refused = match self.status() {
            Status::Suspended => None,
            Status::Unstarted => {
                self.kill();
                Some(Status::Unstarted)
            }
            ended => Some(ended),
        };
        Throwing {
            coro: self,
            arg: None,
            error: Some(error),
            refused,
        }
    }

    /// Ends the coroutine where it is, as dropping it would: see [`AsyncCoroutine::kill`].
    fn kill(&mut self);

    /// Where the coroutine is.
    fn status(&self) -> Status;

    /// The coroutine's name, as `current()` reports it.
    fn name(&self) -> Option<&'static str>;
}

/// The future of [`AsyncResume::resume`].
#[must_use = "a resume does nothing unless awaited"]
pub struct Resume<'a, C, R> {
    coro: &'a mut C,
    arg: Option<R>,
}

impl<C, R> Unpin for Resume<'_, C, R> {}

impl<C: AsyncResume<R>, R> Future for Resume<'_, C, R> {
    type Output = Result<C::Yield, EarlyExit<C::Return>>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.coro.poll_resume(cx, &mut this.arg)
    }
}

/// The future of [`AsyncResume::throw`].
#[must_use = "a throw does nothing unless awaited"]
pub struct Throwing<'a, C, R, E> {
    coro: &'a mut C,
    arg: Option<R>,
    error: Option<E>,
    /// The status that refuses the error, if the coroutine was not suspended.
    refused: Option<Status>,
}

impl<C, R, E> Unpin for Throwing<'_, C, R, E> {}

impl<C: AsyncResume<R>, R: crate::Throw<E>, E> Future for Throwing<'_, C, R, E> {
    type Output = Result<C::Yield, crate::Thrown<E, C::Return>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(error) = this.error.take() {
            match this.refused {
                Some(status) => return Poll::Ready(Err(crate::Thrown::Refused(error, status))),
                None => this.arg = Some(R::thrown(error)),
            }
        }
        this.coro
            .poll_resume(cx, &mut this.arg)
            .map(|step| step.map_err(crate::Thrown::Ended))
    }
}

/// An async coroutine resumed with values of `R` (see [`AsyncResume`]).
pub struct AsyncCo<Y, R, F: Future, H> {
    /// The body; `None` once it has ended, which drops its locals.
    body: Option<Pin<Box<F>>>,
    hand: H,
    status: Status,
    /// The body waits for a resume value (it has not started, or it is at a `suspend!`), as
    /// opposed to being in the middle of an `.await` whose resume's future was dropped.
    ready: bool,
    meta: &'static Meta,
    /// The coroutine's identity for `current()`, 0 until somebody asks.
    id: current::Id,
    types: PhantomData<fn(R) -> Y>,
}

// The body is boxed: nothing of the coroutine is pinned structurally.
impl<Y, R, F: Future, H> Unpin for AsyncCo<Y, R, F, H> {}

/// Builds an async coroutine resumed with values of `R`.
#[inline]
pub fn async_co<R, Y, T, F: Future<Output = T>, H: Hand<Y, R>>(
    meta: &'static Meta,
    hand: H,
    body: F,
) -> AsyncCo<Y, R, F, H> {
    AsyncCo {
        body: Some(Box::pin(body)),
        hand,
        status: Status::Unstarted,
        ready: true,
        meta,
        id: current::NO_ID,
        types: PhantomData,
    }
}

/// Restores the thread's current frame when a poll ends, and ends the coroutine if the body
/// unwinds.
struct Resuming<'a, Y, R, F: Future, H: Hand<Y, R>> {
    coro: &'a mut AsyncCo<Y, R, F, H>,
    outer: current::Frame,
    completed: bool,
}

impl<Y, R, F: Future, H: Hand<Y, R>> Drop for Resuming<'_, Y, R, F, H> {
    #[inline]
    fn drop(&mut self) {
        self.coro.id = current::leave(self.outer);
        if !self.completed {
            self.coro.status = Status::Panicked;
            self.coro.body = None;
            self.coro.hand.with_port(Port::clear);
        }
    }
}

impl<Y, R, T, F: Future<Output = T>, H: Hand<Y, R>> AsyncResume<R> for AsyncCo<Y, R, F, H> {
    type Yield = Y;
    type Return = T;

    fn poll_resume(
        &mut self,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<Result<Y, EarlyExit<T>>> {
        if self.body.is_none() {
            return Poll::Ready(Err(match self.status {
                Status::Killed => EarlyExit::Killed,
                Status::Panicked => EarlyExit::Panicked,
                _ => EarlyExit::Finished,
            }));
        }
        if let Some(value) = arg.take() {
            assert!(
                self.ready,
                "an async coroutine was resumed while it was still in the middle of an `.await` whose resume's future was dropped before it completed: await each resume to its end, or kill the coroutine"
            );
            self.hand.with_port(|p| p.put_resumed(value));
            self.ready = false;
        }
        let outer = current::enter(self.id, self.meta, |resumer| resumer);
        let mut running = Resuming {
            coro: self,
            outer,
            completed: false,
        };
        let step = match &mut running.coro.body {
            Some(body) => body.as_mut().poll(cx),
            None => unreachable!("checked above"),
        };
        running.completed = true;
        let coro = &mut *running.coro;
        match step {
            Poll::Pending => match coro.hand.with_port(Port::take_left) {
                Left::Yielded(value) => {
                    coro.status = Status::Suspended;
                    coro.ready = true;
                    Poll::Ready(Ok(value))
                }
                Left::Nothing => {
                    coro.status = Status::Suspended;
                    Poll::Pending
                }
                Left::Ended => {
                    let _killing = current::Killing::start();
                    coro.status = Status::Killed;
                    coro.body = None;
                    Poll::Ready(Err(EarlyExit::Killed))
                }
            },
            Poll::Ready(value) => {
                coro.body = None;
                coro.status = Status::Finished;
                Poll::Ready(Err(EarlyExit::Returned(value)))
            }
        }
    }

    fn kill(&mut self) {
        if self.body.is_some() {
            let _killing = current::Killing::start();
            self.status = Status::Killed;
            self.body = None;
        }
    }

    fn status(&self) -> Status {
        self.status
    }

    fn name(&self) -> Option<&'static str> {
        Some(self.meta.name)
    }
}

/// Dropping a coroutine that has not finished drops its body where it is, as for a stream.
impl<Y, R, F: Future, H> Drop for AsyncCo<Y, R, F, H> {
    fn drop(&mut self) {
        if self.body.is_some() {
            let _killing = current::Killing::start();
            self.body = None;
        }
    }
}

impl<Y, R, F: Future, H> fmt::Debug for AsyncCo<Y, R, F, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncCoroutine")
            .field("name", &self.meta.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<C, R> fmt::Debug for Resume<'_, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resume").finish_non_exhaustive()
    }
}

impl<C, R, E> fmt::Debug for Throwing<'_, C, R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throwing").finish_non_exhaustive()
    }
}

/// What an async `#[coroutine]` function resumed with values returns when its body had errors.
pub struct NeverAsync<R, Y, T>(PhantomData<fn(R) -> (Y, T)>, core::convert::Infallible);

/// Never called: the function it stands in for failed to compile.
#[must_use]
pub fn never_async<R, Y, T>() -> NeverAsync<R, Y, T> {
    unreachable!("an async #[coroutine] that failed to compile was called")
}

impl<R, Y, T> AsyncResume<R> for NeverAsync<R, Y, T> {
    type Yield = Y;
    type Return = T;

    fn poll_resume(
        &mut self,
        _: &mut Context<'_>,
        _: &mut Option<R>,
    ) -> Poll<Result<Y, EarlyExit<T>>> {
        match self.1 {}
    }

    fn kill(&mut self) {
        match self.1 {}
    }

    fn status(&self) -> Status {
        match self.1 {}
    }

    fn name(&self) -> Option<&'static str> {
        match self.1 {}
    }
}

impl<R, Y, T> fmt::Debug for NeverAsync<R, Y, T> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {}
    }
}

// ---- suspend_from! in an async coroutine resumed with a value -----------------------------------

/// The delegate of a `suspend_from!` in an async coroutine resumed with values of `R`: a
/// synchronous coroutine or an async one of the same resume type. `M` tells the two apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a coroutine resumed with `{R}`",
    label = "`suspend_from!` in an async coroutine resumed with `{R}` cannot delegate to this",
    note = "an async coroutine resumed with values delegates with `suspend_from!` to a coroutine or an async coroutine of the same resume type"
)]
pub trait IntoResumeDelegate<M, R> {
    /// What the delegation polls.
    type Delegate: ResumeDelegate<R>;
    /// Starts the delegation.
    fn into_resume_delegate(self) -> Self::Delegate;
}

/// What a delegation of an async coroutine resumed with values polls.
pub trait ResumeDelegate<R> {
    /// What the delegate yields.
    type Item;
    /// What `suspend_from!` evaluates to.
    type Output;
    /// The delegate's next step; takes `arg` when the delegate is ready for it.
    fn poll_resume_step(
        &mut self,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<Step<Self::Item, Self::Output>>;
}

/// The marker of an async delegate resumed with values.
#[derive(Debug)]
pub enum AsyncResumeMarker {}

/// A synchronous coroutine a resumed async coroutine delegates to; dropping the delegation in
/// the middle kills it.
pub struct SyncResumeDelegate<C: Coroutine<R>, R> {
    coro: C,
    ended: bool,
    resume: PhantomData<fn(R)>,
}

impl<R, C: Coroutine<R>> IntoResumeDelegate<CoroutineMarker, R> for C {
    type Delegate = SyncResumeDelegate<C, R>;

    #[inline]
    fn into_resume_delegate(self) -> SyncResumeDelegate<C, R> {
        SyncResumeDelegate {
            coro: self,
            ended: false,
            resume: PhantomData,
        }
    }
}

impl<R, C: Coroutine<R>> ResumeDelegate<R> for SyncResumeDelegate<C, R> {
    type Item = C::Yield;
    type Output = C::Return;

    #[inline]
    fn poll_resume_step(
        &mut self,
        _: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<Step<C::Yield, C::Return>> {
        let Some(arg) = arg.take() else {
            unreachable!("a synchronous delegate runs each resume to its end")
        };
        // Counted as ended while it runs: a delegate whose resume panics is not killed again.
        self.ended = true;
        let step = self.coro.resume(arg);
        self.ended = step.is_err();
        Poll::Ready(match step {
            Ok(y) => Step::Yield(y),
            Err(EarlyExit::Returned(t)) => Step::Return(t),
            Err(_) => Step::Ended,
        })
    }
}

impl<C: Coroutine<R>, R> Drop for SyncResumeDelegate<C, R> {
    fn drop(&mut self) {
        if !self.ended {
            self.coro.abandon();
        }
    }
}

/// An async coroutine a resumed async coroutine delegates to.
pub struct AsyncResumeDelegate<C>(C);

impl<R, C: AsyncResume<R>> IntoResumeDelegate<AsyncResumeMarker, R> for C {
    type Delegate = AsyncResumeDelegate<C>;

    #[inline]
    fn into_resume_delegate(self) -> AsyncResumeDelegate<C> {
        AsyncResumeDelegate(self)
    }
}

impl<R, C: AsyncResume<R>> ResumeDelegate<R> for AsyncResumeDelegate<C> {
    type Item = C::Yield;
    type Output = C::Return;

    #[inline]
    fn poll_resume_step(
        &mut self,
        cx: &mut Context<'_>,
        arg: &mut Option<R>,
    ) -> Poll<Step<C::Yield, C::Return>> {
        self.0.poll_resume(cx, arg).map(|step| match step {
            Ok(y) => Step::Yield(y),
            Err(EarlyExit::Returned(t)) => Step::Return(t),
            Err(_) => Step::Ended,
        })
    }
}

/// Starts the delegation `suspend_from!(c)` in an async coroutine resumed with values of `R`.
#[inline]
pub fn resume_delegation<R, M, C: IntoResumeDelegate<M, R>>(c: C) -> C::Delegate {
    c.into_resume_delegate()
}

/// The next step of such a delegation, as a future; `arg` is given to the delegate when it is
/// ready for it.
#[inline]
pub fn next_resume_step<'a, R, D: ResumeDelegate<R>>(
    delegate: &'a mut D,
    arg: &'a mut Option<R>,
) -> NextResumeStep<'a, R, D> {
    NextResumeStep { delegate, arg }
}

/// The future of [`next_resume_step`].
#[must_use = "a delegation step does nothing unless awaited"]
pub struct NextResumeStep<'a, R, D> {
    delegate: &'a mut D,
    arg: &'a mut Option<R>,
}

impl<R, D> Unpin for NextResumeStep<'_, R, D> {}

impl<R, D: ResumeDelegate<R>> Future for NextResumeStep<'_, R, D> {
    type Output = Step<D::Item, D::Output>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.delegate.poll_resume_step(cx, this.arg)
    }
}

impl<C: Coroutine<R>, R> fmt::Debug for SyncResumeDelegate<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncResumeDelegate")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<C> fmt::Debug for AsyncResumeDelegate<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncResumeDelegate")
            .finish_non_exhaustive()
    }
}

impl<R, D> fmt::Debug for NextResumeStep<'_, R, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextResumeStep").finish_non_exhaustive()
    }
}
