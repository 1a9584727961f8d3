//! Channels with Stackless Python's semantics: on a rendezvous channel a send waits until a
//! receiver takes the value, a receive until a sender offers one, and each side is served first
//! come first served; a bounded channel lets sends go on while its buffer has room.
//!
//! A blocking operation: may import the scheduler and what is below it.

use coro_core::{Coroutine, EarlyExit, Status};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Key, Syscall, Waiting, Wake};
use crate::sched;

/// What a slot of a channel's table holds: one blocked operation, from the moment it queues
/// until its owner (a [`Send`], a [`Recv`] or a select's arm) leaves it.
enum Entry<T> {
    /// Nobody's: on the free list (or retired, its generations used up).
    Free,
    /// A sender queued with its offer.
    Offering(T),
    /// A receiver queued.
    Receiving,
    /// A receiver served: the value a sender handed over, for it to take when it runs.
    Delivered(T),
    /// A sender whose value a receiver took.
    Taken,
    /// A sender's offer kept aside for it: the channel closed, or another arm of its select
    /// won before a receiver reached this one.
    Returned(T),
    /// A receiver taken off the queue unserved: another arm of its select won first.
    Skipped,
}

/// One blocked operation, found by the index its ticket carries.
struct Slot<T> {
    /// Bumped when the slot is freed: a ticket names a slot and a generation, so a ticket left
    /// in a queue by an owner that has gone is stale, and never served.
    generation: u32,
    /// The microthread waiting.
    key: Key,
    entry: Entry<T>,
    /// The flag the entries of a microthread waiting in a [`Select`](crate::Select) share:
    /// the first channel to serve one of them sets it, and the others skip theirs.
    claim: Option<Rc<Cell<bool>>>,
}

/// A ticket: the slot's index in its low half, the slot's generation in its high half.
fn ticket(index: usize, generation: u32) -> u64 {
    let index = u32::try_from(index).expect("more than 2^32 operations blocked on one channel");
    (u64::from(generation) << 32) | u64::from(index)
}

/// The slot a ticket names, if the ticket is not stale.
fn live<T>(slots: &[Slot<T>], ticket: u64) -> Option<usize> {
    let index = usize::try_from(ticket & u64::from(u32::MAX)).ok()?;
    let generation = u32::try_from(ticket >> 32).ok()?;
    let slot = slots.get(index)?;
    (slot.generation == generation && !matches!(slot.entry, Entry::Free)).then_some(index)
}

/// Whether a queue entry still waits there: its ticket is not stale, and it waits to be served.
fn queued<T>(slots: &[Slot<T>], ticket: u64) -> bool {
    live(slots, ticket)
        .is_some_and(|i| matches!(slots[i].entry, Entry::Offering(_) | Entry::Receiving))
}

/// Whether the entry in `slot` may be served: always, unless it belongs to a select that
/// another channel served first. Serving it claims its select.
fn claim<T>(slot: &mut Slot<T>) -> bool {
    match slot.claim.take() {
        None => true,
        Some(flag) => !flag.replace(true),
    }
}

struct State<T> {
    capacity: usize,
    buffer: VecDeque<T>,
    /// Blocked senders' tickets, oldest first; a stale ticket, or one whose slot offers
    /// nothing any more, is skipped.
    senders: VecDeque<u64>,
    /// Blocked receivers' tickets, oldest first; stale ones included until they reach the
    /// front (or the queue is compacted).
    receivers: VecDeque<u64>,
    /// The blocked operations, by the index their tickets carry.
    slots: Vec<Slot<T>>,
    /// Indices of free slots, reused last freed first.
    free: Vec<usize>,
    /// Slots offering a value: the senders waiting, all of them in `senders`.
    waiting_senders: usize,
    /// Slots receiving: the receivers waiting, all of them in `receivers`.
    waiting_receivers: usize,
    closed: bool,
}

