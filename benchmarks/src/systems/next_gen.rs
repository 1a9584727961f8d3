//! next-gen 0.1.1: `#[generator(yield(T), resume(R) [as binding])]` turns a
//! fn into an async-based generator constructor; instantiate with
//! `mk_gen!(let g = f(args))` (stack-pinned, `Pin<&mut GeneratorFn>`, not
//! returnable) or `mk_gen!(let g = box f(args))` / `f.call_boxed((args,))`
//! (heap, `Pin<Box<..>>`, returnable). Both pinned forms implement Iterator
//! when the resume type is `()`.
use crate::tree::{Tree, cmp_streams};
use next_gen::prelude::*;
use std::cmp::Ordering;

// ---- 1. counter -------------------------------------------------------
#[generator(yield(u64))]
fn counter_g(n: u64) {
    for i in 0..n {
        if i % 3 != 0 {
            yield_!(i * 2);
        }
    }
}

pub fn counter(n: u64) -> u64 {
    mk_gen!(let g = counter_g(n));
    g.fold(0u64, u64::wrapping_add)
}

// ---- 2. fringe ---------------------------------------------------------
// No `yield from` and no access to the yield slot from helper async fns, so
// recursion = a heap-pinned sub-generator per Node whose items are re-yielded
// one by one (O(depth) resumes per leaf; 10,000 levels: release ok on a 1 MiB
// native stack, debug overflows 8 MiB, 32 MiB ok). `mk_gen!(let sub = box f(..))`
// recursion compiles as-is on rustc 1.95 (the Box breaks the size cycle);
// the `dyn`-erased `f.call_boxed((..,))` form below also works.
#[generator(yield(u64))]
fn fringe_g<'a>(kids: &'a [Tree]) {
    for k in kids {
        match k {
            Tree::Leaf(v) => yield_!(*v),
            Tree::Node(ch) => {
                mk_gen!(let sub = box fringe_g(&ch[..]));
                for x in sub {
                    yield_!(x);
                }
            }
        }
    }
}

type DynGen<'a> = Pin<Box<dyn Generator<(), Yield = u64, Return = ()> + 'a>>;

#[generator(yield(u64))]
fn fringe_dyn_g<'a>(kids: &'a [Tree]) {
    for k in kids {
        match k {
            Tree::Leaf(v) => yield_!(*v),
            Tree::Node(ch) => {
                let sub: DynGen<'a> = fringe_dyn_g.call_boxed((&ch[..],));
                for x in sub {
                    yield_!(x);
                }
            }
        }
    }
}

pub fn fringe_sum_dyn(t: &Tree) -> u64 {
    mk_gen!(let g = fringe_dyn_g(std::slice::from_ref(t)));
    g.fold(0u64, u64::wrapping_add)
}

pub fn fringe_sum(t: &Tree) -> u64 {
    mk_gen!(let g = fringe_g(std::slice::from_ref(t)));
    g.fold(0u64, u64::wrapping_add)
}

// ---- 3. same fringe ----------------------------------------------------
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    mk_gen!(let ga = fringe_g(std::slice::from_ref(a)));
    mk_gen!(let gb = fringe_g(std::slice::from_ref(b)));
    cmp_streams(ga, gb)
}

// ---- 4. ping-pong ------------------------------------------------------
// `resume(u64) as v0` binds the FIRST resume argument (otherwise it is
// discarded), so no priming round is needed.
#[generator(yield(u64), resume(u64) as v0)]
fn pong_g() {
    let mut v = v0;
    loop {
        v = yield_!(v + 1);
    }
}

pub fn ping_pong(rounds: u64) -> u64 {
    mk_gen!(let mut g = pong_g());
    let mut v = 0u64;
    for _ in 0..rounds {
        match g.as_mut().resume(v) {
            GeneratorState::Yielded(w) => v = w,
            GeneratorState::Returned(()) => unreachable!(),
        }
    }
    v
}

// ---- 6. creation -------------------------------------------------------
#[generator(yield(u64))]
fn once_g(x: u64) {
    yield_!(x);
}

pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        mk_gen!(let mut g = once_g(i)); // stack-pinned, no allocation
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(v) => s = s.wrapping_add(v),
            GeneratorState::Returned(()) => unreachable!(),
        }
        match g.as_mut().resume(()) {
            GeneratorState::Returned(()) => {}
            GeneratorState::Yielded(_) => unreachable!(),
        }
    }
    s
}

// ---- 7. large state ----------------------------------------------------
#[generator(yield(u64))]
fn large_g(n: u64) {
    let mut buf = [0u64; 32];
    for i in 0..n {
        let k = (i % 32) as usize;
        buf[k] = buf[k].wrapping_add(i);
        yield_!(buf[k]);
    }
}

pub fn large_state(n: u64) -> u64 {
    mk_gen!(let g = large_g(n));
    g.fold(0u64, u64::wrapping_add)
}
