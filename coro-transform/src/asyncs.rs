//! The `async` lowering: an `async fn` (or `coro!` block) whose body may `.await` and
//! `suspend!`, as a `Stream` of what it suspends with.
//!
//! As in the `pinned` lowering, the body becomes an `async move` block, which rustc's own
//! transform turns into a pinned state machine; the user's `.await`s stay as written, and each
//! suspension is an `.await` of the runtime's `Yield`. `return` and `?` stay as written too.
//!
//! ```text
//! // Input:
//! #[coroutine(yield = Y, async)]
//! async fn f(a: A) -> T { ..x.await.. ..suspend!(v).. ..suspend_from!(s).. }
//!
//! // Output:
//! fn f(a: A) -> impl FusedStream<Item = Y> + Debug {
//!     let port = /* as in the `pinned` lowering: a thread-local of its own, or a shared lock */;
//!     async_gen::<Y, T, _, _>(&Meta { name: "f" }, port.clone(), async move {
//!         let port = port;
//!         let a = a;
//!         ..x.await..
//!         ..stream_yield(&port, v).await..       // pending once with `v` in the port, then `()`
//!         ..{                                    // delegation to a stream or a coroutine
//!             let mut d = pin!(async_delegation(s));
//!             loop {
//!                 match next_step(d.as_mut()).await {
//!                     Step::Yield(y) => stream_yield(&port, y).await,
//!                     Step::Return(v) => break v,
//!                     Step::Ended => match port.end().await {},
//!                 }
//!             }
//!         }..
//!     })
//! }
//! ```
//!
//! The runtime side is `coro_core::__private::AsyncGen`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, FnArg, Ident, Macro, Pat, Token, Type};

use crate::args::Options;
use crate::error::Errors;
use crate::lower::ParamIn;
use crate::pinned::Lowering;
use crate::prepare::{self, SuspendMacro};

/// What the async expansion needs.
pub(crate) struct AsyncExpansion<'a> {
    pub(crate) krate: &'a syn::Path,
    pub(crate) yield_ty: &'a Type,
    pub(crate) resume_ty: &'a Type,
    /// Resumed with `()`: a `Stream`.
    pub(crate) resume_is_unit: bool,
    /// The return type; `None` in `coro!` without `return = T` (inferred).
    pub(crate) return_ty: Option<&'a Type>,
    pub(crate) name: &'a str,
}

fn port() -> Ident {
    Ident::new("__coro_port", Span::mixed_site())
}

/// Checks the options and the signature of an async coroutine. Reports the `async` option on a
/// function that is not `async fn`, and what is not supported with it.
pub(crate) fn check(sig: Option<&syn::Signature>, errors: &mut Errors) {
    if let Some(sig) = sig
        && sig.asyncness.is_none()
    {
        errors.error(
            sig.fn_token.span,
            format!(
                "the `async` option is for an `async fn`: write `async fn {}(..)`, or remove `async` from the options",
                sig.ident
            ),
        );
    }
}

