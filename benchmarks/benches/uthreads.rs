//! Workload 5: K microthreads each yielding M times round-robin on one thread, per switch,
//! scheduler included; and echo round trips on loopback against a tokio echo server.
//!
//! `cargo bench -p benchmarks --bench uthreads`. Memory per task: `cargo run --release -p
//! benchmarks --bin memory`.

use benchmarks::systems::{coro, hand, threads, tokio};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

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
    g.bench_function("coro", |b| b.iter(|| coro::microthreads(black_box(k), m)));
    g.bench_function("tokio", |b| b.iter(|| tokio::microthreads(black_box(k), m)));
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

criterion_group!(benches, switches, echo);
criterion_main!(benches);
