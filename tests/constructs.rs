//! Every construct of ordinary Rust with suspension points inside it: exact yielded sequences and
//! return values.
#![allow(
    clippy::needless_return,
    clippy::never_loop,
    clippy::diverging_sub_expression
)]

use coro::{Coroutine, EarlyExit, suspend, suspend_from};
use std::cell::RefCell;

/// Runs a coroutine with `()` resumes: its yields, then its return value.
fn run<C: Coroutine<(), Yield = Y, Return = T>, Y, T>(mut c: C) -> (Vec<Y>, T) {
    let mut out = Vec::new();
    loop {
        match c.resume(()) {
            Ok(y) => out.push(y),
            Err(EarlyExit::Returned(t)) => return (out, t),
            Err(other) => panic!("unexpected exit: {other}"),
        }
    }
}

/// Runs a coroutine with a script of resume values (the first one starts it).
fn script<C, Y, T, R>(mut c: C, resumes: impl IntoIterator<Item = R>) -> (Vec<Y>, Option<T>)
where
    C: Coroutine<R, Yield = Y, Return = T>,
{
    let mut out = Vec::new();
    for r in resumes {
        match c.resume(r) {
            Ok(y) => out.push(y),
            Err(EarlyExit::Returned(t)) => return (out, Some(t)),
            Err(other) => panic!("unexpected exit: {other}"),
        }
    }
    (out, None)
}

#[coro::coroutine(yield = i32)]
fn statements() -> &'static str {
    suspend!(1);
    suspend!(2);
    "end"
}

#[test]
fn plain_statements() {
    #[coro::coroutine(yield = ())]
    fn units() {
        suspend!();
        suspend!(());
    }
    assert_eq!(run(statements()), (vec![1, 2], "end"));
    assert_eq!(run(units()).0.len(), 2);
}

#[coro::coroutine(yield = i32, resume = i32)]
fn initializers(#[resume] _start: i32) -> i32 {
    let a = 10;
    let b = suspend!(a) + a;
    let (c, d) = (suspend!(b), suspend!(b + 1));
    let Some(e) = Some(suspend!(c)) else {
        unreachable!()
    };
    let f: i32 = suspend!(e);
    a + b + f
}

#[test]
fn let_with_initializers_that_suspend() {
    // b = 1 + 10; (c, d) = (2, 3); e = 4; f = 5
    assert_eq!(
        script(initializers(), [0, 1, 2, 3, 4, 5]),
        (vec![10, 11, 12, 2, 4], Some(26))
    );
}

#[coro::coroutine(yield = i64, resume = i64)]
fn patterns(#[resume] first: i64) -> (i64, i64) {
    struct P {
        x: i64,
        y: i64,
    }
    let (a, b) = (first, suspend!(first));
    let P { x, y } = P {
        x: suspend!(a + b),
        y: 7,
    };
    let [p, q] = [suspend!(x), y];
    let Some(z) = Some(p).filter(|v| *v > 0) else {
        suspend!(-1);
        return (0, 0);
    };
    (z + q, x)
}

#[test]
fn let_with_patterns_and_let_else() {
    assert_eq!(
        script(patterns(), [1, 2, 3, 4]),
        (vec![1, 3, 3], Some((11, 3)))
    );
    // `let else` whose `else` suspends, then returns.
    assert_eq!(
        script(patterns(), [1, 2, 3, -4, 0]),
        (vec![1, 3, 3, -1], Some((0, 0)))
    );
}

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

fn f(tag: &str, v: i32) -> i32 {
    log(format!("{tag}{v}"));
    v
}

#[coro::coroutine(yield = i32, resume = i32)]
fn evaluation_order(#[resume] _start: i32) -> i32 {
    fn add3(a: i32, b: i32, c: i32) -> i32 {
        a + b + c
    }
    let r = add3(f("a", 1), suspend!(f("b", 2)), f("c", 3)) + f("d", 4);
    log(format!("r{r}"));
    let mut v = vec![f("e", 5)];
    v.push(suspend!(f("g", 6)));
    let s = f("h", 7) * suspend!(f("i", 8));
    let t = [f("j", 9), suspend!(10)].iter().sum::<i32>();
    r + s + t + v.iter().sum::<i32>()
}

#[test]
fn suspension_inside_expressions_keeps_left_to_right_order() {
    let c = evaluation_order();
    let (ys, ret) = script(c, [0, 100, 200, 300, 400]);
    assert_eq!(ys, [2, 6, 8, 10]);
    // r = 1 + 100 + 3 + 4; v = [5, 200]; s = 7 * 300; t = 9 + 400
    assert_eq!(ret, Some(108 + 2100 + 409 + 205));
    assert_eq!(
        take_log(),
        ["a1", "b2", "c3", "d4", "r108", "e5", "g6", "h7", "i8", "j9"]
    );
}

