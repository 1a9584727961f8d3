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
//!         suspend_from!(out.send(i))?;
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
//! let ch = Channel::rendezvous();
//! s.spawn(producer(ch.clone()));
//! let total = s.spawn(consumer(ch));
//! assert!(s.run().is_clean());
//! assert_eq!(total.try_join(), Ok(3));
//! ```
//!
//! # The pieces
//!
//! - [`Scheduler`]: one per OS thread. [`spawn`](Scheduler::spawn) queues a microthread at the
//!   tail and runs nothing; [`run`](Scheduler::run) drives the queue first come first served
//!   until nothing can run, waiting in the poller (never spinning) while only timers or sockets
//!   are pending, and returns a [`Report`] of what is stuck. Ids increase from 1.
//!   [`run_for`](Scheduler::run_for) and [`run_until`](Scheduler::run_until) return earlier,
//!   when the time is up or a given microthread has ended ([`Stopped`]), and keep the others
//!   for the next run: the scheduler embedded in a loop of its own.
//! - Blocking operations are coroutines to delegate to with `suspend_from!`: [`yield_now`],
//!   [`sleep`], [`Channel::send`] and [`Channel::recv`] (with `_timeout` variants),
//!   [`JoinHandle::join`], and the sockets' [`TcpListener::accept`], [`TcpStream::read`],
//!   [`TcpStream::write_all`] and [`TcpStream::connect`], and the datagrams'
//!   [`UdpSocket::send_to`] and [`UdpSocket::recv_from`]. On Unix, `UnixListener` and
//!   `UnixStream` do for socket files what the TCP ones do.
//! - [`Select`] waits on several channel sends and receives, sockets' readiness
//!   ([`Select::readable`], [`Select::writable`]: the microthread then reads or writes with
//!   the socket's own operations, which do not wait) and a timeout at once: the first ready
//!   wins (the first listed, when several are), and the others are withdrawn with nothing
//!   lost (a losing send hands its value back, a losing readiness arm leaves its socket's
//!   waiters).
//! - [`spawn_blocking`] runs a closure that blocks (a file read, a host name lookup) on a
//!   small pool of OS threads and hands its value to the microthread waiting for it, while
//!   the others go on.
//! - [`Channel::rendezvous`] makes Stackless's channel, where a send waits until a receiver
//!   takes the value; [`Channel::bounded`] one whose sends wait only when its buffer is full.
//! - [`JoinHandle::try_join`] answers without waiting, from plain code or a microthread:
//!   `Ok(value)`, or a [`TryJoinError`] that says "not finished yet" or why there will be no
//!   value.
//!
//! - [`kill`](Scheduler::kill) ends a microthread wherever it is blocked: its locals are
//!   dropped (its sockets close), it leaves the queue it waited in, and its joiners see
//!   [`JoinError::Killed`]. [`throw`](Scheduler::throw) wakes it with an error instead (any
//!   `Send + Sync` error, or a string): the operation it waits in returns [`Error::Thrown`].
//! - A microthread that panics ends; its joiners see [`JoinError::Panicked`], and the others go
//!   on.
//! - [`spawn`], [`current`], [`kill`] and [`throw`] also work from inside microthreads, through
//!   the scheduler of the thread. A child spawned by a microthread is queued before its parent's
//!   next turn.
//!
//! # Errors
//!
//! Every blocking operation fails with the one [`Error`] (a send also hands its value back, in
//! a [`SendError`] that converts into [`Error`]), so `?` works across channels, sleeps, joins
//! and sockets in one microthread. [`Error`] is `Send + Sync + 'static` and an
//! [`std::error::Error`]: `?` converts it into [`std::io::Error`] (keeping a socket error's
//! [`ErrorKind`](std::io::ErrorKind), see [`Error::kind`]), `Box<dyn Error + Send + Sync>` and
//! `anyhow::Error`.
//!
//! ```
//! use coro::suspend_from;
//! use coro::uthread::{Channel, Scheduler, Syscall, TcpListener, TcpStream, Wake, spawn};
//! use std::io;
//!
//! /// Sends every line it reads from a client down a channel.
//! #[coro::coroutine(yield = Syscall, resume = Wake)]
//! fn lines(listener: TcpListener, out: Channel<String>, #[resume] _w: Wake) -> io::Result<()> {
//!     let (stream, _) = suspend_from!(listener.accept())?;           // a socket's error
//!     let mut text = Vec::new();
//!     loop {
//!         let (n, buf) = suspend_from!(stream.read(vec![0; 64]))?;
//!         if n == 0 {
//!             break;
//!         }
//!         text.extend_from_slice(&buf[..n]);
//!     }
//!     let lines: Vec<String> = String::from_utf8_lossy(&text).lines().map(Into::into).collect();
//!     for line in lines {
//!         suspend_from!(out.send(line))?;                             // a channel's
//!     }
//!     out.close();
//!     Ok(())
//! }
//!
//! #[coro::coroutine(yield = Syscall, resume = Wake)]
//! fn client(addr: std::net::SocketAddr, #[resume] _w: Wake) -> io::Result<()> {
//!     let stream = suspend_from!(TcpStream::connect(addr))?;
//!     suspend_from!(stream.write_all(b"one\ntwo\n".to_vec()))?;
//!     stream.shutdown_write()
//! }
//!
//! #[coro::coroutine(yield = Syscall, resume = Wake)]
//! fn collect(inbox: Channel<String>, #[resume] _w: Wake) -> Vec<String> {
//!     let mut got = Vec::new();
//!     while let Ok(line) = suspend_from!(inbox.recv()) {
//!         got.push(line);
//!     }
//!     got
//! }
//!
//! let s = Scheduler::new().unwrap();
//! let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//! let addr = listener.local_addr().unwrap();
//! let ch = Channel::rendezvous();
//! let server = s.spawn(lines(listener, ch.clone()));
//! s.spawn(client(addr));
//! let got = s.spawn(collect(ch));
//! assert!(s.run().is_clean());
//! assert!(server.try_join().unwrap().is_ok());
//! assert_eq!(got.try_join().unwrap(), ["one", "two"]);
//! ```
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
//! A switch is a resume of the microthread's state machine and a queue operation: queues hold
//! 8-byte keys, and everything the scheduler knows of a microthread (its state of run, its
//! claims, a name, a thrown error, its joiners) is in a 24-byte slot found by index; a send or
//! receive blocked on a channel has a slot of the channel's own table, found by the index its
//! ticket carries; so no spawn, switch, block on a channel, wake, end or join hashes anything.
//! Microthreads of one coroutine type keep their states side by side in a pool (no allocation
//! per microthread), and a microthread's result waits in its state's place for its handle. A
//! blocked one costs its own state, an 8-byte borrow flag, its slot and its place in the queue
//! it waits in (8 bytes, and in a channel a slot of its table). A pool keeps the room of microthreads that ended for later
//! ones of its type, until the scheduler is dropped. `cargo bench -p benchmarks --bench
//! uthreads` measures switches and spawns beside a hand-written task queue, tokio and OS
//! threads, and `cargo run --release -p benchmarks --bin memory` the memory per idle
//! microthread (see `BENCHMARKS.md`).
#![forbid(unsafe_code)]
// `kill` and `throw` say whether the target was alive; ignoring that is the common case.
#![allow(clippy::must_use_candidate)]

