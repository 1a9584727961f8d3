//! Selects: the first ready arm wins, the losers are withdrawn with nothing lost (a losing
//! send gets its value back, a losing receive takes nothing, no entry stays behind), timeouts,
//! kills and throws while waiting, and the rule when several arms are ready at once; and
//! sockets' readiness arms on loopback, which leave no registration behind when they lose.

use coro::{suspend, suspend_from};
use coro_uthread::{
    Channel, Error, Scheduler, Select, Selected, SendError, Syscall, TaskId, TcpListener,
    TcpStream, UdpSocket, Waiting, Wake, sleep, yield_now,
};
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Debug)]
enum Ev {
    A(Result<u32, Error>),
    B(Result<u32, Error>),
    Sent(Result<(), SendError<u32>>),
}

fn describe(sel: Selected<Ev>) -> (String, Vec<u32>) {
    let outcome = match sel.outcome {
        Ok(Ev::A(Ok(v))) => format!("a {v}"),
        Ok(Ev::B(Ok(v))) => format!("b {v}"),
        Ok(Ev::Sent(Ok(()))) => "sent".to_string(),
        Ok(other) => format!("{other:?}"),
        Err(Error::Timeout) => "timeout".to_string(),
        Err(Error::Thrown(e)) => format!("thrown {e}"),
        Err(e) => format!("error {e}"),
    };
    let unsent = sel
        .unsent
        .into_iter()
        .map(|u| match u {
            Ev::Sent(Err(e)) => {
                assert!(matches!(e.error, Error::WouldBlock));
                e.value
            }
            other => panic!("not an unsent value: {other:?}"),
        })
        .collect();
    (outcome, unsent)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn select_recv2(a: Channel<u32>, b: Channel<u32>, #[resume] _w: Wake) -> (String, Vec<u32>) {
    describe(suspend_from!(
        Select::new()
            .recv(&a, Ev::A)
            .recv(&b, Ev::B)
            .timeout(Duration::from_secs(5))
    ))
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn send_later(ch: Channel<u32>, v: u32, #[resume] _w: Wake) -> Result<(), Error> {
    suspend_from!(yield_now())?;
    suspend_from!(ch.send(v))?;
    Ok(())
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn recv_one(ch: Channel<u32>, timeout: Duration, #[resume] _w: Wake) -> Result<u32, Error> {
    suspend_from!(ch.recv_timeout(timeout))
}

#[test]
fn recv_vs_recv_first_ready_wins() {
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    let sender = s.spawn(send_later(b.clone(), 2));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), ("b 2".to_string(), vec![]));
    assert!(sender.try_join().unwrap().is_ok());
    // The losing receive left `a`'s queue: nobody waits there.
    assert_eq!((a.balance(), b.balance()), (0, 0));
    assert!(matches!(a.try_send(9), Err(e) if matches!(e.error, Error::WouldBlock)));
}

#[test]
fn later_send_on_losing_channel_goes_to_another_receiver() {
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    let other = s.spawn(recv_one(a.clone(), Duration::from_secs(5)));
    s.spawn(send_later(b.clone(), 1));
    // The select is served by `b` first (the sender yields once; `a`'s sender yields more).
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn send_much_later(ch: Channel<u32>, v: u32, #[resume] _w: Wake) -> Result<(), Error> {
        for _ in 0..5 {
            suspend_from!(yield_now())?;
        }
        suspend_from!(ch.send(v))?;
        Ok(())
    }
    let late = s.spawn(send_much_later(a.clone(), 7));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap().0, "b 1");
    assert_eq!(other.try_join().unwrap().unwrap(), 7);
    assert!(late.try_join().unwrap().is_ok());
    assert_eq!((a.balance(), b.balance()), (0, 0));
}

/// While a select waits on two channels, the first channel that serves it claims it: the other
/// no longer sees it as a receiver, even before it runs.
#[test]
fn one_select_is_served_once() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn offer_both(a: Channel<u32>, b: Channel<u32>, #[resume] _w: Wake) -> (bool, bool) {
        suspend_from!(yield_now()).unwrap();
        let to_a = a.try_send(1).is_ok();
        let to_b = b.try_send(2).is_ok();
        (to_a, to_b)
    }
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    let offers = s.spawn(offer_both(a.clone(), b.clone()));
    assert!(s.run().is_clean());
    assert_eq!(offers.try_join().unwrap(), (true, false));
    assert_eq!(sel.try_join().unwrap().0, "a 1");
    assert!(b.try_recv().is_err());
    assert_eq!((a.balance(), b.balance()), (0, 0));
}

