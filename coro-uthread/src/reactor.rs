//! The reactor: sockets registered with the poller (epoll on Linux, through `mio`), which
//! microthreads wait on each socket in each direction, and the pool of threads that runs
//! `spawn_blocking`'s closures. [`Reactor::poll`] says which microthreads can go on; waking them
//! is the scheduler's business. It also keeps, for each socket and direction, whether the
//! poller said it was ready since a microthread last found it would block that way
//! ([`Reactor::is_ready`]), for a select's readiness arms.
//!
//! May import the bottom of the crate (`id`) and the thread pool (`threads`); knows nothing of
//! the scheduler.

use mio::{Events, Interest, Poll, Token};
use std::cell::{Cell, RefCell};
use std::io;
use std::time::Duration;

use crate::id::TaskId;
use crate::threads::Blocking;

pub(crate) const READ: usize = 0;
pub(crate) const WRITE: usize = 1;

pub(crate) struct Reactor {
    poll: RefCell<Poll>,
    events: RefCell<Events>,
    /// For each registered socket, by token, the microthreads waiting to read and those
    /// waiting to write; `None` for a token free for the next registration. A token is an
    /// index here, so that waiting and waking look nothing up by hashing.
    waiters: RefCell<Vec<Option<[Vec<TaskId>; 2]>>>,
    /// For each registered socket, by token, whether the poller said it was ready to read and
    /// to write since a microthread last found it would block (and parked) in that direction:
    /// what a select's readiness arm asks when it cannot find out from the socket itself. The
    /// poller reports a change of readiness once (edge-triggered), so this keeps what nobody
    /// waited for at the time.
    ready: RefCell<Vec<[bool; 2]>>,
    /// Tokens of sockets deregistered, for later ones.
    free: RefCell<Vec<usize>>,
    waiting: Cell<usize>,
    /// The threads that run `spawn_blocking`'s closures, and who waits for them.
    pub(crate) blocking: Blocking,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            poll: RefCell::new(Poll::new()?),
            events: RefCell::new(Events::with_capacity(1024)),
            waiters: RefCell::new(Vec::new()),
            ready: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            waiting: Cell::new(0),
            blocking: Blocking::new(),
        })
    }

    /// Whether a microthread waits on a socket, or for a blocking closure.
    pub(crate) fn has_waiters(&self) -> bool {
        self.waiting.get() > 0 || self.blocking.has_waiters()
    }

    /// Runs `job` on the blocking pool; the poller wakes `waiter` when it has run.
    pub(crate) fn submit_blocking(
        &self,
        job: Box<dyn FnOnce() + Send>,
        waiter: TaskId,
    ) -> io::Result<u64> {
        self.blocking
            .submit(self.poll.borrow().registry(), job, waiter)
    }

    /// Blocks until a socket is ready or `timeout` passes; the microthreads waiting on the
    /// ready sockets, and those whose blocking closures ended, for the scheduler to wake.
    pub(crate) fn poll(&self, timeout: Option<Duration>) -> io::Result<Vec<TaskId>> {
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
            let mut bits = self.ready.borrow_mut();
            for event in events.iter() {
                let token = event.token().0;
                let Some(Some(w)) = waiters.get_mut(token) else {
                    continue;
                };
                let failed = event.is_error();
                if event.is_readable() || event.is_read_closed() || failed {
                    ready.append(&mut w[READ]);
                    bits[token][READ] = true;
                }
                if event.is_writable() || event.is_write_closed() || failed {
                    ready.append(&mut w[WRITE]);
                    bits[token][WRITE] = true;
                }
            }
        }
        self.waiting.set(self.waiting.get() - ready.len());
        drop(events);
        // Closures that ended, whether their wake-up came in this poll or an earlier one.
        ready.extend(self.blocking.finished());
        Ok(ready)
    }

    pub(crate) fn register(&self, source: &mut impl mio::event::Source) -> io::Result<Token> {
        // A token freed by a deregistration is reused: epoll reports nothing more for a socket
        // once it is deregistered, so no event for the old socket comes under the token.
        let reused = self.free.borrow_mut().pop();
        let token = Token(reused.unwrap_or_else(|| self.waiters.borrow().len()));
        let registered = self.poll.borrow().registry().register(
            source,
            token,
            Interest::READABLE | Interest::WRITABLE,
        );
        if let Err(e) = registered {
            if let Some(t) = reused {
                self.free.borrow_mut().push(t);
            }
            return Err(e);
        }
        let mut waiters = self.waiters.borrow_mut();
        if token.0 == waiters.len() {
            waiters.push(None);
            self.ready.borrow_mut().push([false; 2]);
        }
        waiters[token.0] = Some([Vec::new(), Vec::new()]);
        self.ready.borrow_mut()[token.0] = [false; 2];
        Ok(token)
    }

    pub(crate) fn deregister(&self, source: &mut (impl mio::event::Source + ?Sized), token: Token) {
        // Closing the socket removes it from epoll anyway; this only tidies up.
        let _ = self.poll.borrow().registry().deregister(source);
        let removed = self
            .waiters
            .borrow_mut()
            .get_mut(token.0)
            .and_then(Option::take);
        if let Some(w) = removed {
            let n = w.iter().map(Vec::len).sum::<usize>();
            self.waiting.set(self.waiting.get() - n);
            self.free.borrow_mut().push(token.0);
        }
    }

    /// Puts `id` on the socket's waiters in that direction. The caller has just found that
    /// the socket would block that way, so it is not ready until the poller says so again.
    pub(crate) fn wait(&self, token: Token, dir: usize, id: TaskId) {
        if let Some(bits) = self.ready.borrow_mut().get_mut(token.0) {
            bits[dir] = false;
        }
        if let Some(Some(w)) = self.waiters.borrow_mut().get_mut(token.0)
            && !w[dir].contains(&id)
        {
            w[dir].push(id);
            self.waiting.set(self.waiting.get() + 1);
        }
    }

    /// Whether the poller said the socket was ready in that direction since a microthread last
    /// waited on it that way.
    pub(crate) fn is_ready(&self, token: Token, dir: usize) -> bool {
        self.ready
            .borrow()
            .get(token.0)
            .is_some_and(|bits| bits[dir])
    }

    /// Takes every microthread waiting on the socket in that direction off it, for the
    /// scheduler to wake.
    pub(crate) fn wake_all(&self, token: Token, dir: usize) -> Vec<TaskId> {
        let woken = match self.waiters.borrow_mut().get_mut(token.0) {
            Some(Some(w)) => std::mem::take(&mut w[dir]),
            _ => return Vec::new(),
        };
        self.waiting.set(self.waiting.get() - woken.len());
        woken
    }

    pub(crate) fn unwait(&self, token: Token, dir: usize, id: TaskId) {
        if let Some(Some(w)) = self.waiters.borrow_mut().get_mut(token.0)
            && let Some(at) = w[dir].iter().position(|x| *x == id)
        {
            w[dir].swap_remove(at);
            self.waiting.set(self.waiting.get() - 1);
        }
    }
}
