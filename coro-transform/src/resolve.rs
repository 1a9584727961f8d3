//! Which of the body's locals a piece of opaque code uses, and how.
//!
//! The walk follows Rust's scoping (a `let`, a closure parameter or a `match` arm binding inside
//! the code hides an outer local of the same name) and its evaluation order, so that it can tell
//! a read that sees the value a local had before the code ran from one that sees a value the code
//! assigned first. Branches merge as Rust's definite-initialization analysis does: a local is
//! written by an `if` only if both branches write it.

use proc_macro2::{TokenStream, TokenTree};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt, Token};

use crate::ir::{LocalId, LocalSet, Uses};

/// Resolves a name to a local of the body, as seen from where the code stands.
pub(crate) trait Names {
    fn lookup(&self, name: &str) -> Option<LocalId>;
}

impl<F: Fn(&str) -> Option<LocalId>> Names for F {
    fn lookup(&self, name: &str) -> Option<LocalId> {
        self(name)
    }
}

/// What a statement does to the body's locals.
pub(crate) fn stmt_uses(stmt: &Stmt, names: &dyn Names) -> Uses {
    let mut w = Walker::new(names);
    w.stmt(stmt);
    w.finish()
}

/// What an expression does to the body's locals.
pub(crate) fn expr_uses(expr: &Expr, names: &dyn Names) -> Uses {
    let mut w = Walker::new(names);
    w.expr(expr);
    w.finish()
}

/// What a condition does: like [`expr_uses`], but the bindings of its `let`s are not hidden
/// from the rest of the chain (they belong to the block the condition guards).
pub(crate) fn cond_uses(expr: &Expr, names: &dyn Names) -> Uses {
    let mut w = Walker::new(names);
    w.push_scope();
    w.cond(expr);
    w.finish()
}

/// The identifiers a pattern binds, in order. An identifier pattern whose name starts with an
/// upper-case letter (`None`, `MAX`) is taken for a constant or a unit variant, as rustc's
/// naming conventions have it.
pub(crate) fn pat_bindings(pat: &Pat) -> Vec<syn::Ident> {
    let mut out = Vec::new();
    collect_bindings(pat, &mut out);
    out
}