#[test]
fn recv_vs_timeout() {
    let s = Scheduler::new().unwrap();
    // A value arrives before the timeout: the receive wins.
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    s.spawn(send_later(a.clone(), 5));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap().0, "a 5");
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn select_timeout(a: Channel<u32>, d: Duration, #[resume] _w: Wake) -> (String, Vec<u32>) {
    describe(suspend_from!(Select::new().recv(&a, Ev::A).timeout(d)))
}

#[test]
fn timeout_fires_when_nothing_is_ready() {
    let s = Scheduler::new().unwrap();
    let a = Channel::rendezvous();
    let start = Instant::now();
    let sel = s.spawn(select_timeout(a.clone(), Duration::from_millis(30)));
    assert!(s.run().is_clean());
    let waited = start.elapsed();
    assert_eq!(sel.try_join().unwrap().0, "timeout");
    assert!(waited >= Duration::from_millis(30), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // Nothing left in the queue: a later send finds no receiver.
    assert_eq!(a.balance(), 0);
    assert!(a.try_send(1).is_err());
}

#[test]
fn zero_timeout_polls() {
    let s = Scheduler::new().unwrap();
    let a = Channel::bounded(1);
    let empty = s.spawn(select_timeout(a.clone(), Duration::ZERO));
    assert!(s.run().is_clean());
    assert_eq!(empty.try_join().unwrap().0, "timeout");
    a.try_send(3).unwrap();
    let full = s.spawn(select_timeout(a.clone(), Duration::ZERO));
    assert!(s.run().is_clean());
    assert_eq!(full.try_join().unwrap().0, "a 3");
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn select_send_recv(
    out: Channel<u32>,
    v: u32,
    inbox: Channel<u32>,
    #[resume] _w: Wake,
) -> (String, Vec<u32>) {
    describe(suspend_from!(
        Select::new()
            .send(&out, v, Ev::Sent)
            .recv(&inbox, Ev::A)
            .timeout(Duration::from_secs(5))
    ))
}

#[test]
fn send_vs_recv_send_wins() {
    let s = Scheduler::new().unwrap();
    let (out, inbox) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_send_recv(out.clone(), 10, inbox.clone()));
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn recv_later(ch: Channel<u32>, #[resume] _w: Wake) -> Result<u32, Error> {
        suspend_from!(yield_now())?;
        suspend_from!(ch.recv())
    }
    let r = s.spawn(recv_later(out.clone()));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), ("sent".to_string(), vec![]));
    assert_eq!(r.try_join().unwrap().unwrap(), 10);
    // The losing receive is gone from `inbox`.
    assert_eq!((out.balance(), inbox.balance()), (0, 0));
    assert!(inbox.try_send(1).is_err());
}

#[test]
fn send_that_lost_gets_its_value_back() {
    let s = Scheduler::new().unwrap();
    let (out, inbox) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_send_recv(out.clone(), 10, inbox.clone()));
    s.spawn(send_later(inbox.clone(), 4));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), ("a 4".to_string(), vec![10]));
    // The value is no longer offered on `out`.
    assert_eq!(out.balance(), 0);
    assert!(matches!(out.try_recv(), Err(Error::WouldBlock)));
}

#[test]
fn timed_out_send_gets_its_value_back() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn lone_send(out: Channel<u32>, #[resume] _w: Wake) -> (String, Vec<u32>) {
        describe(suspend_from!(
            Select::new()
                .send(&out, 8, Ev::Sent)
                .timeout(Duration::from_millis(10))
        ))
    }
    let s = Scheduler::new().unwrap();
    let out = Channel::rendezvous();
    let sel = s.spawn(lone_send(out.clone()));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), ("timeout".to_string(), vec![8]));
    assert_eq!(out.balance(), 0);
}

