//! The I/O dispatcher: sockets registered with the poller (epoll on Linux, through `mio`), and
//! the coroutines that wait on them.
//!
//! A read, write or accept is tried at once; when the socket would block, the microthread parks
//! until the poller says the socket is ready, and the operation is tried again. Buffers are
//! owned and handed back (`let (n, buf) = suspend_from!(stream.read(buf))?`): a suspended
//! microthread's state cannot lend a borrow of its own local to the operation.

use coro_core::{Coroutine, EarlyExit, Status};
use mio::net;
use mio::{Events, Interest, Poll, Token};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::sched::{self, Inner, Syscall, TaskId, Waiting, Wake};
use std::rc::Weak;

const READ: usize = 0;
const WRITE: usize = 1;

pub(crate) struct Reactor {
    poll: RefCell<Poll>,
    events: RefCell<Events>,
    /// For each registered socket, the microthreads waiting to read and those waiting to write.
    waiters: RefCell<HashMap<Token, [Vec<TaskId>; 2]>>,
    waiting: Cell<usize>,
    next_token: Cell<usize>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            poll: RefCell::new(Poll::new()?),
            events: RefCell::new(Events::with_capacity(1024)),
            waiters: RefCell::new(HashMap::new()),
            waiting: Cell::new(0),
            next_token: Cell::new(0),
        })
    }

    /// Whether a microthread waits on a socket.
    pub(crate) fn has_waiters(&self) -> bool {
        self.waiting.get() > 0
    }

    /// Blocks until a socket is ready or `timeout` passes, and wakes the microthreads waiting
    /// on the ready sockets.
    pub(crate) fn poll(&self, timeout: Option<Duration>) -> io::Result<()> {
        let mut events = self.events.borrow_mut();
        loop {
            match self.poll.borrow_mut().poll(&mut events, timeout) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let mut ready = Vec::new();
        {
            let mut waiters = self.waiters.borrow_mut();
            for event in events.iter() {
                let Some(w) = waiters.get_mut(&event.token()) else {
                    continue;
                };
                let failed = event.is_error();
                if event.is_readable() || event.is_read_closed() || failed {
                    ready.append(&mut w[READ]);
                }
                if event.is_writable() || event.is_write_closed() || failed {
                    ready.append(&mut w[WRITE]);
                }
            }
        }
        self.waiting.set(self.waiting.get() - ready.len());
        drop(events);
        for id in ready {
            sched::wake_task(id, Wake::Ready);
        }
        Ok(())
    }

    fn register(&self, source: &mut impl mio::event::Source) -> io::Result<Token> {
        let token = Token(self.next_token.get());
        self.next_token.set(token.0 + 1);
        self.poll.borrow().registry().register(
            source,
            token,
            Interest::READABLE | Interest::WRITABLE,
        )?;
        self.waiters
            .borrow_mut()
            .insert(token, [Vec::new(), Vec::new()]);
        Ok(token)
    }

    fn deregister(&self, source: &mut impl mio::event::Source, token: Token) {
        // Closing the socket removes it from epoll anyway; this only tidies up.
        let _ = self.poll.borrow().registry().deregister(source);
        if let Some(w) = self.waiters.borrow_mut().remove(&token) {
            let n = w.iter().map(Vec::len).sum::<usize>();
            self.waiting.set(self.waiting.get() - n);
        }
    }

    fn wait(&self, token: Token, dir: usize, id: TaskId) {
        if let Some(w) = self.waiters.borrow_mut().get_mut(&token)
            && !w[dir].contains(&id)
        {
            w[dir].push(id);
            self.waiting.set(self.waiting.get() + 1);
        }
    }

    fn unwait(&self, token: Token, dir: usize, id: TaskId) {
        if let Some(w) = self.waiters.borrow_mut().get_mut(&token)
            && let Some(at) = w[dir].iter().position(|x| *x == id)
        {
            w[dir].swap_remove(at);
            self.waiting.set(self.waiting.get() - 1);
        }
    }
}

/// A registered socket; deregistered when the last handle goes.
struct Source<S: mio::event::Source> {
    io: S,
    token: Token,
    /// The scheduler whose poller it is registered with.
    sched: Weak<Inner>,
}

