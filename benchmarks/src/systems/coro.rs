//! This project: `#[coro::coroutine]` and `coro::uthread`.
use crate::tree::Tree;
use coro::uthread::{Scheduler, Syscall};
use coro::{Coroutine, suspend, suspend_from};
use std::cmp::Ordering;
use std::hint::black_box;

#[coro::coroutine(yield = u64)]
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

/// Guido's fringe: leaves in place, lists delegated to (direct recursion, one frame stack).
#[coro::coroutine(yield = u64)]
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

#[coro::coroutine(yield = u64, resume = u64)]
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

/// Ping-pong with the coroutine a plain local of the loop (see `hand::ping_pong_local`).
pub fn ping_pong_local(rounds: u64) -> u64 {
    let mut c = pong();
    let mut v = 0;
    for _ in 0..rounds {
        v = c.resume(black_box(v)).unwrap_or(0);
    }
    v
}

#[coro::coroutine(yield = u64)]
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

#[coro::coroutine(yield = u64)]
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

#[coro::uthread]
fn yielder(m: u64) -> u64 {
    for _ in 0..m {
        suspend!(Syscall::Yield);
    }
    m
}

/// `k` microthreads each yielding `m` times on one scheduler: the number of switches.
pub fn microthreads(k: u64, m: u64) -> u64 {
    let s = Scheduler::new().expect("one scheduler on this thread");
    for _ in 0..k {
        drop(s.spawn(yielder(m)));
    }
    assert!(s.run().is_clean());
    k * (m + 1) - k
}
