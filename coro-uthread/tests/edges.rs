//! Edges: re-entrant kills, values handed to killed receivers, several waiters
//! on one socket, errors thrown before a microthread starts, sockets outliving their scheduler,
//! closing with blocked senders, many joins.

use coro::suspend_from;
use coro_uthread::{
    Channel, Error, JoinError, JoinHandle, Scheduler, Syscall, TaskId, TcpListener, TcpStream,
    TryJoinError, Wake, spawn, yield_now,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn receiver(ch: Channel<u32>, #[resume] _w: Wake) -> String {
    let r = suspend_from!(ch.recv());
    format!("{r:?}")
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn value(v: u32, #[resume] _w: Wake) -> u32 {
    suspend_from!(yield_now()).unwrap();
    v
}

/// Kills the microthread it names when dropped.
struct KillOnDrop(Rc<Cell<Option<TaskId>>>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(id) = self.0.get() {
            coro_uthread::kill(id);
        }
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn guarded(me: Rc<Cell<Option<TaskId>>>, ch: Channel<u32>, #[resume] _w: Wake) {
    let _g = KillOnDrop(me);
    let _ = suspend_from!(ch.recv());
}

#[test]
fn a_kill_from_the_victim_s_own_drop_ends_it_once() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let me = Rc::new(Cell::new(None));
    let g = s.spawn(guarded(me.clone(), ch.clone()));
    me.set(Some(g.id()));
    assert_eq!(s.run().blocked.len(), 1);
    assert!(s.kill(g.id()));
    let a = s.spawn(value(1));
    let b = s.spawn(value(2));
    assert!(s.run().is_clean());
    assert_eq!(a.try_join(), Ok(1));
    assert_eq!(b.try_join(), Ok(2));
}

#[test]
fn a_value_handed_to_a_receiver_killed_before_it_ran_goes_to_the_next_one() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let r1 = s.spawn(receiver(ch.clone()));
    let r2 = s.spawn(receiver(ch.clone()));
    assert_eq!(s.run().blocked.len(), 2);
    ch.try_send(7).unwrap();
    assert!(s.kill(r1.id()));
    assert!(s.run().is_clean());
    assert_eq!(r2.try_join(), Ok("Ok(7)".to_owned()));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn patient(ch: Channel<u32>, #[resume] _w: Wake) -> bool {
    let r = suspend_from!(ch.recv());
    matches!(r, Err(Error::Thrown(_)))
}

#[test]
fn an_error_thrown_before_a_microthread_starts_reaches_its_first_wait() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::<u32>::rendezvous();
    let p = s.spawn(patient(ch.clone()));
    assert!(s.throw(p.id(), "stop"));
    assert!(s.run().is_clean());
    assert_eq!(p.try_join(), Ok(true));
    assert_eq!(ch.balance(), 0);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn sender(ch: Channel<u32>, #[resume] _w: Wake) -> Option<u32> {
    suspend_from!(ch.send(3)).err().map(|e| e.value)
}

#[test]
fn closing_gives_blocked_senders_their_values_back() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    let h = s.spawn(sender(ch.clone()));
    assert_eq!(s.run().blocked.len(), 1);
    ch.close();
    assert_eq!(ch.balance(), 0);
    assert!(matches!(ch.try_recv(), Err(Error::Closed)));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join(), Ok(Some(3)));
}

