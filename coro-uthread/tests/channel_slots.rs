//! What a channel's table of blocked operations must get right: senders and receivers that
//! leave before their turn (timed out, thrown at, killed) interleaved with deliveries for
//! thousands of rounds, with exact first come first served order and exact balance; a slot
//! reused after its owner left, whose old ticket, still queued, is never served; a close that
//! hands blocked senders their values back; and selects that lose on a channel.

use coro::suspend_from;
use coro_uthread::{
    Channel, Error, JoinError, JoinHandle, Scheduler, Select, Selected, SendError, Syscall,
    TryJoinError, Wake,
};
use std::collections::VecDeque;
use std::time::Duration;

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn receiver(ch: Channel<u64>, timeout: Option<Duration>, #[resume] _w: Wake) -> Result<u64, Error> {
    if let Some(d) = timeout {
        suspend_from!(ch.recv_timeout(d))
    } else {
        suspend_from!(ch.recv())
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn sender(
    ch: Channel<u64>,
    v: u64,
    timeout: Option<Duration>,
    #[resume] _w: Wake,
) -> Result<(), SendError<u64>> {
    if let Some(d) = timeout {
        suspend_from!(ch.send_timeout(v, d))
    } else {
        suspend_from!(ch.send(v))
    }
}

/// A small deterministic generator, so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

type RecvHandle = JoinHandle<Result<u64, Error>>;
type SendHandle = JoinHandle<Result<(), SendError<u64>>>;

/// What a receiver must end with.
#[derive(Debug, PartialEq)]
enum RecvEnd {
    Got(u64),
    Timeout,
    Thrown,
    Killed,
}

/// What a sender must end with.
#[derive(Debug, PartialEq)]
enum SendEnd {
    Sent,
    Timeout(u64),
    Thrown(u64),
    Closed(u64),
    Killed,
}

fn recv_end(h: &RecvHandle) -> RecvEnd {
    match h.try_join() {
        Ok(Ok(v)) => RecvEnd::Got(v),
        Ok(Err(Error::Timeout)) => RecvEnd::Timeout,
        Ok(Err(Error::Thrown(_))) => RecvEnd::Thrown,
        Err(TryJoinError::Join(JoinError::Killed)) => RecvEnd::Killed,
        other => panic!("unexpected receiver end: {other:?}"),
    }
}

fn send_end(h: &SendHandle) -> SendEnd {
    match h.try_join() {
        Ok(Ok(())) => SendEnd::Sent,
        Ok(Err(SendError {
            value,
            error: Error::Timeout,
        })) => SendEnd::Timeout(value),
        Ok(Err(SendError {
            value,
            error: Error::Thrown(_),
        })) => SendEnd::Thrown(value),
        Ok(Err(SendError {
            value,
            error: Error::Closed,
        })) => SendEnd::Closed(value),
        Err(TryJoinError::Join(JoinError::Killed)) => SendEnd::Killed,
        other => panic!("unexpected sender end: {other:?}"),
    }
}

/// The model of one rendezvous channel: who waits, in order, and what each one must end with.
struct Model {
    s: Scheduler,
    ch: Channel<u64>,
    rng: Lcg,
    next_value: u64,
    receivers: VecDeque<RecvHandle>,
    senders: VecDeque<(SendHandle, u64)>,
    recv_expect: Vec<(RecvHandle, RecvEnd)>,
    send_expect: Vec<(SendHandle, SendEnd)>,
}

impl Model {
    fn balance(&self) -> isize {
        isize::try_from(self.senders.len()).unwrap()
            - isize::try_from(self.receivers.len()).unwrap()
    }

    fn timeout(&mut self) -> Option<Duration> {
        (self.rng.below(2) == 0).then_some(Duration::ZERO)
    }

    fn spawn_receivers(&mut self, n: u64) {
        for _ in 0..n {
            let timeout = self.timeout();
            let h = self.s.spawn(receiver(self.ch.clone(), timeout));
            // Spawned ones run in order: each takes the oldest sender's value, or waits.
            if let Some((sh, v)) = self.senders.pop_front() {
                self.recv_expect.push((h, RecvEnd::Got(v)));
                self.send_expect.push((sh, SendEnd::Sent));
            } else if timeout.is_some() {
                self.recv_expect.push((h, RecvEnd::Timeout));
            } else {
                self.receivers.push_back(h);
            }
        }
    }

    fn spawn_senders(&mut self, n: u64) {
        for _ in 0..n {
            let timeout = self.timeout();
            let v = self.next_value;
            self.next_value += 1;
            let h = self.s.spawn(sender(self.ch.clone(), v, timeout));
            if let Some(rh) = self.receivers.pop_front() {
                self.recv_expect.push((rh, RecvEnd::Got(v)));
                self.send_expect.push((h, SendEnd::Sent));
            } else if timeout.is_some() {
                self.send_expect.push((h, SendEnd::Timeout(v)));
            } else {
                self.senders.push_back((h, v));
            }
        }
    }

    /// Takes a waiter out of the middle (or an end) of its queue.
    fn withdraw_some(&mut self) {
        if !self.receivers.is_empty() && self.rng.below(2) == 0 {
            let at = usize::try_from(self.rng.below(self.receivers.len() as u64)).unwrap();
            let h = self.receivers.remove(at).unwrap();
            if self.rng.below(2) == 0 {
                assert!(self.s.kill(h.id()));
                self.recv_expect.push((h, RecvEnd::Killed));
            } else {
                assert!(self.s.throw(h.id(), "go away"));
                self.recv_expect.push((h, RecvEnd::Thrown));
            }
        }
        if !self.senders.is_empty() && self.rng.below(2) == 0 {
            let at = usize::try_from(self.rng.below(self.senders.len() as u64)).unwrap();
            let (h, v) = self.senders.remove(at).unwrap();
            if self.rng.below(2) == 0 {
                assert!(self.s.kill(h.id()));
                self.send_expect.push((h, SendEnd::Killed));
            } else {
                assert!(self.s.throw(h.id(), "go away"));
                self.send_expect.push((h, SendEnd::Thrown(v)));
            }
        }
    }

    /// Sends and receives from plain code, which never waits.
    fn deliver(&mut self, n: u64) {
        for _ in 0..n {
            if self.rng.below(2) == 0 {
                let v = self.next_value;
                self.next_value += 1;
                match self.receivers.pop_front() {
                    Some(h) => {
                        assert!(self.ch.try_send(v).is_ok());
                        self.recv_expect.push((h, RecvEnd::Got(v)));
                    }
                    None => {
                        let e = self.ch.try_send(v).unwrap_err();
                        assert!(matches!(e.error, Error::WouldBlock));
                        assert_eq!(e.value, v);
                    }
                }
            } else {
                match self.senders.pop_front() {
                    Some((h, v)) => {
                        assert_eq!(self.ch.try_recv().unwrap(), v);
                        self.send_expect.push((h, SendEnd::Sent));
                    }
                    None => assert!(matches!(self.ch.try_recv(), Err(Error::WouldBlock))),
                }
            }
            assert_eq!(self.ch.balance(), self.balance());
        }
    }

    /// Runs until everything left waits, and checks every microthread that must have ended.
    fn run(&mut self) {
        let _ = self.s.run();
        for (h, end) in self.recv_expect.drain(..) {
            assert_eq!(recv_end(&h), end);
        }
        for (h, end) in self.send_expect.drain(..) {
            assert_eq!(send_end(&h), end);
        }
        for h in &self.receivers {
            assert!(!h.is_finished());
        }
        for (h, _) in &self.senders {
            assert!(!h.is_finished());
        }
        assert_eq!(self.ch.balance(), self.balance());
    }
}

#[test]
fn withdrawals_interleaved_with_deliveries_keep_order_and_balance() {
    let mut m = Model {
        s: Scheduler::new().unwrap(),
        ch: Channel::rendezvous(),
        rng: Lcg(0x5eed),
        next_value: 0,
        receivers: VecDeque::new(),
        senders: VecDeque::new(),
        recv_expect: Vec::new(),
        send_expect: Vec::new(),
    };
    for round in 0..3000 {
        // Long stretches on one side, so that the queues grow past the compaction threshold
        // with stale entries among the waiters.
        let n = m.rng.below(5);
        if (round / 40) % 2 == 0 {
            m.spawn_receivers(n);
        } else {
            m.spawn_senders(n);
        }
        m.run();
        m.withdraw_some();
        m.run();
        let n = m.rng.below(3);
        m.deliver(n);
        m.run();
    }
    // Everyone still waiting leaves: nothing stays behind.
    while let Some(h) = m.receivers.pop_front() {
        assert!(m.s.kill(h.id()));
    }
    while let Some((h, _)) = m.senders.pop_front() {
        assert!(m.s.kill(h.id()));
    }
    assert!(m.s.run().is_clean());
    assert_eq!(m.ch.balance(), 0);
    assert!(matches!(m.ch.try_recv(), Err(Error::WouldBlock)));
    assert!(matches!(m.ch.try_send(1), Err(e) if matches!(e.error, Error::WouldBlock)));
}

#[test]
fn a_stale_ticket_is_never_served_after_its_slot_is_reused() {
    let sched = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let ra = sched.spawn(receiver(ch.clone(), None));
    let rb = sched.spawn(receiver(ch.clone(), None));
    let _ = sched.run();
    assert_eq!(ch.balance(), -2);
    // A leaves: its entry stays in front of the queue, stale, and its slot is free.
    assert!(sched.kill(ra.id()));
    assert_eq!(ch.balance(), -1);
    // C takes A's slot, and queues behind B.
    let rc = sched.spawn(receiver(ch.clone(), None));
    let _ = sched.run();
    assert_eq!(ch.balance(), -2);
    ch.try_send(1).unwrap();
    ch.try_send(2).unwrap();
    assert!(matches!(ch.try_send(3), Err(e) if e.value == 3));
    assert!(sched.run().is_clean());
    assert_eq!(rb.try_join().unwrap().unwrap(), 1);
    assert_eq!(rc.try_join().unwrap().unwrap(), 2);
    assert_eq!(ch.balance(), 0);

    // The same on the senders' side, with a timeout and a throw.
    let sx = sched.spawn(sender(ch.clone(), 10, None));
    let sy = sched.spawn(sender(ch.clone(), 20, Some(Duration::ZERO)));
    let sz = sched.spawn(sender(ch.clone(), 30, None));
    let _ = sched.run();
    assert_eq!(send_end(&sy), SendEnd::Timeout(20));
    assert_eq!(ch.balance(), 2);
    assert!(sched.throw(sx.id(), "no"));
    let _ = sched.run();
    assert_eq!(send_end(&sx), SendEnd::Thrown(10));
    // Both slots are reused, by senders queued behind Z.
    let sv = sched.spawn(sender(ch.clone(), 40, None));
    let sw = sched.spawn(sender(ch.clone(), 50, None));
    let _ = sched.run();
    assert_eq!(ch.balance(), 3);
    assert_eq!(ch.try_recv().unwrap(), 30);
    assert_eq!(ch.try_recv().unwrap(), 40);
    assert_eq!(ch.try_recv().unwrap(), 50);
    assert!(matches!(ch.try_recv(), Err(Error::WouldBlock)));
    assert!(sched.run().is_clean());
    for h in [sz, sv, sw] {
        assert!(h.try_join().unwrap().is_ok());
    }
    assert_eq!(ch.balance(), 0);
}

#[test]
fn a_receiver_killed_after_being_served_passes_its_value_on() {
    let sched = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let ra = sched.spawn(receiver(ch.clone(), None));
    let rb = sched.spawn(receiver(ch.clone(), None));
    let _ = sched.run();
    ch.try_send(7).unwrap();
    // A has the value but has not run: killed, it hands the value to B.
    assert!(sched.kill(ra.id()));
    assert_eq!(ch.balance(), 0);
    assert!(sched.run().is_clean());
    assert_eq!(rb.try_join().unwrap().unwrap(), 7);
    assert_eq!(ch.balance(), 0);

    // A sender whose value was taken, killed before it runs, leaves nothing behind.
    let sx = sched.spawn(sender(ch.clone(), 8, None));
    let _ = sched.run();
    assert_eq!(ch.try_recv().unwrap(), 8);
    assert!(sched.kill(sx.id()));
    let sy = sched.spawn(sender(ch.clone(), 9, None));
    let _ = sched.run();
    assert_eq!(ch.balance(), 1);
    assert_eq!(ch.try_recv().unwrap(), 9);
    assert!(sched.run().is_clean());
    assert!(sy.try_join().unwrap().is_ok());
}

#[test]
fn close_gives_blocked_senders_their_values_back() {
    let sched = Scheduler::new().unwrap();
    let ch = Channel::bounded(1);
    ch.try_send(0).unwrap();
    let senders: Vec<_> = (1..=5)
        .map(|v| sched.spawn(sender(ch.clone(), v, None)))
        .collect();
    let _ = sched.run();
    assert_eq!(ch.balance(), 5);
    assert!(sched.kill(senders[1].id()));
    assert!(sched.throw(senders[3].id(), "no"));
    let _ = sched.run();
    assert_eq!(ch.balance(), 3);
    // A slot reused before the close, by a sender queued last.
    let last = sched.spawn(sender(ch.clone(), 6, None));
    let _ = sched.run();
    assert_eq!(ch.balance(), 4);
    ch.close();
    assert_eq!(ch.balance(), 0);
    assert!(sched.run().is_clean());
    assert_eq!(
        send_end(&senders[1]),
        SendEnd::Killed,
        "killed before the close"
    );
    assert_eq!(send_end(&senders[3]), SendEnd::Thrown(4));
    for (h, v) in [
        (&senders[0], 1),
        (&senders[2], 3),
        (&senders[4], 5),
        (&last, 6),
    ] {
        assert_eq!(send_end(h), SendEnd::Closed(v));
    }
    // What was buffered still comes out; then the channel is closed and empty.
    assert_eq!(ch.try_recv().unwrap(), 0);
    assert!(matches!(ch.try_recv(), Err(Error::Closed)));
    assert!(matches!(ch.try_send(1), Err(e) if matches!(e.error, Error::Closed)));

    // Blocked receivers wake with `Closed` too, the withdrawn ones aside.
    let ch = Channel::rendezvous();
    let receivers: Vec<_> = (0..4)
        .map(|_| sched.spawn(receiver(ch.clone(), None)))
        .collect();
    let _ = sched.run();
    assert!(sched.kill(receivers[0].id()));
    assert_eq!(ch.balance(), -3);
    ch.close();
    assert!(sched.run().is_clean());
    assert_eq!(ch.balance(), 0);
    assert_eq!(recv_end(&receivers[0]), RecvEnd::Killed);
    for h in &receivers[1..] {
        assert!(matches!(h.try_join().unwrap(), Err(Error::Closed)));
    }
}

#[derive(Debug)]
enum Ev {
    A(Result<u64, Error>),
    B(Result<u64, Error>),
    SentA(Result<(), SendError<u64>>),
    SentB(Result<(), SendError<u64>>),
}

/// A select's outcome, and the values of its send arms that lost.
fn summary(sel: Selected<Ev>) -> String {
    let unsent: Vec<u64> = sel
        .unsent
        .into_iter()
        .map(|u| match u {
            Ev::SentA(Err(e)) | Ev::SentB(Err(e)) => e.value,
            other => panic!("not an unsent value: {other:?}"),
        })
        .collect();
    let outcome = match sel.outcome {
        Ok(Ev::A(Ok(v))) => format!("a {v}"),
        Ok(Ev::B(Ok(v))) => format!("b {v}"),
        Ok(Ev::SentA(Ok(()))) => "sent a".to_string(),
        Ok(Ev::SentB(Ok(()))) => "sent b".to_string(),
        other => format!("{other:?}"),
    };
    format!("{outcome} {unsent:?}")
}

/// A select receiving on both channels (its arms hold clones of them).
fn recv_both(one: Channel<u64>, two: Channel<u64>) -> Select<'static, Ev> {
    Select::new().recv(&one, Ev::A).recv(&two, Ev::B)
}

/// A select sending 1 on the first channel and 2 on the second.
fn send_both(one: Channel<u64>, two: Channel<u64>) -> Select<'static, Ev> {
    Select::new()
        .send(&one, 1, Ev::SentA)
        .send(&two, 2, Ev::SentB)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn select_recv(one: Channel<u64>, two: Channel<u64>, #[resume] _w: Wake) -> String {
    summary(suspend_from!(recv_both(one, two)))
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn select_send(one: Channel<u64>, two: Channel<u64>, #[resume] _w: Wake) -> String {
    summary(suspend_from!(send_both(one, two)))
}

#[test]
fn a_select_losing_on_a_channel_leaves_nothing_served_there() {
    let sched = Scheduler::new().unwrap();
    let (one, two) = (Channel::rendezvous(), Channel::rendezvous());

    // Both receive arms wait; a plain receiver queues behind the select on `two`.
    let sel = sched.spawn(select_recv(one.clone(), two.clone()));
    let plain = sched.spawn(receiver(two.clone(), None));
    let _ = sched.run();
    assert_eq!((one.balance(), two.balance()), (-1, -2));
    // `one` serves the select; on `two` its entry lost, and the next value goes to the
    // plain receiver.
    one.try_send(1).unwrap();
    two.try_send(2).unwrap();
    assert!(matches!(two.try_send(3), Err(e) if e.value == 3));
    assert!(sched.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), "a 1 []");
    assert_eq!(plain.try_join().unwrap().unwrap(), 2);
    assert_eq!((one.balance(), two.balance()), (0, 0));

    // The select served on `two` leaves `one`: its stale entry there is skipped, even once its
    // slot is reused by a later receiver.
    let sel = sched.spawn(select_recv(one.clone(), two.clone()));
    let _ = sched.run();
    two.try_send(4).unwrap();
    assert!(sched.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), "b 4 []");
    assert_eq!(one.balance(), 0);
    assert!(matches!(one.try_send(5), Err(e) if e.value == 5));
    let plain = sched.spawn(receiver(one.clone(), None));
    let _ = sched.run();
    assert_eq!(one.balance(), -1);
    one.try_send(6).unwrap();
    assert!(sched.run().is_clean());
    assert_eq!(plain.try_join().unwrap().unwrap(), 6);

    // Both send arms wait; `one` takes its value, so `two` has nothing to take, and the select
    // gets the value it offered there back.
    let sel = sched.spawn(select_send(one.clone(), two.clone()));
    let _ = sched.run();
    assert_eq!((one.balance(), two.balance()), (1, 1));
    assert_eq!(one.try_recv().unwrap(), 1);
    assert_eq!(
        two.balance(),
        1,
        "its entry there is found lost when reached"
    );
    assert!(matches!(two.try_recv(), Err(Error::WouldBlock)));
    assert_eq!(two.balance(), 0);
    assert!(sched.run().is_clean());
    assert_eq!(sel.try_join().unwrap(), "sent a [2]");
    assert_eq!((one.balance(), two.balance()), (0, 0));

    // A select killed while both its send arms wait leaves both queues.
    let sel = sched.spawn(select_send(one.clone(), two.clone()));
    let _ = sched.run();
    assert!(sched.kill(sel.id()));
    assert_eq!((one.balance(), two.balance()), (0, 0));
    assert!(matches!(one.try_recv(), Err(Error::WouldBlock)));
    assert!(matches!(two.try_recv(), Err(Error::WouldBlock)));
    assert!(sched.run().is_clean());
}
