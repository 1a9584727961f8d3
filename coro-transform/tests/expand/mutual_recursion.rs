#[coroutine(yield = u32)]
fn even(n: u32) -> u32 {
    suspend!(n);
    if n == 0 { 0 } else { 1 + suspend_from!(odd(n - 1).boxed()) }
}
