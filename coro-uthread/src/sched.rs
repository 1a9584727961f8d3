//! The scheduler: one per OS thread, a FIFO run queue of microthreads, a timer heap and the
//! I/O poller.

use coro_core::{Coroutine, EarlyExit};
use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use crate::Error;
use crate::io::Reactor;
use crate::stable::Stable;

/// What a microthread suspends with: a request to the scheduler.
///
/// Microthreads rarely write these: the blocking operations of this crate ([`yield_now`],
/// [`sleep`](crate::sleep), channels, joins, sockets) are coroutines to delegate to with
/// `suspend_from!`, and they make the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syscall {
    /// Go to the tail of the run queue.
    Yield,
    /// Wait until something wakes this microthread ([`Wake::Ready`]), or until the deadline
    /// ([`Wake::Timeout`]). `on` says what it waits for, for [`Report`]s.
    Park {
        /// When to give up, if ever.
        deadline: Option<Instant>,
        /// What the microthread waits for.
        on: Waiting,
    },
}

/// What a blocked microthread waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// A channel.
    Channel,
    /// Another microthread's end.
    Join,
    /// A socket.
    Io,
    /// Time.
    Sleep,
    /// A closure given to [`spawn_blocking`](crate::spawn_blocking), on another thread.
    Blocking,
}

impl fmt::Display for Waiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Waiting::Channel => "a channel",
            Waiting::Join => "another microthread",
            Waiting::Io => "a socket",
            Waiting::Sleep => "a timer",
            Waiting::Blocking => "a blocking closure",
        })
    }
}

/// What a microthread is resumed with.
#[derive(Debug)]
pub enum Wake {
    /// The first resume.
    Start,
    /// What it waited for happened (or it yielded and its turn came).
    Ready,
    /// Its deadline passed first.
    Timeout,
    /// An error thrown into it with [`Scheduler::throw`] or [`throw`].
    Thrown(Box<dyn std::error::Error + Send + Sync>),
}

/// A microthread's identity: unique on its thread, increasing from 1 in creation order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TaskId {
    seq: u64,
    slot: u32,
}

impl TaskId {
    /// The number: 1 for the first microthread a scheduler spawns, then 2, 3, ...
    ///
    /// ```
    /// # use coro::uthread::{Scheduler, Syscall, Wake};
    /// #[coro::coroutine(yield = Syscall, resume = Wake)]
    /// fn idle(#[resume] _w: Wake) {}
    /// let s = Scheduler::new().unwrap();
    /// assert_eq!(s.spawn(idle()).id().get(), 1);
    /// assert_eq!(s.spawn(idle()).id().get(), 2);
    /// ```
    #[must_use]
    pub fn get(self) -> u64 {
        self.seq
    }
}

/// In creation order.
impl Ord for TaskId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.seq.cmp(&other.seq)
    }
}

impl PartialOrd for TaskId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.seq)
    }
}

/// A running microthread's description, from [`current`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uthread {
    /// Its identity.
    pub id: TaskId,
    /// Its name: the coroutine function's, or the one given to [`Scheduler::spawn_named`].
    pub name: &'static str,
}

/// Why [`JoinHandle::join`] has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// The microthread was killed.
    Killed,
    /// The microthread panicked, with this message.
    Panicked(String),
    /// Its result was taken by an earlier join.
    Taken,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Killed => f.write_str("the microthread was killed"),
            JoinError::Panicked(m) => write!(f, "the microthread panicked: {m}"),
            JoinError::Taken => f.write_str("the microthread's result was taken already"),
        }
    }
}

impl std::error::Error for JoinError {}

