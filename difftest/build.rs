//! Writes the generated programs into `OUT_DIR/programs.rs` for `tests/differential.rs`.
//!
//! `DIFFTEST_COUNT=N` generates seeds `0..N` (300 by default, the set CI runs), or
//! `DIFFTEST_START..DIFFTEST_START+N` when `DIFFTEST_START` is set; `DIFFTEST_SEED=S` generates
//! just seed `S`.
//!
//! A long run goes in batches of about 2,000 seeds (one crate of 4,000 programs, both lowerings:
//! about 25 minutes and 11 GB of memory to compile on two cores). Without incremental data and
//! debug information its build stays small:
//! `CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 DIFFTEST_START=2000
//! DIFFTEST_COUNT=2000 cargo test -p difftest --test differential -- --nocapture` (its last
//! line counts the programs and runs that agree). rustc checks one crate on one core: two
//! batches of 1,500 in two clones of the repository, each with its own target directory, use
//! both.

#[path = "src/gen.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic
)]
mod generator;

use std::fmt::Write;

/// How many programs CI runs: enough that every production of the grammar appears.
const DEFAULT_COUNT: u64 = 300;

fn main() {
    println!("cargo:rerun-if-env-changed=DIFFTEST_COUNT");
    println!("cargo:rerun-if-env-changed=DIFFTEST_SEED");
    println!("cargo:rerun-if-env-changed=DIFFTEST_START");
    println!("cargo:rerun-if-changed=src/gen.rs");
    let seeds: Vec<u64> = match std::env::var("DIFFTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => vec![seed],
        None => {
            let count = std::env::var("DIFFTEST_COUNT")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(DEFAULT_COUNT);
            let start: u64 = std::env::var("DIFFTEST_START")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (start..start + count).collect()
        }
    };
    let mut out = String::new();
    let mut covered = std::collections::BTreeSet::new();
    for &seed in &seeds {
        let p = generator::generate(seed);
        covered.extend(p.prods.iter().copied());
        let co = p.coroutine_source();
        let re = p.reference_source();
        let pco = p.pinned_source();
        let pre = p.pinned_reference_source();
        let guard = if p.funcs[0].guard_param.is_some() {
            ", Guard(0)"
        } else {
            ""
        };
        let arg = p.arg;
        let _ = writeln!(
            out,
            "mod p{seed} {{\n\
             #![allow(unused, unreachable_code, unreachable_pub, unused_braces, unused_parens, missing_docs, clippy::all, clippy::pedantic)]\n\
             use super::*;\n\
             {co}\n{re}\n\
             pub fn run(kill: Option<usize>) -> (Vec<String>, Vec<String>) {{\n\
             let co = run_coroutine(|| main({arg}{guard}), {seed}, kill);\n\
             let re = run_reference(|ctx, first| main_ref(ctx, {arg}{guard}, first), {seed}, kill);\n\
             (co, re)\n\
             }}\n\
             pub const SOURCE: &str = r####\"{co}\"####;\n\
             }}\n\
             mod q{seed} {{\n\
             #![allow(unused, unreachable_code, unreachable_pub, unused_braces, unused_parens, missing_docs, clippy::all, clippy::pedantic)]\n\
             use super::*;\n\
             {pco}\n{pre}\n\
             pub fn run(kill: Option<usize>) -> (Vec<String>, Vec<String>) {{\n\
             let co = run_coroutine(|| main({arg}{guard}), {seed}, kill);\n\
             let re = run_reference(|ctx, first| main_ref(ctx, {arg}{guard}, first), {seed}, kill);\n\
             (co, re)\n\
             }}\n\
             pub const SOURCE: &str = r####\"{pco}\"####;\n\
             }}"
        );
    }
    if seeds.first() == Some(&0) && seeds.len() as u64 >= DEFAULT_COUNT {
        let missing: Vec<_> = generator::Prod::ALL
            .iter()
            .filter(|p| !covered.contains(p))
            .collect();
        assert!(
            missing.is_empty(),
            "the generated programs miss productions: {missing:?}"
        );
    }
    let _ = writeln!(
        out,
        "/// Every generated program: its seed, its coroutine source, and how to run both versions."
    );
    let _ = writeln!(out, "pub static PROGRAMS: &[Case] = &[");
    for seed in &seeds {
        let _ = writeln!(
            out,
            "    Case {{ seed: {seed}, pinned: false, source: p{seed}::SOURCE, run: p{seed}::run }},\n    Case {{ seed: {seed}, pinned: true, source: q{seed}::SOURCE, run: q{seed}::run }},"
        );
    }
    out.push_str("];\n");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("programs.rs");
    std::fs::write(path, out).expect("write programs.rs");
}
