//! The error of every blocking operation, and how it converts into the error types programs
//! already use; the errors of joins; the message of a panic.
//!
//! The bottom of the crate with `id`: imports nothing of it.

use std::any::Any;
use std::fmt;
use std::io;

/// Why a blocking operation did not complete: the one error of channels, sleeps, joins and
/// sockets alike, so that `?` works across all of them in one microthread.
///
/// It is `Send + Sync + 'static` and an [`std::error::Error`], so `?` also converts it into
/// `Box<dyn Error + Send + Sync>` and `anyhow::Error`, and a [`From`] impl converts it into
/// [`io::Error`] (a socket's own error comes back unchanged; the others keep their
/// [`kind`](Error::kind) and can be downcast back). [`Error::kind`] says what an
/// [`io::ErrorKind`] would.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Channel, Error, Scheduler, Syscall, TcpStream, Wake};
/// use std::io;
///
/// // Channels and sockets in one function returning `io::Result`.
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn forward(addr: std::net::SocketAddr, inbox: Channel<Vec<u8>>, #[resume] _w: Wake) -> io::Result<()> {
///     let stream = suspend_from!(TcpStream::connect(addr))?;
///     while let Ok(bytes) = suspend_from!(inbox.recv()) {
///         suspend_from!(stream.write_all(bytes))?;
///     }
///     Ok(())
/// }
///
/// let s = Scheduler::new().unwrap();
/// // Nothing listens on this port: the connect fails, and its error keeps its kind.
/// let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
/// let h = s.spawn(forward(addr, Channel::rendezvous()));
/// assert!(s.run().is_clean());
/// let e = h.try_join().unwrap().unwrap_err();
/// assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The channel was closed.
    Closed,
    /// The deadline passed first.
    Timeout,
    /// An error thrown into the microthread with [`Scheduler::throw`](crate::Scheduler::throw).
    Thrown(Box<dyn std::error::Error + Send + Sync>),
    /// The joined microthread did not return a value.
    Join(JoinError),
    /// A microthread tried to join itself.
    JoinSelf,
    /// A `try_` operation could not complete without waiting.
    WouldBlock,
    /// A blocking operation was run outside a microthread (or without a scheduler on the
    /// thread, or on a socket whose scheduler is gone): plain code can use the `try_`
    /// operations instead.
    NoScheduler,
    /// A socket operation failed: the system's error, as `std::net` reports it.
    Io(io::Error),
    /// The closure given to [`spawn_blocking`](crate::spawn_blocking) panicked, with this
    /// message.
    Panicked(String),
}

impl Error {
    /// The [`io::ErrorKind`] this error has when converted into an [`io::Error`]: a socket
    /// error's own kind, [`TimedOut`](io::ErrorKind::TimedOut) for [`Error::Timeout`],
    /// [`WouldBlock`](io::ErrorKind::WouldBlock), [`BrokenPipe`](io::ErrorKind::BrokenPipe)
    /// for [`Error::Closed`], [`Deadlock`](io::ErrorKind::Deadlock) for
    /// [`Error::JoinSelf`], and [`Other`](io::ErrorKind::Other) for the rest.
    ///
    /// ```
    /// use coro::uthread::{Channel, Error};
    /// use std::io;
    ///
    /// let ch = Channel::<u8>::rendezvous();
    /// let e: Error = ch.try_recv().unwrap_err();
    /// assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    /// ch.close();
    /// let e: io::Error = ch.try_recv().unwrap_err().into();
    /// assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    /// assert!(matches!(e.get_ref().and_then(|e| e.downcast_ref()), Some(Error::Closed)));
    /// ```
    #[must_use]
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Io(e) => e.kind(),
            Error::Timeout => io::ErrorKind::TimedOut,
            Error::WouldBlock => io::ErrorKind::WouldBlock,
            Error::Closed => io::ErrorKind::BrokenPipe,
            Error::JoinSelf => io::ErrorKind::Deadlock,
            Error::Thrown(_) | Error::Join(_) | Error::NoScheduler | Error::Panicked(_) => {
                io::ErrorKind::Other
            }
        }
    }
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
            Error::Io(e) => e.fmt(f),
            Error::Panicked(m) => write!(f, "the blocking closure panicked: {m}"),
        }
    }
}

/// The message of a wrapped error is part of this one's, so `source` skips it and goes on to
/// what caused it: a chain printed link by link says each thing once.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Thrown(e) => e.source(),
            Error::Io(e) => e.source(),
            _ => None,
        }
    }
}

/// A socket's error, as [`Error::Io`]; an [`io::Error`] made from an [`Error`] becomes that
/// error again.
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        e.downcast::<Error>().unwrap_or_else(Error::Io)
    }
}

/// For `?` in functions that return [`io::Result`]: a socket's error comes back as it was;
/// the others become an [`io::Error`] of their [`kind`](Error::kind), with the [`Error`]
/// inside.
impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            e => io::Error::new(e.kind(), e),
        }
    }
}

impl From<JoinError> for Error {
    fn from(e: JoinError) -> Self {
        Error::Join(e)
    }
}

/// Why [`JoinHandle::join`](crate::JoinHandle::join) has no value.
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

/// Why [`JoinHandle::try_join`](crate::JoinHandle::try_join) has no value: not yet, or never.
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

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_survives_a_round_trip_through_io_error() {
        let e: io::Error = Error::Timeout.into();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(matches!(Error::from(e), Error::Timeout));
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let e = io::Error::from(Error::from(refused));
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
        assert!(
            e.get_ref().is_none(),
            "a socket's error comes back unchanged"
        );
    }
}
