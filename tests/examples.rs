//! The examples, run as tests.

#[path = "../examples/fringe.rs"]
#[allow(dead_code)]
mod fringe;

#[path = "../examples/averager.rs"]
#[allow(dead_code)]
mod averager;

#[path = "../examples/same_fringe.rs"]
#[allow(dead_code)]
mod same_fringe;

#[path = "../examples/squasher.rs"]
#[allow(dead_code)]
mod squasher;

use coro::{Coroutine, EarlyExit};
use std::cmp::Ordering;

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

#[test]
fn same_fringe_compares_like_cmp_on_the_flattened_lists() {
    use same_fringe::Tree::{Leaf, Node};
    use same_fringe::{example, fcmp, range};
    let x = example();
    assert_eq!(fcmp(&range(7), &x), Ordering::Equal);
    assert_eq!(fcmp(&range(6), &x), Ordering::Less);
    assert_eq!(fcmp(&x, &range(6)), Ordering::Greater);
    assert_eq!(fcmp(&range(8), &x), Ordering::Greater);
    assert_eq!(fcmp(&x, &range(8)), Ordering::Less);
    let a = [Leaf(1), Node(vec![Node(vec![Leaf(2)]), Leaf(8)])];
    let b = [Node(vec![Node(vec![Leaf(1)]), Leaf(2)]), Leaf(8)];
    assert_eq!(fcmp(&a, &b), Ordering::Equal);
    let a3 = [Leaf(1), Node(vec![Node(vec![Leaf(3)]), Leaf(8)])];
    assert_eq!(fcmp(&a3, &b), Ordering::Greater);
    let b9 = [Node(vec![Node(vec![Leaf(1)]), Leaf(2)]), Leaf(9)];
    assert_eq!(fcmp(&a, &b9), Ordering::Less);
    assert_eq!(
        fcmp(&[], &[Node(vec![]), Node(vec![Node(vec![])])]),
        Ordering::Equal
    );
}

#[test]
fn same_fringe_stops_at_the_first_difference() {
    let (one, two) = (
        same_fringe::huge(1, 1_000_000),
        same_fringe::huge(2, 1_000_000),
    );
    assert_eq!(same_fringe::compare(&one, &two), (Ordering::Less, 1));
    assert_eq!(same_fringe::compare(&two, &one), (Ordering::Greater, 1));
}

#[test]
fn the_squasher_squashes_the_classic_text_into_72_character_lines() {
    let lines = squasher::squash(squasher::CLASSIC).expect("the text ends with a 0 byte");
    assert_eq!(
        lines,
        [
            " d = sqrt(b^2 - 4*a*c);twoa = 2*a; L = -b/twoa; R = d/twoa; A1 = L + R; ".to_owned(),
            format!("{:<72}", "A2 = L - R"),
        ]
    );
    assert!(lines.iter().all(|l| l.len() == squasher::WIDTH));
}

#[test]
fn the_squasher_s_rules_at_their_edges() {
    let one = |text: &str| {
        squasher::squash(text).expect("ends with a 0 byte")[0]
            .trim_end()
            .to_owned()
    };
    assert_eq!(one("a***b\0"), "a^*b");
    assert_eq!(one("a****b\0"), "a^^b");
    assert_eq!(one("*  \t x\0"), "* x");
    assert_eq!(one("x\ny\0"), "x;y");
    // A line goes out only when a 73rd character arrives.
    let lines = squasher::squash(&format!("{}\0", "x".repeat(72))).unwrap();
    assert_eq!(lines, ["x".repeat(72)]);
    let lines = squasher::squash(&format!("{}\0", "x".repeat(73))).unwrap();
    assert_eq!(lines, ["x".repeat(72), format!("{:<72}", "x")]);
}

#[test]
fn the_squasher_without_a_0_byte_reports_that_getline_fell_through() {
    let (why, lines) = squasher::squash("abc\ndef\n").unwrap_err();
    assert_eq!(why, "the input has no 0 byte: getline fell through its end");
    assert!(lines.is_empty());
}
