use coro::suspend;

#[coro::coroutine(yield = u32, async)]
fn ticks() {
    suspend!(1);
}

fn main() {}
