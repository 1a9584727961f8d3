//! `run_for` and `run_until`: the scheduler returns to its caller and keeps its microthreads for
//! the next run.

use coro::suspend_from;
use coro_uthread::{Channel, Error, JoinError, Scheduler, Stopped, TryJoinError, sleep, yield_now};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Yields forever, counting its turns.
#[coro::uthread]
fn spinner(turns: Rc<Cell<u64>>) -> Result<(), Error> {
    loop {
        turns.set(turns.get() + 1);
        suspend_from!(yield_now())?;
    }
}

#[test]
fn a_microthread_yielding_forever_outlives_run_for_and_can_be_run_again_or_killed() {
    let s = Scheduler::new().unwrap();
    let turns = Rc::new(Cell::new(0));
    let h = s.spawn(spinner(Rc::clone(&turns)));
    let start = Instant::now();
    assert_eq!(s.run_for(Duration::from_millis(20)), Stopped::TimeUp);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(20), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let first = turns.get();
    assert!(first > 0);
    assert!(!h.is_finished());
    assert!(matches!(h.try_join(), Err(TryJoinError::NotFinished)));
    assert_eq!(s.len(), 1);
    // Run again: it goes on where it was.
    assert_eq!(s.run_for(Duration::from_millis(5)), Stopped::TimeUp);
    assert!(turns.get() > first);
    // A thrown error ends it through its yield, at its next turn.
    s.throw(h.id(), "enough");
    let stopped = s.run_for(Duration::from_secs(5));
    assert!(
        matches!(&stopped, Stopped::Idle(r) if r.is_clean()),
        "{stopped}"
    );
    assert!(matches!(h.try_join(), Ok(Err(Error::Thrown(_)))));

    // Or killed between two runs.
    let h = s.spawn(spinner(Rc::clone(&turns)));
    assert_eq!(s.run_for(Duration::ZERO), Stopped::TimeUp);
    assert!(s.kill(h.id()));
    assert!(matches!(
        h.try_join(),
        Err(TryJoinError::Join(JoinError::Killed))
    ));
    assert!(matches!(s.run_for(Duration::from_secs(5)), Stopped::Idle(r) if r.is_clean()));
}

#[coro::uthread]
fn napper(ms: u64) -> u64 {
    suspend_from!(sleep(Duration::from_millis(ms))).unwrap();
    ms
}

#[coro::uthread]
fn stuck(ch: Channel<u8>) {
    let _ = suspend_from!(ch.recv());
}

#[test]
fn run_for_waits_in_the_poller_and_returns_early_when_nothing_can_run() {
    let s = Scheduler::new().unwrap();
    // Only a timer pending, due after the limit: the wait stops at the limit.
    let h = s.spawn(napper(200));
    let start = Instant::now();
    assert_eq!(s.run_for(Duration::from_millis(20)), Stopped::TimeUp);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(20) && took < Duration::from_millis(190),
        "{took:?}"
    );
    s.kill(h.id());
    // Due before the limit: it ends, and run_for returns without waiting out the rest.
    let h = s.spawn(napper(5));
    let start = Instant::now();
    assert!(matches!(s.run_for(Duration::from_secs(10)), Stopped::Idle(r) if r.is_clean()));
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(h.try_join(), Ok(5));
    // Stuck microthreads are reported as run reports them.
    let ch = Channel::rendezvous();
    let h = s.spawn(stuck(ch.clone()));
    match s.run_for(Duration::from_secs(10)) {
        Stopped::Idle(r) => assert_eq!(r.blocked.len(), 1),
        other => panic!("{other}"),
    }
    s.kill(h.id());
}

#[test]
fn run_until_returns_once_its_microthread_ended_while_the_others_go_on() {
    let s = Scheduler::new().unwrap();
    let turns = Rc::new(Cell::new(0));
    let spin = s.spawn(spinner(Rc::clone(&turns)));
    let slow = s.spawn(napper(10_000));
    let quick = s.spawn(napper(10));
    let start = Instant::now();
    assert_eq!(s.run_until(&quick), Stopped::Ended);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(quick.try_join(), Ok(10));
    assert!(turns.get() > 0, "the spinner ran meanwhile");
    assert!(!spin.is_finished() && !slow.is_finished());
    // Ended already: at once, running nothing.
    let before = turns.get();
    assert_eq!(s.run_until(&quick), Stopped::Ended);
    assert_eq!(turns.get(), before);
    // A microthread killed by another run counts as ended.
    assert!(s.kill(slow.id()));
    assert_eq!(s.run_until(&slow), Stopped::Ended);
    // The spinner is still there for the next run.
    assert_eq!(s.run_for(Duration::from_millis(2)), Stopped::TimeUp);
    assert!(turns.get() > before);
    s.kill(spin.id());
    // One stuck: nothing can run, and the report says so.
    let ch = Channel::rendezvous();
    let h = s.spawn(stuck(ch.clone()));
    match s.run_until(&h) {
        Stopped::Idle(r) => assert_eq!(r.blocked[0].id, h.id()),
        other => panic!("{other}"),
    }
    ch.close();
    assert_eq!(s.run_until(&h), Stopped::Ended);
    assert_eq!(h.try_join(), Ok(()));
}
