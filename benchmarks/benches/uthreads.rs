//! Workload 5: K microthreads each yielding M times round-robin on one thread, per switch,
//! scheduler included; spawn, run to the end and join, per microthread; and echo round trips on
//! loopback against a tokio echo server.
//!
//! The floor for both is a hand-written queue of boxed tasks (`VecDeque<Box<dyn Task>>`), each
//! task a state machine with a `step` method, measured in the same run; beside it, the
//! hand-written queue of counters of `BENCHMARKS.md`, and the microthreads' own coroutines in a
//! boxed queue with no scheduler, which says what the coroutines cost by themselves.
//!
//! `cargo bench -p benchmarks --bench uthreads`. Memory per task: `cargo run --release -p
//! benchmarks --bin memory`.

use ::coro::uthread::{JoinHandle, Scheduler, Syscall, Wake};
use ::coro::{Coroutine, suspend};
use benchmarks::systems::{coro, hand, threads, tokio};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

/// A hand-written task: a state machine that says whether it has more to do.
trait Task {
    fn step(&mut self) -> bool;
}

/// Yields `left` more times, then ends.
struct Yielder {
    left: u64,
}

impl Task for Yielder {
    fn step(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left = black_box(self.left - 1);
        true
    }
}

/// The hand-written floor: `k` boxed tasks each yielding `m` times round-robin; the number of
/// switches, counted as the scheduler counts them.
fn boxed_queue(k: u64, m: u64) -> u64 {
    let mut queue: VecDeque<Box<dyn Task>> = (0..k)
        .map(|_| Box::new(Yielder { left: m }) as Box<dyn Task>)
        .collect();
    let mut steps = 0u64;
    while let Some(mut task) = queue.pop_front() {
        steps += 1;
        if task.step() {
            queue.push_back(task);
        }
    }
    steps - k
}

/// A task that ends at its first step with a value.
struct Answer {
    value: u64,
}

/// A hand-written task with a result.
trait Finish {
    fn run(&mut self) -> u64;
}

impl Finish for Answer {
    fn run(&mut self) -> u64 {
        self.value
    }
}

/// The hand-written floor of spawn, run and join: `n` boxed tasks pushed, then popped and run,
/// their results summed.
fn boxed_push_pop(queue: &mut VecDeque<Box<dyn Finish>>, n: u64) -> u64 {
    for i in 0..n {
        queue.push_back(Box::new(Answer {
            value: black_box(i),
        }));
    }
    let mut sum = 0;
    while let Some(mut task) = queue.pop_front() {
        sum += task.run();
    }
    sum
}

#[::coro::uthread]
fn yielder(m: u64) -> u64 {
    for _ in 0..m {
        suspend!(Syscall::Yield);
    }
    m
}

/// The same microthreads' coroutines in a hand-written boxed queue, without a scheduler: what
/// the coroutines themselves cost, below which no scheduler of them can go.
fn coroutines_in_boxed_queue(k: u64, m: u64) -> u64 {
    type Boxed = Box<dyn Coroutine<Wake, Yield = Syscall, Return = u64>>;
    let mut queue: VecDeque<Boxed> = (0..k).map(|_| Box::new(yielder(m)) as Boxed).collect();
    let mut steps = 0u64;
    while let Some(mut co) = queue.pop_front() {
        steps += 1;
        if co.resume(Wake::Ready).is_ok() {
            queue.push_back(co);
        }
    }
    steps - k
}

#[::coro::uthread]
fn answer(value: u64) -> u64 {
    value
}

#[::coro::uthread]
fn yield_once() -> u64 {
    suspend!(Syscall::Yield);
    1
}

/// `n` microthreads spawned, run to their end and joined, their results summed.
fn coro_spawn_join(s: &Scheduler, handles: &mut Vec<JoinHandle<u64>>, n: u64) -> u64 {
    handles.extend((0..n).map(|i| s.spawn(answer(black_box(i)))));
    assert!(s.run().is_clean());
    handles
        .drain(..)
        .map(|h| h.try_join().expect("ended with a value"))
        .sum()
}

