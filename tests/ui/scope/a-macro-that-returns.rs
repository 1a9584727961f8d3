//! A macro whose expansion is a `return` ends a coroutine that returns `Result` or `Option`, as
//! it ends a function; behind an alias the return type does not say so, and the well-known
//! returning macros get an error on the call that says what to write. (With `pinned`, it works.)

macro_rules! bail {
    ($e:expr) => {
        return Err($e)
    };
}

type Checked = Result<u32, String>;

#[coro::coroutine(yield = u32, resume = u32)]
fn checked(#[resume] first: u32) -> Checked {
    let x = coro::suspend!(first);
    if x == 0 {
        bail!("zero".to_string());
    }
    Ok(x)
}

fn main() {}