fn collect_bindings(pat: &Pat, out: &mut Vec<syn::Ident>) {
    match pat {
        Pat::Ident(p) => {
            if p.by_ref.is_some()
                || p.mutability.is_some()
                || p.subpat.is_some()
                || is_binding_name(&p.ident)
            {
                out.push(p.ident.clone());
            }
            if let Some((_, sub)) = &p.subpat {
                collect_bindings(sub, out);
            }
        }
        Pat::Or(p) => {
            if let Some(first) = p.cases.first() {
                collect_bindings(first, out);
            }
        }
        Pat::Paren(p) => collect_bindings(&p.pat, out),
        Pat::Reference(p) => collect_bindings(&p.pat, out),
        Pat::Slice(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::Struct(p) => p.fields.iter().for_each(|f| collect_bindings(&f.pat, out)),
        Pat::Tuple(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::TupleStruct(p) => p.elems.iter().for_each(|e| collect_bindings(e, out)),
        Pat::Type(p) => collect_bindings(&p.pat, out),
        _ => {}
    }
}

/// Whether a bare identifier in a pattern is a binding rather than a constant.
fn is_binding_name(ident: &syn::Ident) -> bool {
    let s = ident.to_string();
    let s = s.strip_prefix("r#").unwrap_or(&s);
    s.starts_with(|c: char| c.is_lowercase() || c == '_')
}

/// The local a path expression names, if it is a bare identifier.
pub(crate) fn bare_ident(expr: &Expr) -> Option<&syn::Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

/// The flow facts gathered so far along the current path.
#[derive(Clone, Default)]
struct Flow {
    /// Definitely written on the current path.
    written: LocalSet,
    /// The current path has diverged (returned, broken out, panicked).
    diverged: bool,
    /// The current path has left the body (returned or panicked).
    exited: bool,
    /// Mentioned on some path that may continue after this code (not on paths that leave the
    /// body).
    touched: LocalSet,
}

struct Walker<'a> {
    names: &'a dyn Names,
    /// Names bound inside the code, innermost scope last; they hide the body's locals.
    shadow: Vec<Vec<String>>,
    flow: Flow,
    uses: Uses,
    /// Inside a closure, an `async` block or a macro call.
    hidden: usize,
    /// Inside the value of a `return` (`break '__coro_body value`).
    exiting: usize,
}

impl<'a> Walker<'a> {
    fn new(names: &'a dyn Names) -> Self {
        Walker {
            names,
            shadow: vec![Vec::new()],
            flow: Flow::default(),
            uses: Uses::default(),
            hidden: 0,
            exiting: 0,
        }
    }

    fn finish(mut self) -> Uses {
        self.uses.writes = if self.flow.diverged {
            LocalSet::new()
        } else {
            self.flow.written
        };
        self.uses.touched = if self.flow.exited {
            LocalSet::new()
        } else {
            self.flow.touched
        };
        self.uses
    }

    /// The current path leaves the body.
    fn exit(&mut self) {
        self.flow.diverged = true;
        self.flow.exited = true;
    }

    fn push_scope(&mut self) {
        self.shadow.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.shadow.pop();
    }

    fn bind_pat(&mut self, pat: &Pat) {
        for ident in pat_bindings(pat) {
            self.bind(&ident.to_string());
        }
    }

    fn bind(&mut self, name: &str) {
        if let Some(scope) = self.shadow.last_mut() {
            scope.push(name.to_owned());
        }
    }

    fn resolve(&self, name: &str) -> Option<LocalId> {
        if self.shadow.iter().any(|s| s.iter().any(|n| n == name)) {
            return None;
        }
        self.names.lookup(name)
    }

    fn mention(&mut self, l: LocalId) {
        self.uses.mentions.insert(l);
        if !self.flow.exited {
            self.flow.touched.insert(l);
        }
        if self.hidden > 0 {
            self.uses.hidden.insert(l);
        }
        if self.exiting > 0 {
            self.uses.exits.insert(l);
        }
    }

    /// A read of `name`: it sees the outer value unless this code wrote it first.
    fn read(&mut self, name: &str) {
        if let Some(l) = self.resolve(name) {
            self.mention(l);
            if !self.flow.written.contains(&l) && !self.flow.diverged {
                self.uses.reads.insert(l);
            }
        }
    }

    /// A mention that is neither a read nor a write of the whole local (a field assignment).
    fn touch(&mut self, name: &str, assigned: bool) {
        if let Some(l) = self.resolve(name) {
            self.mention(l);
            if assigned {
                self.uses.assigned.insert(l);
            }
        }
    }

    fn write(&mut self, name: &str) {
        if let Some(l) = self.resolve(name) {
            self.mention(l);
            self.uses.assigned.insert(l);
            if self.hidden == 0 && !self.flow.diverged {
                self.flow.written.insert(l);
            }
        }
    }

    /// Runs `branches` from the current state and merges them: written on every path that
    /// continues.
    fn branches(&mut self, count: usize, mut each: impl FnMut(&mut Self, usize)) {
        let start = self.flow.clone();
        let mut merged: Option<Flow> = None;
        for i in 0..count {
            self.flow = start.clone();
            each(self, i);
            let end = std::mem::take(&mut self.flow);
            merged = Some(match merged {
                None => end,
                Some(m) => merge(m, end),
            });
        }
        self.flow = merged.unwrap_or(start);
    }

    /// Code that may run zero or more times: its reads count, its writes do not, and what it
    /// touches counts even where it leaves the body (it may also not).
    fn maybe(&mut self, f: impl FnOnce(&mut Self)) {
        let start = self.flow.clone();
        f(self);
        let touched = std::mem::take(&mut self.flow.touched);
        self.flow = start;
        self.flow.touched.extend(touched);
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        self.push_scope();
        for stmt in stmts {
            self.stmt(stmt);
        }
        self.pop_scope();
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    self.expr(&init.expr);
                    if let Some((_, els)) = &init.diverge {
                        self.branches(2, |w, i| {
                            if i == 0 {
                                w.expr(els);
                            }
                        });
                    }
                }
                self.bind_pat(&local.pat);
            }
            Stmt::Item(_) => {}
            Stmt::Expr(e, _) => self.expr(e),
            Stmt::Macro(m) => self.mac(&m.mac),
        }
    }

    fn block(&mut self, block: &syn::Block) {
        self.stmts(&block.stmts);
    }

    /// A condition: `let` chains bind into the current scope.
    fn cond(&mut self, expr: &Expr) {
        match expr {
            Expr::Let(l) => {
                self.expr(&l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.cond(&b.left);
                // The right-hand side runs only if the left one holds.
                let start = self.flow.clone();
                self.cond(&b.right);
                let end = std::mem::replace(&mut self.flow, start.clone());
                self.flow = merge(start, end);
            }
            Expr::Paren(p) => self.cond(&p.expr),
            other => self.expr(other),
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Path(p) => {
                if let Some(ident) = bare_ident(expr) {
                    self.read(&ident.to_string());
                } else if p.qself.is_none() && p.path.segments.len() == 1 {
                    // `x::<T>` is never a local.
                }
            }
            Expr::Assign(a) => {
                self.expr(&a.right);
                self.assign_target(&a.left);
            }
            Expr::Binary(b) => match b.op {
                syn::BinOp::And(_) | syn::BinOp::Or(_) => {
                    self.expr(&b.left);
                    self.maybe(|w| w.expr(&b.right));
                }
                op if is_compound(op) => {
                    // `x += e` updates `x` through `&mut`: it neither moves nor re-initializes it.
                    self.expr(&b.right);
                    self.place(&b.left, false);
                }
                _ => {
                    self.expr(&b.left);
                    self.expr(&b.right);
                }
            },
            Expr::Block(b) => self.block(&b.block),
            Expr::Unsafe(b) => self.block(&b.block),
            Expr::If(i) => {
                self.push_scope();
                self.cond(&i.cond);
                let els = i.else_branch.as_ref();
                self.branches(2, |w, n| {
                    if n == 0 {
                        w.block(&i.then_branch);
                    } else if let Some((_, e)) = els {
                        w.pop_scope_temporarily(|w| w.expr(e));
                    }
                });
                self.pop_scope();
            }
            Expr::Match(m) => {
                self.expr(&m.expr);
                let arms = &m.arms;
                if arms.is_empty() {
                    self.flow.diverged = true;
                }
                self.branches(arms.len(), |w, n| {
                    let arm = &arms[n];
                    w.push_scope();
                    w.bind_pat(&arm.pat);
                    if let Some((_, g)) = &arm.guard {
                        w.expr(g);
                    }
                    w.expr(&arm.body);
                    w.pop_scope();
                });
            }
            Expr::Loop(l) => {
                // A loop without `break` diverges; with one, what it writes before breaking is
                // not tracked.
                self.maybe(|w| w.block(&l.body));
            }
            Expr::While(wh) => {
                self.push_scope();
                self.cond(&wh.cond);
                self.maybe(|w| w.block(&wh.body));
                self.pop_scope();
            }
            Expr::ForLoop(f) => {
                self.expr(&f.expr);
                self.maybe(|w| {
                    w.push_scope();
                    w.bind_pat(&f.pat);
                    w.block(&f.body);
                    w.pop_scope();
                });
            }
            Expr::Closure(c) => {
                self.hidden += 1;
                self.maybe(|w| {
                    w.push_scope();
                    for input in &c.inputs {
                        w.bind_pat(input);
                    }
                    w.expr(&c.body);
                    w.pop_scope();
                });
                self.hidden -= 1;
            }
            Expr::Async(a) => {
                self.hidden += 1;
                self.maybe(|w| w.block(&a.block));
                self.hidden -= 1;
            }
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    self.expr(e);
                }
                self.exit();
            }
            Expr::Break(b) => {
                let exiting = b.label.as_ref().is_some_and(|l| l.ident == "__coro_body");
                if let Some(e) = &b.expr {
                    self.exiting += usize::from(exiting);
                    self.expr(e);
                    self.exiting -= usize::from(exiting);
                }
                if exiting {
                    self.exit();
                } else {
                    self.flow.diverged = true;
                }
            }
            Expr::Continue(_) => self.flow.diverged = true,
            Expr::Reference(r) => self.place(&r.expr, false),
            Expr::Field(f) => self.place(&f.base, false),
            Expr::Index(i) => {
                self.place(&i.expr, false);
                self.expr(&i.index);
            }
            Expr::MethodCall(m) => {
                self.place(&m.receiver, false);
                m.args.iter().for_each(|a| self.expr(a));
            }
            Expr::Call(c) => {
                self.expr(&c.func);
                c.args.iter().for_each(|a| self.expr(a));
            }
            Expr::Struct(s) => {
                for field in &s.fields {
                    self.expr(&field.expr);
                }
                if let Some(rest) = &s.rest {
                    self.expr(rest);
                }
            }
            Expr::Let(l) => {
                self.expr(&l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Array(a) => a.elems.iter().for_each(|e| self.expr(e)),
            Expr::Tuple(t) => t.elems.iter().for_each(|e| self.expr(e)),
            Expr::Cast(c) => self.expr(&c.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Range(r) => {
                if let Some(s) = &r.start {
                    self.expr(s);
                }
                if let Some(e) = &r.end {
                    self.expr(e);
                }
            }
            Expr::Repeat(r) => self.expr(&r.expr),
            Expr::Try(t) => self.expr(&t.expr),
            Expr::TryBlock(t) => self.block(&t.block),
            Expr::Unary(u) => {
                if matches!(u.op, syn::UnOp::Deref(_)) {
                    self.place(&u.expr, false);
                } else {
                    self.expr(&u.expr);
                }
            }
            Expr::Await(a) => self.expr(&a.base),
            Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.expr(e);
                }
            }
            Expr::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => {}
        }
    }

    /// An `else` branch of an `if let` does not see the condition's bindings.
    fn pop_scope_temporarily(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = self.shadow.pop();
        f(self);
        if let Some(s) = saved {
            self.shadow.push(s);
        }
    }

    /// A place expression: its root local is mentioned but not read as a whole value (it may be
    /// borrowed, indexed, or have a field read). Indexes inside it are read.
    fn place(&mut self, expr: &Expr, assigned: bool) {
        match expr {
            Expr::Path(_) => {
                if let Some(ident) = bare_ident(expr) {
                    let name = ident.to_string();
                    // Borrowing or projecting needs the value to be there: for liveness, a read.
                    self.read(&name);
                    if assigned {
                        self.touch(&name, true);
                    }
                }
            }
            Expr::Field(f) => self.place(&f.base, assigned),
            Expr::Index(i) => {
                self.place(&i.expr, false);
                self.expr(&i.index);
            }
            Expr::Paren(p) => self.place(&p.expr, assigned),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.place(&u.expr, false),
            other => self.expr(other),
        }
    }

    /// The left-hand side of `=`: a whole local is written; anything else is a place (or a
    /// destructuring pattern, whose locals are written).
    fn assign_target(&mut self, expr: &Expr) {
        match expr {
            Expr::Path(_) => {
                if let Some(ident) = bare_ident(expr) {
                    self.write(&ident.to_string());
                }
            }
            Expr::Tuple(t) => t.elems.iter().for_each(|e| self.assign_target(e)),
            Expr::Array(a) => a.elems.iter().for_each(|e| self.assign_target(e)),
            Expr::Paren(p) => self.assign_target(&p.expr),
            Expr::Struct(s) => s.fields.iter().for_each(|f| self.assign_target(&f.expr)),
            Expr::Call(c) => c.args.iter().for_each(|a| self.assign_target(a)),
            Expr::Infer(_) | Expr::Range(_) => {}
            Expr::Field(f) => self.place(&f.base, true),
            other => self.place(other, false),
        }
    }

    fn mac(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.hidden += 1;
        self.tokens(mac.tokens.clone());
        self.hidden -= 1;
        if matches!(
            name.as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented"
        ) {
            self.exit();
        }
    }

    /// A macro's arguments: every identifier that names a local counts as a read, and so does
    /// every `{name}` in a string literal (an inline format argument).
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Ident(ident) => {
                    let after_dot =
                        i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let before_bang_or_path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!' || p.as_char() == ':');
                    if !after_dot && !before_bang_or_path {
                        self.read(&ident.to_string());
                    }
                }
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Literal(lit) => {
                    for name in format_args_in(&lit.to_string()) {
                        self.read(&name);
                    }
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
}

