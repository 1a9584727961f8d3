//! Renames bindings that shadow another binding while a suspension point is in their scope.
//!
//! A suspended state stores every local it keeps by name: `S3 { x: x, .. }`. When an inner
//! binding hides an outer one of the same name (`let x = ..; { let x = ..; suspend!(); } x`),
//! the outer `x` cannot be named where the state is built. This pass gives the inner binding a
//! name of its own (`x_1`, or the first such name the body does not use, with the span of the original identifier, so errors still point at
//! it) and rewrites every use of it in its scope: paths, struct shorthand, and the tokens of
//! macro calls, format strings included. Bindings whose scope holds no suspension point are left
//! as written.

use proc_macro2::{Group, Ident, Literal, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Pat, Token};

use crate::prepare::{SuspendMacro, tokens_suspend};
use crate::resolve::pat_bindings;
use syn::punctuated::Punctuated;

/// Renames, in `block`, the bindings that shadow a parameter (named in `params`) or an outer
/// binding while a suspension point is in their scope.
pub(crate) fn rename_shadowing(block: &mut syn::Block, params: &[String]) {
    let mut taken = std::collections::HashSet::new();
    collect_idents(block.to_token_stream(), &mut taken);
    let mut r = Renamer {
        scopes: vec![params.iter().map(|p| (p.clone(), None)).collect()],
        taken,
    };
    r.visit_block_mut(block);
}

struct Renamer {
    /// Names in scope, innermost last: `(name as written, new name if renamed)`.
    scopes: Vec<Vec<(String, Option<Ident>)>>,
    /// Every identifier of the body and every new name given so far.
    taken: std::collections::HashSet<String>,
}

fn collect_idents(tokens: TokenStream, out: &mut std::collections::HashSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

impl Renamer {
    fn binding(&self, name: &str) -> Option<&(String, Option<Ident>)> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
    }

    /// The new name of the binding `name` refers to, if it was renamed.
    fn renamed(&self, name: &str) -> Option<&Ident> {
        self.binding(name).and_then(|(_, new)| new.as_ref())
    }

    /// Brings the bindings of `pat` into the innermost scope, renaming those that shadow a
    /// name in scope when `suspends` (their scope holds a suspension point).
    fn bind(&mut self, pat: &mut Pat, suspends: bool) {
        let mut renames = Vec::new();
        for ident in pat_bindings(pat) {
            let name = ident.to_string();
            let new = (suspends && self.binding(&name).is_some()).then(|| {
                let base = name.strip_prefix("r#").unwrap_or(&name);
                // One of the first `taken.len() + 1` candidates is free.
                let fresh = (1..=self.taken.len() + 1)
                    .map(|n| format!("{base}_{n}"))
                    .find(|n| !self.taken.contains(n))
                    .unwrap_or_default();
                self.taken.insert(fresh.clone());
                Ident::new(&fresh, ident.span())
            });
            if let Some(new) = &new {
                renames.push((name.clone(), new.clone()));
            }
            if let Some(scope) = self.scopes.last_mut() {
                scope.push((name, new));
            }
        }
        if !renames.is_empty() {
            RenamePat { renames: &renames }.visit_pat_mut(pat);
        }
    }

    fn scoped(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Vec::new());
        f(self);
        self.scopes.pop();
    }

    /// The condition of an `if` or `while`: its `let`s bind for the rest of the condition and
    /// for the body.
    fn cond(&mut self, cond: &mut Expr, suspends: bool) {
        match cond {
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.bind(&mut l.pat, suspends);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.cond(&mut b.left, suspends);
                self.cond(&mut b.right, suspends);
            }
            other => self.visit_expr_mut(other),
        }
    }

    fn renamed_tokens(&self, tokens: TokenStream) -> TokenStream {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let punct = |i: Option<usize>, c: char| {
            i.and_then(|i| trees.get(i))
                .is_some_and(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == c))
        };
        let mut out = Vec::with_capacity(trees.len());
        for (i, tree) in trees.iter().enumerate() {
            out.push(match tree {
                TokenTree::Ident(ident) => {
                    let after_dot = punct(i.checked_sub(1), '.');
                    let in_path = punct(i.checked_sub(1), ':') || punct(Some(i + 1), ':');
                    match self.renamed(&ident.to_string()) {
                        Some(new) if !after_dot && !in_path => {
                            TokenTree::Ident(Ident::new(&new.to_string(), ident.span()))
                        }
                        _ => tree.clone(),
                    }
                }
                TokenTree::Group(g) => {
                    let mut new = Group::new(g.delimiter(), self.renamed_tokens(g.stream()));
                    new.set_span(g.span());
                    TokenTree::Group(new)
                }
                TokenTree::Literal(lit) => self
                    .renamed_format_string(lit)
                    .map_or_else(|| tree.clone(), TokenTree::Literal),
                TokenTree::Punct(_) => tree.clone(),
            });
        }
        out.into_iter().collect()
    }

    /// `"{x:?}"` with `x` renamed, or `None` when the literal names no renamed binding.
    fn renamed_format_string(&self, lit: &Literal) -> Option<Literal> {
        let text = lit.to_string();
        if !text.starts_with('"') && !text.starts_with('r') {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            if let Some(after) = rest.strip_prefix('{') {
                out.push('{');
                rest = after;
                continue;
            }
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..len];
            if matches!(rest[len..].chars().next(), Some('}' | ':'))
                && let Some(new) = self.renamed(name)
            {
                out.push_str(&new.to_string());
                changed = true;
            } else {
                out.push_str(name);
            }
            rest = &rest[len..];
        }
        out.push_str(rest);
        if !changed {
            return None;
        }
        let mut new: Literal = out.parse().ok()?;
        new.set_span(lit.span());
        Some(new)
    }
}

