//! The scheduler: one per OS thread, a FIFO run queue of 8-byte keys, each microthread's record
//! in a slot of its own (found by index, checked by number), a timer heap, and the reactor.
//! Also what a program holds of it: [`Scheduler`], [`JoinHandle`], [`Report`].
//!
//! May import the bottom (`id`, `error`, `stable`), the state pool and the reactor; the
//! blocking operations and the sockets import it, never the other way.

use coro_core::Coroutine;
use std::any::TypeId;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use crate::error::{JoinError, TryJoinError, panic_message};
use crate::id::{Key, Syscall, TaskId, Uthread, Waiting, Wake};
use crate::pool::{Pending, Pool, Step, Tasks};
use crate::reactor::Reactor;
use crate::stable::Stable;

/// A stuck microthread in a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// Its identity.
    pub id: TaskId,
    /// Its name.
    pub name: &'static str,
    /// What it waits for.
    pub on: Waiting,
}

/// What [`Scheduler::run`] leaves behind: the microthreads still blocked when nothing could run
/// any more (waiting on channels or joins that nothing will complete).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The blocked microthreads, by id.
    pub blocked: Vec<Blocked>,
}

impl Report {
    /// Whether every microthread finished.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.blocked.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.blocked.is_empty() {
            return f.write_str("every microthread finished");
        }
        write!(f, "{} microthread(s) stuck:", self.blocked.len())?;
        for b in &self.blocked {
            write!(f, " {} {} waits for {};", b.id, b.name, b.on)?;
        }
        Ok(())
    }
}

/// Why [`Scheduler::run_for`] or [`Scheduler::run_until`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stopped {
    /// Nothing could run any more: every microthread finished, or those left wait for
    /// channels and joins that nothing pending will complete. The report is the one
    /// [`Scheduler::run`] returns.
    Idle(Report),
    /// The time given to [`Scheduler::run_for`] passed. The microthreads still alive are kept,
    /// queued or waiting, for the next run.
    TimeUp,
    /// The microthread given to [`Scheduler::run_until`] ended (returned, panicked or was
    /// killed); its handle has the result. The others are kept for the next run.
    Ended,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stopped::Idle(report) => report.fmt(f),
            Stopped::TimeUp => f.write_str("the time was up"),
            Stopped::Ended => f.write_str("the microthread waited for ended"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Queued,
    Running,
    /// Killed: ends as soon as it stops running, or now (a kill from one of its own locals'
    /// `drop` finds it here and does nothing more).
    Dying,
    Parked(Waiting),
    /// Ended; the slot stays while a handle or a pending join may still take the result.
    Ended,
}

/// A microthread's record, found by index (a [`Key`]'s or a [`TaskId`]'s slot) and checked by
/// number: 24 bytes, its state being in its pool. What few microthreads have (a given name, a
/// thrown error, joiners, claims beyond 255) is in an [`Extra`] of its own, which the slot
/// links to; the rest pay 4 bytes for the link. The state of run and what it resumes with
/// share a byte, and the claims count in a byte, so that the record stays at 24 bytes: with
/// its state's borrow flag and a channel's 16-byte queue entry, a blocked microthread costs 48
/// bytes beside its own state.
struct Slot {
    seq: u64,
    /// Its place in its pool.
    index: u32,
    /// Counts parks, so that a timer set for an earlier one is ignored.
    park: u32,
    /// Its rarer records in [`Extras`], if it has any.
    extra: Option<Link>,
    /// Its pool.
    pool: u16,
    /// How many `JoinHandle`s and pending `Join`s want its result: up to 255 here, and the
    /// count goes on in its [`Extra`] beyond.
    joinable: u8,
    phase: Phase,
}

/// Where a microthread's [`Extra`] is in [`Extras`], plus one.
type Link = NonZeroU32;

/// A slot's [`State`] (low four bits) and what it will be resumed with (the next three), in a
/// byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Phase(u8);

impl Phase {
    const WAITING: [Waiting; 5] = [
        Waiting::Channel,
        Waiting::Join,
        Waiting::Io,
        Waiting::Sleep,
        Waiting::Blocking,
    ];

    const fn state_code(state: State) -> u8 {
        match state {
            State::Free => 0,
            State::Queued => 1,
            State::Running => 2,
            State::Dying => 3,
            State::Ended => 4,
            State::Parked(on) => {
                5 + match on {
                    Waiting::Channel => 0,
                    Waiting::Join => 1,
                    Waiting::Io => 2,
                    Waiting::Sleep => 3,
                    Waiting::Blocking => 4,
                }
            }
        }
    }

    fn state(self) -> State {
        match self.0 & 0xf {
            0 => State::Free,
            1 => State::Queued,
            2 => State::Running,
            3 => State::Dying,
            4 => State::Ended,
            code => State::Parked(Self::WAITING[usize::from(code - 5)]),
        }
    }

    fn pending(self) -> Pending {
        match self.0 >> 4 {
            0 => Pending::Nothing,
            1 => Pending::Start,
            2 => Pending::Ready,
            3 => Pending::Timeout,
            _ => Pending::Thrown,
        }
    }

    const fn pending_code(pending: Pending) -> u8 {
        (match pending {
            Pending::Nothing => 0,
            Pending::Start => 1,
            Pending::Ready => 2,
            Pending::Timeout => 3,
            Pending::Thrown => 4,
        }) << 4
    }

    const fn new(state: State, pending: Pending) -> Phase {
        Phase(Self::state_code(state) | Self::pending_code(pending))
    }

    /// Whether the state is `state`: one comparison, for the states the scheduler tests at
    /// every switch.
    const fn is(self, state: State) -> bool {
        self.0 & 0xf == Self::state_code(state)
    }

    const fn with_state(self, state: State) -> Phase {
        Phase(self.0 & 0xf0 | Self::state_code(state))
    }

    const fn with_pending(self, pending: Pending) -> Phase {
        Phase(self.0 & 0xf | Self::pending_code(pending))
    }
}

/// The rarer part of a microthread's record.
#[derive(Default)]
struct Extra {
    /// Given with `spawn_named`.
    name: Option<&'static str>,
    /// Thrown into it, until the operation it is in (or its next one) returns it.
    thrown: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// The microthreads waiting in a `Join` for it to end.
    joiners: Vec<TaskId>,
    /// Claims on its result beyond the 255 its slot counts.
    joinable: u32,
}

