//! The `pinned` lowering: the body as an `async` block, which rustc's own transform turns into a
//! pinned state machine that may hold borrows of its own locals across a suspension.
//!
//! It shares the options, the signature handling and the checks of `prepare` with the default
//! lowering; only what comes after differs. `return` and `?` stay as written, since returning
//! from the block is returning from the coroutine, and so does `self`.
//!
//! ```text
//! // Input:
//! #[coroutine(yield = Y, resume = R, pinned)]
//! fn f(a: A, #[resume] first: R) -> T { ..suspend!(v).. ..suspend_from!(c).. }
//!
//! // Output:
//! fn f(a: A) -> impl Coroutine<R, Yield = Y, Return = T> {
//!     thread_local! {                           // when `Y` and `R` can be named in a `static`;
//!         static PORT: Port<Y, R> = const { Port::empty() };
//!     }
//!     let port = &PORT;                         //   else `let port = Port::<Y, R>::shared();`
//!     pinned::<R, Y, T, _, _>(&Meta { name: "f" }, port.clone(), async move {
//!         let port = port;
//!         let a = a;
//!         let first = port.resumed();          // the first resume value
//!         ..port.suspend(v).await..             // pending once with `v`, then the next resume value
//!         ..{                                   // delegation: resume `c` until it returns,
//!             let mut d = Delegation::new(c);   //   suspending with each value it yields
//!             let mut arg = ();
//!             loop {
//!                 match d.resume(arg) {
//!                     Ok(y) => arg = port.suspend(y).await,
//!                     Err(Returned(v)) => break v,
//!                     Err(_) => match port.end().await {},  // an ended delegate: end as if killed
//!                 }
//!             }
//!         }..
//!     })
//! }
//! ```
//!
//! The runtime side, and the invariant that the body awaits nothing but its suspensions, is
//! `coro_core::__private::Pinned`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Macro, Pat, Token, Type};

use crate::error::Errors;
use crate::lower::ParamIn;
use crate::prepare::{
    SuspendMacro, is_nested_coroutine_macro, map_suspensions, parenthesized, tokens_suspend,
};

/// What the pinned expansion needs.
pub(crate) struct PinnedExpansion<'a> {
    pub(crate) krate: &'a syn::Path,
    pub(crate) yield_ty: &'a Type,
    pub(crate) resume_ty: &'a Type,
    /// The return type; `None` in `coro!` without `return = T` (inferred).
    pub(crate) return_ty: Option<&'a Type>,
    pub(crate) name: &'a str,
    pub(crate) resume_is_unit: bool,
}

fn port() -> Ident {
    Ident::new("__coro_port", Span::mixed_site())
}

