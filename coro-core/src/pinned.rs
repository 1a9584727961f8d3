//! The runtime of the `pinned` lowering: a coroutine whose body is an `async` block.
//!
//! rustc's `async` transform is the one safe way on stable Rust to build a state that borrows
//! from itself: the future is pinned, so its locals may point at each other across an `.await`.
//! The `pinned` lowering writes the coroutine's body as such a block, each `suspend!(v)` as an
//! `.await` of a [`Suspend`], and this module turns the future back into a coroutine:
//!
//! ```text
//! resume(arg):  port.resumed = arg ──► poll(body) ──► Pending: take port.left ──► Ok(y)
//!                                          │
//!                                          └─────────► Ready(t) ──────────────► Err(Returned(t))
//! suspend(v).await:  port.left = Yielded(v); first poll: Pending   second poll: Ready(port.resumed)
//! ```
//!
//! The invariant that makes this sound without `unsafe`: the only futures that ever return
//! `Pending` inside the body are a [`Suspend`] and an [`End`] (the body has no other `.await`,
//! which the transform enforces), so when the body's poll returns `Pending` either a yielded
//! value is waiting in the port or the body asked to end, and when a [`Suspend`] is polled again
//! the resumer has just put a resume value there.
//!
//! The port is reached through a [`Hand`], of one of two kinds:
//!
//! - A thread-local of the coroutine's own (`&'static LocalKey<Port<Y, R>>`), which the
//!   generated code declares when the yield and resume types can be named in a `static` (see the
//!   transform's `closed_type`). Every coroutine of that function on a thread shares it, which is
//!   sound because the port is empty between resumes: a resume puts its value and the body takes
//!   it first thing, a `Suspend` puts its value and the resume takes it as soon as the poll
//!   returns, and no user code runs in between. The handle is a `&'static`, so the coroutine is
//!   `Send` exactly when its body is, and nothing is allocated for it.
//! - Otherwise an `Arc<Mutex<Port<Y, R>>>` shared by the coroutine and its body (a `static`
//!   cannot name a type that uses the function's generic parameters): `Send` when the body is,
//!   at the price of an uncontended lock for each hand-off.

use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::LocalKey;

use crate::current::{self, Frame, Meta};
use crate::{Coroutine, EarlyExit, Status};

/// Where a resume value waits for the body, and a yielded value for the resumer.
pub struct Port<Y, R> {
    /// What the body left when its poll returned `Pending`.
    left: Cell<Left<Y>>,
    resumed: Cell<Option<R>>,
}

impl<Y, R> Port<Y, R> {
    /// An empty port.
    #[must_use]
    pub const fn empty() -> Self {
        Port {
            left: Cell::new(Left::Nothing),
            resumed: Cell::new(None),
        }
    }

    /// An empty port behind a lock, shared between a coroutine and its body.
    #[must_use]
    pub fn shared() -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self::empty()))
    }

    /// Puts a yielded value (a `suspend!`).
    #[inline]
    pub(crate) fn put_yielded(&self, value: Y) {
        self.left.set(Left::Yielded(value));
    }

    /// Puts a resume value (an async coroutine's resume).
    #[inline]
    pub(crate) fn put_resumed(&self, value: R) {
        self.resumed.set(Some(value));
    }

    /// Takes what the body left when its poll returned `Pending`.
    #[inline]
    pub(crate) fn take_left(&self) -> Left<Y> {
        self.left.replace(Left::Nothing)
    }

    /// Empties the port (after a body that unwound, or a resume that found nothing to take).
    pub(crate) fn clear(&self) {
        self.left.set(Left::Nothing);
        self.resumed.take();
    }
}

/// How a coroutine and its body reach their [`Port`]: a thread-local of the coroutine's own, or
/// a shared lock.
pub trait Hand<Y, R> {
    /// Runs `f` on the port.
    fn with_port<T>(&self, f: impl FnOnce(&Port<Y, R>) -> T) -> T;

