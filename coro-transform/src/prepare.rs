//! The pass before lowering: checks where `suspend!` stands and rewrites what the state machine
//! handles differently from a function.
//!
//! - `suspend!` / `suspend_from!` inside a closure, an `async` block, a nested item, a `const`
//!   block, a match guard or another macro's arguments is an error: none of those can suspend the
//!   coroutine.
//! - `return e` becomes `break '__coro_body e`, and `e?` becomes a `match` that breaks to the same
//!   label (through the stable stand-ins for `Try`), since the body runs inside a closure whose
//!   own return is the coroutine's step.
//! - `self` becomes `__self`, a local of the state machine.

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Lifetime, Macro, Token};

use crate::error::Errors;

/// Which suspension macro a macro call is, if any.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SuspendMacro {
    Suspend,
    SuspendFrom,
}

impl SuspendMacro {
    pub(crate) fn of(mac: &Macro) -> Option<Self> {
        let last = mac.path.segments.last()?;
        if !last.arguments.is_none() {
            return None;
        }
        match last.ident.to_string().as_str() {
            "suspend" => Some(SuspendMacro::Suspend),
            "suspend_from" => Some(SuspendMacro::SuspendFrom),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SuspendMacro::Suspend => "suspend!",
            SuspendMacro::SuspendFrom => "suspend_from!",
        }
    }
}

/// Invocations of the suspension macros through the paths the body used, which expand to
/// nothing but make those paths (and the imports behind them) count as used.
pub(crate) fn mark_used(paths: &[syn::Path]) -> TokenStream {
    paths.iter().map(|p| quote::quote!(#p!(@used);)).collect()
}

/// `tokens` reported at `span` but still the expansion's own: rustc's messages point at the
/// user's code, while lints that skip generated code (clippy's among them) still skip it.
pub(crate) fn located_at(tokens: TokenStream, span: Span) -> TokenStream {
    respanned(tokens, Span::call_site().located_at(span))
}

/// `tokens` with every span set to `span`: generated code that stands for the user's expression
/// at `span` (a type the transform writes there), so that rustc reports there.
pub(crate) fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), respanned(g.stream(), span));
                group.set_span(span);
                TokenTree::Group(group)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// Whether a token stream contains `suspend!` or `suspend_from!` at any depth.
