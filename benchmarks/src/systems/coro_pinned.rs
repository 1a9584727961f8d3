//! This project's `pinned` lowering: the same workloads, each body an `async` block behind one
//! box, so that it could keep borrows of its own locals.
use crate::tree::Tree;
use coro::{Coroutine, suspend, suspend_from};
use std::cmp::Ordering;
use std::hint::black_box;

#[coro::coroutine(yield = u64, pinned)]
fn counter_co(n: u64) {
    for i in 0..n {
        if i % 3 != 0 {
            suspend!(i * 2);
        }
    }
}

pub fn counter(n: u64) -> u64 {
    counter_co(n).fold(0u64, u64::wrapping_add)
}

/// Guido's fringe; each nested list is a coroutine of its own (one box per level).
#[coro::coroutine(yield = u64, pinned)]
fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}

pub fn fringe_sum(t: &Tree) -> u64 {
    fringe(std::slice::from_ref(t)).fold(0u64, u64::wrapping_add)
}

pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    fringe(std::slice::from_ref(a)).cmp(fringe(std::slice::from_ref(b)))
}

#[coro::coroutine(yield = u64, resume = u64, pinned)]
fn pong(#[resume] first: u64) {
    let mut v = first;
    loop {
        v = suspend!(v + 1);
    }
}

pub fn ping_pong(rounds: u64) -> u64 {
    let mut c = pong();
    let mut v = 0;
    for _ in 0..rounds {
        v = black_box(&mut c).resume(black_box(v)).unwrap_or(0);
    }
    v
}

#[coro::coroutine(yield = u64, pinned)]
fn once(x: u64) {
    suspend!(x);
}

pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let mut c = black_box(once(i));
        while let Ok(v) = c.resume(()) {
            s = s.wrapping_add(v);
        }
    }
    s
}

#[coro::coroutine(yield = u64, pinned)]
fn large(n: u64) {
    let mut buf = [0u64; 32];
    for i in 0..n {
        let k = (i % 32) as usize;
        buf[k] = buf[k].wrapping_add(i);
        suspend!(buf[k]);
    }
}

pub fn large_state(n: u64) -> u64 {
    large(n).fold(0u64, u64::wrapping_add)
}
