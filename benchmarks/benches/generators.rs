//! The cost of a generated coroutine beside hand-written code doing the same work.
//!
//! `cargo bench -p benchmarks --bench generators`. Each group measures ns per item; compare the ratios within
//! one run.
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use coro::{Coroutine, suspend};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The counter workload: `i * 2` for `i` in `0..n` with `i % 3 != 0`.
#[coro::coroutine(yield = u64)]
fn counter(n: u64) {
    for i in 0..n {
        if i % 3 != 0 {
            suspend!(i * 2);
        }
    }
}

fn counter_by_hand(n: u64) -> impl Iterator<Item = u64> {
    (0..n).filter(|i| i % 3 != 0).map(|i| i * 2)
}

/// A `[u64; 32]` buffer live across every suspension.
#[coro::coroutine(yield = u64)]
fn large_state() {
    let mut buf = [0u64; 32];
    let mut i = 0usize;
    loop {
        buf[i % 32] = buf[(i + 31) % 32] ^ (i as u64);
        suspend!(buf[i % 32]);
        i += 1;
    }
}

/// The same as a struct with a `step` method.
struct LargeState {
    buf: [u64; 32],
    i: usize,
}

impl LargeState {
    fn step(&mut self) -> u64 {
        let i = self.i;
        self.buf[i % 32] = self.buf[(i + 31) % 32] ^ (i as u64);
        self.i += 1;
        self.buf[i % 32]
    }
}

/// A 1 MiB buffer live across two suspension points of a loop, beside a local the loop declares:
/// a resume costs the same as with a small buffer, since the buffer stays in the state.
#[coro::coroutine(yield = u64)]
#[allow(clippy::large_stack_arrays)] // the point: a local too large to move on every resume
fn huge_two_points() {
    let mut buf = [0u64; HUGE];
    let mut i = 0usize;
    loop {
        let half = i as u64 / 2;
        buf[i % HUGE] = buf[(i + HUGE - 1) % HUGE] ^ (i as u64);
        suspend!(buf[i % HUGE]);
        i += 1;
        suspend!(half);
    }
}

const HUGE: usize = 1 << 17;

/// A 1 MiB buffer live across eight suspension points one after the other (no loop): going
/// from one to the next leaves the buffer where it is.
#[coro::coroutine(yield = u64)]
#[allow(clippy::large_stack_arrays)] // the point: a local too large to move on every resume
fn huge_sequential() {
    let mut buf = [0u64; HUGE];
    buf[1] = 1;
    suspend!(buf[0]);
    buf[2] = buf[1] + 1;
    suspend!(buf[1]);
    buf[3] = buf[2] + 1;
    suspend!(buf[2]);
    buf[4] = buf[3] + 1;
    suspend!(buf[3]);
    buf[5] = buf[4] + 1;
    suspend!(buf[4]);
    buf[6] = buf[5] + 1;
    suspend!(buf[5]);
    buf[7] = buf[6] + 1;
    suspend!(buf[6]);
    suspend!(buf[7]);
}

/// One resume and nothing else, to see what a resume itself costs (with the `current` feature,
/// the `current()` bookkeeping included).
#[coro::coroutine(yield = u64, resume = u64)]
fn echo(#[resume] first: u64) {
    let mut v = first;
    loop {
        v = suspend!(v + 1);
    }
}

#[cfg(feature = "current")]
#[coro::coroutine(yield = u64)]
fn asks_current() {
    loop {
        suspend!(coro::current().map_or(0, |c| c.id().get()));
    }
}

/// Drains an iterator the way a `for` loop does, keeping every item alive.
#[inline]
fn drain(it: impl Iterator<Item = u64>) -> u64 {
    let mut acc = 0;
    for x in it {
        acc ^= black_box(x);
    }
    acc
}

// Each workload is its own function, compiled the same way whatever the harness inlines.

#[inline(never)]
fn counter_hand_drain(n: u64) -> u64 {
    drain(counter_by_hand(n))
}

