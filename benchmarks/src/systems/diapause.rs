//! diapause 0.2.0: `#[diapause::coroutine]` rewrites a fn into a state enum
//! (`<fn>::State`) implementing `diapause::Coroutine<R>`; no Pin, no alloc
//! (except `yield_all!(box ..)`), works on stable.
use crate::tree::{Tree, cmp_streams};
use diapause::{Coroutine, CoroutineState};
use std::cmp::Ordering;

/// Drive a `resume = ()` coroutine to completion, summing its yields.
/// (`for v in coroutine` also works: `resume = ()` states implement
/// `IntoIterator` via `diapause::Iter`, which checks `status()` per step.)
#[inline]
fn drain<C: Coroutine<(), Yield = u64>>(mut c: C) -> u64 {
    let mut s = 0u64;
    let mut st = c.start();
    loop {
        match st {
            CoroutineState::Yielded(v) => s = s.wrapping_add(v),
            CoroutineState::Complete(_) => return s,
        }
        st = c.resume(());
    }
}

// ---- 1. counter -------------------------------------------------------
#[diapause::coroutine(yield = u64)]
fn counter_co(n: u64) {
    // `0u64..n`: a range with known endpoint types is accepted without an
    // annotation; the Range cursor is stored in the state.
    for i in 0u64..n {
        if i % 3 != 0 {
            yield_!(i * 2);
        }
    }
}

pub fn counter(n: u64) -> u64 {
    drain(counter_co(n))
}

// ---- 2. fringe ---------------------------------------------------------
// Recursion needs `yield_all!(box sub)` (boxed delegation; an unboxed
// recursive state would be infinitely sized). Constraints that shape this:
//  * a reference-typed local (`let kids: &[Tree] = children;`) may not cross a
//    yield, only arguments and direct `&local` borrows; so the coroutine takes
//    the *slice of children* as its argument and iterates it with `for`
//    (iterating a borrowed *argument* is allowed; a borrowed local is not);
//  * resume of a boxed delegation chain recurses natively through every
//    level (O(depth) per yielded leaf): the 10,000-level chain needs > 1 MiB
//    native stack in release (2 MiB ok) and > 8 MiB in debug (32 MiB ok);
//  * `yield_all!(f(x))` cannot derive the state type of a coroutine taking a
//    reference (lifetime cannot be elided in the outer state), so bind it
//    first with the lifetime spelled out: `let sub: fringe_co::State<'a> = ..`.
#[diapause::coroutine(yield = u64)]
fn fringe_co<'a>(kids: &'a [Tree]) {
    for c in kids {
        match c {
            Tree::Leaf(v) => {
                yield_!(*v);
            }
            Tree::Node(ch) => {
                let sub: fringe_co::State<'a> = fringe_co(ch);
                yield_all!(box sub);
            }
        }
    }
}

pub fn fringe_sum(t: &Tree) -> u64 {
    drain(fringe_co(std::slice::from_ref(t)))
}

// ---- 3. same fringe ----------------------------------------------------
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    cmp_streams(
        fringe_co(std::slice::from_ref(a)).into_iter(),
        fringe_co(std::slice::from_ref(b)).into_iter(),
    )
}

// ---- 4. ping-pong ------------------------------------------------------
// `start()` takes no argument, so the body first yields a dummy to be primed;
// after that every `resume(v)` returns `Yielded(v + 1)`.
#[diapause::coroutine(yield = u64, resume = u64)]
fn pong_co() {
    let mut v: u64 = yield_!(0u64);
    loop {
        v = yield_!(v + 1);
    }
}

pub fn ping_pong(rounds: u64) -> u64 {
    let mut c = pong_co();
    let _ = c.start(); // prime: runs to the first yield
    let mut v = 0u64;
    for _ in 0..rounds {
        match c.resume(v) {
            CoroutineState::Yielded(w) => v = w,
            CoroutineState::Complete(()) => unreachable!(),
        }
    }
    v
}

