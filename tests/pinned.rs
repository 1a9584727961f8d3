//! The `pinned` lowering: bodies that keep borrows of their own locals across a suspension,
//! written as a Rust programmer writes them, and the whole coroutine API in this mode.
//!
//! Each body is also run as a plain function (a closure that pushes what the coroutine yields)
//! where that is possible, and the two must agree.
// A body on one line once raised `unused_braces` at the user's braces.
#![deny(unused_braces)]
// The bodies are written the way users write them, `let ref` and one-arm `match`es included.
#![allow(
    clippy::toplevel_ref_arg,
    clippy::match_single_binding,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::useless_vec
)]

use coro::{Coroutine, EarlyExit, Status, current, suspend, suspend_from};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

fn taken(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.borrow_mut())
}

/// A value that logs its drop.
struct Guard(&'static str, Log);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.borrow_mut().push(format!("drop {}", self.0));
    }
}

/// Everything a generator yields, then its return value.
fn run<C: Coroutine<Yield = Y, Return = T>, Y, T>(mut c: C) -> (Vec<Y>, T) {
    let mut out = Vec::new();
    loop {
        match c.resume(()) {
            Ok(y) => out.push(y),
            Err(EarlyExit::Returned(t)) => return (out, t),
            Err(other) => panic!("unexpected end: {other}"),
        }
    }
}

// ---- the programs the default lowering refuses ------------------------------------------------

#[coro::coroutine(yield = String, pinned)]
fn words(path: &str) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(path)?;
    let mut n = 0;
    for line in text.lines() {
        for w in line.split_whitespace() {
            suspend!(w.to_string());
            n += 1;
        }
    }
    Ok(n)
}

#[test]
fn words_of_a_file_with_an_io_error_on_the_way() {
    let path = std::env::temp_dir().join(format!("coro-pinned-words-{}", std::process::id()));
    std::fs::write(&path, "one two\n  three\n\nfour  ").unwrap();
    let (seen, n) = run(words(path.to_str().unwrap()));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(seen, ["one", "two", "three", "four"]);
    assert_eq!(n.unwrap(), 4);
    let (seen, n) = run(words("/nonexistent/coro/words"));
    assert!(seen.is_empty());
    assert_eq!(n.unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

#[coro::coroutine(yield = (usize, u32))]
fn walk(v: &[u32]) {
    for (i, x) in v.iter().enumerate() {
        suspend!((100 + i, *x));
    }
}

#[coro::coroutine(yield = (usize, u32), pinned)]
fn numbered() {
    let v = vec![3, 1, 4];
    for (i, x) in v.iter().enumerate() {
        suspend!((i, *x))
    }
    let first = &v[0];
    suspend!((9, *first));
    suspend_from!(walk(&v));
}

#[test]
fn enumerate_a_borrowed_local_and_delegate_a_borrow_of_it() {
    assert_eq!(
        run(numbered()).0,
        [(0, 3), (1, 1), (2, 4), (9, 3), (100, 3), (101, 1), (102, 4)]
    );
}

// ---- the shapes of the issue, each beside the same body as plain Rust --------------------------

#[test]
fn loops_over_borrows_of_locals() {
    #[coro::coroutine(yield = i32, pinned)]
    fn by_ref() -> Vec<i32> {
        let mut v = vec![1, 2, 3];
        for x in &v {
            suspend!(*x);
        }
        for x in &mut v {
            *x *= 10;
            suspend!(*x);
        }
        v
    }
    assert_eq!(run(by_ref()), (vec![1, 2, 3, 10, 20, 30], vec![10, 20, 30]));

    #[coro::coroutine(yield = char, pinned)]
    fn chars(s: String) {
        let owned = s.to_uppercase();
        for c in owned.chars() {
            suspend!(c);
        }
    }
    assert_eq!(run(chars("abc".into())).0, ['A', 'B', 'C']);

    #[coro::coroutine(yield = i32, pinned)]
    fn windows() {
        let v = [1, 4, 9, 16];
        for w in v.windows(2) {
            suspend!(w[1] - w[0]);
        }
    }
    assert_eq!(run(windows()).0, [3, 5, 7]);

    #[coro::coroutine(yield = (String, i32), pinned)]
    fn map() {
        let mut m = HashMap::new();
        m.insert("a".to_string(), 1);
        m.insert("b".to_string(), 2);
        for (k, v) in &m {
            suspend!((k.clone(), *v));
        }
    }
    let mut seen = run(map()).0;
    seen.sort();
    assert_eq!(seen, [("a".to_string(), 1), ("b".to_string(), 2)]);
}

#[test]
fn borrows_held_across_suspensions() {
    #[coro::coroutine(yield = i32, resume = i32, pinned)]
    fn held(#[resume] first: i32) -> i32 {
        let v = vec![first, 2, 3];
        let first = &v[0];
        let x = suspend!(*first);
        let ref r = v;
        let y = suspend!(r.len() as i32);
        let mut total = *first + x + y;
        match &v {
            w if w.len() > 2 => total += suspend!(w[2]),
            _ => unreachable!(),
        }
        if let [a, ..] = v.as_slice() {
            total += suspend!(*a);
        }
        let mut o = Some(1);
        if let Some(ref mut x) = o {
            *x += suspend!(100);
        }
        total + o.unwrap()
    }
    let mut c = held();
    assert_eq!(c.resume(7), Ok(7));
    assert_eq!(c.resume(10), Ok(3));
    assert_eq!(c.resume(20), Ok(3));
    assert_eq!(c.resume(1), Ok(7));
    assert_eq!(c.resume(2), Ok(100));
    // 7 + 10 + 20 + 1 + 2, and o = 1 + 3.
    assert_eq!(c.resume(3), Err(EarlyExit::Returned(44)));
}

#[test]
fn temporaries_and_ref_cells_across_suspensions() {
    fn len_plus(s: &str, n: usize) -> usize {
        s.len() + n
    }
    #[coro::coroutine(yield = usize, resume = usize, pinned)]
    fn temps(log: Rc<RefCell<Vec<String>>>, #[resume] _first: usize) -> usize {
        let cell = RefCell::new(vec![1, 2]);
        let a = len_plus(&String::from("abc"), suspend!(1));
        let b = match cell.borrow().len() {
            n => {
                suspend!(n);
                // The scrutinee's `Ref` is still alive here, as in Rust.
                log.borrow_mut().push(format!(
                    "mut borrow free: {}",
                    cell.try_borrow_mut().is_ok()
                ));
                n
            }
        };
        let held = cell.borrow();
        suspend!(held[0]);
        a + b + held[1]
    }
    let log = Log::default();
    let mut c = temps(log.clone());
    assert_eq!(c.resume(0), Ok(1));
    assert_eq!(c.resume(10), Ok(2));
    assert_eq!(c.resume(0), Ok(1));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(13 + 2 + 2)));
    assert_eq!(taken(&log), ["mut borrow free: false"]);
}

