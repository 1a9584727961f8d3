//! The procedural macros of [`coro`](https://docs.rs/coro): a thin shim over `coro-transform`,
//! which does all the work and can be called as an ordinary library.
//!
//! The macros are documented where users see them, in the `coro` crate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;

/// Rewrites a function whose body uses `suspend!` into a coroutine. See the `coro` crate.
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    coro_transform::expand_attribute(args.into(), item.into()).into()
}

/// Builds a coroutine from a block, capturing its environment by move. See the `coro` crate.
#[proc_macro]
pub fn coro(input: TokenStream) -> TokenStream {
    coro_transform::expand_inline(input.into()).into()
}
