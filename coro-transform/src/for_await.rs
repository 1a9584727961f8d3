//! `for await pat in stream { .. }`: the loop over a `Stream` of async-stream and nightly
//! `async gen` blocks. It is not stable Rust: rustc rejects it as experimental even inside an
//! attribute's input, before this crate sees it. So each such loop gets this crate's message,
//! which says what to write instead, and is rewritten into that, so that the rest of the body
//! is still checked as it would be once the loop is fixed:
//!
//! ```text
//! 'l: for await pat in stream { body }
//!
//! // becomes
//! {
//!     let mut __coro_stream = ::core::pin::pin!(stream);
//!     'l: while let ::core::option::Option::Some(pat) =
//!         ::coro::__private::next_item(&mut __coro_stream).await { body }
//! }
//! ```

use proc_macro2::{Delimiter, Ident, Spacing, Span, TokenStream, TokenTree};

use crate::prepare::regroup;
use quote::{ToTokens, quote_spanned};

/// What to write instead of `for await`.
pub(crate) const MESSAGE: &str = "`for await` is not stable Rust: write `while let Some(x) = stream.next().await { .. }`, with `StreamExt` from `futures` or `tokio-stream` in scope (an async coroutine is a `Stream` too)";

/// `tokens` with every `for await` loop in them rewritten, inside groups too, and where each
/// one was (its `await`).
pub(crate) fn rewrite(tokens: TokenStream, krate: &syn::Path) -> (TokenStream, Vec<Span>) {
    let mut found = Vec::new();
    let tokens = rewrite_into(tokens, krate, &mut found);
    (tokens, found)
}

fn rewrite_into(tokens: TokenStream, krate: &syn::Path, found: &mut Vec<Span>) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some((rewritten, next)) = for_await(&trees, i, &mut out, krate, found) {
            out.extend(rewritten);
            i = next;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) => out.push(regroup(g, rewrite_into(g.stream(), krate, found))),
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

fn is_ident(tree: Option<&TokenTree>, name: &str) -> bool {
    matches!(tree, Some(TokenTree::Ident(ident)) if ident == name)
}

/// The loop that starts at `trees[i]`, if it is a `for await` loop, and the index after it. A
/// label before it (already in `out`) moves onto the `while`.
fn for_await(
    trees: &[TokenTree],
    i: usize,
    out: &mut Vec<TokenTree>,
    krate: &syn::Path,
    found: &mut Vec<Span>,
) -> Option<(TokenStream, usize)> {
    if !is_ident(trees.get(i), "for") {
        return None;
    }
    let Some(TokenTree::Ident(await_)) = trees.get(i + 1) else {
        return None;
    };
    if await_ != "await" {
        return None;
    }
    // The pattern runs to the first `in` outside groups, the stream to the first braces
    // outside groups (a `for` expression cannot be a struct literal).
    let pat_start = i + 2;
    let pat_end = (pat_start..trees.len()).find(|&j| is_ident(trees.get(j), "in"))?;
    let body_at = (pat_end + 1..trees.len())
        .find(|&j| matches!(&trees[j], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))?;
    if pat_end == pat_start || body_at == pat_end + 1 {
        return None; // left for `syn` to report
    }
    let pat: TokenStream = trees[pat_start..pat_end].iter().cloned().collect();
    found.push(await_.span());
    let stream = rewrite_into(
        trees[pat_end + 1..body_at].iter().cloned().collect(),
        krate,
        found,
    );
    let TokenTree::Group(body) = &trees[body_at] else {
        return None;
    };
    let body = regroup(body, rewrite_into(body.stream(), krate, found));
    let label = take_label(out);
    let for_span = trees[i].span();
    let name = Ident::new("__coro_stream", Span::mixed_site().located_at(for_span));
    let await_ = Ident::new("await", await_.span());
    let pin = quote_spanned!(for_span=> ::core::pin::pin!);
    let krate = crate::prepare::respanned(krate.to_token_stream(), for_span);
    let next = quote_spanned!(for_span=> #krate::__private::next_item);
    let while_ = Ident::new("while", for_span);
    let tokens = quote_spanned! {for_span=>
        {
            let mut #name = #pin(#stream);
            #label #while_ let ::core::option::Option::Some(#pat) = #next(&mut #name).#await_ #body
        }
    };
    Some((tokens, body_at + 1))
}

/// A loop label at the end of `out` (`'l:`), taken out of it.
fn take_label(out: &mut Vec<TokenTree>) -> TokenStream {
    let n = out.len();
    let is_label = n >= 3
        && matches!(&out[n - 3], TokenTree::Punct(p) if p.as_char() == '\'' && p.spacing() == Spacing::Joint)
        && matches!(out[n - 2], TokenTree::Ident(_))
        && matches!(&out[n - 1], TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Alone);
    if is_label {
        out.drain(n - 3..).collect()
    } else {
        TokenStream::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn rewritten(tokens: TokenStream) -> String {
        rewrite(tokens, &syn::parse_quote!(::coro)).0.to_string()
    }

    #[test]
    fn a_for_await_loop_becomes_a_while_let_over_the_pinned_stream() {
        let out = rewritten(quote!(for await (i, x) in numbers(3).enumerate() {
            suspend!(x);
        }));
        assert_eq!(
            out,
            quote!({
                let mut __coro_stream = ::core::pin::pin!(numbers(3).enumerate());
                while let ::core::option::Option::Some((i, x)) =
                    ::coro::__private::next_item(&mut __coro_stream).await
                {
                    suspend!(x);
                }
            })
            .to_string()
        );
    }

    #[test]
    fn the_label_moves_onto_the_loop_and_nested_loops_are_rewritten() {
        let out = rewritten(
            quote!(let n = 1; 'outer: for await a in s { for await b in t(a) { continue 'outer; } }),
        );
        assert!(out.starts_with("let n = 1 ; { let mut __coro_stream = :: core :: pin :: pin ! (s) ; 'outer : while let"), "{out}");
        assert_eq!(out.matches("while let").count(), 2, "{out}");
        let (_, found) = rewrite(
            quote!('outer: for await a in s {
                for await b in t(a) {}
            }),
            &syn::parse_quote!(::coro),
        );
        assert_eq!(found.len(), 2);
        assert!(!out.contains("for await"), "{out}");
    }

    #[test]
    fn other_loops_and_an_incomplete_for_await_are_left_alone() {
        let plain = quote!(for x in v { f(x).await; } for await in s {});
        assert_eq!(rewritten(plain.clone()), plain.to_string());
    }
}
