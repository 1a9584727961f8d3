//! Waiting on several channel operations, sockets' readiness and a timeout at once
//! ([`Select`]): the first one ready wins, and the others are withdrawn with nothing lost.
//!
//! A blocking operation: may import the scheduler, the channels and what is below them
//! (the reactor's directions); nothing imports it but the crate root and the sockets.
//!
//! The sockets are above this module, so it does not name them. It defines what a readiness
//! arm needs of a socket instead, [`Readiness`] (is it ready now, and put a microthread on its
//! waiters or take it off), and the sealed traits [`Readable`] and [`Writable`] that hand one
//! out; `io`, `udp` and `unix` import them and implement them for their sockets. The import
//! goes from the sockets down to the select, as every import in the crate goes down.

use coro_core::{Coroutine, EarlyExit, Status};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::chan::{Channel, SendError};
use crate::error::Error;
use crate::id::{Syscall, TaskId, Waiting, Wake};
pub(crate) use crate::reactor::{READ, WRITE};
use crate::sched;

/// One operation of a select, its channel's type hidden behind the outcome `O`.
trait Arm<O> {
    /// Completes the operation without waiting, if it can: its outcome.
    fn poll(&mut self) -> Option<O>;
    /// Waits in the channel's queue (or on the socket) under the select's shared flag.
    fn register(&mut self, me: TaskId, claim: &Rc<Cell<bool>>);
    /// Leaves the channel's queue: the outcome if the channel served this arm meanwhile.
    fn withdraw(&mut self) -> Option<O>;
    /// Leaves the channel's queue for good (the select is killed or dropped): a value already
    /// handed over goes back to the channel.
    fn abandon(&mut self);
    /// A send that did not happen: its closure's outcome, with the value back.
    fn unsent(&mut self) -> Option<O>;
    /// What the arm waits on, for the scheduler's report of blocked microthreads.
    fn waits_on(&self) -> Waiting {
        Waiting::Channel
    }
}

struct RecvArm<T, F> {
    chan: Channel<T>,
    ticket: Option<u64>,
    f: Option<F>,
}

impl<T, O, F: FnOnce(Result<T, Error>) -> O> Arm<O> for RecvArm<T, F> {
    fn poll(&mut self) -> Option<O> {
        let got = match self.chan.try_recv() {
            Err(Error::WouldBlock) => return None,
            got => got,
        };
        self.f.take().map(|f| f(got))
    }

    fn register(&mut self, me: TaskId, claim: &Rc<Cell<bool>>) {
        self.ticket = Some(self.chan.register_recv(me.key(), claim));
    }

    fn withdraw(&mut self) -> Option<O> {
        let v = self.chan.leave_recv(self.ticket.take()?)?;
        match self.f.take() {
            Some(f) => Some(f(Ok(v))),
            None => {
                self.chan.restore(v);
                None
            }
        }
    }

    fn abandon(&mut self) {
        if let Some(ticket) = self.ticket.take()
            && let Some(v) = self.chan.leave_recv(ticket)
        {
            self.chan.restore(v);
        }
    }

    fn unsent(&mut self) -> Option<O> {
        None
    }
}

impl<T, F> Drop for RecvArm<T, F> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take()
            && let Some(v) = self.chan.leave_recv(ticket)
        {
            self.chan.restore(v);
        }
    }
}

struct SendArm<T, F> {
    chan: Channel<T>,
    value: Option<T>,
    ticket: Option<u64>,
    f: Option<F>,
}

impl<T, O, F: FnOnce(Result<(), SendError<T>>) -> O> Arm<O> for SendArm<T, F> {
    fn poll(&mut self) -> Option<O> {
        let value = self.value.take()?;
        let sent = match self.chan.try_send(value) {
            Err(SendError {
                value,
                error: Error::WouldBlock,
            }) => {
                self.value = Some(value);
                return None;
            }
            sent => sent,
        };
        self.f.take().map(|f| f(sent))
    }

    fn register(&mut self, me: TaskId, claim: &Rc<Cell<bool>>) {
        if let Some(value) = self.value.take() {
            self.ticket = Some(self.chan.register_send(value, me.key(), claim));
        }
    }

