//! The transform behind `coro`'s `#[coroutine]` attribute and `coro!` macro, as an ordinary
//! library: a function body with `suspend!` goes in, a state machine comes out.
//!
//! The passes, each in its own module:
//!
//! 1. `args`: the options (`yield = Y`, `resume = R`, `clone`, `name = ".."`, `crate = ".."`).
//! 2. `prepare`: checks where suspension points stand; rewrites `return`, `?` and `self`.
//! 3. `lower`: the body as an IR of blocks and suspension points (`ir`), with every value that
//!    crosses a suspension point held in a local, in Rust's evaluation order.
//! 4. `analysis`: which locals each state keeps (liveness, the drop rule, reborrows), where the
//!    machine jumps instead of duplicating code, which arms run in place.
//! 5. `expand`: the state machine's tokens.
//!
//! Errors are collected across the passes and reported together; the function's signature is
//! still emitted, so that its callers type-check.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod analysis;
mod args;
mod asyncs;
mod captures;
mod cfg;
mod error;
mod expand;
mod for_await;
mod ir;
mod lower;
mod pinned;
mod prepare;
mod recursion;
mod rename;
mod resolve;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{FnArg, Ident, Pat, Token, Type};

use crate::args::{Args, Options};
use crate::error::Errors;
use crate::lower::ParamIn;

/// Expands `#[coroutine(args)] item`. Never panics: errors come out as `compile_error!`s next to
/// a stand-in for the function.
#[must_use]
pub fn expand_attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let (item, loops) = for_await::rewrite(item, &krate_in(args.clone()));
    let expansion = expand_attribute_item(args, item);
    with_for_await_errors(&loops, expansion)
}

