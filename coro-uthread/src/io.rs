//! Sockets: TCP listeners and streams on the reactor, the coroutines that wait on them, and
//! what the UDP and Unix-domain sockets share with them (registration, waiting, reads and
//! writes of byte streams).
//!
//! The top of the crate with `udp` and `unix`, which import it: may import the scheduler, the
//! reactor and the bottom.
//!
//! A read, write or accept is tried at once; when the socket would block, the microthread parks
//! until the poller says the socket is ready, and the operation is tried again. Buffers are
//! owned and handed back (`let (n, buf) = suspend_from!(stream.read(buf))?`): a suspended
//! microthread's state cannot lend a borrow of its own local to the operation. Every operation
//! fails with the crate's one [`Error`]: the system's errors as [`Error::Io`], deadlines and
//! thrown errors as for channels.
//!
//! A [`Select`](crate::Select) waits on a socket's readiness through the [`Readiness`] its
//! sealed traits hand out ([`Readable`], [`Writable`], defined in `select`, below the sockets,
//! and implemented here and in `udp` and `unix`): a stream or datagram socket peeks to tell
//! whether it has something to read, a TCP listener takes the connections the system has
//! completed into its queue, and otherwise (writing, a Unix listener) the poller's last word
//! since an operation found the socket would block ([`Reactor::is_ready`]) answers.
//!
//! [`Reactor::is_ready`]: crate::reactor::Reactor::is_ready

use coro_core::{Coroutine, EarlyExit, Status};
use mio::Token;
use mio::net;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::id::{Syscall, TaskId, Waiting, Wake};
pub(crate) use crate::reactor::{READ, WRITE};
use crate::sched::{self, Inner};
use crate::select::{Readable, Readiness, Writable, sealed};
use std::rc::Weak;

/// A registered socket; deregistered when the last handle goes.
pub(crate) struct Source<S: mio::event::Source + ?Sized> {
    token: Token,
    /// The scheduler whose poller it is registered with.
    sched: Weak<Inner>,
    /// Last, so that a `Source` of a stream can be seen as a `Source<dyn Stream>`.
    pub(crate) io: S,
}

impl<S: mio::event::Source> Source<S> {
    pub(crate) fn new(mut io: S) -> Result<Rc<Self>, Error> {
        let (token, sched) = sched::with_current(|s| {
            s.reactor
                .register(&mut io)
                .map(|token| (token, Rc::downgrade(s)))
        })
        .ok_or(Error::NoScheduler)??;
        Ok(Rc::new(Source { token, sched, io }))
    }
}

impl<S: mio::event::Source + ?Sized> Source<S> {
    /// Parks the running microthread until the socket is ready in that direction, and says
    /// which microthread waits, for [`unwait`](Self::unwait). [`Error::NoScheduler`] if the
    /// scheduler the socket was made under is gone, or no microthread runs.
    fn wait(&self, dir: usize, deadline: Option<Instant>) -> Result<(Syscall, TaskId), Error> {
        let sched = self.sched.upgrade().ok_or(Error::NoScheduler)?;
        let id = sched.running.get().ok_or(Error::NoScheduler)?;
        sched.reactor.wait(self.token, dir, id);
        let park = Syscall::Park {
            deadline,
            on: Waiting::Io,
        };
        Ok((park, id))
    }

    fn unwait(&self, dir: usize, id: TaskId) {
        if let Some(sched) = self.sched.upgrade() {
            sched.reactor.unwait(self.token, dir, id);
        }
    }

    /// Whether the socket is ready in that direction, as far as the poller said since an
    /// operation last found it would block that way: for a select's readiness arm.
    fn poller_ready(&self, dir: usize) -> Option<Result<(), Error>> {
        match self.sched.upgrade() {
            None => Some(Err(Error::NoScheduler)),
            Some(sched) => sched.reactor.is_ready(self.token, dir).then_some(Ok(())),
        }
    }

    /// Wakes every microthread waiting on the socket in that direction.
    fn wake_all(&self, dir: usize) {
        if let Some(sched) = self.sched.upgrade() {
            for id in sched.reactor.wake_all(self.token, dir) {
                sched.wake_task(id, Wake::Ready);
            }
        }
    }
}