#[inline(never)]
fn counter_coro_drain(n: u64) -> u64 {
    drain(counter(n))
}

#[inline(never)]
fn counter_hand_sum(n: u64) -> u64 {
    counter_by_hand(n).sum()
}

#[inline(never)]
fn counter_coro_sum(n: u64) -> u64 {
    counter(n).sum()
}

#[inline(never)]
fn large_hand(n: usize) -> u64 {
    let mut s = LargeState { buf: [0; 32], i: 0 };
    let mut acc = 0;
    for _ in 0..n {
        acc ^= black_box(s.step());
    }
    acc
}

#[inline(never)]
fn large_coro(n: usize) -> u64 {
    let mut s = large_state();
    let mut acc = 0;
    for _ in 0..n {
        acc ^= black_box(s.next().unwrap_or(0));
    }
    acc
}

#[inline(never)]
fn huge_coro(s: &mut impl Iterator<Item = u64>, n: usize) -> u64 {
    let mut acc = 0;
    for _ in 0..n {
        acc ^= black_box(s.next().unwrap_or(0));
    }
    acc
}

fn counter_bench(c: &mut Criterion) {
    let n = 10_000u64;
    let mut g = c.benchmark_group("counter");
    g.throughput(Throughput::Elements(n * 2 / 3));
    g.bench_function("hand-written", |b| {
        b.iter(|| counter_hand_drain(black_box(n)));
    });
    g.bench_function("coro", |b| b.iter(|| counter_coro_drain(black_box(n))));
    g.bench_function("hand-written, sum", |b| {
        b.iter(|| counter_hand_sum(black_box(n)));
    });
    g.bench_function("coro, sum", |b| b.iter(|| counter_coro_sum(black_box(n))));
    g.finish();
}

fn large_state_bench(c: &mut Criterion) {
    let n = 10_000usize;
    let mut g = c.benchmark_group("large-state");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("hand-written", |b| b.iter(|| large_hand(black_box(n))));
    g.bench_function("coro", |b| b.iter(|| large_coro(black_box(n))));
    // Started once (its first resume fills 1 MiB), then resumed: the per-resume cost only.
    let mut huge = Box::new(huge_two_points());
    g.bench_function("coro, 1 MiB across two points", |b| {
        b.iter(|| huge_coro(&mut huge, black_box(n)));
    });
    g.finish();
    // Started (the buffer filled and saved) outside the measurement; then the six resumes that
    // go from one point to the next.
    let mut g = c.benchmark_group("large-state, sequential points");
    g.throughput(Throughput::Elements(6));
    g.bench_function("coro, 1 MiB across eight points", |b| {
        b.iter_batched(
            || {
                let mut c = Box::new(huge_sequential());
                c.next();
                c
            },
            |mut c| {
                for _ in 0..6 {
                    black_box(c.next());
                }
                c
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

/// The same round trip written by hand: what `echo` compiles to, ideally.
struct Echo {
    v: u64,
}

impl Echo {
    // Returns what `Coroutine::resume` returns, so that both sides of the comparison do.
    #[allow(clippy::unnecessary_wraps)]
    fn resume(&mut self, x: u64) -> Result<u64, coro::EarlyExit<()>> {
        self.v = x;
        Ok(self.v + 1)
    }
}

fn resume_bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("resume");
    g.bench_function(BenchmarkId::new("round trip", "hand-written"), |b| {
        let mut e = Echo { v: 0 };
        b.iter(|| e.resume(black_box(1)));
    });
    g.bench_function(BenchmarkId::new("round trip", "coro"), |b| {
        let mut e = echo();
        e.resume(0).unwrap();
        b.iter(|| e.resume(black_box(1)));
    });
    #[cfg(feature = "current")]
    g.bench_function(BenchmarkId::new("current()", "inside a coroutine"), |b| {
        let mut a = asks_current();
        b.iter(|| a.resume(()));
    });
    g.finish();
}

criterion_group!(benches, counter_bench, large_state_bench, resume_bench);
criterion_main!(benches);
