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
        let _ = suspend_from!(yield_now());
    }
    rounds
}

/// The long form keeps working, and a `#[resume]` parameter may still be written.
#[coro::uthread(name = "explicit")]
fn explicit(log: Log, #[resume] first: Wake) -> bool {
    log.borrow_mut().push(format!("first wake {first:?}"));
    let _ = suspend_from!(yield_now());
    coro::current().is_some_and(|c| c.name() == "explicit")
}

#[coro::uthread(pinned)]
fn pinned_worker(words: Vec<String>, log: Log) -> usize {
    for w in &words {
        log.borrow_mut().push(w.clone());
        let _ = suspend_from!(yield_now());
    }
    words.len()
}

#[test]
fn microthreads_written_as_plain_functions_take_turns() {
    let log = Log::default();
    let sched = Scheduler::new().unwrap();
    let first = sched.spawn(worker("a", 2, log.clone()));
    let second = sched.spawn(worker("b", 2, log.clone()));
    let long_form = sched.spawn(explicit(log.clone()));
    let pinned = sched.spawn(pinned_worker(vec!["x".into(), "y".into()], log.clone()));
    assert!(sched.run().is_clean());
    assert_eq!(first.try_join(), Ok(2));
    assert_eq!(second.try_join(), Ok(2));
    assert_eq!(long_form.try_join(), Ok(true));
    assert_eq!(pinned.try_join(), Ok(2));
    assert_eq!(
        *log.borrow(),
        ["a0", "b0", "first wake Start", "x", "a1", "b1", "y"]
    );
}

/// The README's microthread example, as written there.
#[test]
fn the_readme_example() -> Result<(), Box<dyn std::error::Error>> {
    use coro::uthread::{Channel, Error};

    #[coro::uthread]
    fn summer(inbox: Channel<u32>) -> u32 {
        let mut sum = 0;
        while let Ok(v) = suspend_from!(inbox.recv()) {
            sum += v;
        }
        sum
    }

    #[coro::uthread]
    fn sender(out: Channel<u32>) -> Result<(), Error> {
        for v in [1, 2, 3] {
            suspend_from!(out.send(v))?;
        }
        out.close();
        Ok(())
    }

    let s = Scheduler::new()?;
    let ch = Channel::rendezvous(); // Stackless's channel: a send waits for a receiver
    let total = s.spawn(summer(ch.clone()));
    s.spawn(sender(ch));
    assert!(s.run().is_clean());
    assert_eq!(total.try_join(), Ok(6));
    Ok(())
}
