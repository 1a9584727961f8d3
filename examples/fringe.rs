//! Guido's fringe generator: the leaves of a nested list, in order.
use coro::{Coroutine, suspend, suspend_from};

/// A nested list, such as `[0, 1, [2, [3]], [4, 5], [[[6]]]]`.
#[derive(Debug)]
pub enum Tree {
    /// A value.
    Leaf(i32),
    /// A list inside the list.
    Node(Vec<Tree>),
}

#[coro::coroutine(yield = i32)]
fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}

fn print_in_order(list: &[Tree]) {
    let mut c = fringe(list);
    let mut first = true;
    while let Ok(v) = c.resume(()) {
        if !first {
            print!(" ");
        }
        first = false;
        print!("{v}");
    }
    println!();
}

fn main() {
    use Tree::{Leaf, Node};
    let x = vec![
        Leaf(0),
        Leaf(1),
        Node(vec![Leaf(2), Node(vec![Leaf(3)])]),
        Node(vec![Leaf(4), Leaf(5)]),
        Node(vec![Node(vec![Node(vec![Leaf(6)])])]),
    ];
    print_in_order(&x);
}