impl<T> State<T> {
    /// Takes a slot for microthread `key`'s operation: its ticket.
    fn alloc(&mut self, key: Key, entry: Entry<T>, claim: Option<Rc<Cell<bool>>>) -> u64 {
        match entry {
            Entry::Offering(_) => self.waiting_senders += 1,
            Entry::Receiving => self.waiting_receivers += 1,
            _ => {}
        }
        let index = if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index];
            slot.key = key;
            slot.entry = entry;
            slot.claim = claim;
            index
        } else {
            self.slots.push(Slot {
                generation: 0,
                key,
                entry,
                claim,
            });
            self.slots.len() - 1
        };
        ticket(index, self.slots[index].generation)
    }

    /// Frees the slot of `ticket` (its owner leaves it): what it held, or `None` if the ticket
    /// is stale. A queue entry it had is left behind, stale.
    fn free(&mut self, ticket: u64) -> Option<Entry<T>> {
        let index = live(&self.slots, ticket)?;
        let slot = &mut self.slots[index];
        let entry = std::mem::replace(&mut slot.entry, Entry::Free);
        slot.claim = None;
        // A slot whose generations are used up is retired, so that no ticket names two owners.
        if let Some(generation) = slot.generation.checked_add(1) {
            slot.generation = generation;
            self.free.push(index);
        }
        match entry {
            Entry::Offering(_) => self.waiting_senders -= 1,
            Entry::Receiving => self.waiting_receivers -= 1,
            _ => {}
        }
        Some(entry)
    }

    /// Whether a receiver took the value of the sender holding `ticket`.
    fn is_taken(&self, ticket: u64) -> bool {
        live(&self.slots, ticket).is_some_and(|i| matches!(self.slots[i].entry, Entry::Taken))
    }

    /// The value handed to the receiver holding `ticket`, if it was served; its slot is freed.
    fn take_delivered(&mut self, ticket: u64) -> Option<T> {
        let index = live(&self.slots, ticket)?;
        if !matches!(self.slots[index].entry, Entry::Delivered(_)) {
            return None;
        }
        match self.free(ticket) {
            Some(Entry::Delivered(v)) => Some(v),
            _ => None,
        }
    }

    /// The oldest blocked sender still waiting, with its offer: its value is marked taken.
    fn pop_sender(&mut self) -> Option<(Key, T)> {
        while let Some(ticket) = self.senders.pop_front() {
            let Some(index) = live(&self.slots, ticket) else {
                continue;
            };
            let slot = &mut self.slots[index];
            let value = match std::mem::replace(&mut slot.entry, Entry::Taken) {
                Entry::Offering(value) => value,
                other => {
                    // Its offer was returned when the channel closed.
                    slot.entry = other;
                    continue;
                }
            };
            self.waiting_senders -= 1;
            if claim(slot) {
                return Some((slot.key, value));
            }
            // Another arm of its select won: the value waits aside for it.
            slot.entry = Entry::Returned(value);
        }
        None
    }

    /// The slot of the oldest receiver still waiting, taken off the queue.
    fn pop_receiver(&mut self) -> Option<usize> {
        while let Some(ticket) = self.receivers.pop_front() {
            let Some(index) = live(&self.slots, ticket) else {
                continue;
            };
            let slot = &mut self.slots[index];
            if !matches!(slot.entry, Entry::Receiving) {
                continue;
            }
            self.waiting_receivers -= 1;
            if claim(slot) {
                return Some(index);
            }
            // Another arm of its select won: it left the queue unserved.
            slot.entry = Entry::Skipped;
        }
        None
    }

    /// Drops stale entries once they are the majority of a queue, so that waits that time
    /// out on a quiet channel cost nothing in the long run.
    fn compact(&mut self) {
        let slots = &self.slots;
        let stale = self.receivers.len() - self.waiting_receivers;
        if stale > 16 && stale * 2 > self.receivers.len() {
            self.receivers.retain(|&t| queued(slots, t));
        }
        let stale = self.senders.len() - self.waiting_senders;
        if stale > 16 && stale * 2 > self.senders.len() {
            self.senders.retain(|&t| queued(slots, t));
        }
    }

    /// Takes a value without waiting, if one is offered (waking its sender).
    fn take_offered(&mut self) -> Option<T> {
        if let Some(v) = self.buffer.pop_front() {
            // A slot freed: the oldest blocked sender's value moves into the buffer.
            if let Some((id, value)) = self.pop_sender() {
                self.buffer.push_back(value);
                sched::wake(id, Wake::Ready);
            }
            return Some(v);
        }
        let (id, value) = self.pop_sender()?;
        sched::wake(id, Wake::Ready);
        Some(value)
    }

    /// Gives a value without waiting, if a receiver waits or the buffer has room; otherwise
    /// hands it back.
    fn give(&mut self, value: T) -> Result<(), T> {
        if let Some(index) = self.pop_receiver() {
            let slot = &mut self.slots[index];
            slot.entry = Entry::Delivered(value);
            sched::wake(slot.key, Wake::Ready);
            return Ok(());
        }
        if self.buffer.len() < self.capacity {
            self.buffer.push_back(value);
            return Ok(());
        }
        Err(value)
    }

    /// Closes the channel: blocked senders' offers are returned to them. The microthreads to
    /// wake, receivers first, each side oldest first.
    fn close(&mut self) -> Vec<Key> {
        self.closed = true;
        let mut waiting: Vec<Key> = self
            .receivers
            .iter()
            .filter_map(|&t| live(&self.slots, t))
            .filter(|&i| matches!(self.slots[i].entry, Entry::Receiving))
            .map(|i| self.slots[i].key)
            .collect();
        for &t in &self.senders {
            let Some(index) = live(&self.slots, t) else {
                continue;
            };
            let slot = &mut self.slots[index];
            if matches!(slot.entry, Entry::Offering(_)) {
                // Nothing can take it any more.
                if let Entry::Offering(value) = std::mem::replace(&mut slot.entry, Entry::Free) {
                    slot.entry = Entry::Returned(value);
                }
                self.waiting_senders -= 1;
            }
            if matches!(slot.entry, Entry::Returned(_)) {
                waiting.push(slot.key);
            }
        }
        waiting
    }
}