#[coro::coroutine(yield = String)]
fn branches(n: i32) -> String {
    if n > 0 {
        suspend!("positive".to_string());
    } else if n < 0 {
        suspend!("negative".to_string());
    } else {
        suspend!("zero".to_string());
    }
    let kind = if n % 2 == 0 {
        suspend!("even".into());
        "even"
    } else {
        "odd"
    };
    let size = match n.abs() {
        0 => "none",
        small @ 1..=9 if small > 4 => {
            suspend!(format!("{small} is big-ish"));
            "big-ish"
        }
        1..=9 => "small",
        big => {
            let half = big / 2;
            suspend!(format!("{big}"));
            suspend!(format!("half {half}"));
            "big"
        }
    };
    format!("{kind} {size}")
}

#[test]
fn if_else_and_match_as_statements_and_values() {
    assert_eq!(
        run(branches(3)),
        (vec!["positive".into()], "odd small".into())
    );
    assert_eq!(
        run(branches(-6)),
        (
            vec!["negative".into(), "even".into(), "6 is big-ish".into()],
            "even big-ish".into()
        )
    );
    assert_eq!(
        run(branches(0)),
        (vec!["zero".into(), "even".into()], "even none".into())
    );
    assert_eq!(
        run(branches(20)),
        (
            vec![
                "positive".into(),
                "even".into(),
                "20".into(),
                "half 10".into()
            ],
            "even big".into()
        )
    );
}

#[coro::coroutine(yield = i32, resume = i32)]
fn if_let_chains(items: Vec<Option<i32>>, #[resume] _start: i32) -> i32 {
    let mut total = 0;
    for item in items {
        if let Some(v) = item
            && v > 1
            && let Some(w) = v.checked_mul(suspend!(v))
        {
            total += w;
        } else if let Some(v) = item {
            suspend!(-v);
        } else {
            suspend!(0);
        }
    }
    if let Some(x) = Some(suspend!(total))
        && x > 0
    {
        total += 1;
    }
    total
}

#[test]
fn if_let_and_let_chains() {
    // The chain suspends in its third element; the pattern bindings are used after it.
    // Some(2): yields 2, resumed with 5 -> total 10; Some(1): yields -1; None: yields 0;
    // Some(3): yields 3, resumed with 2 -> total 16; then yields 16, resumed with 1 -> 17.
    let c = if_let_chains(vec![Some(2), Some(1), None, Some(3)]);
    assert_eq!(
        script(c, [0, 5, 0, 0, 2, 1]),
        (vec![2, -1, 0, 3, 16], Some(17))
    );
}

#[coro::coroutine(yield = u32, resume = u8)]
fn loops(n: u32, #[resume] _start: u8) -> u32 {
    let mut i = 0;
    while i < n {
        suspend!(i);
        i += 1;
    }
    let mut stack = vec![1, 2, 3];
    while let Some(top) = stack.pop() {
        suspend!(top * 10);
    }
    let found = loop {
        i += 1;
        if i % 7 == 0 {
            break i;
        }
        if i % 2 == 0 {
            suspend!(i);
        }
    };
    let mut sum = 0;
    for v in vec![5u32, 6].into_iter().chain(Some(7)) {
        sum += suspend!(v) as u32 + v;
    }
    found * 1000 + sum
}

#[test]
fn while_while_let_loop_with_break_value_and_for() {
    let resumes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];
    // for: sum = (1 + 5) + (2 + 6) + (3 + 7)
    assert_eq!(
        script(loops(3), resumes),
        (vec![0, 1, 2, 30, 20, 10, 4, 6, 5, 6, 7], Some(7024))
    );
}

#[coro::coroutine(yield = (u8, u8))]
fn labels() -> u32 {
    let mut count = 0;
    'outer: for a in 0..4u8 {
        'inner: for b in 0..4u8 {
            if b > a {
                continue 'outer;
            }
            if a == 3 {
                break 'outer;
            }
            if b == 1 && a == 2 {
                continue 'inner;
            }
            suspend!((a, b));
            count += 1;
        }
    }
    let v = 'blk: {
        if count > 3 {
            suspend!((9, 9));
            break 'blk count * 2;
        }
        0
    };
    v
}

#[test]
fn labeled_break_and_continue_across_nested_loops() {
    assert_eq!(
        run(labels()),
        (vec![(0, 0), (1, 0), (1, 1), (2, 0), (2, 2), (9, 9)], 10)
    );
}

#[coro::coroutine(yield = i32, resume = i32)]
fn blocks_as_values(x: i32, #[resume] _start: i32) -> i32 {
    let a = {
        let t = suspend!(x);
        let _ = t;
        x + 1
    };
    let b = unsafe_free_block(a);
    if b > 100 {
        return suspend!(b);
    }
    let c = {
        suspend!(b);
        b * 2
    } + {
        suspend!(b + 1);
        1
    };
    c
}

fn unsafe_free_block(v: i32) -> i32 {
    v * 10
}

#[test]
fn blocks_as_values_and_early_return() {
    assert_eq!(
        script(blocks_as_values(2), [0, 0, 0, 0]),
        (vec![2, 30, 31], Some(61))
    );
    // `return suspend!(b)`: the value of the next resume is returned.
    assert_eq!(
        script(blocks_as_values(20), [0, 0, 7]),
        (vec![20, 210], Some(7))
    );
}

