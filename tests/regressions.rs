//! Bodies on which the differential tests (the `difftest` crate) once found the transform wrong,
//! reduced by hand. Each test names what was wrong.

use coro::{Coroutine, EarlyExit, suspend, suspend_from};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

/// Logs its drop.
struct Guard(&'static str, Log);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.borrow_mut().push(format!("drop {}", self.0));
    }
}

impl Guard {
    fn touch(&self) -> i64 {
        self.1.borrow_mut().push(format!("touch {}", self.0));
        1
    }
}

fn event(log: &Log, e: String) {
    log.borrow_mut().push(e);
}

/// Resumes with each value of the script, logging what comes out; the whole log.
fn drive<C: Coroutine<i64, Yield = i64, Return = i64>>(
    log: &Log,
    mut c: C,
    script: &[i64],
) -> Vec<String> {
    for &r in script {
        match c.resume(r) {
            Ok(y) => event(log, format!("yield {y}")),
            Err(EarlyExit::Returned(v)) => {
                event(log, format!("return {v}"));
                break;
            }
            Err(other) => panic!("unexpected exit: {other}"),
        }
    }
    drop(c);
    std::mem::take(&mut *log.borrow_mut())
}

/// An `if` or `while` condition without `let` whose second `&&` operand suspends once sent the
/// lowering into endless recursion.
#[test]
fn a_suspension_in_a_later_operand_of_a_plain_condition() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] first: i64) -> i64 {
        let mut n = 0;
        if first > 0 && suspend!(1) > 5 {
            n += 10;
        }
        while n < 13 && suspend!(n) != 0 {
            n += 1;
        }
        n
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(), &[1, 6, 4, 4, 0]),
        ["yield 1", "yield 10", "yield 11", "yield 12", "return 12"]
    );
    assert_eq!(drive(&log, f(), &[0, 0]), ["yield 0", "return 0"]);
}

/// A loop whose iteration, once resumed, never gets back to the loop's head (it returns or
/// breaks) once had a copy of the loop emitted after it, which did not compile.
#[test]
fn an_interrupted_iteration_that_leaves_the_loop() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] first: i64) -> i64 {
        for i in 0..3 {
            let r = suspend!(i);
            if r == 0 {
                continue;
            }
            return r * 10 + first;
        }
        let v = loop {
            suspend!(-1);
            break 7;
        };
        v
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(), &[1, 0, 2]),
        ["yield 0", "yield 1", "return 21"]
    );
    assert_eq!(
        drive(&log, f(), &[1, 0, 0, 0, 5]),
        ["yield 0", "yield 1", "yield 2", "yield -1", "return 7"]
    );
}

/// Statements after a construct that, in the resumed arm, cannot complete (every branch
/// returns) were once emitted there too, with temporaries whose type nothing fixed.
#[test]
fn code_after_a_construct_that_never_completes_when_resumed() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] first: i64) -> i64 {
        let x = if first > 0 {
            let y = suspend!(1);
            return y + 100;
        } else {
            first - 1
        };
        let z = suspend!(x) + suspend!(2);
        z
    }
    let log = Log::default();
    assert_eq!(drive(&log, f(), &[1, 5]), ["yield 1", "return 105"]);
    assert_eq!(
        drive(&log, f(), &[0, 3, 4]),
        ["yield -1", "yield 2", "return 7"]
    );
}

/// A local kept across a suspension point while an inner binding of the same name hides it
/// was once saved under the inner binding's value.
#[test]
fn a_saved_local_hidden_by_an_inner_binding_of_the_same_name() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(a: i64, #[resume] first: i64) -> i64 {
        if a > 0 {
            let first = first + 1;
            let _pair = (
                2,
                if a != 5 {
                    let first = first + suspend!(a);
                    suspend!(first)
                } else {
                    2
                },
            );
        }
        for first in [first * 2] {
            suspend!(first);
        }
        match Some(first * 3) {
            Some(first) => suspend!(first),
            None => 0,
        };
        suspend!(first)
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(3), &[17, 1, 0, 0, 0, 9]),
        [
            "yield 3", "yield 19", "yield 34", "yield 51", "yield 17", "return 9"
        ]
    );
}

