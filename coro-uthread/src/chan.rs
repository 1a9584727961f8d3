//! Channels with Stackless Python's semantics: on a rendezvous channel a send waits until a
//! receiver takes the value, a receive until a sender offers one, and each side is served first
//! come first served; a bounded channel lets sends go on while its buffer has room.
//!
//! A blocking operation: may import the scheduler and what is below it.

use coro_core::{Coroutine, EarlyExit, Status};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Key, Syscall, Waiting, Wake};
use crate::sched;

struct State<T> {
    capacity: usize,
    buffer: VecDeque<T>,
    /// Blocked senders, oldest first; an entry whose ticket has no offer was withdrawn.
    senders: VecDeque<(u64, Key)>,
    /// The values blocked senders offer, by ticket.
    offers: HashMap<u64, T>,
    /// Blocked receivers, oldest first, withdrawn ones included until they reach the front (or
    /// the queue is compacted): those waiting are `receivers.len() - withdrawn.len()`.
    receivers: VecDeque<(u64, Key)>,
    /// Tickets of receivers that left the queue before their turn (killed, timed out).
    withdrawn: HashSet<u64>,
    /// The offers of senders blocked when the channel closed, kept for them.
    returned: HashMap<u64, T>,
    /// Values handed to receivers that have not run yet.
    delivered: HashMap<u64, T>,
    /// Senders whose value a receiver took.
    taken: Vec<u64>,
    /// The entries of microthreads waiting in a [`Select`](crate::Select), by ticket, with the
    /// flag their select shares: the first channel to serve one of them sets it, and the others
    /// skip theirs.
    claims: HashMap<u64, Rc<Cell<bool>>>,
    next_ticket: u64,
    closed: bool,
}

impl<T> State<T> {
    /// The oldest blocked sender still waiting, with its offer.
    fn pop_sender(&mut self) -> Option<(u64, Key, T)> {
        while let Some((ticket, id)) = self.senders.pop_front() {
            if let Some(value) = self.offers.remove(&ticket) {
                if self.claim(ticket) {
                    return Some((ticket, id, value));
                }
                // Another arm of its select won: the value waits aside for it.
                self.returned.insert(ticket, value);
            }
        }
        None
    }

    /// Whether the entry `ticket` may be served: always, unless it belongs to a select that
    /// another channel served first. Serving it claims its select.
    fn claim(&mut self, ticket: u64) -> bool {
        if self.claims.is_empty() {
            return true;
        }
        match self.claims.remove(&ticket) {
            None => true,
            Some(flag) => !flag.replace(true),
        }
    }

    /// Drops withdrawn entries once they are the majority of a queue, so that waits that time
    /// out on a quiet channel cost nothing in the long run.
    fn compact(&mut self) {
        if self.withdrawn.len() > 16 && self.withdrawn.len() * 2 > self.receivers.len() {
            let withdrawn = std::mem::take(&mut self.withdrawn);
            self.receivers.retain(|r| !withdrawn.contains(&r.0));
        }
        let stale = self.senders.len() - self.offers.len().min(self.senders.len());
        if stale > 16 && stale * 2 > self.senders.len() {
            let offers = &self.offers;
            self.senders.retain(|w| offers.contains_key(&w.0));
        }
    }

    /// The oldest receiver still waiting.
    fn pop_receiver(&mut self) -> Option<(u64, Key)> {
        while let Some((ticket, id)) = self.receivers.pop_front() {
            if !self.withdrawn.remove(&ticket) && self.claim(ticket) {
                return Some((ticket, id));
            }
        }
        None
    }

    fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// Takes a value without waiting, if one is offered (waking its sender).
    fn take_offered(&mut self) -> Option<T> {
        if let Some(v) = self.buffer.pop_front() {
            // A slot freed: the oldest blocked sender's value moves into the buffer.
            if let Some((ticket, id, value)) = self.pop_sender() {
                self.buffer.push_back(value);
                self.taken.push(ticket);
                sched::wake(id, Wake::Ready);
            }
            return Some(v);
        }
        let (ticket, id, value) = self.pop_sender()?;
        self.taken.push(ticket);
        sched::wake(id, Wake::Ready);
        Some(value)
    }