// ---- 6. creation -------------------------------------------------------
#[diapause::coroutine(yield = u64)]
fn once_co(x: u64) {
    yield_!(x);
}

pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let mut c = once_co(i); // plain enum value, no allocation
        match c.start() {
            CoroutineState::Yielded(v) => s = s.wrapping_add(v),
            CoroutineState::Complete(()) => unreachable!(),
        }
        match c.resume(()) {
            CoroutineState::Complete(()) => {}
            CoroutineState::Yielded(_) => unreachable!(),
        }
    }
    s
}

// ---- 7. large state ----------------------------------------------------
// The buffer must be annotated (syntactic type rule). The loop shape
// `for .. { ..; yield_!(..) }` is eligible for in-place resume, so the 256-byte
// array is not moved in and out of the enum on every step.
#[diapause::coroutine(yield = u64)]
fn large_co(n: u64) {
    let mut buf: [u64; 32] = [0u64; 32];
    for i in 0u64..n {
        let k: usize = (i % 32) as usize;
        buf[k] = buf[k].wrapping_add(i);
        yield_!(buf[k]);
    }
}

pub fn large_state(n: u64) -> u64 {
    drain(large_co(n))
}

pub fn state_sizes() -> (usize, usize) {
    (
        std::mem::size_of::<large_co::State>(),
        std::mem::size_of::<fringe_co::State<'static>>(),
    )
}

/// Benchmark-hygiene variant: without a per-step `black_box`, LLVM sees
/// through the state enum and folds `ping_pong`/`creation` to closed form
/// (0 ns), even when the argument/result are black-boxed.
pub fn ping_pong_bb(rounds: u64) -> u64 {
    use std::hint::black_box;
    let mut c = pong_co();
    let _ = c.start();
    let mut v = 0u64;
    for _ in 0..rounds {
        match black_box(&mut c).resume(black_box(v)) {
            CoroutineState::Yielded(w) => v = w,
            CoroutineState::Complete(()) => unreachable!(),
        }
    }
    v
}

pub fn creation_bb(n: u64) -> u64 {
    use std::hint::black_box;
    let mut s = 0u64;
    for i in 0..n {
        let mut c = black_box(once_co(i));
        match c.start() {
            CoroutineState::Yielded(v) => s = s.wrapping_add(v),
            CoroutineState::Complete(()) => unreachable!(),
        }
        match c.resume(()) {
            CoroutineState::Complete(()) => {}
            CoroutineState::Yielded(_) => unreachable!(),
        }
    }
    s
}

// ---- 2'. fringe, alternative form taking `&Tree` -------------------------
// Also accepted: the match binding `children` is rebound with an annotated
// reference type and immediately consumed by `for` (the stored iterator type
// is derived from the annotation), so no reference-typed local itself crosses
// a yield. Rejected variants (checked with rustc 1.95):
//  * `yield_all!(box fringe_t(c))` (call operand on a reference-taking
//    coroutine) -> E0106 "missing lifetime specifier";
//  * `yield_all!(sub)` without `box` -> E0072 "recursive type `..::State` has
//    infinite size" (+ E0391 drop-check cycles);
//  * `for c in children` directly on the match binding -> the macro cannot
//    determine the iterator's type ("iterate over a variable with an explicit
//    type annotation").
#[diapause::coroutine(yield = u64)]
fn fringe_t<'a>(t: &'a Tree) {
    match t {
        Tree::Leaf(v) => {
            yield_!(*v);
        }
        Tree::Node(children) => {
            let kids: &'a Vec<Tree> = children;
            for c in kids {
                match c {
                    Tree::Leaf(v) => {
                        yield_!(*v);
                    }
                    Tree::Node(_) => {
                        let sub: fringe_t::State<'a> = fringe_t(c);
                        yield_all!(box sub);
                    }
                }
            }
        }
    }
}

pub fn fringe_sum_tree_arg(t: &Tree) -> u64 {
    drain(fringe_t(t))
}
