//! A syntax error in the body is reported as it is, and the function keeps its real signature:
//! call sites type-check and the imports the body uses count as used.

use coro::{Coroutine, suspend};

#[coro::coroutine(yield = u32, resume = u32)]
fn broken(#[resume] first: u32) -> u32 {
    let x = suspend!(first) + ;
    x
}

fn main() {
    let mut c = broken();
    let _: Result<u32, coro::EarlyExit<u32>> = c.resume(1);
}