impl<S: mio::event::Source + ?Sized> Drop for Source<S> {
    fn drop(&mut self) {
        if let Some(sched) = self.sched.upgrade() {
            sched.reactor.deregister(&mut self.io, self.token);
        }
    }
}

/// How a socket tells, for a select's readiness arm, whether it has something to read without
/// taking it.
pub(crate) trait Peek: mio::event::Source {
    /// Peeks at one byte: `None` if the socket cannot, and the poller's word is taken instead.
    fn peek_one(&self) -> Option<io::Result<usize>> {
        None
    }
}

impl Peek for net::TcpStream {
    fn peek_one(&self) -> Option<io::Result<usize>> {
        Some(self.peek(&mut [0; 1]))
    }
}

impl<S: Peek> Readiness for Source<S> {
    fn ready(&self, dir: usize) -> Option<Result<(), Error>> {
        if self.sched.strong_count() == 0 {
            return Some(Err(Error::NoScheduler));
        }
        if dir == READ {
            loop {
                match self.io.peek_one() {
                    None => break,
                    Some(Ok(_)) => return Some(Ok(())),
                    Some(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => return None,
                    Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                    Some(Err(e)) => return Some(Err(e.into())),
                }
            }
        }
        self.poller_ready(dir)
    }

    fn wait(&self, dir: usize, id: TaskId) {
        if let Some(sched) = self.sched.upgrade() {
            sched.reactor.wait(self.token, dir, id);
        }
    }

    fn unwait(&self, dir: usize, id: TaskId) {
        Source::unwait(self, dir, id);
    }
}

/// A TCP listener as a readiness arm sees it: ready to read when it has a connection to hand
/// to an accept.
struct ListenerReadiness {
    source: Rc<Source<net::TcpListener>>,
    ready: Rc<RefCell<VecDeque<(net::TcpStream, SocketAddr)>>>,
}

impl Readiness for ListenerReadiness {
    fn ready(&self, dir: usize) -> Option<Result<(), Error>> {
        if self.source.sched.strong_count() == 0 {
            return Some(Err(Error::NoScheduler));
        }
        if dir != READ {
            return None;
        }
        if self.ready.borrow().is_empty()
            && let Err(e) = drain(&self.source.io, &self.ready)
        {
            return Some(Err(e.into()));
        }
        (!self.ready.borrow().is_empty()).then_some(Ok(()))
    }

    fn wait(&self, dir: usize, id: TaskId) {
        Readiness::wait(&*self.source, dir, id);
    }

    fn unwait(&self, dir: usize, id: TaskId) {
        self.source.unwait(dir, id);
    }
}

impl sealed::Socket for TcpListener {
    fn readiness(&self) -> sealed::Hook {
        sealed::Hook(Rc::new(ListenerReadiness {
            source: Rc::clone(&self.source),
            ready: Rc::clone(&self.ready),
        }))
    }
}

impl Readable for TcpListener {}

impl sealed::Socket for TcpStream {
    fn readiness(&self) -> sealed::Hook {
        sealed::Hook(self.source.clone())
    }
}

impl Readable for TcpStream {}
impl Writable for TcpStream {}

impl Peek for net::TcpListener {}

/// An operation's hold on a socket in one direction: while it is parked, the microthread
/// waiting. Dropping it (when the operation is killed with its microthread) takes the
/// microthread off the socket.
pub(crate) struct Wait<S: mio::event::Source + ?Sized> {
    pub(crate) source: Rc<Source<S>>,
    dir: usize,
    parked: Option<TaskId>,
}

impl<S: mio::event::Source + ?Sized> Wait<S> {
    pub(crate) fn new(source: &Rc<Source<S>>, dir: usize) -> Self {
        Wait {
            source: Rc::clone(source),
            dir,
            parked: None,
        }
    }

