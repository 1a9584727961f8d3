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

// Resumed with values, it is an `AsyncResume`, whose first value needs a `#[resume]` parameter.
#[coro::coroutine(yield = u32, async, resume = i32)]
async fn resumed() {
    suspend!(1);
}

fn main() {}