impl<S: mio::event::Source> Source<S> {
    fn new(mut io: S) -> io::Result<Rc<Self>> {
        let (token, sched) = sched::with_current(|s| {
            s.reactor
                .register(&mut io)
                .map(|token| (token, Rc::downgrade(s)))
        })
        .ok_or_else(no_scheduler)??;
        Ok(Rc::new(Source { io, token, sched }))
    }

    /// Parks the running microthread until the socket is ready in that direction, and says
    /// which microthread waits, for [`unwait`](Self::unwait).
    fn wait(&self, dir: usize, deadline: Option<Instant>) -> io::Result<(Syscall, TaskId)> {
        let sched = self
            .sched
            .upgrade()
            .ok_or_else(|| io::Error::other("the scheduler this socket was made under is gone"))?;
        let id = sched
            .running
            .get()
            .ok_or_else(|| io::Error::other("socket operations wait in microthreads only"))?;
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
}

impl<S: mio::event::Source> Drop for Source<S> {
    fn drop(&mut self) {
        if let Some(sched) = self.sched.upgrade() {
            sched.reactor.deregister(&mut self.io, self.token);
        }
    }
}

/// An operation's hold on a socket in one direction: while it is parked, the microthread
/// waiting. Dropping it (when the operation is killed with its microthread) takes the
/// microthread off the socket.
struct Wait<S: mio::event::Source> {
    source: Rc<Source<S>>,
    dir: usize,
    parked: Option<TaskId>,
}

impl<S: mio::event::Source> Wait<S> {
    fn new(source: &Rc<Source<S>>, dir: usize) -> Self {
        Wait {
            source: Rc::clone(source),
            dir,
            parked: None,
        }
    }

    /// Parks the running microthread until the socket is ready (or the deadline passes).
    fn park<R>(&mut self, deadline: Option<Instant>) -> Result<Syscall, EarlyExit<io::Result<R>>> {
        match self.source.wait(self.dir, deadline) {
            Ok((park, id)) => {
                self.parked = Some(id);
                Ok(park)
            }
            Err(e) => Err(EarlyExit::Returned(Err(e))),
        }
    }

    /// Takes the microthread off the socket, if it is on it.
    fn clear(&mut self) {
        if let Some(id) = self.parked.take() {
            self.source.unwait(self.dir, id);
        }
    }
}

impl<S: mio::event::Source> Drop for Wait<S> {
    fn drop(&mut self) {
        self.clear();
    }
}

fn no_scheduler() -> io::Error {
    io::Error::other("sockets of coro::uthread need a Scheduler on this thread")
}

/// What a wait on a socket ended with, other than readiness.
fn interrupted(wake: Wake) -> Option<io::Error> {
    match wake {
        Wake::Timeout => Some(io::Error::new(
            io::ErrorKind::TimedOut,
            "the deadline passed first",
        )),
        Wake::Thrown(e) => Some(io::Error::other(e.to_string())),
        Wake::Start | Wake::Ready => None,
    }
}

/// Runs a non-blocking socket operation, again if a signal interrupted it; `Ok(None)` when it
/// would block.
fn attempt<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<Option<T>> {
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
pub struct TcpListener {
    source: Rc<Source<net::TcpListener>>,
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.source.io.local_addr().ok())
            .finish()
    }
}

impl TcpListener {
    /// Binds a non-blocking listener and registers it with this thread's scheduler.
    ///
    /// # Errors
    ///
    /// If binding fails, or this thread has no scheduler.
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        Ok(TcpListener {
            source: Source::new(net::TcpListener::bind(addr)?)?,
        })
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
    #[must_use = "an accept does nothing unless delegated to with `suspend_from!`"]
    pub fn accept(&self) -> Accept {
        Accept {
            wait: Wait::new(&self.source, READ),
        }
    }
}

/// The coroutine behind [`TcpListener::accept`].
pub struct Accept {
    wait: Wait<net::TcpListener>,
}

impl fmt::Debug for Accept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accept").finish_non_exhaustive()
    }
}