#[test]
fn several_ready_first_listed_wins() {
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::bounded(1), Channel::bounded(1));
    a.try_send(1).unwrap();
    b.try_send(2).unwrap();
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap().0, "a 1");
    // `b` keeps its value.
    assert_eq!(b.try_recv().unwrap(), 2);

    // A send listed first wins over a ready receive, whose value stays.
    let (out, inbox) = (Channel::bounded(1), Channel::bounded(1));
    inbox.try_send(3).unwrap();
    let sel = s.spawn(select_send_recv(out.clone(), 4, inbox.clone()));
    assert!(s.run().is_clean());
    let got = sel.try_join().unwrap();
    assert_eq!(got, ("sent".to_string(), vec![]));
    assert_eq!((out.try_recv().unwrap(), inbox.try_recv().unwrap()), (4, 3));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn which(a: Channel<u32>, b: Channel<u32>, #[resume] _w: Wake) -> Option<usize> {
    // Built in a `let`: a delegation whose last call borrows a local is refused.
    let select = Select::new().recv(&a, |_| ()).recv(&b, |_| ());
    suspend_from!(select).index
}

#[test]
fn index_says_which_arm_won() {
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::bounded(1), Channel::bounded(1));
    b.try_send(1).unwrap();
    let h = s.spawn(which(a, b));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join().unwrap(), Some(1));
}

#[test]
fn closed_channel_is_ready() {
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn close_later(ch: Channel<u32>, #[resume] _w: Wake) {
        suspend_from!(yield_now()).unwrap();
        ch.close();
    }
    s.spawn(close_later(b.clone()));
    assert!(s.run().is_clean());
    assert_eq!(sel.try_join().unwrap().0, "B(Err(Closed))");
    assert_eq!(a.balance(), 0);
}

#[test]
fn kill_while_waiting_withdraws_everything() {
    let s = Scheduler::new().unwrap();
    let (out, inbox) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_send_recv(out.clone(), 10, inbox.clone()));
    let _ = s.run_for(Duration::from_millis(5));
    assert_eq!((out.balance(), inbox.balance()), (1, -1));
    assert!(s.kill(sel.id()));
    // Nothing of the select stays: the channels serve others.
    assert_eq!((out.balance(), inbox.balance()), (0, 0));
    let r = s.spawn(recv_one(inbox.clone(), Duration::from_secs(5)));
    let w = s.spawn(send_later(inbox.clone(), 6));
    let idle = s.spawn(recv_one(out.clone(), Duration::from_millis(10)));
    assert!(s.run().is_clean());
    assert_eq!(r.try_join().unwrap().unwrap(), 6);
    assert!(w.try_join().unwrap().is_ok());
    assert!(matches!(idle.try_join().unwrap(), Err(Error::Timeout)));
}

#[test]
fn kill_after_being_served_hands_the_value_on() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn offer_and_kill(
        a: Channel<u32>,
        victim: Rc<RefCell<Option<TaskId>>>,
        #[resume] _w: Wake,
    ) -> bool {
        suspend_from!(yield_now()).unwrap();
        let sent = a.try_send(5).is_ok();
        // Served, but killed before it runs: the value must not vanish.
        coro_uthread::kill(victim.borrow().unwrap());
        sent
    }
    let s = Scheduler::new().unwrap();
    let (a, b) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_recv2(a.clone(), b.clone()));
    let victim = Rc::new(RefCell::new(Some(sel.id())));
    let k = s.spawn(offer_and_kill(a.clone(), victim));
    assert!(s.run().is_clean());
    assert!(k.try_join().unwrap());
    assert!(sel.try_join().is_err());
    assert_eq!(a.try_recv().unwrap(), 5);
    assert_eq!((a.balance(), b.balance()), (0, 0));
}

#[test]
fn throw_while_waiting_returns_unsent_values() {
    let s = Scheduler::new().unwrap();
    let (out, inbox) = (Channel::rendezvous(), Channel::rendezvous());
    let sel = s.spawn(select_send_recv(out.clone(), 10, inbox.clone()));
    let _ = s.run_for(Duration::from_millis(5));
    assert!(s.throw(sel.id(), "stop"));
    assert!(s.run().is_clean());
    assert_eq!(
        sel.try_join().unwrap(),
        ("thrown stop".to_string(), vec![10])
    );
    assert_eq!((out.balance(), inbox.balance()), (0, 0));
}

