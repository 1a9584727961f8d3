//! Natural recursion: calls of the coroutine itself written as a Rust programmer writes them,
//! not as the argument of `suspend_from!`.
//!
//! `suspend_from!(f(..))` runs the call as a new frame of the same state machine. Any other call
//! of `f` inside `f` builds a coroutine of `f`'s own type, which the state would then contain:
//! a type that contains itself (rustc's E0720). This pass, which runs before lowering, rewrites
//! those calls:
//!
//! ```text
//! // Input:                                   // Output:
//! for x in inorder(l) { suspend!(x) }         { suspend_from!(inorder(l)); }
//! let sub = perms(rest);                      let sub = (Box::new(perms(rest)) as Box<dyn Generator<Y, T> + '_>);
//! ```
//!
//! The first, when the resume type is `()`, means the same thing (every value the call yields
//! is yielded, the loop ends when the call returns) and runs as a frame, without allocating.
//! Every other call is boxed behind a trait object, one allocation per call, which breaks the
//! cycle without asking for `'static`. The pinned lowering needs neither: its body is already
//! behind a box.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Pat, Token, Type};

use crate::lower::{Config, ParamIn};
use crate::prepare::SuspendMacro;

/// Rewrites the natural recursive calls of `block` (see the module's documentation).
pub(crate) fn rewrite(
    block: &mut syn::Block,
    config: &Config,
    yield_ty: &Type,
    resume_ty: &Type,
    return_ty: &Type,
) {
    Rewrite {
        config,
        yield_ty,
        resume_ty,
        return_ty,
    }
    .visit_block_mut(block);
}

/// Whether `name` is bound anywhere in `block` (a `let` or pattern binding, a closure
/// parameter, a nested item, a `use`): then a call by that name may not be the coroutine, and
/// no call is taken for recursion.
pub(crate) fn name_is_rebound(block: &syn::Block, name: &syn::Ident) -> bool {
    struct Find<'n> {
        name: &'n syn::Ident,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Find<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.found |= p.ident == *self.name;
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_item(&mut self, item: &'ast syn::Item) {
            let ident = match item {
                syn::Item::Fn(f) => Some(&f.sig.ident),
                syn::Item::Const(c) => Some(&c.ident),
                syn::Item::Static(s) => Some(&s.ident),
                syn::Item::Struct(s) => Some(&s.ident),
                syn::Item::Enum(e) => Some(&e.ident),
                syn::Item::Macro(m) => m.ident.as_ref(),
                _ => None,
            };
            self.found |= ident == Some(self.name);
            syn::visit::visit_item(self, item);
        }
        fn visit_use_name(&mut self, u: &'ast syn::UseName) {
            self.found |= u.ident == *self.name;
        }
        fn visit_use_rename(&mut self, u: &'ast syn::UseRename) {
            self.found |= u.rename == *self.name;
        }
        fn visit_use_glob(&mut self, _: &'ast syn::UseGlob) {
            // A glob may bring in anything.
            self.found = true;
        }
    }
    let mut f = Find { name, found: false };
    syn::visit::Visit::visit_block(&mut f, block);
    f.found
}

struct Rewrite<'a> {
    config: &'a Config,
    yield_ty: &'a Type,
    resume_ty: &'a Type,
    return_ty: &'a Type,
}