/// `expansion` after an error at each `for await` loop found in the input.
fn with_for_await_errors(loops: &[Span], expansion: TokenStream) -> TokenStream {
    if loops.is_empty() {
        return expansion;
    }
    let mut errors = Errors::default();
    for &span in loops {
        errors.error(span, for_await::MESSAGE);
    }
    let errors = errors.to_compile_errors();
    quote!(#errors #expansion)
}

fn expand_attribute_item(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match parse_fn(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            // A syntax error in the body: report syn's error, and keep the real signature, so
            // that call sites still type-check (and an editor still completes at them).
            if let Some((func, body_error, used)) = signature_with_broken_body(&item) {
                let mut errors = Errors::default();
                errors.push(body_error);
                return expand_stand_in(args, func, errors, &used);
            }
            let mut errors = Errors::default();
            if let Err(a) = syn::parse2::<Args>(args) {
                errors.push(a);
            }
            errors.push(e);
            let errors = errors.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let conditions = cfg::Conditions::of(&func.block);
    if conditions.atoms.is_empty() {
        return expand_fn(args, func, Errors::default());
    }
    // One expansion per combination of the body's `cfg` conditions, each under the `#[cfg]`
    // that selects it (see `cfg`).
    conditions
        .combinations()
        .iter()
        .map(|holds| {
            let mut func = func.clone();
            conditions.apply(&mut func.block, holds);
            let gate = conditions.gate(holds);
            func.attrs.extend(
                syn::Attribute::parse_outer
                    .parse2(gate.clone())
                    .unwrap_or_default(),
            );
            let mut errors = Errors::gated(gate);
            if let Some(span) = conditions.too_many {
                errors.error(span, too_many_conditions());
            }
            expand_fn(args.clone(), func, errors)
        })
        .collect()
}

/// The runtime's path the options name (`crate = ".."`), `::coro` unless they name another or
/// do not parse (which the expansion reports).
fn krate_in(args: TokenStream) -> syn::Path {
    match syn::parse2::<Args>(args) {
        Ok(args) => args::parse_options(&args.0, false, &mut Errors::default()).krate,
        Err(_) => syn::parse_quote!(::coro),
    }
}

/// Expands `#[uthread(args)] item`: a microthread of `coro::uthread`, whose request and wake
/// types are the scheduler's, and whose first wake needs no parameter of its own.
///
/// ```text
/// // Input:                                 // Output:
/// #[uthread]                                #[coroutine(yield = ::coro::uthread::Syscall,
/// fn worker(ch: Channel<u32>) -> u32 {                  resume = ::coro::uthread::Wake)]
///     ..                                    fn worker(ch: Channel<u32>, #[resume] _: ::coro::uthread::Wake) -> u32 {
/// }                                             ..
///                                           }
/// ```
#[must_use]
pub fn expand_uthread(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = match syn::parse2::<Args>(args.clone()) {
        Ok(parsed) => parsed,
        Err(e) => {
            return expand_attribute(args, item)
                .into_iter()
                .chain(e.to_compile_error())
                .collect();
        }
    };
    let mut errors = Errors::default();
    let mut krate: syn::Path = syn::parse_quote!(::coro);
    for arg in &parsed.0 {
        match arg {
            args::Arg::Yield(k, _) => errors.error(k.span, "a microthread suspends with the scheduler's requests: leave `yield` out of `#[coro::uthread]`, or write `#[coro::coroutine(yield = .., resume = ..)]`"),
            args::Arg::Resume(k, _) => errors.error(k.span(), "a microthread is resumed with the scheduler's wake reasons: leave `resume` out of `#[coro::uthread]`"),
            args::Arg::Crate(_, p) => {
                if let Ok(path) = p.parse::<syn::Path>() {
                    krate = path;
                }
            }
            _ => {}
        }
    }
    let Ok(mut func) = parse_fn(item.clone()) else {
        return expand_attribute(args, item);
    };
    let has_resume = func.sig.inputs.iter().any(
        |a| matches!(a, FnArg::Typed(pt) if pt.attrs.iter().any(|x| x.path().is_ident("resume"))),
    );
    if !has_resume {
        let wake: FnArg = syn::parse_quote!(#[resume] _: #krate::uthread::Wake);
        func.sig.inputs.push(wake);
    }
    // The options refused above are left out, so that the rest still expands.
    let user: Vec<&args::Arg> = parsed
        .0
        .iter()
        .filter(|a| !matches!(a, args::Arg::Yield(..) | args::Arg::Resume(..)))
        .collect();
    let args = quote!(yield = #krate::uthread::Syscall, resume = #krate::uthread::Wake #(, #user)*);
    let errors = errors.to_compile_errors();
    let expansion = expand_attribute(args, func.to_token_stream());
    quote!(#errors #expansion)
}

/// An item that is a function whose body does not parse: the function with an empty body,
/// the body's syntax error, and what marks the body's suspension macros as used.
fn signature_with_broken_body(
    item: &TokenStream,
) -> Option<(syn::ItemFn, syn::Error, TokenStream)> {
    struct RawFn {
        attrs: Vec<syn::Attribute>,
        vis: syn::Visibility,
        sig: syn::Signature,
        body: proc_macro2::Group,
    }
    impl Parse for RawFn {
        fn parse(input: ParseStream) -> syn::Result<Self> {
            let attrs = input.call(syn::Attribute::parse_outer)?;
            let vis = input.parse()?;
            let sig = input.parse()?;
            let body = match input.parse::<proc_macro2::TokenTree>()? {
                proc_macro2::TokenTree::Group(g)
                    if g.delimiter() == proc_macro2::Delimiter::Brace =>
                {
                    g
                }
                other => return Err(syn::Error::new(other.span(), "expected a body")),
            };
            Ok(RawFn {
                attrs,
                vis,
                sig,
                body,
            })
        }
    }
    let raw = syn::parse2::<RawFn>(item.clone()).ok()?;
    let body = proc_macro2::TokenTree::Group(raw.body.clone()).into();
    let error = syn::parse2::<syn::Block>(body).err()?;
    let func = syn::ItemFn {
        attrs: raw.attrs,
        vis: raw.vis,
        sig: raw.sig,
        block: Box::new(syn::parse_quote!({})),
    };
    Some((
        func,
        error,
        prepare::mark_used(&suspension_paths(raw.body.stream())),
    ))
}

/// The paths through which tokens invoke `suspend!` and `suspend_from!`, one of each.
fn suspension_paths(tokens: TokenStream) -> Vec<syn::Path> {
    fn walk(tokens: TokenStream, out: &mut Vec<syn::Path>) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                proc_macro2::TokenTree::Ident(ident)
                    if (ident == "suspend" || ident == "suspend_from")
                        && matches!(trees.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '!') =>
                {
                    // Walk back over `seg ::` pairs to the start of the path.
                    let mut start = i;
                    while start >= 3
                        && matches!(&trees[start - 1], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&trees[start - 2], proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&trees[start - 3], proc_macro2::TokenTree::Ident(_))
                    {
                        start -= 3;
                    }
                    let path: TokenStream = trees[start..=i].iter().cloned().collect();
                    if let Ok(path) = syn::parse2::<syn::Path>(path)
                        && !out.iter().any(|p| {
                            p.to_token_stream().to_string() == path.to_token_stream().to_string()
                        })
                    {
                        out.push(path);
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens, &mut out);
    out
}

/// The stand-in for a function whose body could not be expanded at all: its signature as a
/// coroutine, a body that never runs, and `errors` beside it.
fn expand_stand_in(
    args: TokenStream,
    mut func: syn::ItemFn,
    mut errors: Errors,
    used: &TokenStream,
) -> TokenStream {
    let options = match syn::parse2::<Args>(args) {
        Ok(args) => Some(args::parse_options(&args.0, false, &mut errors)),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let return_ty = written_return_type(&func.sig);
    if let Some(options) = &options {
        let (_, inputs) = params(&mut func.sig, options, &mut Errors::default());
        func.sig.inputs = inputs;
    }
    fallback(&func, options.as_ref(), &return_ty, &errors, used)
}

/// The function's return type as written, `()` when it has none.
fn written_return_type(sig: &syn::Signature) -> Type {
    match &sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    }
}

fn too_many_conditions() -> String {
    format!(
        "a coroutine body can mention at most {} distinct `cfg` conditions: move the configured code into functions of its own",
        cfg::MAX_CONDITIONS
    )
}

/// Expands one function whose body has no `cfg` left to resolve.
fn expand_fn(args: TokenStream, mut func: syn::ItemFn, mut errors: Errors) -> TokenStream {
    let args = match syn::parse2::<Args>(args) {
        Ok(args) => Some(args),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let options = args.map(|a| args::parse_options(&a.0, false, &mut errors));
    let is_async = options.as_ref().is_some_and(|o| o.asynchronous.is_some());
    check_signature(&func.sig, is_async, &mut errors);
    check_param_bindings(&func.sig, &mut errors);

    let return_ty = written_return_type(&func.sig);
    let Some(options) = options else {
        return fallback(&func, None, &return_ty, &errors, &TokenStream::new());
    };
    for (ty, what) in [
        (Some(&options.yield_ty), "yield"),
        (options.resume_ty.as_ref(), "resume"),
        (Some(&return_ty), "return"),
    ] {
        if let Some(ty) = ty
            && contains_impl_trait(ty)
        {
            errors.error_spanned(ty, format!("the {what} type of a coroutine cannot be `impl Trait`: name the type, or box it"));
        }
    }

    let receiver = func
        .sig
        .receiver()
        .map(|r| match (&r.reference, &r.mutability) {
            (Some(_), Some(_)) => lower::Receiver::Mut,
            (Some(_), None) => lower::Receiver::Shared,
            (None, _) => lower::Receiver::Value,
        });
    let has_receiver = receiver.is_some();
    let (params, inputs) = params(&mut func.sig, &options, &mut errors);
    let mut block = (*func.block).clone();
    recursion::check_arguments(
        &mut block,
        &func.sig.ident,
        &recursion::argument_checks(&func.sig.generics, &params),
        &options.krate,
    );
    if is_async {
        asyncs::check(Some(&func.sig), &mut errors);
        return asyncs::expand_fn(func, &options, &return_ty, params, inputs, block, errors);
    }
    if options.pinned {
        return expand_pinned(func, &options, &return_ty, params, inputs, block, errors);
    }
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, has_receiver)
        .with_macro_exits(expand::scoped_return_type(&return_ty));
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    let hidden_exits = prepare.exits.hidden;
    // A body that binds the function's own name again (`use a::walk;`, a closure named `walk`)
    // may call something else by it: then no call is taken for recursion.
    let fn_name = (!recursion::name_is_rebound(&block, &func.sig.ident)
        && !param_names(&params).contains(&func.sig.ident.to_string()))
    .then(|| func.sig.ident.clone());
    let config = lower::Config {
        fn_name,
        receiver,
        resume_is_unit: options.resume_is_unit(),
        param_count: params.iter().filter(|p| !p.is_resume).count(),
        krate: options.krate.clone(),
    };
    recursion::rewrite(
        &mut block,
        &config,
        &options.yield_ty,
        &options.resume_ty(),
        &return_ty,
    );
    rename::rename_shadowing(&mut block, &param_names(&params));
    let start: Vec<TokenStream> = params
        .iter()
        .filter(|p| !p.is_resume)
        .map(|p| p.arg.to_token_stream())
        .collect();
    let body = lower::lower(params, block, &config, &mut errors);
    let analysis = analysis::analyze(&body, hidden_exits, &mut errors);
    func.sig.inputs = inputs;
    if !errors.is_empty() {
        return fallback(&func, Some(&options), &return_ty, &errors, &used);
    }
    let name = options.name_or(&func.sig.ident.to_string());
    let resume_ty = options.resume_ty();
    let expansion = expand::Expansion {
        body: &body,
        an: &analysis,
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        return_ty: Some(&return_ty),
        name: &name,
        clone: options.clone,
        hidden_exits,
    };
    let state_machine = expansion.expand(&start);
    emit_fn(
        &func,
        &options,
        &return_ty,
        &quote!({ #used #state_machine }),
    )
}

/// A function with the `pinned` option: the same signature, the body lowered by `pinned`.
fn expand_pinned(
    mut func: syn::ItemFn,
    options: &Options,
    return_ty: &Type,
    params: Vec<ParamIn>,
    mut inputs: syn::punctuated::Punctuated<FnArg, Token![,]>,
    mut block: syn::Block,
    mut errors: Errors,
) -> TokenStream {
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, false).checks_only();
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    // The `async` block captures `self` itself, as written (`mut self` included), and keeps it
    // to the end of the body as a function does.
    if let (Some(FnArg::Receiver(original)), Some(FnArg::Receiver(r))) =
        (func.sig.inputs.first(), inputs.first_mut())
    {
        *r = original.clone();
    }
    func.sig.inputs = inputs;
    let name = options.name_or(&func.sig.ident.to_string());
    let resume_ty = options.resume_ty();
    let expansion = pinned::PinnedExpansion {
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        return_ty: Some(return_ty),
        name: &name,
        resume_is_unit: options.resume_is_unit(),
    };
    let body = expansion.expand(&params, block, &mut errors);
    if !errors.is_empty() {
        return fallback(&func, Some(options), return_ty, &errors, &used);
    }
    emit_fn(&func, options, return_ty, &quote!({ #used #body }))
}

/// The names the parameters bind.
fn param_names(params: &[ParamIn]) -> Vec<String> {
    params
        .iter()
        .flat_map(|p| resolve::pat_bindings(&p.pat))
        .map(|i| i.to_string())
        .collect()
}

/// Expands `coro!(args, move |first| { body })`. Never panics.
#[must_use]
pub fn expand_inline(input: TokenStream) -> TokenStream {
    // The options come before `move`, the body after it.
    let trees: Vec<TokenTree> = input.into_iter().collect();
    let body_at = trees
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "move"))
        .unwrap_or(trees.len());
    let options: TokenStream = trees[..body_at].iter().cloned().collect();
    let mut input = options.clone();
    let (body, loops) = for_await::rewrite(
        trees[body_at..].iter().cloned().collect(),
        &krate_in(options),
    );
    input.extend(body);
    let expansion = expand_inline_input(input);
    if loops.is_empty() {
        expansion
    } else {
        let expansion = with_for_await_errors(&loops, expansion);
        quote!({ #expansion })
    }
}

fn expand_inline_input(input: TokenStream) -> TokenStream {
    let inline = match syn::parse2::<Inline>(input) {
        Ok(inline) => inline,
        Err(e) => return e.to_compile_error(),
    };
    let conditions = cfg::Conditions::of(&inline.body);
    if conditions.atoms.is_empty() {
        return expand_inline_configured(inline, Errors::default());
    }
    // As for a function (see `cfg`), with each expansion bound by a configured `let`.
    let value = Ident::new("__coro_configured", Span::mixed_site());
    let copies = conditions.combinations().into_iter().map(|holds| {
        let mut inline = inline.clone();
        conditions.apply(&mut inline.body, &holds);
        let mut errors = Errors::default();
        if let Some(span) = conditions.too_many {
            errors.error(span, too_many_conditions());
        }
        let gate = conditions.gate(&holds);
        let expansion = expand_inline_configured(inline, errors);
        quote!(#gate let #value = #expansion;)
    });
    quote!({ #(#copies)* #value })
}

/// Expands one `coro!` block whose body has no `cfg` left to resolve.
fn expand_inline_configured(inline: Inline, mut errors: Errors) -> TokenStream {
    let options = args::parse_options(&inline.args, true, &mut errors);
    if !options.resume_is_unit() && inline.first.is_none() {
        errors.error(
            inline.span,
            "a `coro!` block whose resume type is not `()` names its first resume value: `move |first| { .. }`",
        );
    }
    if options.asynchronous.is_some() {
        return asyncs::expand_inline(inline.first.as_ref(), inline.body, &options, errors);
    }
    if options.pinned {
        return expand_inline_pinned(inline, &options, errors);
    }
    let mut bound = Vec::new();
    if let Some(first) = &inline.first {
        bound.extend(
            resolve::pat_bindings(first)
                .into_iter()
                .map(|i| i.to_string()),
        );
    }
    let captured = captures::captures(&inline.body, &bound);
    let rename_self = captured.iter().any(|c| c == "self");
    let mut params = Vec::new();
    let mut start = Vec::new();
    for ident in captured {
        let (pat_ident, arg) = if ident == "self" {
            (prepare::self_ident(ident.span()), quote!(self))
        } else {
            (ident.clone(), ident.to_token_stream())
        };
        params.push(ParamIn {
            pat: syn::parse_quote!(#pat_ident),
            ty: None,
            arg: pat_ident.clone(),
            is_resume: false,
            is_reference: false,
        });
        start.push(arg);
    }
    if let Some(first) = inline.first.clone() {
        params.push(ParamIn {
            pat: first,
            ty: None,
            arg: format_ident!("__coro_first"),
            is_resume: true,
            is_reference: false,
        });
    }
    let mut block = inline.body;
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, rename_self)
        .with_macro_exits(
            options
                .return_ty
                .as_ref()
                .is_some_and(expand::scoped_return_type),
        );
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    let hidden_exits = prepare.exits.hidden;
    rename::rename_shadowing(&mut block, &param_names(&params));
    let config = lower::Config {
        fn_name: None,
        receiver: None,
        resume_is_unit: options.resume_is_unit(),
        param_count: start.len(),
        krate: options.krate.clone(),
    };
    let body = lower::lower(params, block, &config, &mut errors);
    let analysis = analysis::analyze(&body, hidden_exits, &mut errors);
    if !errors.is_empty() {
        let errors = errors.to_compile_errors();
        let krate = &options.krate;
        return quote!({ #errors #used #krate::__private::never::<(), ()>() });
    }
    let name = options.name_or("coro");
    let resume_ty = options.resume_ty();
    let expansion = expand::Expansion {
        body: &body,
        an: &analysis,
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        return_ty: options.return_ty.as_ref(),
        name: &name,
        clone: options.clone,
        hidden_exits,
    };
    let state_machine = expansion.expand(&start);
    quote!({ #used #state_machine })
}

/// A `coro!` block with the `pinned` option: its `async move` block captures what it uses.
fn expand_inline_pinned(inline: Inline, options: &Options, mut errors: Errors) -> TokenStream {
    let mut block = inline.body;
    let mut prepare = prepare::Prepare::new(&mut errors, &options.krate, false).checks_only();
    prepare.visit_block_mut(&mut block);
    let used = prepare::mark_used(&prepare.macro_paths);
    let params: Vec<ParamIn> = inline
        .first
        .into_iter()
        .map(|pat| ParamIn {
            pat,
            ty: None,
            arg: format_ident!("__coro_first"),
            is_resume: true,
            is_reference: false,
        })
        .collect();
    let name = options.name_or("coro");
    let resume_ty = options.resume_ty();
    let expansion = pinned::PinnedExpansion {
        krate: &options.krate,
        yield_ty: &options.yield_ty,
        resume_ty: &resume_ty,
        return_ty: options.return_ty.as_ref(),
        name: &name,
        resume_is_unit: options.resume_is_unit(),
    };
    let body = expansion.expand(&params, block, &mut errors);
    if !errors.is_empty() {
        let errors = errors.to_compile_errors();
        let krate = &options.krate;
        return quote!({ #errors #used #krate::__private::never::<(), ()>() });
    }
    quote!({ #used #body })
}

/// `coro!`'s input: options, then `move`, an optional `|first|`, and a block.
#[derive(Clone)]
struct Inline {
    args: syn::punctuated::Punctuated<args::Arg, Token![,]>,
    first: Option<Pat>,
    body: syn::Block,
    span: Span,
}

impl Parse for Inline {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let span = input.span();
        let mut args = syn::punctuated::Punctuated::new();
        while !input.is_empty() && !input.peek(Token![move]) {
            if input.peek(syn::token::Brace) || input.peek(Token![|]) {
                return Err(input.error(
                    "write `move` before the block: a `coro!` block owns what it captures, like a `move` closure",
                ));
            }
            args.push_value(input.parse()?);
            if input.is_empty() {
                return Err(
                    input.error("expected the coroutine's body after the options: `move { .. }`")
                );
            }
            args.push_punct(input.parse::<Token![,]>()?);
        }
        input.parse::<Token![move]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the coroutine's body: `coro!(yield = T, move { .. })`",
            )
        })?;
        let first = if input.peek(Token![|]) {
            input.parse::<Token![|]>()?;
            let pat = Pat::parse_single(input)?;
            let pat = if input.peek(Token![:]) {
                let colon: Token![:] = input.parse()?;
                let ty: Type = input.parse()?;
                Pat::Type(syn::PatType {
                    attrs: Vec::new(),
                    pat: Box::new(pat),
                    colon_token: colon,
                    ty: Box::new(ty),
                })
            } else {
                pat
            };
            input.parse::<Token![|]>()?;
            Some(pat)
        } else {
            None
        };
        let body: syn::Block = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the coroutine's body"));
        }
        Ok(Inline {
            args,
            first,
            body,
            span,
        })
    }
}

/// A function with a body: a free function or a method. A trait method without a body is an
/// error.
fn parse_fn(item: TokenStream) -> syn::Result<syn::ItemFn> {
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(f) => Ok(f),
        Err(e) => match syn::parse2::<syn::TraitItemFn>(item) {
            Ok(f) if f.default.is_none() => Err(syn::Error::new(
                f.sig.span(),
                "`#[coroutine]` needs a body: put it on the method in the `impl`, and declare the trait method as returning `impl Coroutine<..>`",
            )),
            _ => Err(syn::Error::new(
                e.span(),
                "`#[coroutine]` applies to a function with a body",
            )),
        },
    }
}

fn check_signature(sig: &syn::Signature, is_async: bool, errors: &mut Errors) {
    if let Some(a) = &sig.asyncness
        && !is_async
    {
        errors.error(
            a.span,
            "an `async fn` coroutine needs the `async` option: `#[coro::coroutine(yield = T, async)]` makes it a `Stream` whose body may `.await`; or remove `async` and delegate with `suspend_from!` instead of `.await`",
        );
    }
    if let Some(c) = &sig.constness {
        errors.error(c.span, "`#[coroutine]` cannot be applied to a `const fn`: a coroutine runs when resumed, not at compile time; remove `const`");
    }
    if let Some(v) = &sig.variadic {
        errors.error_spanned(v, "`#[coroutine]` cannot be applied to a variadic function");
    }
    if let Some(abi) = &sig.abi {
        errors.error_spanned(
            abi,
            "`#[coroutine]` cannot be applied to an `extern` function: it returns a Rust type",
        );
    }
}

/// A name bound twice among the parameters is rustc's E0415 (E0416 within one pattern). The
/// transform binds the parameters one after another, where the second would silently shadow
/// the first, so it says so itself.
fn check_param_bindings(sig: &syn::Signature, errors: &mut Errors) {
    let mut seen: Vec<String> = Vec::new();
    for arg in &sig.inputs {
        let FnArg::Typed(pt) = arg else { continue };
        let mut this: Vec<String> = Vec::new();
        for ident in resolve::pat_bindings(&pt.pat) {
            let name = ident.to_string();
            if this.contains(&name) {
                errors.error(
                    ident.span(),
                    format!("identifier `{name}` is bound more than once in the same pattern"),
                );
            } else if seen.contains(&name) {
                errors.error(
                    ident.span(),
                    format!("identifier `{name}` is bound more than once in this parameter list"),
                );
            }
            this.push(name);
        }
        seen.extend(this);
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_type(&mut f, ty);
    f.0
}

/// The parameters as lowering sees them, and the signature's new inputs (`#[resume]` removed,
/// patterns replaced by names).
fn params(
    sig: &mut syn::Signature,
    options: &Options,
    errors: &mut Errors,
) -> (Vec<ParamIn>, syn::punctuated::Punctuated<FnArg, Token![,]>) {
    let mut out = Vec::new();
    let mut inputs = syn::punctuated::Punctuated::new();
    let mut resume_seen = false;
    for (i, arg) in sig.inputs.iter().enumerate() {
        match arg {
            FnArg::Receiver(r) => {
                let mut ident = prepare::self_ident(r.self_token.span);
                ident.set_span(Span::mixed_site().located_at(r.self_token.span));
                // `mut self` binds mutably; in `&mut self` the `mut` belongs to the reference.
                let by_value_mut = r.reference.is_none() && r.mutability.is_some();
                let pat: Pat = if by_value_mut {
                    syn::parse_quote!(mut #ident)
                } else {
                    syn::parse_quote!(#ident)
                };
                out.push(ParamIn {
                    pat,
                    ty: None,
                    arg: syn::Ident::new("self", r.self_token.span),
                    is_resume: false,
                    is_reference: r.reference.is_some(),
                });
                let mut r = r.clone();
                if by_value_mut {
                    r.mutability = None;
                }
                inputs.push(FnArg::Receiver(r));
            }
            FnArg::Typed(pt) => {
                let is_resume = pt.attrs.iter().any(|a| a.path().is_ident("resume"));
                let attrs: Vec<syn::Attribute> = pt
                    .attrs
                    .iter()
                    .filter(|a| !a.path().is_ident("resume"))
                    .cloned()
                    .collect();
                let ty = (*pt.ty).clone();
                if is_resume {
                    if resume_seen {
                        errors.error_spanned(pt, "only one parameter can be `#[resume]`");
                    }
                    resume_seen = true;
                    let pat: Pat = (*pt.pat).clone();
                    out.push(ParamIn {
                        pat: Pat::Type(syn::PatType {
                            attrs: Vec::new(),
                            pat: Box::new(pat),
                            colon_token: pt.colon_token,
                            ty: Box::new(ty.clone()),
                        }),
                        ty: Some(ty),
                        arg: format_ident!("__coro_first"),
                        is_resume: true,
                        is_reference: false,
                    });
                    continue;
                }
                let arg = match &*pt.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
                    _ => format_ident!("__coro_arg{}", i),
                };
                out.push(ParamIn {
                    pat: (*pt.pat).clone(),
                    ty: Some(ty.clone()),
                    arg: arg.clone(),
                    is_resume: false,
                    is_reference: matches!(ty, Type::Reference(_)),
                });
                inputs.push(FnArg::Typed(syn::PatType {
                    attrs,
                    pat: Box::new(syn::parse_quote!(#arg)),
                    colon_token: pt.colon_token,
                    ty: pt.ty.clone(),
                }));
            }
        }
    }
    if !resume_seen && !options.resume_is_unit() {
        errors.error(
            sig.ident.span(),
            "a coroutine whose resume type is not `()` receives a value on its first resume: name it with a parameter marked `#[resume]`, as in `fn f(#[resume] first: T)` (write `#[resume] _: T` to drop it)",
        );
    }
    (out, inputs)
}

/// The coroutine's type, as the function returns it.
fn return_impl(options: &Options, return_ty: &Type) -> TokenStream {
    if options.asynchronous.is_some() {
        return asyncs::return_impl(options, return_ty);
    }
    let krate = &options.krate;
    let resume_ty = options.resume_ty();
    let yield_ty = &options.yield_ty;
    let iter = options
        .resume_is_unit()
        .then(|| quote!(+ ::core::iter::FusedIterator<Item = #yield_ty>));
    let clone = options.clone.then(|| quote!(+ ::core::clone::Clone));
    quote!(impl #krate::__private::Coroutine<#resume_ty, Yield = #yield_ty, Return = #return_ty> #iter #clone + ::core::fmt::Debug)
}

fn emit_fn(
    func: &syn::ItemFn,
    options: &Options,
    return_ty: &Type,
    body: &TokenStream,
) -> TokenStream {
    let attrs = &func.attrs;
    let vis = &func.vis;
    let mut sig = func.sig.clone();
    let output = return_impl(options, return_ty);
    sig.output = syn::parse_quote!(-> #output);
    let must_use = (!attrs.iter().any(|a| a.path().is_ident("must_use")))
        .then(|| quote!(#[must_use = "a coroutine does nothing until it is resumed"]));
    // A pinned body's suspensions are `.await`s of the transform's own futures: what clippy says
    // of borrows held across an `.await` is about tasks that run concurrently, which a
    // coroutine's suspension is not.
    let pinned = options
        .pinned
        .then(|| quote!(#[allow(clippy::await_holding_refcell_ref, clippy::await_holding_lock)]));
    quote! {
        #(#attrs)*
        #must_use
        // `expr?;` becomes a `match` statement, which clippy would ask to lose its `;`.
        #[allow(
            refining_impl_trait,
            clippy::used_underscore_binding,
            clippy::no_effect_underscore_binding,
            clippy::unnecessary_semicolon
        )]
        #pinned
        #vis #sig #body
    }
}

/// The function with a body that type-checks whatever the errors were, next to them. `used`
/// marks the suspension macros' imports as used, as the real expansion does.
fn fallback(
    func: &syn::ItemFn,
    options: Option<&Options>,
    return_ty: &Type,
    errors: &Errors,
    used: &TokenStream,
) -> TokenStream {
    let errors = errors.to_compile_errors();
    let mut func = func.clone();
    func.sig.asyncness = None;
    func.sig.constness = None;
    func.sig.inputs = func
        .sig
        .inputs
        .iter()
        .map(|arg| {
            let mut arg = arg.clone();
            if let FnArg::Typed(pt) = &mut arg {
                pt.attrs.retain(|a| !a.path().is_ident("resume"));
            }
            arg
        })
        .collect();
    func.attrs
        .push(syn::parse_quote!(#[allow(unused_variables)]));
    let stand_in = if let Some(options) = options {
        let krate = &options.krate;
        let never = match (options.asynchronous.is_some(), options.resume_is_unit()) {
            (true, true) => quote!(never_stream),
            (true, false) => quote!(never_async),
            (false, _) => quote!(never),
        };
        let body = quote!({ #used #krate::__private::#never() });
        emit_fn(&func, options, return_ty, &body)
    } else {
        let attrs = &func.attrs;
        let vis = &func.vis;
        let sig = &func.sig;
        quote!(#(#attrs)* #vis #sig { #used ::core::unreachable!() })
    };
    quote!(#errors #stand_in)
}
