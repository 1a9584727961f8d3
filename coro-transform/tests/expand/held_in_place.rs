/// A buffer live across two suspension points of a loop, beside a local the loop declares: the
/// two points share one variant; the buffer and the counter stay in it, `half` moves through its
/// slot, and going from one point to the other writes `__at`.
#[coroutine(yield = u64)]
fn two_points() {
    let mut buf = [0u64; 1 << 17];
    let mut i = 0usize;
    loop {
        let half = i as u64 / 2;
        buf[i % buf.len()] += half;
        suspend!(buf[i % buf.len()]);
        i += 1;
        suspend!(half);
    }
}
