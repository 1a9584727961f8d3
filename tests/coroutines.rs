//! The runtime around a coroutine: resume values, the first resume, status, iteration, boxing,
//! cloning, `current()`, error injection, and where `#[coroutine]` applies.

use coro::{
    BoxCoroutine, Coroutine, CoroutineState, EarlyExit, Status, current, suspend, suspend_from,
};

#[coro::coroutine(yield = u64, resume = u64)]
fn accumulate(#[resume] first: u64) -> u64 {
    let mut total = first;
    while total < 100 {
        total += suspend!(total);
    }
    total
}

#[test]
fn values_go_in_through_resume_and_the_first_one_is_received() {
    let mut c = accumulate();
    assert_eq!(c.status(), Status::Unstarted);
    assert_eq!(c.resume(5), Ok(5));
    assert_eq!(c.status(), Status::Suspended);
    assert_eq!(c.resume(10), Ok(15));
    assert_eq!(c.resume(90), Err(EarlyExit::Returned(105)));
    assert_eq!(c.status(), Status::Finished);
    assert_eq!(c.resume(1), Err(EarlyExit::Finished));
    c.kill();
    assert_eq!(
        c.status(),
        Status::Finished,
        "killing a finished coroutine does nothing"
    );
    assert_eq!(c.resume(1), Err(EarlyExit::Finished));
}

#[coro::coroutine(yield = char)]
fn letters(s: &str) -> usize {
    for ch in s.chars() {
        suspend!(ch);
    }
    s.len()
}

#[test]
fn unit_resume_coroutines_are_fused_iterators() {
    assert_eq!(letters("abc").collect::<String>(), "abc");
    let mut it = letters("x");
    assert_eq!(it.next(), Some('x'));
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    let mut c = letters("hi");
    c.next();
    c.next();
    assert_eq!(
        CoroutineState::try_from(c.resume(())),
        Ok(CoroutineState::Complete(2))
    );
    assert_eq!(
        CoroutineState::try_from(c.resume(())),
        Err(EarlyExit::Finished)
    );
}

#[test]
fn boxed_coroutines_share_a_collection() {
    let mut all: Vec<BoxCoroutine<'_, (), char, usize>> =
        vec![letters("ab").boxed(), Box::new(letters("c"))];
    assert_eq!(all[0].resume(()), Ok('a'));
    let rest: String = all
        .iter_mut()
        .flat_map(|c| std::iter::from_fn(move || c.resume(()).ok()))
        .collect();
    assert_eq!(rest, "bc");
    assert_eq!(all[1].status(), Status::Finished);
}

#[coro::coroutine(yield = u32, clone)]
fn countdown(from: u32) -> &'static str {
    let mut n = from;
    while n > 0 {
        suspend!(n);
        n -= 1;
    }
    "liftoff"
}

#[test]
fn clone_forks_a_suspended_coroutine() {
    let mut a = countdown(3);
    assert_eq!(a.next(), Some(3));
    let mut b = a.clone();
    assert_eq!(a.next(), Some(2));
    assert_eq!(a.next(), Some(1));
    assert_eq!(b.next(), Some(2));
    assert_eq!(a.resume(()), Err(EarlyExit::Returned("liftoff")));
    assert_eq!(b.collect::<Vec<_>>(), [1]);
}

#[test]
fn coroutines_are_send_when_their_state_is() {
    fn assert_send<T: Send>(_: &T) {}
    let c = countdown(2);
    assert_send(&c);
    assert_eq!(
        std::thread::spawn(move || c.collect::<Vec<_>>())
            .join()
            .unwrap(),
        [2, 1]
    );
}

#[coro::coroutine(yield = (u64, Option<u64>, &'static str), name = "named one")]
fn who_am_i() {
    let me = current().expect("inside a coroutine");
    suspend!((
        me.id().get(),
        me.resumer().map(coro::CoroutineId::get),
        me.name()
    ));
    let again = current().unwrap();
    suspend!((
        again.id().get(),
        again.resumer().map(coro::CoroutineId::get),
        again.name()
    ));
}

