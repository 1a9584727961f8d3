//! Bodies written outside this project's test suites (a peer crate's behaviour tests, a classic
//! language's generator tests, an adversarial reviewer's programs) on which the transform once
//! gave a wrong result or refused valid Rust, reduced by hand. Each test names what was wrong and
//! compares with what the same body does as a plain function.
// A `return loop { .. }` in a body once became `break 'label loop { .. }`, which this lint flags.
#![deny(break_with_label_and_loop)]
// `cfg(all())` and `cfg(any())` are conditions whose value is known in every profile.
#![allow(clippy::non_minimal_cfg)]
// The bodies are the reported programs, written as their authors wrote them.
#![allow(clippy::needless_borrow, clippy::let_and_return, clippy::useless_vec)]

use coro::{Coroutine, EarlyExit, Status, suspend, suspend_from};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<&'static str>>>;

fn taken(log: &Log) -> Vec<&'static str> {
    std::mem::take(&mut *log.borrow_mut())
}

/// A value that logs its drop.
struct Guard(&'static str, Log);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

// ---- `cfg` on code the transform rewrites ------------------------------------------------------

/// `#[cfg]` on a statement holding a suspension point was ignored: the configured-out statement
/// ran too, in every profile.
#[test]
fn cfg_on_a_suspending_statement_is_honoured() {
    #[coro::coroutine(yield = i32)]
    fn f() {
        #[cfg(debug_assertions)]
        suspend!(1);
        #[cfg(not(debug_assertions))]
        suspend!(2);
        let mut x = 0;
        #[cfg(any())]
        {
            x += 100;
            suspend!(50);
        }
        #[cfg(all())]
        {
            x += 1;
            suspend!(x);
        }
        suspend!(x);
    }
    let first = if cfg!(debug_assertions) { 1 } else { 2 };
    assert_eq!(f().collect::<Vec<_>>(), [first, 1, 1]);
}

/// The conditions of `cfg` on arms, fields and `cfg_attr` count too, and a configured-out use
/// of a guard does not end the guard's life at the suspension point (the drop rule sees only
/// the code that is compiled).
#[test]
fn cfg_on_arms_fields_and_uses_is_honoured() {
    struct Pair {
        a: i32,
        b: i32,
    }
    #[coro::coroutine(yield = i32)]
    fn f(log: Log) -> &'static str {
        let g = Guard("g", log.clone());
        #[cfg(any())]
        drop(&g);
        let p = Pair {
            #[cfg(any())]
            a: 1,
            #[cfg(all())]
            a: 2,
            b: 3,
        };
        suspend!(p.a + p.b);
        log.borrow_mut().push("resumed");
        let label = match p.a {
            #[cfg(any())]
            2 => "configured out",
            #[cfg_attr(all(), allow(unused_variables))]
            n => {
                suspend!(n);
                "kept"
            }
        };
        label
    }
    let log = Log::default();
    let mut c = f(log.clone());
    assert_eq!(c.resume(()), Ok(5));
    assert_eq!(taken(&log), Vec::<&str>::new(), "the guard lives on");
    assert_eq!(c.resume(()), Ok(2));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned("kept")));
    assert_eq!(taken(&log), ["resumed", "g"]);
}

/// The same in a `coro!` block.
#[test]
fn cfg_in_an_inline_coroutine_is_honoured() {
    let c = coro::coro!(yield = i32, move {
        #[cfg(any())]
        suspend!(1);
        suspend!(2);
        #[cfg(all())]
        suspend!(3);
    });
    assert_eq!(c.collect::<Vec<_>>(), [2, 3]);
}

// ---- values of constructs -----------------------------------------------------------------------

/// A `match` used as a value whose arm `return`s stored the arm's "value" (of type `!`) in the
/// match's temporary, which made the temporary `!`: `cannot multiply ! by i32`.
#[test]
fn a_value_match_whose_arm_returns() {
    #[coro::coroutine(yield = i32, resume = i32)]
    fn f(flag: bool, #[resume] _first: i32) -> i32 {
        let x = match flag {
            true => return 1,
            false => suspend!(9),
        };
        x * 2
    }
    let mut c = f(true);
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(1)));
    let mut c = f(false);
    assert_eq!(c.resume(0), Ok(9));
    assert_eq!(c.resume(21), Err(EarlyExit::Returned(42)));
}

/// A brace-form macro call without `;` at the end of a block is the block's value; it was
/// lowered as a statement, so the body was typed `()`.
#[test]
fn a_brace_form_delegation_as_the_value_of_a_block() {
    #[coro::coroutine(yield = i32, resume = i32)]
    fn inner(n: i32, #[resume] _first: i32) -> i32 {
        let r = suspend!(n);
        n + r
    }
    #[coro::coroutine(yield = i32, resume = i32)]
    fn outer(#[resume] _first: i32) -> i32 {
        suspend_from! { inner(3), 0 }
    }
    let mut c = outer();
    assert_eq!(c.resume(0), Ok(3));
    assert_eq!(c.resume(4), Err(EarlyExit::Returned(7)));
}

// ---- delegation ---------------------------------------------------------------------------------

/// A hand-written coroutine that logs whether it was killed or only dropped.
struct Handmade {
    log: Log,
    killed: bool,
}

impl Coroutine for Handmade {
    type Yield = i32;
    type Return = i32;

    fn resume(&mut self, (): ()) -> Result<i32, EarlyExit<i32>> {
        Ok(1)
    }

    fn kill(&mut self) {
        self.log.borrow_mut().push("delegate killed");
        self.killed = true;
    }

    fn status(&self) -> Status {
        if self.killed {
            Status::Killed
        } else {
            Status::Suspended
        }
    }
}

impl Drop for Handmade {
    fn drop(&mut self) {
        self.log.borrow_mut().push("delegate dropped");
    }
}