impl PinnedExpansion<'_> {
    /// The function body (or `coro!` block) for `block`, whose suspension points `prepare` has
    /// checked; `params` bind the arguments (and the first resume value) inside the block.
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
        let (y, r) = (self.yield_ty, self.resume_ty);
        let t = self
            .return_ty
            .map_or_else(|| quote!(_), ToTokens::to_token_stream);
        let (capture_order, binds) = bind_params(params, krate, true);
        // The body's statements go straight into the block, so that its braces are not a
        // block around a block (rustc's `unused_braces`).
        let stmts = &block.stmts;
        let name = self.name;
        let make_port = port_decl(krate, y, r);
        quote! {
            #make_port
            #krate::__private::pinned::<#r, #y, #t, _, _>(
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

    /// `suspend!(value)`.
    fn suspend(&self, value: Expr, span: Span) -> Expr {
        let port = port();
        // At the user's `suspend!`, so that an error about the suspension is reported there.
        let krate = crate::prepare::located_at(self.krate.to_token_stream(), span);
        let y = self.yield_ty;
        let value = quote_spanned!(Span::call_site().located_at(value.span())=> #krate::__private::Yielded::<#y> { value: #value }.value);
        syn::parse_quote_spanned!(span=> #krate::__private::Hand::suspend(&#port, #value).await)
    }

    /// `suspend_from!(coro)` or `suspend_from!(coro, first)`.
    fn delegate(&self, coro: Expr, first: Option<Expr>, span: Span) -> Expr {
        let krate = self.krate;
        let resume_ty = crate::prepare::respanned(self.resume_ty.to_token_stream(), coro.span());
        let port = port();
        let first = first.unwrap_or_else(|| {
            if self.resume_is_unit {
                syn::parse_quote!(())
            } else {
                syn::parse_quote_spanned!(span=> <_ as #krate::__private::FirstResume>::first())
            }
        });
        let [running, arg, yielded, value] = ["__coro_d", "__coro_a", "__coro_y", "__coro_v"]
            .map(|name| Ident::new(name, Span::mixed_site()));
        // Located at the user's expression, so that what is wrong with the delegate is
        // reported there.
        let delegate = Ident::new("__coro_c", Span::mixed_site().located_at(coro.span()));
        let yield_ty = crate::prepare::respanned(self.yield_ty.to_token_stream(), coro.span());
        let here = crate::prepare::respanned(krate.to_token_stream(), coro.span());
        let delegation = quote_spanned!(coro.span()=>
            #here::__private::delegation::<#resume_ty, #yield_ty, _>(#delegate)
        );
        // At the user's expression too: a delegate that is not a coroutine is reported there,
        // and only once, since rustc drops a second error that is the same at the same place.
        // The delegation too: rustc reports at the argument whose type is wrong.
        let running_here = Ident::new(&running.to_string(), running.span().located_at(coro.span()));
        let resume = quote_spanned!(coro.span()=>
            #here::__private::Delegation::resume(
                &mut #running_here,
                ::core::option::Option::Some(#arg),
                #here::__private::Mode::Top,
            )
        );
        // The delegation starts once its first resume value is there: a kill while that value
        // is being computed drops the coroutine without killing it, as in the default lowering.
        syn::parse_quote_spanned! {span=> {
            let #delegate = #coro;
            let mut #arg = #first;
            let mut #running = #delegation;
            loop {
                match #resume {
                    #krate::__private::Delegated::Yield(#yielded) => #arg = #krate::__private::Hand::suspend(&#port, #yielded).await,
                    #krate::__private::Delegated::Returned(#value) => break #value,
                    _ => match #krate::__private::Hand::end(&#port).await {},
                }
            }
        }}
    }
}

/// The first statements of an `async` body: `capture_order`, which makes the block capture the
/// arguments last to first (a block that never ran drops its captures in the order it first
/// names them, and an unstarted coroutine must drop them as a function drops its parameters),
/// and the bindings of the parameters' patterns, the `#[resume]` one from the port. With
/// `take_first`, a body without a `#[resume]` parameter still takes its first resume value
/// (`()`), which the resumer puts in the port.
pub(crate) fn bind_params(
    params: &[ParamIn],
    krate: &syn::Path,
    take_first: bool,
) -> (Option<TokenStream>, Vec<TokenStream>) {
    let port = port();
    let mut binds = Vec::new();
    let mut first_bound = false;
    for (i, p) in params.iter().enumerate() {
        if p.arg == "self" {
            // Captured as written, and kept to the end of the body.
            let this = &p.arg;
            binds.push(quote!(let _ = &#this;));
            continue;
        }
        let pat = match &p.pat {
            // `_` keeps the argument to the end of the body, as in a function.
            Pat::Wild(w) => Pat::Ident(syn::PatIdent {
                attrs: Vec::new(),
                by_ref: None,
                mutability: None,
                ident: Ident::new(
                    &format!("__coro_p{i}"),
                    Span::mixed_site().located_at(w.span()),
                ),
                subpat: None,
            }),
            other => other.clone(),
        };
        if p.is_resume {
            first_bound = true;
            binds.push(quote!(let #pat = #krate::__private::Hand::resumed(&#port);));
        } else {
            let arg = &p.arg;
            binds.push(quote!(let #pat = #arg;));
        }
    }
    if take_first && !first_bound {
        binds.push(quote!(let () = #krate::__private::Hand::resumed(&#port);));
    }
    let args: Vec<&Ident> = params
        .iter()
        .filter(|p| !p.is_resume)
        .map(|p| &p.arg)
        .collect();
    let capture_order = (!args.is_empty()).then(|| {
        let rev = args.iter().rev();
        quote!(let _ = (#(&#rev,)*);)
    });
    (capture_order, binds)
}

/// The port of a pinned or async coroutine, bound to `__coro_port`: a thread-local of its own when
/// the yield and resume types can be named in a `static`, else a shared lock (see
/// `coro_core::__private::Hand`).
pub(crate) fn port_decl(krate: &syn::Path, y: &Type, r: &Type) -> TokenStream {
    let port = port();
    if closed_type(y) && closed_type(r) {
        // Reached through a type of its own, not a `&LocalKey`: a call through the key's
        // accessor pointer would cost each hand-off an indirect call that cannot be inlined.
        let key = Ident::new("__CORO_PORT", Span::mixed_site());
        let hand = Ident::new("__CoroPort", Span::mixed_site());
        quote! {
            ::std::thread_local! {
                static #key: #krate::__private::Port<#y, #r> = const { #krate::__private::Port::empty() };
            }
            #[derive(::core::clone::Clone, ::core::marker::Copy)]
            struct #hand;
            impl #krate::__private::Hand<#y, #r> for #hand {
                #[inline]
                fn with_port<__T>(
                    &self,
                    f: impl ::core::ops::FnOnce(&#krate::__private::Port<#y, #r>) -> __T,
                ) -> __T {
                    #key.with(f)
                }
            }
            let #port = #hand;
        }
    } else {
        quote!(let #port = #krate::__private::Port::<#y, #r>::shared();)
    }
}

/// Whether a type can be named in a `static` inside the function whatever generic parameters
/// surround it: built only of primitive and prelude types, paths through a module (`io::Error`,
/// `crate::Token`: a generic parameter is one identifier), tuples and arrays of literal length.
/// A single capitalized identifier may be a generic parameter of an enclosing `impl`, which the
/// attribute cannot see, so it is not closed.
pub(crate) fn closed_type(ty: &Type) -> bool {
    const NAMES: &[&str] = &[
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "String", "Vec", "Option", "Result", "Box",
    ];
    match ty {
        Type::Paren(p) => closed_type(&p.elem),
        Type::Group(g) => closed_type(&g.elem),
        Type::Tuple(t) => t.elems.iter().all(closed_type),
        Type::Array(a) => matches!(&a.len, Expr::Lit(_)) && closed_type(&a.elem),
        Type::Path(p) if p.qself.is_none() => {
            let segments = &p.path.segments;
            let first = segments[0].ident.to_string();
            let through_module = p.path.leading_colon.is_some()
                || (segments.len() > 1
                    && first != "Self"
                    && first.starts_with(|c: char| c.is_ascii_lowercase()));
            let named = through_module || (segments.len() == 1 && NAMES.contains(&first.as_str()));
            named
                && segments.iter().all(|s| match &s.arguments {
                    syn::PathArguments::None => true,
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().all(|arg| match arg {
                        syn::GenericArgument::Type(t) => closed_type(t),
                        _ => false,
                    }),
                    syn::PathArguments::Parenthesized(_) => false,
                })
        }
        _ => false,
    }
}

/// What the `pinned` and `async` lowerings share: each lowers one suspension macro into
/// `.await`s its own way, and both find suspensions in the arguments of other macros the same
/// way, as rustc finds an `.await` there.
pub(crate) trait Lowering: VisitMut + Sized {
    /// The expression a suspension macro stands for, its own arguments rewritten first; `None`
    /// for another macro.
    fn lower(&mut self, mac: &Macro) -> Option<Expr>;

    /// The suspensions in the arguments of `mac`, another macro, rewritten in place: through
    /// the arguments' syntax when they are expressions, else token by token (the arms of
    /// `tokio::select!`, say). A `coro!` block inside is a coroutine of its own.
    fn lower_in_macro(&mut self, mac: &mut Macro) {
        if is_nested_coroutine_macro(mac) || tokens_suspend(&mac.tokens).is_none() {
            return;
        }
        if let Ok(mut args) = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            mac.tokens.clone(),
        ) {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.into_token_stream();
        } else {
            mac.tokens = map_suspensions(mac.tokens.clone(), &mut |m| match self.lower(&m) {
                Some(lowered) => parenthesized(&lowered),
                None => m.into_token_stream(),
            });
        }
    }
}

/// Rewrites the suspension macros of a body into `.await`s.
struct Rewrite<'a, 'e> {
    x: &'a PinnedExpansion<'a>,
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
                    self.errors.error(span, "`suspend_from!` takes a coroutine, and its first resume value when the resume type is not `()`: `suspend_from!(coro)` or `suspend_from!(coro, first)`");
                    return Some(syn::parse_quote!(()));
                };
                let first = args.next();
                if args.next().is_some() {
                    self.errors.error(span, "`suspend_from!` takes a coroutine, and its first resume value when the resume type is not `()`: `suspend_from!(coro)` or `suspend_from!(coro, first)`");
                }
                self.x.delegate(coro, first, span)
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
        let x = PinnedExpansion {
            krate: &syn::parse_quote!(::coro),
            yield_ty: &syn::parse_quote!(u32),
            resume_ty: &syn::parse_quote!(()),
            return_ty: None,
            name: "f",
            resume_is_unit: true,
        };
        let out = x.expand(&[], block, &mut errors).to_string();
        assert!(errors.is_empty());
        out
    }

    #[test]
    fn suspensions_become_awaits_of_the_port() {
        let out = expand(syn::parse_quote!({
            let v = vec![1, 2];
            for x in &v {
                suspend!(*x);
            }
            let n = suspend_from!(g(&v));
            n
        }));
        assert!(
            out.contains(
                ":: coro :: __private :: Hand :: suspend (& __coro_port , :: coro :: __private :: Yielded :: < u32 > { value : * x } . value) . await"
            ),
            "{out}"
        );
        assert!(out.contains("let __coro_c = g (& v) ;"), "{out}");
        assert!(
            out.contains("delegation :: < () , u32 , _ > (__coro_c)"),
            "{out}"
        );
        assert!(out.contains("async move"), "{out}");
        assert!(!out.contains("suspend !"), "{out}");
    }

    #[test]
    fn the_port_is_a_thread_local_when_its_types_can_be_named_in_a_static() {
        let closed = |t: syn::Type| closed_type(&t);
        assert!(closed(syn::parse_quote!(u32)));
        assert!(closed(syn::parse_quote!((
            String,
            Vec<Option<i64>>,
            [u8; 4]
        ))));
        assert!(closed(syn::parse_quote!(std::io::Result<crate::Token>)));
        assert!(closed(syn::parse_quote!(io::Error)));
        // A single capitalized name may be an enclosing impl's generic parameter.
        assert!(!closed(syn::parse_quote!(Token)));
        assert!(!closed(syn::parse_quote!(Vec<T>)));
        assert!(!closed(syn::parse_quote!(T::Item)));
        assert!(!closed(syn::parse_quote!(Self)));
        assert!(!closed(syn::parse_quote!(&'static str)));
        assert!(!closed(syn::parse_quote!([u8; N])));
        let out = expand(syn::parse_quote!({
            suspend!(1);
        }));
        assert!(out.contains("thread_local !"), "{out}");
    }

    /// What `suspend!(value)` becomes, for the tests' yield type `u32`.
    fn suspended(value: &str) -> String {
        format!(
            ":: coro :: __private :: Hand :: suspend (& __coro_port , :: coro :: __private :: Yielded :: < u32 > {{ value : {value} }} . value) . await"
        )
    }

    #[test]
    fn nested_suspensions_are_rewritten_inside_out() {
        let out = expand(syn::parse_quote!({
            suspend!(suspend!(1) + 1);
        }));
        let inner = suspended("1");
        assert!(out.contains(&suspended(&format!("{inner} + 1"))), "{out}");
    }

    #[test]
    fn suspensions_in_macro_arguments_become_awaits_in_place() {
        let out = expand(syn::parse_quote!({
            let v = vec![suspend!(1), 2];
            tokio::select! {
                x = f() => coro::suspend!(x),
                else => ::coro::suspend!(3),
            }
            let g = coro!(yield = u32, { suspend!(4) });
        }));
        assert!(
            out.contains(&format!("vec ! [{} , 2]", suspended("1"))),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "x = f () => ({}) , else => ({}) ,",
                suspended("x"),
                suspended("3")
            )),
            "{out}"
        );
        assert!(out.contains("{ suspend ! (4) }"), "{out}");
    }

    #[test]
    fn closures_and_items_are_left_alone() {
        let out = expand(syn::parse_quote!({
            let f = || suspend!(1);
            fn inner() {
                suspend!(2);
            }
        }));
        assert!(out.contains("| | suspend ! (1)"), "{out}");
        assert!(out.contains("suspend ! (2)"), "{out}");
    }
}