/// The [`Extra`]s of the microthreads that have one, each found from its slot's [`Link`].
#[derive(Default)]
struct Extras {
    records: Vec<Extra>,
    free: Vec<u32>,
}

impl Extras {
    /// The record `link` points to, made (and linked) if there is none.
    fn of(&mut self, link: &mut Option<Link>) -> &mut Extra {
        let at = match *link {
            Some(at) => at.get() - 1,
            None => {
                let at = self.free.pop().unwrap_or_else(|| {
                    self.records.push(Extra::default());
                    u32::try_from(self.records.len() - 1).expect("fewer than 2^32 records")
                });
                *link = Some(Link::new(at + 1).expect("fewer than 2^32 - 1 records"));
                at
            }
        };
        &mut self.records[at as usize]
    }

    fn get(&self, link: Option<Link>) -> Option<&Extra> {
        link.map(|at| &self.records[at.get() as usize - 1])
    }

    fn get_mut(&mut self, link: Option<Link>) -> Option<&mut Extra> {
        link.map(|at| &mut self.records[at.get() as usize - 1])
    }

    /// Takes the record out, unlinked, for its values to be dropped outside any borrow.
    fn remove(&mut self, link: &mut Option<Link>) -> Option<Extra> {
        let at = link.take()?.get() - 1;
        self.free.push(at);
        Some(std::mem::take(&mut self.records[at as usize]))
    }
}

impl Slot {
    fn state(&self) -> State {
        self.phase.state()
    }

    fn set_state(&mut self, state: State) {
        self.phase = self.phase.with_state(state);
    }

    fn wake(&self) -> Pending {
        self.phase.pending()
    }

    fn set_wake(&mut self, pending: Pending) {
        self.phase = self.phase.with_pending(pending);
    }

    /// Whether `key` names this slot's microthread.
    fn holds(&self, key: Key) -> bool {
        #[allow(clippy::cast_possible_truncation)]
        let low = self.seq as u32;
        low == key.low && !self.phase.is(State::Free)
    }

    /// Whether it is `id` and has not ended.
    fn is_live(&self, id: TaskId) -> bool {
        self.seq == id.seq && !self.phase.is(State::Free) && !self.phase.is(State::Ended)
    }
}

pub(crate) struct Inner {
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    queue: RefCell<VecDeque<Key>>,
    /// One pool per coroutine type: the first 16 are found without arithmetic.
    pools: Stable<Box<dyn Runs>, 16>,
    /// The coroutine type of each pool, in the pools' order, and the last one spawned.
    ///
    /// Only a spawn looks a pool up by type; the slot keeps its pool's index for everything
    /// after. A program has a handful of microthread types, so a linear search of 16-byte
    /// `TypeId`s costs less than hashing one, and the type spawned last, tried first, answers
    /// for the usual run of spawns of one type without a search.
    kinds: RefCell<Vec<TypeId>>,
    last_kind: Cell<Option<(TypeId, u16)>>,
    /// The slots' rarer records; borrowed after `slots` when both are.
    extras: RefCell<Extras>,
    timers: RefCell<BinaryHeap<Reverse<(Instant, u32, u32)>>>,
    next_seq: Cell<u64>,
    pub(crate) running: Cell<Option<TaskId>>,
    pub(crate) reactor: Reactor,
}

thread_local! {
    static SCHEDULER: RefCell<Weak<Inner>> = const { RefCell::new(Weak::new()) };
}

/// The scheduler of this thread, if there is one.
pub(crate) fn with_current<R>(f: impl FnOnce(&Rc<Inner>) -> R) -> Option<R> {
    let inner = SCHEDULER.with(|s| s.borrow().upgrade())?;
    Some(f(&inner))
}

/// The microthread running on this thread, if any.
pub(crate) fn running() -> Option<TaskId> {
    with_current(|s| s.running.get()).flatten()
}

/// Wakes a parked microthread of this thread's scheduler (a no-op if it is not parked).
pub(crate) fn wake(key: Key, wake: Wake) {
    with_current(|s| s.wake(key, wake));
}

