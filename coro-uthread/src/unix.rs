//! Unix-domain stream sockets, as the TCP ones: accepts, connects, reads and writes suspend
//! the microthread until the socket is ready.
//!
//! Sockets, the top of the crate: may import `io` and everything below it.

use coro_core::{Coroutine, EarlyExit, Status};
use mio::net;
use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Syscall, Wake};
use crate::io::{Peek, READ, ReadSome, Source, WRITE, Wait, WriteAll, attempt, interrupted};
use crate::select::{Readable, Writable, sealed};

impl Peek for net::UnixStream {
    fn peek_one(&self) -> Option<io::Result<usize>> {
        let mut byte = [std::mem::MaybeUninit::uninit()];
        Some(socket2::SockRef::from(self).peek(&mut byte))
    }
}

/// Its readiness to read is the poller's last word: a select may find it ready when the
/// connection it was told of is gone, and the accept then waits.
impl Peek for net::UnixListener {}

impl sealed::Socket for UnixListener {
    fn readiness(&self) -> sealed::Hook {
        sealed::Hook(self.source.clone())
    }
}

impl sealed::Socket for UnixStream {
    fn readiness(&self) -> sealed::Hook {
        sealed::Hook(self.source.clone())
    }
}

impl Readable for UnixListener {}
impl Readable for UnixStream {}
impl Writable for UnixStream {}

/// A Unix-domain stream listener whose `accept` suspends the microthread until a client
/// connects: [`TcpListener`](crate::TcpListener) for a socket file.
///
/// The file stays when the listener is dropped, as with [`std::os::unix::net::UnixListener`]:
/// remove it once done, and before binding the same path again.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Error, Scheduler, UnixListener, UnixStream};
/// use std::path::PathBuf;
///
/// #[coro::uthread]
/// fn greet(listener: UnixListener) -> Result<(), Error> {
///     let (stream, _peer) = suspend_from!(listener.accept())?;
///     suspend_from!(stream.write_all(b"hello".to_vec()))?;
///     Ok(())
/// }
///
/// #[coro::uthread]
/// fn client(path: PathBuf) -> Result<Vec<u8>, Error> {
///     let stream = suspend_from!(UnixStream::connect(path))?;
///     let (n, mut buf) = suspend_from!(stream.read(vec![0; 16]))?;
///     buf.truncate(n);
///     Ok(buf)
/// }
///
/// let dir = std::env::temp_dir().join(format!("uthread-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("greeter.sock");
/// let s = Scheduler::new().unwrap();
/// s.spawn(greet(UnixListener::bind(&path).unwrap()));
/// let got = s.spawn(client(path));
/// assert!(s.run().is_clean());
/// assert_eq!(got.try_join().unwrap().unwrap(), b"hello");
/// std::fs::remove_dir_all(dir).unwrap();
/// ```
pub struct UnixListener {
    source: Rc<Source<net::UnixListener>>,
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local_addr", &self.source.io.local_addr().ok())
            .finish()
    }
}

impl UnixListener {
    /// Binds a non-blocking listener to the socket file `path` (which must not exist), and
    /// registers it with this thread's scheduler.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] as [`std::os::unix::net::UnixListener::bind`] fails
    /// ([`io::ErrorKind::AddrInUse`] if the file exists), [`Error::NoScheduler`] if this
    /// thread has no scheduler.
    pub fn bind(path: impl AsRef<Path>) -> Result<UnixListener, Error> {
        let io = net::UnixListener::bind(path)?;
        Ok(UnixListener {
            source: Source::new(io)?,
        })
    }

    /// The address it listens on.
    ///
    /// # Errors
    ///
    /// As [`std::os::unix::net::UnixListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.local_addr()
    }

    /// The next connection: `let (stream, peer) = suspend_from!(listener.accept())?`.
    #[must_use = "an accept does nothing unless delegated to with `suspend_from!`"]
    pub fn accept(&self) -> UnixAccept {
        UnixAccept {
            wait: Wait::new(&self.source, READ),
        }
    }
}

/// The coroutine behind [`UnixListener::accept`].
pub struct UnixAccept {
    wait: Wait<net::UnixListener>,
}