pub(crate) fn tokens_suspend(tokens: &TokenStream) -> Option<(SuspendMacro, Span)> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) => {
                let kind = match ident.to_string().as_str() {
                    "suspend" => SuspendMacro::Suspend,
                    "suspend_from" => SuspendMacro::SuspendFrom,
                    _ => continue,
                };
                if matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                    return Some((kind, ident.span()));
                }
            }
            TokenTree::Group(g) => {
                if let Some(found) = tokens_suspend(&g.stream()) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// `tokens` with each call of a suspension macro in them (`suspend!(..)`, `coro::suspend!(..)`,
/// `suspend_from!(..)`) replaced by what `f` makes of it, inside groups too: how the `pinned` and
/// `async` lowerings reach suspensions in the arguments of a macro that are not expressions,
/// such as the arms of `tokio::select!`.
pub(crate) fn map_suspensions(
    tokens: TokenStream,
    f: &mut dyn FnMut(Macro) -> TokenStream,
) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Ident(ident)
                if matches!(ident.to_string().as_str(), "suspend" | "suspend_from")
                    && matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                    && matches!(trees.get(i + 2), Some(TokenTree::Group(_))) =>
            {
                let start = path_start(&out);
                let mut call: TokenStream = out.drain(start..).collect();
                call.extend(trees[i..i + 3].iter().cloned());
                match syn::parse2::<Expr>(call.clone()) {
                    Ok(Expr::Macro(m)) => out.extend(f(m.mac)),
                    _ => out.extend(call),
                }
                i += 3;
            }
            TokenTree::Group(g) => {
                out.push(regroup(g, map_suspensions(g.stream(), f)));
                i += 1;
            }
            other => {
                out.push(other.clone());
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

/// `g` with `stream` in place of its tokens, where `g` stood.
pub(crate) fn regroup(g: &Group, stream: TokenStream) -> TokenTree {
    let mut group = Group::new(g.delimiter(), stream);
    group.set_span(g.span());
    TokenTree::Group(group)
}

/// Where the path at the end of `out` starts (`a::b::`, `::a::`): the macro's name follows it.
fn path_start(out: &[TokenTree]) -> usize {
    let colon = |t: &TokenTree, joint: bool| matches!(t, TokenTree::Punct(p) if p.as_char() == ':' && (!joint || p.spacing() == Spacing::Joint));
    let mut start = out.len();
    while start >= 2 && colon(&out[start - 2], true) && colon(&out[start - 1], false) {
        if start >= 3 && matches!(out[start - 3], TokenTree::Ident(_)) {
            start -= 3;
        } else {
            return start - 2;
        }
    }
    start
}

/// An expression as one token tree, for a place in a macro's arguments.
pub(crate) fn parenthesized(expr: &Expr) -> TokenStream {
    let mut group = Group::new(Delimiter::Parenthesis, expr.to_token_stream());
    group.set_span(expr.span());
    TokenTree::Group(group).into()
}

/// The label every rewritten `return` breaks to.
pub(crate) fn body_label() -> Lifetime {
    Lifetime::new("'__coro_body", Span::mixed_site())
}

/// `break '__coro_body value`: what `return value` becomes. Built as a node, since
/// `break 'l ::path` does not round-trip through `syn`'s parser.
pub(crate) fn exit_expr(value: Expr, span: Span) -> Expr {
    // `break 'l loop { .. }` reads like an unlabeled `break` to rustc's
    // `break_with_label_and_loop` lint; a loop or labeled block as the value gets parentheses.
    let value = match value {
        Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => paren(value),
        Expr::Block(ref b) if b.label.is_some() => paren(value),
        other => other,
    };
    // The label keeps the macro's hygiene (only the `break` keyword gets the user's span), so
    // that it resolves to the label the expansion declares and to nothing the user wrote.
    Expr::Break(syn::ExprBreak {
        attrs: Vec::new(),
        break_token: Token![break](span),
        label: Some(body_label()),
        expr: Some(Box::new(value)),
    })
}

fn paren(expr: Expr) -> Expr {
    Expr::Paren(syn::ExprParen {
        attrs: Vec::new(),
        paren_token: syn::token::Paren::default(),
        expr: Box::new(expr),
    })
}

/// The name `self` is renamed to.
pub(crate) fn self_ident(span: Span) -> Ident {
    Ident::new("__self", Span::mixed_site().located_at(span))
}

/// Where the walk is, for the messages about misplaced suspension points.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Body,
    Closure,
    Async,
    Item,
    Const,
    Guard,
}

/// What the body's macros may do to its exits.
#[derive(Default, Clone, Copy)]
pub(crate) struct MacroExits {
    /// A `return` inside a macro's expansion can end the coroutine: the return type is written
    /// `Result<..>` or `Option<..>`, and the state machine's arms run in an exit scope.
    pub(crate) scoped: bool,
    /// The body calls a macro whose expansion may hold a `return` (any but the standard
    /// library's and this crate's own).
    pub(crate) hidden: bool,
}

pub(crate) struct Prepare<'a> {
    /// The paths the body invokes the suspension macros through, one of each.
    pub(crate) macro_paths: Vec<syn::Path>,
    errors: &'a mut Errors,
    krate: &'a syn::Path,
    /// Rename `self` (the function has a receiver, or `coro!` captures it).
    rename_self: bool,
    /// Rewrite `return` and `?` (the state machine); the pinned lowering keeps them, since its
    /// `async` block returns as the function would.
    rewrite_exits: bool,
    /// What the body's macros may do to its exits.
    pub(crate) exits: MacroExits,
    /// The body is an async coroutine's, where `.await` stands as in an `async fn`.
    allow_await: bool,
    context: Vec<Context>,
}