/// The clippy lints the expansion of an async coroutine raises at the user's code but that are
/// not the user's to fix.
fn allows() -> TokenStream {
    quote!(#[allow(clippy::async_yields_async)])
}

/// A function with the `async` option: the signature without `async`, returning a stream.
pub(crate) fn expand_fn(
    mut func: syn::ItemFn,
    options: &Options,
    return_ty: &Type,
    params: Vec<ParamIn>,
    mut inputs: Punctuated<FnArg, Token![,]>,
    mut block: syn::Block,
    mut errors: Errors,
) -> TokenStream {
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, false)
        .checks_only()
        .allowing_await();
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    // The `async` block captures `self` itself, as written (`mut self` included).
    if let (Some(FnArg::Receiver(original)), Some(FnArg::Receiver(r))) =
        (func.sig.inputs.first(), inputs.first_mut())
    {
        *r = original.clone();
    }
    func.sig.inputs = inputs;
    func.sig.asyncness = None;
    let name = options.name_or(&func.sig.ident.to_string());
    let resume_ty = options.resume_ty();
    let expansion = AsyncExpansion {
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        resume_is_unit: options.resume_is_unit(),
        return_ty: Some(return_ty),
        name: &name,
    };
    let body = expansion.expand(&params, block, &mut errors);
    if !errors.is_empty() {
        return crate::fallback(&func, Some(options), return_ty, &errors, &used);
    }
    let allows = allows();
    func.attrs.push(syn::parse_quote!(#allows));
    crate::emit_fn(&func, options, return_ty, &quote!({ #used #body }))
}

/// A `coro!` block with the `async` option: its `async move` block captures what it uses.
pub(crate) fn expand_inline(
    first: Option<&Pat>,
    mut block: syn::Block,
    options: &Options,
    mut errors: Errors,
) -> TokenStream {
    check(None, &mut errors);
    if let Some(first) = first
        && options.resume_is_unit()
    {
        errors.error_spanned(
            first,
            "an async `coro!` block resumed with `()` is a `Stream`, which has no first resume value: remove `|..|`",
        );
    }
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, false)
        .checks_only()
        .allowing_await();
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    let name = options.name_or("coro");
    let resume_ty = options.resume_ty();
    let expansion = AsyncExpansion {
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        resume_is_unit: options.resume_is_unit(),
        return_ty: options.return_ty.as_ref(),
        name: &name,
    };
    // `move |first| { .. }`: the first resume value, bound at the start of the body.
    let params: Vec<ParamIn> = first
        .filter(|_| !options.resume_is_unit())
        .map(|pat| ParamIn {
            pat: pat.clone(),
            ty: None,
            arg: Ident::new("__coro_first", Span::mixed_site()),
            is_resume: true,
            is_reference: false,
        })
        .into_iter()
        .collect();
    let body = expansion.expand(&params, block, &mut errors);
    let krate = &options.krate;
    if !errors.is_empty() {
        let errors = errors.to_compile_errors();
        let y = &options.yield_ty;
        if options.resume_is_unit() {
            return quote!({ #errors #used #krate::__private::never_stream::<#y>() });
        }
        return quote!({ #errors #used #krate::__private::never_async::<#resume_ty, #y, _>() });
    }
    quote!({ #used #body })
}

/// The stream type a function with the `async` option returns.
pub(crate) fn return_impl(options: &Options, return_ty: &Type) -> TokenStream {
    let krate = &options.krate;
    let y = &options.yield_ty;
    if !options.resume_is_unit() {
        let r = options.resume_ty();
        return quote!(impl #krate::AsyncResume<#r, Yield = #y, Return = #return_ty> + ::core::fmt::Debug);
    }
    // `AsyncCoroutine` is a `FusedStream`, which is a `Stream`: naming them too would be
    // clippy's `implied_bounds_in_impls`.
    quote!(impl #krate::AsyncCoroutine<Item = #y> + ::core::fmt::Debug)
}

impl AsyncExpansion<'_> {
    /// The function body (or `coro!` block) for `block`, whose suspension points `prepare` has
    /// checked; `params` bind the arguments inside the block.
    pub(crate) fn expand(
        &self,
        params: &[ParamIn],
        mut block: syn::Block,
        errors: &mut Errors,
    ) -> TokenStream {
        let mut rewrite = Rewrite { x: self, errors };
        rewrite.visit_block_mut(&mut block);
        let port = port();
        let krate = self.krate;
        let y = self.yield_ty;
        let t = self
            .return_ty
            .map_or_else(|| quote!(_), ToTokens::to_token_stream);
        let t_span = self.return_ty.map_or_else(Span::call_site, Spanned::span);
        // As in the `pinned` lowering; a stream takes no resume value, and a coroutine resumed
        // with values has a `#[resume]` parameter (checked with the signature).
        let (capture_order, binds) = crate::pinned::bind_params(params, krate, false);
        let stmts = &block.stmts;
        let name = self.name;
        // Spanned at the return type, so that a return type the stream cannot end with is
        // reported there.
        let r = self.resume_ty;
        let build = if self.resume_is_unit {
            quote_spanned!(t_span=> #krate::__private::async_gen::<#y, #t, _, _>)
        } else {
            quote_spanned!(t_span=> #krate::__private::async_co::<#r, #y, #t, _, _>)
        };
        let make_port = crate::pinned::port_decl(krate, y, r);
        quote! {
            #make_port
            #build(
                &#krate::__private::Meta { name: #name },
                ::core::clone::Clone::clone(&#port),
                async move {
                    #capture_order
                    let #port = #port;
                    #(#binds)*
                    #(#stmts)*
                },
            )
        }
    }

    /// `suspend!(value)`: in a stream, pending once with the item; in a coroutine resumed
    /// with values, the next resume value.
    fn suspend(&self, value: Expr, span: Span) -> Expr {
        let port = port();
        // At the user's `suspend!`, so that an error about the suspension is reported there.
        let krate = prepare::located_at(self.krate.to_token_stream(), span);
        let y = self.yield_ty;
        let value = quote_spanned!(Span::call_site().located_at(value.span())=> #krate::__private::Yielded::<#y> { value: #value }.value);
        if self.resume_is_unit {
            syn::parse_quote_spanned!(span=> #krate::__private::stream_yield(&#port, #value).await)
        } else {
            syn::parse_quote_spanned!(span=> #krate::__private::Hand::suspend(&#port, #value).await)
        }
    }

    /// `suspend_from!(delegate)` or `suspend_from!(delegate, first)` in a coroutine resumed
    /// with values: a coroutine or an async coroutine of the same resume type.
    fn delegate_resumed(&self, coro: Expr, first: Option<Expr>, span: Span) -> Expr {
        let krate = self.krate;
        let port = port();
        let r = crate::prepare::respanned(self.resume_ty.to_token_stream(), coro.span());
        let first = first.unwrap_or_else(
            || syn::parse_quote_spanned!(span=> <_ as #krate::__private::FirstResume>::first()),
        );
        let [running, arg, yielded, value] = ["__coro_d", "__coro_a", "__coro_y", "__coro_v"]
            .map(|name| Ident::new(name, Span::mixed_site()));
        let delegate = Ident::new("__coro_c", Span::mixed_site().located_at(coro.span()));
        let delegation = quote_spanned!(coro.span()=>
            #krate::__private::resume_delegation::<#r, _, _>(#delegate)
        );
        syn::parse_quote_spanned! {span=> {
            let #delegate = #coro;
            let mut #arg = ::core::option::Option::Some(#first);
            let mut #running = #delegation;
            loop {
                match #krate::__private::next_resume_step(&mut #running, &mut #arg).await {
                    #krate::__private::Step::Yield(#yielded) => {
                        #arg = ::core::option::Option::Some(#krate::__private::Hand::suspend(&#port, #yielded).await);
                    }
                    #krate::__private::Step::Return(#value) => break #value,
                    #krate::__private::Step::Ended => match #krate::__private::Hand::end(&#port).await {},
                }
            }
        }}
    }

    /// `suspend_from!(delegate)`: another async coroutine, a `Stream`, or a coroutine resumed
    /// with `()`.
    fn delegate(&self, coro: Expr, span: Span) -> Expr {
        let krate = self.krate;
        let port = port();
        let [running, yielded, value] =
            ["__coro_d", "__coro_y", "__coro_v"].map(|name| Ident::new(name, Span::mixed_site()));
        // At the user's expression, so that what cannot be delegated to is reported there.
        let delegate = Ident::new("__coro_c", Span::mixed_site().located_at(coro.span()));
        let delegation = quote_spanned!(coro.span()=>
            #krate::__private::async_delegation(#delegate)
        );
        syn::parse_quote_spanned! {span=> {
            let #delegate = #coro;
            let mut #running = ::core::pin::pin!(#delegation);
            loop {
                match #krate::__private::next_step(::core::pin::Pin::as_mut(&mut #running)).await {
                    #krate::__private::Step::Yield(#yielded) => #krate::__private::stream_yield(&#port, #yielded).await,
                    #krate::__private::Step::Return(#value) => break #value,
                    #krate::__private::Step::Ended => match #krate::__private::Hand::end(&#port).await {},
                }
            }
        }}
    }
}

/// Rewrites the suspension macros of a body into `.await`s.
struct Rewrite<'a, 'e> {
    x: &'a AsyncExpansion<'a>,
    errors: &'e mut Errors,
}

impl Lowering for Rewrite<'_, '_> {
    fn lower(&mut self, mac: &Macro) -> Option<Expr> {
        let kind = SuspendMacro::of(mac)?;
        let span = mac.path.span();
        let Ok(args) = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            mac.tokens.clone(),
        ) else {
            return Some(syn::parse_quote!(())); // reported by `prepare`
        };
        let mut args: Vec<Expr> = args.into_iter().collect();
        for a in &mut args {
            self.visit_expr_mut(a);
        }
        let mut args = args.into_iter();
        Some(match kind {
            SuspendMacro::Suspend => {
                let value = args
                    .next()
                    .unwrap_or_else(|| syn::parse_quote_spanned!(span=> ()));
                if args.next().is_some() {
                    self.errors.error_spanned(
                        &mac.tokens,
                        "`suspend!` takes one value: `suspend!(value)`, or `suspend!()` for `()`",
                    );
                }
                self.x.suspend(value, span)
            }
            SuspendMacro::SuspendFrom => {
                let Some(coro) = args.next() else {
                    self.errors.error(span, "`suspend_from!` in an async coroutine takes a stream or a coroutine: `suspend_from!(s)`");
                    return Some(syn::parse_quote!(()));
                };
                if !self.x.resume_is_unit {
                    return Some(self.x.delegate_resumed(coro, args.next(), span));
                }
                if let Some(extra) = args.next() {
                    self.errors.error_spanned(&extra, "`suspend_from!` in an async coroutine takes one stream or coroutine, resumed with `()`: remove the first resume value");
                }
                self.x.delegate(coro, span)
            }
        })
    }
}

impl VisitMut for Rewrite<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // `prepare` reported any suspension point in these.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Macro(m) => match self.lower(&m.mac) {
                Some(lowered) => *expr = lowered,
                None => self.lower_in_macro(&mut m.mac),
            },
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(m) = stmt
            && let Some(lowered) = self.lower(&m.mac)
        {
            *stmt = syn::Stmt::Expr(lowered, m.semi_token);
            return;
        }
        syn::visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        self.lower_in_macro(mac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(block: syn::Block) -> String {
        let mut errors = Errors::default();
        let x = AsyncExpansion {
            krate: &syn::parse_quote!(::coro),
            yield_ty: &syn::parse_quote!(u32),
            resume_ty: &syn::parse_quote!(()),
            resume_is_unit: true,
            return_ty: None,
            name: "f",
        };
        let out = x.expand(&[], block, &mut errors).to_string();
        assert!(errors.is_empty());
        out
    }

    #[test]
    fn suspensions_become_yields_and_awaits_stay() {
        let out = expand(syn::parse_quote!({
            let n = read().await;
            suspend!(n);
            suspend_from!(other(n));
        }));
        assert!(out.contains("read () . await"), "{out}");
        assert!(
            out.contains(
                "stream_yield (& __coro_port , :: coro :: __private :: Yielded :: < u32 > { value : n } . value) . await"
            ),
            "{out}"
        );
        assert!(out.contains("async_delegation (__coro_c)"), "{out}");
        assert!(out.contains("thread_local !"), "{out}");
        assert!(!out.contains("suspend !"), "{out}");
    }

    #[test]
    fn closures_and_async_blocks_are_left_alone() {
        let out = expand(syn::parse_quote!({
            let f = async { suspend!(1) };
        }));
        assert!(out.contains("async { suspend ! (1) }"), "{out}");
    }
}
