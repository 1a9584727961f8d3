//! The examples, run as tests.

#[path = "../examples/fringe.rs"]
#[allow(dead_code)]
mod fringe;

#[path = "../examples/averager.rs"]
#[allow(dead_code)]
mod averager;

use coro::{Coroutine, EarlyExit};

#[test]
fn fringe_prints_the_leaves_in_order() {
    assert_eq!(fringe::in_order(&fringe::example()), "0 1 2 3 4 5 6");
    assert_eq!(fringe::in_order(&[]), "");
}

#[test]
fn averager_averages_what_it_is_sent() {
    let mut avg = averager::averager();
    let got: Vec<f64> = [4.0, 8.0, 0.0, 20.0]
        .into_iter()
        .map(|v| avg.resume(v).unwrap())
        .collect();
    assert_eq!(got, [4.0, 6.0, 4.0, 8.0]);
}

#[test]
fn lines_yields_each_finished_line_and_counts_them() {
    let mut l = averager::lines();
    let mut out = Vec::new();
    let mut end = None;
    for ch in "ab\nc\n\0".chars() {
        match l.resume(ch) {
            Ok(Some(line)) => out.push(line),
            Ok(None) => {}
            Err(e) => end = Some(e),
        }
    }
    assert_eq!(out, ["ab", "c"]);
    assert_eq!(end, Some(EarlyExit::Returned(2)));
}