#[test]
fn delegating_to_borrows_of_locals_repeatedly() {
    #[coro::coroutine(yield = u32)]
    fn bump(counter: &mut u32) -> u32 {
        *counter += 1;
        suspend!(*counter);
        *counter
    }
    #[coro::coroutine(yield = u32, pinned)]
    fn outer() -> u32 {
        let mut counter = 0;
        let mut last = 0;
        for _ in 0..3 {
            last = suspend_from!(bump(&mut counter));
        }
        counter + last
    }
    assert_eq!(run(outer()), (vec![1, 2, 3], 6));
}

// ---- the coroutine API in this mode -----------------------------------------------------------

#[test]
fn resume_values_and_the_first_resume() {
    #[coro::coroutine(yield = i64, resume = i64, pinned)]
    fn running_total(#[resume] first: i64) -> i64 {
        let mut history = vec![first];
        loop {
            let total: i64 = history.iter().sum();
            let next = suspend!(total);
            if next == 0 {
                return history.len() as i64;
            }
            history.push(next);
        }
    }
    let mut c = running_total();
    assert_eq!(c.status(), Status::Unstarted);
    assert_eq!(c.resume(5), Ok(5));
    assert_eq!(c.status(), Status::Suspended);
    assert_eq!(c.resume(10), Ok(15));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(2)));
    assert_eq!(c.status(), Status::Finished);
    assert_eq!(c.resume(1), Err(EarlyExit::Finished));
}

#[coro::coroutine(yield = u32, pinned)]
fn guarded(log: Log) -> &'static str {
    let _a = Guard("a", log.clone());
    let b = Guard("b", log.clone());
    let name = &b.0;
    suspend!(1);
    {
        let _c = Guard("c", log.clone());
        suspend!(2);
    }
    log.borrow_mut().push(format!("name {name}"));
    suspend!(3);
    "done"
}

