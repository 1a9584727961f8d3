//! A delegate that yields another type than the delegating coroutine is reported at the
//! delegate, once.

use coro::{Coroutine, suspend, suspend_from};

#[coro::coroutine(yield = String)]
fn words() {
    suspend!(String::from("a"));
}

#[coro::coroutine(yield = u32)]
fn numbers() {
    suspend_from!(words());
}

#[coro::coroutine(yield = u32, pinned)]
fn numbers_pinned() {
    suspend_from!(words());
}

#[coro::coroutine(yield = u32)]
fn numbers_boxed() {
    suspend_from!(words().boxed());
}

fn main() {}