fn merge(a: Flow, b: Flow) -> Flow {
    let touched = match (a.exited, b.exited) {
        (true, true) => LocalSet::new(),
        (true, false) => b.touched.clone(),
        (false, true) => a.touched.clone(),
        (false, false) => a.touched.union(&b.touched).copied().collect(),
    };
    let exited = a.exited && b.exited;
    let mut out = match (a.diverged, b.diverged) {
        (true, _) => b,
        (_, true) => a,
        _ => Flow {
            written: a.written.intersection(&b.written).copied().collect(),
            diverged: false,
            exited: false,
            touched: LocalSet::new(),
        },
    };
    out.touched = touched;
    out.exited = exited;
    out
}

fn is_compound(op: syn::BinOp) -> bool {
    use syn::BinOp::{
        AddAssign, BitAndAssign, BitOrAssign, BitXorAssign, DivAssign, MulAssign, RemAssign,
        ShlAssign, ShrAssign, SubAssign,
    };
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The inline arguments of a format string literal: `"{x} {y:?} {{z}}"` gives `x`, `y`.
pub(crate) fn format_args_in(literal: &str) -> Vec<String> {
    let Some(body) = string_body(literal) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                continue;
            }
            let name: String = chars
                .clone()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let rest = chars.clone().nth(name.chars().count());
            if !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && matches!(rest, Some('}' | ':'))
            {
                out.push(name);
            }
        }
    }
    out
}