/// A channel between microthreads (and plain code, for what does not wait). Handles are cheap
/// to clone; all of them are the same channel.
///
/// [`Channel::rendezvous`] makes Stackless Python's channel: it holds nothing, so each send
/// waits until a receiver takes its value, and the two microthreads meet. [`Channel::bounded`]
/// makes one with a buffer, whose sends wait only when it is full. Either way values come out
/// in the order they went in, and blocked senders and receivers are each served first come
/// first served.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Channel, Scheduler, Syscall, Wake};
/// use std::{cell::RefCell, rc::Rc};
///
/// type Log = Rc<RefCell<Vec<String>>>;
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn ping(out: Channel<u32>, back: Channel<u32>, log: Log, #[resume] _w: Wake) {
///     for i in 1..=3 {
///         log.borrow_mut().push(format!("ping {i}"));
///         suspend_from!(out.send(i)).unwrap();
///         suspend_from!(back.recv()).unwrap();
///     }
/// }
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn pong(inbox: Channel<u32>, back: Channel<u32>, log: Log, #[resume] _w: Wake) {
///     for _ in 0..3 {
///         let v = suspend_from!(inbox.recv()).unwrap();
///         log.borrow_mut().push(format!("pong {v}"));
///         suspend_from!(back.send(v)).unwrap();
///     }
/// }
///
/// let s = Scheduler::new().unwrap();
/// let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
/// let log = Log::default();
/// s.spawn(ping(a.clone(), b.clone(), log.clone()));
/// s.spawn(pong(a.clone(), b.clone(), log.clone()));
/// assert!(s.run().is_clean());
/// assert_eq!(log.borrow().join(", "), "ping 1, pong 1, ping 2, pong 2, ping 3, pong 3");
/// assert_eq!((a.balance(), b.balance()), (0, 0));
/// ```
pub struct Channel<T> {
    state: Rc<RefCell<State<T>>>,
}

impl<T> Clone for Channel<T> {
    fn clone(&self) -> Self {
        Channel {
            state: Rc::clone(&self.state),
        }
    }
}

impl<T> fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.borrow();
        f.debug_struct("Channel")
            .field("capacity", &s.capacity)
            .field("buffered", &s.buffer.len())
            .field("balance", &self.balance())
            .field("closed", &s.closed)
            .finish()
    }
}

/// A [rendezvous](Channel::rendezvous) channel.
impl<T> Default for Channel<T> {
    fn default() -> Self {
        Self::rendezvous()
    }
}

impl<T> Channel<T> {
    /// A rendezvous channel, as Stackless Python's: it holds no values, so a send waits until
    /// a receiver takes the value (and a receive until a sender offers one). When a send
    /// returns `Ok`, a receiver has the value; waiting senders and receivers are each served
    /// first come first served.
    ///
    /// ```
    /// use coro::uthread::Channel;
    ///
    /// let ch = Channel::rendezvous();
    /// // Nobody waits to receive: nothing can take the value now.
    /// assert!(ch.try_send(1).is_err());
    /// ```
    #[must_use]
    pub fn rendezvous() -> Self {
        Self::bounded(0)
    }

