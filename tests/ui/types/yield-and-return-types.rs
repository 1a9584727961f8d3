use coro::suspend;

#[coro::coroutine(yield = u32)]
fn wrong_yield() {
    suspend!("not a number");
}

#[coro::coroutine(yield = u32)]
fn wrong_return() -> String {
    suspend!(1);
    42
}

fn main() {}
