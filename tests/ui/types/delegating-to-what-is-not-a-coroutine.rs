//! `suspend_from!` of something that is not a coroutine of the delegating coroutine's resume
//! type is reported at the user's expression, with what to write instead.

use coro::{suspend, suspend_from};

#[coro::coroutine(yield = u32)]
fn a_range() {
    suspend_from!(0..3);
}

#[coro::coroutine(yield = u32, resume = u32)]
fn takes_numbers(#[resume] _first: u32) {
    suspend!(1);
}

#[coro::coroutine(yield = u32)]
fn wrong_resume_type() {
    suspend_from!(takes_numbers(), 5);
}

#[coro::coroutine(yield = u32, pinned)]
fn a_range_in_pinned_mode() {
    suspend_from!(0..3);
}

fn main() {}