/// The round-robin scheduler of one OS thread. See the [crate docs](crate).
pub struct Scheduler {
    inner: Rc<Inner>,
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("live", &self.len())
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// The scheduler of this thread, with its own I/O poller.
    ///
    /// # Errors
    ///
    /// If this thread has a scheduler already ([`io::ErrorKind::AlreadyExists`]), or the
    /// poller cannot be created.
    pub fn new() -> io::Result<Scheduler> {
        if with_current(|_| ()).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "this thread has a scheduler already: one per thread",
            ));
        }
        let inner = Rc::new(Inner {
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            queue: RefCell::new(VecDeque::new()),
            pools: Stable::new(),
            kinds: RefCell::new(Vec::new()),
            last_kind: Cell::new(None),
            extras: RefCell::new(Extras::default()),
            timers: RefCell::new(BinaryHeap::new()),
            next_seq: Cell::new(1),
            running: Cell::new(None),
            reactor: Reactor::new()?,
        });
        SCHEDULER.with(|s| *s.borrow_mut() = Rc::downgrade(&inner));
        Ok(Scheduler { inner })
    }

    /// Queues a microthread at the tail of the run queue; nothing runs until [`run`](Self::run).
    ///
    /// ```
    /// use coro::suspend_from;
    /// use coro::uthread::{Scheduler, Syscall, Wake, yield_now};
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// #[coro::coroutine(yield = Syscall, resume = Wake)]
    /// fn worker(name: char, log: Rc<RefCell<String>>, #[resume] _w: Wake) {
    ///     for i in 0..3 {
    ///         log.borrow_mut().push_str(&format!("{name}{i} "));
    ///         suspend_from!(yield_now()).unwrap();
    ///     }
    /// }
    ///
    /// let log = Rc::new(RefCell::new(String::new()));
    /// let s = Scheduler::new().unwrap();
    /// for name in ['A', 'B', 'C'] {
    ///     s.spawn(worker(name, log.clone()));
    /// }
    /// assert!(s.run().is_clean());
    /// assert_eq!(log.borrow().trim_end(), "A0 B0 C0 A1 B1 C1 A2 B2 C2");
    /// ```
    pub fn spawn<C, T>(&self, coroutine: C) -> JoinHandle<T>
    where
        C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
        T: 'static,
    {
        self.inner.spawn(coroutine, None)
    }

    /// [`spawn`](Self::spawn) with a name of your choosing.
    pub fn spawn_named<C, T>(&self, name: &'static str, coroutine: C) -> JoinHandle<T>
    where
        C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
        T: 'static,
    {
        self.inner.spawn(coroutine, Some(name))
    }

    /// Runs microthreads, first come first served, until none can run: every one has finished,
    /// or the rest are blocked on channels and joins that nothing pending will complete (those
    /// are in the report). While only timers or sockets are pending it waits for them in the
    /// poller, without spinning. It runs in rounds, each microthread queued at the start of a
    /// round once, and fires timers and looks at sockets between rounds: microthreads that
    /// always yield delay a timer or a socket by one round at most.
    #[must_use = "the report says which microthreads are stuck"]
    pub fn run(&self) -> Report {
        self.inner.run()
    }

    /// Runs microthreads as [`run`](Self::run) does, for at most about `limit`, and returns:
    /// Stackless's `run(timeout)`, to embed the scheduler in a loop of its own (a game's
    /// frame, a GUI's idle callback) or to watch over microthreads that might never end.
    ///
    /// It returns [`Stopped::TimeUp`] once `limit` has passed, with every microthread kept as
    /// it was: the queued ones stay queued in their order, the waiting ones keep waiting (their
    /// timers and sockets too), so the next `run`, `run_for` or [`run_until`](Self::run_until)
    /// goes on where this one stopped, and [`kill`](Self::kill) or [`throw`](Self::throw) can
    /// deal with them in between. It returns [`Stopped::Idle`] with the [`Report`] that `run`
    /// returns if nothing can run before then (every microthread finished, or those left are
    /// stuck); it never waits out the rest of `limit` for nothing. While only timers or sockets
    /// are pending it waits in the poller, never past `limit`.
    ///
    /// The time is looked at between two steps of microthreads (a step runs one microthread
    /// to its next suspension): a step is never cut short, so a microthread that computes for
    /// long between two suspensions makes `run_for` return that much late. At least one
    /// microthread runs a step if one is queued, even for a `limit` of zero.
    ///
    /// ```
    /// use coro::suspend_from;
    /// use coro::uthread::{Scheduler, Stopped, yield_now};
    /// use std::time::Duration;
    ///
    /// #[coro::uthread]
    /// fn spin() {
    ///     while suspend_from!(yield_now()).is_ok() {}
    /// }
    ///
    /// let s = Scheduler::new().unwrap();
    /// let h = s.spawn(spin());
    /// assert_eq!(s.run_for(Duration::from_millis(5)), Stopped::TimeUp);
    /// assert!(!h.is_finished(), "still there, to run again or to end");
    /// assert_eq!(s.run_for(Duration::from_millis(5)), Stopped::TimeUp);
    /// s.kill(h.id());
    /// assert!(matches!(s.run_for(Duration::from_secs(1)), Stopped::Idle(r) if r.is_clean()));
    /// ```
    #[must_use = "it says whether the time is up or nothing can run any more"]
    pub fn run_for(&self, limit: Duration) -> Stopped {
        // A limit too far to represent is no limit.
        self.inner
            .run_while(Instant::now().checked_add(limit), None)
    }

    /// Runs microthreads as [`run`](Self::run) does until the microthread of `handle` has
    /// ended, and returns [`Stopped::Ended`] then (at once if it has ended already): its
    /// result waits in the handle, for [`JoinHandle::try_join`]. Every other microthread is
    /// kept as it was, queued or waiting, for a later run. If nothing can run before it ends
    /// (it is stuck, or waits for something that is), it returns [`Stopped::Idle`] with the
    /// [`Report`] `run` returns. A handle of a scheduler that is gone counts as ended.
    ///
    /// ```
    /// use coro::suspend_from;
    /// use coro::uthread::{Scheduler, Stopped, sleep, yield_now};
    /// use std::time::Duration;
    ///
    /// #[coro::uthread]
    /// fn after(ms: u64) -> u64 {
    ///     suspend_from!(sleep(Duration::from_millis(ms))).unwrap();
    ///     ms
    /// }
    ///
    /// let s = Scheduler::new().unwrap();
    /// let slow = s.spawn(after(50));
    /// let quick = s.spawn(after(1));
    /// assert_eq!(s.run_until(&quick), Stopped::Ended);
    /// assert_eq!(quick.try_join(), Ok(1));
    /// assert!(!slow.is_finished());
    /// assert!(s.run().is_clean());
    /// assert_eq!(slow.try_join(), Ok(50));
    /// ```
    #[must_use = "it says whether the microthread ended or nothing can run any more"]
    pub fn run_until<T>(&self, handle: &JoinHandle<T>) -> Stopped {
        if !Weak::ptr_eq(&handle.sched, &Rc::downgrade(&self.inner)) {
            return Stopped::Ended;
        }
        self.inner.run_while(None, Some(handle.id))
    }

    /// Ends a microthread now, wherever it is blocked: its locals are dropped (a socket it owns
    /// closes), it leaves whatever queue it waited in, and its joiners see
    /// [`JoinError::Killed`]. Returns whether it was alive; killing a finished one does nothing.
    /// The running microthread (one killing itself) ends when it next suspends.
    pub fn kill(&self, id: TaskId) -> bool {
        self.inner.kill(id)
    }

    /// Wakes a blocked microthread with an error: the operation it waits in returns
    /// [`Error::Thrown`](crate::Error::Thrown). A microthread that is not waiting (queued, not
    /// started yet, or the one running) gets it from its next yield or blocking operation.
    /// Returns whether it was alive.
    pub fn throw(
        &self,
        id: TaskId,
        error: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> bool {
        self.inner.throw(id, error.into())
    }

    /// How many microthreads are alive.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .slots
            .borrow()
            .iter()
            .filter(|s| !matches!(s.state(), State::Free | State::Ended))
            .count()
    }

    /// Whether no microthread is alive.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let ids: Vec<TaskId> = self
            .inner
            .slots
            .borrow()
            .iter()
            .enumerate()
            .filter(|(_, s)| !matches!(s.state(), State::Free | State::Ended))
            .map(|(i, s)| TaskId {
                seq: s.seq,
                slot: u32::try_from(i).unwrap_or(u32::MAX),
            })
            .collect();
        for id in ids {
            self.inner.kill(id);
        }
        SCHEDULER.with(|s| *s.borrow_mut() = Weak::new());
    }
}