#[coro::coroutine(yield = (u64, Option<u64>, &'static str))]
fn resumer_of_inner() {
    let me = current().unwrap().id().get();
    let mut inner = who_am_i();
    let seen = inner.resume(()).unwrap();
    suspend!((me, None, "outer"));
    suspend!(seen);
}

#[test]
fn current_names_the_running_coroutine_and_its_resumer() {
    assert!(current().is_none());
    let mut c = who_am_i();
    let (id, resumer, name) = c.resume(()).unwrap();
    assert_eq!((resumer, name), (None, "named one"));
    let (id2, _, _) = c.resume(()).unwrap();
    assert_eq!(id, id2, "the identity is stable");
    assert!(current().is_none(), "restored after a resume");

    let mut outer = resumer_of_inner();
    let (outer_id, _, _) = outer.resume(()).unwrap();
    let (inner_id, inner_resumer, _) = outer.resume(()).unwrap();
    assert_eq!(inner_resumer, Some(outer_id));
    assert_ne!(inner_id, outer_id);
}

#[test]
fn a_resumer_that_had_no_identity_keeps_the_one_its_coroutine_reported() {
    /// Asks for its own identity only after the inner coroutine has reported it.
    #[coro::coroutine(yield = (Option<u64>, Option<u64>, u64))]
    fn asks_late() {
        let mut inner = who_am_i();
        let (_, first, _) = inner.resume(()).unwrap();
        let (_, second, _) = inner.resume(()).unwrap();
        suspend!((first, second, current().unwrap().id().get()));
    }
    let (first, second, me) = asks_late().next().unwrap();
    assert_eq!(first, Some(me));
    assert_eq!(second, Some(me), "the same identity in a later resume");
}

#[test]
fn current_is_restored_when_a_body_panics() {
    #[coro::coroutine(yield = ())]
    fn panics() {
        panic!("inside");
    }
    #[coro::coroutine(yield = bool)]
    fn catches() {
        let before = current().unwrap().id();
        let mut p = panics();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.resume(())));
        suspend!(current().unwrap().id() == before);
    }
    assert_eq!(catches().next(), Some(true));
    assert!(current().is_none());
}

#[coro::coroutine(yield = String, resume = Result<u32, String>)]
fn listener(#[resume] start: Result<u32, String>) -> Result<u32, String> {
    let mut sum = start?;
    loop {
        match suspend!(format!("sum {sum}")) {
            Ok(v) => sum += v,
            Err(e) if e == "reset" => sum = 0,
            Err(e) => return Err(format!("stopped by {e}")),
        }
        if sum > 10 {
            return Ok(sum);
        }
    }
}

#[test]
fn errors_can_be_thrown_in_and_handled_or_propagated() {
    let mut c = listener();
    assert_eq!(c.resume(Ok(1)), Ok("sum 1".into()));
    assert_eq!(c.resume(Ok(2)), Ok("sum 3".into()));
    assert_eq!(c.throw("reset".to_string()), Ok("sum 0".into()));
    assert_eq!(
        c.throw("boom".to_string()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Err(
            "stopped by boom".into()
        ))))
    );
    // Finished now: an error thrown in comes back, and nothing runs.
    assert_eq!(
        c.throw("late".to_string()),
        Err(coro::Thrown::Refused("late".to_string(), Status::Finished))
    );
    // Thrown into an unstarted coroutine: as Python does, it is ended without running its body
    // and the error goes back to the thrower (a `#[resume] _` parameter cannot swallow it).
    let mut d = listener();
    assert_eq!(
        d.throw("early".to_string()),
        Err(coro::Thrown::Refused(
            "early".to_string(),
            Status::Unstarted
        ))
    );
    assert_eq!(d.status(), Status::Killed);
    assert_eq!(d.resume(Ok(1)), Err(EarlyExit::Killed));
}

#[test]
fn an_error_thrown_into_an_ended_coroutine_comes_back() {
    let mut k = listener();
    k.resume(Ok(1)).unwrap();
    k.kill();
    assert_eq!(
        k.throw("x".to_string()),
        Err(coro::Thrown::Refused("x".to_string(), Status::Killed))
    );
    assert_eq!(
        coro::Thrown::<String, ()>::Refused("y".into(), Status::Killed).refused(),
        Some("y".to_string())
    );
}

