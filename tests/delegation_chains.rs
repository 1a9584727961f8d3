//! Chains of delegations through boxed delegates (mutual recursion, and coroutines that delegate
//! to different coroutines that delegate again) resume their innermost coroutine directly, and
//! kill and drop one level at a time: their depth is bounded by memory, not by the native stack.
//! Each deep test runs on a thread with a 2 MiB stack.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use coro::{
    BoxCoroutine, Coroutine, EarlyExit, Status, current, is_killing, suspend, suspend_from,
};

const DEEP: u32 = 100_000;

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread panicked")
}

#[coro::coroutine(yield = u32)]
fn even(n: u32) -> u32 {
    suspend!(n);
    if n == 0 {
        0
    } else {
        1 + suspend_from!(odd(n - 1).boxed())
    }
}

#[coro::coroutine(yield = u32)]
fn odd(n: u32) -> u32 {
    suspend!(n);
    if n == 0 {
        0
    } else {
        1 + suspend_from!(even(n - 1))
    }
}

#[test]
fn mutual_recursion_runs_deep_to_the_end() {
    let (yields, ret) = on_small_stack(|| {
        let mut c = even(DEEP);
        let mut yields = Vec::new();
        let ret = loop {
            match c.resume(()) {
                Ok(y) => yields.push(y),
                Err(e) => break e,
            }
        };
        (yields, ret)
    });
    assert_eq!(yields, (0..=DEEP).rev().collect::<Vec<_>>());
    assert_eq!(ret, EarlyExit::Returned(DEEP));
}

#[test]
fn mutual_recursion_ends_at_each_depth_with_the_depth() {
    for n in 0..6 {
        let mut c = even(n);
        let yields: Vec<u32> = (&mut c).collect();
        assert_eq!(yields, (0..=n).rev().collect::<Vec<_>>());
        assert_eq!(c.status(), Status::Finished);
        assert_eq!(c.resume(()), Err(EarlyExit::Finished));
    }
    let mut c = even(3);
    let out: Vec<_> = std::iter::from_fn(|| Some(c.resume(()))).take(6).collect();
    assert_eq!(
        out,
        [
            Ok(3),
            Ok(2),
            Ok(1),
            Ok(0),
            Err(EarlyExit::Returned(3)),
            Err(EarlyExit::Finished)
        ]
    );
}

/// Pushes its depth on the log when dropped, and whether a kill dropped it.
struct Guard(u32, Rc<RefCell<Vec<(u32, bool)>>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.borrow_mut().push((self.0, is_killing()));
    }
}

#[coro::coroutine(yield = u32)]
fn ping(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    let _g = Guard(n, Rc::clone(&log));
    suspend!(n);
    if n == 0 {
        0
    } else {
        suspend_from!(pong(n - 1, log).boxed())
    }
}

#[coro::coroutine(yield = u32)]
fn pong(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    let _g = Guard(n, Rc::clone(&log));
    suspend!(n);
    if n == 0 {
        0
    } else {
        suspend_from!(ping(n - 1, log).boxed())
    }
}

#[test]
fn a_deep_chain_dropped_at_the_bottom_drops_innermost_first() {
    let log = on_small_stack(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut c = ping(DEEP, Rc::clone(&log));
        for want in (0..=DEEP).rev() {
            assert_eq!(c.resume(()), Ok(want));
        }
        assert!(log.borrow().is_empty());
        drop(c);
        Rc::try_unwrap(log)
            .expect("every level let go of the log")
            .into_inner()
    });
    assert_eq!(log.len(), DEEP as usize + 1);
    assert!(
        log.iter()
            .enumerate()
            .all(|(i, &(d, killed))| d as usize == i && killed),
        "innermost first, each once, all during the kill: {:?}",
        &log[..10]
    );
}

