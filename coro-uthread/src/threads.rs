//! The pool of OS threads that runs blocking closures for one scheduler: the end of each one
//! wakes the poller, and the reactor hands the microthread that waits for it to the scheduler.
//!
//! May import the bottom of the crate (`id`); below the reactor, which owns it.
//!
//! The pool belongs to one scheduler. Its threads are started as closures come, up to
//! [`MAX_THREADS`], and each ends after [`IDLE`] without work, or when the scheduler is dropped
//! (after the closure it runs, if any, returns). Closures beyond what the threads can take wait
//! in a queue, first come first served.

use mio::{Registry, Token, Waker};
use std::cell::{OnceCell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use crate::id::TaskId;

/// At most this many threads run closures for one scheduler.
pub(crate) const MAX_THREADS: usize = 4;
/// A thread with nothing to do for this long ends.
const IDLE: Duration = Duration::from_secs(5);
/// The poller's token for closures that ended (sockets count up from 0).
pub(crate) const WAKER: Token = Token(usize::MAX);

pub(crate) type Job = Box<dyn FnOnce() + Send>;

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

/// The microthreads waiting for closures, each in a slot found by the index the closure's
/// number carries (in its low half; its high half is the slot's generation, so that a closure
/// nobody waits for any more, which still ends some time, never wakes the slot's next waiter).
#[derive(Default)]
struct Waiters {
    slots: Vec<(u32, Option<TaskId>)>,
    free: Vec<usize>,
    waiting: usize,
}

impl Waiters {
    fn insert(&mut self, waiter: TaskId) -> u64 {
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push((0, None));
            self.slots.len() - 1
        });
        self.slots[index].1 = Some(waiter);
        self.waiting += 1;
        let index = u32::try_from(index).expect("more than 2^32 closures waited for at once");
        (u64::from(self.slots[index as usize].0) << 32) | u64::from(index)
    }

    /// The waiter of closure `id`, which nobody waits for any more.
    fn remove(&mut self, id: u64) -> Option<TaskId> {
        let index = usize::try_from(id & u64::from(u32::MAX)).ok()?;
        let generation = u32::try_from(id >> 32).ok()?;
        let slot = self.slots.get_mut(index)?;
        if slot.0 != generation {
            return None;
        }
        let waiter = slot.1.take()?;
        self.waiting -= 1;
        // A slot whose generations are used up is retired, not reused.
        if let Some(next) = slot.0.checked_add(1) {
            slot.0 = next;
            self.free.push(index);
        }
        Some(waiter)
    }
}

/// The scheduler's side of the pool: made on the first closure, with the microthreads that wait.
pub(crate) struct Blocking {
    shared: OnceCell<Arc<Shared>>,
    waiters: RefCell<Waiters>,
}

impl Blocking {
    pub(crate) fn new() -> Self {
        Blocking {
            shared: OnceCell::new(),
            waiters: RefCell::new(Waiters::default()),
        }
    }

    /// Whether a microthread waits for a closure.
    pub(crate) fn has_waiters(&self) -> bool {
        self.waiters.borrow().waiting > 0
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
        let id = self.waiters.borrow_mut().insert(waiter);
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
                    self.waiters.borrow_mut().remove(id);
                    return Err(e);
                }
            }
        }
        shared.work.notify_one();
        drop(queue);
        Ok(id)
    }

    /// Nobody waits for closure `id` any more (it still runs to its end).
    pub(crate) fn forget(&self, id: u64) {
        self.waiters.borrow_mut().remove(id);
    }

    /// The microthreads whose closures have ended since the last call.
    pub(crate) fn finished(&self) -> Vec<TaskId> {
        let Some(shared) = self.shared.get() else {
            return Vec::new();
        };
        let done = std::mem::take(&mut shared.lock().done);
        let mut waiters = self.waiters.borrow_mut();
        done.iter().filter_map(|&id| waiters.remove(id)).collect()
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

#[cfg(test)]
mod tests {
    use super::Waiters;
    use crate::id::TaskId;

    fn task(seq: u64) -> TaskId {
        TaskId { seq, slot: 0 }
    }

    #[test]
    fn a_closure_nobody_waits_for_any_more_never_wakes_the_next_waiter_of_its_slot() {
        let mut w = Waiters::default();
        let first = w.insert(task(1));
        assert_eq!(w.remove(first), Some(task(1)), "forgotten");
        // The slot is reused by another closure's waiter.
        let second = w.insert(task(2));
        assert_ne!(first, second);
        assert_eq!(w.waiting, 1);
        // The forgotten closure ends: its number is stale.
        assert_eq!(w.remove(first), None);
        assert_eq!(w.waiting, 1);
        assert_eq!(w.remove(second), Some(task(2)));
        assert_eq!(w.remove(second), None, "each waiter is woken once");
        assert_eq!(w.waiting, 0);
    }

    #[test]
    fn waiters_get_slots_of_their_own_while_they_wait() {
        let mut w = Waiters::default();
        let ids: Vec<u64> = (1..=5).map(|i| w.insert(task(i))).collect();
        assert_eq!(w.waiting, 5);
        for (i, id) in ids.iter().enumerate().rev() {
            assert_eq!(w.remove(*id), Some(task(i as u64 + 1)));
        }
        assert_eq!(w.slots.len(), 5);
    }
}
