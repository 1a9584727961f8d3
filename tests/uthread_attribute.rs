//! `#[coro::uthread]`: a microthread written as a plain function, with the scheduler's request
//! and wake types implied and no `#[resume]` parameter to write.

use coro::suspend_from;
use coro::uthread::{Scheduler, Wake, yield_now};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

#[coro::uthread]
fn worker(name: &'static str, rounds: u32, log: Log) -> u32 {
    for i in 0..rounds {
        log.borrow_mut().push(format!("{name}{i}"));
        suspend_from!(yield_now());
    }
    rounds
}

/// The long form keeps working, and a `#[resume]` parameter may still be written.
#[coro::uthread(name = "explicit")]
fn explicit(log: Log, #[resume] first: Wake) -> bool {
    log.borrow_mut().push(format!("first wake {first:?}"));
    suspend_from!(yield_now());
    coro::current().is_some_and(|c| c.name() == "explicit")
}

#[coro::uthread(pinned)]
fn pinned_worker(words: Vec<String>, log: Log) -> usize {
    for w in &words {
        log.borrow_mut().push(w.clone());
        suspend_from!(yield_now());
    }
    words.len()
}

#[test]
fn microthreads_written_as_plain_functions_take_turns() {
    let log = Log::default();
    let s = Scheduler::new().unwrap();
    let a = s.spawn(worker("a", 2, log.clone()));
    let b = s.spawn(worker("b", 2, log.clone()));
    let e = s.spawn(explicit(log.clone()));
    let p = s.spawn(pinned_worker(vec!["x".into(), "y".into()], log.clone()));
    assert!(s.run().is_clean());
    assert_eq!(a.try_join(), Ok(2));
    assert_eq!(b.try_join(), Ok(2));
    assert_eq!(e.try_join(), Ok(true));
    assert_eq!(p.try_join(), Ok(2));
    assert_eq!(
        *log.borrow(),
        ["a0", "b0", "first wake Start", "x", "a1", "b1", "y"]
    );
}