/// Killing or dropping a coroutine suspended in `suspend_from!(d)` dropped a hand-written `d`
/// without calling its `kill()`, although kill is promised to reach the delegate first.
#[test]
fn kill_and_drop_reach_a_hand_written_delegate() {
    #[coro::coroutine(yield = i32)]
    fn outer(d: Handmade, log: Log) -> i32 {
        let _g = Guard("outer's guard", log);
        suspend_from!(d)
    }
    let log = Log::default();
    let mut c = outer(
        Handmade {
            log: log.clone(),
            killed: false,
        },
        log.clone(),
    );
    assert_eq!(c.resume(()), Ok(1));
    c.kill();
    assert_eq!(
        taken(&log),
        ["delegate killed", "delegate dropped", "outer's guard"]
    );
    let mut c = outer(
        Handmade {
            log: log.clone(),
            killed: false,
        },
        log.clone(),
    );
    assert_eq!(c.resume(()), Ok(1));
    drop(c);
    assert_eq!(
        taken(&log),
        ["delegate killed", "delegate dropped", "outer's guard"]
    );
}

/// A delegate that has ended is only dropped: there is nothing left to kill.
#[test]
fn a_delegate_that_returned_is_not_killed() {
    struct Once(Log, bool);
    impl Coroutine for Once {
        type Yield = i32;
        type Return = i32;
        fn resume(&mut self, (): ()) -> Result<i32, EarlyExit<i32>> {
            if std::mem::replace(&mut self.1, true) {
                Err(EarlyExit::Returned(7))
            } else {
                Ok(1)
            }
        }
        fn kill(&mut self) {
            self.0.borrow_mut().push("killed");
        }
        fn status(&self) -> Status {
            Status::Suspended
        }
    }
    #[coro::coroutine(yield = i32)]
    fn outer(d: Once) -> i32 {
        let v = suspend_from!(d);
        suspend!(v);
        v
    }
    let log = Log::default();
    let mut c = outer(Once(log.clone(), false));
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Ok(7));
    c.kill();
    assert_eq!(taken(&log), Vec::<&str>::new());
}

// ---- borrows and places held across a suspension -----------------------------------------------

/// What stays accepted once projections are no longer borrowed again: a borrow of a whole local
/// is taken again from the saved local, and a local's field is named again as a place, since
/// neither runs code.
#[test]
fn whole_local_borrows_and_field_places_are_held() {
    struct Pair {
        a: i32,
        b: Vec<i32>,
    }
    #[coro::coroutine(yield = i32, resume = i32)]
    fn f(#[resume] first: i32) -> (bool, usize) {
        let mut p = Pair {
            a: first,
            b: Vec::new(),
        };
        let whole = &p;
        suspend!(whole.a);
        let same = whole.a == p.a;
        p.b.push(suspend!(2));
        (p.a == suspend!(3) && same, p.b.len())
    }
    let mut c = f();
    assert_eq!(c.resume(5), Ok(5));
    assert_eq!(c.resume(0), Ok(2));
    assert_eq!(c.resume(9), Ok(3));
    assert_eq!(c.resume(5), Err(EarlyExit::Returned((true, 1))));
}

// ---- recursion through methods ------------------------------------------------------------------

#[derive(Clone)]
struct Tree {
    v: i32,
    kids: Vec<Tree>,
}

impl Tree {
    /// `suspend_from!(self.kids[i].walk())` passed the receiver without the `&` a method call
    /// adds (E0308 at the attribute).
    #[coro::coroutine(yield = i32)]
    fn by_index(&self) {
        suspend!(self.v);
        for i in 0..self.kids.len() {
            suspend_from!(self.kids[i].by_index());
        }
    }

    /// The receiver is already a reference here (`kid: &Tree`).
    #[coro::coroutine(yield = i32)]
    fn by_ref(&self) {
        suspend!(self.v);
        for kid in &self.kids {
            suspend_from!(kid.by_ref());
        }
    }

    /// `Tree::by_path(&self.kids[i])` was taken for a call of another function, whose opaque
    /// type is the coroutine's own (E0720).
    #[coro::coroutine(yield = i32)]
    fn by_path(&self) -> usize {
        suspend!(self.v);
        let mut count = 1;
        for i in 0..self.kids.len() {
            count += suspend_from!(Tree::by_path(&self.kids[i]));
        }
        count
    }

    /// A by-value receiver.
    #[coro::coroutine(yield = i32)]
    fn by_value(self) {
        suspend!(self.v);
        for kid in self.kids {
            suspend_from!(kid.by_value());
        }
    }
}