/// The text of a string literal token (`"..."` or `r#"..."#`), or `None` for other literals.
fn string_body(literal: &str) -> Option<&str> {
    if let Some(rest) = literal.strip_prefix('"') {
        return rest.strip_suffix('"');
    }
    let rest = literal.strip_prefix('r')?;
    let hashes = rest.chars().take_while(|&c| c == '#').count();
    let rest = rest.get(hashes..)?.strip_prefix('"')?;
    rest.get(..rest.len().checked_sub(hashes + 1)?)
}

/// Replaces every mention of the chosen locals in a piece of code, honouring shadowing:
/// `f(local)` returns the expression that stands for the local there.
pub(crate) struct Substitute<'a> {
    pub(crate) names: &'a dyn Names,
    pub(crate) replace: &'a dyn Fn(LocalId) -> Option<Expr>,
    /// What the value of an exit of the body (`break '__coro_body value`) becomes, the value
    /// left as written; `None`: the value is substituted like the rest.
    exit: Option<&'a dyn Fn(Expr) -> Expr>,
    /// Some exit was rewritten by `exit`.
    pub(crate) rewrote_exit: bool,
    shadow: Vec<Vec<String>>,
}

impl<'a> Substitute<'a> {
    pub(crate) fn new(names: &'a dyn Names, replace: &'a dyn Fn(LocalId) -> Option<Expr>) -> Self {
        Substitute {
            names,
            replace,
            exit: None,
            rewrote_exit: false,
            shadow: vec![Vec::new()],
        }
    }