#[coro::coroutine(yield = u32, resume = Result<(), String>)]
fn throw_inner(#[resume] _start: Result<(), String>) -> Result<u32, String> {
    suspend!(1)?;
    match suspend!(2) {
        Ok(()) => {}
        Err(e) => {
            suspend!(u32::try_from(e.len()).unwrap());
        }
    }
    Ok(7)
}

#[coro::coroutine(yield = u32, resume = Result<(), String>)]
fn throw_outer(#[resume] _start: Result<(), String>) -> Result<u32, String> {
    let r = suspend_from!(throw_inner(), Ok(()))?;
    suspend!(r * 10);
    Ok(r)
}

#[test]
fn throw_reaches_the_innermost_delegate_first() {
    // The inner coroutine handles the error at its second suspension.
    let mut c = throw_outer();
    assert_eq!(c.resume(Ok(())), Ok(1));
    assert_eq!(c.resume(Ok(())), Ok(2));
    assert_eq!(c.throw("abc".into()), Ok(3));
    assert_eq!(c.resume(Ok(())), Ok(70));
    // At the first, it propagates with `?` through the outer one.
    let mut c = throw_outer();
    assert_eq!(c.resume(Ok(())), Ok(1));
    assert_eq!(
        c.throw("bad".into()),
        Err(coro::Thrown::Ended(EarlyExit::Returned(Err("bad".into()))))
    );
}

/// A recursive walk, 1,000 levels deep, without a `Box` per level.
#[derive(Debug)]
enum Tree {
    Leaf(u32),
    Node(Vec<Tree>),
}

#[coro::coroutine(yield = u32)]
fn leaves(t: &Tree) -> usize {
    match t {
        Tree::Leaf(v) => {
            suspend!(*v);
            1
        }
        Tree::Node(children) => {
            let mut count = 0;
            for c in children {
                count += suspend_from!(leaves(c));
            }
            count
        }
    }
}

#[test]
fn direct_recursion_works_deep_and_returns_values() {
    let mut t = Tree::Leaf(0);
    for i in 1..=1000 {
        t = Tree::Node(vec![Tree::Leaf(i), t]);
    }
    let mut c = leaves(&t);
    let mut seen = Vec::new();
    let count = loop {
        match c.resume(()) {
            Ok(v) => seen.push(v),
            Err(EarlyExit::Returned(n)) => break n,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(count, 1001);
    let expected: Vec<u32> = (1..=1000).rev().chain([0]).collect();
    assert_eq!(seen, expected);
    // Dropping a deep chain mid-walk does not overflow the stack.
    let mut c = leaves(&t);
    for _ in 0..600 {
        c.resume(()).unwrap();
    }
    drop(c);
}

#[test]
fn current_inside_recursive_frames_names_each_frame() {
    #[coro::coroutine(yield = (u64, Option<u64>))]
    fn frames(depth: u32) {
        let me = current().unwrap();
        suspend!((me.id().get(), me.resumer().map(coro::CoroutineId::get)));
        if depth > 0 {
            suspend_from!(frames(depth - 1));
        }
    }
    let seen: Vec<(u64, Option<u64>)> = frames(2).collect();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].1, None);
    assert_eq!(seen[1].1, Some(seen[0].0));
    assert_eq!(seen[2].1, Some(seen[1].0));
    assert!(seen[0].0 != seen[1].0 && seen[1].0 != seen[2].0);
}

struct Counter {
    step: u32,
    items: Vec<String>,
}

impl Counter {
    #[coro::coroutine(yield = u32)]
    pub fn up_to(&self, limit: u32) -> u32 {
        let mut n = 0;
        while n + self.step <= limit {
            n += self.step;
            suspend!(n);
        }
        n
    }

    #[coro::coroutine(yield = String)]
    fn drain_items(&mut self) {
        while let Some(item) = self.items.pop() {
            suspend!(item);
        }
    }

