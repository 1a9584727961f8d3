// A pinned coroutine may suspend in a macro's arguments, as an async block may await there;
// a macro that puts its argument inside a closure gets rustc's error at the `suspend!`.
use coro::suspend;

macro_rules! later {
    ($e:expr) => {
        move || $e
    };
}

#[coro::coroutine(yield = u32, pinned)]
fn deferred() {
    let f = later!(suspend!(1));
    f();
}

fn main() {}