/// A local used before a suspension point inside `return` and never after it was once kept
/// until the return, because the analysis let the `return` fall through to the next statement.
#[test]
fn a_local_is_dropped_at_a_suspension_inside_return() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(g: Guard, #[resume] first: i64) -> i64 {
        let x = suspend!(1);
        if g.touch() >= first {
            event(&g.1, "returning".to_owned());
            return suspend!(x);
        }
        first ^ g.touch()
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(Guard("g", log.clone())), &[0, 7, 8]),
        [
            "yield 1",
            "touch g",
            "returning",
            "drop g",
            "yield 7",
            "return 8"
        ]
    );
}

/// A local that no path reaching a suspension point has touched is kept there (Rust's drop
/// timing), even when a branch that returned early touched it.
#[test]
fn a_touch_on_a_returning_branch_does_not_count() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(g: Guard, log: Log, #[resume] first: i64) -> i64 {
        if first > 0 {
            return g.touch();
        }
        let r = suspend!(-1);
        event(&log, "after".to_owned());
        r
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(Guard("g", log.clone()), log.clone()), &[0, 4]),
        ["yield -1", "after", "drop g", "return 4"]
    );
    assert_eq!(
        drive(&log, f(Guard("g", log.clone()), log.clone()), &[1]),
        ["touch g", "drop g", "return 1"]
    );
}

/// A `break` with a value inside the argument of `suspend_from!` (or `suspend!`) once lost its
/// value: the loop's result was read uninitialized.
#[test]
fn a_break_with_a_value_inside_a_suspension_argument() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn inner(a: i64, #[resume] first: i64) -> i64 {
        suspend!(a);
        first
    }
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] _first: i64) -> i64 {
        let mut rounds = 0;
        let x = loop {
            rounds += 1;
            let got = suspend_from!(
                inner({
                    let r = suspend!(rounds);
                    if r > 0 {
                        break r + suspend!(100);
                    }
                    r - 10
                }),
                0
            );
            suspend!(got);
        };
        x * 2
    }
    let log = Log::default();
    // Round 1: r = 0, so `inner(-10)` runs and returns the 0 it is started with; round 2 breaks.
    assert_eq!(
        drive(&log, f(), &[0, 0, 5, 0, 3, 4]),
        [
            "yield 1",
            "yield -10",
            "yield 0",
            "yield 2",
            "yield 100",
            "return 14"
        ]
    );
}

/// A binding inside a block passed to `suspend!` that shadows a kept local was not renamed
/// (seed 5636): the next iteration read the shadow instead of the local.
#[test]
fn a_shadowing_binding_inside_a_suspension_argument() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] first: i64) -> i64 {
        let mut rounds = 0;
        let last = suspend!({
            loop {
                rounds += 1;
                if rounds > 2 {
                    break rounds * 100;
                }
                let x = suspend!(first);
                let first = first + x;
                suspend!(first);
            }
        });
        last + first
    }
    let log = Log::default();
    assert_eq!(
        drive(&log, f(), &[1, 10, 0, 20, 0, 5]),
        [
            "yield 1",
            "yield 11",
            "yield 1",
            "yield 21",
            "yield 300",
            "return 6"
        ]
    );
}

/// A macro whose arguments hold a bitwise or (`a | b`) was taken for one holding a closure, so
/// the loop around it went through an internal state, where a local used before the loop and
/// never after was dropped before the code up to the next suspension point ran, instead of at
/// that point (found by the differential tests, seed 2862).
#[test]
fn a_bitwise_or_in_a_macro_argument_is_not_a_closure() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(log: Log, g: Guard, #[resume] first: i64) -> i64 {
        g.touch();
        let mut total = 0;
        for i in 0..2 {
            event(&log, format!("before {i}"));
            total += suspend!(i);
            assert!((i | first) >= 0);
        }
        total
    }
    let log = Log::default();
    let events = drive(&log, f(log.clone(), Guard("g", log.clone())), &[1, 2, 3]);
    assert_eq!(
        events,
        [
            "touch g", "before 0", "drop g", "yield 0", "before 1", "yield 1", "return 5"
        ]
    );
}