    fn withdraw(&mut self) -> Option<O> {
        match self.chan.leave_send(self.ticket.take()?) {
            Some(value) => {
                self.value = Some(value);
                None
            }
            None => self.f.take().map(|f| f(Ok(()))),
        }
    }

    fn abandon(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.value = self.chan.leave_send(ticket);
        }
    }

    fn unsent(&mut self) -> Option<O> {
        let value = self.value.take()?;
        let f = self.f.take()?;
        Some(f(Err(SendError {
            value,
            error: Error::WouldBlock,
        })))
    }
}

impl<T, F> Drop for SendArm<T, F> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            drop(self.chan.leave_send(ticket));
        }
    }
}

/// What a readiness arm needs of a socket: given by the sockets, which are above the select.
pub(crate) trait Readiness {
    /// Whether the socket is ready in direction `dir` ([`READ`] or [`WRITE`]) now, found out
    /// without taking anything from it: `None` if not, `Some(Err(_))` if it failed.
    fn ready(&self, dir: usize) -> Option<Result<(), Error>>;
    /// Puts `id` on the socket's waiters in that direction: the poller wakes it when the socket
    /// becomes ready that way.
    fn wait(&self, dir: usize, id: TaskId);
    /// Takes `id` off them, if it is on them.
    fn unwait(&self, dir: usize, id: TaskId);
}

pub(crate) mod sealed {
    /// A socket as a readiness arm sees it: opaque outside the crate.
    pub struct Hook(pub(crate) std::rc::Rc<dyn super::Readiness>);

    impl std::fmt::Debug for Hook {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Hook").finish_non_exhaustive()
        }
    }

    /// What makes a socket usable in a select's readiness arm; not implementable outside the
    /// crate (its module is private).
    pub trait Socket {
        /// The socket, as a readiness arm sees it.
        #[doc(hidden)]
        fn readiness(&self) -> Hook;
    }
}

/// A socket whose readiness to read a [`Select`] can wait on ([`Select::readable`]): a
/// [`TcpStream`](crate::TcpStream) or [`UdpSocket`](crate::UdpSocket) with data (or an end,
/// or an error) to read, a [`TcpListener`](crate::TcpListener) with a connection to accept,
/// and on Unix the `UnixStream` and `UnixListener` likewise. Sealed: the crate's sockets only.
pub trait Readable: sealed::Socket {}

/// A socket whose readiness to write a [`Select`] can wait on ([`Select::writable`]): a
/// [`TcpStream`](crate::TcpStream), a [`UdpSocket`](crate::UdpSocket), and on Unix a
/// `UnixStream`. Sealed: the crate's sockets only.
pub trait Writable: sealed::Socket {}

/// A wait for a socket's readiness in one direction. It takes nothing from the socket, so a
/// losing one has nothing to give back: withdrawing takes the microthread off the socket.
struct ReadyArm<F> {
    socket: Rc<dyn Readiness>,
    dir: usize,
    /// The microthread on the socket's waiters, while the select is parked.
    parked: Option<TaskId>,
    f: Option<F>,
}

impl<F> ReadyArm<F> {
    fn leave(&mut self) {
        if let Some(id) = self.parked.take() {
            self.socket.unwait(self.dir, id);
        }
    }
}

impl<O, F: FnOnce(Result<(), Error>) -> O> Arm<O> for ReadyArm<F> {
    fn poll(&mut self) -> Option<O> {
        let ready = self.socket.ready(self.dir)?;
        self.f.take().map(|f| f(ready))
    }

    fn register(&mut self, me: TaskId, _claim: &Rc<Cell<bool>>) {
        // No flag: a wake from the poller hands nothing over, so the select polls its arms
        // when it runs again, and this arm wins there only if the socket is still ready.
        self.socket.wait(self.dir, me);
        self.parked = Some(me);
    }

    fn withdraw(&mut self) -> Option<O> {
        self.leave();
        None
    }

    fn abandon(&mut self) {
        self.leave();
    }

    fn unsent(&mut self) -> Option<O> {
        None
    }

    fn waits_on(&self) -> Waiting {
        Waiting::Io
    }
}

impl<F> Drop for ReadyArm<F> {
    fn drop(&mut self) {
        self.leave();
    }
}