    /// Parks the running microthread until the socket is ready (or the deadline passes).
    pub(crate) fn park<R>(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Syscall, EarlyExit<Result<R, Error>>> {
        match self.source.wait(self.dir, deadline) {
            Ok((park, id)) => {
                self.parked = Some(id);
                Ok(park)
            }
            Err(e) => Err(EarlyExit::Returned(Err(e))),
        }
    }

    /// Takes the microthread off the socket, if it is on it.
    pub(crate) fn clear(&mut self) {
        if let Some(id) = self.parked.take() {
            self.source.unwait(self.dir, id);
        }
    }
}

impl<S: mio::event::Source + ?Sized> Drop for Wait<S> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// A byte stream, TCP or Unix-domain: what [`ReadSome`] and [`WriteAll`] need of it.
pub(crate) trait Stream: mio::event::Source {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize>;
    fn write_some(&self, buf: &[u8]) -> io::Result<usize>;
}

impl Stream for net::TcpStream {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut io = self;
        io.read(buf)
    }

    fn write_some(&self, buf: &[u8]) -> io::Result<usize> {
        let mut io = self;
        io.write(buf)
    }
}

#[cfg(unix)]
impl Stream for net::UnixStream {
    fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut io = self;
        io.read(buf)
    }

    fn write_some(&self, buf: &[u8]) -> io::Result<usize> {
        let mut io = self;
        io.write(buf)
    }
}

impl ReadSome {
    pub(crate) fn new(
        source: Rc<Source<dyn Stream>>,
        buf: Vec<u8>,
        deadline: Option<Instant>,
    ) -> Self {
        ReadSome {
            wait: Wait::new(&source, READ),
            buf: Some(buf),
            deadline,
        }
    }
}

impl WriteAll {
    pub(crate) fn new(source: Rc<Source<dyn Stream>>, buf: Vec<u8>) -> Self {
        WriteAll {
            wait: Wait::new(&source, WRITE),
            buf: Some(buf),
            written: 0,
        }
    }
}

/// What a wait on a socket ended with, other than readiness.
pub(crate) fn interrupted(wake: Wake) -> Option<Error> {
    match wake {
        Wake::Timeout => Some(Error::Timeout),
        Wake::Thrown(e) => Some(Error::Thrown(e)),
        Wake::Start | Wake::Ready => None,
    }
}

/// The addresses `addr` resolves to, or std's error when it resolves to none.
pub(crate) fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        ));
    }
    Ok(addrs)
}

/// A non-blocking listener on `addr`, with `SO_REUSEADDR` on Unix as std and mio set it, and a
/// listen queue of `backlog` connections.
fn listen(addr: SocketAddr, backlog: u32) -> io::Result<net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    // The system caps it (at `net.core.somaxconn` on Linux) without complaining.
    socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    Ok(net::TcpListener::from_std(socket.into()))
}

