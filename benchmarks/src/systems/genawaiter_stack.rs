//! genawaiter 0.99.1, `stack` flavour: the generator state (airlock + the
//! producer's future) lives in a `Shelf` on the caller's stack; the safe entry
//! point is the `let_gen_using!` macro (`Gen::new` itself is `unsafe`), which
//! binds `&mut Gen` and cannot escape the enclosing function.
use crate::tree::{Tree, cmp_streams};
use genawaiter::GeneratorState;
use genawaiter::stack::{Co, let_gen_using};
use std::cmp::Ordering;

// ---- 1. counter -------------------------------------------------------
async fn counter_p(n: u64, co: Co<'_, u64>) {
    for i in 0..n {
        if i % 3 != 0 {
            co.yield_(i * 2).await; // must be awaited immediately
        }
    }
}

pub fn counter(n: u64) -> u64 {
    let_gen_using!(g, |co| counter_p(n, co));
    let mut s = 0u64;
    while let GeneratorState::Yielded(v) = g.resume() {
        s = s.wrapping_add(v);
    }
    s
}

// ---- 2. fringe ---------------------------------------------------------
// Recursion = recursive `async fn`, boxed at each Node level (Box::pin;
// allowed on stable since 1.77). `Co` is not Clone, so it is passed down by
// reference; all levels yield through the same airlock. Each resume polls
// down the chain of boxed futures: O(depth) per leaf, and native-stack depth
// proportional to tree depth (10,000 levels: release ok on a 1 MiB thread
// stack, debug needs > 2 MiB; 8 MiB main thread ok for both).
async fn walk(kids: &[Tree], co: &Co<'_, u64>) {
    for k in kids {
        match k {
            Tree::Leaf(v) => co.yield_(*v).await,
            Tree::Node(ch) => Box::pin(walk(ch, co)).await,
        }
    }
}

pub fn fringe_sum(t: &Tree) -> u64 {
    let_gen_using!(
        g,
        |co| async move { walk(std::slice::from_ref(t), &co).await }
    );
    let mut s = 0u64;
    while let GeneratorState::Yielded(v) = g.resume() {
        s = s.wrapping_add(v);
    }
    s
}

// ---- 3. same fringe ----------------------------------------------------
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    let_gen_using!(
        ga,
        |co| async move { walk(std::slice::from_ref(a), &co).await }
    );
    let_gen_using!(
        gb,
        |co| async move { walk(std::slice::from_ref(b), &co).await }
    );
    // `&mut Gen<Y, (), F>` implements IntoIterator.
    cmp_streams(ga.into_iter(), gb.into_iter())
}

// ---- 4. ping-pong ------------------------------------------------------
// The argument of the FIRST resume_with is lost (no await is pending yet), so
// the driver primes with a dummy resume; afterwards resume_with(v) -> v + 1.
async fn pong(co: Co<'_, u64, u64>) {
    let mut v = co.yield_(0).await;
    loop {
        v = co.yield_(v + 1).await;
    }
}

pub fn ping_pong(rounds: u64) -> u64 {
    let_gen_using!(g, pong);
    let _ = g.resume_with(0); // prime; this argument is discarded
    let mut v = 0u64;
    for _ in 0..rounds {
        match g.resume_with(v) {
            GeneratorState::Yielded(w) => v = w,
            GeneratorState::Complete(()) => unreachable!(),
        }
    }
    v
}

// ---- 6. creation -------------------------------------------------------
pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let_gen_using!(g, |co: Co<'_, u64>| async move { co.yield_(i).await });
        match g.resume() {
            GeneratorState::Yielded(v) => s = s.wrapping_add(v),
            GeneratorState::Complete(()) => unreachable!(),
        }
        match g.resume() {
            GeneratorState::Complete(()) => {}
            GeneratorState::Yielded(_) => unreachable!(),
        }
    }
    s
}

// ---- 7. large state ----------------------------------------------------
async fn large_p(n: u64, co: Co<'_, u64>) {
    let mut buf = [0u64; 32];
    for i in 0..n {
        let k = (i % 32) as usize;
        buf[k] = buf[k].wrapping_add(i);
        co.yield_(buf[k]).await;
    }
}

pub fn large_state(n: u64) -> u64 {
    let_gen_using!(g, |co| large_p(n, co));
    let mut s = 0u64;
    while let GeneratorState::Yielded(v) = g.resume() {
        s = s.wrapping_add(v);
    }
    s
}
