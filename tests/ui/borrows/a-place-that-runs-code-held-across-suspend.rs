//! A place operand evaluated before a suspension later in the same expression must be held
//! across it. For an index or a dereference that would run `Index` or `Deref` code after the
//! suspension instead of before it, so it is refused; a local and its fields are fine.

use coro::suspend;

#[coro::coroutine(yield = i32, resume = i32)]
fn compares(v: Vec<i32>, #[resume] _first: i32) -> bool {
    v[0] == suspend!(1)
}

#[coro::coroutine(yield = i32, resume = i32)]
fn lends(v: Vec<i32>, #[resume] _first: i32) -> i32 {
    fn add(a: &i32, b: i32) -> i32 {
        a + b
    }
    add(&v[0], suspend!(1))
}

#[coro::coroutine(yield = i32, resume = i32)]
fn receives(v: Vec<Vec<i32>>, #[resume] _first: i32) -> usize {
    let mut v = v;
    v[0].push(suspend!(1));
    v.len()
}

struct Pair {
    a: i32,
}

#[coro::coroutine(yield = i32, resume = i32)]
fn fields_are_fine(p: Pair, #[resume] _first: i32) -> bool {
    p.a == suspend!(1)
}

fn main() {}