impl Inner {
    fn spawn<C, T>(self: &Rc<Self>, coroutine: C, name: Option<&'static str>) -> JoinHandle<T>
    where
        C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
        T: 'static,
    {
        let (pool, index) = self.place(coroutine);
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        let mut slot = Slot {
            seq,
            pool,
            index,
            park: 0,
            joinable: 1,
            phase: Phase::new(State::Queued, Pending::Start),
            extra: None,
        };
        if name.is_some() {
            self.extras.borrow_mut().of(&mut slot.extra).name = name;
        }
        let index = match self.free.borrow_mut().pop() {
            Some(i) => {
                let mut slots = self.slots.borrow_mut();
                let old = &mut slots[i as usize];
                // The park count goes on from the slot's last occupant, so that a timer it left
                // behind never matches a park of the new one.
                *old = Slot {
                    park: old.park,
                    ..slot
                };
                i
            }
            None => {
                let mut slots = self.slots.borrow_mut();
                slots.push(slot);
                u32::try_from(slots.len() - 1).expect("fewer than 2^32 live microthreads")
            }
        };
        let id = TaskId { seq, slot: index };
        self.queue.borrow_mut().push_back(id.key());
        JoinHandle {
            id,
            sched: Rc::downgrade(self),
            _result: PhantomData,
        }
    }

    /// Puts a new microthread's state in the pool of its type: the pool and the place.
    fn place<C>(&self, coroutine: C) -> (u16, u32)
    where
        C: Coroutine<Wake, Yield = Syscall> + 'static,
        C::Return: 'static,
    {
        let pool = self.pool::<C>();
        let typed: &Pool<C> = self
            .tasks(pool)
            .as_any()
            .downcast_ref()
            .expect("the pool of this type");
        (pool, typed.insert(coroutine))
    }

    /// The pool of coroutine type `C`, made on its first spawn.
    fn pool<C>(&self) -> u16
    where
        C: Coroutine<Wake, Yield = Syscall> + 'static,
        C::Return: 'static,
    {
        let kind = TypeId::of::<C>();
        if let Some((last, pool)) = self.last_kind.get()
            && last == kind
        {
            return pool;
        }
        let found = self.kinds.borrow().iter().position(|k| *k == kind);
        let pool = found.unwrap_or_else(|| {
            let pool = self.pools.push(Box::new(Pool::<C>::new()));
            self.kinds.borrow_mut().push(kind);
            pool
        });
        let pool = u16::try_from(pool).expect("fewer than 65,536 kinds of microthread");
        self.last_kind.set(Some((kind, pool)));
        pool
    }

    #[inline]
    fn tasks(&self, pool: u16) -> &dyn Runs {
        &**self.pools.get(pool as usize).expect("a pool handed out")
    }

    #[inline]
    fn alive(&self, id: TaskId) -> Option<State> {
        let slots = self.slots.borrow();
        let s = slots.get(id.slot as usize)?;
        s.is_live(id).then_some(s.state())
    }

    /// Wakes microthread `id`, if it still is the one in its slot.
    pub(crate) fn wake_task(&self, id: TaskId, wake: Wake) {
        if self.alive(id).is_some() {
            self.wake(id.key(), wake);
        }
    }

    pub(crate) fn wake(&self, key: Key, wake: Wake) {
        let mut slots = self.slots.borrow_mut();
        let Some(s) = slots.get_mut(key.slot as usize) else {
            return;
        };
        if !s.holds(key) {
            return;
        }
        let queue = match s.state() {
            State::Parked(_) => {
                s.set_state(State::Queued);
                true
            }
            // Woken during its own step (it will see this instead of parking).
            State::Running if s.wake() == Pending::Nothing => false,
            _ => return,
        };
        let (pending, replaced) = match wake {
            Wake::Start => (Pending::Start, None),
            Wake::Ready => (Pending::Ready, None),
            Wake::Timeout => (Pending::Timeout, None),
            Wake::Thrown(e) => (
                Pending::Thrown,
                self.extras.borrow_mut().of(&mut s.extra).thrown.replace(e),
            ),
        };
        s.set_wake(pending);
        drop(slots);
        // Values of the user's are dropped outside the borrows that held them.
        drop(replaced);
        if queue {
            self.queue.borrow_mut().push_back(key);
        }
    }

    fn throw(&self, id: TaskId, error: Box<dyn std::error::Error + Send + Sync>) -> bool {
        let Some(state) = self.alive(id) else {
            return false;
        };
        match state {
            State::Parked(_) => self.wake_task(id, Wake::Thrown(error)),
            // Not waiting now (queued, unstarted, or running): the error waits for its next
            // yield or blocking operation, which returns it.
            _ => {
                let mut slots = self.slots.borrow_mut();
                let s = &mut slots[id.slot as usize];
                let replaced = self
                    .extras
                    .borrow_mut()
                    .of(&mut s.extra)
                    .thrown
                    .replace(error);
                drop(slots);
                drop(replaced);
            }
        }
        true
    }

    fn kill(&self, id: TaskId) -> bool {
        let (pool, index) = {
            let mut slots = self.slots.borrow_mut();
            let Some(s) = slots.get_mut(id.slot as usize) else {
                return false;
            };
            if !s.is_live(id) {
                return false;
            }
            match s.state() {
                // It ends when it next suspends.
                State::Running => {
                    s.set_state(State::Dying);
                    return true;
                }
                State::Dying => return true,
                _ => s.set_state(State::Dying),
            }
            (s.pool, s.index)
        };
        // Dropped outside any borrow: its locals may call back (a socket deregisters).
        self.tasks(pool).end(index, JoinError::Killed);
        self.finish(id);
        true
    }

    /// Marks a microthread ended (its result is in its pool already), wakes its joiners, and
    /// frees its slot if nobody can take the result.
    fn finish(&self, id: TaskId) {
        let (joinable, extra, pool, index) = {
            let mut slots = self.slots.borrow_mut();
            let s = &mut slots[id.slot as usize];
            s.phase = Phase::new(State::Ended, Pending::Nothing);
            // What the record holds leaves it; only claims beyond 255 stay, for the handles.
            let extra = if s.extra.is_none() {
                None
            } else {
                let mut extras = self.extras.borrow_mut();
                match extras.get(s.extra).map(|x| x.joinable) {
                    Some(0) => extras.remove(&mut s.extra),
                    Some(more) => extras.get_mut(s.extra).map(|x| {
                        std::mem::replace(
                            x,
                            Extra {
                                joinable: more,
                                ..Extra::default()
                            },
                        )
                    }),
                    None => None,
                }
            };
            (s.joinable, extra, s.pool, s.index)
        };
        if joinable == 0 {
            self.free_slot(id.slot, pool, index);
        }
        // An unseen thrown error is dropped here, outside the borrows.
        if let Some(extra) = extra {
            for j in extra.joiners {
                self.wake_task(j, Wake::Ready);
            }
        }
    }

    /// Frees an ended microthread's slot and place, dropping a result nobody took.
    fn free_slot(&self, slot: u32, pool: u16, index: u32) {
        let extra = self.unlink(&mut self.slots.borrow_mut()[slot as usize]);
        drop(extra);
        self.free_place(slot, pool, index);
    }

    /// Marks a slot free; hands back its rarer record, to drop outside the borrows.
    fn unlink(&self, s: &mut Slot) -> Option<Extra> {
        s.set_state(State::Free);
        if s.extra.is_some() {
            self.extras.borrow_mut().remove(&mut s.extra)
        } else {
            None
        }
    }

    /// Gives a freed slot, and the place of its state, to later microthreads; what the place
    /// holds is dropped.
    fn free_place(&self, slot: u32, pool: u16, index: u32) {
        self.free.borrow_mut().push(slot);
        self.tasks(pool).free(index);
    }

    /// Whether an error thrown into the microthread of `s` waits for it.
    #[inline]
    fn thrown(&self, s: &Slot) -> bool {
        s.extra.is_some()
            && self
                .extras
                .borrow()
                .get(s.extra)
                .is_some_and(|x| x.thrown.is_some())
    }

    fn run(&self) -> Report {
        match self.run_while(None, None) {
            Stopped::Idle(report) => report,
            Stopped::TimeUp | Stopped::Ended => unreachable!("run has no time limit nor target"),
        }
    }

    /// Runs until nothing can run, or the time is `until`, or `target` has ended. The time and
    /// the target are looked at between steps, never in the middle of one.
    ///
    /// A microthread's panic is caught here, once around the rounds rather than at every step
    /// (a `catch_unwind` frame per switch cost about a tenth of a switch): the microthread that
    /// was running ends with [`JoinError::Panicked`], and the rounds go on where they were. A
    /// panic outside a step (in a `drop` of a killed microthread's locals, say) goes on to the
    /// caller, as before.
    fn run_while(&self, until: Option<Instant>, target: Option<TaskId>) -> Stopped {
        let limits = Limits { until, target };
        if limits.ended(self) {
            return Stopped::Ended;
        }
        // Steps left in the current round: kept across a caught panic, so that the round goes
        // on instead of starting again before the timers and the poller are looked at.
        let mut left = 0;
        loop {
            match catch_unwind(AssertUnwindSafe(|| self.rounds(&mut left, limits))) {
                Ok(stopped) => return stopped,
                Err(payload) => {
                    let Some(id) = self.running.take() else {
                        resume_unwind(payload)
                    };
                    self.end_panicked(id, &*payload);
                    drop(payload);
                    if let Some(stopped) = limits.after_step(self) {
                        return stopped;
                    }
                }
            }
        }
    }

    /// Ends microthread `id`, whose step has just panicked (or, if it was killed while it ran,
    /// as killed).
    fn end_panicked(&self, id: TaskId, payload: &(dyn std::any::Any + Send)) {
        let (pool, index, dying) = {
            let slots = self.slots.borrow();
            let s = &slots[id.slot as usize];
            (s.pool, s.index, s.phase.is(State::Dying))
        };
        let error = if dying {
            JoinError::Killed
        } else {
            JoinError::Panicked(panic_message(payload))
        };
        self.tasks(pool).end(index, error);
        self.finish(id);
    }

    /// The rounds of [`run_while`](Self::run_while); `left` counts the steps left in the
    /// current round.
    fn rounds(&self, left: &mut usize, limits: Limits) -> Stopped {
        loop {
            // One round: the microthreads queued now, each once. Those they wake or that
            // yield wait for the next round, after the timers and the poller have been
            // looked at, so that a microthread that always yields starves neither.
            if *left == 0 {
                *left = self.queue.borrow().len();
            }
            if *left > 0 {
                *left -= 1;
                let next = self.queue.borrow_mut().pop_front();
                let Some(mut key) = next else {
                    // The round counts keys still queued, so this does not happen.
                    *left = 0;
                    continue;
                };
                // Any pool to begin with: the first key of another is handed on at once.
                let mut pool = 0;
                loop {
                    match self.tasks(pool).run(self, pool, key, left, limits) {
                        Batch::Round => break,
                        Batch::Other(next, of) => (key, pool) = (next, of),
                        Batch::Stop(stopped) => return stopped,
                    }
                }
            }
            if !self.queue.borrow().is_empty() {
                self.fire_timers();
                if self.reactor.has_waiters() && self.poll(Some(Duration::ZERO)).is_err() {
                    break;
                }
                continue;
            }
            if self.fire_timers() {
                continue;
            }
            let deadline = self.next_deadline();
            if deadline.is_none() && !self.reactor.has_waiters() {
                break;
            }
            if limits.time_up() {
                return Stopped::TimeUp;
            }
            let wake_at = match (deadline, limits.until) {
                (Some(d), Some(u)) => Some(d.min(u)),
                (d, u) => d.or(u),
            };
            let timeout = wake_at.map(|d| d.saturating_duration_since(Instant::now()));
            if self.poll(timeout).is_err() {
                // The poller failing leaves nothing to wait with: report what is blocked.
                break;
            }
            self.fire_timers();
        }
        Stopped::Idle(self.report())
    }

    /// Waits in the reactor, then wakes the microthreads it says can go on.
    fn poll(&self, timeout: Option<Duration>) -> io::Result<()> {
        for id in self.reactor.poll(timeout)? {
            self.wake_task(id, Wake::Ready);
        }
        Ok(())
    }

    /// Where the result of `id` is, in one look at its slot.
    fn result_place(&self, id: TaskId) -> ResultAt {
        let slots = self.slots.borrow();
        match slots.get(id.slot as usize) {
            Some(s) if s.seq == id.seq && s.phase.is(State::Ended) => {
                ResultAt::Place(s.pool, s.index)
            }
            Some(s) if s.is_live(id) => ResultAt::NotYet,
            _ => ResultAt::Gone,
        }
    }

    /// Whether `id` is alive: queued, running, waiting or dying, not ended.
    pub(crate) fn is_live(&self, id: TaskId) -> bool {
        self.alive(id).is_some()
    }

    /// `joiner` waits in a `Join` for `target` to end.
    pub(crate) fn add_joiner(&self, target: TaskId, joiner: TaskId) {
        let mut slots = self.slots.borrow_mut();
        if let Some(s) = slots.get_mut(target.slot as usize)
            && s.is_live(target)
        {
            self.extras
                .borrow_mut()
                .of(&mut s.extra)
                .joiners
                .push(joiner);
        }
    }

    /// `joiner` no longer waits for `target`.
    pub(crate) fn remove_joiner(&self, target: TaskId, joiner: TaskId) {
        let slots = self.slots.borrow();
        if let Some(s) = slots.get(target.slot as usize)
            && s.seq == target.seq
            && let Some(extra) = self.extras.borrow_mut().get_mut(s.extra)
        {
            extra.joiners.retain(|j| *j != joiner);
        }
    }

    fn report(&self) -> Report {
        let parked: Vec<(TaskId, u16, u32, Waiting, Option<&'static str>)> = self
            .slots
            .borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.state() {
                State::Parked(on) => {
                    let slot = u32::try_from(i).unwrap_or(u32::MAX);
                    let given = self.extras.borrow().get(s.extra).and_then(|x| x.name);
                    Some((TaskId { seq: s.seq, slot }, s.pool, s.index, on, given))
                }
                _ => None,
            })
            .collect();
        // Names are asked for outside any borrow: a coroutine's `name` is the user's code.
        let mut blocked: Vec<Blocked> = parked
            .into_iter()
            .map(|(id, pool, index, on, given)| {
                let name = given.unwrap_or_else(|| self.tasks(pool).name(index));
                Blocked { id, name, on }
            })
            .collect();
        blocked.sort_by_key(|b| b.id.seq);
        Report { blocked }
    }

    /// Runs `key`, just taken from the queue and counted in `left`, and the microthreads
    /// queued after it while the round lasts and they are of `pool` (this one, of coroutine
    /// type `C`). The loop is typed by `C`, so that a run of microthreads of one type costs no
    /// dynamic call and each resume is inlined into it.
    fn run_pool<C>(
        &self,
        tasks: &Pool<C>,
        pool: u16,
        mut key: Key,
        left: &mut usize,
        limits: Limits,
    ) -> Batch
    where
        C: Coroutine<Wake, Yield = Syscall> + 'static,
        C::Return: 'static,
    {
        loop {
            let begun = {
                let mut slots = self.slots.borrow_mut();
                match slots.get_mut(key.slot as usize) {
                    Some(s) if s.holds(key) && s.phase.is(State::Queued) => {
                        if s.pool != pool {
                            return Batch::Other(key, s.pool);
                        }
                        let pending = s.wake();
                        s.phase = Phase::new(State::Running, Pending::Nothing);
                        let thrown = if pending == Pending::Thrown {
                            self.extras
                                .borrow_mut()
                                .get_mut(s.extra)
                                .and_then(|x| x.thrown.take())
                        } else {
                            None
                        };
                        let id = TaskId {
                            seq: s.seq,
                            slot: key.slot,
                        };
                        Some((s.index, pending.into_wake(thrown), id))
                    }
                    // Left by a microthread killed while queued.
                    _ => None,
                }
            };
            if let Some((index, wake, id)) = begun {
                self.running.set(Some(id));
                let step = tasks.step(index, wake);
                self.running.set(None);
                if let Some(dying) = self.settle(key, step) {
                    // What it leaves (its state) is dropped outside any borrow, since its
                    // `drop` may call back into the scheduler.
                    if dying {
                        tasks.end(index, JoinError::Killed);
                    }
                    self.finish(id);
                }
                if let Some(stopped) = limits.after_step(self) {
                    return Batch::Stop(stopped);
                }
            }
            if *left == 0 {
                return Batch::Round;
            }
            *left -= 1;
            let next = self.queue.borrow_mut().pop_front();
            let Some(next) = next else {
                *left = 0;
                return Batch::Round;
            };
            key = next;
        }
    }

    /// Puts microthread `key` where its step leaves it: back in the queue, or parked. `None`
    /// if it goes on; if it ended, or was killed while it ran, whether it was killed.
    ///
    /// Always inlined into each pool's loop: left to itself, the optimizer keeps it out of
    /// line, and a switch costs 30 instructions more.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn settle(&self, key: Key, step: Step) -> Option<bool> {
        let mut slots = self.slots.borrow_mut();
        let s = &mut slots[key.slot as usize];
        match step {
            _ if s.phase.is(State::Dying) => Some(true),
            Step::Request(Syscall::Yield) => {
                s.set_state(State::Queued);
                if self.thrown(s) {
                    // An error thrown while it was not waiting: its yield returns it.
                    s.set_wake(Pending::Thrown);
                }
                drop(slots);
                self.queue.borrow_mut().push_back(key);
                None
            }
            Step::Request(Syscall::Park { deadline, on }) => {
                if self.thrown(s) {
                    s.set_wake(Pending::Thrown);
                }
                if s.wake() == Pending::Nothing {
                    s.set_state(State::Parked(on));
                    s.park = s.park.wrapping_add(1);
                    if let Some(d) = deadline {
                        let park = s.park;
                        drop(slots);
                        self.timers.borrow_mut().push(Reverse((d, key.slot, park)));
                    }
                } else {
                    // Woken while it ran: go again.
                    s.set_state(State::Queued);
                    drop(slots);
                    self.queue.borrow_mut().push_back(key);
                }
                None
            }
            Step::Returned => Some(false),
        }
    }