fn switches(c: &mut Criterion) {
    let m = 100;
    for k in [1_000u64, 100_000] {
        let mut g = c.benchmark_group(format!("microthreads {k} x {m} (per switch)"));
        g.throughput(Throughput::Elements(k * m));
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(4));
        g.bench_with_input(BenchmarkId::from_parameter("hand-written"), &k, |b, &k| {
            b.iter(|| hand::microthreads(black_box(k), m))
        });
        g.bench_with_input(
            BenchmarkId::from_parameter("hand-written boxed"),
            &k,
            |b, &k| b.iter(|| boxed_queue(black_box(k), m)),
        );
        g.bench_with_input(
            BenchmarkId::from_parameter("coroutines in a boxed queue"),
            &k,
            |b, &k| b.iter(|| coroutines_in_boxed_queue(black_box(k), m)),
        );
        g.bench_with_input(BenchmarkId::from_parameter("coro"), &k, |b, &k| {
            b.iter(|| coro::microthreads(black_box(k), m))
        });
        g.bench_with_input(BenchmarkId::from_parameter("tokio"), &k, |b, &k| {
            b.iter(|| tokio::microthreads(black_box(k), m))
        });
        if k <= 1_000 {
            g.bench_with_input(BenchmarkId::from_parameter("threads"), &k, |b, &k| {
                b.iter(|| threads::microthreads(black_box(k), 10))
            });
        }
        g.finish();
    }
    let (k, m) = (1_000_000u64, 10);
    let mut g = c.benchmark_group(format!("microthreads {k} x {m} (per switch)"));
    g.throughput(Throughput::Elements(k * m));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("hand-written", |b| {
        b.iter(|| hand::microthreads(black_box(k), m))
    });
    g.bench_function("hand-written boxed", |b| {
        b.iter(|| boxed_queue(black_box(k), m))
    });
    g.bench_function("coroutines in a boxed queue", |b| {
        b.iter(|| coroutines_in_boxed_queue(black_box(k), m))
    });
    g.bench_function("coro", |b| b.iter(|| coro::microthreads(black_box(k), m)));
    g.bench_function("tokio", |b| b.iter(|| tokio::microthreads(black_box(k), m)));
    g.finish();
}

fn spawn_join(c: &mut Criterion) {
    let n = 1_000u64;
    let mut g = c.benchmark_group(format!("spawn, run to end, join {n} (per microthread)"));
    g.throughput(Throughput::Elements(n));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("hand-written boxed push and pop", |b| {
        let mut queue = VecDeque::with_capacity(n as usize);
        b.iter(|| boxed_push_pop(&mut queue, black_box(n)));
    });
    {
        let s = Scheduler::new().expect("one scheduler on this thread");
        let mut handles = Vec::with_capacity(n as usize);
        g.bench_function("coro", |b| {
            b.iter(|| coro_spawn_join(&s, &mut handles, black_box(n)));
        });
        // A microthread that yields once: spawn, two switches, end and join.
        let mut yields = Vec::with_capacity(n as usize);
        g.bench_function("coro, one yield", |b| {
            b.iter(|| {
                yields.extend((0..n).map(|_| s.spawn(yield_once())));
                assert!(s.run().is_clean());
                yields
                    .drain(..)
                    .map(|h| h.try_join().expect("ended with a value"))
                    .sum::<u64>()
            });
        });
    }
    g.finish();
}

fn echo(c: &mut Criterion) {
    let mut g =
        c.benchmark_group("echo, 50 clients x 200 round trips of 64 bytes (per round trip)");
    g.throughput(Throughput::Elements(50 * 200));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    let coro_server = benchmarks::echo::coro_server();
    let tokio_server = benchmarks::echo::tokio_server();
    g.bench_function("coro", |b| {
        b.iter(|| benchmarks::echo::load(coro_server.addr, 50, 200, 64))
    });
    g.bench_function("tokio", |b| {
        b.iter(|| benchmarks::echo::load(tokio_server.addr, 50, 200, 64))
    });
    g.finish();
}

criterion_group!(benches, switches, spawn_join, echo);
criterion_main!(benches);