#[test]
fn a_deep_chain_killed_at_the_bottom_is_killed_and_then_resumes_to_killed() {
    let (log, status, after) = on_small_stack(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut c = ping(DEEP, Rc::clone(&log));
        for _ in 0..=DEEP {
            c.resume(()).unwrap();
        }
        c.kill();
        let status = c.status();
        let after = c.resume(());
        let log = log.borrow().clone();
        (log, status, after)
    });
    assert_eq!((status, after), (Status::Killed, Err(EarlyExit::Killed)));
    assert_eq!(log.len(), DEEP as usize + 1);
    assert_eq!(&log[..3], &[(0, true), (1, true), (2, true)]);
    assert_eq!(log.last(), Some(&(DEEP, true)));
}

#[test]
fn a_chain_that_returns_drops_each_level_where_it_returns() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = ping(3, Rc::clone(&log));
    let yields: Vec<u32> = (&mut c).collect();
    assert_eq!(yields, [3, 2, 1, 0]);
    assert_eq!(
        *log.borrow(),
        [(0, false), (1, false), (2, false), (3, false)],
        "each level's locals drop when it returns, innermost first"
    );
}

#[test]
fn a_chain_killed_halfway_kills_only_the_levels_it_reached() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = ping(10, Rc::clone(&log));
    for want in [10, 9, 8] {
        assert_eq!(c.resume(()), Ok(want));
    }
    c.kill();
    assert_eq!(*log.borrow(), [(8, true), (9, true), (10, true)]);
}

// Three coroutines of three return types, each delegating to the next through a box.

#[coro::coroutine(yield = char)]
fn a_level(n: u32) -> String {
    suspend!('a');
    if n == 0 {
        return String::from("end");
    }
    let below: usize = suspend_from!(b_level(n - 1).boxed());
    format!("a{below}")
}

#[coro::coroutine(yield = char)]
fn b_level(n: u32) -> usize {
    suspend!('b');
    let below: Option<u32> = suspend_from!(c_level(n).boxed());
    below.map_or(0, |v| v as usize + 1)
}

#[coro::coroutine(yield = char)]
fn c_level(n: u32) -> Option<u32> {
    suspend!('c');
    let s = suspend_from!(a_level(n).boxed());
    Some(u32::try_from(s.len()).unwrap())
}

#[test]
fn a_cycle_of_three_return_types_gives_each_level_its_delegate_s_value() {
    let mut c = a_level(2);
    let mut seen = String::new();
    let ret = loop {
        match c.resume(()) {
            Ok(ch) => seen.push(ch),
            Err(e) => break e,
        }
    };
    assert_eq!(seen, "abcabca");
    // a(0) = "end"; c: Some(3); b: 4; a(1) = "a4"; c: Some(2); b: 3; a(2) = "a3".
    assert_eq!(ret, EarlyExit::Returned(String::from("a3")));
}

#[test]
fn a_deep_cycle_of_three_runs_on_a_small_stack() {
    let (count, ret) = on_small_stack(|| {
        let mut c = a_level(30_000);
        let mut count = 0_u32;
        let ret = loop {
            match c.resume(()) {
                Ok(_) => count += 1,
                Err(e) => break e,
            }
        };
        (count, ret)
    });
    assert_eq!(count, 3 * 30_000 + 1);
    assert!(matches!(ret, EarlyExit::Returned(s) if s.starts_with('a')));
}

// Borrowing levels: the chain holds coroutines that borrow the caller's data.

#[coro::coroutine(yield = u64)]
fn sum_even<'a>(v: &'a [u64]) -> u64 {
    match v.split_first() {
        None => 0,
        Some((x, rest)) => {
            suspend!(*x);
            x + suspend_from!(sum_odd(rest).boxed())
        }
    }
}

#[coro::coroutine(yield = u64)]
fn sum_odd<'a>(v: &'a [u64]) -> u64 {
    match v.split_first() {
        None => 0,
        Some((x, rest)) => {
            suspend!(*x * 10);
            x + suspend_from!(sum_even(rest))
        }
    }
}

