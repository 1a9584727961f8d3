//! generator 0.8.12 (stackful, no features): `Gn::<A>::new_scoped(|mut s| ..)`
//! / `new_scoped_opt(size_in_WORDS, ..)`; `Scope::yield_(v) -> Option<A>` is
//! only available when the generator's lifetime `'a` is `'static`;
//! for borrowing bodies use `yield_with(v)` (no resume value) or the unsafe
//! `yield_unsafe`. The closure must be `Send` (use `new_scoped_local` for
//! !Send captures). Body returns `T`; `done!()` ends it *without* producing
//! a final item, by panicking with a private payload caught inside the
//! generator (a silent panic + unwind per completion).
use crate::tree::{Tree, cmp_streams};
use generator::{Gn, Scope, done};
use std::cmp::Ordering;

/// Default stack is `generator::DEFAULT_STACK_SIZE` = 4096 words = 32 KiB,
/// too small for the 10,000-level chain (overflow is caught by a guard page:
/// panic "coroutine has overflowed its stack", exit 101). Measured usage with
/// an odd size: 40,088 words (313 KiB) release, 120,232 words (939 KiB) debug.
pub const FRINGE_STACK_WORDS: usize = 256 * 1024; // 2 MiB

// ---- 1. counter -------------------------------------------------------
pub fn counter(n: u64) -> u64 {
    let g = Gn::<()>::new_scoped(move |mut s| {
        for i in 0..n {
            if i % 3 != 0 {
                s.yield_(i * 2);
            }
        }
        done!()
    });
    g.fold(0u64, u64::wrapping_add) // Generator<'_, (), T> is an Iterator
}

// ---- 2. fringe ---------------------------------------------------------
fn walk(t: &Tree, s: &mut Scope<'_, '_, (), u64>) {
    match t {
        Tree::Leaf(v) => s.yield_with(*v), // works for non-'static 'a
        Tree::Node(kids) => {
            for k in kids {
                walk(k, s);
            }
        }
    }
}

/// Returns (sum, stack words used). An odd `words` enables exact usage
/// tracking in `stack_usage()`.
pub fn fringe_sum_with_stack(t: &Tree, words: usize) -> (u64, usize) {
    let mut g = Gn::<()>::new_scoped_opt(words, move |mut s| {
        walk(t, &mut s);
        done!()
    });
    let mut sum = 0u64;
    for v in &mut g {
        sum = sum.wrapping_add(v);
    }
    (sum, g.stack_usage().1)
}

pub fn fringe_sum(t: &Tree) -> u64 {
    fringe_sum_with_stack(t, FRINGE_STACK_WORDS).0
}

// ---- 3. same fringe ----------------------------------------------------
// Early exit drops suspended generators: Drop cancels them by resuming with a
// Cancel panic that unwinds the generator stack.
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    let ga = Gn::<()>::new_scoped_opt(FRINGE_STACK_WORDS, move |mut s| {
        walk(a, &mut s);
        done!()
    });
    let gb = Gn::<()>::new_scoped_opt(FRINGE_STACK_WORDS, move |mut s| {
        walk(b, &mut s);
        done!()
    });
    cmp_streams(ga, gb)
}

// ---- 4. ping-pong ------------------------------------------------------
// `send(v)` stores v then resumes; the body reads the first one with
// `get_yield()`, later ones are returned by `yield_`.
pub fn ping_pong(rounds: u64) -> u64 {
    let mut g = Gn::<u64>::new_scoped(|mut s| {
        let mut v: u64 = s.get_yield().unwrap();
        loop {
            v = s.yield_(v + 1).unwrap();
        }
    });
    let mut v = 0u64;
    for _ in 0..rounds {
        v = g.send(v);
    }
    v
}

// ---- 6. creation -------------------------------------------------------
// Idiomatic form: yield once, then `done!()` -> one silent panic+unwind per
// generator, plus a stack allocation (mmap) per generator.
pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let mut g = Gn::<()>::new_scoped(move |mut sc| {
            sc.yield_(i);
            done!()
        });
        s = s.wrapping_add(g.next().unwrap());
        assert!(g.next().is_none());
    }
    s
}

/// Alternative without `done!()`: the body's return value is delivered as the
/// final item by `resume()`, so "yield one value" = "return it". Avoids the
/// panic-based termination.
pub fn creation_return_last(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let mut g = Gn::<()>::new_scoped(move |_sc| i);
        s = s.wrapping_add(g.next().unwrap());
        assert!(g.next().is_none());
    }
    s
}

// ---- 7. large state ----------------------------------------------------
pub fn large_state(n: u64) -> u64 {
    let g = Gn::<()>::new_scoped(move |mut s| {
        let mut buf = [0u64; 32];
        for i in 0..n {
            let k = (i % 32) as usize;
            buf[k] = buf[k].wrapping_add(i);
            s.yield_(buf[k]);
        }
        done!()
    });
    g.fold(0u64, u64::wrapping_add)
}
