use coro::suspend;

async fn fetch() -> u32 {
    1
}

#[coro::coroutine(yield = u32)]
fn not_async() {
    let n = fetch().await;
    suspend!(n);
}

#[coro::coroutine(yield = u32, pinned)]
fn pinned_is_not_async() {
    suspend!(fetch().await);
}

fn main() {}