#[test]
fn many_pending_joins_do_not_lose_the_result() {
    let s = Scheduler::new().unwrap();
    let h = s.spawn(value(5));
    drop((0..70_000).map(|_| h.join()).collect::<Vec<_>>());
    assert!(s.run().is_clean());
    assert_eq!(h.try_join(), Ok(5));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn reader(st: TcpStream, #[resume] _w: Wake) -> usize {
    let (n, _) = suspend_from!(st.read(vec![0; 1])).unwrap();
    n
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn two_readers(l: TcpListener, out: Rc<RefCell<Vec<JoinHandle<usize>>>>, #[resume] _w: Wake) {
    let (st, _) = suspend_from!(l.accept()).unwrap();
    out.borrow_mut().push(spawn(reader(st.clone())));
    out.borrow_mut().push(spawn(reader(st)));
}

#[test]
fn two_microthreads_reading_one_socket_are_both_woken() {
    let s = Scheduler::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        use std::io::Write;
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        c.write_all(b"a").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        c.write_all(b"b").unwrap();
        std::thread::sleep(Duration::from_millis(50));
    });
    let readers = Rc::default();
    s.spawn(two_readers(l, Rc::clone(&readers)));
    let report = s.run();
    client.join().unwrap();
    assert!(report.is_clean(), "{report}");
    let got: Vec<_> = readers.borrow().iter().map(JoinHandle::try_join).collect();
    assert_eq!(got, [Ok(1), Ok(1)]);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn accept_one(l: TcpListener, #[resume] _w: Wake) -> bool {
    let r = suspend_from!(l.accept());
    r.is_ok()
}

#[test]
fn a_socket_outliving_its_scheduler_leaves_the_next_one_alone() {
    let s1 = Scheduler::new().unwrap();
    let old = TcpListener::bind("127.0.0.1:0").unwrap();
    drop(s1);
    let s2 = Scheduler::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(old);
    let h = s2.spawn(accept_one(l));
    let c = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        let _c = std::net::TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    });
    let report = s2.run();
    c.join().unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(h.try_join(), Ok(true));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn poller(ch: Channel<u32>, n: u32, #[resume] _w: Wake) {
    for _ in 0..n {
        let r = suspend_from!(ch.recv_timeout(Duration::ZERO));
        assert!(matches!(r, Err(Error::Timeout)));
    }
}

