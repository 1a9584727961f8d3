//! UDP sockets on loopback: datagrams between microthreads, connected sockets, timeouts.

use coro::suspend_from;
use coro_uthread::{Error, Scheduler, Stopped, UdpSocket};
use std::net::SocketAddr;
use std::time::Duration;

/// Sends `n` numbered datagrams to `to`, each answered before the next.
#[coro::uthread]
fn pinger(socket: UdpSocket, to: SocketAddr, n: u8) -> Result<Vec<u8>, Error> {
    let mut answers = Vec::new();
    let mut buf = vec![0; 16];
    for i in 0..n {
        suspend_from!(socket.send_to(vec![i; 3], to))?;
        let (k, from, got) = suspend_from!(socket.recv_from_timeout(buf, Duration::from_secs(10)))?;
        assert_eq!(from, to);
        assert_eq!(&got[..k], [i + 100; 3]);
        answers.push(got[0]);
        buf = got;
    }
    Ok(answers)
}

/// Answers `n` datagrams, each byte plus 100, to whoever sent it.
#[coro::uthread]
fn ponger(socket: UdpSocket, n: u8) -> Result<usize, Error> {
    let mut buf = vec![0; 16];
    for _ in 0..n {
        let (k, from, mut got) = suspend_from!(socket.recv_from(buf))?;
        got.truncate(k);
        for b in &mut got {
            *b += 100;
        }
        let mut back = suspend_from!(socket.send_to(got, from))?;
        back.resize(16, 0);
        buf = back;
    }
    Ok(usize::from(n))
}

#[test]
fn two_sockets_exchange_datagrams_between_two_microthreads() {
    let s = Scheduler::new().unwrap();
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind(("127.0.0.1", 0)).unwrap();
    let b_addr = b.local_addr().unwrap();
    assert!(b_addr.ip().is_loopback() && b_addr.port() != 0);
    // The ponger waits first: its receive parks until the datagram comes.
    let answerer = s.spawn(ponger(b, 5));
    let asker = s.spawn(pinger(a, b_addr, 5));
    assert!(s.run().is_clean());
    assert_eq!(
        asker.try_join().unwrap().unwrap(),
        [100, 101, 102, 103, 104]
    );
    assert_eq!(answerer.try_join().unwrap().unwrap(), 5);
}

#[coro::uthread]
fn connected_client(server: SocketAddr) -> Result<Vec<u8>, Error> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    assert_eq!(
        socket.peer_addr().unwrap_err().kind(),
        std::io::ErrorKind::NotConnected
    );
    socket.connect(server)?;
    assert_eq!(socket.peer_addr()?, server);
    suspend_from!(socket.send(b"hi".to_vec()))?;
    let (n, mut buf) = suspend_from!(socket.recv(vec![0; 8]))?;
    buf.truncate(n);
    Ok(buf)
}

#[test]
fn a_connected_socket_sends_and_receives_without_addresses() {
    let s = Scheduler::new().unwrap();
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let pong = s.spawn(ponger(server, 1));
    let client = s.spawn(connected_client(addr));
    assert!(s.run().is_clean());
    assert_eq!(client.try_join().unwrap().unwrap(), [204, 205]);
    assert!(pong.try_join().unwrap().is_ok());
}

#[coro::uthread]
fn recv_nothing(socket: UdpSocket) -> Result<(), Error> {
    suspend_from!(socket.recv_timeout(vec![0; 8], Duration::from_millis(20)))?;
    Ok(())
}

#[coro::uthread]
fn send_nowhere(socket: UdpSocket) -> Result<Vec<u8>, Error> {
    let to: &[SocketAddr] = &[];
    suspend_from!(socket.send_to(vec![1], to))
}

#[test]
fn a_receive_times_out_and_bad_addresses_are_std_s_errors() {
    let s = Scheduler::new().unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let taken = socket.local_addr().unwrap();
    assert_eq!(
        UdpSocket::bind(taken).unwrap_err().kind(),
        std::io::ErrorKind::AddrInUse
    );
    let timeout = s.spawn(recv_nothing(socket.clone()));
    let nowhere = s.spawn(send_nowhere(socket));
    assert!(s.run().is_clean());
    assert!(matches!(timeout.try_join().unwrap(), Err(Error::Timeout)));
    let e = nowhere.try_join().unwrap().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(matches!(
        UdpSocket::bind("not an address"),
        Err(Error::Io(_))
    ));
}

#[coro::uthread]
fn recv_one(socket: UdpSocket) -> Result<Vec<u8>, Error> {
    let (n, _, mut buf) = suspend_from!(socket.recv_from(vec![0; 8]))?;
    buf.truncate(n);
    Ok(buf)
}

#[test]
fn killing_a_microthread_blocked_in_a_receive_leaves_the_socket_to_the_others() {
    let s = Scheduler::new().unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    let first = s.spawn(recv_one(socket.clone()));
    assert_eq!(s.run_for(Duration::from_millis(5)), Stopped::TimeUp);
    assert!(s.kill(first.id()));
    let second = s.spawn(recv_one(socket));
    assert_eq!(s.run_for(Duration::from_millis(5)), Stopped::TimeUp);
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"late", addr).unwrap();
    assert_eq!(s.run_until(&second), Stopped::Ended);
    assert_eq!(second.try_join().unwrap().unwrap(), b"late");
}
