//! Guido van Rossum's fringe generator: the leaves of a nested list, in order.
//!
//! `cargo run --example fringe` prints `0 1 2 3 4 5 6` for `[0, 1, [2, [3]], [4, 5], [[[6]]]]`.
use coro::{Coroutine, suspend, suspend_from};

/// A nested list, such as `[0, 1, [2, [3]], [4, 5], [[[6]]]]`.
#[derive(Debug)]
pub(crate) enum Tree {
    /// A value.
    Leaf(i32),
    /// A list inside the list.
    Node(Vec<Tree>),
}

/// The leaves of `list`, left to right: a recursive generator.
#[coro::coroutine(yield = i32)]
pub fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}

/// The fringe as a line, resuming until `EarlyExit`, as the original `printinorder` does.
pub(crate) fn in_order(list: &[Tree]) -> String {
    let mut c = fringe(list);
    let mut out = Vec::new();
    while let Ok(v) = c.resume(()) {
        out.push(v.to_string());
    }
    out.join(" ")
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

fn main() {
    println!("{}", in_order(&example()));
}
