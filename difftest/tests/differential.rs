//! Generated coroutines against the same bodies run as plain Rust: identical event logs, run to
//! the end and killed after each suspension point. See the crate docs.
#![allow(missing_docs)]
// The generated programs break out of labeled loops with block values (`break 'l { .. }`), which
// this lint (emitted while parsing, so only a crate-level `allow` reaches it) flags.
#![allow(break_with_label_and_loop)]

use coro::{Coroutine as _, suspend, suspend_from};
#[allow(unused_imports)]
use difftest::{
    Acc, BUF, at, attempt_opt, attempt_res, bump, call2, call3, eff, opt, rec_even, rec_even_ref,
    res,
};
use difftest::{Ctx, Guard, Handmade, delegate_ref, run_coroutine, run_reference, suspensions};

/// The event logs of the coroutine and of the plain function.
pub type Logs = (Vec<String>, Vec<String>);

/// One generated program.
#[derive(Debug)]
pub struct Case {
    pub seed: u64,
    /// Written with the `pinned` lowering (against a plain version without the drop rule).
    pub pinned: bool,
    pub source: &'static str,
    /// Runs the coroutine and the plain version, killed after that many suspensions if given;
    /// returns their logs.
    pub run: fn(Option<usize>) -> Logs,
}

include!(concat!(env!("OUT_DIR"), "/programs.rs"));

fn first_difference(a: &[String], b: &[String]) -> String {
    if std::env::var_os("DIFFTEST_VERBOSE").is_some() {
        eprintln!("coroutine: {a:?}\nplain:     {b:?}");
    }
    let i = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let lo = i.saturating_sub(4);
    format!(
        "first difference at event {i}\n  coroutine: {:?}\n  plain:     {:?}",
        &a[lo..a.len().min(i + 4)],
        &b[lo..b.len().min(i + 4)]
    )
}

#[test]
fn generated_programs_agree_with_plain_rust() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in PROGRAMS {
        let (co, re) = (case.run)(None);
        runs += 1;
        if co != re {
            failures.push((case, None, first_difference(&co, &re)));
            continue;
        }
        for k in 1..=suspensions(&re) {
            let (co, re) = (case.run)(Some(k));
            runs += 1;
            if co != re {
                failures.push((case, Some(k), first_difference(&co, &re)));
                break;
            }
        }
    }
    for (case, kill, diff) in failures.iter().take(3) {
        eprintln!(
            "seed {}{} ({}) disagrees: {diff}\n(rerun alone with DIFFTEST_SEED={})\n{}\n",
            case.seed,
            if case.pinned { ", pinned" } else { "" },
            kill.map_or_else(
                || "run to the end".to_owned(),
                |k| format!("killed after suspension {k}")
            ),
            case.seed,
            case.source
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs disagree ({runs} runs)",
        failures.len(),
        PROGRAMS.len()
    );
    eprintln!("{} programs, {runs} runs, all agree", PROGRAMS.len());
}
