/// The pinned lowering: a loop over a borrow of a local, a borrow held across a suspension, and
/// a delegation given a borrow of the local.
#[coroutine(yield = (usize, u32), pinned)]
fn numbered() {
    let v = vec![3, 1, 4];
    for (i, x) in v.iter().enumerate() {
        suspend!((i, *x))
    }
    let first = &v[0];
    suspend!((9, *first));
    suspend_from!(walk(&v));
}
