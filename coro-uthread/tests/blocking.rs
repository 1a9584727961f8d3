//! `spawn_blocking`: a closure on the pool's threads, while the other microthreads go on.

use coro::suspend_from;
use coro_uthread::{Error, Scheduler, Stopped, Waiting, sleep, spawn_blocking, yield_now};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[coro::uthread]
fn slow(ms: u64) -> Result<u64, Error> {
    let v = suspend_from!(spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(ms));
        ms
    }))?;
    Ok(v)
}

/// Yields until `stop`, counting its switches.
#[coro::uthread]
fn switcher(switches: Rc<Cell<u64>>, stop: Rc<Cell<bool>>) {
    while !stop.get() {
        switches.set(switches.get() + 1);
        suspend_from!(yield_now()).unwrap();
    }
}

#[coro::uthread]
fn then_stop(ms: u64, stop: Rc<Cell<bool>>) -> Result<u64, Error> {
    let v = suspend_from!(slow(ms));
    stop.set(true);
    v
}

#[test]
fn others_keep_switching_while_one_waits_for_a_blocking_closure() {
    let s = Scheduler::new().unwrap();
    let (switches, stop) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(false)));
    let start = Instant::now();
    let h = s.spawn(then_stop(100, Rc::clone(&stop)));
    s.spawn(switcher(Rc::clone(&switches), Rc::clone(&stop)));
    s.spawn(switcher(Rc::clone(&switches), stop));
    assert!(s.run().is_clean());
    let took = start.elapsed();
    assert_eq!(h.try_join().unwrap().unwrap(), 100);
    assert!(
        took >= Duration::from_millis(100) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(switches.get() > 100, "only {} switches", switches.get());
}

#[test]
fn a_scheduler_asleep_in_the_poller_is_woken_by_the_closure_s_end() {
    let s = Scheduler::new().unwrap();
    // Nothing else to do: the scheduler waits in the poller, and the closure's end wakes it
    // long before the sleeper's timer.
    let h = s.spawn(slow(20));
    let sleeper = s.spawn(sleep_ms(5_000));
    let start = Instant::now();
    assert_eq!(s.run_until(&h), Stopped::Ended);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(h.try_join().unwrap().unwrap(), 20);
    // Four at once, on up to four threads: about one closure's time, not four.
    let start = Instant::now();
    let hs: Vec<_> = (0..4).map(|_| s.spawn(slow(100))).collect();
    for h in &hs {
        assert_eq!(s.run_until(h), Stopped::Ended);
    }
    assert!(
        start.elapsed() < Duration::from_millis(390),
        "{:?}",
        start.elapsed()
    );
    s.kill(sleeper.id());
}

#[coro::uthread]
fn sleep_ms(ms: u64) {
    let _ = suspend_from!(sleep(Duration::from_millis(ms)));
}

#[coro::uthread]
fn waits_on(ran: Arc<AtomicBool>, dropped: Arc<AtomicUsize>) -> Result<(), Error> {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let _value = suspend_from!(spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(50));
        ran.store(true, Ordering::SeqCst);
        Counted(dropped)
    }))?;
    Ok(())
}

#[test]
fn killing_the_waiter_leaves_the_closure_to_finish_and_drops_its_value() {
    let s = Scheduler::new().unwrap();
    let (ran, dropped) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let h = s.spawn(waits_on(Arc::clone(&ran), Arc::clone(&dropped)));
    // Waiting for a closure is not stuck: the run waits with it, here until its limit.
    assert_eq!(s.run_for(Duration::from_millis(10)), Stopped::TimeUp);
    assert!(!h.is_finished());
    assert!(s.kill(h.id()));
    // Nothing waits any more: run returns at once.
    let start = Instant::now();
    assert!(s.run().is_clean());
    assert!(start.elapsed() < Duration::from_millis(40));
    // The closure still ends on its thread, and its value is dropped there.
    let start = Instant::now();
    while dropped.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(ran.load(Ordering::SeqCst));
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    // A thrown error ends the wait too.
    let (ran, dropped) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let h = s.spawn(waits_on(ran, Arc::clone(&dropped)));
    let _ = s.run_for(Duration::from_millis(5));
    s.throw(h.id(), "stop waiting");
    assert!(s.run().is_clean());
    assert!(matches!(h.try_join(), Ok(Err(Error::Thrown(_)))));
}

#[coro::uthread]
fn panicky() -> Result<u32, Error> {
    let v: u32 = suspend_from!(spawn_blocking(|| panic!("no luck")))?;
    Ok(v)
}

#[test]
fn a_panicking_closure_gives_an_error_and_the_pool_goes_on() {
    let s = Scheduler::new().unwrap();
    let h = s.spawn(panicky());
    assert!(s.run().is_clean());
    match h.try_join().unwrap() {
        Err(Error::Panicked(m)) => assert_eq!(m, "no luck"),
        other => panic!("{other:?}"),
    }
    let e = Error::Panicked("x".into());
    assert_eq!(e.to_string(), "the blocking closure panicked: x");
    // The threads are still there for the next closures.
    let h = s.spawn(slow(1));
    assert!(s.run().is_clean());
    assert_eq!(h.try_join().unwrap().unwrap(), 1);
}

#[test]
fn outside_a_microthread_there_is_nothing_to_wait_with() {
    use coro::Coroutine;
    let _s = Scheduler::new().unwrap();
    let mut op = spawn_blocking(|| 1);
    assert!(matches!(
        op.resume(coro_uthread::Wake::Start),
        Err(coro::EarlyExit::Returned(Err(Error::NoScheduler)))
    ));
    assert_eq!(Waiting::Blocking.to_string(), "a blocking closure");
}
