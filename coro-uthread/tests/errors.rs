//! One error for every blocking operation, and `?` from it into the error types programs use:
//! `io::Error`, `Box<dyn Error + Send + Sync>` (and so `anyhow::Error`, which asks for the
//! same bounds).

use coro::suspend_from;
use coro_uthread::{
    Channel, Error, JoinError, JoinHandle, Scheduler, SendError, Syscall, TcpListener, TcpStream,
    TryJoinError, Wake, sleep, spawn, yield_now,
};
use std::io;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What `anyhow::Error: From<E>` and `Box<dyn Error + Send + Sync>: From<E>` ask of `E`.
fn composes<E: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn the_errors_are_send_sync_static_errors() {
    composes::<Error>();
    composes::<TryJoinError>();
    composes::<JoinError>();
    composes::<SendError<u32>>();
}

/// A closed port on loopback: nothing listens there.
fn closed_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Sleeps, sends, receives, joins and connects, with `?` into `io::Error` all along.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn everything_io(
    ch: Channel<u32>,
    addr: std::net::SocketAddr,
    #[resume] _w: Wake,
) -> io::Result<u32> {
    suspend_from!(sleep(Duration::from_millis(1)))?;
    let child: JoinHandle<u32> = spawn(echo_once(ch.clone()));
    suspend_from!(ch.send(20))?;
    let v = suspend_from!(ch.recv())?;
    let joined = suspend_from!(child.join())?;
    suspend_from!(yield_now())?;
    // The socket's error comes out as the io::Error it was.
    let _stream = suspend_from!(TcpStream::connect(addr))?;
    Ok(v + joined)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn echo_once(ch: Channel<u32>, #[resume] _w: Wake) -> u32 {
    let v = suspend_from!(ch.recv()).unwrap();
    suspend_from!(ch.send(v + 1)).unwrap();
    v
}

#[test]
fn question_mark_goes_from_every_operation_into_io_error() -> io::Result<()> {
    let s = Scheduler::new()?;
    let h = s.spawn(everything_io(Channel::rendezvous(), closed_port()));
    assert!(s.run().is_clean());
    let e = h.try_join()?.unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    assert!(e.get_ref().is_none(), "the system's error, not a wrapper");

    // Plain code too: a listener, a try_ operation, a handle, a send's error.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    assert!(listener.local_addr()?.ip().is_loopback());
    let ch = Channel::<u32>::bounded(1);
    ch.try_send(1)?;
    assert_eq!(ch.try_recv()?, 1);
    let would_block = || -> io::Result<u32> { Ok(ch.try_recv()?) };
    assert_eq!(would_block().unwrap_err().kind(), io::ErrorKind::WouldBlock);
    ch.close();
    let closed = || -> io::Result<()> { Ok(ch.try_send(2)?) };
    let e = closed().unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    // The crate's error is inside, and comes back out of a `?` into `Error`.
    assert!(matches!(Error::from(e), Error::Closed));
    Ok(())
}

/// The same, into `Box<dyn Error + Send + Sync>`, with a timeout on the way.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn everything_boxed(ch: Channel<u32>, #[resume] _w: Wake) -> Result<u32, BoxError> {
    suspend_from!(sleep(Duration::from_millis(1)))?;
    suspend_from!(yield_now())?;
    let child = spawn(echo_once(ch.clone()));
    suspend_from!(ch.send(1))?;
    let v = suspend_from!(ch.recv())? + suspend_from!(child.join())?;
    suspend_from!(ch.recv_timeout(Duration::from_millis(1)))?;
    Ok(v)
}

#[test]
fn question_mark_goes_from_every_operation_into_a_boxed_error() -> Result<(), BoxError> {
    let s = Scheduler::new()?;
    let h = s.spawn(everything_boxed(Channel::rendezvous()));
    assert!(s.run().is_clean());
    let e = h.try_join()?.unwrap_err();
    // The box holds the crate's error: a caller can still tell what happened.
    assert!(matches!(e.downcast_ref::<Error>(), Some(Error::Timeout)));
    assert_eq!(e.to_string(), "the deadline passed first");

    let listener = TcpListener::bind("127.0.0.1:0")?;
    drop(listener);
    let ch = Channel::<u32>::rendezvous();
    // A send's error is boxed whole when its value is `Send + Sync`, value and all.
    let e: BoxError = ch.try_send(5).unwrap_err().into();
    let e = e.downcast::<SendError<u32>>().unwrap();
    assert_eq!(e.value, 5);
    Ok(())
}

