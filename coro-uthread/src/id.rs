//! The bottom of the crate: what names a microthread ([`TaskId`], and the 8-byte [`Key`] that
//! queues keep), what it asks the scheduler for ([`Syscall`], [`Waiting`]) and what it is
//! resumed with ([`Wake`]).
//!
//! Imports nothing of the crate: every other module may import it.

use std::fmt;
use std::time::Instant;

/// What a microthread suspends with: a request to the scheduler.
///
/// Microthreads rarely write these: the blocking operations of this crate
/// ([`yield_now`](crate::yield_now), [`sleep`](crate::sleep), channels, joins, sockets) are
/// coroutines to delegate to with `suspend_from!`, and they make the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syscall {
    /// Go to the tail of the run queue.
    Yield,
    /// Wait until something wakes this microthread ([`Wake::Ready`]), or until the deadline
    /// ([`Wake::Timeout`]). `on` says what it waits for, for [`Report`](crate::Report)s.
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
    /// An error thrown into it with [`Scheduler::throw`](crate::Scheduler::throw) or
    /// [`throw`](crate::throw).
    Thrown(Box<dyn std::error::Error + Send + Sync>),
}

/// A microthread's identity: unique on its thread, increasing from 1 in creation order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TaskId {
    pub(crate) seq: u64,
    pub(crate) slot: u32,
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

/// A running microthread's description, from [`current`](crate::current).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uthread {
    /// Its identity.
    pub id: TaskId,
    /// Its name: the coroutine function's, or the one given to
    /// [`Scheduler::spawn_named`](crate::Scheduler::spawn_named).
    pub name: &'static str,
}

/// What queues keep of a microthread (8 bytes): its slot and the low half of its number, which
/// tells its entries from those left by an earlier occupant of the slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Key {
    pub(crate) slot: u32,
    pub(crate) low: u32,
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
