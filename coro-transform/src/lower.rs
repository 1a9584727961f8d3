//! `syn` body → [`ir::Body`](crate::ir::Body).
//!
//! A statement or expression is *special* when it contains a suspension point, or a `break` /
//! `continue` that jumps to a construct that is itself lowered. Only special code is lowered;
//! the rest becomes [`Stmt::Opaque`] and is emitted as written.
//!
//! Special expressions are flattened in Rust's evaluation order: operands evaluated before a
//! suspension point are moved into temporaries first (`f(a(), suspend!(b))` →
//! `let t0 = a(); let t1 = suspend!(b); f(t0, t1)`). Operands in place position (a method
//! receiver, the operand of `&`, the left of `==`) stay places and are evaluated after the
//! suspension, which is the same thing since a paused coroutine's locals cannot change. Values of
//! special constructs (`let x = if c { suspend!(1) } else { 2 };`) flow through a temporary
//! declared before the construct and assigned in every branch.
//!
//! `while c { body }` becomes `loop { if c { body } else { break } }`, and
//! `for p in it { body }` becomes
//! `{ let mut iter = IntoIterator::into_iter(it); loop { let Some(p) = iter.next() else { break }; body } }`,
//! the way rustc desugars them.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Lifetime, Macro, Pat, PatIdent, Token, Type};

use crate::error::Errors;
use crate::ir::{
    Arm, Block, BlockId, Body, BorrowOf, Dest, Holds, Local, LocalId, LocalKind, Opaque,
    OpaqueExpr, Param, Point, PointKind, Reborrow, Shape, Stmt, Target, TargetId,
};
use crate::prepare::{self, SuspendMacro, exit_expr};
use crate::resolve::{self, bare_ident};

/// A parameter as the signature gives it.
pub(crate) struct ParamIn {
    /// The pattern (`self` already renamed to `__self`).
    pub(crate) pat: Pat,
    /// The type, if written.
    pub(crate) ty: Option<Type>,
    /// The name the signature passes the value under.
    pub(crate) arg: Ident,
    /// `#[resume]`: bound from the first resume value.
    pub(crate) is_resume: bool,
    /// Whether its type is a reference (borrowing through it is not a self-borrow).
    pub(crate) is_reference: bool,
}

/// How a method takes `self`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Receiver {
    /// `self`, `mut self`, or `self: T` with another type.
    Value,
    /// `&self`.
    Shared,
    /// `&mut self`.
    Mut,
}

/// What lowering needs to know about the function.
pub(crate) struct Config {
    /// The function's name, for recognizing direct recursion.
    pub(crate) fn_name: Option<Ident>,
    /// How the function takes `self`, if it does.
    pub(crate) receiver: Option<Receiver>,
    /// Whether the resume type is `()`.
    pub(crate) resume_is_unit: bool,
    /// How many arguments a recursive call passes (the `#[resume]` parameter excluded).
    pub(crate) param_count: usize,
    /// The path of the `coro` crate.
    pub(crate) krate: syn::Path,
}

impl Config {
    /// The arguments of a call of the coroutine itself (`f(args)`, `Self::f(args)`,
    /// `self.f(args)`), which `suspend_from!` runs as a new frame instead of a new coroutine.
    pub(crate) fn self_call(&self, expr: &Expr) -> Option<Vec<Expr>> {
        let name = self.fn_name.as_ref()?;
        match expr {
            Expr::Paren(p) => self.self_call(&p.expr),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                if p.qself.is_some() || p.path.segments.iter().any(|s| !s.arguments.is_none()) {
                    return None;
                }
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                // `Tree::walk(..)` may be another type's `walk`: only `Self::walk(..)`, and a free
                // function's own name, are surely the coroutine itself (see `path_call`).
                let is_self = match segs.as_slice() {
                    [f] => self.receiver.is_none() && f == &name.to_string(),
                    [s, f] => s == "Self" && f == &name.to_string(),
                    _ => false,
                };
                is_self.then(|| c.args.iter().cloned().collect())
            }
            Expr::MethodCall(m) if m.method == *name && m.turbofish.is_none() => {
                // The receiver as the method takes it: a call autorefs it (`self.kids[i].walk()`
                // passes `&self.kids[i]`), and a reference to a reference coerces to the
                // reference the parameter is.
                let recv = &m.receiver;
                let recv: Expr = match self.receiver? {
                    Receiver::Value => (**recv).clone(),
                    Receiver::Shared => syn::parse_quote_spanned!(recv.span()=> &(#recv)),
                    Receiver::Mut => syn::parse_quote_spanned!(recv.span()=> &mut (#recv)),
                };
                let mut args = vec![recv];
                args.extend(m.args.iter().cloned());
                Some(args)
            }
            _ => None,
        }
    }

    /// `Type::name(..)` in a method, with `Type` written out: perhaps the coroutine itself
    /// (`Tree::walk(&self.kids[i])` inside `Tree::walk`), perhaps another type's method by the
    /// same name. Either way it is delegated to behind a box, which is right for both and breaks
    /// the type cycle of the first.
    pub(crate) fn maybe_self_path_call(&self, expr: &Expr) -> bool {
        let (Some(name), Some(_)) = (&self.fn_name, self.receiver) else {
            return false;
        };
        match expr {
            Expr::Paren(p) => self.maybe_self_path_call(&p.expr),
            Expr::Call(c) => matches!(&*c.func, Expr::Path(p)
                if p.qself.is_none()
                    && p.path.segments.len() == 2
                    && p.path.segments[0].ident != "Self"
                    && p.path.segments[1].ident == *name),
            _ => false,
        }
    }
}

/// Lowers a body. Errors go to `errors`; the result is still a valid body.
pub(crate) fn lower(
    params: Vec<ParamIn>,
    block: syn::Block,
    config: &Config,
    errors: &mut Errors,
) -> Body {
    let mut l = Lowering {
        body: Body {
            locals: Vec::new(),
            blocks: Vec::new(),
            points: Vec::new(),
            targets: Vec::new(),
            params: Vec::new(),
            items: Vec::new(),
        },
        errors,
        config,
        scopes: Vec::new(),
        cur: 0,
        targets: Vec::new(),
        counter: 0,
    };
    let root = l.new_block();
    l.scopes.push(Vec::new());
    l.cur = root;
    for (i, p) in params.into_iter().enumerate() {
        let pat = match &p.pat {
            Pat::Wild(w) => {
                // `_` keeps the argument alive to the end of the body, like a function does.
                let ident = Ident::new(
                    &format!("__coro_p{i}"),
                    Span::mixed_site().located_at(w.span()),
                );
                Pat::Ident(PatIdent {
                    attrs: Vec::new(),
                    by_ref: None,
                    mutability: None,
                    ident,
                    subpat: None,
                })
            }
            other => other.clone(),
        };
        for b in binding_pats(&pat) {
            let single = matches!(&pat, Pat::Ident(_));
            let id = l.declare(
                &b,
                LocalKind::Param,
                if single { p.ty.clone() } else { None },
                true,
            );
            l.body.locals[id].shape.no_drop = single && p.ty.as_ref().is_some_and(nothing_to_drop);
            let (shared_ref, mut_ref) = if p.arg == "self" {
                (
                    config.receiver == Some(Receiver::Shared),
                    config.receiver == Some(Receiver::Mut),
                )
            } else {
                (
                    p.ty.as_ref().is_some_and(is_shared_reference),
                    p.ty.as_ref()
                        .is_some_and(|t| is_reference(t) && !is_shared_reference(t)),
                )
            };
            l.body.locals[id].holds = match (single, p.is_reference, shared_ref, mut_ref) {
                (true, false, ..) => Holds::Owned,
                (true, true, true, _) => Holds::SharedRef,
                (true, true, _, true) => Holds::MutRef,
                _ => Holds::Unknown,
            };
            l.body.blocks[root].entry.push(id);
        }
        l.body.params.push(Param {
            pat,
            is_resume: p.is_resume,
        });
    }
    l.lower_stmts_into(block.stmts, Into::Exit);
    l.body
}

/// Where the value of a lowered expression goes.
#[derive(Clone, Copy)]
enum Into {
    /// Evaluated for its effects and dropped.
    Discard,
    /// Assigned to this (already declared) local.
    Local(LocalId),
    /// Returned from the coroutine.
    Exit,
}

/// How an operand is used: as a value (moved or copied), or as a place (borrowed or projected).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Value,
    Place,
}

struct Lowering<'a> {
    body: Body,
    errors: &'a mut Errors,
    config: &'a Config,
    /// Locals by name, one list per open block, innermost last; later entries shadow earlier.
    scopes: Vec<Vec<(String, LocalId)>>,
    /// The block being filled.
    cur: BlockId,
    /// The lowered loops and labeled blocks around the current point, innermost last:
    /// `(label as written, target, is_loop)`.
    targets: Vec<(Option<String>, TargetId, bool)>,
    counter: usize,
}

impl Lowering<'_> {
    // ---- bookkeeping -------------------------------------------------------------------------

    fn new_block(&mut self) -> BlockId {
        self.body.blocks.push(Block {
            stmts: Vec::new(),
            entry: Vec::new(),
            label: None,
            unsafety: false,
            parent: None,
        });
        self.body.blocks.len() - 1
    }