    /// Wakes the microthreads whose deadline has passed; whether any woke.
    fn fire_timers(&self) -> bool {
        if self.timers.borrow().is_empty() {
            return false;
        }
        let now = Instant::now();
        let mut woke = false;
        loop {
            let top = self.timers.borrow().peek().map(|Reverse(t)| *t);
            let Some((at, slot, park)) = top else { break };
            if at > now {
                break;
            }
            self.timers.borrow_mut().pop();
            let id = {
                let slots = self.slots.borrow();
                let s = &slots[slot as usize];
                (matches!(s.state(), State::Parked(_)) && s.park == park)
                    .then_some(TaskId { seq: s.seq, slot })
            };
            if let Some(id) = id {
                self.wake(id.key(), Wake::Timeout);
                woke = true;
            }
        }
        woke
    }

    /// The earliest deadline of a microthread still parked on it (stale timers are dropped).
    fn next_deadline(&self) -> Option<Instant> {
        loop {
            let top = self.timers.borrow().peek().map(|Reverse(t)| *t);
            let (at, slot, park) = top?;
            let live = {
                let slots = self.slots.borrow();
                let s = &slots[slot as usize];
                matches!(s.state(), State::Parked(_)) && s.park == park
            };
            if live {
                return Some(at);
            }
            self.timers.borrow_mut().pop();
        }
    }
}