#[test]
fn method_recursion_through_auto_referenced_receivers() {
    let leaf = |v| Tree { v, kids: vec![] };
    let t = Tree {
        v: 0,
        kids: vec![
            Tree {
                v: 1,
                kids: vec![leaf(2), leaf(3)],
            },
            leaf(4),
        ],
    };
    let order = [0, 1, 2, 3, 4];
    assert_eq!(t.by_index().collect::<Vec<_>>(), order);
    assert_eq!(t.by_ref().collect::<Vec<_>>(), order);
    assert_eq!(t.clone().by_value().collect::<Vec<_>>(), order);
    let mut c = t.by_path();
    let mut seen = Vec::new();
    let count = loop {
        match c.resume(()) {
            Ok(v) => seen.push(v),
            Err(EarlyExit::Returned(n)) => break n,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!((seen.as_slice(), count), (order.as_slice(), 5));
}

/// A borrowed temporary in an operand before a suspension (`f(&String::from(..), suspend!(1))`)
/// was kept as a borrow of a temporary across the suspension point (E0716). The temporary is
/// held by value instead, and dropped at the end of the statement, as in Rust.
#[test]
fn a_borrowed_temporary_before_a_suspension() {
    fn len_plus(g: &Guard, n: usize) -> usize {
        g.1.borrow_mut().push("called");
        g.0.len() + n
    }
    #[coro::coroutine(yield = usize, resume = usize)]
    fn f(log: Log, #[resume] _first: usize) -> usize {
        let n = len_plus(&Guard("abc", log.clone()), suspend!(1));
        log.borrow_mut().push("next statement");
        n
    }
    let log = Log::default();
    let mut c = f(log.clone());
    assert_eq!(c.resume(0), Ok(1));
    assert!(taken(&log).is_empty());
    assert_eq!(c.resume(10), Err(EarlyExit::Returned(13)));
    assert_eq!(taken(&log), ["called", "abc", "next statement"]);
}

/// `cfg` inside the argument of a suspension point was not resolved: the configured-out inner
/// `suspend!` ran (found by the differential tests).
#[test]
fn cfg_inside_a_suspension_argument_is_honoured() {
    #[coro::coroutine(yield = i32)]
    fn f() {
        suspend!({
            #[cfg(any())]
            suspend!(5);
            1
        });
    }
    assert_eq!(f().collect::<Vec<_>>(), [1]);

    #[coro::coroutine(yield = i32, resume = i32)]
    fn g(x: i32, #[resume] first: i32) -> i32 {
        suspend!(match x {
            #[cfg(any())]
            0 => {
                let first = first + suspend!(5);
                first
            }
            n => n,
        })
    }
    let mut c = g(0);
    assert_eq!(c.resume(3), Ok(0));
    assert_eq!(c.resume(4), Err(EarlyExit::Returned(4)));
}

/// A value `if` whose `let` chain suspends after its first element, with a branch that returns,
/// stored the branch's never-value in the `if`'s temporary, which then counted as read before it
/// was assigned (E0381; found by the differential tests).
#[test]
fn a_value_if_with_a_suspending_let_chain_and_a_returning_branch() {
    #[coro::coroutine(yield = i32, resume = i32)]
    fn f(a: Option<i32>, #[resume] _first: i32) -> i32 {
        let x = if let Some(y) = a
            && suspend!(y) > 1
        {
            return 1;
        } else {
            2
        };
        x * 10
    }
    let mut c = f(Some(7));
    assert_eq!(c.resume(0), Ok(7));
    assert_eq!(c.resume(5), Err(EarlyExit::Returned(1)));
    let mut c = f(Some(7));
    assert_eq!(c.resume(0), Ok(7));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(20)));
    let mut c = f(None);
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(20)));

    #[coro::coroutine(yield = i32, resume = i32)]
    fn g(a: Option<i32>, #[resume] _first: i32) -> i32 {
        let x = if let Some(y) = a
            && suspend!(y) > 1
        {
            3
        } else {
            {
                return 4;
            }
        };
        x
    }
    let mut c = g(Some(1));
    assert_eq!(c.resume(0), Ok(1));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(4)));
    let mut c = g(Some(1));
    assert_eq!(c.resume(0), Ok(1));
    assert_eq!(c.resume(2), Err(EarlyExit::Returned(3)));
}

/// `return loop { break v; }` warned (`break_with_label_and_loop`): the rewritten `return` is a
/// labeled `break` whose value is a loop (found by the differential tests; the crate denies the
/// lint).
#[test]
fn returning_a_loop_value_raises_no_lint() {
    #[coro::coroutine(yield = i32)]
    fn f(n: i32) -> i32 {
        suspend!(n);
        #[allow(clippy::never_loop)]
        return loop {
            break n * 2;
        };
    }
    let mut c = f(3);
    assert_eq!(c.resume(()), Ok(3));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(6)));
}

/// `suspend_from!(c)` of a coroutine that had already returned panicked. It now ends the
/// delegating coroutine as if killed, in both lowerings.
#[test]
fn delegating_to_an_ended_coroutine_ends_the_delegating_one() {
    #[coro::coroutine(yield = i32)]
    fn one() -> i32 {
        suspend!(1);
        7
    }
    #[coro::coroutine(yield = i32)]
    fn outer<C: Coroutine<Yield = i32, Return = i32>>(c: C, log: Log) -> i32 {
        let _g = Guard("outer's guard", log);
        suspend!(0);
        suspend_from!(c) + 100
    }
    #[coro::coroutine(yield = i32, pinned)]
    fn outer_pinned(log: Log) -> i32 {
        let _g = Guard("outer's guard", log);
        let mut c = one();
        let a = suspend_from!(&mut c);
        suspend!(a);
        suspend_from!(&mut c) + 100
    }
    let log = Log::default();
    let mut finished = one();
    while finished.resume(()).is_ok() {}
    let mut c = outer(finished, log.clone());
    assert_eq!(c.resume(()), Ok(0));
    assert_eq!(c.resume(()), Err(EarlyExit::Killed));
    assert_eq!(taken(&log), ["outer's guard"]);
    assert_eq!(c.status(), Status::Killed);
    assert_eq!(c.resume(()), Err(EarlyExit::Killed));

    let mut c = outer_pinned(log.clone());
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Ok(7));
    assert!(taken(&log).is_empty());
    assert_eq!(c.resume(()), Err(EarlyExit::Killed));
    assert_eq!(taken(&log), ["outer's guard"]);
    assert_eq!(c.status(), Status::Killed);
}

/// A call by the coroutine's own name is taken for recursion only where the name means the
/// coroutine: a `use` or a closure of the same name in the body, a method of another type by the
/// same name, are called as written (found by an independent review).
#[test]
fn a_rebound_name_is_not_taken_for_recursion() {
    mod other {
        #[coro::coroutine(yield = u32)]
        pub fn count(n: u32) {
            for i in 0..n {
                coro::suspend!(i);
            }
        }
    }
    #[coro::coroutine(yield = u32)]
    fn count(n: u32) {
        use other::count;
        if n > 0 {
            for x in count(n - 1) {
                suspend!(x)
            }
        }
        suspend!(100);
    }
    assert_eq!(count(3).collect::<Vec<_>>(), [0, 1, 100]);

    #[coro::coroutine(yield = u32)]
    fn scale(n: u32) {
        let scale = |x: u32| x * 10;
        suspend!(scale(n));
    }
    assert_eq!(scale(2).collect::<Vec<_>>(), [20]);

    struct Bag {
        items: Vec<u32>,
    }
    impl Bag {
        #[coro::coroutine(yield = u32)]
        fn iter(&self) {
            for x in self.items.iter() {
                suspend!(*x);
            }
        }
    }
    let b = Bag {
        items: vec![1, 2, 3],
    };
    assert_eq!(b.iter().collect::<Vec<_>>(), [1, 2, 3]);
}