    /// Runs `f` with `block` as the current block and a fresh scope.
    fn in_block<R>(&mut self, block: BlockId, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::replace(&mut self.cur, block);
        self.scopes.push(Vec::new());
        let result = f(self);
        self.scopes.pop();
        self.cur = saved;
        result
    }

    fn lookup(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    fn next_index(&self) -> usize {
        self.body.blocks[self.cur].stmts.len()
    }

    fn push(&mut self, stmt: Stmt) -> usize {
        let index = self.next_index();
        let cur = self.cur;
        let mut children = Vec::new();
        match &stmt {
            Stmt::If { then, els, .. } => {
                children.push(*then);
                children.extend(*els);
            }
            Stmt::Match { arms, .. } => children.extend(arms.iter().map(|a| a.body)),
            Stmt::Loop { target, body } => {
                children.push(*body);
                self.body.targets[*target].block = cur;
                self.body.targets[*target].index = index;
            }
            Stmt::Block(b) => {
                children.push(*b);
                if let Some(t) = self.body.blocks[*b].label {
                    self.body.targets[t].block = cur;
                    self.body.targets[t].index = index;
                }
            }
            Stmt::LetElse { els, .. } => children.push(*els),
            Stmt::Point(p) => {
                self.body.points[*p].block = cur;
                self.body.points[*p].index = index;
            }
            _ => {}
        }
        for child in children {
            self.body.blocks[child].parent = Some((cur, index));
        }
        self.body.blocks[cur].stmts.push(stmt);
        index
    }

    /// Declares a local in the current scope.
    fn declare(
        &mut self,
        pat: &PatIdent,
        kind: LocalKind,
        ty: Option<Type>,
        has_init: bool,
    ) -> LocalId {
        let id = self.body.locals.len();
        self.body.locals.push(Local {
            ident: pat.ident.clone(),
            mutable: pat.mutability.is_some(),
            kind,
            ty,
            block: self.cur,
            has_init,
            reborrow: None,
            borrows: None,
            holds: Holds::Unknown,
            shape: Shape::default(),
        });
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((pat.ident.to_string(), id));
        }
        id
    }

    fn fresh(&mut self, what: &str) -> Ident {
        self.counter += 1;
        Ident::new(
            &format!("__coro_{what}{}", self.counter),
            Span::mixed_site(),
        )
    }

    fn fresh_label(&mut self, what: &str) -> Lifetime {
        self.counter += 1;
        Lifetime::new(
            &format!("'__coro_{what}{}", self.counter),
            Span::mixed_site(),
        )
    }

    fn opaque_expr(&self, expr: Expr) -> OpaqueExpr {
        let uses = resolve::expr_uses(&expr, &|n: &str| self.lookup(n));
        OpaqueExpr { expr, uses }
    }

    fn opaque_cond(&self, expr: Expr) -> OpaqueExpr {
        let uses = resolve::cond_uses(&expr, &|n: &str| self.lookup(n));
        OpaqueExpr { expr, uses }
    }

    /// Pushes a statement without suspension points, declaring what it binds.
    fn opaque(&mut self, stmt: syn::Stmt, kind: LocalKind) {
        let uses = resolve::stmt_uses(&stmt, &|n: &str| self.lookup(n));
        let mut declares = Vec::new();
        if let syn::Stmt::Local(local) = &stmt {
            let (pat, ty) = split_type(&local.pat);
            let single = matches!(pat, Pat::Ident(_));
            let init = local.init.as_ref().map(|i| &*i.expr);
            for b in binding_pats(pat) {
                let id = self.declare(
                    &b,
                    kind,
                    if single { ty.clone() } else { None },
                    init.is_some(),
                );
                if single && let Some(init) = init {
                    self.body.locals[id].reborrow = self.reborrow_of(&b, init);
                    self.body.locals[id].borrows = self.borrow_of(init);
                    self.body.locals[id].shape.no_drop = ty.as_ref().map_or_else(
                        || matches!(strip_parens(init), Expr::Lit(_)),
                        nothing_to_drop,
                    );
                    self.body.locals[id].shape.array =
                        matches!(strip_parens(init), Expr::Repeat(_))
                            || ty.as_ref().is_some_and(|t| matches!(t, Type::Array(_)));
                    self.body.locals[id].holds = if owned_init(init)
                        || ty.as_ref().is_some_and(|t| !is_reference(t))
                    {
                        Holds::Owned
                    } else if ty.as_ref().is_some_and(is_shared_reference)
                        || matches!(strip_parens(init), Expr::Reference(r) if r.mutability.is_none())
                    {
                        Holds::SharedRef
                    } else {
                        Holds::Unknown
                    };
                }
                if self.body.locals[id].borrows.is_none()
                    && let Some(init) = init
                {
                    self.body.locals[id].borrows = self.pattern_borrow(pat, &b, init);
                }
                declares.push(id);
            }
        }
        self.push(Stmt::Opaque(Opaque {
            stmt,
            uses,
            declares,
        }));
    }