/// What stops a run before nothing can run: a time, or the end of a microthread.
#[derive(Clone, Copy)]
struct Limits {
    until: Option<Instant>,
    target: Option<TaskId>,
}

impl Limits {
    /// Whether the microthread waited for has ended.
    #[inline]
    fn ended(self, sched: &Inner) -> bool {
        self.target.is_some_and(|t| sched.alive(t).is_none())
    }

    #[inline]
    fn time_up(self) -> bool {
        self.until.is_some_and(|u| Instant::now() >= u)
    }

    /// Why the run stops after a step, if it does.
    #[inline]
    fn after_step(self, sched: &Inner) -> Option<Stopped> {
        if self.ended(sched) {
            Some(Stopped::Ended)
        } else if self.time_up() {
            Some(Stopped::TimeUp)
        } else {
            None
        }
    }
}

/// A pool as the scheduler runs it: what [`Tasks`] does off the path of a switch, and a loop
/// over the run queue typed by the pool's coroutine type.
trait Runs: Tasks {
    /// See [`Inner::run_pool`].
    fn run(&self, sched: &Inner, pool: u16, key: Key, left: &mut usize, limits: Limits) -> Batch;
}

impl<C> Runs for Pool<C>
where
    C: Coroutine<Wake, Yield = Syscall> + 'static,
    C::Return: 'static,
{
    fn run(&self, sched: &Inner, pool: u16, key: Key, left: &mut usize, limits: Limits) -> Batch {
        sched.run_pool(self, pool, key, left, limits)
    }
}