/// A borrowed delegate (`suspend_from!(c)` with `c: &mut C`) is its owner's: killing the
/// delegating coroutine in the middle of the delegation leaves it suspended where it was (found
/// by an independent review, once owned delegates were killed).
#[test]
fn a_borrowed_delegate_is_left_with_its_owner() {
    #[coro::coroutine(yield = u32)]
    fn numbers() {
        let mut i = 0;
        loop {
            suspend!(i);
            i += 1;
        }
    }
    #[coro::coroutine(yield = u32)]
    fn prefixed<'a, C: Coroutine<Yield = u32, Return = ()>>(c: &'a mut C) {
        suspend!(100);
        suspend_from!(c);
    }
    let mut g = numbers();
    {
        let mut w = prefixed(&mut g);
        assert_eq!(w.next(), Some(100));
        assert_eq!(w.next(), Some(0));
        assert_eq!(w.next(), Some(1));
    }
    assert_eq!(g.status(), Status::Suspended);
    assert_eq!(g.next(), Some(2));
}

/// Values that only look borrowed compile as they do in a plain function: an owned value taken
/// from a borrow (`v.first().copied()`), a shared borrow of a reference parameter, a guard made
/// and dropped inside a block, a `Path::new` (found by an independent review).
#[test]
fn values_that_only_look_borrowed_are_not_refused() {
    #[coro::coroutine(yield = u32)]
    fn walk(v: &[u32]) {
        for x in v {
            suspend!(*x);
        }
    }
    #[coro::coroutine(yield = u32)]
    fn owned_from_borrows() -> u32 {
        let v = vec![1, 2, 3];
        let first = v.first().copied();
        let n = v.get(1).map(|x| x * 10);
        suspend!(0);
        suspend!(first.unwrap_or(0));
        first.unwrap_or(0) + n.unwrap_or(0)
    }
    assert_eq!(owned_from_borrows().yields().collect::<Vec<_>>(), [0, 1]);
    let mut c = owned_from_borrows().yields();
    c.by_ref().for_each(drop);
    assert_eq!(c.returned(), Some(21));

    #[coro::coroutine(yield = u32)]
    fn through_a_reference(t: &[u32]) {
        suspend_from!(walk(&t));
        if let [a, ..] = &t {
            suspend!(*a);
            suspend!(*a + 1);
        }
    }
    assert_eq!(
        through_a_reference(&[4, 5]).collect::<Vec<_>>(),
        [4, 5, 4, 5]
    );

    #[coro::coroutine(yield = usize)]
    fn guard_in_a_block() {
        let cell = RefCell::new(vec![1, 2]);
        match {
            let n = cell.borrow().len();
            n
        } {
            2 => {
                suspend!(1);
                cell.borrow_mut().push(3);
                suspend!(cell.borrow().len());
            }
            _ => {}
        }
    }
    assert_eq!(guard_in_a_block().collect::<Vec<_>>(), [1, 3]);

    #[coro::coroutine(yield = String)]
    fn components(s: &str) {
        let p = std::path::Path::new(s);
        for c in p.iter() {
            suspend!(c.to_string_lossy().into_owned());
        }
    }
    assert_eq!(components("a/b").collect::<Vec<_>>(), ["a", "b"]);
}

/// `cfg` on an array element, a tuple element or a call argument, which rustc accepts, was
/// kept: the configured-out element's suspension point ran (found by an independent review).
#[test]
fn cfg_on_elements_and_arguments_is_honoured() {
    fn pair(a: u32, b: u32) -> u32 {
        a * 10 + b
    }
    #[coro::coroutine(yield = u32, resume = u32)]
    #[allow(unused_parens)]
    fn f(#[resume] _first: u32) -> (usize, (u32,), u32) {
        let a = [
            suspend!(1),
            #[cfg(any())]
            suspend!(2),
        ];
        let t = (
            suspend!(3),
            #[cfg(any())]
            4,
        );
        let p = pair(
            suspend!(5),
            #[cfg(not(any()))]
            6,
        );
        (a.len(), t, p)
    }
    let mut c = f();
    assert_eq!(c.resume(0), Ok(1));
    assert_eq!(c.resume(7), Ok(3));
    assert_eq!(c.resume(8), Ok(5));
    assert_eq!(c.resume(9), Err(EarlyExit::Returned((1, (8,), 96))));
}

/// A `break` with a value inside a `for` loop's iterable leaves the loop around the `for`
/// (the iterable is evaluated before the `for` loop starts); it was taken for a `break` of the
/// `for` loop, so its value was lost (E0381; found by the differential tests, seed 8396).
#[test]
fn a_break_in_a_for_loops_iterable_leaves_the_outer_loop() {
    #[coro::coroutine(yield = i64, resume = i64)]
    #[allow(unreachable_code)]
    fn f(#[resume] first: i64) -> i64 {
        let x = loop {
            for _i in [match first {
                0 => break suspend!(5),
                _ => 1,
            }] {}
            break 7;
        };
        x
    }
    let mut c = f();
    assert_eq!(c.resume(0), Ok(5));
    assert_eq!(c.resume(3), Err(EarlyExit::Returned(3)));
    let mut c = f();
    assert_eq!(c.resume(1), Err(EarlyExit::Returned(7)));
}

// ---- macros whose expansion returns -------------------------------------------------------------

/// A user's macro that expands to `return Err(..)` ends the coroutine with that error, as it ends
/// the function, after dropping the locals in Rust's order; it once failed with `expected
/// EarlyExit<..>, found String`.
#[test]
fn a_user_macro_that_returns_err_ends_the_coroutine() {
    macro_rules! give_up {
        ($e:expr) => {
            return Err($e)
        };
    }
    #[coro::coroutine(yield = u32)]
    fn numbers(n: u32, log: Log) -> Result<u32, String> {
        let _outer = Guard("outer", log.clone());
        for i in 0..n {
            let _inner = Guard("inner", log.clone());
            if i == 2 {
                give_up!(format!("stopped at {i}"));
            }
            suspend!(i);
        }
        Ok(n)
    }
    let log = Log::default();
    let mut c = numbers(5, log.clone());
    assert_eq!(c.resume(()), Ok(0));
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(taken(&log), ["inner"]);
    assert_eq!(
        c.resume(()),
        Err(EarlyExit::Returned(Err("stopped at 2".to_string())))
    );
    assert_eq!(taken(&log), ["inner", "inner", "outer"]);
    assert_eq!(c.status(), Status::Finished);
    assert_eq!(c.resume(()), Err(EarlyExit::Finished));
    let mut c = numbers(1, log.clone());
    assert_eq!(c.resume(()), Ok(0));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Ok(1))));
}