    /// The value of the resume that is running the body: the first one, for the `#[resume]`
    /// parameter, or the one a [`Suspend`] evaluates to.
    #[inline]
    fn resumed(&self) -> R {
        match self.with_port(|p| p.resumed.take()) {
            Some(value) => value,
            None => unreachable!("a pinned coroutine's body runs only inside a resume"),
        }
    }

    /// Suspends the body with `value`: `suspend!(value)` is `Hand::suspend(&port, value).await`.
    #[inline]
    fn suspend(&self, value: Y) -> Suspend<'_, Self, Y, R>
    where
        Self: Sized,
    {
        // The value goes to the port at once: the `.await` that follows returns `Pending`
        // before any other code runs, so it is still there when the resumer looks.
        self.with_port(|p| p.put_yielded(value));
        Suspend {
            hand: self,
            polled: false,
            types: PhantomData,
        }
    }

    /// Ends the coroutine as if killed, from inside its body: what a `suspend_from!` does when
    /// its delegate had already ended (there is no value for it to evaluate to). Never ready:
    /// the coroutine drops the body when it sees the request.
    #[inline]
    fn end(&self) -> End<'_, Self, Y, R>
    where
        Self: Sized,
    {
        End {
            hand: self,
            types: PhantomData,
        }
    }
}

impl<Y: 'static, R: 'static> Hand<Y, R> for &'static LocalKey<Port<Y, R>> {
    #[inline]
    fn with_port<T>(&self, f: impl FnOnce(&Port<Y, R>) -> T) -> T {
        self.with(f)
    }
}

impl<Y, R> Hand<Y, R> for Arc<Mutex<Port<Y, R>>> {
    #[inline]
    fn with_port<T>(&self, f: impl FnOnce(&Port<Y, R>) -> T) -> T {
        // A body that unwinds ends the coroutine and empties the port: a poisoned lock is never
        // read again for what it held.
        f(&self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The future of [`Hand::end`].
#[must_use = "ending does nothing unless awaited"]
pub struct End<'a, H, Y, R> {
    hand: &'a H,
    types: PhantomData<fn() -> (Y, R)>,
}

impl<H: Hand<Y, R>, Y, R> Future for End<'_, H, Y, R> {
    type Output = core::convert::Infallible;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.hand.with_port(|p| p.left.set(Left::Ended));
        Poll::Pending
    }
}

impl<H, Y, R> fmt::Debug for End<'_, H, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("End").finish_non_exhaustive()
    }
}

/// The future a `suspend!` awaits: its value is in the port from the start; pending once,
/// then ready with the next resume value.
#[must_use = "a suspension does nothing unless awaited"]
pub struct Suspend<'a, H, Y, R> {
    hand: &'a H,
    polled: bool,
    types: PhantomData<fn() -> (Y, R)>,
}

impl<H: Hand<Y, R>, Y, R> Future for Suspend<'_, H, Y, R> {
    type Output = R;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        if self.polled {
            Poll::Ready(self.hand.resumed())
        } else {
            self.polled = true;
            Poll::Pending
        }
    }
}

/// A coroutine whose body is the future `F`, lowered through rustc's `async` transform; `H`
/// reaches its port.
pub struct Pinned<Y, R, F: Future, H> {
    /// The body; `None` once it has ended (returned, killed or panicked), which drops its
    /// locals.
    body: Option<Pin<Box<F>>>,
    hand: H,
    status: Status,
    meta: &'static Meta,
    /// The coroutine's identity for `current()`, 0 until somebody asks.
    id: current::Id,
    types: PhantomData<fn(R) -> Y>,
}

/// Builds a pinned coroutine; `R`, `Y` and `T` are spelled out by the generated code so that
/// type errors point at the user's expressions.
#[inline]
pub fn pinned<R, Y, T, F: Future<Output = T>, H: Hand<Y, R>>(
    meta: &'static Meta,
    hand: H,
    body: F,
) -> Pinned<Y, R, F, H> {
    Pinned {
        body: Some(Box::pin(body)),
        hand,
        status: Status::Unstarted,
        meta,
        id: current::NO_ID,
        types: PhantomData,
    }
}

