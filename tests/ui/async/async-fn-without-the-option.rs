use coro::suspend;

async fn fetch() -> u32 {
    1
}

#[coro::coroutine(yield = u32)]
async fn ticks() {
    suspend!(fetch().await);
}

fn main() {}
