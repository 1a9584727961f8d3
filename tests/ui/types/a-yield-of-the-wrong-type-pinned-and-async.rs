//! A value of the wrong type in `suspend!` is reported at the value, as a plain mismatch, in
//! the two lowerings that go through `async`.

use coro::suspend;

#[coro::coroutine(yield = u32, pinned)]
fn pinned() {
    suspend!("one");
}

#[coro::coroutine(yield = u32, async)]
async fn stream() {
    suspend!(2.0);
}

#[coro::coroutine(yield = u32, resume = bool, async)]
async fn resumed(#[resume] _first: bool) {
    let _again: bool = suspend!('3');
}

fn main() {}
