trait Walk {
    #[coro::coroutine(yield = u32)]
    fn walk(&self);
}

fn main() {}