/// Restores the thread's current frame when a resume ends, and ends the coroutine if the body
/// unwinds.
struct Running<'a, Y, R, F: Future, H: Hand<Y, R>> {
    coro: &'a mut Pinned<Y, R, F, H>,
    outer: Frame,
    completed: bool,
}

impl<Y, R, F: Future, H: Hand<Y, R>> Drop for Running<'_, Y, R, F, H> {
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

/// What the body left in the port when its poll returned `Pending`.
pub(crate) enum Left<Y> {
    /// A suspension's value.
    Yielded(Y),
    /// A request to end as if killed (see [`Hand::end`]).
    Ended,
    /// Nothing: the body awaits something else (in an async coroutine, a real `.await`).
    Nothing,
}

impl<Y, R, T, F: Future<Output = T>, H: Hand<Y, R>> Coroutine<R> for Pinned<Y, R, F, H> {
    type Yield = Y;
    type Return = T;

    #[inline]
    fn resume(&mut self, arg: R) -> Result<Y, EarlyExit<T>> {
        if self.body.is_none() {
            return Err(match self.status {
                Status::Killed => EarlyExit::Killed,
                Status::Panicked => EarlyExit::Panicked,
                _ => EarlyExit::Finished,
            });
        }
        self.hand.with_port(|p| p.resumed.set(Some(arg)));
        let outer = current::enter(self.id, self.meta, |resumer| resumer);
        let mut running = Running {
            coro: self,
            outer,
            completed: false,
        };
        let step = match &mut running.coro.body {
            Some(body) => body.as_mut().poll(&mut Context::from_waker(Waker::noop())),
            None => unreachable!("checked above"),
        };
        match step {
            Poll::Pending => {
                let left = running.coro.hand.with_port(Port::take_left);
                match left {
                    Left::Yielded(value) => {
                        running.completed = true;
                        running.coro.status = Status::Suspended;
                        Ok(value)
                    }
                    Left::Ended => {
                        running.completed = true;
                        let _killing = current::Killing::start();
                        running.coro.status = Status::Killed;
                        running.coro.body = None;
                        Err(EarlyExit::Killed)
                    }
                    // Not completed: the coroutine ends as panicked.
                    Left::Nothing => panic!(
                        "a pinned coroutine's body awaited a future that is not one of its suspensions (an `.await` inside a macro?): it can suspend only with `suspend!` and `suspend_from!`"
                    ),
                }
            }
            Poll::Ready(value) => {
                running.completed = true;
                running.coro.body = None;
                running.coro.status = Status::Finished;
                Err(EarlyExit::Returned(value))
            }
        }
    }

    fn kill(&mut self) {
        if self.status.is_alive() {
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

/// Dropping a coroutine that has not finished kills it, as in the default lowering.
impl<Y, R, F: Future, H> Drop for Pinned<Y, R, F, H> {
    fn drop(&mut self) {
        if self.status.is_alive() && self.body.is_some() {
            let _killing = current::Killing::start();
            self.body = None;
        }
    }
}

impl<Y, T, F: Future<Output = T>, H: Hand<Y, ()>> Iterator for Pinned<Y, (), F, H> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        self.resume(()).ok()
    }
}

impl<Y, T, F: Future<Output = T>, H: Hand<Y, ()>> core::iter::FusedIterator
    for Pinned<Y, (), F, H>
{
}

impl<Y, R> fmt::Debug for Port<Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Port").finish_non_exhaustive()
    }
}

impl<H, Y, R> fmt::Debug for Suspend<'_, H, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suspend")
            .field("polled", &self.polled)
            .finish_non_exhaustive()
    }
}

impl<Y, R, F: Future, H> fmt::Debug for Pinned<Y, R, F, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coroutine")
            .field("name", &self.meta.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}
