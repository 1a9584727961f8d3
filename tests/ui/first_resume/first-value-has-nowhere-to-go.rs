use coro::suspend_from;

/// The first resume value must be received: with a `#[resume]` parameter.
#[coro::coroutine(yield = u32, resume = u32)]
fn no_resume_parameter() {}

#[coro::coroutine(yield = u32, resume = u32)]
fn child(#[resume] _first: u32) {}

/// A delegate's first resume value must be given.
#[coro::coroutine(yield = u32, resume = u32)]
fn delegates(#[resume] _first: u32) {
    suspend_from!(child());
}

fn main() {}