    /// `let mut <temp> = expr;`, returning the temporary as an expression.
    fn hoist_into_temp(&mut self, expr: Expr) -> Expr {
        let t = self.fresh("t");
        let stmt: syn::Stmt = syn::parse_quote!(let mut #t = #expr;);
        self.opaque(stmt, LocalKind::Temp);
        path_expr(&t)
    }

    /// `let <temp>;`, returning the local.
    fn declare_temp(&mut self) -> LocalId {
        let t = self.fresh("t");
        let pat = ident_pat(&t, true);
        let id = self.declare(&pat, LocalKind::Temp, None, false);
        self.push(Stmt::Decl(id));
        id
    }

    fn local_expr(&self, id: LocalId) -> Expr {
        path_expr(&self.body.locals[id].ident)
    }

    // ---- which code is special ---------------------------------------------------------------

    fn special_expr(&self, expr: &Expr) -> bool {
        let mut f = Finder::new(&self.targets);
        f.visit_expr(expr);
        f.found
    }

    fn special_block(&self, block: &syn::Block) -> bool {
        let mut f = Finder::new(&self.targets);
        f.visit_block(block);
        f.found
    }

    // ---- statements --------------------------------------------------------------------------

    fn lower_stmts_into(&mut self, stmts: Vec<syn::Stmt>, into: Into) {
        let count = stmts.len();
        let mut tail = None;
        for (i, stmt) in stmts.into_iter().enumerate() {
            match stmt {
                syn::Stmt::Expr(e, None) if i + 1 == count => tail = Some(e),
                // `m! { .. }` without a `;` at the end of a block is its value, as in rustc.
                syn::Stmt::Macro(m) if i + 1 == count && m.semi_token.is_none() => {
                    tail = Some(Expr::Macro(syn::ExprMacro {
                        attrs: m.attrs,
                        mac: m.mac,
                    }));
                }
                other => self.lower_stmt(other),
            }
        }
        match tail {
            Some(e) => self.lower_value(e, into),
            None => match into {
                Into::Discard => {}
                Into::Local(_) | Into::Exit => self.finish_value(into, syn::parse_quote!(())),
            },
        }
    }

    fn lower_stmt(&mut self, stmt: syn::Stmt) {
        match stmt {
            syn::Stmt::Item(item) => self.body.items.push(item),
            syn::Stmt::Local(local) => self.lower_let(local),
            syn::Stmt::Macro(m) if SuspendMacro::of(&m.mac).is_some() => self.point(&m.mac, None),
            syn::Stmt::Expr(e, semi) if self.special_expr(&e) => {
                let _ = semi;
                self.lower_value(e, Into::Discard);
            }
            other => self.opaque(other, LocalKind::User),
        }
    }

    fn lower_let(&mut self, mut local: syn::Local) {
        let Some(init) = local.init.take() else {
            self.opaque(syn::Stmt::Local(local), LocalKind::User);
            return;
        };
        let syn::LocalInit {
            eq_token,
            expr,
            diverge,
        } = init;
        let mut expr = *expr;
        if self.special_expr(&expr) {
            if diverge.is_none()
                && let Some(mac) = direct_suspend(&expr)
            {
                let (pat, ty) = split_type(&local.pat);
                let dest = (pat.clone(), ty);
                let mac = mac.clone();
                self.point(&mac, Some(dest));
                return;
            }
            let t = self.declare_temp();
            self.lower_value(expr, Into::Local(t));
            expr = self.local_expr(t);
        }
        match diverge {
            Some((else_token, els)) if self.special_expr(&els) => {
                let (pat, ty) = split_type(&local.pat);
                let (pat, ty) = (pat.clone(), ty);
                let init = self.opaque_expr(expr);
                let els_block = self.new_block();
                let els_body = block_of(*els);
                self.in_block(els_block, |l| {
                    l.lower_stmts_into(els_body.stmts, Into::Discard);
                });
                let bindings = binding_pats(&pat)
                    .iter()
                    .map(|b| self.declare(b, LocalKind::User, None, true))
                    .collect();
                let _ = else_token;
                self.push(Stmt::LetElse {
                    pat,
                    ty,
                    init,
                    els: els_block,
                    bindings,
                });
            }
            diverge => {
                local.init = Some(syn::LocalInit {
                    eq_token,
                    expr: Box::new(expr),
                    diverge,
                });
                self.opaque(syn::Stmt::Local(local), LocalKind::User);
            }
        }
    }

    /// Sends a value that needs no lowering to where it goes.
    fn finish_value(&mut self, into: Into, expr: Expr) {
        // A value that never comes (`return 1` as a `match` arm's value) is no value to store: it
        // stays a statement, so that nothing after it is reached and the temporary gets its type
        // from the branches that do store one.
        let into = if crate::analysis::diverging(&expr) {
            Into::Discard
        } else {
            into
        };
        let stmt: syn::Stmt = match into {
            Into::Discard => syn::Stmt::Expr(expr, Some(Token![;](Span::mixed_site()))),
            Into::Local(t) => {
                let t = &self.body.locals[t].ident;
                syn::parse_quote!(#t = #expr;)
            }
            Into::Exit => syn::Stmt::Expr(
                exit_expr(expr, Span::mixed_site()),
                Some(Token![;](Span::mixed_site())),
            ),
        };
        self.opaque(stmt, LocalKind::User);
    }

    /// Lowers an expression whose value goes to `into`.
    fn lower_value(&mut self, expr: Expr, into: Into) {
        if !self.special_expr(&expr) {
            self.finish_value(into, expr);
            return;
        }
        match expr {
            Expr::Macro(m) if SuspendMacro::of(&m.mac).is_some() => match into {
                Into::Discard => self.point(&m.mac, None),
                _ => {
                    let t = self.fresh("t");
                    self.point(&m.mac, Some((Pat::Ident(ident_pat(&t, false)), None)));
                    self.finish_value(into, path_expr(&t));
                }
            },
            Expr::Paren(p) => self.lower_value(*p.expr, into),
            Expr::Group(g) => self.lower_value(*g.expr, into),
            Expr::If(i) => self.lower_if(i, into),
            Expr::Match(m) => self.lower_match(m, into),
            Expr::Loop(l) => self.lower_loop(l.label.map(|l| l.name), l.body, into),
            Expr::While(w) => {
                let label = w.label.map(|l| l.name);
                let (cond, body) = (w.cond, w.body);
                let desugared: syn::Block = syn::parse_quote!({
                    if #cond #body else { break }
                });
                self.lower_loop(label, desugared, into);
            }
            Expr::ForLoop(f) => self.lower_for(f, into),
            Expr::Block(b) => {
                let label = b.label.map(|l| l.name);
                self.lower_block_expr(label, b.block, false, into);
            }
            Expr::Unsafe(u) => self.lower_block_expr(None, u.block, true, into),
            Expr::Break(b) if !is_body_label(b.label.as_ref()) => {
                if let Some(value) = b.expr {
                    self.lower_value(*value, Into::Discard);
                }
                match self.target_of(b.label.as_ref(), false) {
                    Some(t) => {
                        self.push(Stmt::Break(t));
                    }
                    None => self.errors.error(
                        b.break_token.span,
                        "this `break` has no loop to break out of",
                    ),
                }
            }
            Expr::Continue(c) => match self.target_of(c.label.as_ref(), true) {
                Some(t) => {
                    self.push(Stmt::Continue(t));
                }
                None => self.errors.error(
                    c.continue_token.span,
                    "this `continue` has no loop to continue",
                ),
            },
            other => {
                let b = self.new_block();
                self.in_block(b, |l| {
                    let residual = l.flatten(other);
                    l.finish_value(into, residual);
                });
                self.push(Stmt::Block(b));
            }
        }
    }

    /// The lowered construct a `break` / `continue` goes to.
    fn target_of(&self, label: Option<&Lifetime>, is_continue: bool) -> Option<TargetId> {
        match label {
            Some(l) => {
                let name = l.ident.to_string();
                self.targets
                    .iter()
                    .rev()
                    .find(|(n, _, _)| n.as_deref() == Some(name.as_str()))
                    .map(|(_, t, _)| *t)
            }
            None => self
                .targets
                .iter()
                .rev()
                .find(|(_, _, is_loop)| *is_loop)
                .map(|(_, t, _)| *t),
        }
        .filter(|t| !is_continue || self.body.targets[*t].is_loop)
    }

    fn lower_if(&mut self, mut i: syn::ExprIf, into: Into) {
        if self.special_expr(&i.cond) {
            match self.flatten_cond(*i.cond) {
                Cond::Flat(cond) => i.cond = Box::new(cond),
                Cond::Chain(cond, k) => {
                    let elements = split_chain(&cond);
                    i.cond = Box::new(cond);
                    let desugared = self.desugar_chain(i, &elements, k);
                    self.lower_value(desugared, into);
                    return;
                }
            }
        }
        let branches_special = self.special_block(&i.then_branch)
            || i.else_branch
                .as_ref()
                .is_some_and(|(_, e)| self.special_expr(e));
        if !branches_special {
            self.finish_value(into, Expr::If(i));
            return;
        }
        for e in split_chain(&i.cond) {
            if let Expr::Let(l) = &e {
                self.check_guard_temporary(&l.expr, "if let");
            }
        }
        let cond = self.opaque_cond((*i.cond).clone());
        let then = self.new_block();
        let bindings: Vec<(PatIdent, Option<BorrowOf>)> = split_chain(&i.cond)
            .iter()
            .filter_map(|e| match e {
                Expr::Let(l) => Some(
                    binding_pats(&l.pat)
                        .into_iter()
                        .map(|b| {
                            let borrow = self.pattern_borrow(&l.pat, &b, &l.expr);
                            (b, borrow)
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        let then_body = i.then_branch;
        self.in_block(then, |l| {
            for (b, borrow) in &bindings {
                let id = l.declare(b, LocalKind::User, None, true);
                l.body.locals[id].borrows.clone_from(borrow);
                l.body.blocks[then].entry.push(id);
            }
            l.lower_stmts_into(then_body.stmts, into);
        });
        let els = match i.else_branch {
            Some((_, e)) => {
                let b = self.new_block();
                self.in_block(b, |l| match *e {
                    Expr::Block(block) if block.label.is_none() => {
                        l.lower_stmts_into(block.block.stmts, into);
                    }
                    other => l.lower_value(other, into),
                });
                Some(b)
            }
            None => match into {
                Into::Discard => None,
                _ => {
                    let b = self.new_block();
                    self.in_block(b, |l| l.finish_value(into, syn::parse_quote!(())));
                    Some(b)
                }
            },
        };
        self.push(Stmt::If { cond, then, els });
    }

    /// Evaluates the special parts of an `if` condition. Without `let`, the condition is a
    /// boolean expression (`&&` and `||` stay lazy). In a `let` chain the first element can be
    /// evaluated first; when a later element suspends, the `if` must be desugared instead, and
    /// the chain comes back with that element's index ([`Cond::Chain`]).
    fn flatten_cond(&mut self, cond: Expr) -> Cond {
        let elements = split_chain(&cond);
        if !elements.iter().any(|e| matches!(e, Expr::Let(_))) {
            return Cond::Flat(self.flatten(cond));
        }
        if let Some(k) = elements
            .iter()
            .position(|e| self.special_expr(e))
            .filter(|&k| k > 0)
        {
            return Cond::Chain(cond, k);
        }
        let mut elements = elements;
        let first = match elements.remove(0) {
            Expr::Let(mut l) => {
                *l.expr = self.flatten(*l.expr);
                Expr::Let(l)
            }
            other => self.flatten(other),
        };
        elements.insert(0, first);
        let later = elements.iter().position(|e| self.special_expr(e));
        let cond = join_chain(elements);
        match later {
            Some(k) => Cond::Chain(cond, k),
            None => Cond::Flat(cond),
        }
    }

    /// `if a && let P = e && ... { T } else { E }` where element `k > 0` suspends:
    /// `'l: { if a && ... { if e_k && ... { break 'l { T } } } E }`, so that the chain's later
    /// elements run only when the earlier ones hold, and `E` runs when any fails.
    fn desugar_chain(&mut self, i: syn::ExprIf, elements: &[Expr], k: usize) -> Expr {
        let label = self.fresh_label("if");
        let before = join_chain(elements[..k].to_vec());
        let after = join_chain(elements[k..].to_vec());
        let then = i.then_branch;
        let els = i
            .else_branch
            .map_or_else(|| quote!(()), |(_, e)| e.to_token_stream());
        syn::parse_quote!(#label: {
            if #before {
                if #after {
                    break #label #then
                }
            }
            #els
        })
    }

    fn lower_match(&mut self, mut m: syn::ExprMatch, into: Into) {
        if self.special_expr(&m.expr) {
            *m.expr = self.flatten(*m.expr);
        }
        for arm in &m.arms {
            if let Some((_, guard)) = &arm.guard
                && self.special_expr(guard)
                && prepare::tokens_suspend(&guard.to_token_stream()).is_none()
            {
                self.errors.error_spanned(guard, "a match guard cannot suspend or jump out of the `match`: compute the condition before the `match`");
            }
        }
        if !m.arms.iter().any(|a| self.special_expr(&a.body)) {
            self.finish_value(into, Expr::Match(m));
            return;
        }
        self.check_guard_temporary(&m.expr, "match");
        let scrutinee_expr = (*m.expr).clone();
        let scrutinee = self.opaque_expr(*m.expr);
        let mut arms = Vec::new();
        for arm in m.arms {
            let block = self.new_block();
            let syn::Arm {
                attrs,
                pat,
                guard,
                body,
                ..
            } = arm;
            let bindings: Vec<(PatIdent, Option<BorrowOf>)> = binding_pats(&pat)
                .into_iter()
                .map(|b| {
                    let borrow = self.pattern_borrow(&pat, &b, &scrutinee_expr);
                    (b, borrow)
                })
                .collect();
            let guard = self.in_block(block, |l| {
                for (b, borrow) in &bindings {
                    let id = l.declare(b, LocalKind::User, None, true);
                    l.body.locals[id].borrows.clone_from(borrow);
                    l.body.blocks[block].entry.push(id);
                }
                let guard = guard.map(|(_, g)| l.opaque_expr(*g));
                match *body {
                    Expr::Block(b) if b.label.is_none() => l.lower_stmts_into(b.block.stmts, into),
                    other => l.lower_value(other, into),
                }
                guard
            });
            arms.push(Arm {
                attrs,
                pat,
                guard,
                body: block,
            });
        }
        self.push(Stmt::Match { scrutinee, arms });
    }

    fn lower_loop(&mut self, label: Option<Lifetime>, mut body: syn::Block, into: Into) {
        let name = label.as_ref().map(|l| l.ident.to_string());
        let label = label.unwrap_or_else(|| self.fresh_label("loop"));
        BreakValues::new(name.clone(), true, into_tokens(&self.body, into))
            .visit_block_mut(&mut body);
        let target = self.new_target(label, true);
        let block = self.new_block();
        self.targets.push((name, target, true));
        self.in_block(block, |l| l.lower_stmts_into(body.stmts, Into::Discard));
        self.targets.pop();
        self.body.targets[target].body = block;
        self.push(Stmt::Loop {
            target,
            body: block,
        });
    }

    fn lower_for(&mut self, f: syn::ExprForLoop, into: Into) {
        let iter = self.fresh("iter");
        let syn::ExprForLoop {
            label,
            pat,
            expr,
            body,
            ..
        } = f;
        let stmts = body.stmts;
        let desugared: syn::Block = syn::parse_quote!({
            let mut #iter = ::core::iter::IntoIterator::into_iter(#expr);
            #label loop {
                let ::core::option::Option::Some(#pat) = ::core::iter::Iterator::next(&mut #iter) else { break };
                #(#stmts)*
            }
        });
        let b = self.new_block();
        self.in_block(b, |l| {
            let mut stmts = desugared.stmts.into_iter();
            if let Some(syn::Stmt::Local(mut local)) = stmts.next() {
                // The iterable may itself suspend.
                if let Some(init) = &mut local.init
                    && l.special_expr(&init.expr)
                    && let Expr::Call(call) = &mut *init.expr
                    && let Some(arg) = call.args.first_mut()
                {
                    *arg = l.flatten(arg.clone());
                }
                l.opaque(syn::Stmt::Local(local), LocalKind::Iter);
            }
            let rest: Vec<syn::Stmt> = stmts.collect();
            l.lower_stmts_into(rest, into);
        });
        self.push(Stmt::Block(b));
    }

    fn lower_block_expr(
        &mut self,
        label: Option<Lifetime>,
        mut block: syn::Block,
        unsafety: bool,
        into: Into,
    ) {
        let b = self.new_block();
        self.body.blocks[b].unsafety = unsafety;
        let mut pushed = false;
        if let Some(label) = label {
            let name = label.ident.to_string();
            BreakValues::new(Some(name.clone()), false, into_tokens(&self.body, into))
                .visit_block_mut(&mut block);
            let target = self.new_target(label, false);
            self.body.targets[target].body = b;
            self.body.blocks[b].label = Some(target);
            self.targets.push((Some(name), target, false));
            pushed = true;
        }
        self.in_block(b, |l| l.lower_stmts_into(block.stmts, into));
        if pushed {
            self.targets.pop();
        }
        self.push(Stmt::Block(b));
    }

    fn new_target(&mut self, label: Lifetime, is_loop: bool) -> TargetId {
        self.body.targets.push(Target {
            label,
            is_loop,
            block: 0,
            index: 0,
            body: 0,
        });
        self.body.targets.len() - 1
    }

    // ---- suspension points -------------------------------------------------------------------

    /// Lowers a `suspend!` / `suspend_from!` at statement level; `dest` is the pattern its value
    /// is bound to.
    fn point(&mut self, mac: &Macro, dest: Option<(Pat, Option<Type>)>) {
        let Some(kind) = SuspendMacro::of(mac) else {
            return;
        };
        let span = mac.path.span();
        let args = match syn::parse::Parser::parse2(
            Punctuated::<Expr, Token![,]>::parse_terminated,
            mac.tokens.clone(),
        ) {
            Ok(args) => args.into_iter().collect::<Vec<_>>(),
            Err(_) => Vec::new(), // reported by `prepare`
        };
        let kind = match kind {
            SuspendMacro::Suspend => {
                if args.len() > 1 {
                    self.errors.error_spanned(
                        &mac.tokens,
                        "`suspend!` takes one value: `suspend!(value)`, or `suspend!()` for `()`",
                    );
                }
                let value = args
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| syn::parse_quote_spanned!(span=> ()));
                let value = self.flatten(value);
                PointKind::Suspend {
                    value: self.opaque_expr(value),
                }
            }
            SuspendMacro::SuspendFrom => {
                if args.is_empty() || args.len() > 2 {
                    self.errors.error(
                        span,
                        "`suspend_from!` takes a coroutine, and its first resume value when the resume type is not `()`: `suspend_from!(coro)` or `suspend_from!(coro, first)`",
                    );
                }
                let mut args = args.into_iter();
                let coro = args.next().unwrap_or_else(|| syn::parse_quote!(()));
                let mut first = args.next();
                if first.is_none() && !self.config.resume_is_unit {
                    // Left out: the resume type must say what goes without saying (`Wake::Start`
                    // for microthreads); for any other type rustc reports that it must be given.
                    let krate = &self.config.krate;
                    first = Some(syn::parse_quote_spanned!(span=>
                        <_ as #krate::__private::FirstResume>::first()
                    ));
                }
                let coro = if self.config.maybe_self_path_call(&coro) {
                    let krate = &self.config.krate;
                    syn::parse_quote_spanned!(coro.span()=> #krate::__private::boxed_delegate(#coro))
                } else {
                    coro
                };
                match self.config.self_call(&coro) {
                    Some(mut call_args) => {
                        if call_args.len() != self.config.param_count {
                            self.errors.error_spanned(
                                &coro,
                                format!(
                                    "this recursive call passes {} argument(s); the coroutine takes {}",
                                    call_args.len(),
                                    self.config.param_count
                                ),
                            );
                        }
                        let mut first = first;
                        let mut all: Vec<(&mut Expr, Ctx)> =
                            call_args.iter_mut().map(|a| (a, Ctx::Value)).collect();
                        if let Some(f) = &mut first {
                            all.push((f, Ctx::Value));
                        }
                        self.elements(all);
                        let args = call_args.into_iter().map(|a| self.opaque_expr(a)).collect();
                        PointKind::Recurse {
                            args,
                            first: first.map(|f| self.opaque_expr(f)),
                        }
                    }
                    None => {
                        let mut coro = coro;
                        let mut first = first;
                        let mut all = vec![(&mut coro, Ctx::Value)];
                        if let Some(f) = &mut first {
                            all.push((f, Ctx::Value));
                        }
                        self.elements(all);
                        self.check_borrowed_temporary(&coro);
                        let handle_ident = self.fresh("delegate");
                        let handle = self.body.locals.len();
                        let borrows = self.borrow_in_args(&coro);
                        self.body.locals.push(Local {
                            ident: handle_ident,
                            mutable: true,
                            kind: LocalKind::Delegate,
                            ty: None,
                            block: self.cur,
                            has_init: true,
                            reborrow: None,
                            borrows,
                            holds: Holds::Owned,
                            shape: Shape::default(),
                        });
                        PointKind::Delegate {
                            coro: self.opaque_expr(coro),
                            first: first.map(|f| self.opaque_expr(f)),
                            handle,
                        }
                    }
                }
            }
        };
        let id = self.body.points.len();
        self.body.points.push(Point {
            kind,
            block: self.cur,
            index: 0,
            span,
            dest: None,
        });
        self.push(Stmt::Point(id));
        if let Some((pat, ty)) = dest {
            let single = matches!(&pat, Pat::Ident(_));
            let kind = if is_generated(&pat) {
                LocalKind::Temp
            } else {
                LocalKind::User
            };
            let bindings = binding_pats(&pat)
                .iter()
                .map(|b| self.declare(b, kind, if single { ty.clone() } else { None }, true))
                .collect();
            self.body.points[id].dest = Some(Dest { pat, ty, bindings });
        }
    }

    // ---- expressions -------------------------------------------------------------------------

    /// Evaluates the special parts of `expr` into statements and returns what is left to
    /// compute, which has no suspension point.
    fn flatten(&mut self, expr: Expr) -> Expr {
        if !self.special_expr(&expr) {
            return expr;
        }
        match expr {
            Expr::Macro(m) if SuspendMacro::of(&m.mac).is_some() => {
                let t = self.fresh("t");
                self.point(&m.mac, Some((Pat::Ident(ident_pat(&t, false)), None)));
                path_expr(&t)
            }
            Expr::Paren(mut p) => {
                *p.expr = self.flatten(*p.expr);
                Expr::Paren(p)
            }
            Expr::Group(g) => self.flatten(*g.expr),
            Expr::Let(l) => {
                // rustc rejects it too; saying so here keeps the lowering from looping on it.
                self.errors.error_spanned(
                    &l,
                    "a `let` expression can only stand in an `if` or `while` condition, joined by `&&`",
                );
                syn::parse_quote!(false)
            }
            Expr::Binary(mut b) => {
                use syn::BinOp::{And, Eq, Ge, Gt, Le, Lt, Ne, Or};
                match b.op {
                    And(_) | Or(_) if self.special_expr(&b.right) => self.lazy(b),
                    op if is_compound(op) => {
                        *b.right = self.flatten(*b.right);
                        *b.left = self.flatten_place(*b.left);
                        Expr::Binary(b)
                    }
                    op => {
                        let ctx = if matches!(op, Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_)) {
                            Ctx::Place
                        } else {
                            Ctx::Value
                        };
                        self.elements(vec![(&mut *b.left, ctx), (&mut *b.right, ctx)]);
                        Expr::Binary(b)
                    }
                }
            }
            Expr::Assign(mut a) => {
                *a.right = self.flatten(*a.right);
                *a.left = self.flatten_place(*a.left);
                Expr::Assign(a)
            }
            Expr::Unary(mut u) => {
                *u.expr = self.flatten(*u.expr);
                Expr::Unary(u)
            }
            Expr::Reference(mut r) => {
                *r.expr = self.flatten_place(*r.expr);
                Expr::Reference(r)
            }
            Expr::Field(mut f) => {
                *f.base = self.flatten(*f.base);
                Expr::Field(f)
            }
            Expr::Index(mut i) => {
                self.elements(vec![
                    (&mut *i.expr, Ctx::Place),
                    (&mut *i.index, Ctx::Value),
                ]);
                Expr::Index(i)
            }
            Expr::Call(mut c) => {
                let callee = if is_place(&c.func) {
                    Ctx::Place
                } else {
                    Ctx::Value
                };
                let mut all = vec![(&mut *c.func, callee)];
                all.extend(c.args.iter_mut().map(|a| (a, Ctx::Value)));
                self.elements(all);
                Expr::Call(c)
            }
            Expr::MethodCall(mut m) => {
                let recv = if is_place(&m.receiver) {
                    Ctx::Place
                } else {
                    Ctx::Value
                };
                let mut all = vec![(&mut *m.receiver, recv)];
                all.extend(m.args.iter_mut().map(|a| (a, Ctx::Value)));
                self.elements(all);
                Expr::MethodCall(m)
            }
            Expr::Tuple(mut t) => {
                self.elements(t.elems.iter_mut().map(|e| (e, Ctx::Value)).collect());
                Expr::Tuple(t)
            }
            Expr::Array(mut a) => {
                self.elements(a.elems.iter_mut().map(|e| (e, Ctx::Value)).collect());
                Expr::Array(a)
            }
            Expr::Struct(mut s) => {
                let mut all: Vec<(&mut Expr, Ctx)> = s
                    .fields
                    .iter_mut()
                    .map(|f| (&mut f.expr, Ctx::Value))
                    .collect();
                if let Some(rest) = &mut s.rest {
                    all.push((&mut **rest, Ctx::Value));
                }
                self.elements(all);
                Expr::Struct(s)
            }
            Expr::Range(mut r) => {
                let mut all = Vec::new();
                if let Some(s) = &mut r.start {
                    all.push((&mut **s, Ctx::Value));
                }
                if let Some(e) = &mut r.end {
                    all.push((&mut **e, Ctx::Value));
                }
                self.elements(all);
                Expr::Range(r)
            }
            Expr::Cast(mut c) => {
                *c.expr = self.flatten(*c.expr);
                Expr::Cast(c)
            }
            Expr::Repeat(mut r) => {
                *r.expr = self.flatten(*r.expr);
                Expr::Repeat(r)
            }
            Expr::If(mut i) if !self.branches_special(&i) => {
                // Only the condition suspends: evaluate it, keep the `if` (unless a `let` chain
                // suspends after its first element, which needs the construct lowering).
                match self.flatten_cond(*i.cond) {
                    Cond::Flat(cond) => {
                        *i.cond = cond;
                        Expr::If(i)
                    }
                    Cond::Chain(cond, _) => {
                        *i.cond = cond;
                        let t = self.declare_temp();
                        self.lower_value(Expr::If(i), Into::Local(t));
                        self.local_expr(t)
                    }
                }
            }
            Expr::Match(mut m)
                if !m.arms.iter().any(|a| {
                    self.special_expr(&a.body)
                        || a.guard.as_ref().is_some_and(|(_, g)| self.special_expr(g))
                }) =>
            {
                *m.expr = self.flatten(*m.expr);
                Expr::Match(m)
            }
            Expr::Break(mut b) if is_body_label(b.label.as_ref()) => {
                if let Some(v) = b.expr.take() {
                    b.expr = Some(Box::new(self.flatten(*v)));
                }
                Expr::Break(b)
            }
            Expr::Break(_) | Expr::Continue(_) => {
                self.lower_value(expr, Into::Discard);
                syn::parse_quote!(::core::unreachable!())
            }
            construct => {
                // A block, `if`, `match` or loop whose body suspends: its value goes through a
                // temporary.
                let t = self.declare_temp();
                self.lower_value(construct, Into::Local(t));
                self.local_expr(t)
            }
        }
    }

    fn branches_special(&self, i: &syn::ExprIf) -> bool {
        self.special_block(&i.then_branch)
            || i.else_branch
                .as_ref()
                .is_some_and(|(_, e)| self.special_expr(e))
    }

    /// `a && b` / `a || b` whose right side suspends: `b` runs only if it must.
    fn lazy(&mut self, b: syn::ExprBinary) -> Expr {
        let t = self.declare_temp();
        let left = self.flatten(*b.left);
        let cond = self.opaque_expr(left);
        let is_and = matches!(b.op, syn::BinOp::And(_));
        let right = *b.right;
        let (eval, short) = (self.new_block(), self.new_block());
        self.in_block(eval, |l| l.lower_value(right, Into::Local(t)));
        self.in_block(short, |l| {
            l.finish_value(
                Into::Local(t),
                if is_and {
                    syn::parse_quote!(false)
                } else {
                    syn::parse_quote!(true)
                },
            );
        });
        let (then, els) = if is_and { (eval, short) } else { (short, eval) };
        self.push(Stmt::If {
            cond,
            then,
            els: Some(els),
        });
        self.local_expr(t)
    }

    /// Flattens a list of operands evaluated left to right: the ones before the last special
    /// one are evaluated into temporaries first (or kept, if re-evaluating them after the
    /// suspension gives the same result).
    fn elements(&mut self, mut list: Vec<(&mut Expr, Ctx)>) {
        let Some(last_special) = list.iter().rposition(|(e, _)| self.special_expr(e)) else {
            return;
        };
        for i in 0..last_special {
            let (before, after) = list.split_at_mut(i + 1);
            let (operand, ctx) = &mut before[i];
            // A place that a later operand assigns to is read before it, as Rust does for the
            // operands of a built-in operator (it copies them), and not named again afterwards.
            let ctx = match (*ctx, place_root(operand)) {
                (Ctx::Place, Some(root)) if after.iter().any(|(e, _)| assigns_to(e, root)) => {
                    Ctx::Value
                }
                (ctx, _) => ctx,
            };
            let taken = std::mem::replace(&mut **operand, Expr::Verbatim(TokenStream::new()));
            **operand = self.hoist(taken, ctx);
        }
        let (e, _) = &mut list[last_special];
        let taken = std::mem::replace(&mut **e, Expr::Verbatim(TokenStream::new()));
        **e = self.flatten(taken);
    }

    /// Evaluates an operand now, because something after it suspends.
    fn hoist(&mut self, expr: Expr, ctx: Ctx) -> Expr {
        let expr = self.flatten(expr);
        if ctx == Ctx::Place && is_place(&expr) {
            self.check_held_place(&expr);
            return self.hoist_place(expr);
        }
        if self.pure(&expr) {
            return expr;
        }
        if let Expr::Reference(mut r) = expr {
            if is_place(&r.expr) {
                self.check_held_place(&r.expr);
                *r.expr = self.hoist_place(*r.expr);
                return Expr::Reference(r);
            }
            if promotable(&r.expr) {
                // `&5`, `&[1, 2]`: a constant, borrowed for `'static`.
                return self.hoist_into_temp(Expr::Reference(r));
            }
            // A borrowed temporary (`&String::from("a")`) is the value, held in a temporary of
            // the statement, and borrowed where it is used: the state holds the value, not a
            // borrow of something that lives only until the suspension.
            *r.expr = self.hoist_into_temp(*r.expr);
            return Expr::Reference(r);
        }
        self.hoist_into_temp(expr)
    }

    /// A place operand (a method receiver, the operand of `&`, a side of `==`) that a later
    /// operand suspends after. Rust evaluates the place first and holds it across the
    /// suspension; the state machine can only name it again afterwards. That is the same place
    /// for a local and its fields, but an index or a dereference runs `Index` or `Deref` code,
    /// which would run after the suspension instead of before it, and could give another place.
    fn check_held_place(&mut self, place: &Expr) {
        let mut cur = place;
        loop {
            match cur {
                Expr::Field(f) => cur = &f.base,
                Expr::Paren(p) => cur = &p.expr,
                Expr::Index(_) | Expr::Unary(_) => {
                    self.errors.error_spanned(
                        place,
                        "this is evaluated before the suspension point later in this expression and must be held across it, which a coroutine cannot do for an index or a dereference (their code would run after the suspension instead of before it): add `pinned` to the attribute, as in `#[coro::coroutine(yield = T, pinned)]`, or bind the suspension's value first (`let v = suspend!(..);`) and use `v` here",
                    );
                    return;
                }
                _ => return,
            }
        }
    }

    /// A place stays a place; the indexes in it are evaluated now.
    fn hoist_place(&mut self, expr: Expr) -> Expr {
        match expr {
            Expr::Field(mut f) => {
                *f.base = self.hoist_place(*f.base);
                Expr::Field(f)
            }
            Expr::Index(mut i) => {
                *i.expr = self.hoist_place(*i.expr);
                *i.index = self.hoist(*i.index, Ctx::Value);
                Expr::Index(i)
            }
            Expr::Paren(mut p) => {
                *p.expr = self.hoist_place(*p.expr);
                Expr::Paren(p)
            }
            Expr::Unary(mut u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                *u.expr = if is_place(&u.expr) {
                    self.hoist_place(*u.expr)
                } else {
                    self.hoist(*u.expr, Ctx::Value)
                };
                Expr::Unary(u)
            }
            other => other,
        }
    }

    /// A place expression (the left of `=`, the operand of `&`) with special parts.
    fn flatten_place(&mut self, expr: Expr) -> Expr {
        if !self.special_expr(&expr) {
            return expr;
        }
        match expr {
            Expr::Field(mut f) => {
                *f.base = self.flatten_place(*f.base);
                Expr::Field(f)
            }
            Expr::Index(mut i) => {
                self.elements(vec![
                    (&mut *i.expr, Ctx::Place),
                    (&mut *i.index, Ctx::Value),
                ]);
                Expr::Index(i)
            }
            Expr::Paren(mut p) => {
                *p.expr = self.flatten_place(*p.expr);
                Expr::Paren(p)
            }
            other => self.flatten(other),
        }
    }

    /// Whether evaluating `expr` later gives the same value and effects as evaluating it now.
    fn pure(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Lit(_) | Expr::Closure(_) => true,
            Expr::Path(_) => bare_ident(expr).is_none_or(|i| self.lookup(&i.to_string()).is_none()),
            Expr::Paren(p) => self.pure(&p.expr),
            _ => false,
        }
    }

    // ---- borrows -----------------------------------------------------------------------------

    /// `let r = &v;` (not `mut r`): `r` can be borrowed again from `v` after a suspension.
    ///
    /// Only a borrow of a whole local: borrowing it again runs no code and gives the same place.
    /// A projection (`&v.f`, `&v[i]`) may go through a user's `Deref` or `Index`, which must not
    /// run again, and may give another place when it does.
    fn reborrow_of(&self, pat: &PatIdent, init: &Expr) -> Option<Reborrow> {
        if pat.mutability.is_some() || pat.by_ref.is_some() || pat.subpat.is_some() {
            return None;
        }
        let Expr::Reference(r) = strip_parens(init) else {
            return None;
        };
        let root = self.lookup(&bare_ident(strip_parens(&r.expr))?.to_string())?;
        Some(Reborrow {
            root,
            expr: init.clone(),
        })
    }

    /// The local an initializer borrows, if it visibly does.
    fn borrow_of(&self, init: &Expr) -> Option<BorrowOf> {
        let init = strip_parens(init);
        // `IntoIterator::into_iter(x)` from a desugared `for`.
        if let Expr::Call(c) = init
            && let Expr::Path(p) = &*c.func
            && p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "into_iter")
            && c.args.len() == 1
        {
            return self.borrow_of(&c.args[0]);
        }
        match init {
            Expr::Reference(r) => {
                let direct = bare_ident(strip_parens(&r.expr)).is_some();
                let root = place_root(&r.expr)?;
                let root = self.lookup(&root.to_string())?;
                Some(BorrowOf {
                    root,
                    at: init.to_token_stream(),
                    direct,
                    closure: false,
                    method: None,
                })
            }
            // A closure without `move` captures the locals it uses by reference.
            Expr::Closure(c) if c.capture.is_none() => {
                let uses = resolve::expr_uses(init, &|n: &str| self.lookup(n));
                let root = *uses.mentions.iter().next()?;
                Some(BorrowOf {
                    root,
                    at: init.to_token_stream(),
                    direct: true,
                    closure: true,
                    method: None,
                })
            }
            Expr::MethodCall(_) => {
                let (receiver, method) = borrowing_chain(init)?;
                let root = self.lookup(&place_root(strip_parens(receiver))?.to_string())?;
                Some(BorrowOf {
                    root,
                    at: init.to_token_stream(),
                    direct: false,
                    closure: false,
                    method: Some(method),
                })
            }
            _ => None,
        }
    }

    /// The borrow a pattern's binding holds when the pattern matches `scrutinee`: a `ref`
    /// binding borrows the scrutinee's place; a binding inside a borrowed scrutinee (`&v`,
    /// `v.as_slice()`) is a reference into it, unless a `&` pattern above it dereferences.
    fn pattern_borrow(&self, pat: &Pat, binding: &PatIdent, scrutinee: &Expr) -> Option<BorrowOf> {
        let scrutinee = strip_parens(scrutinee);
        let at = binding.ident.to_token_stream();
        if binding.by_ref.is_some() {
            let root = self.lookup(&place_root(scrutinee)?.to_string())?;
            return Some(BorrowOf {
                root,
                at,
                direct: bare_ident(scrutinee).is_some(),
                closure: false,
                method: None,
            });
        }
        if binding_under_ref_pattern(pat, &binding.ident) {
            return None;
        }
        let borrowed = match scrutinee {
            Expr::Reference(_) => true,
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                let method = if matches!(method.as_str(), "unwrap" | "expect")
                    && let Expr::MethodCall(inner) = strip_parens(&m.receiver)
                {
                    inner.method.to_string()
                } else {
                    method
                };
                borrows_receiver(&method)
            }
            _ => false,
        };
        if !borrowed {
            return None;
        }
        let mut borrow = self.borrow_of(scrutinee)?;
        borrow.at = at;
        Some(borrow)
    }