/// Why [`JoinHandle::try_join`] has no value: not yet, or never.
///
/// One `match` tells the three cases apart:
///
/// ```
/// use coro::uthread::{JoinError, Scheduler, Syscall, TryJoinError, Wake, yield_now};
/// use coro::suspend_from;
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn answer(#[resume] _w: Wake) -> u32 {
///     suspend_from!(yield_now()).unwrap();
///     42
/// }
///
/// let s = Scheduler::new().unwrap();
/// let h = s.spawn(answer());
/// assert_eq!(h.try_join(), Err(TryJoinError::NotFinished));
/// assert!(s.run().is_clean());
/// match h.try_join() {
///     Ok(v) => assert_eq!(v, 42),
///     Err(TryJoinError::NotFinished) => unreachable!("run returned"),
///     Err(TryJoinError::Join(JoinError::Panicked(m))) => panic!("it panicked: {m}"),
///     Err(e) => panic!("{e}"),
/// }
/// assert_eq!(h.try_join(), Err(TryJoinError::Join(JoinError::Taken)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryJoinError {
    /// The microthread has not ended yet.
    NotFinished,
    /// It ended without a value for this handle.
    Join(JoinError),
    /// Its scheduler was dropped (and with it whatever the microthread left).
    NoScheduler,
}

impl fmt::Display for TryJoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryJoinError::NotFinished => f.write_str("the microthread has not finished"),
            TryJoinError::Join(e) => e.fmt(f),
            TryJoinError::NoScheduler => f.write_str("the microthread's scheduler is gone"),
        }
    }
}

impl std::error::Error for TryJoinError {}

impl From<JoinError> for TryJoinError {
    fn from(e: JoinError) -> Self {
        TryJoinError::Join(e)
    }
}

/// For `?` into the crate's one error: not finished is [`Error::WouldBlock`], as for the other
/// `try_` operations.
impl From<TryJoinError> for Error {
    fn from(e: TryJoinError) -> Self {
        match e {
            TryJoinError::NotFinished => Error::WouldBlock,
            TryJoinError::Join(e) => Error::Join(e),
            TryJoinError::NoScheduler => Error::NoScheduler,
        }
    }
}

/// For `?` in functions that return [`io::Result`], through [`Error`].
impl From<TryJoinError> for io::Error {
    fn from(e: TryJoinError) -> Self {
        Error::from(e).into()
    }
}

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

/// The microthreads of one coroutine type, their states side by side: no allocation and no
/// pointer per microthread, and a round of the run queue walks memory in order.
///
/// States live in chunks of about 4 KiB that never move, each state in a cell of its own, so
/// that one runs in place while the others of its pool are spawned, killed or dropped. A pool
/// that holds one microthread costs one chunk; states of 4 KiB or more get a chunk each.
struct Pool<C> {
    chunks: Stable<Box<[RefCell<Option<C>>]>, 16>,
    free: RefCell<Vec<u32>>,
    /// Places handed out so far.
    len: Cell<u32>,
}

impl<C> Pool<C> {
    /// States per chunk.
    const CHUNK: usize = {
        let cell = std::mem::size_of::<RefCell<Option<C>>>();
        if cell >= 4096 { 1 } else { 4096 / cell }
    };

    fn new() -> Self {
        Pool {
            chunks: Stable::new(),
            free: RefCell::new(Vec::new()),
            len: Cell::new(0),
        }
    }

    /// Place `index`.
    fn cell(&self, index: u32) -> &RefCell<Option<C>> {
        let chunk = self
            .chunks
            .get(index as usize / Self::CHUNK)
            .expect("a place handed out");
        &chunk[index as usize % Self::CHUNK]
    }

    fn insert(&self, coroutine: C) -> u32 {
        let reused = self.free.borrow_mut().pop();
        let index = reused.unwrap_or_else(|| {
            let index = self.len.get();
            if (index as usize).is_multiple_of(Self::CHUNK) {
                self.chunks
                    .push((0..Self::CHUNK).map(|_| RefCell::new(None)).collect());
            }
            self.len.set(
                index
                    .checked_add(1)
                    .expect("fewer than 2^32 live microthreads"),
            );
            index
        });
        *self.cell(index).borrow_mut() = Some(coroutine);
        index
    }

    /// Takes a state out, freeing its place; `None` if it left already.
    fn take(&self, index: u32) -> Option<C> {
        let state = self.cell(index).borrow_mut().take();
        if state.is_some() {
            self.free.borrow_mut().push(index);
        }
        state
    }
}

