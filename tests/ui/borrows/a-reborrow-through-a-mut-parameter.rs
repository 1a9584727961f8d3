//! A borrow through a `&mut` parameter that is still used after the suspension point cannot be
//! kept beside the parameter by the default lowering (it lasts only as long as the coroutine's
//! own binding of the parameter).

use coro::suspend;

struct Counter {
    items: Vec<u32>,
    total: u32,
}

impl Counter {
    #[coro::coroutine(yield = u32)]
    fn walk_and_count(&mut self) {
        for x in self.items.iter() {
            suspend!(*x);
        }
        self.total += 1;
    }
}

#[coro::coroutine(yield = u32)]
fn first_and_bump(v: &mut Vec<u32>) {
    let first = &mut v[0];
    suspend!(*first);
    *first += 1;
    v.push(1);
}

fn main() {}
