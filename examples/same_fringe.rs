//! Same fringe (Tim Peters' `fcmp.py`): compare the leaves of two nested lists with two fringe
//! coroutines pulled in lockstep, stopping at the first difference.
//!
//! `cargo run --example same_fringe` compares the lists of the original demo, then two lists of
//! a million leaves that differ at the first one, and shows that only one leaf per side was read.
use coro::{Coroutine, suspend, suspend_from};
use std::cmp::Ordering;

/// A nested list of numbers.
#[derive(Debug)]
pub(crate) enum Tree {
    /// A number.
    Leaf(i64),
    /// A list inside the list.
    Node(Vec<Tree>),
}

/// The leaves of `list`, left to right.
#[coro::coroutine(yield = i64)]
pub fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}

/// Compares the fringes of `a` and `b` like `cmp` on the flattened sequences, and says how many
/// leaves it read from each side. Both coroutines are ended (killed, their locals dropped)
/// before it returns, wherever they stand.
pub(crate) fn compare(a: &[Tree], b: &[Tree]) -> (Ordering, usize) {
    let (mut fa, mut fb) = (fringe(a), fringe(b));
    let mut read = 0;
    let order = loop {
        match (fa.resume(()), fb.resume(())) {
            (Ok(x), Ok(y)) => {
                read += 1;
                if x != y {
                    break x.cmp(&y);
                }
            }
            (Err(_), Err(_)) => break Ordering::Equal,
            (Err(_), Ok(_)) => break Ordering::Less,
            (Ok(_), Err(_)) => break Ordering::Greater,
        }
    };
    fa.kill();
    fb.kill();
    (order, read)
}

/// Compares the fringes of `a` and `b`.
pub(crate) fn fcmp(a: &[Tree], b: &[Tree]) -> Ordering {
    compare(a, b).0
}

/// `[0, 1, [2, [3]], [4, 5], [[[6]]]]`.
pub(crate) fn example() -> Vec<Tree> {
    use Tree::{Leaf, Node};
    vec![
        Leaf(0),
        Leaf(1),
        Node(vec![Leaf(2), Node(vec![Leaf(3)])]),
        Node(vec![Leaf(4), Leaf(5)]),
        Node(vec![Node(vec![Node(vec![Leaf(6)])])]),
    ]
}

/// `range(n)` as a flat list.
pub(crate) fn range(n: i64) -> Vec<Tree> {
    (0..n).map(Tree::Leaf).collect()
}

/// `[first, [1, 2, ..., n - 1]]`: `n` leaves.
pub(crate) fn huge(first: i64, n: i64) -> Vec<Tree> {
    vec![
        Tree::Leaf(first),
        Tree::Node(range(n).into_iter().skip(1).collect()),
    ]
}

fn main() {
    use Tree::{Leaf, Node};
    let x = example();
    println!("fcmp(range(7), x) = {:?}", fcmp(&range(7), &x));
    println!("fcmp(range(6), x) = {:?}", fcmp(&range(6), &x));
    println!("fcmp(x, range(6)) = {:?}", fcmp(&x, &range(6)));
    let a = [Leaf(1), Node(vec![Node(vec![Leaf(2)]), Leaf(8)])];
    let b = [Node(vec![Node(vec![Leaf(1)]), Leaf(2)]), Leaf(8)];
    println!("fcmp([1,[[2],8]], [[[1],2],8]) = {:?}", fcmp(&a, &b));
    let (one, two) = (huge(1, 1_000_000), huge(2, 1_000_000));
    let start = std::time::Instant::now();
    let (order, read) = compare(&one, &two);
    println!(
        "a million leaves each, differing at the first: {order:?} after reading {read} leaf per side, in {:?}",
        start.elapsed()
    );
}