impl<'a> Prepare<'a> {
    pub(crate) fn new(errors: &'a mut Errors, krate: &'a syn::Path, rename_self: bool) -> Self {
        Prepare {
            macro_paths: Vec::new(),
            errors,
            krate,
            rename_self,
            rewrite_exits: true,
            exits: MacroExits::default(),
            allow_await: false,
            context: vec![Context::Body],
        }
    }

    /// The return type is one whose early exits a macro can write (see
    /// `expand::scoped_return_type`).
    pub(crate) fn with_macro_exits(mut self, macro_exits: bool) -> Self {
        self.exits.scoped = macro_exits;
        self
    }

    /// For an async coroutine: `.await` is allowed.
    pub(crate) fn allowing_await(mut self) -> Self {
        self.allow_await = true;
        self
    }

    /// For the pinned lowering: only the checks, with `return`, `?` and `self` kept as written.
    pub(crate) fn checks_only(mut self) -> Self {
        self.rename_self = false;
        self.rewrite_exits = false;
        self
    }

    /// Whether suspensions may stand in the arguments of other macros, as `.await` may in an
    /// `async` block: in the lowerings that keep the body's exits as written (`pinned` and
    /// `async`), which rewrite suspensions into awaits in place.
    fn suspend_in_macros(&self) -> bool {
        !self.rewrite_exits
    }

    fn context(&self) -> Context {
        *self.context.last().unwrap_or(&Context::Body)
    }

    fn in_body(&self) -> bool {
        self.context() == Context::Body
    }

    fn within(&mut self, context: Context, f: impl FnOnce(&mut Self)) {
        self.context.push(context);
        f(self);
        self.context.pop();
    }

    /// Checks a suspension macro found here; returns whether it may stay.
    fn note_path(&mut self, path: &syn::Path) {
        let text = path.to_token_stream().to_string();
        if !self
            .macro_paths
            .iter()
            .any(|p| p.to_token_stream().to_string() == text)
        {
            self.macro_paths.push(path.clone());
        }
    }

    fn check_suspend(&mut self, kind: SuspendMacro, span: Span) {
        let name = kind.name();
        let message = match self.context() {
            Context::Body => return,
            Context::Closure => format!(
                "`{name}` cannot be used inside a closure: a closure runs as a function of its own and cannot suspend the coroutine; suspend outside the closure, or build the closure's work as a coroutine with `coro!` and delegate to it with `suspend_from!`"
            ),
            Context::Async if self.allow_await => format!(
                "`{name}` cannot be used inside an `async` block: the block is a future of its own and cannot suspend the coroutine; await the block and suspend with what it gives, outside it"
            ),
            Context::Async => format!(
                "`{name}` cannot be used inside an `async` block: coroutines are not futures; suspend outside the block"
            ),
            Context::Item => format!(
                "`{name}` cannot be used inside a nested function or item: only the `#[coroutine]` function's own body can suspend; make the nested function a `#[coroutine]` too and delegate to it with `suspend_from!`"
            ),
            Context::Const => format!("`{name}` cannot be used in a constant context"),
            Context::Guard => format!(
                "`{name}` cannot be used in a match guard: suspend before the `match` and bind the value with `let`"
            ),
        };
        self.errors.error(span, message);
    }

