//! The scheduler's own blocking operations: joining a microthread ([`Join`]), yielding
//! ([`YieldNow`]) and sleeping ([`Sleep`]), coroutines to delegate to with `suspend_from!`.
//!
//! May import the scheduler and what is below it; nothing imports it but the crate root.

use coro_core::{Coroutine, EarlyExit};
use std::fmt;
use std::marker::PhantomData;
use std::rc::Weak;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Syscall, TaskId, Waiting, Wake};
use crate::sched::{Inner, JoinHandle, release, retain, take_result};

impl<T: 'static> JoinHandle<T> {
    /// Waits for the microthread to end, from another microthread:
    /// `let v = suspend_from!(handle.join())?`. Answers at once if it has ended already.
    ///
    /// The result is the microthread's return value, or the crate's one [`Error`]:
    /// [`Error::Join`] with a [`JoinError`](crate::JoinError) when it has no value (killed,
    /// panicked, taken by an earlier join), [`Error::Thrown`] when an error is thrown into the
    /// joiner while it waits, [`Error::JoinSelf`]. A microthread that returns a `Result` of its
    /// own gives a `Result` in a `Result`, as [`std::thread::JoinHandle::join`] does:
    /// `suspend_from!(h.join())??` takes both apart when the inner error converts into the
    /// function's too.
    ///
    /// ```
    /// use coro::suspend_from;
    /// use coro::uthread::{Error, JoinHandle, Scheduler, Syscall, Wake, sleep, spawn};
    /// use std::time::Duration;
    ///
    /// #[coro::coroutine(yield = Syscall, resume = Wake)]
    /// fn slow_double(x: u32, #[resume] _w: Wake) -> Result<u32, Error> {
    ///     suspend_from!(sleep(Duration::from_millis(1)))?;
    ///     Ok(2 * x)
    /// }
    ///
    /// #[coro::coroutine(yield = Syscall, resume = Wake)]
    /// fn sum(#[resume] _w: Wake) -> Result<u32, Error> {
    ///     let handles: Vec<JoinHandle<Result<u32, Error>>> =
    ///         (1..=3).map(|x| spawn(slow_double(x))).collect();
    ///     let mut total = 0;
    ///     for h in handles {
    ///         total += suspend_from!(h.join())??;
    ///     }
    ///     Ok(total)
    /// }
    ///
    /// let s = Scheduler::new().unwrap();
    /// let h = s.spawn(sum());
    /// assert!(s.run().is_clean());
    /// assert_eq!(h.try_join().unwrap().unwrap(), 12);
    /// ```
    #[must_use = "a join does nothing unless delegated to with `suspend_from!`"]
    pub fn join(&self) -> Join<T> {
        retain(&self.sched, self.id);
        Join {
            id: self.id,
            sched: self.sched.clone(),
            waiting: None,
            _result: PhantomData,
        }
    }
}

/// The coroutine behind [`JoinHandle::join`].
pub struct Join<T> {
    id: TaskId,
    sched: Weak<Inner>,
    /// The joiner, while it is in the joined microthread's list.
    waiting: Option<TaskId>,
    _result: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Join<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl<T: 'static> Coroutine<Wake> for Join<T> {
    type Yield = Syscall;
    type Return = Result<T, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        let Some(sched) = self.sched.upgrade() else {
            return Err(EarlyExit::Returned(Err(Error::NoScheduler)));
        };
        if let Wake::Thrown(e) = wake {
            self.unregister();
            return Err(EarlyExit::Returned(Err(Error::Thrown(e))));
        }
        if !sched.is_live(self.id) {
            self.waiting = None;
            return Err(EarlyExit::Returned(
                take_result(&sched, self.id).map_err(Error::Join),
            ));
        }
        let Some(me) = sched.running.get() else {
            return Err(EarlyExit::Returned(Err(Error::NoScheduler)));
        };
        if me == self.id {
            return Err(EarlyExit::Returned(Err(Error::JoinSelf)));
        }
        if self.waiting.is_none() {
            self.waiting = Some(me);
            sched.add_joiner(self.id, me);
        }
        Ok(Syscall::Park {
            deadline: None,
            on: Waiting::Join,
        })
    }

    fn kill(&mut self) {
        self.unregister();
    }

    fn status(&self) -> coro_core::Status {
        coro_core::Status::Suspended
    }
}

impl<T> Join<T> {
    fn unregister(&mut self) {
        if let Some(me) = self.waiting.take()
            && let Some(sched) = self.sched.upgrade()
        {
            sched.remove_joiner(self.id, me);
        }
    }
}

impl<T> Drop for Join<T> {
    fn drop(&mut self) {
        self.unregister();
        release(&self.sched, self.id);
    }
}

/// The coroutine behind [`yield_now`].
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

/// Goes to the tail of the run queue: `suspend_from!(yield_now())?`. Returns
/// [`Error::Thrown`] if an error was thrown in meanwhile.
#[must_use = "a yield does nothing unless delegated to with `suspend_from!`"]
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for YieldNow {
    type Yield = Syscall;
    type Return = Result<(), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Wake::Thrown(e) = wake {
            return Err(EarlyExit::Returned(Err(Error::Thrown(e))));
        }
        if std::mem::replace(&mut self.yielded, true) {
            Err(EarlyExit::Returned(Ok(())))
        } else {
            Ok(Syscall::Yield)
        }
    }

    fn kill(&mut self) {}

    fn status(&self) -> coro_core::Status {
        coro_core::Status::Suspended
    }
}

/// The coroutine behind [`sleep`].
#[derive(Debug)]
pub struct Sleep {
    until: Instant,
    parked: bool,
}

/// Sleeps for `duration`, letting the others run: `suspend_from!(sleep(d))?`.
#[must_use = "a sleep does nothing unless delegated to with `suspend_from!`"]
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        until: Instant::now() + duration,
        parked: false,
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for Sleep {
    type Yield = Syscall;
    type Return = Result<(), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        match wake {
            Wake::Thrown(e) => Err(EarlyExit::Returned(Err(Error::Thrown(e)))),
            _ if self.parked && Instant::now() >= self.until => Err(EarlyExit::Returned(Ok(()))),
            _ => {
                self.parked = true;
                Ok(Syscall::Park {
                    deadline: Some(self.until),
                    on: Waiting::Sleep,
                })
            }
        }
    }

    fn kill(&mut self) {}

    fn status(&self) -> coro_core::Status {
        coro_core::Status::Suspended
    }
}
