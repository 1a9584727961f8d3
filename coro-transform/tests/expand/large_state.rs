/// A buffer live across every suspension: resumed in place.
#[coroutine(yield = u64)]
fn large() {
    let mut buf = [0u64; 32];
    let mut i = 0usize;
    loop {
        buf[i % 32] = buf[(i + 31) % 32] + i as u64;
        suspend!(buf[i % 32]);
        i += 1;
    }
}
