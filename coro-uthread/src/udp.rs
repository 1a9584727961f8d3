//! UDP sockets whose sends and receives suspend the microthread until the socket is ready,
//! with owned buffers as for TCP streams.
//!
//! Sockets, the top of the crate: may import `io` and everything below it.

use coro_core::{Coroutine, EarlyExit, Status};
use mio::net;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Syscall, Wake};
use crate::io::{Peek, READ, Source, WRITE, Wait, attempt, interrupted, resolve};
use crate::select::{Readable, Writable, sealed};

impl Peek for net::UdpSocket {
    fn peek_one(&self) -> Option<io::Result<usize>> {
        Some(self.peek_from(&mut [0; 1]).map(|(n, _)| n))
    }
}

impl sealed::Socket for UdpSocket {
    fn readiness(&self) -> sealed::Hook {
        sealed::Hook(self.source.clone())
    }
}

/// Ready to read when a datagram waits.
impl Readable for UdpSocket {}
impl Writable for UdpSocket {}

/// A UDP socket whose sends and receives suspend the microthread until the socket is ready.
///
/// As for [`TcpStream`](crate::TcpStream), the operations take owned buffers and hand them
/// back, and handles are cheap to clone (the socket closes when the last one goes):
/// `let (n, from, buf) = suspend_from!(socket.recv_from(buf))?`.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Error, Scheduler, UdpSocket};
/// use std::net::SocketAddr;
///
/// /// Answers one datagram with the same bytes reversed.
/// #[coro::uthread]
/// fn reverser(socket: UdpSocket) -> Result<(), Error> {
///     let (n, from, mut buf) = suspend_from!(socket.recv_from(vec![0; 64]))?;
///     buf.truncate(n);
///     buf.reverse();
///     suspend_from!(socket.send_to(buf, from))?;
///     Ok(())
/// }
///
/// #[coro::uthread]
/// fn ask(server: SocketAddr) -> Result<Vec<u8>, Error> {
///     let socket = UdpSocket::bind("127.0.0.1:0")?;
///     socket.connect(server)?;
///     suspend_from!(socket.send(b"abc".to_vec()))?;
///     let (n, mut buf) = suspend_from!(socket.recv(vec![0; 64]))?;
///     buf.truncate(n);
///     Ok(buf)
/// }
///
/// let s = Scheduler::new().unwrap();
/// let server = UdpSocket::bind("127.0.0.1:0").unwrap();
/// let addr = server.local_addr().unwrap();
/// s.spawn(reverser(server));
/// let answer = s.spawn(ask(addr));
/// assert!(s.run().is_clean());
/// assert_eq!(answer.try_join().unwrap().unwrap(), b"cba");
/// ```
#[derive(Clone)]
pub struct UdpSocket {
    source: Rc<Source<net::UdpSocket>>,
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.source.io.local_addr().ok())
            .field("peer_addr", &self.source.io.peer_addr().ok())
            .finish()
    }
}

impl UdpSocket {
    /// Binds a non-blocking socket to the first of the addresses `addr` resolves to that
    /// works, as [`std::net::UdpSocket::bind`] does, and registers it with this thread's
    /// scheduler. A host name is resolved by the system's resolver, which blocks the thread
    /// while it asks; an address such as `"127.0.0.1:0"` does not.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the last address's error if none can be bound (or `addr` resolves to
    /// nothing), [`Error::NoScheduler`] if this thread has no scheduler.
    pub fn bind(addr: impl ToSocketAddrs) -> Result<UdpSocket, Error> {
        let mut last = None;
        for addr in resolve(addr)? {
            match net::UdpSocket::bind(addr) {
                Ok(io) => {
                    return Ok(UdpSocket {
                        source: Source::new(io)?,
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(Error::Io(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any addresses",
            )
        })))
    }

    /// Connects the socket to the first of the addresses `addr` resolves to that works, as
    /// [`std::net::UdpSocket::connect`] does: [`send`](Self::send) goes there, and
    /// [`recv`](Self::recv) takes datagrams from there only. Nothing is sent, so nothing
    /// waits.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the last address's error.
    pub fn connect(&self, addr: impl ToSocketAddrs) -> Result<(), Error> {
        let mut last = None;
        for addr in resolve(addr)? {
            match self.source.io.connect(addr) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(Error::Io(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any addresses",
            )
        })))
    }