    /// Rewrites the value of every exit of the body with `exit` instead of substituting in it.
    pub(crate) fn with_exit(mut self, exit: &'a dyn Fn(Expr) -> Expr) -> Self {
        self.exit = Some(exit);
        self
    }

    fn lookup(&self, name: &str) -> Option<LocalId> {
        if self.shadow.iter().any(|s| s.iter().any(|n| n == name)) {
            return None;
        }
        self.names.lookup(name)
    }

    fn bind_pat(&mut self, pat: &Pat) {
        let names = pat_bindings(pat).into_iter().map(|i| i.to_string());
        if let Some(scope) = self.shadow.last_mut() {
            scope.extend(names);
        }
    }
}

impl VisitMut for Substitute<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(ident) = bare_ident(expr) {
            if let Some(new) = self
                .lookup(&ident.to_string())
                .and_then(|l| (self.replace)(l))
            {
                *expr = new;
            }
            return;
        }
        match expr {
            Expr::Break(b)
                if let Some(exit) = self.exit
                    && b.label.as_ref().is_some_and(|l| l.ident == "__coro_body") =>
            {
                let value = b.expr.take().map_or_else(|| syn::parse_quote!(()), |v| *v);
                b.expr = Some(Box::new(exit(value)));
                self.rewrote_exit = true;
            }
            Expr::Closure(c) => {
                self.shadow.push(Vec::new());
                for input in &c.inputs {
                    self.bind_pat(input);
                }
                self.visit_expr_mut(&mut c.body);
                self.shadow.pop();
            }
            Expr::If(i) => {
                self.shadow.push(Vec::new());
                self.visit_cond(&mut i.cond);
                self.visit_block_mut(&mut i.then_branch);
                let saved = self.shadow.pop();
                if let Some((_, e)) = &mut i.else_branch {
                    self.visit_expr_mut(e);
                }
                drop(saved);
            }
            Expr::While(w) => {
                self.shadow.push(Vec::new());
                self.visit_cond(&mut w.cond);
                self.visit_block_mut(&mut w.body);
                self.shadow.pop();
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.shadow.push(Vec::new());
                self.bind_pat(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.shadow.pop();
            }
            Expr::Struct(s) => {
                for field in &mut s.fields {
                    if field.colon_token.is_none() {
                        // `S { x }` is `S { x: x }`.
                        if let syn::Member::Named(name) = &field.member
                            && let Some(new) = self
                                .lookup(&name.to_string())
                                .and_then(|l| (self.replace)(l))
                        {
                            field.colon_token = Some(Token![:](name.span()));
                            field.expr = new;
                        }
                        continue;
                    }
                    self.visit_expr_mut(&mut field.expr);
                }
                if let Some(rest) = &mut s.rest {
                    self.visit_expr_mut(rest);
                }
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        self.shadow.push(Vec::new());
        self.bind_pat(&arm.pat);
        if let Some((_, g)) = &mut arm.guard {
            self.visit_expr_mut(g);
        }
        self.visit_expr_mut(&mut arm.body);
        self.shadow.pop();
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        self.shadow.push(Vec::new());
        for stmt in &mut block.stmts {
            self.visit_stmt_mut(stmt);
        }
        self.shadow.pop();
    }

    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        if let Some(init) = &mut local.init {
            self.visit_expr_mut(&mut init.expr);
            if let Some((_, els)) = &mut init.diverge {
                self.visit_expr_mut(els);
            }
        }
        self.bind_pat(&local.pat);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

impl Substitute<'_> {
    fn visit_cond(&mut self, cond: &mut Expr) {
        match cond {
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.visit_cond(&mut b.left);
                self.visit_cond(&mut b.right);
            }
            other => self.visit_expr_mut(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn names(list: &'static [&'static str]) -> impl Fn(&str) -> Option<LocalId> {
        move |n: &str| list.iter().position(|x| *x == n)
    }

    fn set(ids: &[LocalId]) -> LocalSet {
        ids.iter().copied().collect()
    }

    #[test]
    fn reads_and_definite_writes_follow_evaluation_order() {
        let n = names(&["a", "b", "c"]);
        let u = stmt_uses(&parse_quote!(a = b + 1;), &n);
        assert_eq!(u.reads, set(&[1]));
        assert_eq!(u.writes, set(&[0]));

        // Written, then read: the read sees the new value.
        let u = expr_uses(
            &parse_quote!({
                a = 1;
                a + c
            }),
            &n,
        );
        assert_eq!(u.reads, set(&[2]));
        assert_eq!(u.writes, set(&[0]));
    }

    #[test]
    fn branches_write_only_what_every_path_writes() {
        let n = names(&["a", "b"]);
        let u = expr_uses(
            &parse_quote!(if c {
                a = 1;
                b = 2
            } else {
                a = 3
            }),
            &n,
        );
        assert_eq!(u.writes, set(&[0]));
        let u = expr_uses(&parse_quote!(if c { a = 1 } else { return }), &n);
        assert_eq!(u.writes, set(&[0]));
        let u = expr_uses(
            &parse_quote!(match x {
                1 => a = 1,
                _ => panic!(),
            }),
            &n,
        );
        assert_eq!(u.writes, set(&[0]));
        let u = expr_uses(
            &parse_quote!(while c {
                a = 1
            }),
            &n,
        );
        assert_eq!(u.writes, set(&[]));
    }

    #[test]
    fn inner_bindings_hide_outer_locals() {
        let n = names(&["x", "y"]);
        let u = expr_uses(
            &parse_quote!({
                let x = 5;
                x + y
            }),
            &n,
        );
        assert_eq!(u.mentions, set(&[1]));
        let u = expr_uses(&parse_quote!(|x| x + 1), &n);
        assert_eq!(u.mentions, set(&[]));
        let u = expr_uses(
            &parse_quote!(match y {
                Some(x) => x,
                None => x,
            }),
            &n,
        );
        // The `None` arm's `x` is the outer one.
        assert_eq!(u.reads, set(&[0, 1]));
    }

    #[test]
    fn macros_and_closures_hide_how_a_local_is_used() {
        let n = names(&["x", "y", "z"]);
        let u = stmt_uses(&parse_quote!(println!("{x} {}", y.len());), &n);
        assert_eq!(u.reads, set(&[0, 1]));
        assert_eq!(u.hidden, set(&[0, 1]));
        let u = expr_uses(&parse_quote!(move || z), &n);
        assert_eq!(u.hidden, set(&[2]));
        // A method name after `.` is not a local.
        let u = stmt_uses(&parse_quote!(f!(a.x);), &n);
        assert_eq!(u.mentions, set(&[]));
    }

    #[test]
    fn field_and_whole_assignments_are_told_apart() {
        let n = names(&["s", "v"]);
        let u = stmt_uses(&parse_quote!(s.f = 1;), &n);
        assert_eq!(u.assigned, set(&[0]));
        assert_eq!(u.writes, set(&[]));
        let u = stmt_uses(&parse_quote!(v[0] = 1;), &n);
        assert_eq!(u.assigned, set(&[]));
        let u = stmt_uses(&parse_quote!((s, v) = (1, 2);), &n);
        assert_eq!(u.writes, set(&[0, 1]));
    }

    #[test]
    fn format_strings_name_their_inline_arguments() {
        assert_eq!(
            format_args_in(r#""{a} {b:?} {{c}} {0} {d:>5}""#),
            ["a", "b", "d"]
        );
        assert_eq!(format_args_in("r#\"{raw}\"#"), ["raw"]);
        assert!(format_args_in("5u8").is_empty());
    }

    #[test]
    fn pattern_bindings_skip_constants() {
        let pat: Pat = syn::Pat::parse_single
            .parse2(quote::quote!(Some((a, ref b, None, MAX, mut c))))
            .unwrap();
        let names: Vec<String> = pat_bindings(&pat).iter().map(ToString::to_string).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    use syn::parse::Parser;
}
