//! `#[cfg]` and `#[cfg_attr]` inside a coroutine body, before every other pass.
//!
//! rustc evaluates `cfg` on the statements of a function only after an attribute macro has run,
//! and a macro cannot evaluate a `cfg` condition itself. Yet a configured-out statement changes
//! what the transform must produce: the suspension points it holds, the locals it declares, the
//! uses that decide when a local is dropped. So the body is expanded once per combination of the
//! conditions it mentions, each copy with its `cfg`s resolved, and each emitted under a `#[cfg]`
//! that selects it:
//!
//! ```text
//! // Input:
//! #[coroutine(yield = i32)]
//! fn f() { #[cfg(debug_assertions)] suspend!(1); suspend!(2); }
//!
//! // Output:
//! #[cfg(all(debug_assertions))]      fn f() -> impl Coroutine<..> { /* suspends with 1, 2 */ }
//! #[cfg(all(not(debug_assertions)))] fn f() -> impl Coroutine<..> { /* suspends with 2 */ }
//! ```
//!
//! rustc keeps exactly one copy and never looks inside the others, so a combination that cannot
//! hold costs nothing but tokens. `cfg(not(p))` counts as the condition `p`. Attributes on nested
//! items are the item's own business: the item is emitted as written and rustc configures it.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Expr, Meta, Token};

/// The most distinct conditions one body may mention: each doubles the copies expanded.
pub(crate) const MAX_CONDITIONS: usize = 6;

/// The distinct `cfg` conditions a body mentions, in the order they first appear.
pub(crate) struct Conditions {
    /// Each condition, as written (without a `not(..)` around it).
    pub(crate) atoms: Vec<TokenStream>,
    /// Where the first condition past [`MAX_CONDITIONS`] is written, if there is one.
    pub(crate) too_many: Option<proc_macro2::Span>,
}

impl Conditions {
    /// The conditions of `block`, outside nested items.
    pub(crate) fn of(block: &syn::Block) -> Self {
        let mut c = Collect {
            atoms: Vec::new(),
            too_many: None,
        };
        c.visit_block(block);
        Conditions {
            atoms: c.atoms,
            too_many: c.too_many,
        }
    }

    /// Every combination: which conditions hold, one `bool` per atom.
    pub(crate) fn combinations(&self) -> Vec<Vec<bool>> {
        let n = self.atoms.len();
        (0..1usize << n)
            .map(|mask| (0..n).map(|i| mask & (1 << i) != 0).collect())
            .collect()
    }

