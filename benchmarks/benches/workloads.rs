//! Workloads 1-4, 6 and 7 of `BENCHMARKS.md`, every system side by side.
//!
//! `cargo bench -p benchmarks --bench workloads`; per unit (item, leaf, comparison, round trip,
//! generator), compare ratios within one run.

use benchmarks::systems::{
    coro, coro_pinned, corosensei, diapause, genawaiter_rc, genawaiter_stack, generator, hand,
    next_gen, threads,
};
use benchmarks::tree::{Tree, balanced, deep_chain, drop_iteratively};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::cmp::Ordering;
use std::hint::black_box;
use std::time::Duration;

type Count = fn(u64) -> u64;
type Fringe = fn(&Tree) -> u64;
type Same = fn(&Tree, &Tree) -> Ordering;

fn per_n(c: &mut Criterion, group: &str, n: u64, per: u64, systems: &[(&str, Count)]) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(per));
    g.measurement_time(Duration::from_secs(3));
    for (name, f) in systems {
        g.bench_with_input(BenchmarkId::from_parameter(name), &n, |b, &n| {
            b.iter(|| f(black_box(n)))
        });
    }
    g.finish();
}

fn counter(c: &mut Criterion) {
    let n = 1_000_000;
    per_n(
        c,
        "counter (per item)",
        n,
        n * 2 / 3,
        &[
            ("hand-written", hand::counter),
            ("coro", coro::counter),
            ("coro pinned", coro_pinned::counter),
            ("diapause", diapause::counter),
            ("genawaiter stack", genawaiter_stack::counter),
            ("genawaiter rc", genawaiter_rc::counter),
            ("next-gen", next_gen::counter),
            ("corosensei", corosensei::counter),
            ("generator", generator::counter),
        ],
    );
    per_n(
        c,
        "counter threads (per item)",
        20_000,
        20_000 * 2 / 3,
        &[("threads", threads::counter)],
    );
}

fn ping_pong(c: &mut Criterion) {
    let n = 1_000_000;
    per_n(
        c,
        "ping-pong (per round trip)",
        n,
        n,
        &[
            ("hand-written", hand::ping_pong),
            ("coro", coro::ping_pong),
            ("coro pinned", coro_pinned::ping_pong),
            (
                "async block, Cell slot (floor)",
                coro_pinned::ping_pong_floor,
            ),
            ("diapause", diapause::ping_pong_bb),
            ("genawaiter stack", genawaiter_stack::ping_pong),
            ("genawaiter rc", genawaiter_rc::ping_pong),
            ("next-gen", next_gen::ping_pong),
            ("corosensei", corosensei::ping_pong),
            ("generator", generator::ping_pong),
        ],
    );
    // The same round trips with the coroutine a local of the loop that nothing hides: the
    // compiler then sees that nothing in a resume reads the `current()` bookkeeping and
    // removes it. Above, `black_box(&mut c)` makes every resume save and restore it.
    per_n(
        c,
        "ping-pong, local (per round trip)",
        n,
        n,
        &[
            ("hand-written", hand::ping_pong_local),
            ("coro", coro::ping_pong_local),
        ],
    );
    per_n(
        c,
        "ping-pong threads (per round trip)",
        10_000,
        10_000,
        &[("threads", threads::ping_pong)],
    );
}

fn creation(c: &mut Criterion) {
    let n = 1_000_000;
    per_n(
        c,
        "creation (per generator)",
        n,
        n,
        &[
            ("hand-written", hand::creation),
            ("coro", coro::creation),
            ("coro pinned", coro_pinned::creation),
            ("diapause", diapause::creation_bb),
            ("genawaiter stack", genawaiter_stack::creation),
            ("genawaiter rc", genawaiter_rc::creation),
            ("next-gen", next_gen::creation),
        ],
    );
    // The stackful systems map a stack per generator: fewer of them.
    per_n(
        c,
        "creation stackful (per generator)",
        10_000,
        10_000,
        &[
            ("corosensei", corosensei::creation),
            ("generator", generator::creation),
        ],
    );
}