    #[coro::coroutine(yield = String)]
    fn into_items(self) -> u32 {
        // A coroutine keeps whole locals: take the fields apart before moving one out.
        let Counter { step, items } = self;
        for item in items {
            suspend!(item);
        }
        step
    }
}

trait Walk {
    fn walk(&self) -> impl Coroutine<(), Yield = u32, Return = ()>;
}

impl Walk for Counter {
    #[coro::coroutine(yield = u32)]
    fn walk(&self) {
        suspend!(self.step);
    }
}

#[test]
fn methods_taking_self_by_reference_and_by_value() {
    let c = Counter {
        step: 3,
        items: vec!["x".into(), "y".into()],
    };
    assert_eq!(c.up_to(10).collect::<Vec<_>>(), [3, 6, 9]);
    let mut c = c;
    assert_eq!(c.drain_items().collect::<Vec<_>>(), ["y", "x"]);
    assert!(c.items.is_empty());
    c.items.push("z".into());
    let mut owned = c.into_items();
    assert_eq!(owned.resume(()), Ok("z".to_string()));
    assert_eq!(owned.resume(()), Err(EarlyExit::Returned(3)));
    let w = Counter {
        step: 5,
        items: Vec::new(),
    };
    assert_eq!(Walk::walk(&w).resume(()), Ok(5));
}

/// Doc comments and attributes are kept.
#[coro::coroutine(yield = T)]
#[inline]
pub(crate) fn repeat_each<T: Clone, I>(items: I, times: usize) -> usize
where
    I: IntoIterator<Item = T>,
{
    let mut n = 0;
    for item in items {
        for _ in 0..times {
            suspend!(item.clone());
            n += 1;
        }
    }
    n
}

#[coro::coroutine(yield = String)]
fn displayed(values: impl IntoIterator<Item = impl std::fmt::Display>) {
    for v in values {
        suspend!(v.to_string());
    }
}

#[test]
fn generics_where_clauses_and_impl_trait_arguments() {
    assert_eq!(repeat_each(['a', 'b'], 2).collect::<String>(), "aabb");
    let mut c = repeat_each(vec![1u8], 3);
    assert_eq!(
        (c.next(), c.next(), c.next(), c.resume(())),
        (Some(1), Some(1), Some(1), Err(EarlyExit::Returned(3)))
    );
    assert_eq!(displayed([1.5, 2.0]).collect::<Vec<_>>(), ["1.5", "2"]);
}

#[test]
fn inline_coroutines_capture_their_environment_by_move() {
    let n = 4u32;
    let label = String::from("item");
    let mut c = coro::coro!(yield = String, return = usize, move {
        for i in 0..n {
            suspend!(format!("{label} {i}"));
        }
        label.len()
    });
    assert_eq!(c.resume(()), Ok("item 0".to_string()));
    assert_eq!(c.by_ref().count(), 3);
    assert_eq!(c.resume(()), Err(EarlyExit::Finished));

    let scale = 10;
    let mut doubler = coro::coro!(yield = i32, resume = i32, move |first| {
        let mut x = first;
        loop {
            x = suspend!(x * scale);
        }
    });
    assert_eq!(doubler.resume(1), Ok(10));
    assert_eq!(doubler.resume(7), Ok(70));
}

#[coro::coroutine(yield = char)]
fn even_depth(n: u32) -> u32 {
    suspend!('e');
    if n == 0 {
        0
    } else {
        1 + suspend_from!(odd_depth(n - 1).boxed())
    }
}

#[coro::coroutine(yield = char)]
fn odd_depth(n: u32) -> u32 {
    suspend!('o');
    if n == 0 {
        0
    } else {
        1 + suspend_from!(even_depth(n - 1))
    }
}

#[test]
fn mutual_recursion_with_one_delegate_boxed() {
    let mut c = even_depth(4);
    let mut seen = String::new();
    let depth = loop {
        match c.resume(()) {
            Ok(ch) => seen.push(ch),
            Err(EarlyExit::Returned(d)) => break d,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!((seen.as_str(), depth), ("eoeoe", 4));
}
