use coro::suspend;

#[coro::coroutine(yield = u32, async)]
async fn counted() -> usize {
    suspend!(1);
    1
}

#[coro::coroutine(yield = u32, async)]
async fn fallible() -> std::io::Result<()> {
    suspend!(1);
    Ok(())
}

#[coro::coroutine(yield = u32, async, resume = i32)]
async fn resumed() {
    suspend!(1);
}

fn main() {}
