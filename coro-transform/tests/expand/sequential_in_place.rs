// A buffer kept across points one after another: the three points share one variant, and the
// guard declared before the buffer, used by value in the run, makes the `return` move the
// buffer out of the state first, so that the two drop in Rust's order.
#[coroutine(yield = u64)]
fn steps(log: Log, stop: bool) -> u64 {
    let guard = Guard(log);
    let mut buf = [0u64; 1024];
    suspend!(buf[0]);
    buf[1] = 1;
    if stop {
        return buf[1];
    }
    suspend!(buf[1]);
    println!("{}", guard.0.len());
    suspend!(buf[2]);
    buf.iter().sum()
}
