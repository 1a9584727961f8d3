//! Async coroutines as streams, beside a hand-written `Stream` and `async-stream`: a stream of
//! `n` items with no real awaits, consumed by `StreamExt::next` in a loop under `block_on`.
//!
//! Two more rows isolate the hand-off between the body and its stream: the same `async` block
//! driven through an `Rc<Cell<..>>` slot (never `Send`) and through an `Arc<Mutex<..>>` slot
//! (what the async lowering uses when the item's type names a generic parameter; otherwise it
//! uses a thread-local slot of the coroutine's own).
//!
//! A second group has each item await `tokio::task::yield_now()` first, on a current-thread
//! tokio runtime, beside the same loop written with `async-stream`.
//!
//! `cargo bench -p benchmarks --bench async_streams`
#![allow(missing_docs)]

use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use coro::suspend;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use futures::{Stream, StreamExt};

#[coro::coroutine(yield = u64, async)]
async fn counted(n: u64) {
    for i in 0..n {
        suspend!(i);
    }
}

struct Counter {
    i: u64,
    n: u64,
}

impl Stream for Counter {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.i == self.n {
            return Poll::Ready(None);
        }
        self.i += 1;
        Poll::Ready(Some(self.i - 1))
    }
}

fn async_stream_counted(n: u64) -> impl Stream<Item = u64> {
    async_stream::stream! {
        for i in 0..n {
            yield i;
        }
    }
}

/// A slot a body hands its item through.
trait Slot: Default {
    fn put(&self, v: u64);
    fn take(&self) -> Option<u64>;
}

#[derive(Default)]
struct RcCell(Cell<Option<u64>>);

impl Slot for Rc<RcCell> {
    fn put(&self, v: u64) {
        self.0.set(Some(v));
    }
    fn take(&self) -> Option<u64> {
        self.0.take()
    }
}

impl Slot for Arc<Mutex<Option<u64>>> {
    fn put(&self, v: u64) {
        *self.lock().unwrap() = Some(v);
    }
    fn take(&self) -> Option<u64> {
        self.lock().unwrap().take()
    }
}

struct Put<'a, S>(&'a S, Option<u64>);

impl<S: Slot> Future for Put<'_, S> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        match self.1.take() {
            Some(v) => {
                self.0.put(v);
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

impl<S> Unpin for Put<'_, S> {}

struct ViaSlot<S, F> {
    slot: S,
    body: Pin<Box<F>>,
}

impl<S: Slot, F: Future<Output = ()>> Stream for ViaSlot<S, F> {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        match self.body.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => self
                .slot
                .take()
                .map_or(Poll::Pending, |v| Poll::Ready(Some(v))),
        }
    }
}

impl<S, F> Unpin for ViaSlot<S, F> {}

fn via_slot<S: Slot + Clone + 'static>(n: u64) -> impl Stream<Item = u64> {
    let slot = S::default();
    let inner = slot.clone();
    ViaSlot {
        slot,
        body: Box::pin(async move {
            for i in 0..n {
                Put(&inner, Some(i)).await;
            }
        }),
    }
}

/// The sum of a stream's items, item by item through `StreamExt::next`.
async fn total(s: impl Stream<Item = u64>) -> u64 {
    let mut s = pin!(s);
    let mut total = 0;
    while let Some(x) = s.next().await {
        total += x;
    }
    total
}

fn sum(s: impl Stream<Item = u64>) -> u64 {
    block_on(total(s))
}

fn streams(c: &mut Criterion) {
    let mut g = c.benchmark_group("stream_of_n");
    for n in [1_000_u64, 100_000] {
        let want = n * (n - 1) / 2;
        g.bench_with_input(BenchmarkId::new("coro_async", n), &n, |b, &n| {
            b.iter(|| assert_eq!(sum(counted(black_box(n))), want));
        });
        g.bench_with_input(BenchmarkId::new("hand_written", n), &n, |b, &n| {
            b.iter(|| {
                assert_eq!(
                    sum(Counter {
                        i: 0,
                        n: black_box(n)
                    }),
                    want
                );
            });
        });
        g.bench_with_input(BenchmarkId::new("async_stream", n), &n, |b, &n| {
            b.iter(|| assert_eq!(sum(async_stream_counted(black_box(n))), want));
        });
        g.bench_with_input(BenchmarkId::new("slot_rc_cell", n), &n, |b, &n| {
            b.iter(|| assert_eq!(sum(via_slot::<Rc<RcCell>>(black_box(n))), want));
        });
        g.bench_with_input(BenchmarkId::new("slot_arc_mutex", n), &n, |b, &n| {
            b.iter(|| {
                assert_eq!(sum(via_slot::<Arc<Mutex<Option<u64>>>>(black_box(n))), want);
            });
        });
    }
    g.finish();
}

#[coro::coroutine(yield = u64, async)]
async fn counted_yielding(n: u64) {
    for i in 0..n {
        tokio::task::yield_now().await;
        suspend!(i);
    }
}

fn async_stream_counted_yielding(n: u64) -> impl Stream<Item = u64> {
    async_stream::stream! {
        for i in 0..n {
            tokio::task::yield_now().await;
            yield i;
        }
    }
}

/// Sums a stream on a tokio current-thread runtime.
fn sum_on_tokio(rt: &tokio::runtime::Runtime, s: impl Stream<Item = u64>) -> u64 {
    rt.block_on(total(s))
}

/// Each item awaits `tokio::task::yield_now()` first: the executor's round trip dominates.
fn yielding_streams(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("stream_of_n_each_yielding_to_tokio");
    let n = 1_000_u64;
    let want = n * (n - 1) / 2;
    g.bench_function(BenchmarkId::new("coro_async", n), |b| {
        b.iter(|| assert_eq!(sum_on_tokio(&rt, counted_yielding(black_box(n))), want));
    });
    g.bench_function(BenchmarkId::new("async_stream", n), |b| {
        b.iter(|| {
            assert_eq!(
                sum_on_tokio(&rt, async_stream_counted_yielding(black_box(n))),
                want
            );
        });
    });
    g.finish();
}

criterion_group!(benches, streams, yielding_streams);
criterion_main!(benches);
