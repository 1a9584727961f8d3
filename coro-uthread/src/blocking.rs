//! Blocking calls off the scheduler's thread: closures run on a small pool of OS threads, and
//! the end of each one wakes the microthread that waits for it through the poller.
//!
//! The pool belongs to one scheduler. Its threads are started as closures come, up to
//! [`MAX_THREADS`], and each ends after [`IDLE`] without work, or when the scheduler is dropped
//! (after the closure it runs, if any, returns). Closures beyond what the threads can take wait
//! in a queue, first come first served.

use coro_core::{Coroutine, EarlyExit, Status};
use mio::{Registry, Token, Waker};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::{Rc, Weak};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use crate::Error;
use crate::sched::{self, Inner, Syscall, TaskId, Waiting, Wake};

/// At most this many threads run closures for one scheduler.
pub(crate) const MAX_THREADS: usize = 4;
/// A thread with nothing to do for this long ends.
const IDLE: Duration = Duration::from_secs(5);
/// The poller's token for closures that ended (sockets count up from 0).
pub(crate) const WAKER: Token = Token(usize::MAX);

type Job = Box<dyn FnOnce() + Send>;

/// What the scheduler's thread and the pool's threads share.
struct Shared {
    state: Mutex<Queue>,
    work: Condvar,
    /// Wakes the scheduler's poller when a closure has ended.
    waker: Waker,
}

struct Queue {
    /// Closures not started yet, by number.
    jobs: VecDeque<(u64, Job)>,
    /// Numbers of the closures that ended since the scheduler last looked.
    done: Vec<u64>,
    threads: usize,
    idle: usize,
    /// The scheduler is gone: threads end.
    shutdown: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Closures run outside the lock and their panics are caught: nothing poisons it, and
        // a poisoned queue would still be consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A pool thread: takes closures until it has been idle for [`IDLE`] or the scheduler is gone.
fn worker(shared: &Shared) {
    let mut queue = shared.lock();
    loop {
        if queue.shutdown {
            break;
        }
        if let Some((id, job)) = queue.jobs.pop_front() {
            drop(queue);
            job();
            queue = shared.lock();
            queue.done.push(id);
            // A waker that fails leaves the microthread waiting: nothing better to do here.
            let _ = shared.waker.wake();
            continue;
        }
        queue.idle += 1;
        let (guard, waited) = shared
            .work
            .wait_timeout(queue, IDLE)
            .unwrap_or_else(PoisonError::into_inner);
        queue = guard;
        queue.idle -= 1;
        if waited.timed_out() && queue.jobs.is_empty() {
            break;
        }
    }
    queue.threads -= 1;
}

/// The scheduler's side of the pool: made on the first closure, with the microthreads that wait.
pub(crate) struct Blocking {
    shared: OnceCell<Arc<Shared>>,
    /// The microthread waiting for each closure, by number.
    waiters: RefCell<HashMap<u64, TaskId>>,
    next: Cell<u64>,
}

impl Blocking {
    pub(crate) fn new() -> Self {
        Blocking {
            shared: OnceCell::new(),
            waiters: RefCell::new(HashMap::new()),
            next: Cell::new(0),
        }
    }

    /// Whether a microthread waits for a closure.
    pub(crate) fn has_waiters(&self) -> bool {
        !self.waiters.borrow().is_empty()
    }

    fn shared(&self, registry: &Registry) -> io::Result<&Arc<Shared>> {
        if let Some(shared) = self.shared.get() {
            return Ok(shared);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(Queue {
                jobs: VecDeque::new(),
                done: Vec::new(),
                threads: 0,
                idle: 0,
                shutdown: false,
            }),
            work: Condvar::new(),
            waker: Waker::new(registry, WAKER)?,
        });
        Ok(self.shared.get_or_init(|| shared))
    }

    /// Queues `job` for the pool, starting a thread if every one is busy and there are fewer
    /// than [`MAX_THREADS`]; `waiter` is woken when it has run. Returns the closure's number.
    pub(crate) fn submit(&self, registry: &Registry, job: Job, waiter: TaskId) -> io::Result<u64> {
        let shared = self.shared(registry)?;
        let id = self.next.get();
        self.next.set(id + 1);
        let mut queue = shared.lock();
        queue.jobs.push_back((id, job));
        if queue.jobs.len() > queue.idle && queue.threads < MAX_THREADS {
            let for_thread = Arc::clone(shared);
            let started = thread::Builder::new()
                .name("coro-uthread-blocking".into())
                .spawn(move || worker(&for_thread));
            match started {
                Ok(_) => queue.threads += 1,
                // The threads there are will take it.
                Err(_) if queue.threads > 0 => {}
                Err(e) => {
                    let job = queue.jobs.pop_back();
                    drop(queue);
                    drop(job);
                    return Err(e);
                }
            }
        }
        shared.work.notify_one();
        drop(queue);
        self.waiters.borrow_mut().insert(id, waiter);
        Ok(id)
    }

    /// Nobody waits for closure `id` any more (it still runs to its end).
    pub(crate) fn forget(&self, id: u64) {
        self.waiters.borrow_mut().remove(&id);
    }

    /// The microthreads whose closures have ended since the last call.
    pub(crate) fn finished(&self) -> Vec<TaskId> {
        let Some(shared) = self.shared.get() else {
            return Vec::new();
        };
        let done = std::mem::take(&mut shared.lock().done);
        let mut waiters = self.waiters.borrow_mut();
        done.iter().filter_map(|id| waiters.remove(id)).collect()
    }
}

impl Drop for Blocking {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.get() {
            let unstarted = {
                let mut queue = shared.lock();
                queue.shutdown = true;
                std::mem::take(&mut queue.jobs)
            };
            shared.work.notify_all();
            // Closures nobody can wait for any more are dropped unrun, outside the lock.
            drop(unstarted);
        }
    }
}

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
            Error::Panicked(sched::panic_message(payload.as_ref()))
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