    /// A macro other than the suspension macros: its arguments cannot hold a suspension point,
    /// but `return`, `?` and `self` inside them are rewritten where the arguments parse as
    /// expressions.
    fn other_macro(&mut self, mac: &mut Macro) {
        if self.in_body()
            && !mac
                .path
                .segments
                .last()
                .is_some_and(|last| RETURN_FREE_MACROS.contains(&last.ident.to_string().as_str()))
        {
            self.exits.hidden = true;
        }
        if self.in_body()
            && self.rewrite_exits
            && !self.exits.scoped
            && let Some(last) = mac.path.segments.last()
            && RETURNING_MACROS.contains(&last.ident.to_string().as_str())
        {
            // The state machine runs the body inside a closure of its own, so a `return` that
            // only a macro's expansion holds returns from it: with a return type written as
            // `Result` or `Option` the closure's type gives that `return` its meaning (see
            // `expand::scoped_return_type`); behind an alias it cannot. The `pinned` lowering
            // runs the body as written.
            let name = last.ident.to_string();
            self.errors.error_spanned(
                &mac.path,
                format!(
                    "`{name}!` expands to `return`, which the default lowering can only see inside a macro when the return type is written `Result<..>` or `Option<..>`: write the type out instead of an alias, add `pinned` to the attribute (`#[coro::coroutine(yield = T, pinned)]`), or write the `return` out, as in `return Err(anyhow::anyhow!(..))`"
                ),
            );
            return;
        }
        if is_nested_coroutine_macro(mac) {
            // A `coro!` block is a coroutine of its own: its suspension points are its own.
            if self.rename_self {
                mac.tokens = rename_self_tokens(mac.tokens.clone());
            }
            return;
        }
        if self.in_body() && self.suspend_in_macros() && tokens_suspend(&mac.tokens).is_some() {
            // The checks of every suspension in the arguments; the lowering rewrites them.
            if let Ok(args) = syn::parse::Parser::parse2(
                Punctuated::<Expr, Token![,]>::parse_terminated,
                mac.tokens.clone(),
            ) {
                for mut arg in args {
                    self.visit_expr_mut(&mut arg);
                }
            } else {
                map_suspensions(mac.tokens.clone(), &mut |mac| {
                    self.visit_expr_mut(&mut Expr::Macro(syn::ExprMacro {
                        attrs: Vec::new(),
                        mac,
                    }));
                    TokenStream::new()
                });
            }
            return;
        }
        if self.in_body()
            && let Some((kind, span)) = tokens_suspend(&mac.tokens)
        {
            let name = mac
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            self.errors.error(
                span,
                format!(
                    "`{}` cannot be used inside the arguments of `{name}!`: bind the value first, as in `let v = {}(...); {name}!(.., v)`, or add `pinned` to the attribute (`#[coro::coroutine(yield = T, pinned)]`), whose coroutines suspend inside macro arguments",
                    kind.name(),
                    kind.name()
                ),
            );
            return;
        }
        if self.in_body()
            && let Ok(mut args) = syn::parse::Parser::parse2(
                Punctuated::<Expr, Token![,]>::parse_terminated,
                mac.tokens.clone(),
            )
            && needs_rewrite(&args)
        {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.to_token_stream();
            return;
        }
        if self.rename_self {
            mac.tokens = rename_self_tokens(mac.tokens.clone());
        }
    }
}

/// Macros whose expansion never holds a `return` of its own: the standard library's (a `return`
/// or `?` written in their arguments is the body's, and rewritten) and this crate's.
const RETURN_FREE_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "compile_error",
    "concat",
    "coro",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Well-known macros whose expansion is a `return` (anyhow's and eyre's).
const RETURNING_MACROS: &[&str] = &["bail", "ensure"];

/// `coro!` (or `coro::coro!`): a nested coroutine block.
pub(crate) fn is_nested_coroutine_macro(mac: &Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "coro")
}

/// Whether an item is itself a coroutine (`#[coroutine]`), expanded on its own.
fn is_nested_coroutine_item(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Fn(f) => &f.attrs,
        _ => return false,
    };
    attrs.iter().any(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "coroutine")
    })
}

/// Whether macro arguments contain something the pass rewrites (`return`, `?`, `self`).
fn needs_rewrite(args: &Punctuated<Expr, Token![,]>) -> bool {
    let text = args.to_token_stream().to_string();
    // `!`: a macro call inside the arguments, which may hold a `return` of its own.
    text.contains("return") || text.contains('?') || text.contains("self") || text.contains('!')
}

