//! genawaiter 0.99.1, `rc` flavour: `rc::Gen::new(producer)` heap-allocates
//! (Rc'd airlock + `Pin<Box<Future>>`); the generator is an ordinary value
//! that can be returned/stored. No `'static` bound, so borrowing the tree is OK.
use crate::tree::{Tree, cmp_streams};
use genawaiter::GeneratorState;
use genawaiter::rc::{Co, Gen};
use std::cmp::Ordering;

fn drain<F: std::future::Future<Output = ()>>(mut g: Gen<u64, (), F>) -> u64 {
    let mut s = 0u64;
    while let GeneratorState::Yielded(v) = g.resume() {
        s = s.wrapping_add(v);
    }
    s
}

// ---- 1. counter -------------------------------------------------------
pub fn counter(n: u64) -> u64 {
    drain(Gen::new(|co: Co<u64>| async move {
        for i in 0..n {
            if i % 3 != 0 {
                co.yield_(i * 2).await;
            }
        }
    }))
}

// ---- 2. fringe ---------------------------------------------------------
// Same shape as the stack flavour: recursive async fn boxed per Node level,
// `&Co` passed down (rc::Co is also not Clone in 0.99.1).
async fn walk(kids: &[Tree], co: &Co<u64>) {
    for k in kids {
        match k {
            Tree::Leaf(v) => co.yield_(*v).await,
            Tree::Node(ch) => Box::pin(walk(ch, co)).await,
        }
    }
}

fn fringe_gen(t: &Tree) -> Gen<u64, (), impl std::future::Future<Output = ()> + '_> {
    Gen::new(move |co| async move { walk(std::slice::from_ref(t), &co).await })
}

pub fn fringe_sum(t: &Tree) -> u64 {
    drain(fringe_gen(t))
}

// ---- 3. same fringe ----------------------------------------------------
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    // rc::Gen<Y, (), F> implements IntoIterator by value.
    cmp_streams(fringe_gen(a).into_iter(), fringe_gen(b).into_iter())
}

// ---- 4. ping-pong ------------------------------------------------------
pub fn ping_pong(rounds: u64) -> u64 {
    let mut g = Gen::new(|co: Co<u64, u64>| async move {
        let mut v = co.yield_(0).await;
        loop {
            v = co.yield_(v + 1).await;
        }
    });
    let _ = g.resume_with(0); // prime; first resume argument is discarded
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
        // two heap allocations per generator (Rc airlock + boxed future)
        let mut g = Gen::new(|co: Co<u64>| async move { co.yield_(i).await });
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
pub fn large_state(n: u64) -> u64 {
    drain(Gen::new(|co: Co<u64>| async move {
        let mut buf = [0u64; 32];
        for i in 0..n {
            let k = (i % 32) as usize;
            buf[k] = buf[k].wrapping_add(i);
            co.yield_(buf[k]).await;
        }
    }))
}
