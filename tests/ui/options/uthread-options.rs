//! A microthread's yield and resume types are the scheduler's.

#[coro::uthread(yield = u32)]
fn yields_its_own() {}

#[coro::uthread(resume = u32)]
fn resumed_with_its_own() {}

fn main() {}
