//! The scheduler, channels, timers, joins, kill, throw and panics, each at its edges.

use coro::{suspend, suspend_from};
use coro_uthread::{
    Channel, Error, JoinError, Scheduler, Syscall, TaskId, TryJoinError, Waiting, Wake, current,
    sleep, spawn, yield_now,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

type Log = Rc<RefCell<Vec<String>>>;

fn log(l: &Log, e: impl Into<String>) {
    l.borrow_mut().push(e.into());
}

fn taken(l: &Log) -> Vec<String> {
    std::mem::take(&mut *l.borrow_mut())
}

/// Logs its drop.
struct Guard(&'static str, Log);

impl Drop for Guard {
    fn drop(&mut self) {
        log(&self.1, format!("drop {}", self.0));
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn worker(name: &'static str, l: Log, #[resume] _w: Wake) {
    for i in 0..3 {
        log(&l, format!("{name}{i}"));
        suspend_from!(yield_now()).unwrap();
    }
}

#[test]
fn yields_go_round_robin_and_ids_count_from_one() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let ids: Vec<u64> = ["A", "B", "C"]
        .into_iter()
        .map(|n| s.spawn(worker(n, l.clone())).id().get())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(taken(&l).is_empty(), "spawn runs nothing");
    assert!(s.run().is_clean());
    assert_eq!(taken(&l).join(" "), "A0 B0 C0 A1 B1 C1 A2 B2 C2");
    assert!(s.is_empty());
}

#[coro::uthread]
fn other_worker(name: &'static str, l: Log) {
    for i in 0..3 {
        log(&l, format!("{name}{i}"));
        suspend_from!(yield_now()).unwrap();
    }
}

#[test]
fn microthreads_of_several_types_keep_one_round_robin() {
    // The scheduler runs a run of one type's microthreads in a loop of that type: a key of
    // another type, or of one killed while queued, hands the round on without losing its turn.
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    s.spawn(worker("A", l.clone()));
    s.spawn(other_worker("B", l.clone()));
    s.spawn(other_worker("C", l.clone()));
    let d = s.spawn(worker("D", l.clone()));
    s.spawn(worker("E", l.clone()));
    s.spawn(other_worker("F", l.clone()));
    assert!(s.kill(d.id()));
    assert!(s.run().is_clean());
    assert_eq!(
        taken(&l).join(" "),
        "A0 B0 C0 E0 F0 A1 B1 C1 E1 F1 A2 B2 C2 E2 F2"
    );
    assert!(s.is_empty());
}

#[test]
fn one_scheduler_per_thread() {
    let _s = Scheduler::new().unwrap();
    let err = Scheduler::new().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn parent(l: Log, #[resume] _w: Wake) {
    log(&l, "parent starts");
    spawn(child(l.clone()));
    suspend_from!(yield_now()).unwrap();
    log(&l, "parent again");
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn child(l: Log, #[resume] _w: Wake) {
    let me = current().unwrap();
    log(&l, format!("child {} {}", me.id, me.name));
}

#[test]
fn a_child_is_queued_before_its_parent_is_requeued_and_current_names_it() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    s.spawn(parent(l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(
        taken(&l),
        ["parent starts", "child #2 child", "parent again"]
    );
    assert_eq!(current(), None);
    // A name given at spawn is the one `current()` reports.
    drop(s.spawn_named("renamed", child(l.clone())));
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["child #3 renamed"]);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn stuck(ch: Channel<u8>, #[resume] _w: Wake) {
    let _ = suspend_from!(ch.recv());
}

#[test]
fn run_returns_with_a_report_when_everything_left_is_blocked() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let a = s.spawn_named("waiter", stuck(ch.clone()));
    let b = s.spawn(stuck(ch.clone()));
    let report = s.run();
    let stuck: Vec<(TaskId, &str, Waiting)> = report
        .blocked
        .iter()
        .map(|b| (b.id, b.name, b.on))
        .collect();
    assert_eq!(
        stuck,
        [
            (a.id(), "waiter", Waiting::Channel),
            (b.id(), "stuck", Waiting::Channel)
        ]
    );
    assert_eq!(ch.balance(), -2);
    assert!(
        report
            .to_string()
            .starts_with("2 microthread(s) stuck: #1 waiter waits for a channel;")
    );
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn value_after(d: Duration, v: u32, #[resume] _w: Wake) -> u32 {
    suspend_from!(sleep(d)).unwrap();
    v
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn joiner(h: coro_uthread::JoinHandle<u32>, l: Log, #[resume] _w: Wake) -> u32 {
    let v = suspend_from!(h.join()).unwrap();
    log(&l, format!("joined {v}"));
    // A second join answers at once: the result was taken.
    let again = suspend_from!(h.join());
    assert!(matches!(again, Err(Error::Join(JoinError::Taken))));
    v + 1
}

#[test]
fn join_waits_for_a_result_and_answers_at_once_when_it_is_there() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let h = s.spawn(value_after(Duration::from_millis(5), 41));
    let j = s.spawn(joiner(h, l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["joined 41"]);
    assert_eq!(j.try_join(), Ok(42));
    assert_eq!(j.try_join(), Err(TryJoinError::Join(JoinError::Taken)));
}

#[test]
fn sleepers_wake_in_deadline_order_without_spinning() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn sleeper(ms: u64, l: Log, #[resume] _w: Wake) {
        suspend_from!(sleep(Duration::from_millis(ms))).unwrap();
        log(&l, format!("{ms}"));
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    for ms in [200, 10, 20] {
        s.spawn(sleeper(ms, l.clone()));
    }
    let start = Instant::now();
    let cpu = cpu_time();
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["10", "20", "200"]);
    assert!(start.elapsed() >= Duration::from_millis(200));
    // Waiting 200 ms in the poller, not in a loop: at most one 10 ms tick (5%) of CPU.
    assert!(
        cpu_time().saturating_sub(cpu) <= Duration::from_millis(10),
        "busy-waited"
    );
}

/// This thread's CPU time, from `/proc/thread-self/stat` (user + system ticks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields
        .get(11..13)
        .map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn holder(ch: Channel<u32>, l: Log, #[resume] _w: Wake) -> u32 {
    let _g = Guard("holder", l.clone());
    suspend_from!(ch.recv()).unwrap()
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn reaper(targets: Vec<TaskId>, l: Log, #[resume] _w: Wake) {
    suspend_from!(sleep(Duration::from_millis(5))).unwrap();
    for t in targets {
        log(&l, format!("kill {t}: {}", coro_uthread::kill(t)));
    }
}

#[test]
fn kill_ends_a_microthread_wherever_it_waits() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let ch = Channel::rendezvous();
    let h = s.spawn(holder(ch.clone(), l.clone()));
    let sleeping = s.spawn(value_after(Duration::from_secs(60), 0));
    let queued = s.spawn(worker("Q", l.clone()));
    s.spawn(reaper(vec![h.id(), sleeping.id(), queued.id()], l.clone()));
    let start = Instant::now();
    assert!(s.run().is_clean());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the killed sleeper's timer is gone"
    );
    assert_eq!(
        taken(&l),
        [
            "Q0",
            "Q1",
            "Q2",
            "drop holder",
            "kill #1: true",
            "kill #2: true",
            "kill #3: false"
        ]
    );
    assert_eq!(ch.balance(), 0, "it left the channel's queue");
    assert_eq!(h.try_join(), Err(TryJoinError::Join(JoinError::Killed)));
    assert_eq!(
        sleeping.try_join(),
        Err(TryJoinError::Join(JoinError::Killed))
    );
    assert!(!s.kill(h.id()), "killing a finished one does nothing");
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn victim(l: Log, #[resume] _w: Wake) {
    let _g = Guard("victim", l.clone());
    loop {
        suspend_from!(yield_now()).unwrap();
        log(&l, "victim runs");
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn assassin(target: TaskId, l: Log, #[resume] _w: Wake) {
    suspend_from!(yield_now()).unwrap();
    log(&l, format!("kill {}", coro_uthread::kill(target)));
}

#[test]
fn a_microthread_can_kill_another_in_the_run_queue() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let v = s.spawn(victim(l.clone()));
    s.spawn(assassin(v.id(), l.clone()));
    assert!(s.run().is_clean());
    // The kill is immediate: the victim's locals are dropped before `kill` returns.
    assert_eq!(taken(&l), ["victim runs", "drop victim", "kill true"]);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn patient(ch: Channel<u32>, l: Log, #[resume] _w: Wake) -> &'static str {
    match suspend_from!(ch.recv()) {
        Err(Error::Thrown(e)) => {
            log(&l, format!("caught {e}"));
            "handled"
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn throw_wakes_a_blocked_microthread_with_the_error() {
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let ch = Channel::<u32>::rendezvous();
    let p = s.spawn(patient(ch.clone(), l.clone()));
    assert_eq!(s.run().blocked.len(), 1);
    assert!(s.throw(p.id(), "stop waiting"));
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["caught stop waiting"]);
    assert_eq!(p.try_join(), Ok("handled"));
    assert_eq!(ch.balance(), 0);
    assert!(!s.throw(p.id(), "too late"));
}

#[test]
fn a_panic_ends_only_that_microthread_and_its_joiners_see_it() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn bomb(#[resume] _w: Wake) -> u32 {
        suspend_from!(yield_now()).unwrap();
        panic!("boom");
    }
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn watcher(h: coro_uthread::JoinHandle<u32>, l: Log, #[resume] _w: Wake) {
        let r = suspend_from!(h.join());
        log(&l, format!("{r:?}"));
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let b = s.spawn(bomb());
    s.spawn(watcher(b, l.clone()));
    s.spawn(worker("W", l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(
        taken(&l),
        ["W0", "W1", "Err(Join(Panicked(\"boom\")))", "W2"]
    );
}

#[test]
fn a_microthread_killed_while_it_runs_and_then_panicking_ends_killed() {
    // The kill comes first: the panic that follows in the same step does not turn it into a
    // panicked end, and the microthreads queued behind it run on in order.
    #[coro::uthread]
    fn doomed(l: Log) -> u32 {
        log(&l, "doomed runs");
        assert!(coro_uthread::kill(coro_uthread::current().unwrap().id));
        panic!("after its own kill");
    }
    #[coro::uthread]
    fn bomb(l: Log) -> u32 {
        log(&l, "bomb runs");
        panic!("boom");
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    s.spawn(worker("A", l.clone()));
    let d = s.spawn(doomed(l.clone()));
    let b = s.spawn(bomb(l.clone()));
    s.spawn(worker("C", l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(
        taken(&l),
        [
            "A0",
            "doomed runs",
            "bomb runs",
            "C0",
            "A1",
            "C1",
            "A2",
            "C2"
        ]
    );
    assert_eq!(d.try_join(), Err(TryJoinError::Join(JoinError::Killed)));
    assert_eq!(
        b.try_join(),
        Err(TryJoinError::Join(JoinError::Panicked("boom".into())))
    );
    assert!(s.is_empty());
}

#[test]
fn rendezvous_channels_serve_blocked_senders_in_order_and_close_wakes_everyone() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn sender(ch: Channel<u32>, v: u32, l: Log, #[resume] _w: Wake) {
        match suspend_from!(ch.send(v)) {
            Ok(()) => log(&l, format!("sent {v}")),
            Err(e) => log(&l, format!("{v} came back: {}", e.error)),
        }
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let ch = Channel::rendezvous();
    for v in [1, 2, 3] {
        s.spawn(sender(ch.clone(), v, l.clone()));
    }
    assert_eq!(s.run().blocked.len(), 3);
    assert_eq!(ch.balance(), 3);
    // Plain code takes from the blocked senders, first come first served.
    assert_eq!(ch.try_recv().unwrap(), 1);
    assert_eq!(ch.try_recv().unwrap(), 2);
    assert_eq!(ch.balance(), 1);
    ch.close();
    assert!(s.run().is_clean());
    assert_eq!(
        taken(&l),
        ["sent 1", "sent 2", "3 came back: the channel is closed"]
    );
    assert!(matches!(ch.try_recv(), Err(Error::Closed)));
    let e = ch.try_send(9).unwrap_err();
    assert_eq!(
        (e.value, e.error.to_string()),
        (9, "the channel is closed".to_owned())
    );
}

#[test]
fn plain_code_can_try_but_not_block() {
    let ch = Channel::bounded(1);
    assert!(ch.try_send(1).is_ok());
    assert!(matches!(ch.try_send(2), Err(e) if matches!(e.error, Error::WouldBlock)));
    assert_eq!(ch.try_recv().unwrap(), 1);
    assert!(matches!(ch.try_recv(), Err(Error::WouldBlock)));
    // A blocking receive outside a microthread says so instead of hanging.
    let mut r = ch.recv();
    assert!(matches!(
        coro::Coroutine::resume(&mut r, Wake::Start),
        Err(coro::EarlyExit::Returned(Err(Error::NoScheduler)))
    ));
}

#[test]
fn deadlines_on_channel_operations() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn impatient(ch: Channel<u32>, #[resume] _w: Wake) -> bool {
        let r = suspend_from!(ch.recv_timeout(Duration::from_millis(5)));
        let s = suspend_from!(ch.send_timeout(7, Duration::from_millis(5)));
        matches!(r, Err(Error::Timeout))
            && matches!(s, Err(e) if e.value == 7 && matches!(e.error, Error::Timeout))
    }
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let h = s.spawn(impatient(ch.clone()));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join(), Ok(true));
    assert_eq!(ch.balance(), 0);
}

#[test]
fn a_plain_suspend_is_a_request_too() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn raw(l: Log, #[resume] _w: Wake) {
        let w = suspend!(Syscall::Yield);
        log(&l, format!("{w:?}"));
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    s.spawn(raw(l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["Ready"]);
}

#[test]
fn a_timer_left_by_a_killed_microthread_does_not_wake_the_next_one_in_its_slot() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn waits(ch: Channel<u32>, l: Log, #[resume] _w: Wake) {
        let r = suspend_from!(ch.recv_timeout(Duration::from_secs(30)));
        log(&l, format!("{r:?}"));
    }
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn swap(first: TaskId, ch: Channel<u32>, l: Log, #[resume] _w: Wake) {
        // Kill a sleeper whose timer is due soon, and put a new waiter in its slot.
        assert!(coro_uthread::kill(first));
        drop(spawn(waits(ch.clone(), l.clone())));
        suspend_from!(sleep(Duration::from_millis(30))).unwrap();
        ch.try_send(7).unwrap();
    }
    let s = Scheduler::new().unwrap();
    let l = Log::default();
    let ch = Channel::rendezvous();
    let first = s.spawn(value_after(Duration::from_millis(5), 0));
    s.spawn(swap(first.id(), ch.clone(), l.clone()));
    assert!(s.run().is_clean());
    assert_eq!(taken(&l), ["Ok(7)"]);
}

#[test]
fn a_rendezvous_send_returns_only_once_a_receiver_has_the_value() {
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn send_two(ch: Channel<u32>, l: Log, #[resume] _w: Wake) {
        for v in [1, 2] {
            log(&l, format!("send {v}"));
            suspend_from!(ch.send(v)).unwrap();
            log(&l, format!("sent {v}"));
        }
    }
    #[coro::coroutine(yield = Syscall, resume = Wake)]
    fn receive_two(ch: Channel<u32>, l: Log, #[resume] _w: Wake) {
        for _ in 0..2 {
            // Let the sender run first: its send must wait for this receive.
            suspend_from!(yield_now()).unwrap();
            suspend_from!(yield_now()).unwrap();
            let v = suspend_from!(ch.recv()).unwrap();
            log(&l, format!("got {v}"));
        }
    }
    let run = |ch: Channel<u32>| {
        let s = Scheduler::new().unwrap();
        let l = Log::default();
        s.spawn(send_two(ch.clone(), l.clone()));
        s.spawn(receive_two(ch, l.clone()));
        assert!(s.run().is_clean());
        taken(&l)
    };
    let rendezvous = ["send 1", "got 1", "sent 1", "send 2", "got 2", "sent 2"];
    assert_eq!(run(Channel::rendezvous()), rendezvous);
    assert_eq!(
        run(Channel::bounded(0)),
        rendezvous,
        "bounded(0) is rendezvous"
    );
    #[allow(deprecated)]
    let old = Channel::new();
    assert_eq!(run(old), rendezvous, "new() is rendezvous");
    assert_eq!(run(Channel::default()), rendezvous);
    // A buffered send goes on at once.
    assert_eq!(
        run(Channel::bounded(2)),
        ["send 1", "sent 1", "send 2", "sent 2", "got 1", "got 2"]
    );
}
