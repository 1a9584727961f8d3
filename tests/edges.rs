//! The edges of the coroutine API users meet first: a generator without `yield = T`, `Debug`,
//! telling a kill from a normal end, and keeping a generator's return value past a `for` loop.

use coro::{Coroutine, EarlyExit, Status, is_killing, suspend};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<&'static str>>>;

/// Logs, when dropped, whether its coroutine was being killed.
struct Cleanup(Log);

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.0
            .borrow_mut()
            .push(if is_killing() { "killed" } else { "ended" });
    }
}

#[test]
fn yield_may_be_left_out_and_means_unit() {
    #[coro::coroutine]
    fn ticks(n: u32) -> u32 {
        for _ in 0..n {
            suspend!();
        }
        n
    }
    let mut c = ticks(2);
    assert_eq!(c.resume(()), Ok(()));
    assert_eq!(c.resume(()), Ok(()));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(2)));
    assert_eq!(ticks(3).count(), 3);
}

#[test]
fn every_coroutine_is_debug_and_fits_a_derived_struct() {
    #[coro::coroutine(yield = u8)]
    fn one() {
        suspend!(1);
    }
    #[coro::coroutine(yield = u8, pinned)]
    fn pinned_one() {
        let v = [1u8];
        for x in &v {
            suspend!(*x);
        }
    }
    #[derive(Debug)]
    #[allow(dead_code, reason = "only printed")]
    struct Holder<A, B> {
        a: A,
        b: B,
    }
    let mut h = Holder {
        a: one(),
        b: pinned_one(),
    };
    h.a.resume(()).unwrap();
    assert_eq!(
        format!("{h:?}"),
        "Holder { a: Coroutine { name: \"one\", status: Suspended, .. }, b: Coroutine { name: \"pinned_one\", status: Unstarted, .. } }"
    );
}

#[coro::coroutine(yield = u32)]
fn guarded(log: Log) {
    let _c = Cleanup(log);
    suspend!(1);
    suspend!(2);
}

#[coro::coroutine(yield = u32, pinned)]
fn guarded_pinned(log: Log) {
    let _c = Cleanup(log);
    suspend!(1);
    suspend!(2);
}

#[test]
fn is_killing_tells_a_kill_from_a_normal_end() {
    for pinned in [false, true] {
        let make = |log: &Log| -> Box<dyn Coroutine<Yield = u32, Return = ()>> {
            if pinned {
                Box::new(guarded_pinned(log.clone()))
            } else {
                Box::new(guarded(log.clone()))
            }
        };
        let log = Log::default();
        let mut c = make(&log);
        c.resume(()).unwrap();
        c.kill();
        let mut c = make(&log);
        c.resume(()).unwrap();
        drop(c);
        let mut c = make(&log);
        while c.resume(()).is_ok() {}
        drop(c);
        assert_eq!(
            *log.borrow(),
            ["killed", "killed", "ended"],
            "pinned: {pinned}"
        );
        assert!(!is_killing());
    }
}

#[test]
fn yields_keeps_the_return_value_for_after_the_loop() {
    #[coro::coroutine(yield = String)]
    fn words(text: &str) -> std::io::Result<usize> {
        let mut n = 0;
        for w in text.split_whitespace() {
            if w == "!" {
                return Err(std::io::Error::other("bang"));
            }
            suspend!(w.to_uppercase());
            n += 1;
        }
        Ok(n)
    }
    let mut it = words("a b c").yields();
    let mut seen = Vec::new();
    for w in &mut it {
        seen.push(w);
    }
    assert_eq!(seen, ["A", "B", "C"]);
    assert_eq!(it.returned().unwrap().unwrap(), 3);
    assert!(it.returned().is_none());
    assert_eq!(it.next(), None, "fused");

    let mut it = words("a ! c").yields();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), ["A"]);
    assert_eq!(it.returned().unwrap().unwrap_err().to_string(), "bang");

    // A killed generator returns nothing.
    let mut c = words("a b");
    c.resume(()).unwrap();
    c.kill();
    let mut it = c.yields();
    assert_eq!(it.next(), None);
    assert!(it.returned().is_none());
    assert_eq!(it.into_inner().status(), Status::Killed);
}

#[test]
fn try_yields_ends_at_the_error() {
    #[coro::coroutine(yield = u32)]
    fn numbers(text: &str) -> Result<(), std::num::ParseIntError> {
        for w in text.split(',') {
            suspend!(w.trim().parse()?);
        }
        Ok(())
    }
    assert_eq!(
        numbers("1, 2,3")
            .try_yields()
            .collect::<Result<Vec<_>, _>>(),
        Ok(vec![1, 2, 3])
    );
    let items: Vec<_> = numbers("1,x,3").try_yields().collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], Ok(1));
    assert_eq!(
        items[1].as_ref().unwrap_err().to_string(),
        "invalid digit found in string"
    );
}

/// A body with `expr?;` statements is clean under clippy's pedantic lints, which this workspace
/// enables for its tests (`unnecessary_semicolon` once fired on the rewritten `?`).
#[test]
fn question_mark_statements_raise_no_lint() {
    fn check(n: u32) -> Result<u32, String> {
        if n > 2 {
            Err(format!("{n} is too big"))
        } else {
            Ok(n)
        }
    }
    #[coro::coroutine(yield = u32)]
    fn checked(limit: u32) -> Result<(), String> {
        for n in 0..limit {
            check(n)?;
            suspend!(n);
        }
        Ok(())
    }
    let all: Vec<_> = checked(5).try_yields().collect();
    assert_eq!(all, [Ok(0), Ok(1), Ok(2), Err("3 is too big".to_string())]);
}