    /// A buffered channel: a send waits only while `capacity` values wait to be received, and
    /// a receive takes the oldest buffered value first. `bounded(0)` is
    /// [`rendezvous`](Self::rendezvous).
    ///
    /// ```
    /// use coro::uthread::{Channel, Error};
    ///
    /// let ch = Channel::bounded(2);
    /// assert!(ch.try_send(1).is_ok());
    /// assert!(ch.try_send(2).is_ok());
    /// assert!(matches!(ch.try_send(3), Err(e) if matches!(e.error, Error::WouldBlock)));
    /// assert_eq!(ch.try_recv().unwrap(), 1);
    /// ```
    #[must_use]
    pub fn bounded(capacity: usize) -> Self {
        Channel {
            state: Rc::new(RefCell::new(State {
                capacity,
                // Room for what is likely to wait, not for a huge bound.
                buffer: VecDeque::with_capacity(capacity.min(64)),
                senders: VecDeque::new(),
                receivers: VecDeque::new(),
                slots: Vec::new(),
                free: Vec::new(),
                waiting_senders: 0,
                waiting_receivers: 0,
                closed: false,
            })),
        }
    }

    /// A rendezvous channel.
    #[deprecated(
        note = "say what it makes: `Channel::rendezvous()` (the same channel) or `Channel::bounded(n)`"
    )]
    #[must_use]
    pub fn new() -> Self {
        Self::rendezvous()
    }

    /// Blocked senders minus blocked receivers, as in Stackless.
    #[must_use]
    pub fn balance(&self) -> isize {
        let s = self.state.borrow();
        isize::try_from(s.waiting_senders).unwrap_or(isize::MAX)
            - isize::try_from(s.waiting_receivers).unwrap_or(isize::MAX)
    }

    /// Closes the channel: everyone blocked on it wakes with [`Error::Closed`] (a blocked
    /// sender gets its value back), and later sends fail. Values already buffered can still be
    /// received.
    pub fn close(&self) {
        let waiting = self.state.borrow_mut().close();
        for id in waiting {
            sched::wake(id, Wake::Ready);
        }
    }

    /// Whether [`close`](Self::close) was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.state.borrow().closed
    }

    /// Sends `value`, waiting until a receiver takes it (or the buffer has room):
    /// `suspend_from!(channel.send(v))?`.
    #[must_use = "a send does nothing unless delegated to with `suspend_from!`"]
    pub fn send(&self, value: T) -> Send<T> {
        Send {
            chan: self.clone(),
            value: Some(value),
            ticket: None,
            deadline: None,
        }
    }

    /// [`send`](Self::send), giving up with [`Error::Timeout`] after `timeout`.
    #[must_use = "a send does nothing unless delegated to with `suspend_from!`"]
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Send<T> {
        let mut send = self.send(value);
        send.deadline = Some(Instant::now() + timeout);
        send
    }

    /// Receives a value, waiting until a sender offers one: `let v = suspend_from!(channel.recv())?`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv(&self) -> Recv<T> {
        Recv {
            chan: self.clone(),
            ticket: None,
            deadline: None,
        }
    }

    /// [`recv`](Self::recv), giving up with [`Error::Timeout`] after `timeout`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv_timeout(&self, timeout: Duration) -> Recv<T> {
        let mut recv = self.recv();
        recv.deadline = Some(Instant::now() + timeout);
        recv
    }

    /// Sends without waiting, from anywhere (plain code included): succeeds if a receiver is
    /// blocked (it takes the value and is queued to run) or the buffer has room.
    ///
    /// # Errors
    ///
    /// The value back, with [`Error::Closed`], or [`Error::WouldBlock`] when nobody could take it
    /// now.
    pub fn try_send(&self, value: T) -> Result<(), SendError<T>> {
        let mut s = self.state.borrow_mut();
        if s.closed {
            return Err(SendError {
                value,
                error: Error::Closed,
            });
        }
        s.give(value).map_err(|value| SendError {
            value,
            error: Error::WouldBlock,
        })
    }

    /// Receives without waiting, from anywhere: succeeds if a value is buffered or a sender is
    /// blocked (it is then queued to run).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when closed and empty, [`Error::WouldBlock`] when nothing is offered now.
    pub fn try_recv(&self) -> Result<T, Error> {
        let mut s = self.state.borrow_mut();
        match s.take_offered() {
            Some(v) => Ok(v),
            None if s.closed => Err(Error::Closed),
            None => Err(Error::WouldBlock),
        }
    }
}