/// Why a run of one pool's microthreads stopped.
enum Batch {
    /// The round is over: its steps are taken, or the queue is empty.
    Round,
    /// The microthread taken from the queue next, counted in the round but not run, is of
    /// another pool.
    Other(Key, u16),
    /// A limit stops the run.
    Stop(Stopped),
}

/// Where a microthread's result is.
enum ResultAt {
    /// It has not ended.
    NotYet,
    /// In its place in its pool (taken already, perhaps).
    Place(u16, u32),
    /// Nowhere: its slot was freed with the result.
    Gone,
}

/// Queues a microthread on this thread's scheduler, from inside a microthread (or anywhere on
/// the scheduler's thread). The child goes to the tail of the run queue now, so it runs before
/// its parent's next turn when the parent yields.
///
/// # Panics
///
/// If this thread has no [`Scheduler`].
pub fn spawn<C, T>(coroutine: C) -> JoinHandle<T>
where
    C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
    T: 'static,
{
    with_current(|s| s.spawn(coroutine, None))
        .expect("coro::uthread::spawn needs a Scheduler on this thread")
}

/// The microthread running on this thread: its id and name. `None` outside microthreads.
///
/// The name is the one given at spawn, else the name of the coroutine running the
/// microthread's body (with the `current` feature, off by default), else `"microthread"`.
#[must_use]
pub fn current() -> Option<Uthread> {
    with_current(|s| {
        let id = s.running.get()?;
        // Looked up only when asked, not at every switch: a name given at spawn, or else the
        // name of the coroutine running the microthread's body.
        let link = s.slots.borrow()[id.slot as usize].extra;
        let given = s.extras.borrow().get(link).and_then(|x| x.name);
        #[cfg(feature = "current")]
        let given = given.or_else(|| coro_core::current().map(|c| c.name()));
        let name = given.unwrap_or("microthread");
        Some(Uthread { id, name })
    })
    .flatten()
}

/// [`Scheduler::kill`] on this thread's scheduler; `false` if there is none.
pub fn kill(id: TaskId) -> bool {
    with_current(|s| s.kill(id)).unwrap_or(false)
}

/// [`Scheduler::throw`] on this thread's scheduler; `false` if there is none.
pub fn throw(id: TaskId, error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> bool {
    with_current(|s| s.throw(id, error.into())).unwrap_or(false)
}

/// The handle of a spawned microthread: its id, and its result once it ends.
pub struct JoinHandle<T> {
    pub(crate) id: TaskId,
    pub(crate) sched: Weak<Inner>,
    pub(crate) _result: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<T: 'static> JoinHandle<T> {
    /// The microthread's id.
    #[must_use]
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The result without waiting, from plain code (after [`Scheduler::run`], say) or from a
    /// microthread that must not block. The first successful call takes the value.
    ///
    /// A `Result` rather than an `Option` of one: `Err(`[`TryJoinError::NotFinished`]`)` is
    /// "not yet", beside the reasons there will never be a value, so that a single `match` (or
    /// `assert_eq!(h.try_join(), Ok(v))`) covers every case, and `?` converts the error into
    /// [`Error`](crate::Error) ([`Error::WouldBlock`](crate::Error::WouldBlock) for "not yet",
    /// as the other `try_` operations say) or [`io::Error`].
    ///
    /// # Errors
    ///
    /// [`TryJoinError::NotFinished`] while it runs or waits, [`TryJoinError::Join`] if it was
    /// killed, panicked, or its result was taken, and [`TryJoinError::NoScheduler`] once its
    /// scheduler is dropped.
    pub fn try_join(&self) -> Result<T, TryJoinError> {
        let sched = self.sched.upgrade().ok_or(TryJoinError::NoScheduler)?;
        match sched.result_place(self.id) {
            ResultAt::NotYet => Err(TryJoinError::NotFinished),
            ResultAt::Place(pool, index) => {
                take_from(&sched, Some((pool, index))).map_err(TryJoinError::Join)
            }
            ResultAt::Gone => Err(TryJoinError::Join(JoinError::Taken)),
        }
    }

    /// Whether the microthread has ended (returned, panicked or was killed), or its scheduler
    /// is gone: whether [`try_join`](Self::try_join) would answer with something other than
    /// [`TryJoinError::NotFinished`].
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.sched
            .upgrade()
            .is_none_or(|sched| sched.alive(self.id).is_none())
    }
}

