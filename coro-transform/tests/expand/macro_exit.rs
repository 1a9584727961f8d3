// A body that calls a macro whose expansion may hold a `return`: the arms run in an exit scope,
// so `bail!`'s `return Err(..)` ends the coroutine with that error.
#[coroutine(yield = u32)]
fn checked(limit: u32) -> anyhow::Result<u32> {
    let mut total = 0;
    for i in 0..limit {
        if i > 100 {
            anyhow::bail!("too many: {i}");
        }
        total += i;
        suspend!(total);
    }
    Ok(total)
}
