use coro::suspend;

#[coro::coroutine(yield = u32)]
fn for_over_borrow() {
    let local = vec![1, 2, 3];
    for x in &local {
        suspend!(*x);
    }
}

#[coro::coroutine(yield = u32)]
fn held_borrow() {
    let v = vec![1u32];
    let mut first = &v[0];
    suspend!(1);
    first = &v[0];
    suspend!(*first);
}

#[coro::coroutine(yield = u32)]
fn closure_borrow() {
    let offset = 10;
    let add = |x: u32| x + offset;
    suspend!(1);
    suspend!(add(2));
}

fn main() {}
