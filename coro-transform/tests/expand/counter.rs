#[coroutine(yield = u64)]
fn counter(n: u64) {
    for i in 0..n {
        if i % 3 != 0 {
            suspend!(i * 2);
        }
    }
}
