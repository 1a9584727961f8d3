//! Borrows of a local held across a suspension point, as people write them: each error says what
//! is borrowed, that the default lowering cannot keep it, and to add `pinned`.

use coro::suspend;
use std::cell::RefCell;
use std::sync::Mutex;

#[coro::coroutine(yield = u32)]
fn element() {
    let v = vec![1, 2];
    let first = &v[0];
    suspend!(1);
    suspend!(*first);
}

struct Pair {
    a: u32,
}

#[coro::coroutine(yield = u32)]
fn field() {
    let p = Pair { a: 1 };
    let a = &p.a;
    suspend!(1);
    suspend!(*a);
}

#[coro::coroutine(yield = usize)]
fn trimmed() {
    let text = String::from(" a ");
    let t = text.trim();
    suspend!(1);
    suspend!(t.len());
}

#[coro::coroutine(yield = u32)]
fn iterator_by_hand() {
    let v = vec![1, 2];
    let mut it = v.iter();
    while let Some(x) = it.next() {
        suspend!(*x);
    }
}

#[coro::coroutine(yield = usize)]
fn ref_binding() {
    let v = vec![1, 2];
    let ref r = v;
    suspend!(1);
    suspend!(r.len());
}

#[coro::coroutine(yield = u32)]
fn cell_borrow() {
    let cell = RefCell::new(1);
    let b = cell.borrow();
    suspend!(1);
    suspend!(*b);
}

#[coro::coroutine(yield = u32)]
fn lock_guard() {
    let m = Mutex::new(1);
    let g = m.lock().unwrap();
    suspend!(1);
    suspend!(*g);
}

#[coro::coroutine(yield = usize)]
fn typed_str() {
    let owned = String::from("abc");
    let s: &str = &owned;
    suspend!(1);
    suspend!(s.len());
}

#[coro::coroutine(yield = usize)]
fn sub_slice() {
    let v = vec![1, 2, 3];
    let tail = &v[1..];
    suspend!(1);
    suspend!(tail.len());
}

#[coro::coroutine(yield = usize)]
fn closure() {
    let v = vec![1, 2, 3];
    let f = |x: usize| x + v.len();
    suspend!(1);
    suspend!(f(1));
}

#[coro::coroutine(yield = u32)]
fn first_by_method() {
    let v = vec![1, 2, 3];
    let x = v.first().unwrap();
    suspend!(1);
    suspend!(*x);
}

fn main() {}
