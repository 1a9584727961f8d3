//! The ill-typed mode: generated programs with one defect inserted (ill-typed, ill-scoped, or
//! refused by the borrow checker, wherever it stands), compiled as coroutines of both lowerings
//! and as plain functions in one crate by rustc. A coroutine must be rejected exactly when its
//! plain function is: the transform must never accept what rustc refuses, nor refuse what it
//! accepts (a defect that a `cfg` configures out is accepted by both).
//!
//! `DIFFTEST_ILL_COUNT=N` (40 by default) and `DIFFTEST_ILL_START=S` select the seeds.
#![allow(missing_docs)]

use difftest::generator::{DEFECTS, generate};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The newest `lib{name}-*.rlib` in `dir`.
fn newest_rlib(dir: &Path, name: &str) -> PathBuf {
    let prefix = format!("lib{name}-");
    std::fs::read_dir(dir)
        .expect("the test's deps directory")
        .filter_map(Result::ok)
        .filter(|e| {
            let path = e.path();
            let stem = e.file_name().to_string_lossy().into_owned();
            stem.starts_with(&prefix) && path.extension().is_some_and(|x| x == "rlib")
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .unwrap_or_else(|| panic!("no {prefix}*.rlib in {}", dir.display()))
        .path()
}

/// Which part of the crate a line belongs to: `(seed, part)`.
type Parts = BTreeMap<usize, (u64, &'static str)>;

#[test]
fn ill_typed_variants_are_rejected_exactly_when_plain_rust_rejects_them() {
    let start = env_u64("DIFFTEST_ILL_START", 0);
    let count = env_u64("DIFFTEST_ILL_COUNT", 40);
    let mut src = String::from(
        "#![allow(unused, unreachable_code, unused_braces, unused_parens, unused_assignments, break_with_label_and_loop)]\n\
         use coro::{Coroutine as _, suspend, suspend_from};\n\
         use difftest::*;\n",
    );
    // The first line of each part, so that an error's line says whose it is.
    let mut parts: Parts = BTreeMap::new();
    let mut defects = BTreeMap::new();
    let mut line = src.lines().count() + 1;
    for seed in start..start + count {
        let (p, error) = generate(seed).with_defect(seed);
        defects.insert(seed, error);
        for (part, code) in [
            ("coroutine", p.coroutine_source()),
            ("pinned coroutine", p.pinned_source()),
            ("plain function", p.reference_source()),
        ] {
            let module = format!("mod m{seed}_{} {{\nuse super::*;\n{code}\n}}\n", part.len());
            parts.insert(line, (seed, part));
            line += module.lines().count();
            src.push_str(&module);
        }
    }
    let dir = std::env::temp_dir().join(format!("coro-difftest-ill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ill.rs");
    std::fs::write(&file, &src).unwrap();
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--emit",
            "metadata",
        ])
        .args(["--error-format", "json", "--crate-name", "ill"])
        .arg("-L")
        .arg(format!("dependency={}", deps.display()))
        .arg("--extern")
        .arg(format!("coro={}", newest_rlib(&deps, "coro").display()))
        .arg("--extern")
        .arg(format!(
            "difftest={}",
            newest_rlib(&deps, "difftest").display()
        ))
        .arg("--out-dir")
        .arg(&dir)
        .arg(&file)
        .output()
        .expect("rustc runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::remove_dir_all(&dir).ok();
    // Errors by part, from the primary span of each.
    let mut errors: BTreeMap<(u64, &str), Vec<String>> = BTreeMap::new();
    for json in stderr.lines() {
        if !json.contains("\"level\":\"error\"") || !json.contains("\"is_primary\":true") {
            continue;
        }
        let code = json
            .split("\"code\":{\"code\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("error")
            .to_owned();
        assert!(
            !matches!(
                code.as_str(),
                "E0460" | "E0461" | "E0463" | "E0464" | "E0514"
            ),
            "rustc could not load the crates the test was built with: {json}"
        );
        let Some(line) = json
            .split("\"is_primary\":true")
            .next()
            .and_then(|before| before.rsplit("\"line_start\":").next())
            .and_then(|r| r.split(',').next())
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        if let Some((_, &(seed, part))) = parts.range(..=line).next_back() {
            errors.entry((seed, part)).or_default().push(code);
        }
    }
    let mut wrong = Vec::new();
    for seed in start..start + count {
        let plain = errors.contains_key(&(seed, "plain function"));
        for part in ["coroutine", "pinned coroutine"] {
            let co = errors.get(&(seed, part));
            if co.is_some() != plain {
                let mut m = String::new();
                let _ = write!(
                    m,
                    "seed {seed}, {part}: {} where the plain function is {} (defect {})",
                    if co.is_some() { "rejected" } else { "accepted" },
                    if plain { "rejected" } else { "accepted" },
                    defects[&seed]
                );
                if wrong.len() < 2 {
                    let (p, _) = generate(seed).with_defect(seed);
                    let code = if part == "coroutine" {
                        p.coroutine_source()
                    } else {
                        p.pinned_source()
                    };
                    let _ = write!(m, "\n{code}");
                }
                wrong.push(m);
            }
        }
    }
    let rejected = (start..start + count)
        .filter(|s| errors.contains_key(&(*s, "plain function")))
        .count();
    assert!(
        rejected as u64 * 2 >= count,
        "only {rejected} of {count} plain functions were rejected: the defects do not work ({DEFECTS:?})\n{stderr:.2000}"
    );
    eprintln!(
        "{rejected} of {count} ill-typed programs rejected as plain functions, {} errors in all",
        errors.values().map(Vec::len).sum::<usize>()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