/// A pool with its coroutine type erased: what the scheduler calls.
trait Tasks {
    /// Runs microthread `index` to its next request, in place. Its state stays in the pool
    /// even when it ends: the scheduler removes it, once, when nothing is borrowed.
    fn step(&self, index: u32, wake: Wake) -> Step;
    /// Drops microthread `index`'s state (its locals), outside any borrow of the pool.
    fn remove(&self, index: u32);
    fn name(&self, index: u32) -> &'static str;
    fn as_any(&self) -> &dyn Any;
}

enum Step {
    Request(Syscall),
    Done(Box<dyn Any>),
    Panicked(Box<dyn Any + Send>),
}

impl<C, T> Tasks for Pool<C>
where
    C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
    T: 'static,
{
    fn step(&self, index: u32, wake: Wake) -> Step {
        let step = {
            let mut state = self.cell(index).borrow_mut();
            let co = state
                .as_mut()
                .expect("a queued microthread's state is in its pool");
            catch_unwind(AssertUnwindSafe(|| co.resume(wake)))
        };
        match step {
            Ok(Ok(request)) => Step::Request(request),
            Ok(Err(EarlyExit::Returned(value))) => Step::Done(Box::new(value)),
            // The scheduler owns the coroutine: nothing else ends it.
            Ok(_) => Step::Done(Box::new(())),
            Err(payload) => Step::Panicked(payload),
        }
    }

    fn remove(&self, index: u32) {
        drop(self.take(index));
    }

    fn name(&self, index: u32) -> &'static str {
        self.cell(index)
            .try_borrow()
            .ok()
            .and_then(|state| state.as_ref().and_then(Coroutine::name))
            .unwrap_or("microthread")
    }

    fn as_any(&self) -> &dyn Any {
        self
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
}

/// What a queued microthread will be resumed with; a thrown error waits in `Inner::thrown`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pending {
    Nothing,
    Start,
    Ready,
    Timeout,
    Thrown,
}

/// A microthread's bookkeeping: 24 bytes beside its state in its pool.
struct Slot {
    seq: u64,
    /// Its place in its pool.
    index: u32,
    /// Counts parks, so that a timer set for an earlier one is ignored.
    park: u32,
    /// How many `JoinHandle`s and pending `Join`s want its result.
    joinable: u32,
    /// Its pool.
    pool: u16,
    state: State,
    wake: Pending,
}

/// What queues keep of a microthread (8 bytes): its slot and the low half of its number, which
/// tells its entries from those left by an earlier occupant of the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Key {
    slot: u32,
    low: u32,
}

impl TaskId {
    pub(crate) fn key(self) -> Key {
        Key {
            slot: self.slot,
            // Truncation intended: the low half is enough to tell occupants of a slot apart.
            #[allow(clippy::cast_possible_truncation)]
            low: self.seq as u32,
        }
    }
}

impl Slot {
    /// Whether `key` names this slot's microthread.
    fn holds(&self, key: Key) -> bool {
        #[allow(clippy::cast_possible_truncation)]
        let low = self.seq as u32;
        low == key.low && self.state != State::Free
    }
}

/// How a microthread ended: its return value (type-erased), or why it has none.
type Outcome = Result<Box<dyn Any>, JoinError>;