/// What a [`Select`](crate::Select) does on a channel: wait in its queues beside other
/// channels, under a flag the select's entries share, and leave them.
impl<T> Channel<T> {
    /// Queues microthread `me` as a receiver under `claim`; its ticket.
    pub(crate) fn register_recv(&self, me: Key, claim: &Rc<Cell<bool>>) -> u64 {
        let mut s = self.state.borrow_mut();
        let ticket = s.alloc(me, Entry::Receiving, Some(Rc::clone(claim)));
        s.receivers.push_back(ticket);
        ticket
    }

    /// Leaves the receivers' queue: the value a sender handed over, if this entry was served.
    pub(crate) fn leave_recv(&self, ticket: u64) -> Option<T> {
        let mut s = self.state.borrow_mut();
        match s.free(ticket) {
            Some(Entry::Delivered(v)) => Some(v),
            Some(Entry::Receiving) => {
                // Still queued: its entry, stale now, is skipped when it reaches the front.
                // (An entry skipped already, its select served elsewhere, left the queue then.)
                s.compact();
                None
            }
            _ => None,
        }
    }

    /// Queues microthread `me` as a sender of `value` under `claim`; its ticket.
    pub(crate) fn register_send(&self, value: T, me: Key, claim: &Rc<Cell<bool>>) -> u64 {
        let mut s = self.state.borrow_mut();
        let ticket = s.alloc(me, Entry::Offering(value), Some(Rc::clone(claim)));
        s.senders.push_back(ticket);
        ticket
    }

    /// Leaves the senders' queue: the value back, or `None` if a receiver took it.
    pub(crate) fn leave_send(&self, ticket: u64) -> Option<T> {
        let mut s = self.state.borrow_mut();
        let value = match s.free(ticket) {
            Some(Entry::Taken) => return None,
            Some(Entry::Offering(v) | Entry::Returned(v)) => Some(v),
            _ => None,
        };
        s.compact();
        value
    }

    /// Gives back a value handed to a receiver that will not take it: to the next receiver,
    /// or to the front of the channel.
    pub(crate) fn restore(&self, value: T) {
        let mut s = self.state.borrow_mut();
        if let Err(v) = s.give(value) {
            s.buffer.push_front(v);
        }
    }
}

/// A failed send: the value comes back with the reason.
///
/// `?` converts it into [`Error`] or [`std::io::Error`], dropping the value; it is also an
/// [`std::error::Error`], `Send + Sync` when `T` is, for `Box<dyn Error + Send + Sync>`.
pub struct SendError<T> {
    /// The value that was not sent.
    pub value: T,
    /// Why.
    pub error: Error,
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the value was not sent: {}", self.error)
    }
}

impl<T> std::error::Error for SendError<T> {}

/// For `?` into the crate's one error: the value is dropped, the reason kept.
impl<T> From<SendError<T>> for Error {
    fn from(e: SendError<T>) -> Self {
        e.error
    }
}

/// For `?` in functions that return [`io::Result`](std::io::Result): the value is dropped,
/// the reason kept (see [`Error::kind`]).
impl<T> From<SendError<T>> for std::io::Error {
    fn from(e: SendError<T>) -> Self {
        e.error.into()
    }
}

fn park(deadline: Option<Instant>) -> Syscall {
    Syscall::Park {
        deadline,
        on: Waiting::Channel,
    }
}

/// The coroutine behind [`Channel::send`].
pub struct Send<T> {
    chan: Channel<T>,
    value: Option<T>,
    ticket: Option<u64>,
    deadline: Option<Instant>,
}

impl<T> fmt::Debug for Send<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send")
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

impl<T> Send<T> {
    /// Leaves the senders' queue; the value back if it was still there.
    fn withdraw(&mut self) -> Option<T> {
        let ticket = self.ticket.take()?;
        let mut s = self.chan.state.borrow_mut();
        // Its queue entry stays, stale, until it reaches the front or the queue is compacted;
        // a closed channel kept the offer aside for it.
        let value = match s.free(ticket) {
            Some(Entry::Offering(v) | Entry::Returned(v)) => Some(v),
            _ => None,
        };
        s.compact();
        value
    }