#[test]
fn kill_and_drop_drop_the_locals_in_rust_order() {
    let log = Log::default();
    let mut c = guarded(log.clone());
    assert_eq!(c.resume(()), Ok(1));
    assert_eq!(c.resume(()), Ok(2));
    c.kill();
    assert_eq!(taken(&log), ["drop c", "drop b", "drop a"]);
    assert_eq!(c.status(), Status::Killed);
    assert_eq!(c.resume(()), Err(EarlyExit::Killed));
    c.kill();
    assert!(taken(&log).is_empty(), "a second kill drops nothing");

    let mut c = guarded(log.clone());
    assert_eq!(c.resume(()), Ok(1));
    drop(c);
    assert_eq!(taken(&log), ["drop b", "drop a"]);

    let mut c = guarded(log.clone());
    assert_eq!(run(&mut c).1, "done");
    assert_eq!(taken(&log), ["drop c", "name b", "drop b", "drop a"]);
    assert_eq!(c.resume(()), Err(EarlyExit::Finished));

    // Unstarted: the arguments are dropped, nothing of the body ran.
    let mut c = guarded(log.clone());
    c.kill();
    assert!(taken(&log).is_empty());
    assert_eq!(c.resume(()), Err(EarlyExit::Killed));
}

#[test]
fn a_panic_goes_to_the_resumer_and_ends_the_coroutine() {
    #[coro::coroutine(yield = u32, pinned)]
    fn fails(log: Log) {
        let _g = Guard("g", log.clone());
        suspend!(1);
        panic!("boom");
    }
    let log = Log::default();
    let mut c = fails(log.clone());
    assert_eq!(c.resume(()), Ok(1));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(())));
    assert!(caught.is_err());
    assert_eq!(taken(&log), ["drop g"]);
    assert_eq!(c.status(), Status::Panicked);
    assert_eq!(c.resume(()), Err(EarlyExit::Panicked));
}

#[test]
fn throw_resumes_with_an_error() {
    #[coro::coroutine(yield = u32, resume = Result<u32, String>, pinned)]
    fn worker(#[resume] start: Result<u32, String>) -> Result<u32, String> {
        let mut seen = vec![start?];
        loop {
            let last = seen.last().copied().unwrap_or(0);
            seen.push(suspend!(last)?);
        }
    }
    let mut w = worker();
    assert_eq!(w.resume(Ok(1)), Ok(1));
    assert_eq!(w.resume(Ok(5)), Ok(5));
    assert_eq!(
        w.throw("stop".to_string()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Err(
            "stop".to_string()
        ))))
    );
}

#[test]
fn current_names_the_coroutine_and_its_resumer() {
    #[coro::coroutine(yield = String, pinned, name = "inner one")]
    fn inner() {
        let me = current().unwrap();
        let text = format!("{} by {}", me.name(), me.resumer().is_some());
        suspend!(text);
    }
    #[coro::coroutine(yield = String, pinned)]
    fn outer() {
        let me = current().unwrap();
        suspend!(format!("{} by {:?}", me.name(), me.resumer()));
        let own = me.id();
        suspend_from!(inner());
        suspend!(format!("same: {}", current().unwrap().id() == own));
    }
    assert_eq!(
        run(outer()).0,
        ["outer by None", "inner one by true", "same: true"]
    );
    assert_eq!(inner().name(), Some("inner one"));
}

#[test]
fn delegation_in_both_directions() {
    #[coro::coroutine(yield = u32, resume = u32)]
    fn movable(#[resume] first: u32) -> u32 {
        let second = suspend!(first * 2);
        first + second
    }
    #[coro::coroutine(yield = u32, resume = u32, pinned)]
    fn pinned_one(#[resume] first: u32) -> u32 {
        let v = vec![first];
        let r = &v[0];
        let got = suspend_from!(movable(), *r);
        got + suspend!(got)
    }
    #[coro::coroutine(yield = u32, resume = u32)]
    fn movable_outer(#[resume] first: u32) -> u32 {
        suspend_from!(pinned_one(), first) + 1
    }
    let mut c = movable_outer();
    assert_eq!(c.resume(3), Ok(6));
    assert_eq!(c.resume(4), Ok(7));
    assert_eq!(c.resume(10), Err(EarlyExit::Returned(18)));
}

