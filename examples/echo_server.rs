//! A TCP echo server on microthreads: one microthread per client plus a heartbeat, all on one
//! OS thread. A client that sends nothing stalls no one: its microthread waits in the poller.
//!
//! `cargo run --example echo_server -- --port 7000` (the default, port 0, picks a free port and
//! prints it). Ctrl-C shuts it down cleanly: the heartbeat sees the request within a tick,
//! ends every microthread (closing their sockets) and the scheduler returns.
use coro::suspend_from;
use coro::uthread::{Scheduler, Syscall, TaskId, TcpListener, TcpStream, Wake, kill, sleep, spawn};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// How often the heartbeat ticks.
pub(crate) const TICK: Duration = Duration::from_millis(50);

/// What the server shares with other threads: counters to watch it and a flag to stop it.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Heartbeat ticks so far.
    pub ticks: AtomicU64,
    /// Clients being served now.
    pub active: AtomicUsize,
    /// Clients served in all.
    pub served: AtomicU64,
    /// Set to shut the server down.
    pub stop: AtomicBool,
}

/// The microthreads serving clients now, for the shutdown.
type Live = Rc<RefCell<BTreeSet<TaskId>>>;

/// Counts a client in while its handler lives: made by the acceptor and owned by the handler
/// from its spawn, so that it is dropped even if the handler is killed before it first runs.
struct Serving(Arc<Shared>, Live, Rc<Cell<Option<TaskId>>>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
        if let Some(id) = self.2.get() {
            self.1.borrow_mut().remove(&id);
        }
    }
}

/// Echoes everything a client sends until it closes.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn handler(stream: TcpStream, _serving: Serving, #[resume] _w: Wake) -> io::Result<()> {
    let mut buf = vec![0; 4096];
    loop {
        let (n, mut got) = suspend_from!(stream.read(buf))?;
        if n == 0 {
            return Ok(());
        }
        got.truncate(n);
        got = suspend_from!(stream.write_all(got))?;
        got.resize(4096, 0);
        buf = got;
    }
}

/// Accepts clients and gives each its own microthread.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn acceptor(
    listener: TcpListener,
    shared: Arc<Shared>,
    live: Live,
    #[resume] _w: Wake,
) -> io::Result<()> {
    loop {
        let (stream, _peer) = suspend_from!(listener.accept())?;
        shared.active.fetch_add(1, Ordering::SeqCst);
        shared.served.fetch_add(1, Ordering::SeqCst);
        let me = Rc::new(Cell::new(None));
        let serving = Serving(Arc::clone(&shared), Rc::clone(&live), Rc::clone(&me));
        let h = spawn(handler(stream, serving));
        me.set(Some(h.id()));
        live.borrow_mut().insert(h.id());
    }
}

/// Ticks, and shuts everything down when asked to.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn heartbeat(shared: Arc<Shared>, acceptor: TaskId, live: Live, verbose: bool, #[resume] _w: Wake) {
    loop {
        suspend_from!(sleep(TICK)).expect("nothing throws into the heartbeat");
        let n = shared.ticks.fetch_add(1, Ordering::SeqCst) + 1;
        if verbose && n % 20 == 0 {
            eprintln!(
                "heartbeat {n}: {} client(s)",
                shared.active.load(Ordering::SeqCst)
            );
        }
        if shared.stop.load(Ordering::SeqCst) {
            kill(acceptor);
            let handlers: Vec<TaskId> = live.borrow().iter().copied().collect();
            for h in handlers {
                kill(h);
            }
            return;
        }
    }
}

/// Runs the server on this thread until `shared.stop` is set; reports the bound address
/// through `bound` first.
pub(crate) fn serve(
    addr: SocketAddr,
    shared: &Arc<Shared>,
    bound: impl FnOnce(SocketAddr),
    verbose: bool,
) -> io::Result<()> {
    let sched = Scheduler::new()?;
    let listener = TcpListener::bind(addr)?;
    bound(listener.local_addr()?);
    let live = Live::default();
    let a = sched.spawn(acceptor(listener, Arc::clone(shared), Rc::clone(&live)));
    sched.spawn(heartbeat(Arc::clone(shared), a.id(), live, verbose));
    let report = sched.run();
    if report.is_clean() {
        Ok(())
    } else {
        Err(io::Error::other(report.to_string()))
    }
}

fn main() {
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|p| p.parse())) {
            ("--port", Some(Ok(p))) => port = p,
            _ => {
                eprintln!("usage: echo_server [--port PORT]");
                std::process::exit(2);
            }
        }
    }
    let shared = Arc::new(Shared::default());
    let on_ctrl_c = Arc::clone(&shared);
    ctrlc::set_handler(move || on_ctrl_c.stop.store(true, Ordering::SeqCst))
        .expect("install the Ctrl-C handler");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let result = serve(addr, &shared, |a| println!("listening on {a}"), true);
    match result {
        Ok(()) => println!(
            "shut down after {} heartbeat(s); {} client(s) served",
            shared.ticks.load(Ordering::SeqCst),
            shared.served.load(Ordering::SeqCst)
        ),
        Err(e) => {
            eprintln!("echo_server: {e}");
            std::process::exit(1);
        }
    }
}