    /// A `match` or `if let` whose scrutinee makes a guard of a local the coroutine owns
    /// (`cell.borrow()`, `m.lock()`) keeps that temporary to its end, across the suspension
    /// points of its arms.
    fn check_guard_temporary(&mut self, scrutinee: &Expr, what: &str) {
        struct Guards<'a>(Vec<&'a syn::ExprMethodCall>);
        impl<'a> Visit<'a> for Guards<'a> {
            fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
                if matches!(
                    m.method.to_string().as_str(),
                    "borrow" | "borrow_mut" | "lock"
                ) {
                    self.0.push(m);
                }
                syn::visit::visit_expr_method_call(self, m);
            }
            fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
            // A temporary made inside a block's statements is dropped there.
            fn visit_block(&mut self, _: &'a syn::Block) {}
        }
        let mut guards = Guards(Vec::new());
        guards.visit_expr(scrutinee);
        for m in guards.0 {
            let Some(root) = place_root(&m.receiver).and_then(|r| self.lookup(&r.to_string()))
            else {
                continue;
            };
            if self.body.locals[root].holds != Holds::Owned {
                continue;
            }
            let name = self.body.locals[root].ident.to_string();
            self.errors.error_spanned(
                m,
                format!(
                    "this `{what}` keeps the temporary `{name}.{}()` alive to its end, across a suspension point inside it, and the temporary borrows `{name}`, a local the coroutine owns: a coroutine keeps its locals in a state that moves between resumes, so it cannot hold a borrow of one of them across a suspension point; add `pinned` to the attribute (`#[coro::coroutine(yield = T, pinned)]`), or compute what the `{what}` needs in a `let` before it, which drops the temporary there",
                    m.method
                ),
            );
            return;
        }
    }

    /// A delegate given a borrow of a temporary (`walk(&[x])`, `g(&String::new())`): the
    /// temporary lives to the end of the statement, which the delegation outlasts in the default
    /// lowering (its state cannot keep the value and a borrow of it).
    fn check_borrowed_temporary(&mut self, coro: &Expr) {
        let args: Vec<&Expr> = match strip_parens(coro) {
            Expr::Call(c) => c.args.iter().collect(),
            Expr::MethodCall(m) => m.args.iter().collect(),
            _ => Vec::new(),
        };
        for a in args {
            if let Expr::Reference(r) = strip_parens(a)
                && !is_place(&r.expr)
                && !promotable(&r.expr)
            {
                self.errors.error_spanned(
                    a,
                    "this delegate is given a borrow of a temporary, which lives to the end of the statement, and the delegation runs across suspension points: a coroutine keeps its locals in a state that moves between resumes, so it cannot hold the value and a borrow of it; add `pinned` to the attribute (`#[coro::coroutine(yield = T, pinned)]`), or pass an owned value or a borrow of a parameter",
                );
                return;
            }
        }
    }

    /// The first borrow of a local the arguments of a delegate make (`walk(&v)`,
    /// `g(v.iter())`): the delegate holds it across every suspension of the delegation.
    fn borrow_in_args(&self, coro: &Expr) -> Option<BorrowOf> {
        let args: Vec<&Expr> = match strip_parens(coro) {
            Expr::Call(c) => c.args.iter().collect(),
            Expr::MethodCall(m) => std::iter::once(&*m.receiver).chain(&m.args).collect(),
            other => vec![other],
        };
        args.into_iter().find_map(|a| match strip_parens(a) {
            Expr::Closure(_) => None,
            _ => self.borrow_of(a),
        })
    }
}

