//! A user's macro that expands to `return` in a coroutine whose return type is neither `Result`
//! nor `Option`: the state machine cannot give that `return` its meaning, and rustc reports it.

macro_rules! give_up {
    () => {
        return 0
    };
}

#[coro::coroutine(yield = u32)]
fn count(n: u32) -> u32 {
    for i in 0..n {
        if i == 3 {
            give_up!();
        }
        coro::suspend!(i);
    }
    n
}

fn main() {}
