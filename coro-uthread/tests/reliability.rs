//! The scheduler under load: many microthreads, random kills, random deadlines, many panics.
//! Each test is bounded in time and uses a small deterministic generator, so that a failure
//! happens again the same way.

use coro::suspend_from;
use coro_uthread::{
    Channel, Error, JoinError, JoinHandle, Scheduler, SendError, Syscall, TaskId, TryJoinError,
    Wake, sleep, yield_now,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A xorshift generator: deterministic, and enough to pick victims and deadlines.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n")
    }
}

/// How many times each value was delivered to a receiver, and handed back to its sender.
#[derive(Default)]
struct Tally {
    delivered: Vec<u8>,
    returned: Vec<u8>,
}

type Shared = Rc<RefCell<Tally>>;

/// Sends its one value; says whether the send went through (`false`: the value came back).
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn sender(ch: Channel<usize>, value: usize, tally: Shared, #[resume] _w: Wake) -> bool {
    match suspend_from!(ch.send(value)) {
        Ok(()) => true,
        Err(SendError { value: back, .. }) => {
            assert_eq!(back, value, "a sender gets its own value back");
            tally.borrow_mut().returned[back] += 1;
            false
        }
    }
}

/// Receives until the channel is closed and empty.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn receiver(ch: Channel<usize>, tally: Shared, #[resume] _w: Wake) {
    while let Ok(v) = suspend_from!(ch.recv()) {
        tally.borrow_mut().delivered[v] += 1;
    }
}

/// Kills `kills` microthreads picked at random among `victims`, yielding between kills so that
/// the others get on; counts the kills that found their victim alive.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn killer(
    victims: Rc<RefCell<Vec<TaskId>>>,
    kills: usize,
    seed: u64,
    killed: Rc<RefCell<usize>>,
    #[resume] _w: Wake,
) {
    let mut rng = Rng(seed);
    for _ in 0..kills {
        for _ in 0..rng.below(4) {
            if suspend_from!(yield_now()).is_err() {
                return;
            }
        }
        let victim = {
            let v = victims.borrow();
            v[rng.below(v.len())]
        };
        if coro_uthread::kill(victim) {
            *killed.borrow_mut() += 1;
        }
    }
}

