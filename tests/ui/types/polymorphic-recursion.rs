//! A recursion that wraps its argument in a new type on every level (a prime sieve that
//! filters its input iterator) has no finite type, in a coroutine as in a function: the error
//! sits on the argument and says to take a trait object.

use coro::{suspend, suspend_from};

#[coro::coroutine(yield = u64)]
fn sieve<I: Iterator<Item = u64>>(mut it: I) {
    let Some(p) = it.next() else { return };
    suspend!(p);
    suspend_from!(sieve(it.filter(move |x| x % p != 0)));
}

#[coro::coroutine(yield = u64, pinned)]
fn sieve_pinned<I: Iterator<Item = u64>>(mut it: I) {
    let Some(p) = it.next() else { return };
    suspend!(p);
    for q in sieve_pinned(it.filter(move |x| x % p != 0)) {
        suspend!(q);
    }
}

fn main() {}
