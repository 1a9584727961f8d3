//! Kill and drop: every local a coroutine holds is dropped exactly once, in the order Rust drops
//! it, whether the coroutine finishes, is killed, is dropped, or panics.

use coro::{Coroutine, EarlyExit, Status, suspend, suspend_from};
use std::cell::RefCell;
use std::rc::Rc;

/// A value that logs its drop.
struct Guard {
    name: &'static str,
    log: Rc<RefCell<Vec<&'static str>>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.name);
    }
}

fn guard(log: &Rc<RefCell<Vec<&'static str>>>, name: &'static str) -> Guard {
    Guard {
        name,
        log: Rc::clone(log),
    }
}

type Log = Rc<RefCell<Vec<&'static str>>>;

fn new_log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn taken(log: &Log) -> Vec<&'static str> {
    std::mem::take(&mut *log.borrow_mut())
}

/// Several droppable locals in nested scopes, alive at different suspension points.
#[coro::coroutine(yield = u32)]
fn holder(log: Log) -> &'static str {
    let _a = guard(&log, "a");
    suspend!(1);
    let b = guard(&log, "b");
    {
        let _c = guard(&log, "c");
        suspend!(2);
        let d = guard(&log, "d");
        suspend!(3);
        drop(d);
        log.borrow_mut().push("d dropped by hand");
    }
    suspend!(4);
    for name in ["e", "f"] {
        let _item = guard(&log, name);
        suspend!(5);
    }
    drop(b);
    suspend!(6);
    "done"
}

#[test]
fn running_to_the_end_drops_in_rust_order() {
    let log = new_log();
    let mut c = holder(Rc::clone(&log));
    let mut ys = Vec::new();
    let end = loop {
        match c.resume(()) {
            Ok(y) => ys.push(y),
            Err(e) => break e,
        }
    };
    assert_eq!(ys, [1, 2, 3, 4, 5, 5, 6]);
    assert_eq!(end, EarlyExit::Returned("done"));
    assert_eq!(
        taken(&log),
        ["d", "d dropped by hand", "c", "e", "f", "b", "a"]
    );
    drop(c);
    assert!(taken(&log).is_empty(), "nothing is dropped twice");
}

#[test]
fn kill_at_every_suspension_point_drops_exactly_what_is_held() {
    // After the k-th suspension, in the order Rust would drop the live locals there.
    let expected: [&[&str]; 8] = [
        &[],
        &["a"],
        &["c", "b", "a"],
        &["d", "c", "b", "a"],
        &["d", "d dropped by hand", "c", "b", "a"],
        &["d", "d dropped by hand", "c", "e", "b", "a"],
        &["d", "d dropped by hand", "c", "e", "f", "b", "a"],
        &["d", "d dropped by hand", "c", "e", "f", "b", "a"],
    ];
    for (k, expected) in expected.iter().enumerate() {
        let log = new_log();
        let mut c = holder(Rc::clone(&log));
        for _ in 0..k {
            assert!(c.resume(()).is_ok());
        }
        c.kill();
        assert_eq!(taken(&log), *expected, "killed after {k} suspensions");
        assert_eq!(c.status(), Status::Killed);
        assert_eq!(c.resume(()), Err(EarlyExit::Killed));
        c.kill();
        drop(c);
        assert!(
            taken(&log).is_empty(),
            "killed after {k}: nothing dropped twice"
        );
    }
}

#[test]
fn dropping_a_suspended_coroutine_kills_it() {
    let log = new_log();
    let mut c = holder(Rc::clone(&log));
    for _ in 0..3 {
        c.resume(()).unwrap();
    }
    drop(c);
    assert_eq!(taken(&log), ["d", "c", "b", "a"]);
}

#[test]
fn an_unstarted_coroutine_drops_its_arguments_in_reverse_order() {
    #[coro::coroutine(yield = ())]
    fn two(_first: Guard, _second: Guard) {
        suspend!();
    }
    let log = new_log();
    let c = two(guard(&log, "first"), guard(&log, "second"));
    assert_eq!(c.status(), Status::Unstarted);
    drop(c);
    assert_eq!(taken(&log), ["second", "first"]);
}

#[test]
fn a_local_not_used_after_a_suspension_point_is_dropped_there() {
    #[coro::coroutine(yield = &'static str)]
    fn early(log: Log) {
        let used = guard(&log, "used before");
        let _untouched = guard(&log, "untouched");
        let kept = guard(&log, "used after");
        let name = used.name;
        suspend!(name);
        log.borrow_mut().push("resumed");
        suspend!(kept.name);
    }
    let log = new_log();
    let mut c = early(Rc::clone(&log));
    assert_eq!(c.resume(()), Ok("used before"));
    // `used` is not used after the suspension point: it is dropped when the coroutine suspends.
    assert_eq!(taken(&log), ["used before"]);
    // `kept` is last used by the value of the second suspension: dropped when it suspends.
    assert_eq!(c.resume(()), Ok("used after"));
    assert_eq!(taken(&log), ["resumed", "used after"]);
    // `_untouched` is never used: it lives to the end of its scope, like a guard.
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(())));
    assert_eq!(taken(&log), ["untouched"]);
}

#[test]
fn kill_reaches_a_delegate_first() {
    #[coro::coroutine(yield = u8)]
    fn inner(log: Log) {
        let _i = guard(&log, "inner");
        suspend!(1);
        suspend!(2);
    }
    #[coro::coroutine(yield = u8)]
    fn outer(log: Log) {
        let _o = guard(&log, "outer");
        suspend_from!(inner(Rc::clone(&log)));
        suspend!(3);
    }
    let log = new_log();
    let mut c = outer(Rc::clone(&log));
    assert_eq!(c.resume(()), Ok(1));
    c.kill();
    assert_eq!(taken(&log), ["inner", "outer"]);
}

#[test]
fn a_panic_ends_the_coroutine_and_drops_its_locals_once() {
    #[coro::coroutine(yield = u8)]
    fn fragile(log: Log) {
        let _x = guard(&log, "x");
        suspend!(1);
        let _y = guard(&log, "y");
        panic!("boom");
    }
    let log = new_log();
    let mut c = fragile(Rc::clone(&log));
    assert_eq!(c.resume(()), Ok(1));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(())));
    let message = *caught.unwrap_err().downcast::<&str>().unwrap();
    assert_eq!(message, "boom");
    assert_eq!(taken(&log), ["y", "x"]);
    assert_eq!(c.status(), Status::Panicked);
    assert_eq!(c.resume(()), Err(EarlyExit::Panicked));
    drop(c);
    assert!(taken(&log).is_empty());
}

#[test]
fn a_panic_in_an_arm_resumed_in_place_drops_what_the_state_holds() {
    #[coro::coroutine(yield = u32)]
    fn looping(log: Log) {
        let _held = guard(&log, "held");
        let mut i = 0;
        loop {
            suspend!(i);
            i += 1;
            assert!(i < 2, "too far");
        }
    }
    let log = new_log();
    let mut c = looping(Rc::clone(&log));
    assert_eq!(c.resume(()), Ok(0));
    assert_eq!(c.resume(()), Ok(1));
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(()))).is_err());
    assert_eq!(taken(&log), ["held"]);
    assert_eq!(c.resume(()), Err(EarlyExit::Panicked));
}
