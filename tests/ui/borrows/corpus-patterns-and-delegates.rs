//! Borrows made by patterns, scrutinee temporaries and delegates, held across a suspension point: each
//! error says what is borrowed, that the default lowering cannot keep it, and to add `pinned`.

use coro::{suspend, suspend_from};
use std::cell::RefCell;

#[coro::coroutine(yield = u32)]
fn walk(v: &[u32]) {
    for x in v {
        suspend!(*x);
    }
}

#[coro::coroutine(yield = u32)]
fn bump(v: &mut Vec<u32>) {
    v.push(1);
    suspend!(1);
}

#[coro::coroutine(yield = u32)]
fn slice_pattern() {
    let v = vec![1, 2];
    if let [a, ..] = v.as_slice() {
        suspend!(*a);
        suspend!(*a);
    }
}

#[coro::coroutine(yield = usize)]
fn match_on_a_borrow() {
    let v = vec![1, 2];
    match &v {
        w => {
            suspend!(1);
            suspend!(w.len());
        }
    }
}

#[coro::coroutine(yield = u32, resume = u32)]
fn ref_mut_binding(#[resume] _first: u32) {
    let mut o = Some(1);
    if let Some(ref mut x) = o {
        *x += suspend!(1);
    }
}

#[coro::coroutine(yield = usize)]
fn scrutinee_temporary() {
    let cell = RefCell::new(vec![1]);
    match cell.borrow().len() {
        n => {
            suspend!(n);
        }
    }
}

#[coro::coroutine(yield = u32)]
fn delegate_by_ref() {
    let v = vec![1, 2];
    suspend_from!(walk(&v));
}

#[coro::coroutine(yield = u32)]
fn delegate_by_mut() {
    let mut v = vec![1, 2];
    for _ in 0..2 {
        suspend_from!(bump(&mut v));
    }
}

#[coro::coroutine(yield = u32)]
fn delegate_by_method() {
    let v = vec![1, 2];
    suspend_from!(walk(v.as_slice()));
}

#[coro::coroutine(yield = u32)]
fn delegate_given_a_temporary() {
    suspend_from!(walk(&[1, 2].map(|x| x * 2)));
}

fn main() {}