fn rename_self_tokens(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "self" => {
                let is_path =
                    matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if is_path {
                    out.push(tree.clone());
                } else {
                    out.push(TokenTree::Ident(self_ident(ident.span())));
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), rename_self_tokens(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

impl VisitMut for Prepare<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(c) => {
                self.within(Context::Closure, |p| {
                    syn::visit_mut::visit_expr_closure_mut(p, c);
                });
            }
            Expr::Async(a) => self.within(Context::Async, |p| {
                syn::visit_mut::visit_expr_async_mut(p, a);
            }),
            Expr::Const(c) => self.within(Context::Const, |p| {
                syn::visit_mut::visit_expr_const_mut(p, c);
            }),
            Expr::Macro(m) => {
                if let Some(kind) = SuspendMacro::of(&m.mac) {
                    self.note_path(&m.mac.path);
                    self.check_suspend(kind, m.mac.path.span());
                    self.visit_suspend_args(&mut m.mac);
                } else {
                    self.other_macro(&mut m.mac);
                }
            }
            Expr::Return(r) if self.in_body() && self.rewrite_exits => {
                if let Some(e) = &mut r.expr {
                    self.visit_expr_mut(e);
                }
                let span = r.return_token.span;
                let value = r
                    .expr
                    .take()
                    .unwrap_or_else(|| Box::new(syn::parse_quote_spanned!(span=> ())));
                *expr = exit_expr(*value, span);
            }
            Expr::Try(t) if self.in_body() && self.rewrite_exits => {
                self.visit_expr_mut(&mut t.expr);
                let inner = &t.expr;
                let span = t.question_token.span;
                let krate = self.krate;
                let label = body_label();
                let v = Ident::new("__coro_v", Span::mixed_site());
                let r = Ident::new("__coro_r", Span::mixed_site());
                *expr = syn::parse_quote_spanned! {span=>
                    match #krate::__private::Branch::branch(#inner) {
                        ::core::ops::ControlFlow::Continue(#v) => #v,
                        ::core::ops::ControlFlow::Break(#r) => {
                            break #label <_ as #krate::__private::FromResidual<_>>::from_residual(#r)
                        }
                    }
                };
            }
            Expr::Yield(y) if self.in_body() => {
                self.errors.error(
                    y.yield_token.span,
                    "`yield` is not available on stable Rust: suspend the coroutine with `suspend!(value)`",
                );
            }
            Expr::Await(a) if self.in_body() && !self.allow_await => {
                self.errors.error(
                    a.await_token.span,
                    "`.await` cannot be used in a coroutine body unless the coroutine is async: make it an `async fn` with `async` in its options (`#[coro::coroutine(yield = T, async)]`), which makes it a `Stream`; or delegate to another coroutine with `suspend_from!`",
                );
            }
            Expr::Path(p) if self.rename_self && p.qself.is_none() && p.path.is_ident("self") => {
                let span = p.path.segments[0].ident.span();
                *expr = Expr::Path(syn::ExprPath {
                    attrs: Vec::new(),
                    qself: None,
                    path: syn::Path::from(self_ident(span)),
                });
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in &mut m.arms {
                    self.visit_pat_mut(&mut arm.pat);
                    if let Some((_, guard)) = &mut arm.guard {
                        self.within(Context::Guard, |p| p.visit_expr_mut(guard));
                    }
                    self.visit_expr_mut(&mut arm.body);
                }
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(m) = stmt {
            if let Some(kind) = SuspendMacro::of(&m.mac) {
                self.note_path(&m.mac.path);
                self.check_suspend(kind, m.mac.path.span());
                self.visit_suspend_args(&mut m.mac);
            } else {
                self.other_macro(&mut m.mac);
            }
            return;
        }
        syn::visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        if is_nested_coroutine_item(item) {
            return;
        }
        self.within(Context::Item, |p| {
            // Inside a nested item, `self` and `return` are the item's own: only report misplaced
            // suspension points.
            let rename = std::mem::replace(&mut p.rename_self, false);
            syn::visit_mut::visit_item_mut(p, item);
            p.rename_self = rename;
        });
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        self.other_macro(mac);
    }
}

impl Prepare<'_> {
    /// The arguments of `suspend!(...)` are expressions of the body: rewrite inside them.
    fn visit_suspend_args(&mut self, mac: &mut Macro) {
        let parsed = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            mac.tokens.clone(),
        );
        match parsed {
            Ok(mut args) => {
                for arg in &mut args {
                    self.visit_expr_mut(arg);
                }
                let stream = args.to_token_stream();
                mac.tokens = stream;
            }
            Err(e) => self.errors.push(e),
        }
    }
}
