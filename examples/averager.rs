//! A coroutine that receives values through `resume`: a running average, and a line assembler
//! that is sent characters one at a time and yields each finished line.
//!
//! `cargo run --example averager`
use coro::{Coroutine, EarlyExit, suspend};

/// Yields the average of everything it has been sent, including the first value.
#[coro::coroutine(yield = f64, resume = f64)]
pub fn averager(#[resume] first: f64) {
    let mut sum = first;
    let mut count = 1.0;
    loop {
        sum += suspend!(sum / count);
        count += 1.0;
    }
}

/// Sent characters, yields `Some(line)` when a newline completes one, `None` otherwise. Sending
/// `'\0'` ends it, returning how many lines it assembled.
#[coro::coroutine(yield = Option<String>, resume = char)]
pub fn lines(#[resume] first: char) -> usize {
    let mut line = String::new();
    let mut count = 0;
    let mut ch = first;
    while ch != '\0' {
        let done = if ch == '\n' {
            count += 1;
            Some(std::mem::take(&mut line))
        } else {
            line.push(ch);
            None
        };
        ch = suspend!(done);
    }
    count
}

fn main() {
    let mut avg = averager();
    for v in [4.0, 8.0, 0.0, 20.0] {
        println!("sent {v:>4}: average {}", avg.resume(v).unwrap());
    }

    let mut assembler = lines();
    for ch in "first line\nsecond\n\0".chars() {
        match assembler.resume(ch) {
            Ok(Some(line)) => println!("line: {line:?}"),
            Ok(None) => {}
            Err(EarlyExit::Returned(n)) => println!("{n} lines"),
            Err(other) => println!("ended: {other}"),
        }
    }
}
