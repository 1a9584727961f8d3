//! Symmetric sets (`coro::symmetric`): transfers between members, back, detach, kill, and what
//! happens at every edge, as in Tim Peters' `Coroutine.py`.

use coro::suspend;
use coro::symmetric::{Control, Member, Request, Set, TransferError, back, detach, kill, tran};
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

fn taken(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.borrow_mut())
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn member_a(c: Member, #[resume] _first: i32) {
    let x = suspend!(tran(c, 0));
    suspend!(detach(x));
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn member_c(b: Member, #[resume] _first: i32) {
    suspend!(tran(b, 0));
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn member_b(a: Member, #[resume] _first: i32) {
    suspend!(tran(a, 12));
}

#[test]
fn tran_evaluates_to_the_data_of_whoever_transfers_back() {
    let mut set = Set::new();
    let [a, b, c] = [set.reserve(), set.reserve(), set.reserve()];
    set.fill(a, member_a(c)).unwrap();
    set.fill(b, member_b(a)).unwrap();
    set.fill(c, member_c(b)).unwrap();
    assert_eq!(set.tran(a, 0).unwrap(), Control::Data(12));
}

/// Hands back what it is sent, plus one, `rounds` times, then falls through its end.
#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn echo(name: &'static str, log: Log, rounds: u32, #[resume] first: i32) {
    let _g = Guard(name, Rc::clone(&log));
    log.borrow_mut().push(format!("{name} starts with {first}"));
    let mut v = first;
    for _ in 0..rounds {
        v = suspend!(back(v + 1));
    }
}

#[test]
fn the_first_transfer_s_data_reaches_the_resume_parameter_and_back_returns_to_the_invoker() {
    let log = Log::default();
    let mut set = Set::new();
    let e = set.create(echo("e", Rc::clone(&log), 2));
    assert_eq!(set.tran(e, 10).unwrap(), Control::Data(11));
    assert_eq!(taken(&log), ["e starts with 10"]);
    assert_eq!(set.tran(e, 20).unwrap(), Control::Data(21));
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn relay(to: Member, log: Log, #[resume] first: i32) {
    let _g = Guard("relay", Rc::clone(&log));
    // The echo's `back` comes here, and makes the echo the member that last transferred to
    // us: our own `back` would go to the echo, so `detach` goes to main.
    let v = suspend!(tran(to, first * 2));
    suspend!(detach(v));
    suspend!(detach(-1));
}

#[test]
fn a_member_that_falls_through_ends_the_others_and_main_hears_which() {
    let log = Log::default();
    let mut set = Set::new();
    let e = set.reserve();
    let r = set.create(relay(e, Rc::clone(&log)));
    set.fill(e, echo("e", Rc::clone(&log), 1)).unwrap();
    assert_eq!(set.tran(r, 5).unwrap(), Control::Data(11));
    assert_eq!(taken(&log), ["e starts with 10"]);
    // Main transfers to the echo: it falls through its end. The relay is ended (its guard
    // runs), then main's transfer reports the echo.
    let err = set.tran(e, 0).unwrap_err();
    assert!(
        matches!(err, TransferError::EarlyExit(m) if m == e),
        "{err:?}"
    );
    assert_eq!(taken(&log), ["drop e", "drop relay"]);
    assert!(set.is_over());
    assert!(matches!(set.tran(r, 0), Err(TransferError::Over)));
    assert!(matches!(set.kill(), Err(TransferError::Over)));
    assert!(taken(&log).is_empty());
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn panicker(log: Log, #[resume] first: i32) {
    let _g = Guard("panicker", log);
    assert!(first <= 0, "no positive numbers");
}

#[test]
fn a_panic_ends_the_set_and_main_gets_the_payload() {
    let log = Log::default();
    let mut set = Set::new();
    let p = set.reserve();
    let r = set.create(relay(p, Rc::clone(&log)));
    set.fill(p, panicker(Rc::clone(&log))).unwrap();
    let err = set.tran(r, 1).unwrap_err();
    match &err {
        TransferError::Panicked(m, payload) => {
            assert_eq!(*m, p);
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"no positive numbers"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("{p} panicked: no positive numbers; the set is over")
    );
    assert_eq!(taken(&log), ["drop panicker", "drop relay"]);
    assert!(matches!(set.tran(r, 0), Err(TransferError::Over)));
}

#[coro::coroutine(yield = Request<i32>, resume = i32)]
fn killer(log: Log, #[resume] _first: i32) {
    let _g = Guard("killer", log);
    suspend!(kill());
    unreachable!("a kill ends the member that asks for it too");
}

#[test]
fn a_kill_by_a_member_returns_control_to_main_normally() {
    let log = Log::default();
    let mut set = Set::new();
    let k = set.reserve();
    let r = set.create(relay(k, Rc::clone(&log)));
    set.fill(k, killer(Rc::clone(&log))).unwrap();
    assert_eq!(set.tran(r, 1).unwrap(), Control::Killed(k));
    // Latest created first.
    assert_eq!(taken(&log), ["drop relay", "drop killer"]);
    assert!(matches!(set.kill(), Err(TransferError::Over)));
    assert!(matches!(set.tran(r, 0), Err(TransferError::Over)));
}

#[test]
fn main_can_kill_the_set_once() {
    let log = Log::default();
    let mut set = Set::new();
    let e = set.create(echo("e", Rc::clone(&log), 5));
    set.tran(e, 1).unwrap();
    taken(&log);
    set.kill().unwrap();
    assert_eq!(taken(&log), ["drop e"]);
    assert!(matches!(set.kill(), Err(TransferError::Over)));
}

#[test]
fn transfers_to_members_of_another_set_are_errors() {
    let log = Log::default();
    let mut other = Set::<i32>::new();
    let stranger = other.reserve();
    let mut set = Set::new();
    let e = set.create(echo("e", Rc::clone(&log), 5));
    // From main: an error, and the set goes on.
    let err = set.tran(stranger, 1).unwrap_err();
    assert!(matches!(err, TransferError::Foreign { from: None, to } if to == stranger));
    assert!(err.to_string().contains("belongs to another set"));
    assert!(matches!(
        set.fill(stranger, echo("x", Rc::clone(&log), 1)),
        Err(TransferError::Foreign { .. })
    ));
    assert_eq!(set.tran(e, 1).unwrap(), Control::Data(2));
    // From a member: the set is over, since that member cannot go on.
    let r = set.create(relay(stranger, Rc::clone(&log)));
    let err = set.tran(r, 1).unwrap_err();
    assert!(
        matches!(err, TransferError::Foreign { from: Some(m), to } if m == r && to == stranger)
    );
    assert!(set.is_over());
    // And a reserved member that was never filled.
    let mut set = Set::<i32>::new();
    let hole = set.reserve();
    assert!(matches!(
        set.tran(hole, 0),
        Err(TransferError::Unfilled { from: None, .. })
    ));
}

#[coro::coroutine(yield = Request<u64>, resume = u64)]
fn ping(partner: Member, #[resume] first: u64) {
    let mut v = first;
    loop {
        if v >= 1_000_000 {
            suspend!(detach(v));
        }
        v = suspend!(tran(partner, v + 1));
    }
}

#[test]
fn a_million_transfers_do_not_grow_the_native_stack() {
    std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(|| {
            let mut set = Set::new();
            let [p, q] = [set.reserve(), set.reserve()];
            set.fill(p, ping(q)).unwrap();
            set.fill(q, ping(p)).unwrap();
            assert_eq!(set.tran(p, 0).unwrap(), Control::Data(1_000_000));
        })
        .unwrap()
        .join()
        .unwrap();
}