    /// The `#[cfg(..)]` that selects one combination.
    pub(crate) fn gate(&self, holds: &[bool]) -> TokenStream {
        let parts = self.atoms.iter().zip(holds).map(|(atom, &yes)| {
            if yes {
                atom.clone()
            } else {
                quote!(not(#atom))
            }
        });
        quote!(#[cfg(all(#(#parts),*))])
    }

    /// Resolves every `cfg` and `cfg_attr` of `block` for one combination: configured-out
    /// statements, arms and fields are removed, the attributes `cfg_attr` adds are put in place,
    /// and every other attribute stays where it stands.
    pub(crate) fn apply(&self, block: &mut syn::Block, holds: &[bool]) {
        Apply {
            atoms: &self.atoms,
            holds,
        }
        .visit_block_mut(block);
    }
}

/// A `cfg(..)` condition split from a `not(..)` around it.
fn atom(pred: &TokenStream) -> (TokenStream, bool) {
    if let Ok(Meta::List(list)) = syn::parse2::<Meta>(pred.clone())
        && list.path.is_ident("not")
        && let Ok(inner) = syn::parse2::<Meta>(list.tokens.clone())
    {
        let (a, negated) = atom(&inner.to_token_stream());
        return (a, !negated);
    }
    (pred.clone(), false)
}

/// What an attribute says about configuration.
enum Cfg {
    /// `#[cfg(pred)]`.
    If(TokenStream),
    /// `#[cfg_attr(pred, attrs..)]`.
    Attrs(TokenStream, Vec<Attribute>),
    /// Anything else.
    Other,
}

fn classify(attr: &Attribute) -> Cfg {
    let Meta::List(list) = &attr.meta else {
        return Cfg::Other;
    };
    if list.path.is_ident("cfg") {
        return Cfg::If(list.tokens.clone());
    }
    if list.path.is_ident("cfg_attr")
        && let Ok(parts) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
    {
        let mut parts = parts.into_iter();
        if let Some(pred) = parts.next() {
            let attrs = parts
                .map(|meta| Attribute {
                    pound_token: attr.pound_token,
                    style: attr.style,
                    bracket_token: attr.bracket_token,
                    meta,
                })
                .collect();
            return Cfg::Attrs(pred.to_token_stream(), attrs);
        }
    }
    Cfg::Other
}

struct Collect {
    atoms: Vec<TokenStream>,
    too_many: Option<proc_macro2::Span>,
}

impl Collect {
    fn note(&mut self, pred: &TokenStream, span: proc_macro2::Span) {
        let (a, _) = atom(pred);
        let text = a.to_string();
        if self.atoms.iter().any(|x| x.to_string() == text) {
            return;
        }
        if self.atoms.len() == MAX_CONDITIONS {
            self.too_many.get_or_insert(span);
            return;
        }
        self.atoms.push(a);
    }
}

/// The arguments of `suspend!` / `suspend_from!`, which the transform reads as expressions of
/// the body (other macros' arguments are the macro's business).
fn suspension_args(mac: &syn::Macro) -> Option<Punctuated<Expr, Token![,]>> {
    crate::prepare::SuspendMacro::of(mac)?;
    syn::parse::Parser::parse2(
        Punctuated::<Expr, Token![,]>::parse_terminated,
        mac.tokens.clone(),
    )
    .ok()
}

impl<'ast> Visit<'ast> for Collect {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(args) = suspension_args(mac) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        let mut pending = vec![attr.clone()];
        while let Some(attr) = pending.pop() {
            match classify(&attr) {
                Cfg::If(pred) => self.note(&pred, syn::spanned::Spanned::span(&attr)),
                Cfg::Attrs(pred, attrs) => {
                    self.note(&pred, syn::spanned::Spanned::span(&attr));
                    pending.extend(attrs);
                }
                Cfg::Other => {}
            }
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct Apply<'a> {
    atoms: &'a [TokenStream],
    holds: &'a [bool],
}

impl Apply<'_> {
    /// Whether a condition holds in this combination. One past the most that are collected has
    /// been reported already; it counts as holding, so that the expansion goes on.
    fn holds(&self, pred: &TokenStream) -> bool {
        let (a, negated) = atom(pred);
        let text = a.to_string();
        match self.atoms.iter().position(|x| x.to_string() == text) {
            Some(i) => self.holds[i] != negated,
            None => true,
        }
    }

    /// Resolves the attributes of one node; `false` if the node is configured out.
    fn keep(&self, attrs: &mut Vec<Attribute>) -> bool {
        let mut out = Vec::with_capacity(attrs.len());
        let mut pending: Vec<Attribute> = std::mem::take(attrs);
        pending.reverse();
        let mut keep = true;
        while let Some(attr) = pending.pop() {
            match classify(&attr) {
                Cfg::If(pred) => keep &= self.holds(&pred),
                Cfg::Attrs(pred, added) => {
                    if self.holds(&pred) {
                        pending.extend(added.into_iter().rev());
                    }
                }
                Cfg::Other => out.push(attr),
            }
        }
        *attrs = out;
        keep
    }

    /// Resolves the attributes of a node that cannot be removed where it stands: a `cfg` that
    /// holds goes, one that does not stays, for rustc to reject as it would in a plain function.
    fn resolve_in_place(&self, attrs: &mut Vec<Attribute>) {
        let mut kept = attrs.clone();
        if self.keep(&mut kept) {
            *attrs = kept;
        } else {
            attrs.retain(|a| !matches!(classify(a), Cfg::If(p) if self.holds(&p)));
        }
    }
}

/// The attributes of a statement.
fn stmt_attrs(stmt: &mut syn::Stmt) -> Option<&mut Vec<Attribute>> {
    match stmt {
        syn::Stmt::Local(l) => Some(&mut l.attrs),
        syn::Stmt::Macro(m) => Some(&mut m.attrs),
        syn::Stmt::Expr(e, _) => expr_attrs(e),
        syn::Stmt::Item(_) => None,
    }
}

fn expr_attrs(expr: &mut Expr) -> Option<&mut Vec<Attribute>> {
    Some(match expr {
        Expr::Array(e) => &mut e.attrs,
        Expr::Assign(e) => &mut e.attrs,
        Expr::Async(e) => &mut e.attrs,
        Expr::Await(e) => &mut e.attrs,
        Expr::Binary(e) => &mut e.attrs,
        Expr::Block(e) => &mut e.attrs,
        Expr::Break(e) => &mut e.attrs,
        Expr::Call(e) => &mut e.attrs,
        Expr::Cast(e) => &mut e.attrs,
        Expr::Closure(e) => &mut e.attrs,
        Expr::Const(e) => &mut e.attrs,
        Expr::Continue(e) => &mut e.attrs,
        Expr::Field(e) => &mut e.attrs,
        Expr::ForLoop(e) => &mut e.attrs,
        Expr::Group(e) => &mut e.attrs,
        Expr::If(e) => &mut e.attrs,
        Expr::Index(e) => &mut e.attrs,
        Expr::Infer(e) => &mut e.attrs,
        Expr::Let(e) => &mut e.attrs,
        Expr::Lit(e) => &mut e.attrs,
        Expr::Loop(e) => &mut e.attrs,
        Expr::Macro(e) => &mut e.attrs,
        Expr::Match(e) => &mut e.attrs,
        Expr::MethodCall(e) => &mut e.attrs,
        Expr::Paren(e) => &mut e.attrs,
        Expr::Path(e) => &mut e.attrs,
        Expr::Range(e) => &mut e.attrs,
        Expr::RawAddr(e) => &mut e.attrs,
        Expr::Reference(e) => &mut e.attrs,
        Expr::Repeat(e) => &mut e.attrs,
        Expr::Return(e) => &mut e.attrs,
        Expr::Struct(e) => &mut e.attrs,
        Expr::Try(e) => &mut e.attrs,
        Expr::TryBlock(e) => &mut e.attrs,
        Expr::Tuple(e) => &mut e.attrs,
        Expr::Unary(e) => &mut e.attrs,
        Expr::Unsafe(e) => &mut e.attrs,
        Expr::While(e) => &mut e.attrs,
        Expr::Yield(e) => &mut e.attrs,
        _ => return None,
    })
}

impl VisitMut for Apply<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let stmts = std::mem::take(&mut block.stmts);
        for mut stmt in stmts {
            // A configured-out tail leaves the block without a value, as in rustc.
            if stmt_attrs(&mut stmt).is_none_or(|attrs| self.keep(attrs)) {
                self.visit_stmt_mut(&mut stmt);
                block.stmts.push(stmt);
            }
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        match stmt {
            // The statement's own attributes were resolved by its block.
            syn::Stmt::Local(l) => {
                self.visit_pat_mut(&mut l.pat);
                if let Some(init) = &mut l.init {
                    self.visit_expr_mut(&mut init.expr);
                    if let Some((_, els)) = &mut init.diverge {
                        self.visit_expr_mut(els);
                    }
                }
            }
            syn::Stmt::Expr(e, _) => self.visit_children(e),
            syn::Stmt::Macro(m) => self.visit_macro_mut(&mut m.mac),
            syn::Stmt::Item(_) => {}
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if let Some(mut args) = suspension_args(mac) {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.to_token_stream();
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(attrs) = expr_attrs(expr) {
            self.resolve_in_place(attrs);
        }
        self.visit_children(expr);
    }

    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        self.resolve_in_place(&mut m.attrs);
        self.visit_expr_mut(&mut m.expr);
        m.arms.retain_mut(|arm| self.keep(&mut arm.attrs));
        for arm in &mut m.arms {
            self.visit_pat_mut(&mut arm.pat);
            if let Some((_, g)) = &mut arm.guard {
                self.visit_expr_mut(g);
            }
            self.visit_expr_mut(&mut arm.body);
        }
    }

    fn visit_expr_array_mut(&mut self, a: &mut syn::ExprArray) {
        self.resolve_in_place(&mut a.attrs);
        self.configure_list(&mut a.elems);
    }

    fn visit_expr_tuple_mut(&mut self, t: &mut syn::ExprTuple) {
        self.resolve_in_place(&mut t.attrs);
        self.configure_list(&mut t.elems);
        // `(a, #[cfg(any())] b)` is still a tuple: `(a,)`.
        if t.elems.len() == 1 && !t.elems.trailing_punct() {
            t.elems
                .push_punct(Token![,](proc_macro2::Span::call_site()));
        }
    }

    fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
        self.resolve_in_place(&mut c.attrs);
        self.visit_expr_mut(&mut c.func);
        self.configure_list(&mut c.args);
    }

    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        self.resolve_in_place(&mut m.attrs);
        self.visit_expr_mut(&mut m.receiver);
        self.configure_list(&mut m.args);
    }

    fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
        self.resolve_in_place(&mut s.attrs);
        let fields = std::mem::take(&mut s.fields);
        for pair in fields.into_pairs() {
            let (mut field, comma) = pair.into_tuple();
            if self.keep(&mut field.attrs) {
                self.visit_expr_mut(&mut field.expr);
                s.fields.push_value(field);
                if let Some(comma) = comma {
                    s.fields.push_punct(comma);
                }
            }
        }
        if let Some(rest) = &mut s.rest {
            self.visit_expr_mut(rest);
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Apply<'_> {
    /// Visits the parts of an expression whose own attributes were already resolved.
    fn visit_children(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Match(m) => self.visit_expr_match_mut(m),
            Expr::Struct(s) => self.visit_expr_struct_mut(s),
            Expr::Array(a) => self.visit_expr_array_mut(a),
            Expr::Tuple(t) => self.visit_expr_tuple_mut(t),
            Expr::Call(c) => self.visit_expr_call_mut(c),
            Expr::MethodCall(m) => self.visit_expr_method_call_mut(m),
            other => syn::visit_mut::visit_expr_mut(self, other),
        }
    }

    /// The elements of an array or tuple, or the arguments of a call: rustc removes the ones a
    /// `cfg` configures out.
    fn configure_list(&mut self, list: &mut Punctuated<Expr, Token![,]>) {
        let items = std::mem::take(list);
        for mut item in items {
            if expr_attrs(&mut item).is_none_or(|attrs| self.keep(attrs)) {
                self.visit_children(&mut item);
                list.push(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(block: syn::Block, holds: &[bool]) -> String {
        let c = Conditions::of(&block);
        let mut b = block;
        c.apply(&mut b, holds);
        b.to_token_stream().to_string()
    }

    #[test]
    fn conditions_are_collected_once_and_without_not() {
        let block: syn::Block = syn::parse_quote!({
            #[cfg(debug_assertions)]
            suspend!(1);
            #[cfg(not(debug_assertions))]
            suspend!(2);
            #[cfg_attr(feature = "x", allow(unused))]
            let a = 1;
            fn inner() {
                #[cfg(test)]
                let _ = 0;
            }
        });
        let c = Conditions::of(&block);
        let atoms: Vec<String> = c.atoms.iter().map(ToString::to_string).collect();
        assert_eq!(atoms, ["debug_assertions", "feature = \"x\""]);
        assert_eq!(c.combinations().len(), 4);
        assert_eq!(
            c.gate(&[true, false]).to_string(),
            "# [cfg (all (debug_assertions , not (feature = \"x\")))]"
        );
    }

    #[test]
    fn configured_out_statements_arms_and_fields_are_removed() {
        let block: syn::Block = syn::parse_quote!({
            #[cfg(a)]
            suspend!(1);
            #[cfg(not(a))]
            suspend!(2);
            let s = S {
                #[cfg(a)]
                x: 1,
                y: 2,
            };
            match s {
                #[cfg(a)]
                S { x, .. } => x,
                _ => 0,
            }
        });
        assert_eq!(
            configure(block.clone(), &[true]),
            "{ suspend ! (1) ; let s = S { x : 1 , y : 2 , } ; match s { S { x , .. } => x , _ => 0 , } }"
        );
        assert_eq!(
            configure(block, &[false]),
            "{ suspend ! (2) ; let s = S { y : 2 , } ; match s { _ => 0 , } }"
        );
    }

    #[test]
    fn cfg_attr_puts_its_attributes_in_place_and_others_stay() {
        let block: syn::Block = syn::parse_quote!({
            #[allow(unused)]
            #[cfg_attr(a, allow(dead_code), cfg(b))]
            let x = 1;
        });
        assert_eq!(
            configure(block.clone(), &[true, true]),
            "{ # [allow (unused)] # [allow (dead_code)] let x = 1 ; }"
        );
        assert_eq!(configure(block.clone(), &[true, false]), "{ }");
        assert_eq!(
            configure(block, &[false, false]),
            "{ # [allow (unused)] let x = 1 ; }"
        );
    }

    #[test]
    fn elements_and_arguments_are_configured_too() {
        let block: syn::Block = syn::parse_quote!({
            let a = [
                suspend!(1),
                #[cfg(a)]
                suspend!(2),
            ];
            let t = (
                1,
                #[cfg(a)]
                2,
            );
            f(
                x,
                #[cfg(a)]
                y,
            );
        });
        assert_eq!(
            configure(block.clone(), &[false]),
            "{ let a = [suspend ! (1)] ; let t = (1 ,) ; f (x) ; }"
        );
        assert_eq!(
            configure(block, &[true]),
            "{ let a = [suspend ! (1) , suspend ! (2)] ; let t = (1 , 2) ; f (x , y) ; }"
        );
    }

    #[test]
    fn too_many_conditions_are_reported_at_the_first_extra_one() {
        let block: syn::Block = syn::parse_quote!({
            #[cfg(a1)]
            let _ = 1;
            #[cfg(a2)]
            let _ = 1;
            #[cfg(a3)]
            let _ = 1;
            #[cfg(a4)]
            let _ = 1;
            #[cfg(a5)]
            let _ = 1;
            #[cfg(a6)]
            let _ = 1;
            #[cfg(a7)]
            let _ = 1;
        });
        let c = Conditions::of(&block);
        assert_eq!(c.atoms.len(), MAX_CONDITIONS);
        assert!(c.too_many.is_some());
        // Resolving goes on (the extra condition counts as holding), without a panic.
        let mut b = block;
        c.apply(&mut b, &[false; MAX_CONDITIONS]);
        assert_eq!(b.to_token_stream().to_string(), "{ let _ = 1 ; }");
    }
}
