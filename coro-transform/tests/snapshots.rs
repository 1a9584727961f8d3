//! Expansion snapshots: each `tests/expand/<name>.rs` holds one `#[coroutine]` function; its
//! expansion, formatted, is checked in next to it as `<name>.expanded.rs` and compared here.
//!
//! After an intended change to the generated code, regenerate with
//! `CORO_BLESS=1 cargo test -p coro-transform --test snapshots` and review the diff like code.

use std::fs;
use std::path::Path;

fn expand(source: &str) -> String {
    let file: syn::File = syn::parse_str(source).expect("snapshot input parses");
    let mut out = String::new();
    for item in file.items {
        let syn::Item::Fn(mut func) = item else {
            panic!("snapshot inputs hold functions")
        };
        let pos = func.attrs.iter().position(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "coroutine")
        });
        let attr = func.attrs.remove(pos.expect("a #[coroutine] attribute"));
        let args = match attr.meta {
            syn::Meta::List(list) => list.tokens,
            _ => proc_macro2::TokenStream::new(),
        };
        let tokens =
            coro_transform::expand_attribute(args, quote::ToTokens::to_token_stream(&func));
        let expanded: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
        out.push_str(&prettyplease::unparse(&expanded));
    }
    out
}

#[test]
fn expansions_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("CORO_BLESS").is_some();
    let mut failures = Vec::new();
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "rs")
                && !p.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no snapshot inputs");
    for input in inputs {
        let expected_path = input.with_extension("expanded.rs");
        let actual = expand(&fs::read_to_string(&input).expect("readable input"));
        if bless {
            fs::write(&expected_path, &actual).expect("writable snapshot");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("{}:\n{actual}", expected_path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "expansions differ from their snapshots (CORO_BLESS=1 to update):\n{}",
        failures.join("\n")
    );
}

/// Prints the expansion of the file named by `CORO_EXPAND`, for debugging the transform:
/// `CORO_EXPAND=body.rs cargo test -p coro-transform --test snapshots show -- --nocapture`.
#[test]
fn show() {
    if let Some(path) = std::env::var_os("CORO_EXPAND") {
        println!(
            "{}",
            expand(&fs::read_to_string(path).expect("readable input"))
        );
    }
}