impl fmt::Debug for UnixAccept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixAccept").finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for UnixAccept {
    type Yield = Syscall;
    type Return = Result<(UnixStream, SocketAddr), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        match attempt(|| self.wait.source.io.accept()) {
            Ok(Some((io, peer))) => {
                self.kill();
                let stream = Source::new(io).map(|source| (UnixStream { source }, peer));
                Err(EarlyExit::Returned(stream))
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

/// A Unix-domain stream whose reads and writes suspend the microthread until the socket is
/// ready: [`TcpStream`](crate::TcpStream) for a socket file, with the same operations and
/// the same owned buffers. Handles are cheap to clone; the socket closes when the last goes.
#[derive(Clone)]
pub struct UnixStream {
    source: Rc<Source<net::UnixStream>>,
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("peer_addr", &self.source.io.peer_addr().ok())
            .finish()
    }
}

impl UnixStream {
    /// Connects to the listener at `path`:
    /// `let stream = suspend_from!(UnixStream::connect(path))?`.
    #[must_use = "a connect does nothing unless delegated to with `suspend_from!`"]
    pub fn connect(path: impl AsRef<Path>) -> UnixConnect {
        UnixConnect {
            path: Some(path.as_ref().to_path_buf()),
            wait: None,
        }
    }

    /// The address of the other end.
    ///
    /// # Errors
    ///
    /// As [`std::os::unix::net::UnixStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.peer_addr()
    }

    /// This end's address.
    ///
    /// # Errors
    ///
    /// As [`std::os::unix::net::UnixStream::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.local_addr()
    }

    /// Reads what is available into `buf`, as [`TcpStream::read`](crate::TcpStream::read):
    /// `let (n, buf) = suspend_from!(stream.read(buf))?`; `n == 0` means the other end closed.
    #[must_use = "a read does nothing unless delegated to with `suspend_from!`"]
    pub fn read(&self, buf: Vec<u8>) -> ReadSome {
        ReadSome::new(self.source.clone(), buf, None)
    }

    /// [`read`](Self::read), giving up with [`Error::Timeout`] after `timeout`.
    #[must_use = "a read does nothing unless delegated to with `suspend_from!`"]
    pub fn read_timeout(&self, buf: Vec<u8>, timeout: Duration) -> ReadSome {
        ReadSome::new(self.source.clone(), buf, Some(Instant::now() + timeout))
    }

    /// Writes all of `buf` and hands it back, as
    /// [`TcpStream::write_all`](crate::TcpStream::write_all):
    /// `let buf = suspend_from!(stream.write_all(buf))?`.
    #[must_use = "a write does nothing unless delegated to with `suspend_from!`"]
    pub fn write_all(&self, buf: Vec<u8>) -> WriteAll {
        WriteAll::new(self.source.clone(), buf)
    }

    /// Shuts down the writing half (the other end reads the end of the stream).
    ///
    /// # Errors
    ///
    /// As [`std::os::unix::net::UnixStream::shutdown`].
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.source.io.shutdown(std::net::Shutdown::Write)
    }
}

/// The coroutine behind [`UnixStream::connect`].
pub struct UnixConnect {
    /// Where to, until the connect starts.
    path: Option<PathBuf>,
    /// The connection under way.
    wait: Option<Wait<net::UnixStream>>,
}

impl fmt::Debug for UnixConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixConnect")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl UnixConnect {
    /// The stream once connected, `None` while the connect is under way.
    fn connected(wait: &Wait<net::UnixStream>) -> Result<Option<UnixStream>, Error> {
        let io = &wait.source.io;
        match io.take_error() {
            Ok(Some(e)) | Err(e) => return Err(e.into()),
            Ok(None) => {}
        }
        match io.peer_addr() {
            Ok(_) => Ok(Some(UnixStream {
                source: Rc::clone(&wait.source),
            })),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for UnixConnect {
    type Yield = Syscall;
    type Return = Result<UnixStream, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        if let Some(path) = self.path.take() {
            let started = net::UnixStream::connect(path)
                .map_err(Error::from)
                .and_then(Source::new);
            match started {
                Ok(source) => self.wait = Some(Wait::new(&source, WRITE)),
                Err(e) => return Err(EarlyExit::Returned(Err(e))),
            }
        }
        let Some(wait) = &mut self.wait else {
            return Err(EarlyExit::Finished);
        };
        wait.clear();
        match Self::connected(wait) {
            // Not yet: wait until the socket is writable.
            Ok(None) => wait.park(None),
            Ok(Some(stream)) => {
                self.wait = None;
                Err(EarlyExit::Returned(Ok(stream)))
            }
            Err(e) => {
                self.wait = None;
                Err(EarlyExit::Returned(Err(e)))
            }
        }
    }

    fn kill(&mut self) {
        self.wait = None;
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}