pub(crate) struct Inner {
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    queue: RefCell<VecDeque<Key>>,
    /// One pool per coroutine type, and which is which.
    pools: Stable<Box<dyn Tasks>, 4>,
    pool_of: RefCell<HashMap<TypeId, u16>>,
    /// Errors thrown into queued microthreads, by slot.
    thrown: RefCell<HashMap<u32, Box<dyn std::error::Error + Send + Sync>>>,
    /// Names given with `spawn_named`, by number.
    names: RefCell<HashMap<u64, &'static str>>,
    timers: RefCell<BinaryHeap<Reverse<(Instant, u32, u32)>>>,
    next_seq: Cell<u64>,
    pub(crate) running: Cell<Option<TaskId>>,
    results: RefCell<HashMap<u64, Outcome>>,
    /// For a finished microthread's kept result, how many still may take it.
    claims: RefCell<HashMap<u64, u32>>,
    joiners: RefCell<HashMap<u64, Vec<TaskId>>>,
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

/// [`wake`], by the microthread's full identity.
pub(crate) fn wake_task(id: TaskId, wake: Wake) {
    with_current(|s| s.wake_task(id, wake));
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
            pool_of: RefCell::new(HashMap::new()),
            thrown: RefCell::new(HashMap::new()),
            names: RefCell::new(HashMap::new()),
            timers: RefCell::new(BinaryHeap::new()),
            next_seq: Cell::new(1),
            running: Cell::new(None),
            results: RefCell::new(HashMap::new()),
            claims: RefCell::new(HashMap::new()),
            joiners: RefCell::new(HashMap::new()),
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
    /// [`Error::Thrown`]. A microthread that is not waiting (queued, not started yet, or the
    /// one running) gets it from its next yield or blocking operation. Returns whether it was
    /// alive.
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
            .filter(|s| s.state != State::Free)
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
            .filter(|(_, s)| s.state != State::Free)
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
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        let pool = self.pool::<C, T>();
        let typed: &Pool<C> = self
            .tasks(pool)
            .as_any()
            .downcast_ref()
            .expect("the pool of this type");
        let index = typed.insert(coroutine);
        if let Some(name) = name {
            self.names.borrow_mut().insert(seq, name);
        }
        let slot = Slot {
            seq,
            pool,
            index,
            park: 0,
            joinable: 1,
            state: State::Queued,
            wake: Pending::Start,
        };
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

    /// The pool of coroutine type `C`, made on its first spawn.
    fn pool<C, T>(&self) -> u16
    where
        C: Coroutine<Wake, Yield = Syscall, Return = T> + 'static,
        T: 'static,
    {
        *self
            .pool_of
            .borrow_mut()
            .entry(TypeId::of::<C>())
            .or_insert_with(|| {
                let pool = self.pools.push(Box::new(Pool::<C>::new()));
                u16::try_from(pool).expect("fewer than 65,536 kinds of microthread")
            })
    }

    fn tasks(&self, pool: u16) -> &dyn Tasks {
        &**self.pools.get(pool as usize).expect("a pool handed out")
    }

    fn alive(&self, id: TaskId) -> Option<State> {
        let slots = self.slots.borrow();
        let s = slots.get(id.slot as usize)?;
        (s.seq == id.seq && s.state != State::Free).then_some(s.state)
    }

    /// Wakes microthread `id`, if it still is the one in its slot.
    fn wake_task(&self, id: TaskId, wake: Wake) {
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
        match s.state {
            State::Parked(_) => {
                s.state = State::Queued;
                s.wake = self.pending(key.slot, wake);
                drop(slots);
                self.queue.borrow_mut().push_back(key);
            }
            // Woken during its own step (it will see this instead of parking).
            State::Running if s.wake == Pending::Nothing => {
                s.wake = self.pending(key.slot, wake);
            }
            _ => {}
        }
    }

    /// Keeps what a microthread will be resumed with: a code, and a thrown error aside.
    fn pending(&self, slot: u32, wake: Wake) -> Pending {
        match wake {
            Wake::Start => Pending::Start,
            Wake::Ready => Pending::Ready,
            Wake::Timeout => Pending::Timeout,
            Wake::Thrown(e) => {
                let replaced = self.thrown.borrow_mut().insert(slot, e);
                drop(replaced);
                Pending::Thrown
            }
        }
    }

    /// Whether an error thrown into the microthread in `slot` waits for it.
    fn thrown_at(&self, slot: u32) -> bool {
        let thrown = self.thrown.borrow();
        // Most of the time there is none: skip the hashing.
        !thrown.is_empty() && thrown.contains_key(&slot)
    }

    /// What a microthread is resumed with, from what was kept.
    fn resumed_with(&self, slot: u32, pending: Pending) -> Wake {
        match pending {
            Pending::Start => Wake::Start,
            Pending::Nothing | Pending::Ready => Wake::Ready,
            Pending::Timeout => Wake::Timeout,
            Pending::Thrown => self
                .thrown
                .borrow_mut()
                .remove(&slot)
                .map_or(Wake::Ready, Wake::Thrown),
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
                let replaced = self.thrown.borrow_mut().insert(id.slot, error);
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
            if s.seq != id.seq || s.state == State::Free {
                return false;
            }
            match s.state {
                // It ends when it next suspends.
                State::Running => {
                    s.state = State::Dying;
                    return true;
                }
                State::Dying => return true,
                _ => s.state = State::Dying,
            }
            (s.pool, s.index)
        };
        // Dropped outside any borrow: its locals may call back (a socket deregisters).
        self.tasks(pool).remove(index);
        self.finish(id, Err(JoinError::Killed));
        true
    }

    /// Frees a microthread's slot, keeps its result for its handle, wakes its joiners.
    fn finish(&self, id: TaskId, result: Result<Box<dyn Any>, JoinError>) {
        let joinable = {
            let mut slots = self.slots.borrow_mut();
            let s = &mut slots[id.slot as usize];
            s.state = State::Free;
            s.wake = Pending::Nothing;
            s.joinable
        };
        // Values of the user's are dropped outside the borrows that held them.
        let unseen = self.thrown.borrow_mut().remove(&id.slot);
        drop(unseen);
        self.names.borrow_mut().remove(&id.seq);
        self.free.borrow_mut().push(id.slot);
        if joinable > 0 {
            let replaced = self.results.borrow_mut().insert(id.seq, result);
            drop(replaced);
            self.claims.borrow_mut().insert(id.seq, joinable);
        }
        let joiners = self.joiners.borrow_mut().remove(&id.seq);
        for j in joiners.into_iter().flatten() {
            self.wake_task(j, Wake::Ready);
        }
    }

    fn run(&self) -> Report {
        match self.run_while(None, None) {
            Stopped::Idle(report) => report,
            Stopped::TimeUp | Stopped::Ended => unreachable!("run has no time limit nor target"),
        }
    }

    /// Runs until nothing can run, or the time is `until`, or `target` has ended. The time and
    /// the target are looked at between steps, never in the middle of one.
    fn run_while(&self, until: Option<Instant>, target: Option<TaskId>) -> Stopped {
        let ended = || target.is_some_and(|t| self.alive(t).is_none());
        let time_up = || until.is_some_and(|u| Instant::now() >= u);
        if ended() {
            return Stopped::Ended;
        }
        loop {
            // One round: the microthreads queued now, each once. Those they wake or that
            // yield wait for the next round, after the timers and the poller have been
            // looked at, so that a microthread that always yields starves neither.
            let round = self.queue.borrow().len();
            for _ in 0..round {
                let next = self.queue.borrow_mut().pop_front();
                let Some(entry) = next else { break };
                self.step(entry);
                if ended() {
                    return Stopped::Ended;
                }
                if time_up() {
                    return Stopped::TimeUp;
                }
            }
            if !self.queue.borrow().is_empty() {
                self.fire_timers();
                if self.reactor.has_waiters() && self.reactor.poll(Some(Duration::ZERO)).is_err() {
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
            if time_up() {
                return Stopped::TimeUp;
            }
            let wake_at = match (deadline, until) {
                (Some(d), Some(u)) => Some(d.min(u)),
                (d, u) => d.or(u),
            };
            let timeout = wake_at.map(|d| d.saturating_duration_since(Instant::now()));
            if self.reactor.poll(timeout).is_err() {
                // The poller failing leaves nothing to wait with: report what is blocked.
                break;
            }
            self.fire_timers();
        }
        Stopped::Idle(self.report())
    }

    fn report(&self) -> Report {
        let parked: Vec<(TaskId, u16, u32, Waiting)> = self
            .slots
            .borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.state {
                State::Parked(on) => {
                    let slot = u32::try_from(i).unwrap_or(u32::MAX);
                    Some((TaskId { seq: s.seq, slot }, s.pool, s.index, on))
                }
                _ => None,
            })
            .collect();
        // Names are asked for outside any borrow: a coroutine's `name` is the user's code.
        let mut blocked: Vec<Blocked> = parked
            .into_iter()
            .map(|(id, pool, index, on)| {
                let given = self.names.borrow().get(&id.seq).copied();
                let name = given.unwrap_or_else(|| self.tasks(pool).name(index));
                Blocked { id, name, on }
            })
            .collect();
        blocked.sort_by_key(|b| b.id.seq);
        Report { blocked }
    }

    /// Runs one microthread to its next request.
    fn step(&self, key: Key) {
        let (tasks, index, pending, id) = {
            let mut slots = self.slots.borrow_mut();
            let Some(s) = slots.get_mut(key.slot as usize) else {
                return;
            };
            if !s.holds(key) || s.state != State::Queued {
                // Left by a microthread killed while queued.
                return;
            }
            s.state = State::Running;
            let id = TaskId {
                seq: s.seq,
                slot: key.slot,
            };
            let pending = std::mem::replace(&mut s.wake, Pending::Nothing);
            (self.tasks(s.pool), s.index, pending, id)
        };
        let wake = self.resumed_with(key.slot, pending);
        self.running.set(Some(id));
        let step = tasks.step(index, wake);
        self.running.set(None);
        let dying = {
            let mut slots = self.slots.borrow_mut();
            let s = &mut slots[key.slot as usize];
            match &step {
                _ if s.state == State::Dying => true,
                Step::Request(Syscall::Yield) => {
                    s.state = State::Queued;
                    if self.thrown_at(key.slot) {
                        // An error thrown while it was not waiting: its yield returns it.
                        s.wake = Pending::Thrown;
                    }
                    drop(slots);
                    self.queue.borrow_mut().push_back(key);
                    return;
                }
                &Step::Request(Syscall::Park { deadline, on }) => {
                    if self.thrown_at(key.slot) {
                        s.wake = Pending::Thrown;
                    }
                    if s.wake == Pending::Nothing {
                        s.state = State::Parked(on);
                        s.park = s.park.wrapping_add(1);
                        if let Some(d) = deadline {
                            let park = s.park;
                            drop(slots);
                            self.timers.borrow_mut().push(Reverse((d, key.slot, park)));
                        }
                    } else {
                        // Woken while it ran: go again.
                        s.state = State::Queued;
                        drop(slots);
                        self.queue.borrow_mut().push_back(key);
                    }
                    return;
                }
                Step::Done(_) | Step::Panicked(_) => false,
            }
        };
        // It ended, or was killed while it ran. Its state leaves the pool now, and what the step
        // left (a result, a panic's payload) is dropped here too: outside any borrow, since
        // their `drop` may call back into the scheduler.
        tasks.remove(index);
        let outcome = match step {
            _ if dying => Err(JoinError::Killed),
            Step::Done(value) => Ok(value),
            Step::Panicked(payload) => Err(JoinError::Panicked(panic_message(payload.as_ref()))),
            Step::Request(_) => unreachable!("requests are handled above"),
        };
        self.finish(id, outcome);
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
                (matches!(s.state, State::Parked(_)) && s.park == park)
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
                matches!(s.state, State::Parked(_)) && s.park == park
            };
            if live {
                return Some(at);
            }
            self.timers.borrow_mut().pop();
        }
    }
}

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
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
#[must_use]
pub fn current() -> Option<Uthread> {
    with_current(|s| {
        let id = s.running.get()?;
        // Looked up only when asked, not at every switch: a name given at spawn, or else the
        // name of the coroutine running the microthread's body.
        let given = s.names.borrow().get(&id.seq).copied();
        let name = given
            .or_else(|| coro_core::current().map(|c| c.name()))
            .unwrap_or("microthread");
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
    id: TaskId,
    sched: Weak<Inner>,
    _result: PhantomData<fn() -> T>,
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

    /// Waits for the microthread to end, from another microthread:
    /// `let v = suspend_from!(handle.join())?`. Answers at once if it has ended already.
    ///
    /// The result is the microthread's return value, or the crate's one [`Error`]:
    /// [`Error::Join`] with a [`JoinError`] when it has no value (killed, panicked, taken by an
    /// earlier join), [`Error::Thrown`] when an error is thrown into the joiner while it waits,
    /// [`Error::JoinSelf`]. A microthread that returns a `Result` of its own gives a `Result`
    /// in a `Result`, as [`std::thread::JoinHandle::join`] does: `suspend_from!(h.join())??`
    /// takes both apart when the inner error converts into the function's too.
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

    /// The result without waiting, from plain code (after [`Scheduler::run`], say) or from a
    /// microthread that must not block. The first successful call takes the value.
    ///
    /// A `Result` rather than an `Option` of one: `Err(`[`TryJoinError::NotFinished`]`)` is
    /// "not yet", beside the reasons there will never be a value, so that a single `match` (or
    /// `assert_eq!(h.try_join(), Ok(v))`) covers every case, and `?` converts the error into
    /// [`Error`] ([`Error::WouldBlock`] for "not yet", as the other `try_` operations say) or
    /// [`io::Error`].
    ///
    /// # Errors
    ///
    /// [`TryJoinError::NotFinished`] while it runs or waits, [`TryJoinError::Join`] if it was
    /// killed, panicked, or its result was taken, and [`TryJoinError::NoScheduler`] once its
    /// scheduler is dropped.
    pub fn try_join(&self) -> Result<T, TryJoinError> {
        let sched = self.sched.upgrade().ok_or(TryJoinError::NoScheduler)?;
        if sched.alive(self.id).is_some() {
            return Err(TryJoinError::NotFinished);
        }
        take_result(&sched, self.id).map_err(TryJoinError::Join)
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

fn take_result<T: 'static>(sched: &Inner, id: TaskId) -> Result<T, JoinError> {
    let result = sched.results.borrow_mut().remove(&id.seq);
    match result {
        Some(Ok(value)) => Ok(*value
            .downcast::<T>()
            .expect("a JoinHandle's type is its microthread's return type")),
        Some(Err(e)) => Err(e),
        None => Err(JoinError::Taken),
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        release(&self.sched, self.id);
    }
}

/// Someone wants the result of `id`: the handle (from spawn) or a pending join.
fn retain(sched: &Weak<Inner>, id: TaskId) {
    let Some(sched) = sched.upgrade() else { return };
    let mut slots = sched.slots.borrow_mut();
    if let Some(s) = slots.get_mut(id.slot as usize)
        && s.seq == id.seq
        && s.state != State::Free
    {
        s.joinable = s.joinable.saturating_add(1);
        return;
    }
    drop(slots);
    if let Some(c) = sched.claims.borrow_mut().get_mut(&id.seq) {
        *c += 1;
    }
}

/// One fewer wants it; the last one frees a result nobody took.
fn release(sched: &Weak<Inner>, id: TaskId) {
    let Some(sched) = sched.upgrade() else { return };
    let mut slots = sched.slots.borrow_mut();
    if let Some(s) = slots.get_mut(id.slot as usize)
        && s.seq == id.seq
        && s.state != State::Free
    {
        s.joinable = s.joinable.saturating_sub(1);
        return;
    }
    drop(slots);
    // Finished: the result is kept until the handle and every pending join are gone. A join
    // that completed took it already; a join that was dropped holds no claim of its own here.
    let mut claims = sched.claims.borrow_mut();
    let left = claims.get_mut(&id.seq).map(|c| {
        *c = c.saturating_sub(1);
        *c
    });
    if left == Some(0) {
        claims.remove(&id.seq);
        drop(claims);
        // Dropped outside the borrow: a result's `drop` may call back (drop a handle, say).
        let unclaimed = sched.results.borrow_mut().remove(&id.seq);
        drop(unclaimed);
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
        if sched.alive(self.id).is_none() {
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
            sched
                .joiners
                .borrow_mut()
                .entry(self.id.seq)
                .or_default()
                .push(me);
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
            && let Some(list) = sched.joiners.borrow_mut().get_mut(&self.id.seq)
        {
            list.retain(|j| *j != me);
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

/// `suspend_from!(op)` in a microthread starts the operation with [`Wake::Start`].
impl coro_core::__private::FirstResume for Wake {
    fn first() -> Self {
        Wake::Start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_microthread_costs_its_state_and_little_else() {
        // What each microthread adds beside its own state: a slot, and an entry in whatever
        // queue it waits in (run queue, channel).
        assert_eq!(std::mem::size_of::<Slot>(), 24);
        assert_eq!(std::mem::size_of::<Key>(), 8);
        assert_eq!(std::mem::size_of::<(u64, Key)>(), 16);
    }
}
