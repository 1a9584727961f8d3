//! Loops over a borrow of a local that suspend inside, as people write them: each error says
//! what is borrowed, that the default lowering cannot keep it, and to add `pinned`.

use coro::suspend;
use std::collections::HashMap;

#[coro::coroutine(yield = u32)]
fn by_ref() {
    let v = vec![1, 2];
    for x in &v {
        suspend!(*x);
    }
}

#[coro::coroutine(yield = u32)]
fn by_mut() {
    let mut v = vec![1, 2];
    for x in &mut v {
        *x += 1;
        suspend!(*x);
    }
}

#[coro::coroutine(yield = (usize, u32))]
fn enumerated() {
    let v = vec![1, 2];
    for (i, x) in v.iter().enumerate() {
        suspend!((i, *x));
    }
}

#[coro::coroutine(yield = String)]
fn lines(path: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    for line in text.lines() {
        suspend!(line.to_string());
    }
    Ok(())
}

#[coro::coroutine(yield = String)]
fn words() {
    let text = String::from("a b");
    for w in text.split_whitespace() {
        suspend!(w.to_string());
    }
}

#[coro::coroutine(yield = char)]
fn chars() {
    let s = String::from("ab");
    for c in s.chars() {
        suspend!(c);
    }
}

#[coro::coroutine(yield = u32)]
fn windows() {
    let v = vec![1, 2, 3];
    for w in v.windows(2) {
        suspend!(w[0] + w[1]);
    }
}

#[coro::coroutine(yield = u32)]
fn map_by_ref() {
    let m: HashMap<u32, u32> = HashMap::new();
    for (k, val) in &m {
        suspend!(k + val);
    }
}

#[coro::coroutine(yield = u32)]
fn reversed() {
    let v = vec![1, 2];
    for x in v.iter().rev() {
        suspend!(*x);
    }
}

#[coro::coroutine(yield = u32)]
fn mapped() {
    let v = vec![1, 2];
    for x in v.iter().map(|x| x * 2) {
        suspend!(x);
    }
}

#[coro::coroutine(yield = u8)]
fn bytes() {
    let s = String::from("ab");
    for b in s.bytes() {
        suspend!(b);
    }
}

#[coro::coroutine(yield = u32)]
fn keys() {
    let m: HashMap<u32, u32> = HashMap::new();
    for k in m.keys() {
        suspend!(*k);
    }
}

fn main() {}