#[test]
fn borrowing_levels_run_deep() {
    let (n, ret) = on_small_stack(|| {
        let values: Vec<u64> = (1..=u64::from(DEEP)).collect();
        let mut sums = sum_even(&values);
        let mut count = 0_u64;
        let ret = loop {
            match sums.resume(()) {
                Ok(y) => {
                    count += 1;
                    // The count-th element, times 10 at odd levels.
                    let want = if count % 2 == 1 { count } else { count * 10 };
                    assert_eq!(y, want);
                }
                Err(e) => break e,
            }
        };
        (count, ret)
    });
    assert_eq!(n, u64::from(DEEP));
    let total = u64::from(DEEP) * (u64::from(DEEP) + 1) / 2;
    assert_eq!(ret, EarlyExit::Returned(total));
}

// Resume values and errors go to the innermost level.

#[coro::coroutine(yield = u32, resume = u32)]
fn take_even(n: u32, #[resume] first: u32) -> u32 {
    let got = suspend!(n);
    if n == 0 {
        return first + got;
    }
    first + got + suspend_from!(take_odd(n - 1).boxed(), got * 2)
}

#[coro::coroutine(yield = u32, resume = u32)]
fn take_odd(n: u32, #[resume] first: u32) -> u32 {
    let got = suspend!(n);
    if n == 0 {
        return first + got;
    }
    first + got + suspend_from!(take_even(n - 1), got * 2)
}

#[test]
fn resume_values_reach_the_innermost_level() {
    let mut c = take_even(2);
    assert_eq!(c.resume(1), Ok(2));
    assert_eq!(c.resume(5), Ok(1), "take_odd(1) started with 10");
    assert_eq!(c.resume(3), Ok(0), "take_even(0) started with 6");
    // take_even(0) = 6 + 4; take_odd(1) = 10 + 3 + 10; take_even(2) = 1 + 5 + 23.
    assert_eq!(c.resume(4), Err(EarlyExit::Returned(29)));
}

fn take_even_plain(n: u32, first: u32, next: &mut impl FnMut(u32) -> u32) -> u32 {
    let got = next(n);
    if n == 0 {
        return first + got;
    }
    first + got + take_odd_plain(n - 1, got * 2, next)
}

fn take_odd_plain(n: u32, first: u32, next: &mut impl FnMut(u32) -> u32) -> u32 {
    let got = next(n);
    if n == 0 {
        return first + got;
    }
    first + got + take_even_plain(n - 1, got * 2, next)
}

#[test]
fn a_deep_resume_typed_chain_behaves_as_the_plain_functions() {
    for depth in 0..9 {
        let mut plain_yields = Vec::new();
        let mut k = 1;
        let plain = take_even_plain(depth, 1, &mut |y| {
            plain_yields.push(y);
            k += 1;
            k
        });
        let mut c = take_even(depth);
        let mut yields = Vec::new();
        let mut k = 1;
        let ret = loop {
            match c.resume(k) {
                Ok(y) => yields.push(y),
                Err(e) => break e,
            }
            k += 1;
        };
        assert_eq!(yields, plain_yields, "depth {depth}");
        assert_eq!(ret, EarlyExit::Returned(plain), "depth {depth}");
    }
}

#[coro::coroutine(yield = u64, resume = Result<u64, String>)]
fn catch_even(depth: u64, #[resume] _first: Result<u64, String>) -> Result<u64, String> {
    if depth == 0 {
        return suspend!(0);
    }
    // Even levels pass errors on; odd levels turn them into a value.
    match suspend_from!(catch_odd(depth - 1).boxed(), Ok(0)) {
        Err(e) if depth % 2 == 1 => Ok(depth * 100 + e.len() as u64),
        other => other.map(|v| v + 1),
    }
}

