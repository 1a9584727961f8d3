#[coro::coroutine(yield u32)]
fn malformed_yield() {}

#[coro::coroutine(yield = )]
fn empty_yield() {}

#[coro::coroutine(yield = u32, fast)]
fn unknown_option() {}

#[coro::coroutine(yield = u32, clone, clone)]
fn given_twice() {}

fn main() {}
