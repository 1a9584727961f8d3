#[coro::coroutine(yield = u32)]
async fn not_async() {}

#[coro::coroutine(yield = u32)]
const fn not_const() {}

fn main() {}