/// Waits on several channel operations, sockets' readiness and a timeout at once, as Go's
/// `select` and Stackless's `channel` selection do: the first operation ready wins, and the
/// others are withdrawn with nothing lost. A coroutine to delegate to with `suspend_from!`.
///
/// Each arm is an operation and a closure that turns its result into the select's outcome
/// `O` (usually an enum of the caller's, one variant an arm):
///
/// - [`recv(&ch, f)`](Self::recv): a receive; `f` gets what [`Channel::recv`] would return
///   (a value, or [`Error::Closed`]: a closed and empty channel is ready at once).
/// - [`send(&ch, value, f)`](Self::send): a send; `f` gets what [`Channel::send`] would
///   return (`Ok(())` once the value is taken or buffered, or the value back in a
///   [`SendError`] with [`Error::Closed`]).
/// - [`readable(&socket, f)`](Self::readable) and [`writable(&socket, f)`](Self::writable):
///   a socket's readiness (see [`Readable`] and [`Writable`] for which sockets); `f` gets
///   `Ok(())`, or the socket's error. The arm does no I/O: the microthread then reads, writes
///   or accepts with the socket's own operations, which find what made it ready.
/// - [`timeout(d)`](Self::timeout): a deadline; without one the select waits for ever.
///
/// It returns a [`Selected`]: the winner's outcome and its position, and the losing sends'
/// values handed back.
///
/// The arms hold clones of the channel handles, not borrows. Still, `suspend_from!` refuses a
/// delegate whose outermost call takes a borrow of a local (`suspend_from!(Select::new()
/// .recv(&a, f).recv(&b, g))`): build the select in a `let` first, as below, or end the chain
/// with [`timeout`](Self::timeout).
///
/// # Which arm wins
///
/// - When the select starts (and whenever it is woken), it tries its arms **in the order they
///   were added** and the first that can complete without waiting wins. So when several are
///   ready at once, the first listed wins (not a random one, as in Go): list the arm that must
///   not starve first, or rotate the order yourself. A timeout of zero makes a poll, as
///   Go's `default`: the select returns at once, with [`Error::Timeout`] if nothing was
///   ready.
/// - When none is ready, the microthread waits in every channel's queue at once (first come
///   first served, as a plain send or receive does), and the first channel to serve it wins:
///   its entries in the other channels are skipped from then on, so no two arms can win.
/// - A win beats a deadline or an error thrown in meanwhile, as with the plain operations.
/// - A readiness arm is ready when its socket is: a stream or datagram socket has something
///   to read (peeked at, not taken; the end of a stream counts), a TCP listener a connection
///   (taken from the system into the listener, for the next accept), or the poller said the
///   socket was ready that way since an operation last found it would block (writing, and a
///   Unix listener). The last can be stale when the readiness was used up without an
///   operation waiting (a write that filled the buffer exactly): then the operation after
///   the select waits, as it would without one. A socket's wake-up hands nothing over, so
///   a readiness arm wins only by being found ready when the select runs: a channel that
///   served the select meanwhile wins over it.
///
/// # Withdrawal
///
/// A losing receive takes nothing from its channel, and a losing send's value is not offered
/// any more: it comes back in [`Selected::unsent`], through its closure. The select leaves
/// every queue before it returns, so a later send on a losing channel goes to another
/// receiver. A microthread killed while it waits in a select leaves the queues in the same way
/// (a value a sender already handed it goes back to the channel for the next receiver, and
/// its own unsent values are dropped).
///
/// A readiness arm takes nothing from its socket, so a losing one has nothing to give back:
/// the select takes the microthread off the socket's waiters before it returns (and when it
/// is killed or dropped), so that a later readiness of the socket wakes nobody, and the
/// socket works as before with its own operations, in this microthread or another.
///
/// # Errors
///
/// [`Selected::outcome`] is `Err` when no arm won: [`Error::Timeout`] after the timeout,
/// [`Error::Thrown`] when an error was thrown into the microthread while it waited, and
/// [`Error::NoScheduler`] outside a microthread when nothing was ready. An arm's own error
/// (a closed channel) is an outcome: it goes to the arm's closure.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Channel, Error, Scheduler, Select, SendError, Syscall, Wake};
/// use std::time::Duration;
///
/// enum Event {
///     Number(Result<u32, Error>),
///     Word(Result<String, Error>),
///     Sent(Result<(), SendError<u32>>),
/// }
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn watch(numbers: Channel<u32>, words: Channel<String>, out: Channel<u32>,
///          #[resume] _w: Wake) -> Vec<String> {
///     let mut log = Vec::new();
///     let mut pending = Some(7);
///     loop {
///         let mut select = Select::new()
///             .recv(&numbers, Event::Number)
///             .recv(&words, Event::Word)
///             .timeout(Duration::from_millis(20));
///         if let Some(v) = pending.take() {
///             select = select.send(&out, v, Event::Sent);
///         }
///         let selected = suspend_from!(select);
///         // A send that lost hands its value back, to try again next time.
///         for unsent in selected.unsent {
///             if let Event::Sent(Err(e)) = unsent {
///                 pending = Some(e.value);
///             }
///         }
///         match selected.outcome {
///             Ok(Event::Number(Ok(n))) => log.push(format!("number {n}")),
///             Ok(Event::Word(Ok(w))) => log.push(format!("word {w}")),
///             Ok(Event::Sent(Ok(()))) => log.push("sent".into()),
///             Ok(_) => log.push("closed".into()),
///             Err(Error::Timeout) => break,
///             Err(e) => panic!("{e}"),
///         }
///     }
///     log
/// }
///
/// let s = Scheduler::new().unwrap();
/// let (numbers, words, out) = (Channel::bounded(4), Channel::bounded(4), Channel::bounded(1));
/// numbers.try_send(1).unwrap();
/// words.try_send("two".to_string()).unwrap();
/// let h = s.spawn(watch(numbers.clone(), words.clone(), out.clone()));
/// assert!(s.run().is_clean());
/// // The first listed ready arm wins each time; the send waits its turn and gets through.
/// assert_eq!(h.try_join().unwrap(), ["number 1", "word two", "sent"]);
/// assert_eq!(out.try_recv().unwrap(), 7);
/// ```
///
/// Sockets: a stream's data, or a word on a channel to stop, whichever comes first.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Channel, Error, Scheduler, Select, TcpListener, TcpStream, sleep};
/// use std::time::Duration;
///
/// enum Event {
///     Readable(Result<(), Error>),
///     Writable(Result<(), Error>),
///     Stop(Result<(), Error>),
/// }
///
/// #[coro::uthread]
/// fn reader(listener: TcpListener, stop: Channel<()>) -> Result<Vec<u8>, Error> {
///     let (stream, _) = suspend_from!(listener.accept())?;
///     let mut got = Vec::new();
///     loop {
///         let select = Select::new()
///             .readable(&stream, Event::Readable)
///             .recv(&stop, Event::Stop)
///             .timeout(Duration::from_secs(5));
///         match suspend_from!(select).outcome? {
///             Event::Readable(ready) => {
///                 ready?;
///                 // Ready: this read does not wait.
///                 let (n, buf) = suspend_from!(stream.read(vec![0; 64]))?;
///                 if n == 0 {
///                     return Ok(got); // The end: a stream at its end stays readable.
///                 }
///                 got.extend_from_slice(&buf[..n]);
///             }
///             Event::Stop(_) | Event::Writable(_) => return Ok(got),
///         }
///     }
/// }
///
/// #[coro::uthread]
/// fn writer(addr: std::net::SocketAddr, stop: Channel<()>) -> Result<(), Error> {
///     let stream = suspend_from!(TcpStream::connect(addr))?;
///     let select = Select::new()
///         .writable(&stream, Event::Writable)
///         .timeout(Duration::from_secs(5));
///     // A fresh connected stream is writable at once.
///     let ready = suspend_from!(select).outcome?;
///     assert!(matches!(ready, Event::Writable(Ok(()))));
///     suspend_from!(stream.write_all(b"hello".to_vec()))?;
///     suspend_from!(sleep(Duration::from_millis(20)))?;
///     suspend_from!(stop.send(()))?;
///     stream.shutdown_write()?;
///     Ok(())
/// }
///
/// let s = Scheduler::new().unwrap();
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let stop = Channel::rendezvous();
/// let got = s.spawn(reader(listener, stop.clone()));
/// s.spawn(writer(addr, stop));
/// assert!(s.run().is_clean());
/// assert_eq!(got.try_join().unwrap().unwrap(), b"hello");
/// ```
#[must_use = "a select does nothing unless delegated to with `suspend_from!`"]
pub struct Select<'a, O> {
    arms: Vec<Box<dyn Arm<O> + 'a>>,
    deadline: Option<Instant>,
    /// Whether its arms wait in their channels' queues.
    parked: bool,
    done: bool,
}

