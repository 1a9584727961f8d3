//! The echo server example on loopback: slow clients stall no one, large and many clients get
//! every byte back, the heartbeat keeps ticking, closed clients end their handlers, and the
//! shutdown ends the scheduler. Every wait is bounded.
// Random bytes and sizes are truncated on purpose.
#![allow(clippy::cast_possible_truncation)]

#[path = "../examples/echo_server.rs"]
#[allow(dead_code)]
mod echo_server;

use echo_server::Shared;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect on loopback");
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s
}

fn round_trip(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    s.write_all(msg).unwrap();
    let mut back = vec![0; msg.len()];
    s.read_exact(&mut back).expect("the echo, in time");
    back
}

/// Waits until `f` holds, or fails after the limit.
fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < LIMIT, "never: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A small deterministic generator for message sizes and contents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn the_echo_server_serves_everyone_at_once_on_one_thread() {
    let shared = Arc::new(Shared::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let server = {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            echo_server::serve(
                SocketAddr::from(([127, 0, 0, 1], 0)),
                &shared,
                |a| tx.send(a).unwrap(),
                false,
            )
        })
    };
    let addr = rx.recv_timeout(LIMIT).expect("the server starts");

    // A client that connects and sends nothing does not delay the next one.
    let silent = connect(addr);
    let mut hello = connect(addr);
    let start = Instant::now();
    assert_eq!(round_trip(&mut hello, b"hello"), b"hello");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "the silent client stalled the server"
    );

    // 100,000 bytes come back whole, written and read at once.
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut client = connect(addr);
    let mut writer = client.try_clone().unwrap();
    let sent = big.clone();
    let w = std::thread::spawn(move || writer.write_all(&sent).unwrap());
    let mut back = vec![0; big.len()];
    client
        .read_exact(&mut back)
        .expect("all 100,000 bytes, in time");
    w.join().unwrap();
    assert!(back == big, "the bytes came back changed");

    // The heartbeat keeps ticking meanwhile.
    let ticks = shared.ticks.load(Ordering::SeqCst);
    eventually("the heartbeat ticks", || {
        shared.ticks.load(Ordering::SeqCst) >= ticks + 3
    });

    // 200 concurrent clients, 10 round trips each of 1 to 4096 random bytes.
    let clients: Vec<_> = (0..200u64)
        .map(|c| {
            std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    let mut rng = Rng(c * 7919 + 1);
                    let mut s = connect(addr);
                    for _ in 0..10 {
                        let len = 1 + (rng.next() % 4096) as usize;
                        let msg: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                        assert!(
                            round_trip(&mut s, &msg) == msg,
                            "client {c}: a reply differs"
                        );
                    }
                })
                .unwrap()
        })
        .collect();
    for c in clients {
        c.join().expect("every client got its replies");
    }

    // Clients that close end their handlers: only the silent one is left.
    drop((hello, client));
    eventually("closed clients' handlers end", || {
        shared.active.load(Ordering::SeqCst) == 1
    });
    assert_eq!(shared.served.load(Ordering::SeqCst), 203);

    // Shutdown: every microthread ends, the silent client's socket closes.
    shared.stop.store(true, Ordering::SeqCst);
    let mut silent = silent;
    let mut rest = Vec::new();
    assert_eq!(
        silent.read_to_end(&mut rest).unwrap(),
        0,
        "its socket was closed"
    );
    let start = Instant::now();
    while !server.is_finished() {
        assert!(start.elapsed() < LIMIT, "the server did not shut down");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.join().unwrap().expect("a clean shutdown");
    assert_eq!(shared.active.load(Ordering::SeqCst), 0);
}