#[test]
fn natural_recursion_allocates_a_coroutine_per_level() {
    enum Tree {
        Leaf(u32),
        Node(Vec<Tree>),
    }
    #[coro::coroutine(yield = u32, pinned)]
    fn leaves(t: &Tree) -> usize {
        match t {
            Tree::Leaf(v) => {
                suspend!(*v);
                1
            }
            Tree::Node(kids) => {
                let mut n = 0;
                for k in kids {
                    n += suspend_from!(leaves(k));
                }
                n
            }
        }
    }
    use Tree::{Leaf, Node};
    let t = Node(vec![
        Leaf(1),
        Node(vec![Leaf(2), Leaf(3)]),
        Node(vec![]),
        Leaf(4),
    ]);
    assert_eq!(run(leaves(&t)), (vec![1, 2, 3, 4], 4));
}

#[test]
fn methods_and_inline_blocks() {
    struct Doc {
        text: String,
    }
    impl Doc {
        #[coro::coroutine(yield = &'a str, pinned)]
        fn lines<'a>(&'a self) {
            let trimmed = self.text.trim();
            for line in trimmed.lines() {
                suspend!(line);
            }
        }

        #[coro::coroutine(yield = usize, pinned)]
        fn into_lengths(mut self) -> String {
            self.text.push('!');
            let lengths: Vec<usize> = self.text.lines().map(str::len).collect();
            for n in &lengths {
                suspend!(*n);
            }
            self.text
        }
    }
    let d = Doc {
        text: "  a\nbb  ".into(),
    };
    assert_eq!(run(d.lines()).0, ["a", "bb"]);
    assert_eq!(
        run(d.into_lengths()),
        (vec![3, 5], "  a\nbb  !".to_string())
    );

    let base = vec![1, 2, 3];
    let c = coro::coro!(yield = i32, pinned, move {
        let doubled: Vec<i32> = base.iter().map(|x| x * 2).collect();
        for x in &doubled {
            suspend!(*x);
        }
    });
    assert_eq!(c.collect::<Vec<_>>(), [2, 4, 6]);

    let mut echo = coro::coro!(
        yield = i32,
        resume = i32,
        return = i32,
        pinned,
        move |first| {
            let seen = vec![first];
            let r = &seen;
            let next = suspend!(r[0]);
            next + r[0]
        }
    );
    assert_eq!(echo.resume(4), Ok(4));
    assert_eq!(echo.resume(5), Err(EarlyExit::Returned(9)));
}

#[test]
fn the_coroutine_is_a_debuggable_fused_iterator() {
    #[coro::coroutine(yield = u8, pinned)]
    fn two() {
        let v = [1u8, 2];
        for x in &v {
            suspend!(*x);
        }
    }
    let mut c = two();
    assert_eq!(
        format!("{c:?}"),
        "Coroutine { name: \"two\", status: Unstarted, .. }"
    );
    assert_eq!(c.next(), Some(1));
    assert_eq!(c.next(), Some(2));
    assert_eq!(c.next(), None);
    assert_eq!(c.next(), None);
    assert_eq!(
        format!("{c:?}"),
        "Coroutine { name: \"two\", status: Finished, .. }"
    );
}

#[test]
fn cfg_and_macros_that_return_work_as_in_a_function() {
    macro_rules! bail {
        ($e:expr) => {
            return Err($e)
        };
    }
    #[coro::coroutine(yield = i32, resume = i32, pinned)]
    fn checked(#[resume] first: i32) -> Result<i32, String> {
        #[cfg(any())]
        suspend!(-1);
        let v = vec![first];
        let x = suspend!(v[0]);
        if x < 0 {
            bail!(format!("negative: {x}"));
        }
        Ok(v[0] + x)
    }
    let mut c = checked();
    assert_eq!(c.resume(2), Ok(2));
    assert_eq!(
        c.resume(-3),
        Err(EarlyExit::Returned(Err("negative: -3".to_string())))
    );
    let mut c = checked();
    assert_eq!(c.resume(2), Ok(2));
    assert_eq!(c.resume(3), Err(EarlyExit::Returned(Ok(5))));
}

#[coro::coroutine(yield = u32, pinned)]
fn one_line(n: u32) {
    for x in 0..n {
        suspend!(x)
    }
}