/// A socket's errors keep their kind; a deadline and a thrown error are the crate's, whatever
/// they wait on.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn socket_errors(#[resume] _w: Wake) -> Vec<String> {
    let mut seen = Vec::new();
    match suspend_from!(TcpStream::connect(closed_port())) {
        Err(Error::Io(e)) => seen.push(format!("{:?}", e.kind())),
        other => seen.push(format!("unexpected {other:?}")),
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = spawn(connect_and_wait(addr));
    let (stream, _) = suspend_from!(listener.accept()).unwrap();
    match suspend_from!(stream.read_timeout(vec![0; 8], Duration::from_millis(5))) {
        Err(e @ Error::Timeout) => seen.push(format!("{e} {:?}", e.kind())),
        other => seen.push(format!("unexpected {other:?}")),
    }
    // An error thrown into a microthread blocked on a socket comes out of the socket's wait.
    let me = coro_uthread::current().unwrap().id;
    spawn(thrower(me));
    match suspend_from!(stream.read(vec![0; 8])) {
        Err(Error::Thrown(e)) => seen.push(format!("thrown {e}")),
        other => seen.push(format!("unexpected {other:?}")),
    }
    coro_uthread::kill(client.id());
    seen
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn connect_and_wait(addr: std::net::SocketAddr, #[resume] _w: Wake) {
    let _stream = suspend_from!(TcpStream::connect(addr)).unwrap();
    let _ = suspend_from!(sleep(Duration::from_secs(30)));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn thrower(target: coro_uthread::TaskId, #[resume] _w: Wake) {
    suspend_from!(sleep(Duration::from_millis(5))).unwrap();
    assert!(coro_uthread::throw(target, "enough"));
}

#[test]
fn socket_operations_fail_with_the_common_error() {
    let s = Scheduler::new().unwrap();
    let h = s.spawn(socket_errors());
    let report = s.run();
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        h.try_join().unwrap(),
        [
            "ConnectionRefused",
            "the deadline passed first TimedOut",
            "thrown enough"
        ]
    );
}

#[test]
fn a_socket_outside_a_scheduler_says_so_with_the_common_error() {
    assert!(matches!(
        TcpListener::bind("127.0.0.1:0"),
        Err(Error::NoScheduler)
    ));
    let e = io::Error::from(TcpListener::bind("127.0.0.1:0").unwrap_err());
    assert_eq!(e.kind(), io::ErrorKind::Other);
}

#[test]
fn try_join_says_not_yet_and_never_in_one_match() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn later(#[resume] _w: Wake) -> u32 {
        suspend_from!(yield_now()).unwrap();
        7
    }
    let s = Scheduler::new().unwrap();
    let h = s.spawn(later());
    let k = s.spawn(later());
    assert!(!h.is_finished());
    assert_eq!(h.try_join(), Err(TryJoinError::NotFinished));
    assert!(s.kill(k.id()));
    assert!(k.is_finished());
    assert!(s.run().is_clean());
    assert!(h.is_finished());
    let says = |r: Result<u32, TryJoinError>| match r {
        Ok(v) => format!("value {v}"),
        Err(TryJoinError::NotFinished) => "not yet".to_owned(),
        Err(TryJoinError::Join(JoinError::Killed)) => "killed".to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(says(h.try_join()), "value 7");
    assert_eq!(
        says(h.try_join()),
        "the microthread's result was taken already"
    );
    assert_eq!(says(k.try_join()), "killed");
    // Into the crate's error, "not yet" is what the other try_ operations say.
    assert!(matches!(
        Error::from(TryJoinError::NotFinished),
        Error::WouldBlock
    ));
    let pending = s.spawn(later());
    drop(s);
    assert_eq!(pending.try_join(), Err(TryJoinError::NoScheduler));
    assert!(pending.is_finished());
}

#[test]
fn a_microthread_s_own_result_comes_out_of_a_join_with_two_question_marks() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn fails(#[resume] _w: Wake) -> Result<u32, Error> {
        suspend_from!(yield_now())?;
        Err(Error::Timeout)
    }
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn joins(#[resume] _w: Wake) -> Result<u32, Error> {
        let h = spawn(fails());
        let v = suspend_from!(h.join())??;
        Ok(v)
    }
    let s = Scheduler::new().unwrap();
    let h = s.spawn(joins());
    assert!(s.run().is_clean());
    assert!(matches!(h.try_join(), Ok(Err(Error::Timeout))));
}
