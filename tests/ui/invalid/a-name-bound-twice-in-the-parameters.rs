//! rustc rejects these as plain functions (E0415, E0416); so does the transform, instead of
//! letting the second binding shadow the first.

use coro::suspend;

#[coro::coroutine(yield = u32)]
fn twice_in_the_list(a: u32, (a, b): (u32, u32)) {
    suspend!(a + b);
}

#[coro::coroutine(yield = u32)]
fn twice_in_one_pattern((c, c): (u32, u32)) {
    suspend!(c);
}

fn main() {}