/// Producers send numbered values on two channels; consumers take them with selects that
/// also offer values of their own on a third channel. Every value sent is received exactly
/// once or handed back.
#[test]
fn nothing_lost_under_load() {
    type Log = Rc<RefCell<Vec<u32>>>;

    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn producer(ch: Channel<u32>, base: u32, n: u32, #[resume] _w: Wake) {
        for i in 0..n {
            if i % 3 == 0 {
                suspend_from!(yield_now()).unwrap();
            }
            suspend_from!(ch.send(base + i)).unwrap();
        }
    }

    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn consumer(
        a: Channel<u32>,
        b: Channel<u32>,
        c: Channel<u32>,
        base: u32,
        got: Log,
        back: Log,
        #[resume] _w: Wake,
    ) {
        let mut next = base;
        loop {
            // Up to 50 values of its own go out, then it only receives.
            let offering = next < base + 50;
            let mut select = Select::new().recv(&a, Ev::A);
            if offering {
                select = select.send(&c, next, Ev::Sent);
            }
            let select = select.recv(&b, Ev::B).timeout(Duration::from_millis(30));
            let (what, unsent) = describe(suspend_from!(select));
            if !offering {
                assert!(unsent.is_empty());
                match what.split_once(' ') {
                    Some(("a" | "b", v)) => got.borrow_mut().push(v.parse().unwrap()),
                    _ if what == "timeout" => return,
                    _ => panic!("{what}"),
                }
                continue;
            }
            if what == "sent" {
                // `next` went out; the next offer is a new value.
                assert!(unsent.is_empty());
                next += 1;
                continue;
            }
            // The send lost: its value came back, to be offered again.
            assert_eq!(unsent, [next]);
            *back.borrow_mut() = unsent;
            match what.split_once(' ') {
                Some(("a" | "b", v)) => got.borrow_mut().push(v.parse().unwrap()),
                _ if what == "timeout" => return,
                _ => panic!("{what}"),
            }
        }
    }

    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn drain(c: Channel<u32>, got: Log, #[resume] _w: Wake) {
        while let Ok(v) = suspend_from!(c.recv_timeout(Duration::from_millis(30))) {
            got.borrow_mut().push(v);
            if v % 2 == 0 {
                suspend_from!(yield_now()).unwrap();
            }
        }
    }

    let s = Scheduler::new().unwrap();
    let (a, b, c) = (
        Channel::rendezvous(),
        Channel::bounded(2),
        Channel::rendezvous(),
    );
    let got = Log::default();
    let drained = Log::default();
    let backs: Vec<Log> = (0..3).map(|_| Log::default()).collect();
    let count = 200;
    s.spawn(producer(a.clone(), 0, count));
    s.spawn(producer(b.clone(), 1000, count));
    s.spawn(producer(a.clone(), 2000, count));
    for (k, back) in (0u32..).zip(&backs) {
        s.spawn(consumer(
            a.clone(),
            b.clone(),
            c.clone(),
            10_000 * (k + 1),
            got.clone(),
            back.clone(),
        ));
    }
    s.spawn(drain(c.clone(), drained.clone()));
    let start = Instant::now();
    assert!(s.run().is_clean());
    assert!(start.elapsed() < Duration::from_secs(20));

    let mut received = got.borrow().clone();
    received.sort_unstable();
    let mut expected: Vec<u32> = (0..count)
        .chain(1000..1000 + count)
        .chain(2000..2000 + count)
        .collect();
    expected.sort_unstable();
    assert_eq!(
        received, expected,
        "every produced value received exactly once"
    );

    // Each consumer's values went out in order, exactly once, or are handed back at the end.
    let drained = drained.borrow();
    for (k, back) in (0u32..).zip(&backs) {
        let base = 10_000 * (k + 1);
        let mine: Vec<u32> = drained
            .iter()
            .copied()
            .filter(|v| (base..base + 10_000).contains(v))
            .collect();
        let expect: Vec<u32> = (base..base + u32::try_from(mine.len()).unwrap()).collect();
        assert_eq!(mine, expect);
        let next = base + u32::try_from(mine.len()).unwrap();
        if next < base + 50 {
            assert_eq!(*back.borrow(), vec![next], "the last offer came back");
        }
    }
    assert_eq!((a.balance(), b.balance(), c.balance()), (0, 0, 0));
}

// Readiness arms.

#[derive(Debug)]
enum Io {
    Readable(Result<(), Error>),
    Writable(Result<(), Error>),
    Got(Result<u32, Error>),
}

#[coro::uthread]
fn accept_one(listener: TcpListener) -> Result<TcpStream, Error> {
    Ok(suspend_from!(listener.accept())?.0)
}

#[coro::uthread]
fn connect_to(addr: SocketAddr) -> Result<TcpStream, Error> {
    suspend_from!(TcpStream::connect(addr))
}