/// `return None` from a macro in a coroutine returning `Option`, and a `try!`-style macro in one
/// returning `io::Result`.
#[test]
fn macros_that_return_none_or_propagate_an_error() {
    macro_rules! none_if {
        ($c:expr) => {
            if $c {
                return None;
            }
        };
    }
    macro_rules! attempt {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => return Err(From::from(e)),
            }
        };
    }
    #[coro::coroutine(yield = u32)]
    fn up_to(n: u32) -> Option<u32> {
        let mut x = 0;
        loop {
            x += 1;
            none_if!(x > n);
            suspend!(x);
        }
    }
    #[coro::coroutine(yield = u32)]
    fn parse_all(words: Vec<&'static str>) -> std::io::Result<usize> {
        let count = words.len();
        for w in words {
            let n: u32 = attempt!(w.parse::<u32>().map_err(std::io::Error::other));
            suspend!(n);
        }
        Ok(count)
    }
    assert_eq!(up_to(2).collect::<Vec<_>>(), [1, 2]);
    let mut c = up_to(0);
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(None)));
    let mut c = parse_all(vec!["4", "x", "5"]);
    assert_eq!(c.resume(()).ok(), Some(4));
    match c.resume(()) {
        Err(EarlyExit::Returned(Err(e))) => {
            assert_eq!(e.to_string(), "invalid digit found in string");
        }
        other => panic!("{other:?}"),
    }
    let mut c = parse_all(vec!["4"]);
    assert_eq!(c.resume(()).ok(), Some(4));
    assert!(matches!(c.resume(()), Err(EarlyExit::Returned(Ok(1)))));
}

/// A macro that propagates an error, called inside another macro's arguments
/// (`println!("{}", tri!(r))`): the outer macro's arguments were not looked into, so the body
/// was not run where such a `return` means what it means in a function, and `?` failed to
/// convert the error.
#[test]
fn a_returning_macro_inside_another_macros_arguments() {
    macro_rules! tri {
        ($e:expr) => {
            $e?
        };
    }
    #[coro::coroutine(yield = String)]
    fn f(stop: bool) -> Result<u32, &'static str> {
        suspend!(String::from("start"));
        let r: Result<u32, &'static str> = if stop { Err("stop") } else { Ok(1) };
        suspend!(format!("got {}", tri!(r)));
        Ok(2)
    }
    assert_eq!(f(false).collect::<Vec<_>>(), ["start", "got 1"]);
    let mut c = f(true);
    assert_eq!(c.resume(()), Ok(String::from("start")));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Err("stop"))));
}

/// `anyhow::bail!` and `anyhow::ensure!` in the default lowering (they were refused there).
#[test]
fn anyhow_bail_and_ensure_end_the_coroutine() {
    #[coro::coroutine(yield = i32, resume = i32)]
    fn checked(#[resume] first: i32) -> anyhow::Result<i32> {
        let mut x = first;
        let mut total = 0;
        loop {
            anyhow::ensure!(x >= 0, "negative: {x}");
            if x == 0 {
                anyhow::bail!("zero after {total}");
            }
            total += x;
            x = suspend!(total);
        }
    }
    let mut c = checked();
    assert_eq!(c.resume(2).unwrap(), 2);
    assert_eq!(c.resume(3).unwrap(), 5);
    match c.resume(-1) {
        Err(EarlyExit::Returned(Err(e))) => assert_eq!(e.to_string(), "negative: -1"),
        other => panic!("{other:?}"),
    }
    let mut c = checked();
    assert_eq!(c.resume(1).unwrap(), 1);
    match c.resume(0) {
        Err(EarlyExit::Returned(Err(e))) => assert_eq!(e.to_string(), "zero after 1"),
        other => panic!("{other:?}"),
    }
}

/// A macro's `return` inside a recursive frame returns from that frame only: its caller goes on
/// with the value, as a recursive function's caller does; and inside a delegation.
#[test]
fn a_macro_return_in_a_recursive_frame_returns_to_its_caller() {
    macro_rules! fail {
        ($e:expr) => {
            return Err($e)
        };
    }
    #[coro::coroutine(yield = u32)]
    fn walk(depth: u32) -> Result<u32, u32> {
        if depth == 3 {
            fail!(depth);
        }
        suspend!(depth);
        let below = suspend_from!(walk(depth + 1));
        match below {
            Ok(v) => Ok(v + 1),
            Err(d) if depth == 0 => Ok(100 + d),
            Err(d) => fail!(d * 10),
        }
    }
    let mut c = walk(0);
    assert_eq!(c.resume(()), Ok(0));
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Ok(2));
    // walk(3) fails with 3, walk(2) with 30, walk(1) with 300, walk(0) returns 100 + 300.
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Ok(400))));
}

// ---- large locals across several suspension points ---------------------------------------------

/// A buffer live across two suspension points of a loop stays in the state: going from one point
/// to the other no longer moves it (through the native stack) on every resume; the locals the
/// loop declares or reassigns move in and out beside it, and drops keep Rust's order.
#[test]
fn locals_held_in_place_across_several_points_keep_their_values_and_drop_order() {
    #[coro::coroutine(yield = u64, resume = u64)]
    #[allow(clippy::large_stack_arrays)] // the point: a local too large to move on every resume
    fn sums(log: Log, #[resume] first: u64) -> u64 {
        let mut big = [1u64; 4096];
        let _outer = Guard("outer", log.clone());
        let mut total = first;
        let mut i = 0;
        loop {
            let inner = Guard("inner", log.clone());
            big[i] += total;
            let got = suspend!(big[i]);
            total += got;
            let mut last = suspend!(total);
            last += 1;
            i += 1;
            if i == 3 {
                drop(inner);
                break;
            }
            total += suspend!(last);
        }
        big[0] + big[1] + big[2] + total
    }
    let log = Log::default();
    let mut c = sums(log.clone());
    assert_eq!(c.resume(10), Ok(11)); // big[0] = 1 + 10
    assert_eq!(c.resume(5), Ok(15)); // total = 10 + 5
    assert_eq!(c.resume(7), Ok(8)); // last = 7 + 1
    assert_eq!(c.resume(100), Ok(116)); // total = 115, big[1] = 116
    assert_eq!(taken(&log), ["inner"]);
    assert_eq!(c.resume(1), Ok(116));
    assert_eq!(c.resume(2), Ok(3));
    assert_eq!(c.resume(0), Ok(117)); // big[2] = 117
    assert_eq!(c.resume(0), Ok(116));
    assert_eq!(taken(&log), ["inner"]);
    // big = [11, 116, 117], total = 116; the loop is left with the locals moved out.
    assert_eq!(c.resume(4), Err(EarlyExit::Returned(11 + 116 + 117 + 116)));
    assert_eq!(taken(&log), ["inner", "outer"]);

    // Killed at each point: the loop's local first, then the ones around it.
    for points in 1..=3 {
        let mut c = sums(log.clone());
        for _ in 0..points {
            assert!(c.resume(1).is_ok());
        }
        c.kill();
        assert_eq!(
            taken(&log),
            ["inner", "outer"],
            "killed after {points} points"
        );
    }
}