/// What a select parked on its arms waits for, in the scheduler's report: time when it has no
/// arms, a socket when every arm waits on one, a channel when any does.
fn waiting_on<O>(arms: &[Box<dyn Arm<O> + '_>]) -> Waiting {
    if arms.is_empty() {
        Waiting::Sleep
    } else if arms.iter().all(|arm| arm.waits_on() == Waiting::Io) {
        Waiting::Io
    } else {
        Waiting::Channel
    }
}

/// What a [`Select`] returns.
#[derive(Debug)]
pub struct Selected<O> {
    /// The winning arm's outcome (what its closure made of its result), or why none won:
    /// [`Error::Timeout`], [`Error::Thrown`], [`Error::NoScheduler`].
    pub outcome: Result<O, Error>,
    /// The winner's position, in the order the arms were added (0 for the first); `None` when
    /// none won.
    pub index: Option<usize>,
    /// Every send arm that did not win, its closure called with its value back in a
    /// [`SendError`] whose error is [`Error::WouldBlock`], in the order the arms were added.
    pub unsent: Vec<O>,
}

impl<O> fmt::Debug for Select<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("arms", &self.arms.len())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<O> Default for Select<'_, O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, O> Select<'a, O> {
    /// A select with no arms: add them with [`recv`](Self::recv), [`send`](Self::send),
    /// [`readable`](Self::readable), [`writable`](Self::writable) and
    /// [`timeout`](Self::timeout). One with no arms at all waits until an error is thrown in.
    pub fn new() -> Self {
        Select {
            arms: Vec::new(),
            deadline: None,
            parked: false,
            done: false,
        }
    }

    /// Adds a receive on `chan`; `f` makes the outcome from what [`Channel::recv`] would return.
    pub fn recv<T: 'a>(
        mut self,
        chan: &Channel<T>,
        f: impl FnOnce(Result<T, Error>) -> O + 'a,
    ) -> Self {
        self.arms.push(Box::new(RecvArm {
            chan: chan.clone(),
            ticket: None,
            f: Some(f),
        }));
        self
    }

    /// Adds a send of `value` on `chan`; `f` makes the outcome from what [`Channel::send`]
    /// would return, and, if another arm wins, from the value handed back (see
    /// [`Selected::unsent`]).
    pub fn send<T: 'a>(
        mut self,
        chan: &Channel<T>,
        value: T,
        f: impl FnOnce(Result<(), SendError<T>>) -> O + 'a,
    ) -> Self {
        self.arms.push(Box::new(SendArm {
            chan: chan.clone(),
            value: Some(value),
            ticket: None,
            f: Some(f),
        }));
        self
    }

    /// Adds a wait until `socket` is ready to read; `f` gets `Ok(())` then, or the socket's
    /// error. The arm reads nothing: the microthread reads with the socket's own operations
    /// afterwards ([`TcpStream::read`](crate::TcpStream::read),
    /// [`TcpListener::accept`](crate::TcpListener::accept), ...), which find what made it
    /// ready. A stream at its end is ready (its read returns 0).
    pub fn readable(
        self,
        socket: &impl Readable,
        f: impl FnOnce(Result<(), Error>) -> O + 'a,
    ) -> Self {
        self.ready(socket, READ, f)
    }

    /// Adds a wait until `socket` is ready to write; `f` gets `Ok(())` then, or the socket's
    /// error. The arm writes nothing: the microthread writes with the socket's own operations
    /// afterwards. A socket is writable when the system said so since a write last had to
    /// wait, so a fresh connected stream is writable at once.
    pub fn writable(
        self,
        socket: &impl Writable,
        f: impl FnOnce(Result<(), Error>) -> O + 'a,
    ) -> Self {
        self.ready(socket, WRITE, f)
    }

    fn ready(
        mut self,
        socket: &impl sealed::Socket,
        dir: usize,
        f: impl FnOnce(Result<(), Error>) -> O + 'a,
    ) -> Self {
        self.arms.push(Box::new(ReadyArm {
            socket: socket.readiness().0,
            dir,
            parked: None,
            f: Some(f),
        }));
        self
    }

    /// Gives up with [`Error::Timeout`] after `timeout`, counted from now, if no arm won by
    /// then. Zero makes a poll. Given twice, the earlier deadline holds.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let at = Instant::now() + timeout;
        self.deadline = Some(self.deadline.map_or(at, |d| d.min(at)));
        self
    }

    /// Leaves every queue: the outcome of the arm a channel served meanwhile, if any.
    fn withdraw(&mut self) -> Option<(usize, O)> {
        if !std::mem::take(&mut self.parked) {
            return None;
        }
        let mut won = None;
        for (i, arm) in self.arms.iter_mut().enumerate() {
            // At most one arm was served: the flag its entries share lets only one through.
            if let Some(o) = arm.withdraw() {
                won = Some((i, o));
            }
        }
        won
    }

    fn finish(
        &mut self,
        index: Option<usize>,
        outcome: Result<O, Error>,
    ) -> EarlyExit<Selected<O>> {
        self.done = true;
        let unsent = self.arms.iter_mut().filter_map(|a| a.unsent()).collect();
        EarlyExit::Returned(Selected {
            outcome,
            index,
            unsent,
        })
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl<O> Coroutine<Wake> for Select<'_, O> {
    type Yield = Syscall;
    type Return = Selected<O>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Selected<O>>> {
        if self.done {
            return Err(EarlyExit::Finished);
        }
        // A channel that served this select wins over a deadline or an error.
        if let Some((i, o)) = self.withdraw() {
            return Err(self.finish(Some(i), Ok(o)));
        }
        if let Wake::Thrown(e) = wake {
            return Err(self.finish(None, Err(Error::Thrown(e))));
        }
        for (i, arm) in self.arms.iter_mut().enumerate() {
            if let Some(o) = arm.poll() {
                return Err(self.finish(Some(i), Ok(o)));
            }
        }
        if matches!(wake, Wake::Timeout) || self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.finish(None, Err(Error::Timeout)));
        }
        let Some(me) = sched::running() else {
            return Err(self.finish(None, Err(Error::NoScheduler)));
        };
        let claim = Rc::new(Cell::new(false));
        for arm in &mut self.arms {
            arm.register(me, &claim);
        }
        self.parked = true;
        Ok(Syscall::Park {
            deadline: self.deadline,
            on: waiting_on(&self.arms),
        })
    }

    fn kill(&mut self) {
        self.parked = false;
        for arm in &mut self.arms {
            arm.abandon();
        }
        self.arms.clear();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

#[cfg(test)]
mod tests {
    use super::{Arm, TaskId, Waiting, waiting_on};
    use std::cell::Cell;
    use std::rc::Rc;

    struct Fake(Waiting);

    impl Arm<()> for Fake {
        fn poll(&mut self) -> Option<()> {
            None
        }
        fn register(&mut self, _: TaskId, _: &Rc<Cell<bool>>) {}
        fn withdraw(&mut self) -> Option<()> {
            None
        }
        fn abandon(&mut self) {}
        fn unsent(&mut self) -> Option<()> {
            None
        }
        fn waits_on(&self) -> Waiting {
            self.0
        }
    }

    fn on(kinds: &[Waiting]) -> Waiting {
        let arms: Vec<Box<dyn Arm<()>>> = kinds
            .iter()
            .map(|&w| Box::new(Fake(w)) as Box<dyn Arm<()>>)
            .collect();
        waiting_on(&arms)
    }

    #[test]
    fn a_select_reports_a_socket_only_when_every_arm_waits_on_one() {
        assert_eq!(on(&[]), Waiting::Sleep);
        assert_eq!(on(&[Waiting::Io]), Waiting::Io);
        assert_eq!(on(&[Waiting::Io, Waiting::Io]), Waiting::Io);
        assert_eq!(on(&[Waiting::Io, Waiting::Channel]), Waiting::Channel);
        assert_eq!(on(&[Waiting::Channel]), Waiting::Channel);
    }
}