#[coro::coroutine(yield = i32, resume = Option<i32>)]
fn question_mark_option(#[resume] first: Option<i32>) -> Option<i32> {
    let a = first?;
    let b = suspend!(a)?;
    let c = suspend!(a + b)? + suspend!(0)?;
    Some(c)
}

#[coro::coroutine(yield = i32, resume = Result<i32, String>)]
fn question_mark_result(#[resume] first: Result<i32, String>) -> Result<i32, String> {
    let a = first?;
    let parsed: i32 = "12".parse::<i32>().map_err(|e| e.to_string())?;
    let b = suspend!(a + parsed)?;
    Ok(b)
}

#[test]
fn question_mark_on_option_and_result() {
    assert_eq!(
        script(question_mark_option(), [Some(1), Some(2), Some(3), Some(4)]),
        (vec![1, 3, 0], Some(Some(7)))
    );
    assert_eq!(
        script(question_mark_option(), [Some(1), None]),
        (vec![1], Some(None))
    );
    assert_eq!(script(question_mark_option(), [None]), (vec![], Some(None)));
    assert_eq!(
        script(question_mark_result(), [Ok(1), Ok(5)]),
        (vec![13], Some(Ok(5)))
    );
    let mut c = question_mark_result();
    assert_eq!(c.resume(Ok(0)), Ok(12));
    assert_eq!(
        c.throw("boom".to_string()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Err(
            "boom".to_string()
        ))))
    );
}

#[coro::coroutine(yield = String)]
fn shadowing() -> String {
    let x = 1;
    let x = x + {
        suspend!(x.to_string());
        1
    };
    let x = format!("{x}!");
    suspend!(x.clone());
    let x = x.len();
    x.to_string()
}

#[test]
fn shadowed_locals_are_kept_apart() {
    assert_eq!(
        run(shadowing()),
        (vec!["1".to_string(), "2!".to_string()], "2".to_string())
    );
}

#[coro::coroutine(yield = i32)]
fn closures_and_items() -> i32 {
    const K: i32 = 3;
    fn helper(v: i32) -> i32 {
        v * K
    }
    struct Wrap(i32);
    let offset = 100;
    let add = move |v: i32| v + offset;
    suspend!(add(1));
    let wrapped = Wrap(helper(2));
    suspend!(wrapped.0);
    let mapped: Vec<i32> = (1..=3).map(|v| helper(v) + offset).collect();
    for m in mapped {
        suspend!(m);
    }
    add(K)
}

#[test]
fn closures_and_nested_items_in_the_body() {
    assert_eq!(
        run(closures_and_items()),
        (vec![101, 6, 103, 106, 109], 103)
    );
}

#[coro::coroutine(yield = String)]
fn macros_use_saved_locals(n: usize) {
    let word = "hi".to_string();
    let count = n;
    suspend!(format!("{word} x{count}"));
    let v = vec![word.clone(); count];
    suspend!(v.concat());
    assert_eq!(v.len(), count, "{word}");
    println!("{word} {}", count);
}

#[test]
fn macros_see_saved_locals_format_strings_included() {
    assert_eq!(run(macros_use_saved_locals(2)).0, ["hi x2", "hihi"]);
}

#[coro::coroutine(yield = u64)]
fn reborrows() -> Vec<u64> {
    let mut v = Vec::new();
    let r = &mut v;
    suspend!(1);
    r.push(1);
    let mut total = 0u64;
    for i in 0..3 {
        let first = &mut v;
        suspend!(i);
        first.push(i);
    }
    let t = &mut total;
    *t += v.iter().sum::<u64>();
    suspend!(total);
    v
}

#[test]
fn borrows_of_locals_are_taken_again_after_a_suspension() {
    assert_eq!(run(reborrows()), (vec![1, 0, 1, 2, 4], vec![1, 0, 1, 2]));
}

#[coro::coroutine(yield = i32)]
fn delegating(n: i32) -> i32 {
    #[coro::coroutine(yield = i32)]
    fn child(from: i32) -> i32 {
        suspend!(from);
        suspend!(from + 1);
        from * 10
    }
    let a = suspend_from!(child(n));
    let b = suspend_from!(child(a)) + suspend_from!(child(1));
    a + b
}

#[test]
fn delegation_in_expressions() {
    assert_eq!(
        run(delegating(1)),
        (vec![1, 2, 10, 11, 1, 2], 10 + 100 + 10)
    );
}

#[coro::coroutine(yield = usize)]
fn closures_in_suspending_loops(lines: Vec<&'static str>) -> usize {
    let mut total = 0;
    for line in lines {
        // The iterator's type contains the closure's: it must be the same in every arm.
        let lengths = line.split(' ').map(str::len);
        for n in lengths {
            suspend!(n);
            total += n;
        }
        let scale = |v: usize| v * 10;
        suspend!(scale(total));
    }
    let finish = move |t: usize| t + 1;
    if total > 3 {
        suspend!(0);
    }
    finish(total)
}

#[test]
fn closures_created_inside_loops_that_suspend() {
    assert_eq!(
        run(closures_in_suspending_loops(vec!["a bb", "ccc"])),
        (vec![1, 2, 30, 3, 60, 0], 7)
    );
}
