//! Listeners and connects on loopback: addresses as std takes them, the listen backlog, accepts
//! that take every ready connection, and a burst of 1,000 connects from one scheduler served in
//! full. Every wait is bounded.

use coro::suspend_from;
use coro_uthread::{
    Error, JoinHandle, Scheduler, Syscall, TaskId, TcpListener, TcpStream, Wake, kill, sleep, spawn,
};
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A closed port on loopback: nothing listens there.
fn closed_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Echoes what one client sends until it closes.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn echo(stream: TcpStream, #[resume] _w: Wake) -> Result<(), Error> {
    let mut buf = vec![0; 256];
    loop {
        let (n, mut got) = suspend_from!(stream.read(buf))?;
        if n == 0 {
            return Ok(());
        }
        got.truncate(n);
        got = suspend_from!(stream.write_all(got))?;
        got.resize(256, 0);
        buf = got;
    }
}

/// Accepts forever, a microthread per client; counts the clients.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn server(
    listener: TcpListener,
    accepted: Rc<Cell<usize>>,
    #[resume] _w: Wake,
) -> Result<(), Error> {
    loop {
        let (stream, _) = suspend_from!(listener.accept())?;
        accepted.set(accepted.get() + 1);
        drop(spawn(echo(stream)));
    }
}

/// Connects, sends its number, and checks the echo.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn client(
    addr: SocketAddr,
    n: u32,
    done: Rc<Cell<usize>>,
    #[resume] _w: Wake,
) -> Result<(), Error> {
    let stream = suspend_from!(TcpStream::connect(addr))?;
    let msg = n.to_le_bytes().to_vec();
    suspend_from!(stream.write_all(msg))?;
    let mut back = Vec::new();
    while back.len() < 4 {
        let (k, buf) = suspend_from!(stream.read_timeout(vec![0; 4], Duration::from_secs(30)))?;
        if k == 0 {
            break;
        }
        back.extend_from_slice(&buf[..k]);
    }
    assert_eq!(back, n.to_le_bytes(), "client {n}: the echo differs");
    done.set(done.get() + 1);
    Ok(())
}

/// Ends the server once every client is done, or everyone after `limit`.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn watchdog(
    server: TaskId,
    clients: Rc<RefCell<Vec<TaskId>>>,
    done: Rc<Cell<usize>>,
    want: usize,
    limit: Duration,
    #[resume] _w: Wake,
) -> bool {
    let start = Instant::now();
    while done.get() < want && start.elapsed() < limit {
        suspend_from!(sleep(Duration::from_millis(2))).unwrap();
    }
    kill(server);
    for c in clients.borrow().iter() {
        kill(*c);
    }
    done.get() == want
}

struct Burst {
    elapsed: Duration,
    done: usize,
    accepted: usize,
    failed: Vec<String>,
}

/// `n` microthreads of one scheduler connect at once to a listener of that scheduler, with the
/// default backlog or the one given; each sends 4 bytes and reads them back.
fn burst(n: u32, backlog: Option<u32>, limit: Duration) -> Burst {
    let s = Scheduler::new().unwrap();
    let listener = match backlog {
        None => TcpListener::bind("127.0.0.1:0"),
        Some(b) => TcpListener::bind_with_backlog("127.0.0.1:0", b),
    }
    .unwrap();
    let addr = listener.local_addr().unwrap();
    let (accepted, done) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let srv = s.spawn(server(listener, Rc::clone(&accepted)));
    let clients: Vec<JoinHandle<Result<(), Error>>> = (0..n)
        .map(|i| s.spawn(client(addr, i, Rc::clone(&done))))
        .collect();
    let ids = Rc::new(RefCell::new(clients.iter().map(JoinHandle::id).collect()));
    let want = usize::try_from(n).unwrap();
    let start = Instant::now();
    s.spawn(watchdog(srv.id(), ids, Rc::clone(&done), want, limit));
    let report = s.run();
    let elapsed = start.elapsed();
    assert!(report.is_clean(), "{report}");
    let failed = clients
        .iter()
        .filter_map(|c| match c.try_join() {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("{e} ({:?})", e.kind())),
            Err(e) => Some(e.to_string()),
        })
        .collect();
    Burst {
        elapsed,
        done: done.get(),
        accepted: accepted.get(),
        failed,
    }
}

#[test]
fn a_burst_of_a_thousand_connects_from_one_scheduler_is_served_in_full() {
    let limit = Duration::from_secs(30);
    let b = burst(1000, None, limit);
    assert!(
        b.failed.is_empty(),
        "{} of 1000 failed, first: {:?}",
        b.failed.len(),
        b.failed.first()
    );
    assert_eq!((b.done, b.accepted), (1000, 1000));
    assert!(b.elapsed < limit, "took {:?}", b.elapsed);
    eprintln!("1,000 connects served in {:?}", b.elapsed);
}