fn large_state(c: &mut Criterion) {
    let n = 1_000_000;
    per_n(
        c,
        "large state (per item)",
        n,
        n,
        &[
            ("hand-written", hand::large_state),
            ("coro", coro::large_state),
            ("coro pinned", coro_pinned::large_state),
            ("diapause", diapause::large_state),
            ("genawaiter stack", genawaiter_stack::large_state),
            ("genawaiter rc", genawaiter_rc::large_state),
            ("next-gen", next_gen::large_state),
            ("corosensei", corosensei::large_state),
            ("generator", generator::large_state),
        ],
    );
}

fn fringe_group(
    c: &mut Criterion,
    group: &str,
    tree: &Tree,
    leaves: u64,
    systems: &[(&str, Fringe)],
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(leaves));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    for (name, f) in systems {
        g.bench_function(*name, |b| b.iter(|| f(black_box(tree))));
    }
    g.finish();
}

const FRINGES: &[(&str, Fringe)] = &[
    ("hand-written", hand::fringe_sum),
    ("coro", coro::fringe_sum),
    ("coro pinned", coro_pinned::fringe_sum),
    ("corosensei", corosensei::fringe_sum),
    ("generator", generator::fringe_sum),
    ("diapause", diapause::fringe_sum),
    ("genawaiter stack", genawaiter_stack::fringe_sum),
    ("genawaiter rc", genawaiter_rc::fringe_sum),
    ("next-gen", next_gen::fringe_sum),
];

fn fringe(c: &mut Criterion) {
    let tree = balanced(20, 0);
    fringe_group(
        c,
        "fringe balanced 2^20 (per leaf)",
        &tree,
        1 << 20,
        FRINGES,
    );
    drop_iteratively(tree);
    let chain = deep_chain(10_000);
    fringe_group(
        c,
        "fringe deep chain 10,000 (per leaf)",
        &chain,
        30_000,
        FRINGES,
    );
    drop_iteratively(chain);
}

fn same_fringe(c: &mut Criterion) {
    let systems: &[(&str, Same)] = &[
        ("hand-written", hand::same_fringe),
        ("coro", coro::same_fringe),
        ("coro pinned", coro_pinned::same_fringe),
        ("corosensei", corosensei::same_fringe),
        ("generator", generator::same_fringe),
        ("diapause", diapause::same_fringe),
        ("genawaiter stack", genawaiter_stack::same_fringe),
        ("genawaiter rc", genawaiter_rc::same_fringe),
        ("next-gen", next_gen::same_fringe),
    ];
    let a = balanced(20, 0);
    let b = balanced(20, 0);
    let mut differ = balanced(20, 0);
    set_leaf(&mut differ, 10, u64::MAX);
    for (group, other) in [
        ("same fringe, differ at leaf 10 (per comparison)", &differ),
        ("same fringe, equal 2^20 (per comparison)", &b),
    ] {
        let mut g = c.benchmark_group(group);
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(3));
        for (name, f) in systems {
            g.bench_function(*name, |bch| bch.iter(|| f(black_box(&a), black_box(other))));
        }
        g.finish();
    }
    for t in [a, b, differ] {
        drop_iteratively(t);
    }
}

/// Sets the `index`-th leaf (in fringe order) to `value`.
fn set_leaf(t: &mut Tree, index: u64, value: u64) {
    let mut seen = 0;
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        match t {
            Tree::Leaf(v) => {
                if seen == index {
                    *v = value;
                    return;
                }
                seen += 1;
            }
            Tree::Node(kids) => stack.extend(kids.iter_mut().rev()),
        }
    }
}

criterion_group!(
    benches,
    counter,
    ping_pong,
    creation,
    large_state,
    fringe,
    same_fringe
);
criterion_main!(benches);