    fn fail(&mut self, error: Error) -> Result<Syscall, EarlyExit<Result<(), SendError<T>>>> {
        let value = self.withdraw().or_else(|| self.value.take());
        match value {
            Some(value) => Err(EarlyExit::Returned(Err(SendError { value, error }))),
            None => Err(EarlyExit::Finished),
        }
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl<T> Coroutine<Wake> for Send<T> {
    type Yield = Syscall;
    type Return = Result<(), SendError<T>>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        let error = match wake {
            Wake::Thrown(e) => Some(Error::Thrown(e)),
            Wake::Timeout => Some(Error::Timeout),
            Wake::Start | Wake::Ready => None,
        };
        if let Some(ticket) = self.ticket {
            let mut s = self.chan.state.borrow_mut();
            // A receiver that took the value wins over a deadline or an error.
            if s.is_taken(ticket) {
                s.free(ticket);
                self.ticket = None;
                return Err(EarlyExit::Returned(Ok(())));
            }
            let closed = s.closed;
            drop(s);
            return match error {
                Some(e) => self.fail(e),
                None if closed => self.fail(Error::Closed),
                None => Ok(park(self.deadline)),
            };
        }
        if let Some(e) = error {
            return self.fail(e);
        }
        let Some(value) = self.value.take() else {
            return Err(EarlyExit::Finished);
        };
        let mut s = self.chan.state.borrow_mut();
        if s.closed {
            return Err(EarlyExit::Returned(Err(SendError {
                value,
                error: Error::Closed,
            })));
        }
        let value = match s.give(value) {
            Ok(()) => return Err(EarlyExit::Returned(Ok(()))),
            Err(value) => value,
        };
        let Some(me) = sched::running() else {
            return Err(EarlyExit::Returned(Err(SendError {
                value,
                error: Error::NoScheduler,
            })));
        };
        let ticket = s.alloc(me.key(), Entry::Offering(value), None);
        s.senders.push_back(ticket);
        self.ticket = Some(ticket);
        Ok(park(self.deadline))
    }

    fn kill(&mut self) {
        self.withdraw();
        self.value = None;
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

impl<T> Drop for Send<T> {
    fn drop(&mut self) {
        // Killed while blocked: leave the queue (and forget a value already taken).
        self.withdraw();
    }
}

/// The coroutine behind [`Channel::recv`].
pub struct Recv<T> {
    chan: Channel<T>,
    ticket: Option<u64>,
    deadline: Option<Instant>,
}

impl<T> fmt::Debug for Recv<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

impl<T> Recv<T> {
    /// Leaves the receivers' queue; a value already handed over goes back to the front of the
    /// channel, for the next receiver.
    fn withdraw(&mut self) {
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        let mut s = self.chan.state.borrow_mut();
        match s.free(ticket) {
            Some(Entry::Delivered(v)) => {
                // Served already (its queue entry is gone), but killed or woken by something
                // else before it took the value: the value goes to the next receiver, or back
                // in front.
                if let Err(v) = s.give(v) {
                    s.buffer.push_front(v);
                }
            }
            Some(Entry::Receiving) => {
                // Still queued (only serving takes an entry out): its entry, stale now, is
                // skipped when it reaches the front.
                s.compact();
            }
            _ => {}
        }
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl<T> Coroutine<Wake> for Recv<T> {
    type Yield = Syscall;
    type Return = Result<T, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        let error = match wake {
            Wake::Thrown(e) => Some(Error::Thrown(e)),
            Wake::Timeout => Some(Error::Timeout),
            Wake::Start | Wake::Ready => None,
        };
        let mut s = self.chan.state.borrow_mut();
        if let Some(ticket) = self.ticket {
            if let Some(v) = s.take_delivered(ticket) {
                self.ticket = None;
                return Err(EarlyExit::Returned(Ok(v)));
            }
            if let Some(e) = error {
                drop(s);
                self.withdraw();
                return Err(EarlyExit::Returned(Err(e)));
            }
            if s.closed {
                drop(s);
                self.withdraw();
                return Err(EarlyExit::Returned(Err(Error::Closed)));
            }
            return Ok(park(self.deadline));
        }
        if let Some(e) = error {
            return Err(EarlyExit::Returned(Err(e)));
        }
        if let Some(v) = s.take_offered() {
            return Err(EarlyExit::Returned(Ok(v)));
        }
        if s.closed {
            return Err(EarlyExit::Returned(Err(Error::Closed)));
        }
        let Some(me) = sched::running() else {
            return Err(EarlyExit::Returned(Err(Error::NoScheduler)));
        };
        let ticket = s.alloc(me.key(), Entry::Receiving, None);
        s.receivers.push_back(ticket);
        self.ticket = Some(ticket);
        Ok(park(self.deadline))
    }

    fn kill(&mut self) {
        self.withdraw();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

impl<T> Drop for Recv<T> {
    fn drop(&mut self) {
        self.withdraw();
    }
}
