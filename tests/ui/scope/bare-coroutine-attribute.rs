//! An imported bare `#[coroutine]` is rustc's own unstable attribute on stable Rust: the first
//! message says to write the path.

use coro::{coroutine, suspend};

#[coroutine(yield = u32)]
fn counts() {
    suspend!(1);
}

fn main() {}
