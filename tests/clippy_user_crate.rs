//! Small user crates, built as users build them.
//!
//! One is linted with `cargo clippy --fix` and clippy's pedantic group: the code the macros
//! generate raises nothing, and what `--fix` rewrites still compiles. Another asks for
//! `current()`: without the `current` feature rustc says which feature it needs, and with it the
//! program runs.

use std::path::Path;
use std::process::Command;

const MANIFEST: &str = r#"[package]
name = "user"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
coro = { path = "CORO" }

[workspace]
"#;

const LIB: &str = r#"//! Coroutines as a user writes them.
use coro::{Coroutine, suspend, suspend_from};
use std::io;

/// Numbers that parse, with `?` statements in the body.
#[coro::coroutine(yield = u32)]
pub fn parsed(words: Vec<String>) -> Result<u32, std::num::ParseIntError> {
    let mut total = 0;
    for w in words {
        let n: u32 = w.parse()?;
        total += n;
        suspend!(n);
    }
    Ok(total)
}

/// Lines of a text, delegating and borrowing its own locals.
#[coro::coroutine(yield = String, pinned)]
pub fn lines(text: String) -> io::Result<usize> {
    let mut n = 0;
    for line in text.lines() {
        suspend!(line.to_owned());
        n += 1;
    }
    Ok(n)
}

/// A running sum fed by its resumer.
#[coro::coroutine(yield = u64, resume = u64)]
pub fn summing(_label: &'static str, #[resume] first: u64) -> u64 {
    let mut total = first;
    loop {
        let x = suspend!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

/// Delegation with `?` on what the delegate returns.
#[coro::coroutine(yield = u32)]
pub fn twice(words: Vec<String>) -> Result<u32, std::num::ParseIntError> {
    let a = suspend_from!(parsed(words.clone()))?;
    let b = suspend_from!(parsed(words))?;
    Ok(a + b)
}

/// Drives one.
#[must_use]
pub fn first_sum() -> u64 {
    let mut s = summing("sum");
    let _ = s.resume(1);
    match s.resume(0) {
        Err(coro::EarlyExit::Returned(v)) => v,
        _ => 0,
    }
}
"#;

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> (bool, String) {
    let out = cargo_output(dir, target, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), stderr)
}

fn cargo_output(dir: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn generated_code_is_clean_under_pedantic_and_fix_keeps_it_compiling() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clippy-user-crate");
    let dir = root.join("user");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let coro = env!("CARGO_MANIFEST_DIR").replace('\\', "/");
    std::fs::write(dir.join("Cargo.toml"), MANIFEST.replace("CORO", &coro)).unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB).unwrap();
    // The workspace's versions of every dependency, so that nothing is resolved anew.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let target = root.join("target");
    let lint = ["--", "-W", "clippy::pedantic", "-D", "warnings"];
    let (ok, stderr) = cargo(
        &dir,
        &target,
        &[&["clippy", "--offline", "--quiet"], &lint[..]].concat(),
    );
    assert!(ok, "clippy -W clippy::pedantic reported:\n{stderr}");
    let (ok, stderr) = cargo(
        &dir,
        &target,
        &[
            &[
                "clippy",
                "--offline",
                "--quiet",
                "--fix",
                "--allow-no-vcs",
                "--allow-dirty",
            ],
            &lint[..],
        ]
        .concat(),
    );
    assert!(ok, "clippy --fix failed:\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
        LIB,
        "clippy --fix rewrote the user's code"
    );
    let (ok, stderr) = cargo(&dir, &target, &["build", "--offline", "--quiet"]);
    assert!(
        ok,
        "the crate no longer builds after clippy --fix:\n{stderr}"
    );
}

const ASKER: &str = r#"use coro::suspend;

#[coro::coroutine(yield = &'static str)]
fn named() {
    suspend!(coro::current().map_or("none", |c| c.name()));
}

fn main() {
    print!("{}", named().next().unwrap());
}
"#;

#[test]
fn current_needs_its_feature_and_says_so() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("current-user-crate");
    let dir = root.join("asker");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let coro = env!("CARGO_MANIFEST_DIR").replace('\\', "/");
    std::fs::write(dir.join("src/main.rs"), ASKER).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let target = root.join("target");
    let manifest = MANIFEST
        .replace("CORO", &coro)
        .replace("\"user\"", "\"asker\"");

    std::fs::write(dir.join("Cargo.toml"), &manifest).unwrap();
    let (ok, stderr) = cargo(&dir, &target, &["check", "--offline", "--quiet"]);
    assert!(!ok, "current() compiled without its feature");
    assert!(
        stderr.contains("cannot find function `current` in crate `coro`")
            && stderr.contains("the item is gated behind the `current` feature"),
        "{stderr}"
    );

    let with_feature = manifest.replace(
        &format!("coro = {{ path = \"{coro}\" }}"),
        &format!("coro = {{ path = \"{coro}\", features = [\"current\"] }}"),
    );
    assert_ne!(with_feature, manifest);
    std::fs::write(dir.join("Cargo.toml"), &with_feature).unwrap();
    let out = cargo_output(&dir, &target, &["run", "--offline", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "named");
}