#[coro::coroutine(yield = u64, resume = Result<u64, String>)]
fn catch_odd(depth: u64, #[resume] first: Result<u64, String>) -> Result<u64, String> {
    suspend_from!(catch_even(depth).boxed(), first)
}

#[test]
fn a_thrown_error_reaches_the_innermost_level_first_and_each_level_decides() {
    let mut c = catch_even(3);
    assert_eq!(c.resume(Ok(0)), Ok(0));
    // The innermost level returns the error, level 1 catches it (100 + 3), levels 2 and 3 add one.
    assert_eq!(
        c.throw("bad".to_owned()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Ok(105))))
    );
    let mut c = catch_even(2);
    c.resume(Ok(0)).unwrap();
    assert_eq!(
        c.throw("bad".to_owned()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Ok(104))))
    );
}

// `current()` inside a chain: each level is resumed by the coroutine that delegated to it.

#[coro::coroutine(yield = (u64, Option<u64>, &'static str))]
fn who_even(n: u32) {
    let me = current().unwrap();
    suspend!((
        me.id().get(),
        me.resumer().map(coro::CoroutineId::get),
        me.name()
    ));
    if n > 0 {
        suspend_from!(who_odd(n - 1).boxed());
    }
}

#[coro::coroutine(yield = (u64, Option<u64>, &'static str))]
fn who_odd(n: u32) {
    let me = current().unwrap();
    suspend!((
        me.id().get(),
        me.resumer().map(coro::CoroutineId::get),
        me.name()
    ));
    if n > 0 {
        suspend_from!(who_even(n - 1).boxed());
    }
}

#[test]
fn each_level_reports_the_coroutine_that_delegated_to_it_as_its_resumer() {
    let seen: Vec<_> = who_even(5).collect();
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0].1, None, "plain code resumed the outermost");
    for pair in seen.windows(2) {
        assert_eq!(pair[1].1, Some(pair[0].0), "{seen:?}");
    }
    let names: Vec<_> = seen.iter().map(|s| s.2).collect();
    assert_eq!(
        names,
        [
            "who_even", "who_odd", "who_even", "who_odd", "who_even", "who_odd"
        ]
    );
    let mut ids: Vec<_> = seen.iter().map(|s| s.0).collect();
    ids.dedup();
    assert_eq!(ids.len(), 6, "every level is a coroutine of its own");
}

// A panic in the innermost level.

#[coro::coroutine(yield = u32)]
fn fragile(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    let _g = Guard(n, Rc::clone(&log));
    suspend!(n);
    assert!(n != 0, "the bottom");
    suspend_from!(fragile_too(n - 1, log).boxed())
}

#[coro::coroutine(yield = u32)]
fn fragile_too(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    suspend_from!(fragile(n, log).boxed())
}

#[test]
fn a_panic_at_the_bottom_reaches_the_resumer_and_every_level_is_dropped_once() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = fragile(3, Rc::clone(&log));
    for want in [3, 2, 1, 0] {
        assert_eq!(c.resume(()), Ok(want));
    }
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(())));
    let message = panic.unwrap_err();
    assert_eq!(message.downcast_ref::<&str>(), Some(&"the bottom"));
    assert_eq!(c.status(), Status::Panicked);
    assert_eq!(c.resume(()), Err(EarlyExit::Panicked));
    assert_eq!(
        *log.borrow(),
        [(0, false), (1, false), (2, false), (3, false)],
        "each level dropped once, innermost first, by the unwinding and not by a kill"
    );
}

#[coro::coroutine(yield = u32)]
fn fragile_middle(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    let _g = Guard(n, Rc::clone(&log));
    suspend!(n);
    assert!(n != 2, "the middle");
    if n == 0 {
        return 0;
    }
    suspend_from!(fragile_middle_too(n - 1, log).boxed())
}

#[coro::coroutine(yield = u32)]
fn fragile_middle_too(n: u32, log: Rc<RefCell<Vec<(u32, bool)>>>) -> u32 {
    suspend_from!(fragile_middle(n, log).boxed())
}