impl Coroutine<Wake> for Accept {
    type Yield = Syscall;
    type Return = io::Result<(TcpStream, SocketAddr)>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        match attempt(|| self.wait.source.io.accept()) {
            Ok(Some((io, peer))) => {
                self.kill();
                let stream = Source::new(io).map(|source| (TcpStream { source }, peer));
                Err(EarlyExit::Returned(stream))
            }
            Ok(None) => self.wait.park(None),
            Err(e) => {
                self.kill();
                Err(EarlyExit::Returned(Err(e)))
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
    /// Connects to `addr`: `let stream = suspend_from!(TcpStream::connect(addr))?`.
    #[must_use = "a connect does nothing unless delegated to with `suspend_from!`"]
    pub fn connect(addr: SocketAddr) -> Connect {
        Connect { addr, wait: None }
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
        ReadSome {
            wait: Wait::new(&self.source, READ),
            buf: Some(buf),
            deadline: None,
        }
    }

    /// [`read`](Self::read), giving up with [`io::ErrorKind::TimedOut`] after `timeout`.
    #[must_use = "a read does nothing unless delegated to with `suspend_from!`"]
    pub fn read_timeout(&self, buf: Vec<u8>, timeout: Duration) -> ReadSome {
        let mut read = self.read(buf);
        read.deadline = Some(Instant::now() + timeout);
        read
    }

    /// Writes all of `buf`, waiting as often as the socket needs (partial writes are finished
    /// by further waits), and hands the buffer back: `let buf = suspend_from!(stream.write_all(buf))?`.
    #[must_use = "a write does nothing unless delegated to with `suspend_from!`"]
    pub fn write_all(&self, buf: Vec<u8>) -> WriteAll {
        WriteAll {
            wait: Wait::new(&self.source, WRITE),
            buf: Some(buf),
            written: 0,
        }
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
    addr: SocketAddr,
    wait: Option<Wait<net::TcpStream>>,
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Coroutine<Wake> for Connect {
    type Yield = Syscall;
    type Return = io::Result<TcpStream>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let wait = match &mut self.wait {
            Some(w) => {
                w.clear();
                w
            }
            None => match net::TcpStream::connect(self.addr).and_then(Source::new) {
                Ok(s) => return self.wait.insert(Wait::new(&s, WRITE)).park(None),
                Err(e) => return Err(EarlyExit::Returned(Err(e))),
            },
        };
        let connected = match wait.source.io.take_error() {
            Ok(Some(e)) | Err(e) => Err(e),
            Ok(None) => wait.source.io.peer_addr(),
        };
        match connected {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => wait.park(None),
            result => {
                let source = Rc::clone(&wait.source);
                self.wait = None;
                Err(EarlyExit::Returned(result.map(|_| TcpStream { source })))
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

/// The coroutine behind [`TcpStream::read`].
pub struct ReadSome {
    wait: Wait<net::TcpStream>,
    buf: Option<Vec<u8>>,
    deadline: Option<Instant>,
}

impl fmt::Debug for ReadSome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadSome").finish_non_exhaustive()
    }
}

impl Coroutine<Wake> for ReadSome {
    type Yield = Syscall;
    type Return = io::Result<(usize, Vec<u8>)>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(buf) = self.buf.as_mut() else {
            return Err(EarlyExit::Finished);
        };
        match attempt(|| (&self.wait.source.io).read(buf)) {
            Ok(Some(n)) => {
                self.kill();
                let buf = self.buf.take().unwrap_or_default();
                Err(EarlyExit::Returned(Ok((n, buf))))
            }
            Ok(None) => self.wait.park(self.deadline),
            Err(e) => {
                self.kill();
                Err(EarlyExit::Returned(Err(e)))
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

/// The coroutine behind [`TcpStream::write_all`].
pub struct WriteAll {
    wait: Wait<net::TcpStream>,
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

impl Coroutine<Wake> for WriteAll {
    type Yield = Syscall;
    type Return = io::Result<Vec<u8>>;

    fn resume(&mut self, wake: Wake) -> Result<Syscall, EarlyExit<Self::Return>> {
        if let Some(e) = interrupted(wake) {
            self.kill();
            return Err(EarlyExit::Returned(Err(e)));
        }
        let Some(buf) = self.buf.as_ref() else {
            return Err(EarlyExit::Finished);
        };
        while self.written < buf.len() {
            match attempt(|| (&self.wait.source.io).write(&buf[self.written..])) {
                Ok(Some(0)) => {
                    self.kill();
                    return Err(EarlyExit::Returned(Err(io::ErrorKind::WriteZero.into())));
                }
                Ok(Some(n)) => self.written += n,
                Ok(None) => return self.wait.park(None),
                Err(e) => {
                    self.kill();
                    return Err(EarlyExit::Returned(Err(e)));
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