/// The same burst against std's and mio's backlog of 128, for comparison:
/// `cargo test -p coro-uthread --test sockets -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: slow by design"]
fn a_burst_against_a_backlog_of_128() {
    let b = burst(1000, Some(128), Duration::from_secs(30));
    eprintln!(
        "backlog 128: {} of 1000 served in {:?} ({} failed)",
        b.done,
        b.elapsed,
        b.failed.len()
    );
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn connect_to(addrs: Vec<SocketAddr>, #[resume] _w: Wake) -> Result<SocketAddr, Error> {
    // The addresses are resolved when the operation is made, so the borrow ends here.
    let connect = TcpStream::connect(&addrs[..]);
    let stream = suspend_from!(connect)?;
    Ok(stream.peer_addr()?)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn accept_one(listener: TcpListener, #[resume] _w: Wake) -> Result<SocketAddr, Error> {
    let (stream, _) = suspend_from!(listener.accept())?;
    Ok(stream.peer_addr()?)
}

#[test]
fn bind_and_connect_take_addresses_as_std_does_and_use_the_first_that_works() {
    let s = Scheduler::new().unwrap();
    // A string, a tuple, a slice whose first address is taken.
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = first.local_addr().unwrap();
    let second = TcpListener::bind(&[taken, SocketAddr::from(([127, 0, 0, 1], 0))][..]).unwrap();
    let addr = second.local_addr().unwrap();
    assert_ne!(addr, taken, "the taken address was skipped");
    let third = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let e = TcpListener::bind(taken).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
    drop((first, third));
    // Connect skips a refusing address for the next one.
    let server = s.spawn(accept_one(second));
    let client = s.spawn(connect_to(vec![closed_port(), addr]));
    // Every address refusing: the last one's error.
    let refused = s.spawn(connect_to(vec![closed_port(), closed_port()]));
    let none = s.spawn(connect_to(Vec::new()));
    assert!(s.run().is_clean());
    assert_eq!(client.try_join().unwrap().unwrap(), addr);
    assert!(server.try_join().unwrap().unwrap().ip().is_loopback());
    let e = refused.try_join().unwrap().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
    let e = none.try_join().unwrap().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    // As std: nothing to bind to, or an address that does not parse.
    let e = TcpListener::bind(&[][..]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(matches!(
        TcpListener::bind("not an address"),
        Err(Error::Io(_))
    ));
}

#[test]
fn the_backlog_is_a_thousand_and_twenty_four_unless_chosen() {
    assert_eq!(TcpListener::DEFAULT_BACKLOG, 1024);
    let s = Scheduler::new().unwrap();
    // A small backlog still listens.
    let l = TcpListener::bind_with_backlog("127.0.0.1:0", 4).unwrap();
    let addr = l.local_addr().unwrap();
    let h = s.spawn(accept_one(l));
    let c = s.spawn(connect_to(vec![addr]));
    assert!(s.run().is_clean());
    assert!(h.try_join().unwrap().is_ok());
    assert!(c.try_join().unwrap().is_ok());
}

/// Accepts `n` connections; says how many waited in the listener after the first.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn accept_all(listener: TcpListener, n: usize, #[resume] _w: Wake) -> Result<String, Error> {
    let mut streams = Vec::new();
    let (first, _) = suspend_from!(listener.accept())?;
    streams.push(first);
    let after_first = format!("{listener:?}");
    while streams.len() < n {
        let (s, _) = suspend_from!(listener.accept())?;
        streams.push(s);
    }
    Ok(after_first)
}

#[test]
fn one_readiness_event_takes_every_ready_connection() {
    let s = Scheduler::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // Five clients the system has connected before anything accepts.
    let clients: Vec<std::net::TcpStream> = (0..5)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    let h = s.spawn(accept_all(l, 5));
    assert!(s.run().is_clean());
    let after_first = h.try_join().unwrap().unwrap();
    assert!(after_first.ends_with("ready: 4 }"), "{after_first}");
    drop(clients);
}

/// Accepts `n` connections and echoes on each.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn accept_n(listener: Rc<TcpListener>, n: usize, #[resume] _w: Wake) -> Result<usize, Error> {
    for _ in 0..n {
        let (stream, _) = suspend_from!(listener.accept())?;
        drop(spawn(echo(stream)));
    }
    Ok(n)
}

#[test]
fn several_microthreads_accepting_on_one_listener_share_a_burst() {
    let s = Scheduler::new().unwrap();
    let l = Rc::new(TcpListener::bind("127.0.0.1:0").unwrap());
    let addr = l.local_addr().unwrap();
    let acceptors: Vec<_> = (0..3)
        .map(|_| s.spawn(accept_n(Rc::clone(&l), 10)))
        .collect();
    drop(l);
    let done = Rc::new(Cell::new(0));
    let clients: Vec<_> = (0..30)
        .map(|i| s.spawn(client(addr, i, Rc::clone(&done))))
        .collect();
    let kill_list = Rc::new(RefCell::new(
        acceptors
            .iter()
            .map(JoinHandle::id)
            .chain(clients.iter().map(JoinHandle::id))
            .collect(),
    ));
    let w = s.spawn(watchdog(
        acceptors[0].id(),
        kill_list,
        Rc::clone(&done),
        30,
        Duration::from_secs(30),
    ));
    assert!(s.run().is_clean());
    assert_eq!(w.try_join(), Ok(true), "every client was served in time");
    for a in &acceptors {
        assert_eq!(a.try_join().unwrap().unwrap(), 10);
    }
}