/// Takes the result of ended microthread `id` from its place in its pool.
pub(crate) fn take_result<T: 'static>(sched: &Inner, id: TaskId) -> Result<T, JoinError> {
    match sched.result_place(id) {
        ResultAt::Place(pool, index) => take_from(sched, Some((pool, index))),
        ResultAt::NotYet | ResultAt::Gone => Err(JoinError::Taken),
    }
}

/// Takes a result from its place (its pool and index), if it has one.
fn take_from<T: 'static>(sched: &Inner, place: Option<(u16, u32)>) -> Result<T, JoinError> {
    let mut out: Option<Result<T, JoinError>> = None;
    if let Some((pool, index)) = place {
        sched.tasks(pool).take(index, &mut out);
    }
    out.unwrap_or(Err(JoinError::Taken))
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        release(&self.sched, self.id);
    }
}

/// Someone wants the result of `id`: the handle (from spawn) or a pending join.
pub(crate) fn retain(sched: &Weak<Inner>, id: TaskId) {
    let Some(sched) = sched.upgrade() else { return };
    let mut slots = sched.slots.borrow_mut();
    if let Some(s) = slots.get_mut(id.slot as usize)
        && s.seq == id.seq
        && !s.phase.is(State::Free)
    {
        if s.joinable < u8::MAX {
            s.joinable += 1;
        } else {
            let mut extras = sched.extras.borrow_mut();
            let more = &mut extras.of(&mut s.extra).joinable;
            *more = more.saturating_add(1);
        }
    }
}

/// One fewer wants it; the last one frees the slot of an ended microthread, and a result
/// nobody took. A join that completed took it already; a join that was dropped holds no claim
/// of its own here.
pub(crate) fn release(sched: &Weak<Inner>, id: TaskId) {
    let Some(sched) = sched.upgrade() else { return };
    let ended = {
        let mut slots = sched.slots.borrow_mut();
        let Some(s) = slots.get_mut(id.slot as usize) else {
            return;
        };
        if s.seq != id.seq || s.phase.is(State::Free) {
            return;
        }
        // Claims beyond the slot's 255 go first.
        let beyond = s.extra.is_some()
            && sched.extras.borrow_mut().get_mut(s.extra).is_some_and(|x| {
                let some = x.joinable > 0;
                x.joinable = x.joinable.saturating_sub(1);
                some
            });
        if !beyond {
            s.joinable = s.joinable.saturating_sub(1);
        }
        if s.joinable == 0 && s.phase.is(State::Ended) {
            Some((sched.unlink(s), s.pool, s.index))
        } else {
            None
        }
    };
    if let Some((extra, pool, index)) = ended {
        // Dropped outside the borrow: a result's `drop` may call back (drop a handle, say).
        drop(extra);
        sched.free_place(id.slot, pool, index);
    }
}

/// `suspend_from!(op)` in a microthread starts the operation with [`Wake::Start`]: the first
/// wake of every microthread, which the scheduler gives.
#[diagnostic::do_not_recommend]
impl coro_core::__private::FirstResume for Wake {
    fn first() -> Self {
        Wake::Start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_microthread_costs_its_state_and_48_bytes_at_most() {
        // What each microthread adds beside its own state: its slot, its place's borrow flag
        // (a place is otherwise its state: see the pool's tests), and an entry in the queue it
        // waits in: 8 bytes in the run queue, 16 in a channel's.
        let slot = std::mem::size_of::<Slot>();
        let flag = std::mem::size_of::<RefCell<()>>();
        assert_eq!(slot, 24);
        assert_eq!(flag, 8);
        assert_eq!(std::mem::size_of::<Key>(), 8);
        assert_eq!(std::mem::size_of::<(u64, Key)>(), 16);
        assert_eq!(slot + flag + std::mem::size_of::<(u64, Key)>(), 48);
        assert_eq!(slot + flag + std::mem::size_of::<Key>(), 40);
    }

    /// Ends with 7 at its first step.
    struct Seven;

    impl Coroutine<Wake> for Seven {
        type Yield = Syscall;
        type Return = u32;
        fn resume(&mut self, _: Wake) -> Result<Syscall, coro_core::EarlyExit<u32>> {
            Err(coro_core::EarlyExit::Returned(7))
        }
        fn kill(&mut self) {}
        fn status(&self) -> coro_core::Status {
            coro_core::Status::Suspended
        }
    }

    #[test]
    fn claims_beyond_what_a_slot_counts_keep_the_result_until_the_last_goes() {
        let s = Scheduler::new().unwrap();
        let h = s.spawn(Seven);
        let joins: Vec<_> = (0..600).map(|_| h.join()).collect();
        assert!(s.run().is_clean());
        let slot = h.id().slot as usize;
        let state = |s: &Scheduler| s.inner.slots.borrow()[slot].state();
        assert_eq!(state(&s), State::Ended);
        drop(joins);
        // The handle's own claim is left: the result waits for it.
        assert_eq!(state(&s), State::Ended);
        assert_eq!(h.try_join(), Ok(7));
        assert_eq!(h.try_join(), Err(TryJoinError::Join(JoinError::Taken)));
        drop(h);
        assert_eq!(state(&s), State::Free);
        assert!(
            s.inner
                .extras
                .borrow()
                .records
                .iter()
                .all(|x| x.joinable == 0)
        );
        // The slot and the place go to the next microthread.
        let next = s.spawn(Seven);
        assert_eq!(next.id().slot as usize, slot);
        assert!(s.run().is_clean());
        assert_eq!(next.try_join(), Ok(7));
    }

    #[test]
    fn a_phase_keeps_state_and_pending_apart() {
        let states = [
            State::Free,
            State::Queued,
            State::Running,
            State::Dying,
            State::Ended,
            State::Parked(Waiting::Channel),
            State::Parked(Waiting::Join),
            State::Parked(Waiting::Io),
            State::Parked(Waiting::Sleep),
            State::Parked(Waiting::Blocking),
        ];
        for state in states {
            for pending in [
                Pending::Nothing,
                Pending::Start,
                Pending::Ready,
                Pending::Timeout,
                Pending::Thrown,
            ] {
                let phase = Phase::new(state, pending);
                assert_eq!((phase.state(), phase.pending()), (state, pending));
                assert!(phase.is(state));
                assert_eq!(phase.with_state(State::Queued).pending(), pending);
                assert_eq!(phase.with_pending(Pending::Ready).state(), state);
            }
        }
    }
}
