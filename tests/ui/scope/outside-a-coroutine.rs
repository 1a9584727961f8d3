use coro::suspend;

fn main() {
    suspend!(1);
}