/// `local.iter()`, a chain of iterator adapters on it (`local.iter().enumerate()`), or a
/// reference into it (`local.first().unwrap()`): the local's receiver expression and the method
/// that borrows it. Adapters count only after a method that makes an iterator (`v.first()
/// .copied()` is an owned value).
fn borrowing_chain(expr: &Expr) -> Option<(&Expr, String)> {
    fn chain(expr: &Expr, iterating: bool) -> Option<(&Expr, String)> {
        let Expr::MethodCall(m) = strip_parens(expr) else {
            return None;
        };
        let method = m.method.to_string();
        let method = method.as_str();
        if borrows_receiver(method) {
            return (!iterating || ITERATING_METHODS.contains(&method))
                .then(|| (&*m.receiver, method.to_owned()));
        }
        if matches!(method, "unwrap" | "expect") {
            return chain(&m.receiver, iterating);
        }
        if ADAPTERS.contains(&method) {
            return chain(&m.receiver, true);
        }
        None
    }
    chain(expr, false)
}

/// Methods whose result borrows the receiver: the ones that make an iterator over a
/// collection or a string, whose adapters still borrow, and the ones that give a reference into
/// it (or a guard of a cell or a lock).
fn borrows_receiver(method: &str) -> bool {
    ITERATING_METHODS.contains(&method) || REFERENCING_METHODS.contains(&method)
}

