//! Delegation at any depth: a coroutine suspended inside a chain of recursive `suspend_from!`s
//! resumes its innermost frame in O(1), on a frame stack inside one state machine, so depth
//! costs neither native stack nor time per item.

use coro::{Coroutine, EarlyExit, current, suspend, suspend_from};
use std::cell::RefCell;
use std::rc::Rc;

/// A nested list.
enum Tree {
    Leaf(u64),
    Node(Vec<Tree>),
}

impl Drop for Tree {
    // Dropping a 100,000-deep tree recursively would overflow the test thread's stack.
    fn drop(&mut self) {
        let mut stack = Vec::new();
        if let Tree::Node(children) = self {
            stack.append(children);
        }
        while let Some(mut t) = stack.pop() {
            if let Tree::Node(children) = &mut t {
                stack.append(children);
            }
        }
    }
}

/// `[0, [1, [2, ... [depth - 1]]]]`: one leaf per level, nested `depth` deep.
fn chain(depth: u64) -> Tree {
    let mut t = Tree::Node(vec![Tree::Leaf(depth - 1)]);
    for i in (0..depth - 1).rev() {
        t = Tree::Node(vec![Tree::Leaf(i), t]);
    }
    t
}

#[coro::coroutine(yield = u64)]
fn fringe(t: &Tree) {
    match t {
        Tree::Leaf(v) => suspend!(*v),
        Tree::Node(children) => {
            for c in children {
                suspend_from!(fringe(c));
            }
        }
    }
}

/// Runs `f` on a thread with the default 2 MiB stack of spawned threads.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread finished")
}

#[test]
fn a_fringe_100_000_deep_yields_every_leaf_and_completes_on_a_2_mib_stack() {
    on_small_stack(|| {
        let t = chain(100_000);
        let mut expected = 0;
        for v in fringe(&t) {
            assert_eq!(v, expected);
            expected += 1;
        }
        assert_eq!(expected, 100_000);
    });
}

#[test]
fn killing_and_dropping_a_100_000_deep_chain_does_not_overflow() {
    on_small_stack(|| {
        let t = chain(100_000);
        let mut c = fringe(&t);
        for i in 0..99_999 {
            assert_eq!(c.resume(()), Ok(i));
        }
        c.kill();
        assert_eq!(c.resume(()), Err(EarlyExit::Killed));
        let mut c = fringe(&t);
        for _ in 0..50_000 {
            c.resume(()).unwrap();
        }
        drop(c);
    });
}

/// Logs its drop.
struct Guard(u64, Rc<RefCell<Vec<u64>>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[coro::coroutine(yield = u64)]
fn guarded(depth: u64, log: Rc<RefCell<Vec<u64>>>) {
    let _g = Guard(depth, Rc::clone(&log));
    if depth == 0 {
        suspend!(0);
    } else {
        suspend_from!(guarded(depth - 1, log));
    }
}

#[test]
fn a_killed_chain_drops_its_frames_innermost_first() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = guarded(4, Rc::clone(&log));
    assert_eq!(c.resume(()), Ok(0));
    c.kill();
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 4]);
    let mut c = guarded(2, Rc::clone(&log));
    log.borrow_mut().clear();
    c.resume(()).unwrap();
    drop(c);
    assert_eq!(*log.borrow(), [0, 1, 2]);
}

#[coro::coroutine(yield = u64, resume = Result<u64, String>)]
fn catcher(depth: u64, #[resume] _first: Result<u64, String>) -> Result<u64, String> {
    if depth == 0 {
        return suspend!(0);
    }
    // Even levels pass errors on; odd levels turn them into a value.
    match suspend_from!(catcher(depth - 1), Ok(0)) {
        Err(e) if depth % 2 == 1 => Ok(depth * 100 + e.len() as u64),
        other => other.map(|v| v + 1),
    }
}

#[test]
fn a_thrown_error_reaches_the_innermost_frame_first_and_each_level_decides() {
    let mut c = catcher(3);
    assert_eq!(c.resume(Ok(0)), Ok(0));
    // The innermost frame returns the error, level 1 catches it (100 + 3), levels 2 and 3 add one.
    assert_eq!(
        c.throw("bad".to_owned()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Ok(105))))
    );
    let mut c = catcher(2);
    c.resume(Ok(0)).unwrap();
    assert_eq!(
        c.throw("bad".to_owned()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Ok(104))))
    );
}