#[test]
fn a_panic_in_a_middle_level_ends_the_levels_it_went_through_as_panicked() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = fragile_middle(4, Rc::clone(&log));
    for want in [4, 3, 2] {
        assert_eq!(c.resume(()), Ok(want));
    }
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(())));
    assert_eq!(
        panic.unwrap_err().downcast_ref::<&str>(),
        Some(&"the middle")
    );
    assert_eq!(c.status(), Status::Panicked);
    assert_eq!(*log.borrow(), [(2, false), (3, false), (4, false)]);
}

// A coroutine that was resumed on its own, then delegated to: its chain comes along.

#[test]
fn a_coroutine_resumed_on_its_own_and_then_delegated_to_goes_on_where_it_was() {
    #[coro::coroutine(yield = u32)]
    fn outer(inner: BoxCoroutine<'static, (), u32, u32>) -> u32 {
        suspend!(1000);
        let r = suspend_from!(inner) + 1;
        suspend!(2000);
        r
    }

    let mut inner = even(5);
    for want in [5, 4, 3] {
        assert_eq!(inner.resume(()), Ok(want));
    }
    let mut c = outer(inner.boxed());
    let remaining: Vec<u32> = (&mut c).collect();
    assert_eq!(remaining, [1000, 2, 1, 0, 2000]);
    assert_eq!(c.status(), Status::Finished);

    let mut inner = even(5);
    inner.resume(()).unwrap();
    inner.resume(()).unwrap();
    let mut c = outer(inner.boxed());
    let ret = loop {
        if let Err(e) = c.resume(()) {
            break e;
        }
    };
    assert_eq!(ret, EarlyExit::Returned(6));
}

// A hand-written coroutine in the middle of a chain is resumed and killed as any other.

struct Countdown {
    left: u32,
    killed: Rc<Cell<bool>>,
}

impl Coroutine for Countdown {
    type Yield = u32;
    type Return = u32;

    fn resume(&mut self, (): ()) -> Result<u32, EarlyExit<u32>> {
        if self.left == 0 {
            return Err(EarlyExit::Returned(7));
        }
        self.left -= 1;
        Ok(self.left + 500)
    }

    fn kill(&mut self) {
        self.killed.set(true);
    }

    fn status(&self) -> Status {
        if self.left == 0 {
            Status::Finished
        } else {
            Status::Suspended
        }
    }
}

#[coro::coroutine(yield = u32)]
fn around_hand_written(depth: u32, killed: Rc<Cell<bool>>) -> u32 {
    if depth == 0 {
        let c = Countdown { left: 2, killed };
        let boxed: BoxCoroutine<'static, (), u32, u32> = Box::new(c);
        return suspend_from!(boxed) + 1;
    }
    suspend_from!(around_hand_written(depth - 1, killed).boxed()) * 10
}

#[test]
fn a_hand_written_delegate_at_the_bottom_of_a_chain() {
    let killed = Rc::new(Cell::new(false));
    let mut c = around_hand_written(3, Rc::clone(&killed));
    assert_eq!(c.resume(()), Ok(501));
    assert_eq!(c.resume(()), Ok(500));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(8000)));
    assert!(!killed.get());

    let mut c = around_hand_written(3, Rc::clone(&killed));
    assert_eq!(c.resume(()), Ok(501));
    drop(c);
    assert!(killed.get(), "the drop killed the hand-written delegate");
}

// Generic levels, and levels that yield borrows.

#[coro::coroutine(yield = T)]
fn generic_even<T: Clone + 'static>(x: T, n: u32) {
    suspend!(x.clone());
    if n > 0 {
        suspend_from!(generic_odd(x, n - 1).boxed());
    }
}

#[coro::coroutine(yield = T)]
fn generic_odd<T: Clone + 'static>(x: T, n: u32) {
    suspend!(x.clone());
    if n > 0 {
        suspend_from!(generic_even(x, n - 1));
    }
}

