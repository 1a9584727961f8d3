use coro::{suspend, suspend_from};

#[coro::coroutine(yield = u32)]
fn misplaced(v: Vec<u32>) {
    // A closure is a function of its own.
    let f = || suspend!(1);
    // Coroutines are not futures.
    let g = async { suspend!(2) };
    // A nested function cannot suspend its parent.
    fn nested() {
        suspend!(3);
    }
    // The arguments of another macro.
    println!("{}", suspend!(4));
    // A match guard.
    match v.len() {
        n if suspend!(5) == () => {}
        _ => {}
    }
    let _ = (f, g, nested);
    suspend_from!(misplaced(v), 1, 2);
}

fn main() {}
