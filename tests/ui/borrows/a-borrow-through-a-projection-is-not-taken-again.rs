//! A borrow of a field is not taken again after the suspension: the field may be reached through
//! a user's `Deref`, which must not run again (it could return another place).

use coro::suspend;
use std::cell::Cell;
use std::ops::Deref;

struct Inner {
    x: i32,
}

struct Switch {
    a: Inner,
    b: Inner,
    pick_b: Cell<bool>,
}

impl Deref for Switch {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        if self.pick_b.get() { &self.b } else { &self.a }
    }
}

#[coro::coroutine(yield = ())]
fn deref_twice(s: Switch) -> i32 {
    let r = &s.x;
    s.pick_b.set(true);
    suspend!();
    *r
}

fn main() {}
