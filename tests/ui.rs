//! Compile-fail tests: each misuse of `#[coroutine]`, `coro!` and `suspend!` gives an error at
//! the user's own code that says what to do instead. `TRYBUILD=overwrite` regenerates the
//! expected `.stderr` files after an intended change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