impl Rewrite<'_> {
    /// A call of the coroutine by its own name: `f(..)` in a free function, `Self::f(..)` in a
    /// method. A method call (`x.f()`) or `Type::f(..)` may be another type's `f`, and is left
    /// as written.
    fn natural_call(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Paren(p) => self.natural_call(&p.expr),
            Expr::Call(_) => self.config.self_call(expr).is_some(),
            _ => false,
        }
    }

    /// `for x in f(..) { suspend!(x) }` (the pattern a single name, the body that one
    /// suspension, no label) in a generator: the call to delegate to.
    fn delegating_loop(&self, f: &syn::ExprForLoop) -> Option<Expr> {
        if !self.config.resume_is_unit || f.label.is_some() || !f.attrs.is_empty() {
            return None;
        }
        let Pat::Ident(p) = &*f.pat else { return None };
        if p.by_ref.is_some() || p.subpat.is_some() {
            return None;
        }
        if !self.natural_call(&f.expr) {
            return None;
        }
        let [stmt] = f.body.stmts.as_slice() else {
            return None;
        };
        let mac = match stmt {
            syn::Stmt::Macro(m) if m.attrs.is_empty() => &m.mac,
            syn::Stmt::Expr(Expr::Macro(m), _) if m.attrs.is_empty() => &m.mac,
            _ => return None,
        };
        if SuspendMacro::of(mac) != Some(SuspendMacro::Suspend) {
            return None;
        }
        let arg: Expr = syn::parse2(mac.tokens.clone()).ok()?;
        let Expr::Path(path) = arg else { return None };
        if !path.path.is_ident(&p.ident) {
            return None;
        }
        Some((*f.expr).clone())
    }

    /// `f(..)` as a boxed trait object (a generator stays an iterator).
    fn boxed(&self, call: &Expr) -> Expr {
        let krate = &self.config.krate;
        let (y, r, t) = (self.yield_ty, self.resume_ty, self.return_ty);
        if self.config.resume_is_unit {
            syn::parse_quote_spanned!(call.span()=>
                #krate::__private::boxed_generator::<#y, #t, _>(#call)
            )
        } else {
            syn::parse_quote_spanned!(call.span()=>
                #krate::__private::boxed_delegate::<#r, _>(#call)
            )
        }
    }

    /// The arguments of `suspend_from!`, with a direct recursive call left for the lowering
    /// and everything inside rewritten.
    fn delegation_args(&mut self, tokens: &TokenStream) -> Option<TokenStream> {
        let mut args = syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            tokens.clone(),
        )
        .ok()?;
        for (i, arg) in args.iter_mut().enumerate() {
            if i == 0 && self.natural_call(arg) {
                self.visit_call_args(arg);
            } else {
                self.visit_expr_mut(arg);
            }
        }
        Some(args.to_token_stream())
    }

    /// Rewrites inside a recursive call's arguments (and receiver), not the call itself.
    fn visit_call_args(&mut self, call: &mut Expr) {
        match call {
            Expr::Paren(p) => self.visit_call_args(&mut p.expr),
            Expr::Call(c) => c.args.iter_mut().for_each(|a| self.visit_expr_mut(a)),
            Expr::MethodCall(m) => {
                self.visit_expr_mut(&mut m.receiver);
                m.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
            }
            _ => {}
        }
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::ForLoop(f) => {
                if let Some(mut call) = self.delegating_loop(f) {
                    self.visit_call_args(&mut call);
                    let span = f.for_token.span;
                    let mac = quote_spanned!(span=> suspend_from);
                    *expr = syn::parse_quote_spanned!(span=> { #mac!(#call); });
                    return;
                }
                syn::visit_mut::visit_expr_for_loop_mut(self, f);
            }
            Expr::Macro(m) if SuspendMacro::of(&m.mac) == Some(SuspendMacro::SuspendFrom) => {
                if let Some(tokens) = self.delegation_args(&m.mac.tokens) {
                    m.mac.tokens = tokens;
                }
            }
            Expr::Macro(m) if SuspendMacro::of(&m.mac) == Some(SuspendMacro::Suspend) => {
                if let Ok(mut arg) = syn::parse2::<Expr>(m.mac.tokens.clone()) {
                    self.visit_expr_mut(&mut arg);
                    m.mac.tokens = arg.to_token_stream();
                }
            }
            Expr::Call(_) if self.natural_call(expr) => {
                self.visit_call_args(expr);
                *expr = self.boxed(expr);
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(m) = stmt {
            match SuspendMacro::of(&m.mac) {
                Some(SuspendMacro::SuspendFrom) => {
                    if let Some(tokens) = self.delegation_args(&m.mac.tokens) {
                        m.mac.tokens = tokens;
                    }
                }
                Some(SuspendMacro::Suspend) => {
                    if let Ok(mut arg) = syn::parse2::<Expr>(m.mac.tokens.clone()) {
                        self.visit_expr_mut(&mut arg);
                        m.mac.tokens = arg.to_token_stream();
                    }
                }
                None => {}
            }
            return;
        }
        syn::visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Wraps each argument of a recursive call `name(..)` or `Self::name(..)` (in plain code and in
/// the suspension macros' arguments) whose parameter `checks` gives a type in
/// `recursive_argument::<T, _>(..)`, which reports a call that passes another type at the
/// argument, with what to write (see [`argument_checks`]).
pub(crate) fn check_arguments(
    block: &mut syn::Block,
    name: &Ident,
    checks: &[Option<Type>],
    krate: &syn::Path,
) {
    struct Wrap<'a> {
        name: &'a Ident,
        checks: &'a [Option<Type>],
        krate: &'a syn::Path,
    }
    impl VisitMut for Wrap<'_> {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let Expr::Call(c) = expr else { return };
            let Expr::Path(p) = &*c.func else { return };
            let segments: Vec<&Ident> = p.path.segments.iter().map(|s| &s.ident).collect();
            let is_self = p.qself.is_none()
                && match segments.as_slice() {
                    [f] => *f == self.name,
                    [s, f] => *s == "Self" && *f == self.name,
                    _ => false,
                };
            if !is_self || c.args.len() != self.checks.len() {
                return;
            }
            let krate = self.krate;
            for (arg, check) in c.args.iter_mut().zip(self.checks) {
                if let Some(ty) = check {
                    *arg = syn::parse_quote_spanned!(arg.span()=>
                        #krate::__private::recursive_argument::<#ty, _>(#arg)
                    );
                }
            }
        }

        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            if SuspendMacro::of(mac).is_none() {
                return;
            }
            let Ok(mut args) = syn::parse::Parser::parse2(
                Punctuated::<Expr, Token![,]>::parse_terminated,
                mac.tokens.clone(),
            ) else {
                return;
            };
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.to_token_stream();
        }
    }
    if checks.iter().all(Option::is_none) {
        return;
    }
    Wrap {
        name,
        checks,
        krate,
    }
    .visit_block_mut(block);
}

/// For each argument a recursive call passes (the `#[resume]` parameter excluded), the
/// parameter's type when the call must be checked against it: a type that names one of the
/// function's type parameters, written so that no coercion can reach it (no reference, `dyn`,
/// `impl` or function pointer). A recursive call that passes another type (polymorphic
/// recursion, as a prime sieve that wraps its input iterator) gets an error at its argument
/// that says what to write, instead of rustc's mismatch at the attribute.
pub(crate) fn argument_checks(generics: &syn::Generics, params: &[ParamIn]) -> Vec<Option<Type>> {
    let names: Vec<&Ident> = generics.type_params().map(|t| &t.ident).collect();
    params
        .iter()
        .filter(|p| !p.is_resume)
        .map(|p| {
            let ty = p.ty.as_ref()?;
            let mut v = Checkable {
                names: &names,
                mentions: false,
                coercible: false,
            };
            syn::visit::Visit::visit_type(&mut v, ty);
            (v.mentions && !v.coercible).then(|| ty.clone())
        })
        .collect()
}

struct Checkable<'a> {
    names: &'a [&'a Ident],
    mentions: bool,
    coercible: bool,
}