#[test]
fn generic_levels() {
    let got: Vec<String> = generic_even(String::from("x"), 4).collect();
    assert_eq!(got, ["x"; 5]);
}

#[coro::coroutine(yield = &'a str)]
fn words_even<'a>(words: &'a [&'a str]) {
    if let Some((first, rest)) = words.split_first() {
        suspend!(*first);
        suspend_from!(words_odd(rest).boxed());
    }
}

#[coro::coroutine(yield = &'a str)]
fn words_odd<'a>(words: &'a [&'a str]) {
    if let Some((first, rest)) = words.split_first() {
        suspend!(&first[..1]);
        suspend_from!(words_even(rest));
    }
}

#[test]
fn levels_that_yield_borrows() {
    let words = ["alpha", "beta", "gamma", "delta", "epsilon"];
    let got: Vec<&str> = words_even(&words).collect();
    assert_eq!(got, ["alpha", "b", "gamma", "d", "epsilon"]);
}

// A hand-written coroutine as a stage: it runs under the frame of the coroutine that delegated
// to it, as it would if that coroutine resumed it.

struct Reporter;

impl Coroutine for Reporter {
    type Yield = (Option<&'static str>, Option<u64>, Option<u64>);
    type Return = ();

    fn resume(&mut self, (): ()) -> Result<Self::Yield, EarlyExit<()>> {
        let me = current();
        Ok((
            me.map(|c| c.name()),
            me.map(|c| c.id().get()),
            me.and_then(|c| c.resumer()).map(coro::CoroutineId::get),
        ))
    }

    fn kill(&mut self) {}

    fn status(&self) -> Status {
        Status::Suspended
    }
}

type Seen = (Option<&'static str>, Option<u64>, Option<u64>);

#[coro::coroutine(yield = Seen, name = "outer")]
fn report_outer() {
    let me = current().unwrap();
    suspend!((Some(me.name()), Some(me.id().get()), None));
    suspend_from!(report_middle().boxed());
}

#[coro::coroutine(yield = Seen, name = "middle")]
fn report_middle() {
    let me = current().unwrap();
    suspend!((
        Some(me.name()),
        Some(me.id().get()),
        me.resumer().map(coro::CoroutineId::get)
    ));
    suspend_from!(Reporter.boxed());
}

#[test]
fn a_hand_written_stage_sees_the_coroutine_that_delegated_to_it() {
    let seen: Vec<Seen> = report_outer().take(4).collect();
    let outer = seen[0].1;
    let middle = seen[1].1;
    assert_eq!(seen[1], (Some("middle"), middle, outer));
    assert_eq!(seen[2], (Some("middle"), middle, outer), "{seen:?}");
    assert_eq!(seen[3], seen[2]);
}

// A hand-written delegate that says it finished while its status says it has not: the
// delegation ends as for any delegate that had ended, and it is not killed afterwards.

struct Contradicts(Rc<RefCell<Vec<&'static str>>>);

impl Coroutine for Contradicts {
    type Yield = u32;
    type Return = u32;

    fn resume(&mut self, (): ()) -> Result<u32, EarlyExit<u32>> {
        self.0.borrow_mut().push("resumed");
        Err(EarlyExit::Finished)
    }

    fn kill(&mut self) {
        self.0.borrow_mut().push("killed");
    }

    fn status(&self) -> Status {
        Status::Suspended
    }
}

#[test]
fn a_delegate_that_contradicts_its_status_is_not_killed_after_it_ended() {
    #[coro::coroutine(yield = u32)]
    fn outer(log: Rc<RefCell<Vec<&'static str>>>) -> u32 {
        suspend_from!(Contradicts(log).boxed())
    }
    #[coro::coroutine(yield = u32)]
    fn inline_outer(log: Rc<RefCell<Vec<&'static str>>>) -> u32 {
        suspend_from!(Contradicts(log))
    }
    for boxed in [true, false] {
        let log = Rc::new(RefCell::new(Vec::new()));
        let got = if boxed {
            outer(Rc::clone(&log)).resume(())
        } else {
            inline_outer(Rc::clone(&log)).resume(())
        };
        assert_eq!(got, Err(EarlyExit::Killed), "boxed: {boxed}");
        assert_eq!(*log.borrow(), ["resumed"], "boxed: {boxed}");
    }
}

// A `.boxed()` of the user's own, which returns something else than a `Box`.

struct Wrap<C>(C);

impl<C: Coroutine> Coroutine for Wrap<C> {
    type Yield = C::Yield;
    type Return = C::Return;

    fn resume(&mut self, (): ()) -> Result<C::Yield, EarlyExit<C::Return>> {
        self.0.resume(())
    }

    fn kill(&mut self) {
        self.0.kill();
    }

    fn status(&self) -> Status {
        self.0.status()
    }
}

mod own_boxed {
    use super::Wrap;
    use coro::{suspend, suspend_from};

    /// In scope here only, where `Coroutine` (and its `boxed`) is not.
    trait MyBoxed: Sized {
        fn boxed(self) -> Wrap<Self> {
            Wrap(self)
        }
    }

    impl<C> MyBoxed for C {}

    #[coro::coroutine(yield = u32)]
    pub fn leaf() -> u32 {
        suspend!(1);
        2
    }

    #[coro::coroutine(yield = u32)]
    pub fn uses_own_boxed() -> u32 {
        let w: Wrap<_> = leaf().boxed();
        suspend_from!(w) + suspend_from!(leaf().boxed())
    }
}

#[test]
fn a_boxed_method_of_the_user_s_own_is_delegated_to_as_it_returns() {
    let mut c = own_boxed::uses_own_boxed();
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(4)));
}

// A coroutine that must stay `Send` delegates to a `Send` box given another way than `.boxed()`.

#[coro::coroutine(yield = u32)]
fn two_then(v: u32) -> u32 {
    suspend!(v);
    suspend!(v + 1);
    v * 10
}

#[coro::coroutine(yield = u32)]
fn send_outer() -> u32 {
    let d: coro::BoxSendCoroutine<'static, (), u32, u32> = Box::new(two_then(5));
    suspend_from!(d) + 1
}

#[test]
fn a_send_box_given_by_name_keeps_the_coroutine_send() {
    let mut c = send_outer();
    let got = std::thread::spawn(move || {
        let items: Vec<u32> = (&mut c).collect();
        (items, c.status())
    })
    .join()
    .unwrap();
    assert_eq!(got, (vec![5, 6], Status::Finished));
}

// A drop that panics while a chain is killed: the other levels still end, innermost first.

struct Fussy(u32, Rc<RefCell<Vec<u32>>>);

impl Drop for Fussy {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
        assert!(self.0 != 1 || std::thread::panicking(), "level 1 refuses");
    }
}

#[coro::coroutine(yield = u32)]
fn fussy(n: u32, log: Rc<RefCell<Vec<u32>>>) -> u32 {
    let _f = Fussy(n, Rc::clone(&log));
    suspend!(n);
    if n == 0 {
        return 0;
    }
    suspend_from!(fussy(n - 1, log).boxed())
}

#[test]
fn a_panic_while_a_chain_is_killed_leaves_no_level_behind() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = fussy(7, Rc::clone(&log));
    for want in (0..=7).rev() {
        assert_eq!(c.resume(()), Ok(want));
    }
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.kill()));
    assert_eq!(
        killed.unwrap_err().downcast_ref::<&str>(),
        Some(&"level 1 refuses")
    );
    assert_eq!(
        *log.borrow(),
        [0, 1, 2, 3, 4, 5, 6, 7],
        "innermost first, each once"
    );
    drop(c);
    assert_eq!(log.borrow().len(), 8);
}