fn block_suspends(stmts: &[syn::Stmt]) -> bool {
    stmts
        .iter()
        .any(|s| tokens_suspend(&s.to_token_stream()).is_some())
}

fn suspends(node: &impl ToTokens) -> bool {
    tokens_suspend(&node.to_token_stream()).is_some()
}

impl VisitMut for Renamer {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        self.scoped(|r| {
            for i in 0..block.stmts.len() {
                let later = block_suspends(&block.stmts[i + 1..]);
                match &mut block.stmts[i] {
                    syn::Stmt::Local(local) => {
                        if let Some(init) = &mut local.init {
                            r.visit_expr_mut(&mut init.expr);
                            if let Some((_, els)) = &mut init.diverge {
                                r.visit_expr_mut(els);
                            }
                        }
                        r.bind(&mut local.pat, later);
                    }
                    stmt => r.visit_stmt_mut(stmt),
                }
            }
        });
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident()
                    && let Some(new) = self.renamed(&ident.to_string())
                {
                    p.path = Ident::new(&new.to_string(), ident.span()).into();
                }
            }
            Expr::If(i) => {
                let s = suspends(&i.then_branch) || suspends(&i.cond);
                self.scoped(|r| {
                    r.cond(&mut i.cond, s);
                    r.visit_block_mut(&mut i.then_branch);
                });
                if let Some((_, e)) = &mut i.else_branch {
                    self.visit_expr_mut(e);
                }
            }
            Expr::While(w) => {
                let s = suspends(&w.body) || suspends(&w.cond);
                self.scoped(|r| {
                    r.cond(&mut w.cond, s);
                    r.visit_block_mut(&mut w.body);
                });
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                let s = suspends(&f.body);
                self.scoped(|r| {
                    r.bind(&mut f.pat, s);
                    r.visit_block_mut(&mut f.body);
                });
            }
            Expr::Closure(c) => self.scoped(|r| {
                for input in &mut c.inputs {
                    r.bind(input, false);
                }
                r.visit_expr_mut(&mut c.body);
            }),
            Expr::Struct(s) => {
                for field in &mut s.fields {
                    if field.colon_token.is_none()
                        && let syn::Member::Named(name) = &field.member
                        && let Some(new) = self.renamed(&name.to_string())
                    {
                        field.colon_token = Some(Token![:](name.span()));
                        field.expr = Expr::Path(syn::ExprPath {
                            attrs: Vec::new(),
                            qself: None,
                            path: Ident::new(&new.to_string(), name.span()).into(),
                        });
                        continue;
                    }
                    self.visit_expr_mut(&mut field.expr);
                }
                if let Some(rest) = &mut s.rest {
                    self.visit_expr_mut(rest);
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let s = suspends(&arm.body) || arm.guard.as_ref().is_some_and(|(_, g)| suspends(g));
        self.scoped(|r| {
            r.bind(&mut arm.pat, s);
            if let Some((_, g)) = &mut arm.guard {
                r.visit_expr_mut(g);
            }
            r.visit_expr_mut(&mut arm.body);
        });
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // The arguments of `suspend!` and `suspend_from!` are code the transform lowers, with
        // bindings of their own (a block as the yielded value): visit them as expressions.
        if SuspendMacro::of(mac).is_some()
            && let Ok(mut args) = syn::parse::Parser::parse2(
                Punctuated::<Expr, Token![,]>::parse_terminated,
                mac.tokens.clone(),
            )
        {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.to_token_stream();
            return;
        }
        let tokens = std::mem::take(&mut mac.tokens);
        mac.tokens = self.renamed_tokens(tokens);
    }
}