    /// Gives a value without waiting, if a receiver waits or the buffer has room; otherwise
    /// hands it back.
    fn give(&mut self, value: T) -> Result<(), T> {
        if let Some((ticket, id)) = self.pop_receiver() {
            self.delivered.insert(ticket, value);
            sched::wake(id, Wake::Ready);
            return Ok(());
        }
        if self.buffer.len() < self.capacity {
            self.buffer.push_back(value);
            return Ok(());
        }
        Err(value)
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
                offers: HashMap::new(),
                receivers: VecDeque::new(),
                withdrawn: HashSet::new(),
                returned: HashMap::new(),
                delivered: HashMap::new(),
                taken: Vec::new(),
                claims: HashMap::new(),
                next_ticket: 0,
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
        isize::try_from(s.offers.len()).unwrap_or(isize::MAX)
            - isize::try_from(s.receivers.len() - s.withdrawn.len()).unwrap_or(isize::MAX)
    }

    /// Closes the channel: everyone blocked on it wakes with [`Error::Closed`] (a blocked
    /// sender gets its value back), and later sends fail. Values already buffered can still be
    /// received.
    pub fn close(&self) {
        let mut s = self.state.borrow_mut();
        s.closed = true;
        // Blocked senders get their values back: nothing can take them any more.
        let offers = std::mem::take(&mut s.offers);
        s.returned.extend(offers);
        let waiting: Vec<Key> = s
            .receivers
            .iter()
            .filter(|r| !s.withdrawn.contains(&r.0))
            .map(|r| r.1)
            .chain(
                s.senders
                    .iter()
                    .filter(|w| s.returned.contains_key(&w.0))
                    .map(|w| w.1),
            )
            .collect();
        drop(s);
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
        let ticket = s.ticket();
        s.receivers.push_back((ticket, me));
        s.claims.insert(ticket, Rc::clone(claim));
        ticket
    }

    /// Leaves the receivers' queue: the value a sender handed over, if this entry was served.
    pub(crate) fn leave_recv(&self, ticket: u64) -> Option<T> {
        let mut s = self.state.borrow_mut();
        if let Some(v) = s.delivered.remove(&ticket) {
            return Some(v);
        }
        if s.claims.remove(&ticket).is_some() {
            // Still queued: skipped when it reaches the front. (An entry skipped already, its
            // select served elsewhere, left the queue then.)
            s.withdrawn.insert(ticket);
            s.compact();
        }
        None
    }

    /// Queues microthread `me` as a sender of `value` under `claim`; its ticket.
    pub(crate) fn register_send(&self, value: T, me: Key, claim: &Rc<Cell<bool>>) -> u64 {
        let mut s = self.state.borrow_mut();
        let ticket = s.ticket();
        s.senders.push_back((ticket, me));
        s.offers.insert(ticket, value);
        s.claims.insert(ticket, Rc::clone(claim));
        ticket
    }

    /// Leaves the senders' queue: the value back, or `None` if a receiver took it.
    pub(crate) fn leave_send(&self, ticket: u64) -> Option<T> {
        let mut s = self.state.borrow_mut();
        if let Some(at) = s.taken.iter().position(|t| *t == ticket) {
            s.taken.swap_remove(at);
            return None;
        }
        s.claims.remove(&ticket);
        let value = s
            .offers
            .remove(&ticket)
            .or_else(|| s.returned.remove(&ticket));
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
        // Its queue entry stays, without an offer, until it reaches the front or the queue is
        // compacted; a closed channel kept the offer aside for it.
        let value = s
            .offers
            .remove(&ticket)
            .or_else(|| s.returned.remove(&ticket));
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
            if let Some(at) = s.taken.iter().position(|t| *t == ticket) {
                s.taken.swap_remove(at);
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
        let ticket = s.ticket();
        s.senders.push_back((ticket, me.key()));
        s.offers.insert(ticket, value);
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
        if let Some(ticket) = self.ticket {
            // Killed while blocked: leave the queue (and forget a value already taken).
            let mut s = self.chan.state.borrow_mut();
            s.taken.retain(|t| *t != ticket);
            drop(s);
            self.withdraw();
        }
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
        if let Some(v) = s.delivered.remove(&ticket) {
            // Served already (its queue entry is gone), but killed or woken by something else
            // before it took the value: the value goes to the next receiver, or back in front.
            if let Err(v) = s.give(v) {
                s.buffer.push_front(v);
            }
        } else {
            // Still queued (only serving takes an entry out): skipped when it reaches the front.
            s.withdrawn.insert(ticket);
            s.compact();
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
            if let Some(v) = s.delivered.remove(&ticket) {
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
        let ticket = s.ticket();
        s.receivers.push_back((ticket, me.key()));
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