#[test]
fn arguments_drop_as_in_the_default_lowering_started_or_not() {
    struct G(&'static str, Log);
    impl Drop for G {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0.to_string());
        }
    }
    #[coro::coroutine(yield = u32, pinned)]
    fn pinned_args(a: G, _: G, (b, c): (G, G)) {
        suspend!(1);
        let _ = (&a, &b, &c);
    }
    #[coro::coroutine(yield = u32)]
    fn default_args(a: G, _: G, (b, c): (G, G)) {
        suspend!(1);
        let _ = (&a, &b, &c);
    }
    let log = Log::default();
    let g = |n| G(n, log.clone());
    drop(pinned_args(g("a"), g("_"), (g("b"), g("c"))));
    let pinned_unstarted = taken(&log);
    drop(default_args(g("a"), g("_"), (g("b"), g("c"))));
    assert_eq!(pinned_unstarted, taken(&log));
    assert_eq!(pinned_unstarted, ["b", "c", "_", "a"]);
    let mut c = pinned_args(g("a"), g("_"), (g("b"), g("c")));
    c.resume(()).unwrap();
    drop(c);
    let pinned_suspended = taken(&log);
    let mut c = default_args(g("a"), g("_"), (g("b"), g("c")));
    c.resume(()).unwrap();
    drop(c);
    assert_eq!(pinned_suspended, taken(&log));
    assert_eq!(one_line(2).count(), 2);
}

#[test]
fn an_await_a_macro_hides_ends_the_coroutine_as_panicked() {
    macro_rules! wait {
        () => {
            std::future::pending::<()>().await
        };
    }
    #[coro::coroutine(yield = u32, pinned)]
    fn sneaky() {
        suspend!(1);
        wait!();
    }
    let mut c = sneaky();
    assert_eq!(c.resume(()), Ok(1));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.resume(())));
    let message = caught.unwrap_err();
    assert!(
        message
            .downcast_ref::<&str>()
            .is_some_and(|m| m.contains("not one of its suspensions")),
    );
    assert_eq!(c.status(), Status::Panicked);
    assert_eq!(c.resume(()), Err(EarlyExit::Panicked));
}

/// A kill while a delegation's first resume value is being computed drops the delegate without
/// killing it (the delegation has not started), as the default lowering does; the pinned
/// lowering started it first (found by the differential tests in the pinned mode, seed 50).
#[test]
fn a_delegation_starts_once_its_first_value_is_there() {
    struct Handmade(Log);
    impl Coroutine<u32> for Handmade {
        type Yield = u32;
        type Return = u32;
        fn resume(&mut self, arg: u32) -> Result<u32, EarlyExit<u32>> {
            Err(EarlyExit::Returned(arg))
        }
        fn kill(&mut self) {
            self.0.borrow_mut().push("kill".into());
        }
        fn status(&self) -> Status {
            Status::Suspended
        }
    }
    impl Drop for Handmade {
        fn drop(&mut self) {
            self.0.borrow_mut().push("drop".into());
        }
    }
    #[coro::coroutine(yield = u32, resume = u32, pinned)]
    fn outer(log: Log, #[resume] _first: u32) -> u32 {
        suspend_from!(Handmade(log), suspend!(4))
    }
    let log = Log::default();
    let mut c = outer(log.clone());
    assert_eq!(c.resume(0), Ok(4));
    c.kill();
    assert_eq!(taken(&log), ["drop"]);
    let mut c = outer(log.clone());
    assert_eq!(c.resume(0), Ok(4));
    assert_eq!(c.resume(9), Err(EarlyExit::Returned(9)));
    assert_eq!(taken(&log), ["drop"]);
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

/// A pinned coroutine is `Send` when its locals are: started on one thread, finished on another,
/// with a borrow of its own local held across the move.
#[test]
fn a_pinned_coroutine_moves_between_threads_when_its_locals_are_send() {
    #[coro::coroutine(yield = (usize, String), pinned)]
    fn numbered_words(text: String) -> usize {
        let mut n = 0;
        for (i, w) in text.split_whitespace().enumerate() {
            suspend!((i, w.to_uppercase()));
            n += 1;
        }
        n
    }
    let mut c = assert_send(numbered_words("a bb ccc".to_string()));
    assert_eq!(c.resume(()), Ok((0, "A".to_string())));
    let rest = std::thread::spawn(move || {
        let mut out = Vec::new();
        let ret = loop {
            match c.resume(()) {
                Ok(y) => out.push(y),
                Err(e) => break e,
            }
        };
        (out, ret)
    })
    .join()
    .unwrap();
    assert_eq!(
        rest,
        (
            vec![(1, "BB".to_string()), (2, "CCC".to_string())],
            EarlyExit::Returned(3)
        )
    );
}

/// The same with a yield type that names a generic parameter, whose hand-off is shared instead
/// of thread-local.
#[test]
fn a_generic_pinned_coroutine_is_send_too() {
    #[coro::coroutine(yield = T, resume = u32, pinned)]
    fn pick<T: Clone + Send + 'static>(items: Vec<T>, #[resume] mut skip: u32) -> u32 {
        let mut given = 0;
        for item in &items {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            skip = suspend!(item.clone());
            given += 1;
        }
        given
    }
    let mut c = assert_send(pick(vec!['a', 'b', 'c', 'd']));
    assert_eq!(c.resume(0), Ok('a'));
    let mut c = std::thread::spawn(move || {
        assert_eq!(c.resume(1), Ok('c'));
        c
    })
    .join()
    .unwrap();
    assert_eq!(c.resume(0), Ok('d'));
    assert_eq!(c.resume(0), Err(EarlyExit::Returned(3)));
}