/// Renames the binding identifiers of one pattern.
struct RenamePat<'a> {
    renames: &'a [(String, Ident)],
}

impl VisitMut for RenamePat<'_> {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if let Some((_, new)) = self.renames.iter().find(|(n, _)| p.ident == n) {
            p.ident = new.clone();
        }
        if let Some((_, sub)) = &mut p.subpat {
            self.visit_pat_mut(sub);
        }
    }

    fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
        if f.colon_token.is_none() {
            f.colon_token = Some(Token![:](f.member.span()));
        }
        self.visit_pat_mut(&mut f.pat);
    }

    fn visit_expr_mut(&mut self, _: &mut Expr) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn renamed(block: TokenStream) -> String {
        let mut block: syn::Block = syn::parse2(block).unwrap();
        rename_shadowing(&mut block, &["p".to_owned()]);
        block.into_token_stream().to_string()
    }

    #[test]
    fn inner_bindings_that_hide_a_name_across_a_suspension_are_renamed() {
        let out = renamed(quote!({
            let x = 1;
            {
                let x = x + 1;
                suspend!(x);
                println!("{x} {}", x);
            }
            x
        }));
        let expected = quote!({
            let x = 1;
            {
                let x_1 = x + 1;
                suspend!(x_1);
                println!("{x_1} {}", x_1);
            }
            x
        });
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn patterns_arms_and_parameters() {
        let out = renamed(quote!({
            match q {
                Some(p) => suspend!(p),
                S { p } => suspend!(p.p),
                _ => S { p },
            }
        }));
        let expected = quote!({
            match q {
                Some(p_1) => suspend!(p_1),
                S { p: p_2 } => suspend!(p_2.p),
                _ => S { p },
            }
        });
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn bindings_inside_suspension_arguments_are_renamed_too() {
        let out = renamed(quote!({
            let x = 1;
            suspend!({
                let x = x + 1;
                suspend!(x)
            });
            x
        }));
        let expected = quote!({
            let x = 1;
            suspend!({
                let x_1 = x + 1;
                suspend!(x_1)
            });
            x
        });
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn shadowing_without_a_suspension_in_scope_is_left_alone() {
        let src = quote!({
            let x = 1;
            suspend!(x);
            let x = x + 1;
            for x in 0..x {
                f(x);
            }
            x
        });
        assert_eq!(renamed(src.clone()), src.to_string());
    }
}
