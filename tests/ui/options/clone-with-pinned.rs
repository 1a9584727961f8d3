//! A pinned coroutine's state may borrow from itself, so it cannot be copied.

use coro::suspend;

#[coro::coroutine(yield = u32, clone, pinned)]
fn forked() {
    let v = vec![1, 2];
    for x in &v {
        suspend!(*x);
    }
}

fn main() {
    let _ = coro::coro!(yield = u32, pinned, clone, move {
        suspend!(1);
    });
}