/// Whether an address lies inside a value (the state of a boxed coroutine).
fn inside<T>(value: &T, address: usize) -> bool {
    let start = std::ptr::from_ref(value) as usize;
    (start..start + std::mem::size_of_val(value)).contains(&address)
}

/// A buffer live across several suspension points one after the other (no loop) was moved out
/// of the state and back in on every resume. It now stays where it is until its last use: the
/// address the body sees is inside the coroutine's state at every point, and the values and the
/// drop order are those of the same body as a plain function.
#[test]
fn a_buffer_across_sequential_points_stays_in_the_state() {
    #[coro::coroutine(yield = usize)]
    fn addresses(log: Log) -> u32 {
        let _first = Guard("first", log.clone());
        let mut buf = [0u32; 4096];
        buf[0] = 1;
        suspend!(buf.as_ptr() as usize);
        let step = Guard("step", log.clone());
        buf[1] = buf[0] + 1;
        suspend!(buf.as_ptr() as usize);
        if buf[1] == 2 {
            buf[2] = 3;
            suspend!(buf.as_ptr() as usize);
        }
        drop(step);
        suspend!(buf.as_ptr() as usize);
        buf[0] + buf[1] + buf[2]
    }
    let log = Log::default();
    let mut c = Box::new(addresses(log.clone()));
    // The first resume creates the buffer, on its own stack frame, and leaves it in the state.
    let at = c.resume(()).unwrap();
    assert!(!inside(&*c, at));
    for n in 1..4 {
        let at = c.resume(()).unwrap();
        assert!(inside(&*c, at), "the buffer moved on the way to point {n}");
    }
    assert_eq!(taken(&log), ["step"]);
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(6)));
    assert_eq!(taken(&log), ["first"]);

    // Killed at each point: what the body declared last goes first, as Rust drops it.
    for points in 1..=4 {
        let mut c = addresses(log.clone());
        for _ in 0..points {
            assert!(c.resume(()).is_ok());
        }
        c.kill();
        let dropped: &[&str] = if points == 1 {
            &["first"]
        } else {
            &["step", "first"]
        };
        assert_eq!(taken(&log), dropped, "killed after {points} points");
    }
}

/// With a buffer kept across many points one after the other, every resume moved it out of the
/// state and back: in a debug build each of those arms kept its own copies of it on the native
/// stack, so that sixteen points with a 64 KiB buffer overflowed a 2 MiB thread. Kept in place,
/// the stack a resume needs no longer grows with the number of points.
#[test]
fn many_sequential_points_with_a_buffer_fit_on_a_small_stack() {
    #[coro::coroutine(yield = u64)]
    #[allow(clippy::large_stack_arrays)] // the point: a local too large to move on every resume
    fn steps() -> u64 {
        let mut buf = [0u64; 8192];
        buf[0] = 1;
        suspend!(buf[0]);
        buf[1] = buf[0] + 1;
        suspend!(buf[1]);
        buf[2] = buf[1] + 1;
        suspend!(buf[2]);
        buf[3] = buf[2] + 1;
        suspend!(buf[3]);
        buf[4] = buf[3] + 1;
        suspend!(buf[4]);
        buf[5] = buf[4] + 1;
        suspend!(buf[5]);
        buf[6] = buf[5] + 1;
        suspend!(buf[6]);
        buf[7] = buf[6] + 1;
        suspend!(buf[7]);
        buf[8] = buf[7] + 1;
        suspend!(buf[8]);
        buf[9] = buf[8] + 1;
        suspend!(buf[9]);
        buf[10] = buf[9] + 1;
        suspend!(buf[10]);
        buf[11] = buf[10] + 1;
        suspend!(buf[11]);
        buf[12] = buf[11] + 1;
        suspend!(buf[12]);
        buf[13] = buf[12] + 1;
        suspend!(buf[13]);
        buf[14] = buf[13] + 1;
        suspend!(buf[14]);
        buf[15] = buf[14] + 1;
        suspend!(buf[15]);
        buf.iter().sum()
    }
    let run = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut c = Box::new(steps());
            let yielded: Vec<u64> = c.by_ref().collect();
            (yielded, c.status())
        })
        .unwrap();
    let (yielded, status) = run.join().unwrap();
    assert_eq!(yielded, (1..=16).collect::<Vec<u64>>());
    assert_eq!(status, Status::Finished);
}

/// Leaving a run of in-place points early (a `return`, `?`, a panic) drops the locals in Rust's
/// order, those the arm holds by value and those the state holds alike.
#[test]
fn leaving_sequential_in_place_points_early_keeps_the_drop_order() {
    #[coro::coroutine(yield = u32)]
    fn f(log: Log, stop: u32) -> Result<u32, String> {
        let a = Guard("a", log.clone());
        let mut big = [1u32; 1024];
        suspend!(big[0]);
        let b = Guard("b", log.clone());
        big[1] = 2;
        if stop == 1 {
            return Ok(big[1]);
        }
        suspend!(big[1]);
        let c = Guard("c", log.clone());
        big[2] = 3;
        let n: u32 = if stop == 2 { "x" } else { "3" }
            .parse()
            .map_err(|_| String::from("parse"))?;
        assert!(stop != 3, "boom");
        suspend!(big[2] + n);
        let _ = (&a, &b, &c);
        Ok(big[0] + big[1] + big[2])
    }
    let log = Log::default();
    let mut g = f(log.clone(), 1);
    assert_eq!(g.resume(()), Ok(1));
    assert_eq!(g.resume(()), Err(EarlyExit::Returned(Ok(2))));
    assert_eq!(taken(&log), ["b", "a"]);

    let mut g = f(log.clone(), 2);
    assert_eq!(g.resume(()), Ok(1));
    assert_eq!(g.resume(()), Ok(2));
    assert_eq!(g.resume(()), Err(EarlyExit::Returned(Err("parse".into()))));
    assert_eq!(taken(&log), ["c", "b", "a"]);

    let mut g = f(log.clone(), 3);
    assert_eq!(g.resume(()), Ok(1));
    assert_eq!(g.resume(()), Ok(2));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.resume(())));
    assert!(caught.is_err());
    assert_eq!(taken(&log), ["c", "b", "a"]);

    let mut g = f(log.clone(), 0);
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [1, 2, 6]);
    assert_eq!(taken(&log), ["c", "b", "a"]);
}

