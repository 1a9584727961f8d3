//! Shared tree type, builders and plain-Rust reference implementations
//! (the ground truth every system is checked against).
use std::cmp::Ordering;

pub enum Tree {
    Leaf(u64),
    Node(Vec<Tree>),
}

/// Balanced binary tree with 2^depth leaves numbered `start..start + 2^depth`.
pub fn balanced(depth: u32, start: u64) -> Tree {
    if depth == 0 {
        Tree::Leaf(start)
    } else {
        let half = 1u64 << (depth - 1);
        Tree::Node(vec![
            balanced(depth - 1, start),
            balanced(depth - 1, start + half),
        ])
    }
}

/// Deep chain: `levels` nested nodes, each `Node([Leaf, Leaf, Leaf, Node(..)])`;
/// the innermost node holds only its three leaves. Leaves are numbered in
/// fringe order 0, 1, 2, ... Built bottom-up (no recursion).
pub fn deep_chain(levels: u64) -> Tree {
    let mut t: Option<Tree> = None;
    for lvl in (0..levels).rev() {
        let mut kids = vec![
            Tree::Leaf(3 * lvl),
            Tree::Leaf(3 * lvl + 1),
            Tree::Leaf(3 * lvl + 2),
        ];
        if let Some(inner) = t.take() {
            kids.push(inner);
        }
        t = Some(Tree::Node(kids));
    }
    t.unwrap_or(Tree::Node(Vec::new()))
}

/// Dropping a 10,000-deep tree recursively uses ~10k native frames; tear it
/// down iteratively instead so the benchmark never depends on main's stack.
pub fn drop_iteratively(t: Tree) {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if let Tree::Node(kids) = t {
            stack.extend(kids);
        }
    }
}

/// Collect the fringe with an explicit stack (reference, no coroutines).
pub fn fringe_vec(t: &Tree) -> Vec<u64> {
    let mut out = Vec::new();
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        match t {
            Tree::Leaf(v) => out.push(*v),
            Tree::Node(kids) => stack.extend(kids.iter().rev()),
        }
    }
    out
}

/// Lock-step comparison of two leaf streams with early exit at the first
/// difference (what `Iterator::cmp` does, spelled out).
pub fn cmp_streams(mut a: impl Iterator<Item = u64>, mut b: impl Iterator<Item = u64>) -> Ordering {
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match x.cmp(&y) {
                Ordering::Equal => {}
                o => return o,
            },
        }
    }
}

/// Ground truth for every workload, computed plainly.
pub mod reference {
    use super::*;
    pub fn counter(n: u64) -> u64 {
        (0..n)
            .filter(|i| i % 3 != 0)
            .fold(0u64, |s, i| s.wrapping_add(i * 2))
    }
    pub fn fringe_sum(t: &Tree) -> u64 {
        fringe_vec(t).into_iter().fold(0u64, u64::wrapping_add)
    }
    pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
        fringe_vec(a).cmp(&fringe_vec(b))
    }
    pub fn ping_pong(rounds: u64) -> u64 {
        rounds
    }
    pub fn creation(n: u64) -> u64 {
        (0..n).fold(0u64, u64::wrapping_add)
    }
    pub fn large_state(n: u64) -> u64 {
        let mut buf = [0u64; 32];
        let mut s = 0u64;
        for i in 0..n {
            let k = (i % 32) as usize;
            buf[k] = buf[k].wrapping_add(i);
            s = s.wrapping_add(buf[k]);
        }
        s
    }
    pub fn microthreads(k: u64, m: u64) -> u64 {
        k * m
    }
}
