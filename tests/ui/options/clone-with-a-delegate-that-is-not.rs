//! A coroutine marked `clone` clones the delegate it is suspended in, so its delegates must be
//! `Clone` too: one that is not is reported at the `suspend_from!` argument.

use coro::{suspend, suspend_from};

#[coro::coroutine(yield = u32)]
fn inner(n: u32) -> u32 {
    suspend!(n);
    n * 10
}

#[coro::coroutine(yield = u32, clone)]
fn outer() {
    let v = suspend_from!(inner(7));
    suspend!(v);
}

#[coro::coroutine(yield = u32, clone)]
fn a_range() {
    suspend_from!(0..3);
}

fn main() {}