/// A local the loop's arm holds by value (here: named in a macro) declared before one the state
/// holds in place: a `return` from the loop dropped the first before the second, against Rust's
/// reverse declaration order.
#[test]
fn a_return_from_a_loop_resumed_in_place_drops_in_reverse_declaration_order() {
    #[coro::coroutine(yield = u32)]
    fn f(log: Log) {
        let a = Guard("a", log.clone());
        let b = Guard("b", log.clone());
        let mut i = 0;
        loop {
            suspend!(i);
            i += 1;
            if i == 2 {
                return;
            }
            assert_eq!(a.0, "a");
            suspend!(i);
            let _ = &b;
        }
    }
    let log = Log::default();
    assert_eq!(f(log.clone()).collect::<Vec<_>>(), [0, 1, 1]);
    assert_eq!(taken(&log), ["b", "a"]);
}

macro_rules! fail_if {
    ($c:expr, $v:expr) => {
        if $c {
            return Err($v);
        }
    };
}

/// A `return` that a macro's expansion holds cannot move the locals kept in place out of the
/// state before it leaves: a guard the resume held by value (named in a macro) and declared
/// first was dropped before the one the state held. Such points are not resumed in place.
#[test]
fn a_return_in_a_macro_keeps_the_drop_order_of_points_one_after_another() {
    #[coro::coroutine(yield = u32)]
    fn guarded(log: Log, stop: bool) -> Result<(), &'static str> {
        let a = Guard("a", log.clone());
        let b = Guard("b", log.clone());
        suspend!(1);
        fail_if!(stop, "stop");
        assert_eq!(a.0, "a");
        suspend!(2);
        let _ = &b;
        Ok(())
    }
    let log = Log::default();
    let mut c = guarded(log.clone(), true);
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Err("stop"))));
    assert_eq!(taken(&log), ["b", "a"]);
}

#[coro::coroutine(yield = u32, clone)]
fn times_ten(n: u32) -> u32 {
    suspend!(n);
    n * 10
}

/// Runs of points one after another around a labeled block, a loop with its own points, a
/// delegation, a `return` in a macro and a `?`: each path as the plain function takes it; and
/// a `clone` coroutine suspended in a delegation is cloned with its delegate.
#[coro::coroutine(yield = u32, clone)]
fn shapes(stop: u32) -> Result<u32, u32> {
    let mut big = [0u32; 512];
    let mut k = 0u32;
    'b: {
        suspend!(1);
        big[0] += 1;
        if stop == 1 {
            break 'b;
        }
        suspend!(2);
        k += 1;
    }
    for i in 0..2 {
        big[1] += i;
        suspend!(10 + i);
        suspend!(20 + i);
    }
    let d = suspend_from!(times_ten(7));
    big[2] = d;
    fail_if!(stop == 2, big[2]);
    suspend!(big[0] + big[1] + big[2] + k);
    let r: Result<u32, u32> = if stop == 3 { Err(3) } else { Ok(4) };
    let v = r?;
    suspend!(v);
    Ok(big.iter().sum())
}

#[test]
fn points_one_after_another_around_other_constructs() {
    let mut c = shapes(0);
    let yielded: Vec<u32> = c.by_ref().collect();
    assert_eq!(yielded, [1, 2, 10, 20, 11, 21, 7, 73, 4]);
    let mut c = shapes(0);
    for _ in 0..9 {
        c.resume(()).unwrap();
    }
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Ok(1 + 1 + 70))));
    let mut c = shapes(1);
    assert_eq!(c.by_ref().take(2).collect::<Vec<_>>(), [1, 10]);
    let mut c = shapes(2);
    assert_eq!(c.by_ref().count(), 7);
    assert_eq!(c.resume(()), Err(EarlyExit::Finished));
    let mut c = shapes(2);
    for _ in 0..7 {
        c.resume(()).unwrap();
    }
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Err(70))));
    let mut c = shapes(3);
    for _ in 0..8 {
        c.resume(()).unwrap();
    }
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Err(3))));
}

/// An exit that moves the held locals out of the state first assigned them by name, where a
/// binding of the same name inside the exiting statement hid them: rustc refused the program
/// (E0384; found by the differential tests, seeds 2027 and 2051). A held local whose name the
/// body binds again inside such code is not kept in place when exits move.
#[test]
fn an_exit_under_a_binding_that_hides_a_held_local() {
    #[coro::coroutine(yield = u32)]
    fn f(log: Log, stop: bool) -> Result<u32, u32> {
        let a = Guard("a", log.clone());
        let first = Guard("first", log.clone());
        suspend!(1);
        assert_eq!(a.0, "a");
        if stop {
            let first = 5;
            return Err(first);
        }
        suspend!(2);
        let _ = &first;
        Ok(0)
    }
    let log = Log::default();
    let mut c = f(log.clone(), true);
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Err(EarlyExit::Returned(Err(5))));
    assert_eq!(taken(&log), ["first", "a"]);
    assert_eq!(f(log.clone(), false).collect::<Vec<_>>(), [1, 2]);
    // `a`, not used after the second point, is dropped there.
    assert_eq!(taken(&log), ["a", "first"]);
}

