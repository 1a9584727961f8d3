//! Microthreads: many coroutines scheduled round-robin on one OS thread, with channels, timers
//! and an I/O dispatcher, so that one microthread waiting on a socket never stalls the others.
//! The second half of Guido van Rossum's "coroutines and microthreads" design, after Stackless
//! Python's tasklets and channels and David Beazley's generator-based `pyos`.
//!
//! A microthread is a `#[coroutine]` whose suspensions are requests to the scheduler
//! ([`Syscall`]) and whose resume values say why it runs again ([`Wake`]):
//!
//! ```
//! use coro::suspend_from;
//! use coro::uthread::{Channel, Error, Scheduler, Syscall, Wake, sleep};
//! use std::time::Duration;
//!
//! #[coro::coroutine(yield = Syscall, resume = Wake)]
//! fn producer(out: Channel<u32>, #[resume] _w: Wake) -> Result<(), Error> {
//!     for i in 0..3 {
//!         suspend_from!(sleep(Duration::from_millis(1)))?;
//!         suspend_from!(out.send(i)).map_err(|e| e.error)?;
//!     }
//!     out.close();
//!     Ok(())
//! }
//!
//! #[coro::coroutine(yield = Syscall, resume = Wake)]
//! fn consumer(inbox: Channel<u32>, #[resume] _w: Wake) -> u32 {
//!     let mut sum = 0;
//!     while let Ok(v) = suspend_from!(inbox.recv()) {
//!         sum += v;
//!     }
//!     sum
//! }
//!
//! let s = Scheduler::new().unwrap();
//! let ch = Channel::new();
//! s.spawn(producer(ch.clone()));
//! let total = s.spawn(consumer(ch));
//! assert!(s.run().is_clean());
//! assert_eq!(total.try_join(), Some(Ok(3)));
//! ```
//!
//! # The pieces
//!
//! - [`Scheduler`]: one per OS thread. [`spawn`](Scheduler::spawn) queues a microthread at the
//!   tail and runs nothing; [`run`](Scheduler::run) drives the queue first come first served
//!   until nothing can run, waiting in the poller (never spinning) while only timers or sockets
//!   are pending, and returns a [`Report`] of what is stuck. Ids increase from 1.
//! - Blocking operations are coroutines to delegate to with `suspend_from!`: [`yield_now`],
//!   [`sleep`], [`Channel::send`] and [`Channel::recv`] (with `_timeout` variants),
//!   [`JoinHandle::join`], and the sockets' [`TcpListener::accept`], [`TcpStream::read`],
//!   [`TcpStream::write_all`] and [`TcpStream::connect`]. Each returns a `Result`, so `?` works.
//! - [`kill`](Scheduler::kill) ends a microthread wherever it is blocked: its locals are
//!   dropped (its sockets close), it leaves the queue it waited in, and its joiners see
//!   [`JoinError::Killed`]. [`throw`](Scheduler::throw) wakes it with an error instead: the
//!   operation it waits in returns [`Error::Thrown`].
//! - A microthread that panics ends; its joiners see [`JoinError::Panicked`], and the others go
//!   on.
//! - [`spawn`], [`current`], [`kill`] and [`throw`] also work from inside microthreads, through
//!   the scheduler of the thread. A child spawned by a microthread is queued before its parent's
//!   next turn.
//!
//! # Sockets and borrows
//!
//! A suspended microthread's state cannot lend a borrow of its own local to an operation
//! (the state would point into itself), so the I/O calls take owned buffers and hand them back,
//! as completion-based runtimes do: `let (n, buf) = suspend_from!(stream.read(buf))?`. Socket
//! handles are reference-counted, so a microthread keeps its `TcpStream` in a local and each
//! operation holds its own handle.
//!
//! # Cost
//!
//! A switch is a resume of the microthread's state machine and a queue operation. Microthreads
//! of one coroutine type keep their states side by side in a pool (no allocation per
//! microthread), and a blocked one costs its own state, an 8-byte borrow flag, a 24-byte slot
//! and its place in the queue it waits in (16 bytes in a channel's, 8 in the run queue). A
//! pool keeps the room of microthreads that ended for later ones of its type, until the
//! scheduler is dropped. `cargo bench -p benchmarks --bench uthreads` measures switches beside
//! a hand-written task queue, tokio and OS threads, and `cargo run --release -p benchmarks
//! --bin memory` the memory per idle microthread (see `BENCHMARKS.md`).
#![forbid(unsafe_code)]
// `kill` and `throw` say whether the target was alive; ignoring that is the common case.
#![allow(clippy::must_use_candidate)]

mod chan;
mod io;
mod sched;
mod stable;

pub use chan::{Channel, Recv, Send, SendError};
pub use io::{Accept, Connect, ReadSome, TcpListener, TcpStream, WriteAll};
pub use sched::{
    Blocked, Join, JoinError, JoinHandle, Report, Scheduler, Sleep, Syscall, TaskId, Uthread,
    Waiting, Wake, YieldNow, current, kill, sleep, spawn, throw, yield_now,
};

use std::fmt;

/// Why a blocking operation did not complete.
#[derive(Debug)]
pub enum Error {
    /// The channel was closed.
    Closed,
    /// The deadline passed first.
    Timeout,
    /// An error thrown into the microthread with [`Scheduler::throw`].
    Thrown(Box<dyn std::error::Error>),
    /// The joined microthread did not return a value.
    Join(JoinError),
    /// A microthread tried to join itself.
    JoinSelf,
    /// A `try_` operation could not complete without waiting.
    WouldBlock,
    /// A blocking operation was run outside a microthread (or without a scheduler on the
    /// thread): plain code can use the `try_` operations instead.
    NoScheduler,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Closed => f.write_str("the channel is closed"),
            Error::Timeout => f.write_str("the deadline passed first"),
            Error::Thrown(e) => write!(f, "an error was thrown into the microthread: {e}"),
            Error::Join(e) => e.fmt(f),
            Error::JoinSelf => f.write_str("a microthread cannot join itself"),
            Error::WouldBlock => f.write_str("the operation would have to wait"),
            Error::NoScheduler => f.write_str(
                "blocking operations need a microthread: use the try_ operations from plain code",
            ),
        }
    }
}

impl std::error::Error for Error {}
