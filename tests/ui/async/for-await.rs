//! `for await` is not stable Rust: rustc rejects it as experimental, and the message says what
//! to write instead, in a `#[coroutine]` and in `coro!` alike.

use coro::suspend;

#[coro::coroutine(yield = u32, async)]
async fn numbers(n: u32) {
    for i in 0..n {
        suspend!(i);
    }
}

#[coro::coroutine(yield = u32, async)]
async fn doubled() {
    for await x in numbers(3) {
        suspend!(x * 2);
    }
}

fn main() {
    let _ = coro::coro!(yield = u32, async, move {
        for await x in numbers(2) {
            suspend!(x + 1);
        }
    });
}