// The modules in layers, bottom to top: a module imports only from the layers below its own
// (and, within a layer, the reactor from the thread pool, `udp` and `unix` from `io`).
//
// The bottom: names, requests and wake reasons; errors; a vector whose elements never move.
mod error;
mod id;
mod stable;
// The state pool; the thread pool of `spawn_blocking`; the reactor over sockets and that pool.
mod pool;
mod reactor;
mod threads;
// The scheduler.
mod sched;
// The blocking operations: channels, joins, yields and sleeps, blocking closures, and (over
// channels and, through the readiness traits the sockets implement, sockets) selects.
mod blocking;
mod chan;
mod select;
mod wait;
// Sockets.
mod io;
mod udp;
#[cfg(unix)]
mod unix;

pub use blocking::{SpawnBlocking, spawn_blocking};
pub use chan::{Channel, Recv, Send, SendError};
pub use error::{Error, JoinError, TryJoinError};
pub use id::{Syscall, TaskId, Uthread, Waiting, Wake};
pub use io::{Accept, Connect, ReadSome, TcpListener, TcpStream, WriteAll};
pub use sched::{Blocked, JoinHandle, Report, Scheduler, Stopped, current, kill, spawn, throw};
pub use select::{Readable, Select, Selected, Writable};
pub use udp::{RecvConnected, RecvFrom, SendTo, UdpSocket};
#[cfg(unix)]
pub use unix::{UnixAccept, UnixConnect, UnixListener, UnixStream};
pub use wait::{Join, Sleep, YieldNow, sleep, yield_now};