/// Borrowing methods that give a reference into the receiver, or a guard of it.
const REFERENCING_METHODS: &[&str] = &[
    "trim",
    "trim_start",
    "trim_end",
    "as_slice",
    "as_mut_slice",
    "as_str",
    "as_bytes",
    "first",
    "last",
    "get",
    "get_mut",
    "borrow",
    "borrow_mut",
    "lock",
];

/// The borrowing methods that make an iterator, whose adapters still borrow.
const ITERATING_METHODS: &[&str] = &[
    "iter",
    "iter_mut",
    "chars",
    "char_indices",
    "bytes",
    "lines",
    "split_whitespace",
    "split",
    "split_terminator",
    "splitn",
    "rsplit",
    "matches",
    "windows",
    "chunks",
    "chunks_mut",
    "drain",
    "keys",
    "values",
    "values_mut",
];

/// Whether `name` is bound inside a `&` pattern of `pat` (which binds it by value).
fn binding_under_ref_pattern(pat: &Pat, name: &Ident) -> bool {
    struct Find<'n> {
        name: &'n Ident,
        depth: usize,
        found: bool,
    }
    impl<'a> Visit<'a> for Find<'_> {
        fn visit_pat_reference(&mut self, p: &'a syn::PatReference) {
            self.depth += 1;
            syn::visit::visit_pat_reference(self, p);
            self.depth -= 1;
        }
        fn visit_pat_ident(&mut self, p: &'a PatIdent) {
            if p.ident == *self.name && self.depth > 0 {
                self.found = true;
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut f = Find {
        name,
        depth: 0,
        found: false,
    };
    f.visit_pat(pat);
    f.found
}

/// Iterator adapters: what they return still borrows what their receiver borrows.
const ADAPTERS: &[&str] = &[
    "enumerate",
    "map",
    "filter",
    "filter_map",
    "zip",
    "rev",
    "skip",
    "take",
    "step_by",
    "peekable",
    "chain",
    "cloned",
    "copied",
    "skip_while",
    "take_while",
    "flat_map",
    "flatten",
    "inspect",
    "fuse",
];

/// Whether a borrowing method belongs to strings, whose contents cannot be iterated by value.
pub(crate) fn is_string_method(method: &str) -> bool {
    matches!(
        method,
        "chars"
            | "char_indices"
            | "bytes"
            | "lines"
            | "split_whitespace"
            | "split"
            | "split_terminator"
            | "splitn"
            | "rsplit"
            | "matches"
            | "trim"
            | "trim_start"
            | "trim_end"
            | "as_str"
            | "as_bytes"
    )
}

/// Finds what makes code special: a suspension point, or a jump to a lowered construct.
struct Finder<'t> {
    /// The lowered constructs around the code: `(label, target, is_loop)`.
    targets: &'t [(Option<String>, TargetId, bool)],
    /// Loops and labeled blocks inside the code: `(label, is_loop)`.
    inner: Vec<(Option<String>, bool)>,
    found: bool,
}

