//! corosensei 0.3.4 (default features: default-stack, unwind): stackful,
//! `Coroutine<Input, Yield, Return, Stack>`; body is
//! `FnOnce(&Yielder<Input, Yield>, Input) -> Return`, suspend with
//! `yielder.suspend(y) -> Input`, drive with `resume(input)` ->
//! `CoroutineResult::{Yield, Return}`. `Coroutine::new` requires the closure
//! and Input/Yield/Return to be `'static`; borrowing data (the trees) needs
//! `ScopedCoroutine::new(..).scope(|mut c| c.as_mut().resume(..))`.
use crate::tree::{Tree, cmp_streams};
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, ScopedCoroutine, Yielder};
use std::cmp::Ordering;

/// Stack used for the tree walks. The default stack (`DefaultStack::default()`)
/// is 1 MiB, mmap'd with a guard page; overflow = SIGSEGV, no message.
/// Measured for the 10,000-level chain: release needs > 448 KiB (512 KiB ok),
/// debug ok at 1 MiB; so the default is enough, 2 MiB gives headroom.
pub const FRINGE_STACK: usize = 2 << 20;

// ---- 1. counter -------------------------------------------------------
pub fn counter(n: u64) -> u64 {
    let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| {
        for i in 0..n {
            if i % 3 != 0 {
                y.suspend(i * 2);
            }
        }
    });
    let mut s = 0u64;
    while let CoroutineResult::Yield(v) = co.resume(()) {
        s = s.wrapping_add(v);
    }
    s
}

// ---- 2. fringe ---------------------------------------------------------
// Plain recursive function on the coroutine's own stack; suspend is O(1)
// regardless of depth.
fn walk(t: &Tree, y: &Yielder<(), u64>) {
    match t {
        Tree::Leaf(v) => {
            y.suspend(*v);
        }
        Tree::Node(kids) => {
            for k in kids {
                walk(k, y);
            }
        }
    }
}

pub fn fringe_sum_with_stack(t: &Tree, stack_bytes: usize) -> u64 {
    let stack = DefaultStack::new(stack_bytes).expect("stack alloc");
    ScopedCoroutine::with_stack(stack, |y: &Yielder<(), u64>, ()| walk(t, y)).scope(|mut c| {
        let mut s = 0u64;
        while let CoroutineResult::Yield(v) = c.as_mut().resume(()) {
            s = s.wrapping_add(v);
        }
        s
    })
}

pub fn fringe_sum(t: &Tree) -> u64 {
    fringe_sum_with_stack(t, FRINGE_STACK)
}

// ---- 3. same fringe ----------------------------------------------------
// Two scoped coroutines, nested scopes. On early exit the suspended
// coroutines are dropped, which force-unwinds their stacks (a panic-style
// unwind per suspended coroutine; needs the `unwind` feature + panic=unwind).
pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    let ca = ScopedCoroutine::with_stack(
        DefaultStack::new(FRINGE_STACK).unwrap(),
        |y: &Yielder<(), u64>, ()| walk(a, y),
    );
    let cb = ScopedCoroutine::with_stack(
        DefaultStack::new(FRINGE_STACK).unwrap(),
        |y: &Yielder<(), u64>, ()| walk(b, y),
    );
    ca.scope(|mut ra| {
        cb.scope(|mut rb| {
            let ia = std::iter::from_fn(|| match ra.as_mut().resume(()) {
                CoroutineResult::Yield(v) => Some(v),
                CoroutineResult::Return(()) => None,
            });
            let ib = std::iter::from_fn(|| match rb.as_mut().resume(()) {
                CoroutineResult::Yield(v) => Some(v),
                CoroutineResult::Return(()) => None,
            });
            cmp_streams(ia, ib)
        })
    })
}

// ---- 4. ping-pong ------------------------------------------------------
// The first resume's input arrives as the closure's 2nd argument; each
// `suspend(out)` returns the next resume's input. No priming round needed.
pub fn ping_pong(rounds: u64) -> u64 {
    let mut co = Coroutine::new(|y: &Yielder<u64, u64>, mut v: u64| {
        loop {
            v = y.suspend(v + 1);
        }
    });
    let mut v = 0u64;
    for _ in 0..rounds {
        match co.resume(v) {
            CoroutineResult::Yield(w) => v = w,
            CoroutineResult::Return(()) => unreachable!(),
        }
    }
    v // `co` is dropped suspended here -> one forced unwind
}

// ---- 6. creation -------------------------------------------------------
// Each `Coroutine::new` mmaps a fresh 1 MiB stack + guard page (munmap on
// drop); that syscall pair dominates.
pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| {
            y.suspend(i);
        });
        match co.resume(()) {
            CoroutineResult::Yield(v) => s = s.wrapping_add(v),
            CoroutineResult::Return(()) => unreachable!(),
        }
        match co.resume(()) {
            CoroutineResult::Return(()) => {}
            CoroutineResult::Yield(_) => unreachable!(),
        }
    }
    s
}

/// Same as `creation`, but recycles one stack through
/// `Coroutine::into_stack` + `Coroutine::with_stack` (the documented way to
/// reuse a stack), so no mmap per coroutine.
pub fn creation_reuse_stack(n: u64) -> u64 {
    let mut s = 0u64;
    let mut stack = DefaultStack::default();
    for i in 0..n {
        let mut co = Coroutine::with_stack(stack, move |y: &Yielder<(), u64>, ()| {
            y.suspend(i);
        });
        match co.resume(()) {
            CoroutineResult::Yield(v) => s = s.wrapping_add(v),
            CoroutineResult::Return(()) => unreachable!(),
        }
        match co.resume(()) {
            CoroutineResult::Return(()) => {}
            CoroutineResult::Yield(_) => unreachable!(),
        }
        stack = co.into_stack(); // only valid once the coroutine finished
    }
    s
}

// ---- 7. large state ----------------------------------------------------
pub fn large_state(n: u64) -> u64 {
    let mut co = Coroutine::new(move |y: &Yielder<(), u64>, ()| {
        let mut buf = [0u64; 32];
        for i in 0..n {
            let k = (i % 32) as usize;
            buf[k] = buf[k].wrapping_add(i);
            y.suspend(buf[k]);
        }
    });
    let mut s = 0u64;
    while let CoroutineResult::Yield(v) = co.resume(()) {
        s = s.wrapping_add(v);
    }
    s
}