/// A connected pair on loopback: (the accepted end, the connecting end).
fn pair(s: &Scheduler) -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = s.spawn(accept_one(listener));
    let client = s.spawn(connect_to(addr));
    assert!(s.run().is_clean());
    (
        server.try_join().unwrap().unwrap(),
        client.try_join().unwrap().unwrap(),
    )
}

#[coro::uthread]
fn write_after(stream: TcpStream, delay: Duration, bytes: &'static [u8]) -> Result<(), Error> {
    suspend_from!(sleep(delay))?;
    suspend_from!(stream.write_all(bytes.to_vec()))?;
    Ok(())
}

/// Reads once, waiting at most five seconds.
#[coro::uthread]
fn read_once(stream: TcpStream) -> Result<Vec<u8>, Error> {
    let (n, mut buf) = suspend_from!(stream.read_timeout(vec![0; 16], Duration::from_secs(5)))?;
    buf.truncate(n);
    Ok(buf)
}

fn describe_io(sel: &Selected<Io>) -> String {
    match &sel.outcome {
        Ok(Io::Readable(Ok(()))) => "readable".into(),
        Ok(Io::Writable(Ok(()))) => "writable".into(),
        Ok(Io::Got(Ok(v))) => format!("got {v}"),
        Ok(other) => format!("{other:?}"),
        Err(Error::Timeout) => "timeout".into(),
        Err(e) => format!("error {e}"),
    }
}

/// Waits for `stream` to be readable (or `timeout`), then reads what came (if it won).
#[coro::uthread]
fn readable_then_read(stream: TcpStream, timeout: Duration) -> Result<(String, Vec<u8>), Error> {
    let sel = suspend_from!(
        Select::new()
            .readable(&stream, Io::Readable)
            .timeout(timeout)
    );
    let what = describe_io(&sel);
    if sel.index.is_none() {
        return Ok((what, Vec::new()));
    }
    // Readable: the read answers without waiting.
    let (n, mut buf) = suspend_from!(stream.read_timeout(vec![0; 16], Duration::ZERO))?;
    buf.truncate(n);
    Ok((what, buf))
}

#[test]
fn readable_wins_over_timeout_when_peer_writes() {
    let s = Scheduler::new().unwrap();
    let (server, client) = pair(&s);
    let start = Instant::now();
    let h = s.spawn(readable_then_read(server, Duration::from_secs(5)));
    s.spawn(write_after(client, Duration::from_millis(10), b"hi"));
    assert!(s.run().is_clean());
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ("readable".to_string(), b"hi".to_vec())
    );
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[test]
fn timeout_wins_when_nothing_arrives_and_the_stream_still_reads() {
    #[coro::uthread]
    fn wait_then_read(stream: TcpStream) -> Result<(String, Vec<u8>), Error> {
        let sel = suspend_from!(
            Select::new()
                .readable(&stream, Io::Readable)
                .timeout(Duration::from_millis(20))
        );
        let what = describe_io(&sel);
        let got = suspend_from!(read_once(stream))?;
        Ok((what, got))
    }

    let s = Scheduler::new().unwrap();
    let (server, client) = pair(&s);
    let h = s.spawn(wait_then_read(server));
    s.spawn(write_after(client, Duration::from_millis(80), b"late"));
    assert!(s.run().is_clean());
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ("timeout".to_string(), b"late".to_vec())
    );
}

#[test]
fn recv_wins_over_readable_and_later_readiness_does_not_wake() {
    #[coro::uthread]
    fn waiter(ch: Channel<u32>, stream: TcpStream) -> Result<Vec<String>, Error> {
        let mut log = Vec::new();
        let sel = suspend_from!(
            Select::new()
                .recv(&ch, Io::Got)
                .readable(&stream, Io::Readable)
                .timeout(Duration::from_secs(5))
        );
        log.push(describe_io(&sel));
        // The peer writes meanwhile: nothing may wake this park but its deadline.
        let wake = suspend!(Syscall::Park {
            deadline: Some(Instant::now() + Duration::from_millis(200)),
            on: Waiting::Sleep,
        });
        log.push(format!("{wake:?}"));
        // The socket still selects and reads normally.
        let (what, got) = suspend_from!(readable_then_read(stream, Duration::from_secs(5)))?;
        log.push(what);
        log.push(String::from_utf8_lossy(&got).into_owned());
        Ok(log)
    }

    let s = Scheduler::new().unwrap();
    let (server, client) = pair(&s);
    let ch = Channel::bounded(1);
    let h = s.spawn(waiter(ch.clone(), server));
    s.spawn(send_later(ch, 7));
    s.spawn(write_after(client, Duration::from_millis(50), b"data"));
    assert!(s.run().is_clean());
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ["got 7", "Timeout", "readable", "data"]
    );
}