impl<'t> Finder<'t> {
    fn new(targets: &'t [(Option<String>, TargetId, bool)]) -> Self {
        Finder {
            targets,
            inner: Vec::new(),
            found: false,
        }
    }

    fn jump(&mut self, label: Option<&Lifetime>) {
        match label {
            Some(l) => {
                let name = l.ident.to_string();
                if name == "__coro_body"
                    || self
                        .inner
                        .iter()
                        .any(|(n, _)| n.as_deref() == Some(name.as_str()))
                {
                    return;
                }
                if self
                    .targets
                    .iter()
                    .any(|(n, _, _)| n.as_deref() == Some(name.as_str()))
                {
                    self.found = true;
                }
            }
            None => {
                if self.inner.iter().any(|(_, is_loop)| *is_loop) {
                    return;
                }
                if self.targets.iter().any(|(_, _, is_loop)| *is_loop) {
                    self.found = true;
                }
            }
        }
    }

    fn within_loop(
        &mut self,
        label: Option<&syn::Label>,
        is_loop: bool,
        f: impl FnOnce(&mut Self),
    ) {
        self.inner
            .push((label.map(|l| l.name.ident.to_string()), is_loop));
        f(self);
        self.inner.pop();
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Macro(m) => {
                if SuspendMacro::of(&m.mac).is_some() {
                    self.found = true;
                }
            }
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Break(b) => {
                self.jump(b.label.as_ref());
                if let Some(e) = &b.expr {
                    self.visit_expr(e);
                }
            }
            Expr::Continue(c) => self.jump(c.label.as_ref()),
            Expr::Loop(l) => self.within_loop(l.label.as_ref(), true, |f| f.visit_block(&l.body)),
            Expr::While(w) => {
                self.visit_expr(&w.cond);
                self.within_loop(w.label.as_ref(), true, |f| f.visit_block(&w.body));
            }
            Expr::ForLoop(fl) => {
                self.visit_expr(&fl.expr);
                self.within_loop(fl.label.as_ref(), true, |f| f.visit_block(&fl.body));
            }
            Expr::Block(b) if b.label.is_some() => {
                self.within_loop(b.label.as_ref(), false, |f| f.visit_block(&b.block));
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if SuspendMacro::of(&m.mac).is_some() {
            self.found = true;
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Rewrites the `break`s that leave a lowered loop or labeled block with a value, so that the
/// value goes where the construct's value goes: `break 'l v` → `{ t = v; break 'l }`.
struct BreakValues {
    /// The construct's label as written.
    label: Option<String>,
    /// Whether the construct is a loop (unlabeled `break`s at its level are its own).
    is_loop: bool,
    /// Nesting of loops inside it (unlabeled `break`s there are theirs).
    depth: usize,
    into: IntoTokens,
}

/// `Into`, as the tokens that deliver a value.
enum IntoTokens {
    Discard,
    Local(Ident),
    Exit,
}

fn into_tokens(body: &Body, into: Into) -> IntoTokens {
    match into {
        Into::Discard => IntoTokens::Discard,
        Into::Local(t) => IntoTokens::Local(body.locals[t].ident.clone()),
        Into::Exit => IntoTokens::Exit,
    }
}

impl BreakValues {
    fn new(label: Option<String>, is_loop: bool, into: IntoTokens) -> Self {
        BreakValues {
            label,
            is_loop,
            depth: 0,
            into,
        }
    }

    fn targets_me(&self, label: Option<&Lifetime>) -> bool {
        match label {
            Some(l) => self.label.as_deref() == Some(l.ident.to_string().as_str()),
            None => self.is_loop && self.depth == 0,
        }
    }
}

impl VisitMut for BreakValues {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            // A `for` loop's iterable is evaluated before the loop: a `break` there is not the
            // `for` loop's own.
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.depth += 1;
                self.visit_block_mut(&mut f.body);
                self.depth -= 1;
            }
            Expr::Loop(_) | Expr::While(_) => {
                self.depth += 1;
                syn::visit_mut::visit_expr_mut(self, expr);
                self.depth -= 1;
            }
            Expr::Break(b) if self.targets_me(b.label.as_ref()) => {
                if let Some(v) = &mut b.expr {
                    self.visit_expr_mut(v);
                }
                let had_value = b.expr.is_some();
                let value: Expr = b.expr.take().map_or_else(|| syn::parse_quote!(()), |v| *v);
                let label = &b.label;
                let span = b.break_token.span;
                *expr = match &self.into {
                    IntoTokens::Discard if !had_value => return,
                    // A value that never comes (`break 'l { return 1 }`) is no value to store,
                    // and the `break` after it is never reached.
                    _ if crate::analysis::diverging(&value) => value,
                    IntoTokens::Discard => {
                        syn::parse_quote_spanned!(span=> { #value; break #label })
                    }
                    IntoTokens::Local(t) => {
                        syn::parse_quote_spanned!(span=> { #t = #value; break #label })
                    }
                    IntoTokens::Exit => exit_expr(value, span),
                };
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    /// A `break` can stand in the arguments of `suspend!` and `suspend_from!` too, which the
    /// lowering reads as expressions; other macros are left as written.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if SuspendMacro::of(mac).is_none() {
            return;
        }
        let parsed = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
            mac.tokens.clone(),
        );
        if let Ok(mut args) = parsed {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.to_token_stream();
        }
    }
}

// ---- helpers -----------------------------------------------------------------------------------

pub(crate) fn path_expr(ident: &Ident) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path::from(ident.clone()),
    })
}

fn ident_pat(ident: &Ident, mutable: bool) -> PatIdent {
    PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: mutable.then(Default::default),
        ident: ident.clone(),
        subpat: None,
    }
}

/// The `PatIdent`s a pattern binds, in order.
pub(crate) fn binding_pats(pat: &Pat) -> Vec<PatIdent> {
    let names = resolve::pat_bindings(pat);
    let mut out = Vec::new();
    collect_pat_idents(pat, &names, &mut out);
    out
}

fn collect_pat_idents(pat: &Pat, names: &[Ident], out: &mut Vec<PatIdent>) {
    match pat {
        Pat::Ident(p) => {
            if names.contains(&p.ident) {
                let mut p = p.clone();
                p.subpat = None;
                out.push(p.clone());
            }
            if let Some((_, sub)) = &p.subpat {
                collect_pat_idents(sub, names, out);
            }
        }
        Pat::Or(p) => {
            if let Some(first) = p.cases.first() {
                collect_pat_idents(first, names, out);
            }
        }
        Pat::Paren(p) => collect_pat_idents(&p.pat, names, out),
        Pat::Reference(p) => collect_pat_idents(&p.pat, names, out),
        Pat::Slice(p) => p
            .elems
            .iter()
            .for_each(|e| collect_pat_idents(e, names, out)),
        Pat::Struct(p) => p
            .fields
            .iter()
            .for_each(|f| collect_pat_idents(&f.pat, names, out)),
        Pat::Tuple(p) => p
            .elems
            .iter()
            .for_each(|e| collect_pat_idents(e, names, out)),
        Pat::TupleStruct(p) => p
            .elems
            .iter()
            .for_each(|e| collect_pat_idents(e, names, out)),
        Pat::Type(p) => collect_pat_idents(&p.pat, names, out),
        _ => {}
    }
}

/// `pat: ty` → `(pat, Some(ty))`.
fn split_type(pat: &Pat) -> (&Pat, Option<Type>) {
    match pat {
        Pat::Type(t) => (&t.pat, Some((*t.ty).clone())),
        other => (other, None),
    }
}

/// The expression if it is exactly a suspension macro (in parentheses or not).
fn direct_suspend(expr: &Expr) -> Option<&Macro> {
    match expr {
        Expr::Macro(m) if SuspendMacro::of(&m.mac).is_some() => Some(&m.mac),
        Expr::Paren(p) => direct_suspend(&p.expr),
        Expr::Group(g) => direct_suspend(&g.expr),
        _ => None,
    }
}

fn is_generated(pat: &Pat) -> bool {
    matches!(pat, Pat::Ident(p) if p.ident.to_string().starts_with("__coro_"))
}

/// A condition after [`Lowering::flatten_cond`].
enum Cond {
    /// Evaluated up front where it suspends; the `if` keeps it as is.
    Flat(Expr),
    /// A `let` chain whose element `k > 0` suspends: the `if` must be split there.
    Chain(Expr, usize),
}

fn is_body_label(label: Option<&Lifetime>) -> bool {
    label.is_some_and(|l| l.ident == "__coro_body")
}

fn block_of(expr: Expr) -> syn::Block {
    match expr {
        Expr::Block(b) => b.block,
        other => syn::parse_quote!({ #other }),
    }
}

fn strip_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}

/// The local at the root of a place (`v` in `v.a[i].b`).
fn place_root(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Field(f) => place_root(&f.base),
        Expr::Index(i) => place_root(&i.expr),
        Expr::Paren(p) => place_root(&p.expr),
        other => bare_ident(other),
    }
}

/// Whether `expr` assigns to the local `root` or to a part of it, or borrows it mutably.
fn assigns_to(expr: &Expr, root: &Ident) -> bool {
    struct Finder<'a> {
        root: &'a Ident,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.found |= place_root(&a.left) == Some(self.root);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            self.found |= is_compound(b.op) && place_root(&b.left) == Some(self.root);
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            self.found |= r.mutability.is_some() && place_root(&r.expr) == Some(self.root);
            syn::visit::visit_expr_reference(self, r);
        }
    }
    let mut finder = Finder { root, found: false };
    finder.visit_expr(expr);
    finder.found
}