    /// The address it is bound to (with the port chosen, if bound to port 0).
    ///
    /// # Errors
    ///
    /// As [`std::net::UdpSocket::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.local_addr()
    }

    /// The address it is connected to.
    ///
    /// # Errors
    ///
    /// As [`std::net::UdpSocket::peer_addr`]: [`io::ErrorKind::NotConnected`] if it is not.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.peer_addr()
    }

    /// Sends `buf` as one datagram to `addr` (the first address it resolves to, as std does),
    /// waiting while the socket cannot take it, and hands the buffer back:
    /// `let buf = suspend_from!(socket.send_to(buf, addr))?`.
    ///
    /// The address is resolved here, when the operation is made, as for
    /// [`TcpStream::connect`](crate::TcpStream::connect).
    #[must_use = "a send does nothing unless delegated to with `suspend_from!`"]
    pub fn send_to(&self, buf: Vec<u8>, addr: impl ToSocketAddrs) -> SendTo {
        let target = match addr.to_socket_addrs() {
            Ok(mut addrs) => addrs.next().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
            }),
            Err(e) => Err(e),
        };
        SendTo {
            wait: Wait::new(&self.source, WRITE),
            buf: Some(buf),
            target: Some(target),
        }
    }

    /// Sends `buf` as one datagram to the address the socket is [connected](Self::connect)
    /// to, and hands the buffer back: `let buf = suspend_from!(socket.send(buf))?`.
    #[must_use = "a send does nothing unless delegated to with `suspend_from!`"]
    pub fn send(&self, buf: Vec<u8>) -> SendTo {
        SendTo {
            wait: Wait::new(&self.source, WRITE),
            buf: Some(buf),
            target: None,
        }
    }

    /// Receives one datagram into `buf` (from its start; the rest of a datagram longer than
    /// `buf` is lost, as with std), waiting until one comes:
    /// `let (n, from, buf) = suspend_from!(socket.recv_from(buf))?`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv_from(&self, buf: Vec<u8>) -> RecvFrom {
        RecvFrom {
            wait: Wait::new(&self.source, READ),
            buf: Some(buf),
            deadline: None,
        }
    }

    /// [`recv_from`](Self::recv_from), giving up with [`Error::Timeout`] after `timeout`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv_from_timeout(&self, buf: Vec<u8>, timeout: Duration) -> RecvFrom {
        let mut recv = self.recv_from(buf);
        recv.deadline = Some(Instant::now() + timeout);
        recv
    }

    /// Receives one datagram from the address the socket is [connected](Self::connect) to:
    /// `let (n, buf) = suspend_from!(socket.recv(buf))?`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv(&self, buf: Vec<u8>) -> RecvConnected {
        RecvConnected {
            inner: self.recv_from(buf),
        }
    }

    /// [`recv`](Self::recv), giving up with [`Error::Timeout`] after `timeout`.
    #[must_use = "a receive does nothing unless delegated to with `suspend_from!`"]
    pub fn recv_timeout(&self, buf: Vec<u8>, timeout: Duration) -> RecvConnected {
        RecvConnected {
            inner: self.recv_from_timeout(buf, timeout),
        }
    }
}

/// The coroutine behind [`UdpSocket::send_to`] and [`UdpSocket::send`].
pub struct SendTo {
    wait: Wait<net::UdpSocket>,
    buf: Option<Vec<u8>>,
    /// Where to, or the error resolving it; `None` for the connected address.
    target: Option<io::Result<SocketAddr>>,
}

impl fmt::Debug for SendTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendTo")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for SendTo {
    type Yield = Syscall;
    type Return = Result<Vec<u8>, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(buf) = self.buf.as_ref() else {
            return Err(EarlyExit::Finished);
        };
        let target = match &mut self.target {
            Some(Ok(addr)) => Some(*addr),
            Some(Err(e)) => {
                let e = std::mem::replace(e, io::ErrorKind::InvalidInput.into());
                return Err(EarlyExit::Returned(Err(Error::Io(e))));
            }
            None => None,
        };
        let io = &self.wait.source.io;
        let sent = attempt(|| match target {
            Some(addr) => io.send_to(buf, addr),
            None => io.send(buf),
        });
        match sent {
            Ok(Some(n)) => {
                self.kill();
                let buf = self.buf.take().unwrap_or_default();
                if n < buf.len() {
                    return Err(EarlyExit::Returned(Err(Error::Io(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the datagram was sent in part",
                    )))));
                }
                Err(EarlyExit::Returned(Ok(buf)))
            }
            Ok(None) => self.wait.park(None),
            Err(e) => {
                self.kill();
                Err(EarlyExit::Returned(Err(e.into())))
            }
        }
    }

    fn kill(&mut self) {
        self.wait.clear();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

/// The coroutine behind [`UdpSocket::recv_from`].
pub struct RecvFrom {
    wait: Wait<net::UdpSocket>,
    buf: Option<Vec<u8>>,
    deadline: Option<Instant>,
}

impl fmt::Debug for RecvFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFrom").finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for RecvFrom {
    type Yield = Syscall;
    type Return = Result<(usize, SocketAddr, Vec<u8>), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(buf) = self.buf.as_mut() else {
            return Err(EarlyExit::Finished);
        };
        match attempt(|| self.wait.source.io.recv_from(buf)) {
            Ok(Some((n, from))) => {
                self.kill();
                let buf = self.buf.take().unwrap_or_default();
                Err(EarlyExit::Returned(Ok((n, from, buf))))
            }
            Ok(None) => self.wait.park(self.deadline),
            Err(e) => {
                self.kill();
                Err(EarlyExit::Returned(Err(e.into())))
            }
        }
    }

    fn kill(&mut self) {
        self.wait.clear();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

/// The coroutine behind [`UdpSocket::recv`]: a [`RecvFrom`] without the sender, which is
/// the connected address.
#[derive(Debug)]
pub struct RecvConnected {
    inner: RecvFrom,
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for RecvConnected {
    type Yield = Syscall;
    type Return = Result<(usize, Vec<u8>), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        self.inner
            .resume(wake)
            .map_err(|exit| exit.map(|r| r.map(|(n, _, buf)| (n, buf))))
    }

    fn kill(&mut self) {
        self.inner.kill();
    }

    fn status(&self) -> Status {
        self.inner.status()
    }
}
