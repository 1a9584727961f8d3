//! Blocking calls off the scheduler's thread: [`spawn_blocking`] hands a closure to the
//! reactor's pool of threads and parks until it has run.
//!
//! A blocking operation: may import the scheduler and what is below it.

use coro_core::{Coroutine, EarlyExit, Status};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::error::{Error, panic_message};
use crate::id::{Syscall, Waiting, Wake};
use crate::sched::{self, Inner};
use crate::threads::Job;

/// Where a closure's result waits for its microthread.
type Slot<T> = Arc<Mutex<Option<thread::Result<T>>>>;

/// Runs `f` on a thread of a small pool and waits for its result, while the other
/// microthreads go on: `let v = suspend_from!(spawn_blocking(move || ..))?`. For a call that
/// blocks its thread and has no non-blocking form: a file read, a host name lookup, a
/// library's synchronous call, a long computation.
///
/// The pool belongs to the scheduler: up to four threads, started as closures come and ending
/// after a few idle seconds or when the scheduler is dropped. Closures beyond what the threads
/// can take wait for one, in order. When `f` returns, the scheduler is woken through its
/// poller (a scheduler asleep there waiting for sockets or timers wakes up), and the
/// microthread gets `f`'s value. No thread spins while it waits.
///
/// # Errors
///
/// [`Error::Panicked`] with the message if `f` panicked (the microthread goes on),
/// [`Error::Thrown`] if an error is thrown into the microthread while it waits (`f` still runs
/// to its end and its value is dropped), [`Error::NoScheduler`] outside a microthread, and
/// [`Error::Io`] if no thread can be started.
///
/// A microthread killed while it waits leaves `f` running to its end on its thread, and its
/// value is dropped there; closures not started yet when the scheduler is dropped are dropped
/// without running.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Error, Scheduler, spawn_blocking, yield_now};
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// #[coro::uthread]
/// fn slow_sum(n: u64) -> Result<u64, Error> {
///     let sum = suspend_from!(spawn_blocking(move || {
///         std::thread::sleep(Duration::from_millis(20)); // blocks its own thread only
///         (1..=n).sum::<u64>()
///     }))?;
///     Ok(sum)
/// }
///
/// #[coro::uthread]
/// fn ticker(ticks: Rc<Cell<u32>>, until: Rc<Cell<bool>>) {
///     while !until.get() {
///         ticks.set(ticks.get() + 1);
///         suspend_from!(yield_now()).unwrap();
///     }
/// }
///
/// #[coro::uthread]
/// fn sum_then_stop(until: Rc<Cell<bool>>) -> Result<u64, Error> {
///     let sum = suspend_from!(slow_sum(100))?;
///     until.set(true);
///     Ok(sum)
/// }
///
/// let s = Scheduler::new().unwrap();
/// let (ticks, until) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(false)));
/// let sum = s.spawn(sum_then_stop(until.clone()));
/// s.spawn(ticker(ticks.clone(), until));
/// assert!(s.run().is_clean());
/// assert_eq!(sum.try_join().unwrap().unwrap(), 5050);
/// assert!(ticks.get() > 1, "the ticker ran while the sum was computed");
/// ```
#[must_use = "spawn_blocking does nothing unless delegated to with `suspend_from!`"]
pub fn spawn_blocking<F, T>(f: F) -> SpawnBlocking<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    SpawnBlocking {
        f: Some(Box::new(f)),
        job: None,
    }
}

/// The coroutine behind [`spawn_blocking`].
pub struct SpawnBlocking<T> {
    f: Option<Box<dyn FnOnce() -> T + Send>>,
    /// Once submitted: its scheduler, its number and where its result comes.
    job: Option<(Weak<Inner>, u64, Slot<T>)>,
}

impl<T> fmt::Debug for SpawnBlocking<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnBlocking")
            .field("started", &self.job.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> SpawnBlocking<T> {
    /// Hands the closure to the pool and parks.
    fn submit(&mut self) -> Result<Syscall, Error> {
        let f = self.f.take().ok_or(Error::NoScheduler)?;
        let (sched, me) = sched::with_current(|s| (Rc::downgrade(s), s.running.get()))
            .ok_or(Error::NoScheduler)?;
        let me = me.ok_or(Error::NoScheduler)?;
        let inner = sched.upgrade().ok_or(Error::NoScheduler)?;
        let slot: Slot<T> = Arc::new(Mutex::new(None));
        let out = Arc::clone(&slot);
        let job: Job = Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            *out.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        });
        let id = inner.reactor.submit_blocking(job, me)?;
        self.job = Some((sched, id, slot));
        Ok(park())
    }
}

impl<T> SpawnBlocking<T> {
    /// Takes the microthread off the closure, if it waits for one.
    fn forget(&mut self) {
        if let Some((sched, id, _)) = self.job.take()
            && let Some(sched) = sched.upgrade()
        {
            sched.reactor.blocking.forget(id);
        }
    }
}

fn park() -> Syscall {
    Syscall::Park {
        deadline: None,
        on: Waiting::Blocking,
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Coroutine<Wake> for SpawnBlocking<T> {
    type Yield = Syscall;
    type Return = Result<T, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Wake::Thrown(e) = wake {
            self.forget();
            return Err(EarlyExit::Returned(Err(Error::Thrown(e))));
        }
        let Some((_, _, slot)) = &self.job else {
            if self.f.is_none() {
                return Err(EarlyExit::Finished);
            }
            return self.submit().map_err(|e| EarlyExit::Returned(Err(e)));
        };
        let result = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(result) = result else {
            // Woken before the closure ended: not by the pool.
            return Ok(park());
        };
        self.forget();
        Err(EarlyExit::Returned(result.map_err(|payload| {
            Error::Panicked(panic_message(payload.as_ref()))
        })))
    }

    fn kill(&mut self) {
        self.forget();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

impl<T> Drop for SpawnBlocking<T> {
    fn drop(&mut self) {
        self.forget();
    }
}
