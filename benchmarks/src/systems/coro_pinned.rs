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

/// The floor of any safe lowering through rustc's `async` transform: the same round trips by an
/// `async` block behind one box, handing values through an `Rc<Cell<..>>` slot, with nothing of
/// the coroutine API (no status, no ending, no panic guard). What `coro pinned` costs beyond
/// this is its own; what this costs beyond the hand-written machine is the hand-off through
/// memory that the box and the slot force on every round trip.
pub fn ping_pong_floor(rounds: u64) -> u64 {
    use std::cell::Cell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    /// Pending once, then ready with the value the driver put in the slot.
    struct Hop<'a>(&'a Cell<u64>, bool);
    impl Future for Hop<'_> {
        type Output = u64;
        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u64> {
            if self.1 {
                Poll::Ready(self.0.get())
            } else {
                self.1 = true;
                Poll::Pending
            }
        }
    }

    /// Drives the body, its type known, as a resume of a pinned coroutine does.
    fn drive<F: Future<Output = ()>>(body: F, slot: &Cell<u64>, rounds: u64) -> u64 {
        let mut body = Box::pin(body);
        let mut cx = Context::from_waker(Waker::noop());
        // The first poll runs the body to its first hop, as a first resume would.
        let _ = body.as_mut().poll(&mut cx);
        let mut v = 0;
        for _ in 0..rounds {
            slot.set(black_box(v));
            let _ = black_box(&mut body).as_mut().poll(&mut cx);
            v = slot.get();
        }
        v
    }

    let slot = Rc::new(Cell::new(0u64));
    let inner = slot.clone();
    drive(
        async move {
            let mut v = Hop(&inner, false).await;
            loop {
                inner.set(v + 1);
                v = Hop(&inner, false).await;
            }
        },
        &slot,
        rounds,
    )
}
