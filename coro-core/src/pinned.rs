//! The runtime of the `pinned` lowering: a coroutine whose body is an `async` block.
//!
//! rustc's `async` transform is the one safe way on stable Rust to build a state that borrows
//! from itself: the future is pinned, so its locals may point at each other across an `.await`.
//! The `pinned` lowering writes the coroutine's body as such a block, each `suspend!(v)` as an
//! `.await` of a [`Suspend`], and this module turns the future back into a coroutine:
//!
//! ```text
//! resume(arg):  port.resumed = arg ──► poll(body) ──► Pending: take port.yielded ──► Ok(y)
//!                                          │
//!                                          └─────────► Ready(t) ─────────────────► Err(Returned(t))
//! Suspend(v).await:  first poll: port.yielded = v, Pending   second poll: Ready(port.resumed)
//! ```
//!
//! The invariant that makes this sound without `unsafe`: the only futures that ever return
//! `Pending` inside the body are a [`Suspend`] and an [`End`] (the body has no other `.await`,
//! which the transform enforces), so when the body's poll returns `Pending` either a yielded
//! value is waiting in the port or the body asked to end, and when a [`Suspend`] is polled again
//! the resumer has just put a resume value there. The port is shared by the coroutine and its body through an [`Rc`]; nothing else can
//! reach it.

use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::rc::Rc;

use crate::current::{self, Frame, Meta};
use crate::{Coroutine, EarlyExit, Status};

/// Where a resume value waits for the body, and a yielded value for the resumer.
pub struct Port<Y, R> {
    yielded: Cell<Option<Y>>,
    resumed: Cell<Option<R>>,
    /// The body asked to end as if killed (see [`Port::end`]).
    ended: Cell<bool>,
}

impl<Y, R> Port<Y, R> {
    /// An empty port, shared between a coroutine and its body.
    #[must_use]
    pub fn new() -> Rc<Self> {
        Rc::new(Port {
            yielded: Cell::new(None),
            resumed: Cell::new(None),
            ended: Cell::new(false),
        })
    }

    /// The value of the resume that is running the body: the first one, for the `#[resume]`
    /// parameter, or the one a [`Suspend`] evaluates to.
    #[inline]
    pub fn resumed(&self) -> R {
        match self.resumed.take() {
            Some(value) => value,
            None => unreachable!("a pinned coroutine's body runs only inside a resume"),
        }
    }

    /// Suspends the body with `value`: `suspend!(value)` is `port.suspend(value).await`.
    #[inline]
    pub fn suspend(&self, value: Y) -> Suspend<'_, Y, R> {
        Suspend {
            port: self,
            value: Some(value),
        }
    }
}

impl<Y, R> Port<Y, R> {
    /// Ends the coroutine as if killed, from inside its body: what a `suspend_from!` does when
    /// its delegate had already ended (there is no value for it to evaluate to). Never ready:
    /// the coroutine drops the body when it sees the request.
    pub fn end(&self) -> End<'_, Y, R> {
        End { port: self }
    }
}

/// The future of [`Port::end`].
#[must_use = "ending does nothing unless awaited"]
pub struct End<'a, Y, R> {
    port: &'a Port<Y, R>,
}

impl<Y, R> Future for End<'_, Y, R> {
    type Output = core::convert::Infallible;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.port.ended.set(true);
        Poll::Pending
    }
}

impl<Y, R> fmt::Debug for End<'_, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("End").finish_non_exhaustive()
    }
}

/// The future a `suspend!` awaits: pending once, with its value in the port, then ready with
/// the next resume value.
#[must_use = "a suspension does nothing unless awaited"]
pub struct Suspend<'a, Y, R> {
    port: &'a Port<Y, R>,
    value: Option<Y>,
}

// A `Suspend` never pins what it holds: it moves the value out on its first poll.
impl<Y, R> Unpin for Suspend<'_, Y, R> {}

impl<Y, R> Future for Suspend<'_, Y, R> {
    type Output = R;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        match self.value.take() {
            Some(value) => {
                self.port.yielded.set(Some(value));
                Poll::Pending
            }
            None => Poll::Ready(self.port.resumed()),
        }
    }
}

/// A coroutine whose body is the future `F`, lowered through rustc's `async` transform.
pub struct Pinned<Y, R, F: Future> {
    /// The body; `None` once it has ended (returned, killed or panicked), which drops its
    /// locals.
    body: Option<Pin<Box<F>>>,
    port: Rc<Port<Y, R>>,
    status: Status,
    meta: &'static Meta,
    /// The coroutine's identity for `current()`, 0 until somebody asks.
    id: u64,
}

/// Builds a pinned coroutine; `R`, `Y` and `T` are spelled out by the generated code so that
/// type errors point at the user's expressions.
#[inline]
pub fn pinned<R, Y, T, F: Future<Output = T>>(
    meta: &'static Meta,
    port: Rc<Port<Y, R>>,
    body: F,
) -> Pinned<Y, R, F> {
    Pinned {
        body: Some(Box::pin(body)),
        port,
        status: Status::Unstarted,
        meta,
        id: 0,
    }
}

/// Restores the thread's current frame when a resume ends, and ends the coroutine if the body
/// unwinds.
struct Running<'a, Y, R, F: Future> {
    coro: &'a mut Pinned<Y, R, F>,
    outer: Frame,
    completed: bool,
}

impl<Y, R, F: Future> Drop for Running<'_, Y, R, F> {
    #[inline]
    fn drop(&mut self) {
        self.coro.id = current::leave(self.outer);
        if !self.completed {
            self.coro.status = Status::Panicked;
            self.coro.body = None;
            self.coro.port.yielded.take();
            self.coro.port.resumed.take();
        }
    }
}

impl<Y, R, T, F: Future<Output = T>> Coroutine<R> for Pinned<Y, R, F> {
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
        self.port.resumed.set(Some(arg));
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
            Poll::Pending if running.coro.port.ended.get() => {
                running.completed = true;
                let _killing = current::Killing::start();
                running.coro.status = Status::Killed;
                running.coro.body = None;
                Err(EarlyExit::Killed)
            }
            Poll::Pending => match running.coro.port.yielded.take() {
                Some(value) => {
                    running.completed = true;
                    running.coro.status = Status::Suspended;
                    Ok(value)
                }
                // Not completed: the coroutine ends as panicked.
                None => panic!(
                    "a pinned coroutine's body awaited a future that is not one of its suspensions (an `.await` inside a macro?): it can suspend only with `suspend!` and `suspend_from!`"
                ),
            },
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
impl<Y, R, F: Future> Drop for Pinned<Y, R, F> {
    fn drop(&mut self) {
        if self.status.is_alive() && self.body.is_some() {
            let _killing = current::Killing::start();
            self.body = None;
        }
    }
}

impl<Y, T, F: Future<Output = T>> Iterator for Pinned<Y, (), F> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        self.resume(()).ok()
    }
}

impl<Y, T, F: Future<Output = T>> core::iter::FusedIterator for Pinned<Y, (), F> {}

impl<Y, R> fmt::Debug for Port<Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Port").finish_non_exhaustive()
    }
}

impl<Y, R> fmt::Debug for Suspend<'_, Y, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suspend")
            .field("yielded", &self.value.is_none())
            .finish_non_exhaustive()
    }
}

impl<Y, R, F: Future> fmt::Debug for Pinned<Y, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coroutine")
            .field("name", &self.meta.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}
