//! A macro whose expansion is a `return` cannot end a coroutine of the default lowering: the
//! error sits on the macro call and says what to write. (With `pinned`, it works.)

macro_rules! bail {
    ($e:expr) => {
        return Err($e)
    };
}

#[coro::coroutine(yield = u32, resume = u32)]
fn checked(#[resume] first: u32) -> Result<u32, String> {
    let x = coro::suspend!(first);
    if x == 0 {
        bail!("zero".to_string());
    }
    Ok(x)
}

fn main() {}
