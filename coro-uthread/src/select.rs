//! Waiting on several channel operations and a timeout at once ([`Select`]): the first one
//! ready wins, and the others are withdrawn with nothing lost.
//!
//! A blocking operation: may import the scheduler, the channels and what is below them;
//! nothing imports it but the crate root.

use coro_core::{Coroutine, EarlyExit, Status};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::chan::{Channel, SendError};
use crate::error::Error;
use crate::id::{Key, Syscall, Waiting, Wake};
use crate::sched;

/// One operation of a select, its channel's type hidden behind the outcome `O`.
trait Arm<O> {
    /// Completes the operation without waiting, if it can: its outcome.
    fn poll(&mut self) -> Option<O>;
    /// Waits in the channel's queue under the select's shared flag.
    fn register(&mut self, me: Key, claim: &Rc<Cell<bool>>);
    /// Leaves the channel's queue: the outcome if the channel served this arm meanwhile.
    fn withdraw(&mut self) -> Option<O>;
    /// Leaves the channel's queue for good (the select is killed or dropped): a value already
    /// handed over goes back to the channel.
    fn abandon(&mut self);
    /// A send that did not happen: its closure's outcome, with the value back.
    fn unsent(&mut self) -> Option<O>;
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

    fn register(&mut self, me: Key, claim: &Rc<Cell<bool>>) {
        self.ticket = Some(self.chan.register_recv(me, claim));
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

    fn register(&mut self, me: Key, claim: &Rc<Cell<bool>>) {
        if let Some(value) = self.value.take() {
            self.ticket = Some(self.chan.register_send(value, me, claim));
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

/// Waits on several channel operations and a timeout at once, as Go's `select` and
/// Stackless's `channel` selection do: the first operation ready wins, and the others are
/// withdrawn with nothing lost. A coroutine to delegate to with `suspend_from!`.
///
/// Each arm is an operation and a closure that turns its result into the select's outcome
/// `O` (usually an enum of the caller's, one variant an arm):
///
/// - [`recv(&ch, f)`](Self::recv): a receive; `f` gets what [`Channel::recv`] would return
///   (a value, or [`Error::Closed`]: a closed and empty channel is ready at once).
/// - [`send(&ch, value, f)`](Self::send): a send; `f` gets what [`Channel::send`] would
///   return (`Ok(())` once the value is taken or buffered, or the value back in a
///   [`SendError`] with [`Error::Closed`]).
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
#[must_use = "a select does nothing unless delegated to with `suspend_from!`"]
pub struct Select<'a, O> {
    arms: Vec<Box<dyn Arm<O> + 'a>>,
    deadline: Option<Instant>,
    /// Whether its arms wait in their channels' queues.
    parked: bool,
    done: bool,
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
    /// A select with no arms: add them with [`recv`](Self::recv), [`send`](Self::send) and
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
            arm.register(me.key(), &claim);
        }
        self.parked = true;
        Ok(Syscall::Park {
            deadline: self.deadline,
            on: if self.arms.is_empty() {
                Waiting::Sleep
            } else {
                Waiting::Channel
            },
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