/// Runs a non-blocking socket operation, again if a signal interrupted it; `Ok(None)` when it
/// would block.
pub(crate) fn attempt<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<Option<T>> {
    loop {
        match op() {
            Ok(value) => return Ok(Some(value)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A TCP listener whose `accept` suspends the microthread until a client connects.
///
/// ```
/// use coro::suspend_from;
/// use coro::uthread::{Error, Scheduler, Syscall, TcpListener, TcpStream, Wake, spawn};
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn greet(listener: TcpListener, clients: usize, #[resume] _w: Wake) -> Result<(), Error> {
///     for _ in 0..clients {
///         let (stream, _peer) = suspend_from!(listener.accept())?;
///         suspend_from!(stream.write_all(b"hello".to_vec()))?;
///     }
///     Ok(())
/// }
///
/// #[coro::coroutine(yield = Syscall, resume = Wake)]
/// fn client(port: u16, #[resume] _w: Wake) -> Result<Vec<u8>, Error> {
///     let stream = suspend_from!(TcpStream::connect(("127.0.0.1", port)))?;
///     let (n, mut buf) = suspend_from!(stream.read(vec![0; 16]))?;
///     buf.truncate(n);
///     Ok(buf)
/// }
///
/// let s = Scheduler::new().unwrap();
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let port = listener.local_addr().unwrap().port();
/// s.spawn(greet(listener, 2));
/// let clients: Vec<_> = (0..2).map(|_| s.spawn(client(port))).collect();
/// assert!(s.run().is_clean());
/// for c in clients {
///     assert_eq!(c.try_join().unwrap().unwrap(), b"hello");
/// }
/// ```
pub struct TcpListener {
    source: Rc<Source<net::TcpListener>>,
    /// Connections accepted from the system and not yet handed to a microthread.
    ready: Rc<RefCell<VecDeque<(net::TcpStream, SocketAddr)>>>,
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.source.io.local_addr().ok())
            .field("ready", &self.ready.borrow().len())
            .finish()
    }
}

impl TcpListener {
    /// The listen queue [`bind`](Self::bind) asks for: connections the system completes and
    /// keeps until they are accepted, as tokio's default. (std and mio ask for 128, which a
    /// burst of connects overflows: the system then drops their handshakes, and the clients
    /// try again a second or more later.)
    pub const DEFAULT_BACKLOG: u32 = 1024;

    /// Binds a non-blocking listener to the first of the addresses `addr` resolves to that
    /// works, as [`std::net::TcpListener::bind`] does, and registers it with this thread's
    /// scheduler. The listen queue holds [`DEFAULT_BACKLOG`](Self::DEFAULT_BACKLOG)
    /// connections.
    ///
    /// A host name is resolved by the system's resolver, which blocks the thread (every
    /// microthread on it) while it asks; an address such as `"127.0.0.1:8080"` or a
    /// [`SocketAddr`] does not.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the last address's error if none can be bound (or `addr` resolves to
    /// nothing), [`Error::NoScheduler`] if this thread has no scheduler.
    pub fn bind(addr: impl ToSocketAddrs) -> Result<TcpListener, Error> {
        Self::bind_with_backlog(addr, Self::DEFAULT_BACKLOG)
    }

    /// [`bind`](Self::bind) with a listen queue of `backlog` connections (the system may cap
    /// it: on Linux at `net.core.somaxconn`).
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind).
    pub fn bind_with_backlog(addr: impl ToSocketAddrs, backlog: u32) -> Result<TcpListener, Error> {
        let mut last = None;
        for addr in resolve(addr)? {
            match listen(addr, backlog) {
                Ok(io) => {
                    return Ok(TcpListener {
                        source: Source::new(io)?,
                        ready: Rc::default(),
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

    /// The address it listens on (with the port chosen, if bound to port 0).
    ///
    /// # Errors
    ///
    /// As [`std::net::TcpListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.local_addr()
    }

    /// The next connection: `let (stream, peer) = suspend_from!(listener.accept())?`.
    ///
    /// When the listener is ready it takes every connection the system has completed, not
    /// one: the others wait in the listener for the next accepts, which answer without a
    /// system call, and other microthreads waiting to accept are woken to take them.
    #[must_use = "an accept does nothing unless delegated to with `suspend_from!`"]
    pub fn accept(&self) -> Accept {
        Accept {
            wait: Wait::new(&self.source, READ),
            ready: Rc::clone(&self.ready),
        }
    }
}

/// The coroutine behind [`TcpListener::accept`].
pub struct Accept {
    wait: Wait<net::TcpListener>,
    ready: Rc<RefCell<VecDeque<(net::TcpStream, SocketAddr)>>>,
}

impl fmt::Debug for Accept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accept").finish_non_exhaustive()
    }
}

/// Takes every connection the system has completed into the listener's queue. An error is
/// returned only when nothing was taken: otherwise the next accept meets it again.
fn drain(
    io: &net::TcpListener,
    ready: &RefCell<VecDeque<(net::TcpStream, SocketAddr)>>,
) -> io::Result<()> {
    let mut ready = ready.borrow_mut();
    loop {
        match attempt(|| io.accept()) {
            Ok(Some(connection)) => ready.push_back(connection),
            Ok(None) => return Ok(()),
            Err(_) if !ready.is_empty() => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for Accept {
    type Yield = Syscall;
    type Return = Result<(TcpStream, SocketAddr), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        if self.ready.borrow().is_empty()
            && let Err(e) = drain(&self.wait.source.io, &self.ready)
        {
            self.kill();
            return Err(EarlyExit::Returned(Err(e.into())));
        }
        let (next, more) = {
            let mut ready = self.ready.borrow_mut();
            (ready.pop_front(), !ready.is_empty())
        };
        let Some((io, peer)) = next else {
            return self.wait.park(None);
        };
        self.kill();
        if more {
            // Connections are left for others: the accepts parked on the listener take them
            // now, without waiting for the system to say it is ready again.
            self.wait.source.wake_all(READ);
        }
        let stream = Source::new(io).map(|source| (TcpStream { source }, peer));
        Err(EarlyExit::Returned(stream))
    }

    fn kill(&mut self) {
        self.wait.clear();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

/// A TCP stream whose reads and writes suspend the microthread until the socket is ready.
///
/// Handles are cheap to clone (the socket closes when the last one goes), so a microthread can
/// keep its stream in a local and still hand the operations their own handle.
#[derive(Clone)]
pub struct TcpStream {
    source: Rc<Source<net::TcpStream>>,
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("peer_addr", &self.source.io.peer_addr().ok())
            .finish()
    }
}

impl TcpStream {
    /// Connects to `addr`: `let stream = suspend_from!(TcpStream::connect(addr))?`. Like
    /// [`std::net::TcpStream::connect`], it tries the addresses `addr` resolves to in turn
    /// and gives the first connection that succeeds, or the last address's error.
    ///
    /// The addresses are resolved here, when the operation is made: a host name is resolved
    /// by the system's resolver, which blocks the thread (every microthread on it) while it
    /// asks; an address such as `"127.0.0.1:8080"`, `("127.0.0.1", port)` or a
    /// [`SocketAddr`] does not. The operation keeps no borrow of `addr`: to connect to a
    /// microthread's own `&str` or slice, make it first (`let c = TcpStream::connect(&addrs[..]);`)
    /// and then delegate to it (`suspend_from!(c)`).
    #[must_use = "a connect does nothing unless delegated to with `suspend_from!`"]
    pub fn connect(addr: impl ToSocketAddrs) -> Connect {
        let (addrs, error) = match resolve(addr) {
            Ok(addrs) => (addrs, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        Connect {
            addrs: addrs.into_iter(),
            addr: None,
            error,
            wait: None,
        }
    }

    /// The address of the other end.
    ///
    /// # Errors
    ///
    /// As [`std::net::TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.source.io.peer_addr()
    }

    /// Reads what is available into `buf` (at most `buf.len()` bytes, from its start), waiting
    /// until something is: `let (n, buf) = suspend_from!(stream.read(buf))?`. `n == 0` means
    /// the other end closed.
    #[must_use = "a read does nothing unless delegated to with `suspend_from!`"]
    pub fn read(&self, buf: Vec<u8>) -> ReadSome {
        ReadSome::new(self.source.clone(), buf, None)
    }

    /// [`read`](Self::read), giving up with [`Error::Timeout`] (whose
    /// [`kind`](Error::kind) is [`io::ErrorKind::TimedOut`]) after `timeout`.
    #[must_use = "a read does nothing unless delegated to with `suspend_from!`"]
    pub fn read_timeout(&self, buf: Vec<u8>, timeout: Duration) -> ReadSome {
        ReadSome::new(self.source.clone(), buf, Some(Instant::now() + timeout))
    }

    /// Writes all of `buf`, waiting as often as the socket needs (partial writes are finished
    /// by further waits), and hands the buffer back: `let buf = suspend_from!(stream.write_all(buf))?`.
    #[must_use = "a write does nothing unless delegated to with `suspend_from!`"]
    pub fn write_all(&self, buf: Vec<u8>) -> WriteAll {
        WriteAll::new(self.source.clone(), buf)
    }

    /// Shuts down the writing half (the other end reads the end of the stream).
    ///
    /// # Errors
    ///
    /// As [`std::net::TcpStream::shutdown`].
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.source.io.shutdown(std::net::Shutdown::Write)
    }
}

/// The coroutine behind [`TcpStream::connect`].
pub struct Connect {
    /// The addresses not tried yet.
    addrs: std::vec::IntoIter<SocketAddr>,
    /// The address being tried.
    addr: Option<SocketAddr>,
    /// The last address's error (or the resolver's).
    error: Option<io::Error>,
    /// The connection under way.
    wait: Option<Wait<net::TcpStream>>,
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("addr", &self.addr)
            .field("next", &self.addrs.as_slice())
            .finish_non_exhaustive()
    }
}

impl Connect {
    /// Starts connecting to the next address that can be tried, and parks; the last error once
    /// none is left.
    fn next_address(&mut self) -> Result<Syscall, EarlyExit<Result<TcpStream, Error>>> {
        for addr in self.addrs.by_ref() {
            self.addr = Some(addr);
            match net::TcpStream::connect(addr) {
                Ok(io) => {
                    let source = match Source::new(io) {
                        Ok(source) => source,
                        Err(e) => return Err(EarlyExit::Returned(Err(e))),
                    };
                    return self.wait.insert(Wait::new(&source, WRITE)).park(None);
                }
                Err(e) => self.error = Some(e),
            }
        }
        let error = self.error.take().map_or(
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any addresses",
            )),
            Error::Io,
        );
        Err(EarlyExit::Returned(Err(error)))
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for Connect {
    type Yield = Syscall;
    type Return = Result<TcpStream, Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(wait) = &mut self.wait else {
            return self.next_address();
        };
        wait.clear();
        let connected = match wait.source.io.take_error() {
            Ok(Some(e)) | Err(e) => Err(e),
            Ok(None) => wait.source.io.peer_addr(),
        };
        match connected {
            // Not yet: the socket became writable for another reason.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => wait.park(None),
            Err(e) => {
                // This address refused: the next one, if any.
                self.wait = None;
                self.error = Some(e);
                self.next_address()
            }
            Ok(_) => {
                let source = Rc::clone(&wait.source);
                self.wait = None;
                Err(EarlyExit::Returned(Ok(TcpStream { source })))
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

/// The coroutine behind [`TcpStream::read`] and `UnixStream::read`.
pub struct ReadSome {
    wait: Wait<dyn Stream>,
    buf: Option<Vec<u8>>,
    deadline: Option<Instant>,
}

impl fmt::Debug for ReadSome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadSome").finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for ReadSome {
    type Yield = Syscall;
    type Return = Result<(usize, Vec<u8>), Error>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(buf) = self.buf.as_mut() else {
            return Err(EarlyExit::Finished);
        };
        match attempt(|| self.wait.source.io.read_some(buf)) {
            Ok(Some(n)) => {
                self.kill();
                let buf = self.buf.take().unwrap_or_default();
                Err(EarlyExit::Returned(Ok((n, buf))))
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

/// The coroutine behind [`TcpStream::write_all`] and `UnixStream::write_all`.
pub struct WriteAll {
    wait: Wait<dyn Stream>,
    buf: Option<Vec<u8>>,
    written: usize,
}

impl fmt::Debug for WriteAll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteAll")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

// Not offered as an "other implementation" when a value is not a coroutine.
#[diagnostic::do_not_recommend]
impl Coroutine<Wake> for WriteAll {
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
        while self.written < buf.len() {
            match attempt(|| self.wait.source.io.write_some(&buf[self.written..])) {
                Ok(Some(0)) => {
                    self.kill();
                    return Err(EarlyExit::Returned(Err(Error::Io(
                        io::ErrorKind::WriteZero.into(),
                    ))));
                }
                Ok(Some(n)) => self.written += n,
                Ok(None) => return self.wait.park(None),
                Err(e) => {
                    self.kill();
                    return Err(EarlyExit::Returned(Err(e.into())));
                }
            }
        }
        self.kill();
        Err(EarlyExit::Returned(Ok(self.buf.take().unwrap_or_default())))
    }

    fn kill(&mut self) {
        self.wait.clear();
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}
