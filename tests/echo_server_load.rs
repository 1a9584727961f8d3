//! The echo server example under load and misbehaving clients, on loopback: 1,000 concurrent
//! clients are all served, a client that never reads stalls no one and makes the server hold no
//! more than one buffer for it, clients that reset their connections mid-write end their
//! handlers without hurting the others, and an idle server uses almost no CPU. One test, run in
//! order, so that the CPU figure is the server's alone. Every wait is bounded.

#[path = "../examples/echo_server.rs"]
#[allow(dead_code)]
mod echo_server;

use echo_server::Shared;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

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

fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < LIMIT, "never: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// This process's CPU time (user and system), from `/proc/self/stat`, in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

#[test]
fn the_echo_server_under_load_and_misbehaving_clients() {
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

    // An idle server sleeps in the poller between heartbeats: under 1% of a core over a second.
    std::thread::sleep(Duration::from_millis(200));
    let (t0, c0) = (Instant::now(), cpu_ticks());
    std::thread::sleep(Duration::from_secs(1));
    let (spent, elapsed) = (cpu_ticks() - c0, t0.elapsed());
    // Clock ticks are hundredths of a second: 1% of the elapsed time is one tick per second.
    assert!(
        spent <= 1 + elapsed.as_secs(),
        "an idle server used {spent} ticks of CPU in {elapsed:?}"
    );

    // A client that never reads: it sends until its socket is full, and stays connected.
    let hog = connect(addr);
    hog.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut hog_writer = hog.try_clone().unwrap();
    let pushed = std::thread::spawn(move || {
        let chunk = vec![7u8; 64 << 10];
        let mut total = 0usize;
        // Both directions' socket buffers fill, then the writes time out.
        while total < (64 << 20) {
            match hog_writer.write(&chunk) {
                Ok(n) => total += n,
                Err(_) => break,
            }
        }
        total
    });
    let pushed = pushed.join().unwrap();
    assert!(
        pushed < (64 << 20),
        "the server kept reading from a client that never reads ({pushed} bytes)"
    );

    // 1,000 clients at once, each three round trips, while the hog still waits: all served.
    let clients: Vec<_> = (0..1000u32)
        .map(|c| {
            std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    let mut s = connect(addr);
                    for round in 0..3u32 {
                        let msg = format!("client {c} round {round}");
                        assert_eq!(round_trip(&mut s, msg.as_bytes()), msg.as_bytes());
                    }
                })
                .unwrap()
        })
        .collect();
    for c in clients {
        c.join().expect("every client got its replies");
    }
    assert_eq!(shared.served.load(Ordering::SeqCst), 1001);

    // Clients that reset mid-write: each sends, then closes with the echo unread, which resets
    // the connection while the server writes to it.
    for _ in 0..50 {
        let mut r = connect(addr);
        r.write_all(&vec![1u8; 256 << 10]).ok();
        drop(r);
    }
    // Their handlers end; the others still work.
    let mut fine = connect(addr);
    assert_eq!(round_trip(&mut fine, b"still here"), b"still here");
    eventually("reset clients' handlers end", || {
        shared.active.load(Ordering::SeqCst) == 2
    });

    // Shutdown: the hog's handler is killed with the rest.
    drop(fine);
    shared.stop.store(true, Ordering::SeqCst);
    let start = Instant::now();
    while !server.is_finished() {
        assert!(start.elapsed() < LIMIT, "the server did not shut down");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.join().unwrap().expect("a clean shutdown");
    drop(hog);
    assert_eq!(shared.active.load(Ordering::SeqCst), 0);
}