/// Whether an expression denotes a place (a local, a field, an index, a dereference).
fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(_) => true,
        Expr::Field(f) => is_place(&f.base),
        Expr::Index(i) => is_place(&i.expr),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)),
        _ => false,
    }
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

/// `&T`, not `&mut T`.
fn is_shared_reference(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none(),
        Type::Paren(p) => is_shared_reference(&p.elem),
        Type::Group(g) => is_shared_reference(&g.elem),
        _ => false,
    }
}

/// Whether a type is one that has nothing to drop, as far as its spelling shows: a primitive
/// number, `bool`, `char`, a shared reference, or an array or tuple of them.
fn nothing_to_drop(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none(),
        Type::Paren(p) => nothing_to_drop(&p.elem),
        Type::Group(g) => nothing_to_drop(&g.elem),
        Type::Array(a) => nothing_to_drop(&a.elem),
        Type::Tuple(t) => t.elems.iter().all(nothing_to_drop),
        Type::Path(p) if p.qself.is_none() => p.path.get_ident().is_some_and(|i| {
            matches!(
                i.to_string().as_str(),
                "u8" | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "f32"
                    | "f64"
                    | "bool"
                    | "char"
            )
        }),
        _ => false,
    }
}

fn is_reference(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) | Type::Ptr(_) | Type::ImplTrait(_) => true,
        Type::Paren(p) => is_reference(&p.elem),
        Type::Group(g) => is_reference(&g.elem),
        _ => false,
    }
}

/// Whether a borrowed expression is a constant rustc promotes to `'static` (a literal, or an
/// array or tuple of them).
fn promotable(expr: &Expr) -> bool {
    match strip_parens(expr) {
        Expr::Lit(_) => true,
        Expr::Array(a) => a.elems.iter().all(promotable),
        Expr::Tuple(t) => t.elems.iter().all(promotable),
        _ => false,
    }
}

/// Whether an initializer visibly produces an owned value.
fn owned_init(init: &Expr) -> bool {
    match strip_parens(init) {
        Expr::Array(_) | Expr::Tuple(_) | Expr::Struct(_) | Expr::Repeat(_) => true,
        Expr::Lit(l) => !matches!(
            l.lit,
            syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_)
        ),
        Expr::Macro(m) => m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "vec" | "format")),
        // `e?`, as `prepare` rewrote it: what `e` holds.
        Expr::Match(m)
            if let Expr::Call(c) = &*m.expr
                && let Expr::Path(p) = &*c.func
                && p.path.segments.last().is_some_and(|s| s.ident == "branch")
                && c.args.len() == 1 =>
        {
            owned_init(&c.args[0])
        }
        Expr::Call(c) => {
            // `Path::new`, `OsStr::new` and `CStr::from..` make references.
            let borrowed_type = |p: &syn::ExprPath| {
                p.path.segments.iter().rev().nth(1).is_some_and(|t| {
                    matches!(
                        t.ident.to_string().as_str(),
                        "Path" | "OsStr" | "CStr" | "str"
                    )
                })
            };
            matches!(&*c.func, Expr::Path(p) if !borrowed_type(p) && p.path.segments.last().is_some_and(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "new" | "from" | "with_capacity" | "default" | "read_to_string" | "read"
                )
            }))
        }
        Expr::MethodCall(m) if matches!(m.method.to_string().as_str(), "unwrap" | "expect") => {
            owned_init(&m.receiver)
        }
        Expr::MethodCall(m) => matches!(
            m.method.to_string().as_str(),
            "to_vec" | "to_owned" | "to_string" | "collect" | "clone" | "into_boxed_slice"
        ),
        _ => false,
    }
}

/// `a && b && c` → `[a, b, c]` (only the top-level `&&`s).
fn split_chain(cond: &Expr) -> Vec<Expr> {
    match cond {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            let mut out = split_chain(&b.left);
            out.extend(split_chain(&b.right));
            out
        }
        other => vec![other.clone()],
    }
}

fn join_chain(elements: Vec<Expr>) -> Expr {
    let mut iter = elements.into_iter();
    let first = iter.next().unwrap_or_else(|| syn::parse_quote!(true));
    iter.fold(first, |acc, e| syn::parse_quote!(#acc && #e))
}