/// Coroutines of one pinned function share its thread's hand-off slot: interleaved, nested
/// inside each other and recursing, each still gets its own values.
#[test]
fn instances_of_one_pinned_function_interleave_and_nest() {
    #[coro::coroutine(yield = u64, resume = u64, pinned)]
    fn scaled(k: u64, depth: u32, #[resume] first: u64) -> u64 {
        let mut x = first;
        let mut log = Vec::new();
        if depth > 0 {
            // A nested instance, resumed from inside this one's resume.
            let mut inner = scaled(k + 1, depth - 1);
            let y = inner.resume(x).unwrap_or(0);
            log.push(y);
            x = suspend!(y * 10);
        }
        for _ in 0..2 {
            log.push(x);
            x = suspend!(x * k);
        }
        log.iter().sum()
    }
    let mut a = scaled(2, 0);
    let mut b = scaled(3, 1);
    assert_eq!(a.resume(1), Ok(2));
    assert_eq!(b.resume(5), Ok(200)); // inner (k = 4) yields 5 * 4
    assert_eq!(a.resume(7), Ok(14));
    assert_eq!(b.resume(6), Ok(18));
    assert_eq!(a.resume(0), Err(EarlyExit::Returned(1 + 7)));
    assert_eq!(b.resume(1), Ok(3));
    assert_eq!(b.resume(0), Err(EarlyExit::Returned(20 + 6 + 1)));
}

// ---- suspensions in the arguments of other macros ----------------------------------------------

/// A macro with arguments that are not expressions: its arms name what it evaluates.
macro_rules! pick {
    (left => $l:expr, right => $r:expr) => {
        ($l, $r)
    };
}

#[coro::coroutine(yield = u32, resume = u32, pinned)]
fn in_macro_arguments(log: Log, #[resume] first: u32) -> Vec<u32> {
    log.borrow_mut().push(format!("first {first}"));
    let v = vec![first, suspend!(1), coro::suspend!(2) * 10];
    assert_eq!(suspend!(3), 4, "the resume value");
    log.borrow_mut().push(format!("{:?} {}", v, suspend!(5)));
    let (l, r) = pick!(left => suspend!(6), right => suspend!(7) + 1);
    let sub = format!("{}", suspend_from!(in_macro_arguments_inner(), 0));
    log.borrow_mut().push(sub);
    vec![l, r]
}

#[coro::coroutine(yield = u32, resume = u32, pinned)]
fn in_macro_arguments_inner(#[resume] _first: u32) -> u32 {
    let s = [suspend!(8), suspend!(9)];
    s.iter().sum()
}

/// As an `.await` in an `async` block, a `suspend!` may stand wherever a macro puts its argument
/// in the body: expression arguments (`vec!`, `assert_eq!`, `format!`) and others (a
/// `macro_rules!` with arms) alike, evaluated in the order the macro evaluates them.
#[test]
fn suspensions_in_the_arguments_of_other_macros() {
    let log: Log = Rc::default();
    let mut c = in_macro_arguments(Rc::clone(&log));
    let mut yields = Vec::new();
    let mut arg = 100;
    let ret = loop {
        match c.resume(arg) {
            Ok(y) => {
                yields.push(y);
                arg = y + 1;
            }
            Err(EarlyExit::Returned(v)) => break v,
            Err(other) => panic!("{other:?}"),
        }
    };
    assert_eq!(yields, [1, 2, 3, 5, 6, 7, 8, 9]);
    assert_eq!(ret, [7, 9]);
    assert_eq!(taken(&log), ["first 100", "[100, 2, 30] 6", "19"]);
}