#[test]
fn kill_while_waiting_on_readable_leaves_the_socket_usable() {
    let s = Scheduler::new().unwrap();
    let (server, client) = pair(&s);
    let victim = s.spawn(readable_then_read(server.clone(), Duration::from_secs(10)));
    assert!(matches!(
        s.run_for(Duration::from_millis(20)),
        coro_uthread::Stopped::TimeUp
    ));
    assert!(s.kill(victim.id()));
    let reader = s.spawn(read_once(server));
    s.spawn(write_after(client, Duration::from_millis(10), b"after"));
    assert!(s.run().is_clean());
    assert!(victim.try_join().is_err());
    assert_eq!(reader.try_join().unwrap().unwrap(), b"after");
}

#[test]
fn writable_on_a_fresh_connected_stream_wins_at_once() {
    #[coro::uthread]
    fn writable(stream: TcpStream) -> (String, Duration) {
        let start = Instant::now();
        let sel = suspend_from!(
            Select::new()
                .readable(&stream, Io::Readable)
                .writable(&stream, Io::Writable)
                .timeout(Duration::from_secs(5))
        );
        (describe_io(&sel), start.elapsed())
    }

    let s = Scheduler::new().unwrap();
    let (server, client) = pair(&s);
    // The connecting end and the accepted one (kept open here, so that neither end sees the
    // other close, which would make it readable).
    let c = s.spawn(writable(client.clone()));
    let a = s.spawn(writable(server.clone()));
    assert!(s.run().is_clean());
    drop((client, server));
    for h in [c, a] {
        let (what, took) = h.try_join().unwrap();
        assert_eq!(what, "writable");
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
}

#[test]
fn readable_listener_wins_when_a_client_connects_and_accept_does_not_wait() {
    #[coro::uthread]
    fn watch(listener: TcpListener) -> Result<String, Error> {
        let sel = suspend_from!(
            Select::new()
                .readable(&listener, Io::Readable)
                .timeout(Duration::from_secs(5))
        );
        let what = describe_io(&sel);
        // The connection waits in the listener: this accept answers at once.
        let a = listener.accept();
        let (stream, _) = suspend_from!(a)?;
        let got = suspend_from!(read_once(stream))?;
        Ok(format!("{what} {}", String::from_utf8_lossy(&got)))
    }

    #[coro::uthread]
    fn connect_later(addr: SocketAddr) -> Result<(), Error> {
        suspend_from!(sleep(Duration::from_millis(10)))?;
        let stream = suspend_from!(TcpStream::connect(addr))?;
        suspend_from!(stream.write_all(b"x".to_vec()))?;
        Ok(())
    }

    let s = Scheduler::new().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = s.spawn(watch(listener));
    s.spawn(connect_later(addr));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join().unwrap().unwrap(), "readable x");
}

#[test]
fn readable_udp_socket_wins_when_a_datagram_comes() {
    #[coro::uthread]
    fn watch(socket: UdpSocket) -> Result<(String, Vec<u8>), Error> {
        let sel = suspend_from!(
            Select::new()
                .readable(&socket, Io::Readable)
                .timeout(Duration::from_secs(5))
        );
        let what = describe_io(&sel);
        let (n, _, mut buf) = suspend_from!(socket.recv_from(vec![0; 16]))?;
        buf.truncate(n);
        Ok((what, buf))
    }

    #[coro::uthread]
    fn send_later(socket: UdpSocket, to: SocketAddr) -> Result<(), Error> {
        suspend_from!(sleep(Duration::from_millis(10)))?;
        suspend_from!(socket.send_to(b"dgram".to_vec(), to))?;
        Ok(())
    }

    let s = Scheduler::new().unwrap();
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = a.local_addr().unwrap();
    let h = s.spawn(watch(a));
    s.spawn(send_later(b, to));
    assert!(s.run().is_clean());
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ("readable".to_string(), b"dgram".to_vec())
    );
}