impl<'ast> syn::visit::Visit<'ast> for Checkable<'_> {
    fn visit_type(&mut self, ty: &'ast Type) {
        match ty {
            Type::Reference(_)
            | Type::Ptr(_)
            | Type::TraitObject(_)
            | Type::ImplTrait(_)
            | Type::BareFn(_)
            | Type::Infer(_)
            | Type::Macro(_)
            | Type::Verbatim(_) => self.coercible = true,
            Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                if self.names.contains(&&p.path.segments[0].ident) {
                    self.mentions = true;
                }
                syn::visit::visit_type(self, ty);
            }
            _ => syn::visit::visit_type(self, ty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(block: syn::Block, resume_is_unit: bool) -> String {
        let config = Config {
            fn_name: Some(syn::parse_quote!(walk)),
            receiver: None,
            resume_is_unit,
            param_count: 1,
            krate: syn::parse_quote!(::coro),
        };
        let mut block = block;
        rewrite(
            &mut block,
            &config,
            &syn::parse_quote!(i32),
            &syn::parse_quote!(()),
            &syn::parse_quote!(()),
        );
        block.to_token_stream().to_string()
    }

    #[test]
    fn arguments_whose_type_names_a_type_parameter_are_checked() {
        let param = |name: &str, ty: syn::Type| {
            let ident = Ident::new(name, proc_macro2::Span::call_site());
            ParamIn {
                pat: syn::parse_quote!(#ident),
                ty: Some(ty),
                arg: ident,
                is_resume: false,
                is_reference: false,
            }
        };
        let generics: syn::Generics = syn::parse_quote!(<'a, I: Iterator, T>);
        let params = vec![
            param("it", syn::parse_quote!(I)),
            param("n", syn::parse_quote!(usize)),
            param("v", syn::parse_quote!(Vec<T>)),
            // A reference or a trait object can be reached by a coercion: not checked.
            param("r", syn::parse_quote!(&'a T)),
            param("b", syn::parse_quote!(Box<dyn Fn(T)>)),
        ];
        let checks: Vec<Option<String>> = argument_checks(&generics, &params)
            .iter()
            .map(|c| c.as_ref().map(|t| t.to_token_stream().to_string()))
            .collect();
        assert_eq!(
            checks,
            [Some("I".into()), None, Some("Vec < T >".into()), None, None]
        );
        let mut block: syn::Block = syn::parse_quote!({
            suspend_from!(walk(it.skip(1), n, v, r, b));
            let other = walk(it, n + 1, v, r, b);
        });
        let checks = argument_checks(&generics, &params);
        check_arguments(
            &mut block,
            &syn::parse_quote!(walk),
            &checks,
            &syn::parse_quote!(::coro),
        );
        let out = block.to_token_stream().to_string();
        assert!(
            out.contains("recursive_argument :: < I , _ > (it . skip (1)) , n , :: coro"),
            "{out}"
        );
        assert!(
            out.contains("recursive_argument :: < I , _ > (it) , n + 1"),
            "{out}"
        );
    }

    #[test]
    fn a_loop_that_yields_what_a_recursive_call_yields_delegates() {
        let out = rewritten(
            syn::parse_quote!({
                for x in walk(l) {
                    suspend!(x)
                }
            }),
            true,
        );
        assert_eq!(out, "{ { suspend_from ! (walk (l)) ; } }");
    }

    #[test]
    fn other_recursive_calls_are_boxed() {
        let out = rewritten(
            syn::parse_quote!({
                let sub = walk(l);
                for x in walk(r) {
                    suspend!(x + 1);
                }
                suspend_from!(walk(walk(z).count()));
                suspend!(self.walk() + other.walk());
            }),
            true,
        );
        assert!(
            out.contains(
                "let sub = :: coro :: __private :: boxed_generator :: < i32 , () , _ > (walk (l)) ;"
            ),
            "{out}"
        );
        assert!(
            out.contains("for x in :: coro :: __private :: boxed_generator"),
            "{out}"
        );
        // The delegation stays a frame; the call in its argument is boxed.
        assert!(
            out.contains("suspend_from ! (walk (:: coro :: __private :: boxed_generator"),
            "{out}"
        );
        // A method call may be another type's method of the same name: left as written.
        assert!(
            out.contains("suspend ! (self . walk () + other . walk ())"),
            "{out}"
        );
    }

    #[test]
    fn with_a_resume_type_every_call_is_boxed_as_a_coroutine() {
        let out = rewritten(
            syn::parse_quote!({
                for x in walk(l) {
                    suspend!(x)
                }
            }),
            false,
        );
        assert!(
            out.contains(
                "for x in :: coro :: __private :: boxed_delegate :: < () , _ > (walk (l))"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_name_bound_again_in_the_body_is_found() {
        let name: syn::Ident = syn::parse_quote!(walk);
        let rebound = |b: syn::Block| name_is_rebound(&b, &name);
        assert!(rebound(syn::parse_quote!({
            use a::walk;
        })));
        assert!(rebound(syn::parse_quote!({
            use a::other as walk;
        })));
        assert!(rebound(syn::parse_quote!({
            let walk = |x: u32| x;
        })));
        assert!(rebound(syn::parse_quote!({
            fn walk() {}
        })));
        assert!(rebound(syn::parse_quote!({ if let Some(walk) = o {} })));
        assert!(!rebound(syn::parse_quote!({
            let walker = 1;
            for x in walk(l) {
                suspend!(x)
            }
        })));
    }
}
