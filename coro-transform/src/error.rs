//! Collects every error of an expansion, so the user sees all of them at once.

use proc_macro2::{Span, TokenStream};
use std::fmt::Display;

/// An accumulator of `syn::Error`s, reported together as `compile_error!`s.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
    /// A `#[cfg(..)]` every reported error stands under (see `cfg`).
    gate: TokenStream,
}

impl Errors {
    /// An accumulator whose errors are reported under `gate`, a `#[cfg(..)]`.
    pub(crate) fn gated(gate: TokenStream) -> Self {
        Errors {
            errors: Vec::new(),
            gate,
        }
    }

    /// Records an error at `span`.
    pub(crate) fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// Records an error spanning `tokens` (its first to its last token, where rustc allows).
    pub(crate) fn error_spanned(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error that is already a `syn::Error`.
    pub(crate) fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors as `compile_error!` invocations.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        let gate = &self.gate;
        self.errors
            .iter()
            .map(|e| {
                let e = e.to_compile_error();
                quote::quote!(#gate #e)
            })
            .collect()
    }
}
