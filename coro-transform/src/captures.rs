//! What a `coro!` block captures: the names it uses that it does not bind.
//!
//! The block owns what it captures, like a `move` closure. A captured local is moved into the
//! coroutine's initial state, so the body can move it out, keep it across suspension points and
//! drop it in order. Names used only as the callee of a call (`f(x)`) are left to the closure
//! itself, which captures them by move as usual: they may be functions, which need no capturing.

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{Expr, Pat};

use crate::resolve::{bare_ident, format_args_in, pat_bindings};

/// The names a block captures, in order of first use; `self` comes out as `self`.
pub(crate) fn captures(block: &syn::Block, bound: &[String]) -> Vec<syn::Ident> {
    let mut c = Captures {
        scopes: vec![bound.to_vec()],
        found: Vec::new(),
    };
    c.visit_block(block);
    c.found
}

struct Captures {
    scopes: Vec<Vec<String>>,
    found: Vec<syn::Ident>,
}

impl Captures {
    fn bound(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.iter().any(|n| n == name))
    }

    fn use_name(&mut self, ident: &syn::Ident) {
        let name = ident.to_string();
        let variable = name == "self" || name.starts_with(|c: char| c.is_lowercase() || c == '_');
        if variable && !self.bound(&name) && !self.found.iter().any(|f| *f == name) {
            self.found.push(ident.clone());
        }
    }

    fn bind(&mut self, pat: &Pat) {
        let names = pat_bindings(pat).into_iter().map(|i| i.to_string());
        if let Some(s) = self.scopes.last_mut() {
            s.extend(names);
        }
    }

    fn scoped(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Vec::new());
        f(self);
        self.scopes.pop();
    }

    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Ident(ident) => {
                    let after_dot =
                        i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let before = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if matches!(p.as_char(), '!' | ':' | '='));
                    let called = matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                    if !after_dot && !before && !called {
                        self.use_name(ident);
                    }
                }
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Literal(lit) => {
                    for name in format_args_in(&lit.to_string()) {
                        self.use_name(&syn::Ident::new(&name, lit.span()));
                    }
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Captures {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.scoped(|c| {
            // Items are visible in their whole block.
            for stmt in &block.stmts {
                if let syn::Stmt::Item(item) = stmt
                    && let Some(name) = item_name(item)
                    && let Some(s) = c.scopes.last_mut()
                {
                    s.push(name);
                }
            }
            for stmt in &block.stmts {
                c.visit_stmt(stmt);
            }
        });
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, els)) = &init.diverge {
                self.visit_expr(els);
            }
        }
        self.bind(&local.pat);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        if let Some(ident) = bare_ident(expr) {
            self.use_name(ident);
            return;
        }
        match expr {
            Expr::Call(c) => {
                if bare_ident(&c.func).is_none() {
                    self.visit_expr(&c.func);
                }
                c.args.iter().for_each(|a| self.visit_expr(a));
            }
            Expr::Closure(cl) => self.scoped(|c| {
                cl.inputs.iter().for_each(|p| c.bind(p));
                c.visit_expr(&cl.body);
            }),
            Expr::If(i) => {
                self.scoped(|c| {
                    c.visit_expr(&i.cond);
                    c.visit_block(&i.then_branch);
                });
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
            }
            Expr::While(w) => self.scoped(|c| {
                c.visit_expr(&w.cond);
                c.visit_block(&w.body);
            }),
            Expr::ForLoop(f) => {
                self.visit_expr(&f.expr);
                self.scoped(|c| {
                    c.bind(&f.pat);
                    c.visit_block(&f.body);
                });
            }
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                self.bind(&l.pat);
            }
            Expr::Struct(s) => {
                for field in &s.fields {
                    if field.colon_token.is_none()
                        && let syn::Member::Named(name) = &field.member
                    {
                        self.use_name(name);
                    } else {
                        self.visit_expr(&field.expr);
                    }
                }
                if let Some(rest) = &s.rest {
                    self.visit_expr(rest);
                }
            }
            Expr::Macro(m) => self.visit_macro(&m.mac),
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.scoped(|c| {
            c.bind(&arm.pat);
            if let Some((_, g)) = &arm.guard {
                c.visit_expr(g);
            }
            c.visit_expr(&arm.body);
        });
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Fn(f) => &f.sig.ident,
        syn::Item::Const(c) => &c.ident,
        syn::Item::Static(s) => &s.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(block: syn::Block) -> Vec<String> {
        captures(&block, &[])
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn free_names_in_order_and_callees_left_alone() {
        let got = names(syn::parse_quote!({
            let local = 1;
            for i in 0..n {
                suspend!(i + local + offset(k));
            }
            println!("{total} {}", extra);
            let f = |x| x + n;
            Point { x, y: 2 };
        }));
        assert_eq!(got, ["n", "k", "total", "extra", "x"]);
    }
}
