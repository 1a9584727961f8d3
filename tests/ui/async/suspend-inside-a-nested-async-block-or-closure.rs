//! Inside an async coroutine, an `async` block or a closure is a future or a function of its
//! own: a `suspend!` there cannot suspend the coroutine.

use coro::suspend;

#[coro::coroutine(yield = u32, async)]
async fn nested(xs: Vec<u32>) {
    let inner = async {
        suspend!(1);
    };
    inner.await;
    xs.iter().for_each(|x| {
        suspend!(*x);
    });
}

fn main() {}