#[test]
fn current_in_the_innermost_frame_names_it_and_its_resumer_is_the_delegating_frame() {
    #[coro::coroutine(yield = (u64, Option<u64>))]
    fn ids(depth: u32) {
        let me = current().expect("inside a coroutine");
        if depth == 0 {
            suspend!((me.id().get(), me.resumer().map(coro::CoroutineId::get)));
        } else {
            suspend!((me.id().get(), None));
            suspend_from!(ids(depth - 1));
        }
    }
    let seen: Vec<(u64, Option<u64>)> = ids(3).collect();
    assert_eq!(seen.len(), 4);
    let (inner, resumer) = seen[3];
    assert_eq!(
        resumer,
        Some(seen[2].0),
        "resumed by the frame that delegated"
    );
    assert!(seen[..3].iter().all(|&(id, _)| id != inner));
    assert_eq!(current().map(|c| c.id()), None);
}

#[test]
fn after_a_recursive_call_returns_its_caller_reports_whoever_resumes_it_now() {
    #[coro::coroutine(yield = (u64, Option<u64>))]
    fn ids(depth: u32) {
        if depth > 0 {
            suspend_from!(ids(depth - 1));
        }
        let me = current().expect("inside a coroutine");
        suspend!((me.id().get(), me.resumer().map(coro::CoroutineId::get)));
    }
    /// Resumes `c` once per resume of its own, and reports its own identity beside what `c` said.
    #[coro::coroutine(yield = (u64, Option<(u64, Option<u64>)>))]
    fn drive(c: &RefCell<dyn Iterator<Item = (u64, Option<u64>)>>) {
        loop {
            let seen = c.borrow_mut().next();
            suspend!((current().expect("inside a coroutine").id().get(), seen));
        }
    }
    let shared: RefCell<_> = RefCell::new(ids(1));
    let (mut a, mut b) = (drive(&shared), drive(&shared));
    // The callee runs under `a` and reports its caller; the caller, back after the callee
    // returned under `b`, reports `b`.
    let (a_id, Some((inner, inner_resumer))) = a.next().unwrap() else {
        panic!("the callee yields")
    };
    let (b_id, Some((outer, outer_resumer))) = b.next().unwrap() else {
        panic!("the caller yields")
    };
    assert_ne!(a_id, b_id);
    assert_ne!(inner, outer);
    assert_eq!(inner_resumer, Some(outer), "the delegating frame");
    assert_eq!(outer_resumer, Some(b_id), "the coroutine resuming it now");
    assert_eq!(a.next().unwrap().1, None, "finished");
}

#[test]
fn a_resumer_named_in_the_outermost_frame_keeps_that_name_while_a_recursive_call_is_suspended() {
    /// The outermost frame learns its resumer and hands it to the innermost, which yields it.
    #[coro::coroutine(yield = Option<u64>)]
    fn reports(depth: u32, seen: Option<u64>) {
        let resumer = current().expect("inside a coroutine").resumer();
        if depth > 0 {
            suspend_from!(reports(depth - 1, resumer.map(coro::CoroutineId::get)));
        } else {
            suspend!(seen);
        }
    }
    /// Has no identity until `reports` names it, and asks only once the recursive call is
    /// suspended.
    #[coro::coroutine(yield = (Option<u64>, u64))]
    fn outer() {
        let named = reports(1, None).next().unwrap();
        suspend!((named, current().unwrap().id().get()));
    }
    let (named, me) = outer().next().unwrap();
    assert_eq!(named, Some(me));
}

/// A tree for the recursive walks below: a value at every node.
enum Shape {
    Leaf(i64),
    One(i64, Box<Shape>),
    Two(i64, Box<Shape>, Box<Shape>),
}

/// A random shape from `seed` (xorshift), at most `depth` deep.
fn shape(seed: &mut u64, depth: u32) -> Shape {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    let v = i64::try_from(*seed % 100).unwrap();
    match (depth, *seed % 5) {
        (0, _) | (_, 0) => Shape::Leaf(v),
        (_, 1) => Shape::One(v, Box::new(shape(seed, depth - 1))),
        _ => Shape::Two(
            v,
            Box::new(shape(seed, depth - 1)),
            Box::new(shape(seed, depth - 1)),
        ),
    }
}