#[test]
fn timed_out_receives_leave_nothing_behind() {
    let s = Scheduler::new().unwrap();
    let ch = Channel::rendezvous();
    s.spawn(poller(ch.clone(), 10_000));
    assert!(s.run().is_clean());
    assert_eq!(ch.balance(), 0);
    // Withdrawn waiters are compacted away: a receiver that comes later is served at once.
    let r = s.spawn(receiver(ch.clone()));
    assert_eq!(s.run().blocked.len(), 1);
    ch.try_send(1).unwrap();
    assert!(s.run().is_clean());
    assert_eq!(r.try_join(), Ok("Ok(1)".to_owned()));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn serve_one(l: TcpListener, #[resume] _w: Wake) -> String {
    let (st, _) = suspend_from!(l.accept()).unwrap();
    match suspend_from!(st.read_timeout(vec![0; 8], Duration::from_millis(20))) {
        Ok((n, _)) => format!("read {n}"),
        Err(e) => format!("{:?}", e.kind()),
    }
}

#[test]
fn a_read_with_a_deadline_times_out() {
    let s = Scheduler::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = s.spawn(serve_one(l));
    let c = std::thread::spawn(move || {
        let _c = std::net::TcpStream::connect(addr).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    });
    assert!(s.run().is_clean());
    c.join().unwrap();
    assert_eq!(h.try_join(), Ok("TimedOut".to_owned()));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn connect_to(addr: std::net::SocketAddr, #[resume] _w: Wake) -> bool {
    let r = suspend_from!(TcpStream::connect(addr));
    r.is_err()
}

#[test]
fn connecting_to_a_closed_port_is_an_error() {
    let s = Scheduler::new().unwrap();
    // A port that was just free: nothing listens there.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let h = s.spawn(connect_to(addr));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join(), Ok(true));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn hold(l: TcpListener, out: Rc<RefCell<Option<TaskId>>>, #[resume] _w: Wake) {
    let (st, _) = suspend_from!(l.accept()).unwrap();
    *out.borrow_mut() = coro_uthread::current().map(|c| c.id);
    let _ = suspend_from!(st.read(vec![0; 8]));
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn kill_later(who: Rc<RefCell<Option<TaskId>>>, #[resume] _w: Wake) {
    while who.borrow().is_none() {
        suspend_from!(coro_uthread::sleep(Duration::from_millis(5))).unwrap();
    }
    let id = who.borrow().unwrap();
    assert!(coro_uthread::kill(id));
}

#[test]
fn killing_a_microthread_blocked_in_a_read_closes_its_socket() {
    let s = Scheduler::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let who = Rc::new(RefCell::new(None));
    s.spawn(hold(l, Rc::clone(&who)));
    s.spawn(kill_later(who));
    let c = std::thread::spawn(move || {
        use std::io::Read;
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        c.read_to_end(&mut rest).map(|_| rest.len())
    });
    assert!(s.run().is_clean());
    assert_eq!(c.join().unwrap().unwrap(), 0, "the server side closed");
}

/// Logs its drop.
struct Noisy(&'static str, Rc<RefCell<Vec<&'static str>>>);

impl Drop for Noisy {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn noisy_waiter(_n: Noisy, ch: Channel<u32>, #[resume] _w: Wake) {
    let _ = suspend_from!(ch.recv());
}

#[test]
fn dropping_the_scheduler_ends_the_microthreads_left() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let ch = Channel::rendezvous();
    {
        let s = Scheduler::new().unwrap();
        s.spawn(noisy_waiter(Noisy("a", Rc::clone(&log)), ch.clone()));
        s.spawn(noisy_waiter(Noisy("b", Rc::clone(&log)), ch.clone()));
        assert_eq!(s.run().blocked.len(), 2);
        // Its arguments are its locals too, before it runs.
        s.spawn(noisy_waiter(
            Noisy("never started", Rc::clone(&log)),
            ch.clone(),
        ));
    }
    assert_eq!(*log.borrow(), ["a", "b", "never started"]);
    assert_eq!(ch.balance(), 0);
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn joins(h: Rc<JoinHandle<u32>>, #[resume] _w: Wake) -> String {
    let r = suspend_from!(h.join());
    format!("{r:?}")
}

#[test]
fn of_several_joiners_the_first_takes_the_result() {
    let s = Scheduler::new().unwrap();
    let h = Rc::new(s.spawn(value(9)));
    let a = s.spawn(joins(Rc::clone(&h)));
    let b = s.spawn(joins(Rc::clone(&h)));
    assert!(s.run().is_clean());
    assert_eq!(a.try_join(), Ok("Ok(9)".to_owned()));
    assert_eq!(b.try_join(), Ok("Err(Join(Taken))".to_owned()));
}

/// Counts its drops.
struct Counted(Rc<Cell<u32>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Kills the one before it, spawns the next of its own kind while it runs, then waits forever.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn relay(
    n: u32,
    before: Option<TaskId>,
    log: Rc<RefCell<Vec<u32>>>,
    drops: Rc<Cell<u32>>,
    ch: Channel<u32>,
    #[resume] _w: Wake,
) {
    let _c = Counted(drops.clone());
    log.borrow_mut().push(n);
    if let Some(before) = before {
        assert!(coro_uthread::kill(before));
    }
    if n > 0 {
        let me = coro_uthread::current().unwrap().id;
        drop(spawn(relay(n - 1, Some(me), log, drops, ch.clone())));
    }
    let _ = suspend_from!(ch.recv());
}

#[test]
fn microthreads_of_one_kind_spawn_and_kill_each_other_while_one_of_them_runs() {
    // 200 of one coroutine type share a pool: each is spawned, and kills the one before it,
    // while another of the pool runs in place; places freed by kills are taken again.
    let s = Scheduler::new().unwrap();
    let (log, drops, ch) = (Rc::default(), Rc::new(Cell::new(0)), Channel::rendezvous());
    let first = s.spawn(relay(199, None, Rc::clone(&log), drops.clone(), ch.clone()));
    let report = s.run();
    assert_eq!(*log.borrow(), (0..200).rev().collect::<Vec<u32>>());
    assert_eq!(drops.get(), 199, "each was dropped when killed");
    assert_eq!(report.blocked.len(), 1, "the last one waits");
    assert_eq!(report.blocked[0].id.get(), 200);
    assert_eq!(first.try_join(), Err(TryJoinError::Join(JoinError::Killed)));
    drop(s);
    assert_eq!(drops.get(), 200);
}

/// Keeps a large buffer across a yield: its pool keeps one state per chunk.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn large(seed: u8, #[resume] _w: Wake) -> u64 {
    let mut buf = [0u8; 5000];
    for (i, b) in buf.iter_mut().enumerate() {
        *b = seed.wrapping_add(u8::try_from(i % 251).unwrap());
    }
    suspend_from!(yield_now()).unwrap();
    buf.iter().map(|&b| u64::from(b)).sum()
}

#[test]
fn microthreads_with_large_states_keep_them_apart() {
    let s = Scheduler::new().unwrap();
    let handles: Vec<_> = (0..3).map(|seed| s.spawn(large(seed))).collect();
    assert!(s.run().is_clean());
    let expected = |seed: u8| -> u64 {
        (0..5000)
            .map(|i| u64::from(seed.wrapping_add(u8::try_from(i % 251).unwrap())))
            .sum()
    };
    for (seed, h) in (0..3).zip(&handles) {
        assert_eq!(h.try_join(), Ok(expected(seed)));
    }
}

/// Kills itself and returns in the same step; when dropped, spawns one of its own kind, which
/// counts its run.
struct SelfKiller {
    respawn: bool,
    runs: Rc<Cell<u32>>,
}

impl coro::Coroutine<Wake> for SelfKiller {
    type Yield = Syscall;
    type Return = u32;

    fn resume(&mut self, _w: Wake) -> Result<Syscall, coro::EarlyExit<u32>> {
        self.runs.set(self.runs.get() + 1);
        if self.respawn {
            assert!(coro_uthread::kill(coro_uthread::current().unwrap().id));
        }
        Err(coro::EarlyExit::Returned(7))
    }

    fn kill(&mut self) {}

    fn status(&self) -> coro::Status {
        coro::Status::Suspended
    }
}

impl Drop for SelfKiller {
    fn drop(&mut self) {
        if self.respawn {
            drop(spawn(SelfKiller {
                respawn: false,
                runs: self.runs.clone(),
            }));
        }
    }
}

#[test]
fn a_microthread_killed_in_the_step_it_ends_in_leaves_its_pool_once() {
    // Its place is freed once: the one its drop spawns into that place keeps its state.
    let s = Scheduler::new().unwrap();
    let runs = Rc::new(Cell::new(0));
    let h = s.spawn(SelfKiller {
        respawn: true,
        runs: runs.clone(),
    });
    assert!(s.run().is_clean());
    assert_eq!(runs.get(), 2, "both ran");
    assert_eq!(h.try_join(), Err(TryJoinError::Join(JoinError::Killed)));
}

/// A panic payload that spawns when dropped.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        drop(spawn(value(9)));
    }
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn explodes(#[resume] _w: Wake) {
    suspend_from!(yield_now()).unwrap();
    std::panic::panic_any(Bomb);
}

/// Returns the handle of a child that has ended by then.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn parent(#[resume] _w: Wake) -> JoinHandle<u32> {
    let child = spawn(value(3));
    for _ in 0..3 {
        suspend_from!(yield_now()).unwrap();
    }
    child
}

#[test]
fn what_a_step_leaves_is_dropped_outside_the_scheduler_s_borrows() {
    // A panic's payload and a result nobody takes may call back into the scheduler when they
    // are dropped.
    let s = Scheduler::new().unwrap();
    let boom = s.spawn(explodes());
    let p = s.spawn(parent());
    assert!(s.run().is_clean());
    assert_eq!(
        boom.try_join(),
        Err(TryJoinError::Join(JoinError::Panicked(
            "a panic without a message".to_owned()
        )))
    );
    drop(p);
    assert!(s.run().is_clean(), "what the payload spawned ran");
}
