//! Recursion written the natural way, as in Python's generator tests: a generator that calls
//! itself and loops over the result, instead of writing `suspend_from!`. Both lowerings.

use coro::{Coroutine, EarlyExit, suspend, suspend_from};
use std::cell::RefCell;
use std::rc::Rc;

struct Tree {
    v: i32,
    l: Option<Box<Tree>>,
    r: Option<Box<Tree>>,
}

fn tree(depth: i32, base: i32) -> Option<Box<Tree>> {
    (depth > 0).then(|| {
        Box::new(Tree {
            v: base + (1 << (depth - 1)),
            l: tree(depth - 1, base),
            r: tree(depth - 1, base + (1 << (depth - 1))),
        })
    })
}

/// The loop over a recursive call delegates (no allocation); the call bound first is boxed.
#[coro::coroutine(yield = i32)]
fn inorder(t: &Tree) {
    if let Some(l) = &t.l {
        for x in inorder(l) {
            suspend!(x)
        }
    }
    suspend!(t.v);
    if let Some(r) = &t.r {
        let sub = inorder(r);
        for x in sub {
            suspend!(x);
        }
    }
}

#[coro::coroutine(yield = i32, pinned)]
fn inorder_pinned(t: &Tree) {
    if let Some(l) = &t.l {
        for x in inorder_pinned(l) {
            suspend!(x)
        }
    }
    suspend!(t.v);
    if let Some(r) = &t.r {
        let sub = inorder_pinned(r);
        for x in sub {
            suspend!(x);
        }
    }
}

#[test]
fn inorder_walks_in_both_lowerings() {
    let t = tree(4, 0).unwrap();
    let expected: Vec<i32> = (1..16).collect();
    assert_eq!(inorder(&t).collect::<Vec<_>>(), expected);
    assert_eq!(inorder_pinned(&t).collect::<Vec<_>>(), expected);
}

/// Permutations, as the classic generator suites write them.
#[coro::coroutine(yield = Vec<u32>)]
fn perms(items: Vec<u32>) {
    if items.len() <= 1 {
        suspend!(items);
        return;
    }
    for i in 0..items.len() {
        let mut rest = items.clone();
        let head = rest.remove(i);
        let sub = perms(rest);
        for mut p in sub {
            p.insert(0, head);
            suspend!(p);
        }
    }
}

#[test]
fn permutations_by_natural_recursion() {
    let all: Vec<Vec<u32>> = perms(vec![1, 2, 3]).collect();
    assert_eq!(
        all,
        [
            [1, 2, 3],
            [1, 3, 2],
            [2, 1, 3],
            [2, 3, 1],
            [3, 1, 2],
            [3, 2, 1]
        ]
    );
    assert_eq!(perms(vec![1, 2, 3, 4, 5]).count(), 120);
}

/// With a resume type, a recursive call is a boxed coroutine the body drives by hand.
#[coro::coroutine(yield = u32, resume = u32)]
fn countdown(n: u32, #[resume] first: u32) -> u32 {
    if n == 0 {
        return first;
    }
    let mut inner = countdown(n - 1);
    let mut arg = first;
    let got = loop {
        match inner.resume(arg) {
            Ok(y) => arg = suspend!(y + 1),
            Err(EarlyExit::Returned(v)) => break v,
            Err(e) => panic!("{e}"),
        }
    };
    suspend!(got * 10)
}

#[test]
fn a_recursive_call_driven_by_hand() {
    let mut c = countdown(2);
    // countdown(0) returns at once with 5; countdown(1) yields 50 (+1 from countdown(2)).
    assert_eq!(c.resume(5), Ok(51));
    assert_eq!(c.resume(7), Ok(70));
    assert_eq!(c.resume(9), Err(EarlyExit::Returned(9)));
}

/// Killing a walk in the middle drops the boxed inner generators, innermost first.
#[test]
fn killing_a_natural_recursion_drops_inner_levels_first() {
    struct Noisy(u32, Rc<RefCell<Vec<u32>>>);
    impl Drop for Noisy {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }
    #[coro::coroutine(yield = u32)]
    fn nest(n: u32, log: Rc<RefCell<Vec<u32>>>) {
        let _g = Noisy(n, log.clone());
        if n == 0 {
            suspend!(0);
            return;
        }
        let sub = nest(n - 1, log.clone());
        for x in sub {
            suspend!(x + 1);
        }
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut c = nest(3, log.clone());
    assert_eq!(c.next(), Some(3));
    c.kill();
    assert_eq!(*log.borrow(), [0, 1, 2, 3]);
}

/// The prime sieve the way the error for polymorphic recursion says to write it: the iterator as
/// a trait object, in both lowerings; and a generic coroutine recursing with the types it got.
#[test]
fn a_sieve_over_a_boxed_iterator_and_monomorphic_generic_recursion() {
    #[coro::coroutine(yield = u64)]
    fn sieve(mut it: Box<dyn Iterator<Item = u64>>) {
        let Some(p) = it.next() else { return };
        suspend!(p);
        suspend_from!(sieve(Box::new(it.filter(move |x| x % p != 0))));
    }
    #[coro::coroutine(yield = u64, pinned)]
    fn sieve_pinned(mut it: Box<dyn Iterator<Item = u64>>) {
        let Some(p) = it.next() else { return };
        suspend!(p);
        for q in sieve_pinned(Box::new(it.filter(move |x| x % p != 0))) {
            suspend!(q);
        }
    }
    #[coro::coroutine(yield = T)]
    fn each<T: Clone>(items: Vec<T>, i: usize) {
        if i < items.len() {
            suspend!(items[i].clone());
            suspend_from!(each(items, i + 1));
        }
    }
    let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];
    assert_eq!(sieve(Box::new(2..30)).collect::<Vec<_>>(), primes);
    assert_eq!(sieve_pinned(Box::new(2..30)).collect::<Vec<_>>(), primes);
    assert_eq!(each(vec!['a', 'b', 'c'], 0).collect::<String>(), "abc");
}
