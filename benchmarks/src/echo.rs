//! Echo servers for the throughput comparison: one on `coro::uthread`, one written the usual
//! way on tokio's current-thread runtime; each on its own thread, on loopback.
use coro::suspend_from;
use coro::uthread::{Scheduler, Syscall, TcpListener, TcpStream, Wake, spawn};
use std::io::{self, Read, Write};
use std::net::SocketAddr;

/// A server running on its own thread until the process ends.
#[derive(Debug)]
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn handler(stream: TcpStream, #[resume] _w: Wake) -> io::Result<()> {
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

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn acceptor(listener: TcpListener, #[resume] _w: Wake) -> io::Result<()> {
    loop {
        let (stream, _) = suspend_from!(listener.accept())?;
        drop(spawn(handler(stream)));
    }
}

/// The `coro::uthread` echo server.
#[must_use]
pub fn coro_server() -> Server {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let sched = Scheduler::new().expect("a scheduler");
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
        tx.send(listener.local_addr().expect("an address"))
            .expect("the caller waits");
        drop(sched.spawn(acceptor(listener)));
        let _ = sched.run();
    });
    Server {
        addr: rx.recv().expect("the server starts"),
    }
}

/// The tokio echo server, as its documentation writes one.
#[must_use]
pub fn tokio_server() -> Server {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("a runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("an address"))
                .expect("the caller waits");
            loop {
                let (mut socket, _) = listener.accept().await.expect("accept");
                tokio::spawn(async move {
                    let mut buf = vec![0; 4096];
                    loop {
                        let n = match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if socket.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    Server {
        addr: rx.recv().expect("the server starts"),
    }
}

/// `clients` threads, each making `rounds` round trips of `size` bytes; the bytes echoed.
///
/// # Panics
///
/// If a reply differs or the server does not answer.
#[must_use]
pub fn load(addr: SocketAddr, clients: usize, rounds: usize, size: usize) -> usize {
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    let mut s = std::net::TcpStream::connect(addr).expect("connect");
                    s.set_nodelay(true).expect("nodelay");
                    let msg: Vec<u8> = (0..size)
                        .map(|i| u8::try_from((i + c) % 256).unwrap_or(0))
                        .collect();
                    let mut back = vec![0; size];
                    for _ in 0..rounds {
                        s.write_all(&msg).expect("write");
                        s.read_exact(&mut back).expect("read");
                        assert!(back == msg, "the echo differs");
                    }
                    rounds * size
                })
                .expect("spawn a client")
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("a client"))
        .sum()
}