/// `clone` and `suspend_from!` did not go together: the delegation's state was never `Clone`.
#[test]
fn a_clone_coroutine_suspended_in_a_delegation_clones_its_delegate() {
    let mut c = shapes(0);
    assert_eq!(
        c.by_ref().take(6).collect::<Vec<_>>(),
        [1, 2, 10, 20, 11, 21]
    );
    assert_eq!(c.resume(()), Ok(7)); // suspended in `times_ten(7)`
    let d = c.clone();
    assert_eq!(c.collect::<Vec<_>>(), [73, 4]);
    assert_eq!(d.collect::<Vec<_>>(), [73, 4]);
}

/// A cloned coroutine whose points share a variant goes on independently of the original.
#[test]
fn a_clone_of_a_coroutine_with_locals_held_in_place_is_independent() {
    #[coro::coroutine(yield = u64, clone)]
    fn counter() {
        let mut seen = [0u64; 64];
        let mut n = 0;
        loop {
            seen[n % 64] += 1;
            suspend!(seen[n % 64]);
            n += 1;
            suspend!(n as u64 * 100);
        }
    }
    let mut a = counter();
    assert_eq!(a.resume(()), Ok(1));
    let mut b = a.clone();
    assert_eq!(a.resume(()), Ok(100));
    assert_eq!(a.resume(()), Ok(1));
    assert_eq!(b.resume(()), Ok(100));
    assert_eq!(b.resume(()), Ok(1));
    assert_eq!(b.resume(()), Ok(200));
    assert_eq!(a.resume(()), Ok(200));
}

/// A local the loop creates after a delegation, kept across a later point that shares its
/// variant with an earlier one: rustc met the arm that takes it out of its slot before the code
/// that creates it, and could not type `s.len()` (E0282; found by the differential tests, seed
/// 364).
#[test]
fn a_slotted_local_created_after_a_delegation_has_its_type() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn twice(x: i64, #[resume] _first: i64) -> i64 {
        suspend!(x);
        x * 2
    }
    #[coro::coroutine(yield = i64, resume = i64)]
    fn f(#[resume] first: i64) -> i64 {
        let mut total = first;
        for i in 0..2 {
            let x = suspend!(i);
            let y = suspend_from!(twice(x), 0);
            let s = format!("{y}!");
            total += suspend!(i64::try_from(s.len()).unwrap_or(0));
            total += i64::try_from(s.len()).unwrap_or(0);
        }
        total
    }
    let mut c = f();
    assert_eq!(c.resume(100), Ok(0));
    assert_eq!(c.resume(7), Ok(7)); // twice(7) yields 7
    assert_eq!(c.resume(0), Ok(3)); // "14!"
    assert_eq!(c.resume(1), Ok(1));
    assert_eq!(c.resume(50), Ok(50));
    assert_eq!(c.resume(0), Ok(4)); // "100!"
    assert_eq!(c.resume(2), Err(EarlyExit::Returned(100 + 1 + 3 + 2 + 4)));
}

/// A tail that starts with a `match` (`(match .. { .. } & y)`), after a point that keeps a local
/// in place: the exit that moves the local out put the value after a statement, where the
/// `match` ended at its `}` and `& y` became a second expression (E0308; found by the
/// differential tests, seed 13389).
#[test]
fn a_tail_that_starts_with_a_match_after_a_point_that_keeps_a_local() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn once_then(x: i64, #[resume] _first: i64) -> i64 {
        suspend!(x);
        x + 1
    }
    #[coro::coroutine(yield = i64, resume = i64)]
    fn masked(a: i64, #[resume] first: i64) -> i64 {
        let _x = match a {
            0 => suspend_from!(once_then(a), first),
            n => n,
        };
        (match suspend!(suspend!(a)) {
            0 => a,
            _ => first,
        } & (a + 6))
    }
    let mut c = masked(6);
    assert_eq!(c.resume(13), Ok(6));
    assert_eq!(c.resume(5), Ok(5));
    assert_eq!(c.resume(9), Err(EarlyExit::Returned(12))); // 13 & 12
    let mut c = masked(6);
    assert_eq!(c.resume(13), Ok(6));
    assert_eq!(c.resume(5), Ok(5));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(4))); // 6 & 12
    let mut c = masked(0);
    assert_eq!(c.resume(13), Ok(0)); // the delegate yields 0
    assert_eq!(c.resume(4), Ok(0)); // it returns 1, then the first `suspend!` yields a = 0
    assert_eq!(c.resume(3), Ok(3));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(0)));
}

/// The left of a comparison that the right assigns to, with a suspension in the right: Rust
/// reads the left first (a built-in comparison copies its operands), and the coroutine read it
/// after the assignment, so `x == { x = 6; suspend!(..) }` compared the new value (a silent
/// difference; found by the differential tests, seed 17880).
#[test]
fn the_left_of_a_comparison_is_read_before_the_right_assigns_to_it() {
    #[coro::coroutine(yield = i64, resume = i64)]
    fn compare(#[resume] first: i64) -> (bool, bool, bool, i64) {
        let mut x = first;
        let same = x == {
            x = 6;
            suspend!(x)
        };
        let mut p = (first, 0);
        let smaller = p.0 < {
            p.0 += 10;
            suspend!(p.0)
        };
        let mut n = 1;
        let larger = n.max({
            n = 50;
            suspend!(n)
        });
        // Borrowed mutably, and a callee that is assigned.
        let mut y = first;
        let below = y < {
            bump(&mut y);
            suspend!(y)
        };
        let mut f: fn(i64) -> i64 = |v| v + 1;
        let called = f({
            f = |v| v * 10;
            suspend!(0)
        });
        (same, smaller, below, larger + x + p.0 + called)
    }
    fn bump(y: &mut i64) {
        *y += 100;
    }
    let mut c = compare();
    assert_eq!(c.resume(6), Ok(6));
    assert_eq!(c.resume(1), Ok(16));
    assert_eq!(c.resume(7), Ok(50));
    assert_eq!(c.resume(2), Ok(106));
    assert_eq!(c.resume(7), Ok(0));
    // 6 == 1, 6 < 7, 1.max(2) = 2 (Rust read `n` before the block made it 50), 6 < 7, and the
    // first `f` called with 3.
    assert_eq!(
        c.resume(3),
        Err(EarlyExit::Returned((false, true, true, 2 + 6 + 16 + 4)))
    );
}
