use coro::suspend;

#[coro::coroutine(yield = u32)]
fn private() {
    suspend!(1);
    let _ = __coro_state;
    let _ = __coro_arg;
}

fn main() {}