type Log = Rc<RefCell<Vec<String>>>;

/// Logs its drop.
struct Logged(i64, Log);

impl Drop for Logged {
    fn drop(&mut self) {
        self.1.borrow_mut().push(format!("drop {}", self.0));
    }
}

/// Four recursive call sites, with locals and resume values live across them.
#[coro::coroutine(yield = i64, resume = i64)]
fn walk(node: &Shape, log: Log, #[resume] first: i64) -> i64 {
    match node {
        Shape::Leaf(v) => {
            let got = suspend!(v + first);
            got * 2 - v
        }
        Shape::One(v, child) => {
            let _g = Logged(*v, log.clone());
            let sub = suspend_from!(walk(child, log.clone()), v + first);
            let got = suspend!(sub + v);
            sub + got
        }
        Shape::Two(v, left, right) => {
            let _g = Logged(*v, log.clone());
            let a = suspend_from!(walk(left, log.clone()), *v);
            let b = if a % 2 == 0 {
                suspend_from!(walk(right, log.clone()), a)
            } else {
                let x = suspend!(a);
                x + suspend_from!(walk(right, log.clone()), x)
            };
            a - b + first
        }
    }
}

/// `walk` as a plain recursive function; `suspend` yields a value and answers the resume.
fn walk_ref(node: &Shape, log: &Log, first: i64, suspend: &mut dyn FnMut(i64) -> i64) -> i64 {
    match node {
        Shape::Leaf(v) => {
            let got = suspend(v + first);
            got * 2 - v
        }
        Shape::One(v, child) => {
            let _g = Logged(*v, log.clone());
            let sub = walk_ref(child, log, v + first, suspend);
            let got = suspend(sub + v);
            sub + got
        }
        Shape::Two(v, left, right) => {
            let _g = Logged(*v, log.clone());
            let a = walk_ref(left, log, *v, suspend);
            let b = if a % 2 == 0 {
                walk_ref(right, log, a, suspend)
            } else {
                let x = suspend(a);
                x + walk_ref(right, log, x, suspend)
            };
            a - b + first
        }
    }
}

/// The resume values both walks get: the `i`-th resume sends this.
fn answer(i: usize) -> i64 {
    i64::try_from(i * 7 % 31).unwrap() - 15
}

/// Stops the plain walk, the way a kill stops the coroutine.
struct Stop;

#[test]
fn recursive_calls_from_several_sites_agree_with_plain_recursion_even_when_killed() {
    let mut seed = 0x2545_f491_4f6c_dd1d;
    for _ in 0..300 {
        let s = shape(&mut seed, 7);
        // Run to the end: yields, drops and the result, in order.
        let (log, plain) = (Log::default(), Log::default());
        let mut c = walk(&s, log.clone());
        let mut resumes = 0;
        let ret = loop {
            match c.resume(answer(resumes)) {
                Ok(y) => log.borrow_mut().push(format!("yield {y}")),
                Err(EarlyExit::Returned(r)) => break r,
                Err(e) => panic!("{e:?}"),
            }
            resumes += 1;
        };
        log.borrow_mut().push(format!("return {ret}"));
        let mut n = 0;
        let plain_ret = walk_ref(&s, &plain, answer(0), &mut |y| {
            plain.borrow_mut().push(format!("yield {y}"));
            n += 1;
            answer(n)
        });
        plain.borrow_mut().push(format!("return {plain_ret}"));
        assert_eq!(*log.borrow(), *plain.borrow());
        // Killed after each number of resumes: the frames' locals drop innermost first, as
        // the plain walk's do when it unwinds from the same point.
        for k in 1..resumes {
            let (log, plain) = (Log::default(), Log::default());
            let mut c = walk(&s, log.clone());
            for i in 0..k {
                c.resume(answer(i)).unwrap();
            }
            drop(c);
            let mut n = 0;
            let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                walk_ref(&s, &plain, answer(0), &mut |_| {
                    n += 1;
                    if n == k {
                        std::panic::resume_unwind(Box::new(Stop));
                    }
                    answer(n)
                })
            }));
            assert!(unwound.is_err());
            assert_eq!(*log.borrow(), *plain.borrow(), "killed after {k} resumes");
        }
    }
}
