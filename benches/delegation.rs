//! Delegation at depth: the fringe of a deep chain and of a balanced tree, by a recursive
//! `#[coroutine]` (its frames on one frame stack) and by a hand-written explicit-stack walk.
//!
//! `cargo bench --bench delegation`. Times are per leaf; the chain at depth 20,000 should cost
//! per leaf what it does at 10,000 (linear in leaves).
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use coro::{suspend, suspend_from};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

enum Tree {
    Leaf(u64),
    Node(Vec<Tree>),
}

/// `depth` levels, each with three leaves and then the next level.
fn chain(depth: u64) -> Tree {
    let mut t = Tree::Node(vec![Tree::Leaf(0), Tree::Leaf(1), Tree::Leaf(2)]);
    for d in 1..depth {
        t = Tree::Node(vec![
            Tree::Leaf(3 * d),
            Tree::Leaf(3 * d + 1),
            Tree::Leaf(3 * d + 2),
            t,
        ]);
    }
    t
}

/// A balanced binary tree with `2^height` leaves.
fn balanced(height: u32, next: &mut u64) -> Tree {
    if height == 0 {
        *next += 1;
        return Tree::Leaf(*next);
    }
    Tree::Node(vec![balanced(height - 1, next), balanced(height - 1, next)])
}

/// Guido's fringe, word for word: leaves are yielded in place, lists are delegated to.
#[coro::coroutine(yield = u64)]
fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}

/// The hand-written walk: an explicit stack of child iterators.
struct Walk<'a> {
    stack: Vec<std::slice::Iter<'a, Tree>>,
}

impl<'a> Walk<'a> {
    fn new(t: &'a Tree) -> Self {
        Walk {
            stack: vec![std::slice::from_ref(t).iter()],
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(Tree::Leaf(v)) => return Some(*v),
                Some(Tree::Node(children)) => self.stack.push(children.iter()),
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

fn count(t: &Tree) -> u64 {
    Walk::new(t).count() as u64
}

fn bench(c: &mut Criterion, group: &str, cases: Vec<(String, Tree)>) {
    let mut g = c.benchmark_group(group);
    for (name, tree) in &cases {
        g.throughput(Throughput::Elements(count(tree)));
        g.bench_with_input(BenchmarkId::new("hand-written", name), tree, |b, t| {
            b.iter(|| {
                let mut sum = 0u64;
                for v in Walk::new(black_box(t)) {
                    sum = sum.wrapping_add(v);
                }
                sum
            });
        });
        g.bench_with_input(BenchmarkId::new("coro", name), tree, |b, t| {
            b.iter(|| {
                let mut sum = 0u64;
                for v in fringe(std::slice::from_ref(black_box(t))) {
                    sum = sum.wrapping_add(v);
                }
                sum
            });
        });
    }
    g.finish();
    for (_, tree) in cases {
        // Deep trees are taken apart by the walk's own explicit stack, not by recursion.
        let mut stack = vec![tree];
        while let Some(t) = stack.pop() {
            if let Tree::Node(children) = t {
                stack.extend(children);
            }
        }
    }
}

fn deep_chain(c: &mut Criterion) {
    let cases = [10_000, 20_000]
        .into_iter()
        .map(|d| (format!("depth {d}"), chain(d)))
        .collect();
    bench(c, "deep chain (per leaf)", cases);
}

fn balanced_tree(c: &mut Criterion) {
    let tree = balanced(20, &mut 0);
    bench(
        c,
        "balanced tree (per leaf)",
        vec![("2^20 leaves".to_owned(), tree)],
    );
}

criterion_group!(benches, deep_chain, balanced_tree);
criterion_main!(benches);
