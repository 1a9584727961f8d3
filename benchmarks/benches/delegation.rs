//! Delegation at depth: the fringe of a deep chain and of a balanced tree, by a recursive
//! `#[coroutine]` (its frames on one frame stack) and by a hand-written explicit-stack walk.
//!
//! `cargo bench -p benchmarks --bench delegation`. Times are per leaf; the chain at depth 20,000
//! should cost per leaf what it does at 10,000 (linear in leaves).
//!
//! Then delegation to other coroutines: one level (plain and boxed), and mutual recursion
//! through boxed delegates, whose resumes go to the innermost level directly (so the cost of an
//! item should not grow with the depth).
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use benchmarks::systems::{coro as coro_fringe, hand};
use benchmarks::tree::{Tree, balanced, deep_chain as chain, drop_iteratively};
use coro::{Coroutine, suspend, suspend_from};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The fringes are the workloads' own: Guido's fringe, leaves yielded in place and lists
/// delegated to, against the hand-written explicit-stack walk.
fn bench(c: &mut Criterion, group: &str, cases: Vec<(String, Tree)>) {
    let mut g = c.benchmark_group(group);
    for (name, tree) in &cases {
        g.throughput(Throughput::Elements(hand::Walk::new(tree).count() as u64));
        g.bench_with_input(BenchmarkId::new("hand-written", name), tree, |b, t| {
            b.iter(|| hand::fringe_sum(black_box(t)));
        });
        g.bench_with_input(BenchmarkId::new("coro", name), tree, |b, t| {
            b.iter(|| coro_fringe::fringe_sum(black_box(t)));
        });
    }
    g.finish();
    // Deep trees are taken apart by an explicit stack, not by recursion.
    for (_, tree) in cases {
        drop_iteratively(tree);
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
    let tree = balanced(20, 0);
    bench(
        c,
        "balanced tree (per leaf)",
        vec![("2^20 leaves".to_owned(), tree)],
    );
}

#[coro::coroutine(yield = u64)]
fn count_to(n: u64) -> u64 {
    for i in 0..n {
        suspend!(i);
    }
    n
}

#[coro::coroutine(yield = u64)]
fn through_one(n: u64) -> u64 {
    suspend_from!(count_to(n))
}

#[coro::coroutine(yield = u64)]
fn through_one_boxed(n: u64) -> u64 {
    suspend_from!(count_to(n).boxed())
}

#[coro::coroutine(yield = u64)]
fn even(n: u64) -> u64 {
    suspend!(n);
    if n == 0 {
        0
    } else {
        1 + suspend_from!(odd(n - 1).boxed())
    }
}

#[coro::coroutine(yield = u64)]
fn odd(n: u64) -> u64 {
    suspend!(n);
    if n == 0 {
        0
    } else {
        1 + suspend_from!(even(n - 1))
    }
}

fn drain(mut c: impl Coroutine<Yield = u64, Return = u64>) -> u64 {
    let mut sum = 0u64;
    loop {
        match c.resume(()) {
            Ok(v) => sum = sum.wrapping_add(v),
            Err(e) => return sum.wrapping_add(e.into_returned().unwrap_or(0)),
        }
    }
}

fn other_coroutines(c: &mut Criterion) {
    const N: u64 = 1000;
    let mut g = c.benchmark_group("delegation to another coroutine (per item)");
    g.throughput(Throughput::Elements(N));
    g.bench_function("none", |b| b.iter(|| drain(count_to(black_box(N)))));
    g.bench_function("one level", |b| b.iter(|| drain(through_one(black_box(N)))));
    g.bench_function("one boxed level", |b| {
        b.iter(|| drain(through_one_boxed(black_box(N))));
    });
    g.finish();
    let mut g = c.benchmark_group("mutual recursion (per level)");
    for depth in [10, 1000, 10_000] {
        g.throughput(Throughput::Elements(depth + 1));
        g.bench_with_input(BenchmarkId::new("coro", depth), &depth, |b, &d| {
            b.iter(|| drain(even(black_box(d))));
        });
    }
    g.finish();
}

criterion_group!(benches, deep_chain, balanced_tree, other_coroutines);
criterion_main!(benches);