#[test]
fn values_on_shared_bounded_channels_arrive_once_or_go_back_while_microthreads_are_killed() {
    const SENDERS: usize = 100_000;
    const CHANNELS: usize = 8;
    const RECEIVERS_PER_CHANNEL: usize = 25;
    let started = Instant::now();
    let s = Scheduler::new().unwrap();
    let tally: Shared = Rc::new(RefCell::new(Tally {
        delivered: vec![0; SENDERS],
        returned: vec![0; SENDERS],
    }));
    let channels: Vec<Channel<usize>> = (0..CHANNELS).map(|_| Channel::bounded(4)).collect();
    let victims = Rc::new(RefCell::new(Vec::new()));
    let mut receivers = Vec::new();
    for ch in &channels {
        for _ in 0..RECEIVERS_PER_CHANNEL {
            let h = s.spawn(receiver(ch.clone(), tally.clone()));
            victims.borrow_mut().push(h.id());
            receivers.push(h);
        }
    }
    let mut senders: Vec<JoinHandle<bool>> = Vec::with_capacity(SENDERS);
    let killed = Rc::new(RefCell::new(0));
    for v in 0..SENDERS {
        let h = s.spawn(sender(channels[v % CHANNELS].clone(), v, tally.clone()));
        victims.borrow_mut().push(h.id());
        senders.push(h);
        // Killers among the senders, so that kills land while sends and receives are blocked.
        if v % 20_000 == 0 {
            s.spawn(killer(victims.clone(), 500, v as u64 + 1, killed.clone()));
        }
    }
    // Everyone runs until only receivers wait (and senders, if every receiver of their
    // channel was killed).
    let report = s.run();
    assert!(
        report
            .blocked
            .iter()
            .all(|b| b.on == coro_uthread::Waiting::Channel)
    );
    // Closing hands blocked senders their values back; receivers still alive drain the rest.
    for ch in &channels {
        ch.close();
    }
    assert!(s.run().is_clean());
    // What is left in the buffers of channels whose receivers were all killed.
    for ch in &channels {
        while let Ok(v) = ch.try_recv() {
            tally.borrow_mut().delivered[v] += 1;
        }
    }
    let tally = tally.borrow();
    let (mut ok, mut back, mut killed_senders) = (0, 0, 0);
    for (v, h) in senders.iter().enumerate() {
        let (d, r) = (tally.delivered[v], tally.returned[v]);
        assert!(
            d + r <= 1,
            "value {v}: delivered {d} times, handed back {r} times"
        );
        match h.try_join() {
            Ok(true) => {
                assert_eq!((d, r), (1, 0), "value {v} was sent, so it arrives once");
                ok += 1;
            }
            Ok(false) => {
                assert_eq!((d, r), (0, 1), "value {v} came back, so it never arrives");
                back += 1;
            }
            // A killed sender's value was taken before the kill, or dropped with it.
            Err(TryJoinError::Join(JoinError::Killed)) => killed_senders += 1,
            Err(e) => panic!("sender {v}: {e}"),
        }
    }
    assert_eq!(ok + back + killed_senders, SENDERS);
    assert!(killed_senders > 0 && *killed.borrow() > killed_senders);
    assert!(ok > SENDERS / 2, "most values went through: {ok}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// Sleeps until `deadline` (or, if that has passed when it starts, just yields to the timers),
/// then notes when it was due and when it woke in `woken`.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn sleeper(
    deadline: Instant,
    woken: Rc<RefCell<Vec<(Instant, Instant)>>>,
    #[resume] _w: Wake,
) -> Result<(), Error> {
    let now = Instant::now();
    let due = deadline.max(now);
    suspend_from!(sleep(due - now))?;
    woken.borrow_mut().push((due, Instant::now()));
    Ok(())
}

#[test]
fn ten_thousand_sleeps_with_random_deadlines_wake_in_deadline_order() {
    const SLEEPERS: usize = 10_000;
    let s = Scheduler::new().unwrap();
    let woken = Rc::new(RefCell::new(Vec::with_capacity(SLEEPERS)));
    let mut rng = Rng(0x5eed);
    let base = Instant::now() + Duration::from_millis(20);
    for _ in 0..SLEEPERS {
        let offset = Duration::from_millis(rng.next() % 300);
        drop(s.spawn(sleeper(base + offset, woken.clone())));
    }
    assert!(s.run().is_clean());
    let woken = woken.borrow();
    assert_eq!(woken.len(), SLEEPERS);
    // Each wakes no earlier than it was due, and in the order of the deadlines. A sleep takes
    // the time again when it is made, a moment after the sleeper did, so deadlines that close
    // to each other may come in either order.
    let slack = Duration::from_millis(5);
    for (deadline, at) in woken.iter() {
        assert!(at >= deadline, "woke {:?} early", *deadline - *at);
    }
    for pair in woken.windows(2) {
        assert!(
            pair[0].0 <= pair[1].0 + slack,
            "a deadline {:?} later woke first",
            pair[0].0 - pair[1].0
        );
    }
}

/// Panics after `yields` yields.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn doomed(n: usize, yields: usize, #[resume] _w: Wake) -> usize {
    for _ in 0..yields {
        suspend_from!(yield_now()).unwrap();
    }
    panic!("doomed {n}");
}

/// Counts its yields.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn steady(yields: usize, #[resume] _w: Wake) -> usize {
    let mut done = 0;
    for _ in 0..yields {
        suspend_from!(yield_now()).unwrap();
        done += 1;
    }
    done
}

#[test]
fn a_thousand_panicking_microthreads_leave_the_scheduler_and_the_others_running() {
    const PANICKERS: usize = 1_000;
    let s = Scheduler::new().unwrap();
    let mut rng = Rng(42);
    let mut doomed_handles = Vec::new();
    let mut steady_handles = Vec::new();
    for n in 0..PANICKERS {
        doomed_handles.push(s.spawn(doomed(n, rng.below(5))));
        steady_handles.push(s.spawn(steady(10)));
    }
    let report = s.run();
    assert!(report.is_clean(), "{report}");
    for (n, h) in doomed_handles.iter().enumerate() {
        assert_eq!(
            h.try_join(),
            Err(TryJoinError::Join(JoinError::Panicked(format!(
                "doomed {n}"
            ))))
        );
    }
    assert!(steady_handles.iter().all(|h| h.try_join() == Ok(10)));
    assert!(s.is_empty());
    // The scheduler is as good as new.
    let again = s.spawn(steady(3));
    assert!(s.run().is_clean());
    assert_eq!(again.try_join(), Ok(3));
}
