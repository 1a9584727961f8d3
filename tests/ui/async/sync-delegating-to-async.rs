use coro::{suspend, suspend_from};

#[coro::coroutine(yield = u32, async)]
async fn ticks() {
    suspend!(1);
}

#[coro::coroutine(yield = u32)]
fn sync_outer() {
    suspend_from!(ticks());
}

#[coro::coroutine(yield = u32, async)]
async fn async_outer() {
    suspend_from!(vec![1, 2, 3]);
}

fn main() {}
