//! What the state machine keeps at each resumable point.
//!
//! All results are computed on the lowered body, without looking at types:
//!
//! - **Liveness** (backward): a local is live at a point if some path from there reads it before
//!   assigning it as a whole. Reading `r` where `let r = &v` is a reborrow counts as reading `v`.
//! - **Untouched** (forward, on every path): a local declared with a value and not mentioned since.
//! - **Mentioned later** (backward, without kills): a local some later code names at all.
//!
//! At each state, a local in scope is **saved** if it is live or untouched (the drop rule: a
//! local used before a suspension point and never after it is dropped there; one never used, such
//! as a guard, lives to the end of its scope). A live reborrow is **re-created** from its saved
//! root instead. A local that is neither but is mentioned later (it will be assigned before it is
//! read) is **declared again**, without a value.

use std::collections::HashMap;

use syn::visit::Visit;

use crate::error::Errors;
use crate::ir::{
    BlockId, Body, Holds, LocalId, LocalKind, LocalSet, OpaqueExpr, PointId, PointKind, Stmt,
    TargetId, Uses,
};

/// The locals a state holds and how its arm gets the rest back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Locals moved into the state, in declaration order.
    pub(crate) saved: Vec<LocalId>,
    /// Reborrows taken again from their saved roots on resume, in declaration order.
    pub(crate) recreate: Vec<LocalId>,
    /// Locals declared again, without a value, because later code assigns them.
    pub(crate) redeclare: Vec<LocalId>,
}

/// A state the machine enters without a suspension: the code after a construct, or the head of a
/// loop, when duplicating that code into every arm that reaches it would duplicate a closure (two
/// copies of a closure expression are two types, and a state can hold only one of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum JumpKind {
    /// Before statement `index` of `block`.
    Before(BlockId, usize),
    /// At the head of this loop.
    LoopHead(TargetId),
}

/// A jump state and what it holds.
#[derive(Clone, Debug)]
pub(crate) struct Jump {
    pub(crate) kind: JumpKind,
    pub(crate) facts: Facts,
}

/// The results of the analysis.
pub(crate) struct Analysis {
    /// Per suspension point.
    pub(crate) points: Vec<Facts>,
    /// The jump states.
    pub(crate) jumps: Vec<Jump>,
    /// Per suspension point: resumed in place (see [`in_place`]).
    pub(crate) in_place: Vec<Option<InPlace>>,
    /// Per suspension point: the point whose state variant it is saved in (itself, unless it
    /// shares one with other points resumed in place in the same loop; see [`shared_homes`]).
    pub(crate) home: Vec<PointId>,
    /// The body delegates to itself.
    pub(crate) recursive: bool,
}

impl Analysis {
    pub(crate) fn jump_before(&self, block: BlockId, index: usize) -> Option<usize> {
        self.jumps
            .iter()
            .position(|j| j.kind == JumpKind::Before(block, index))
    }

    pub(crate) fn loop_head(&self, target: TargetId) -> Option<usize> {
        self.jumps
            .iter()
            .position(|j| j.kind == JumpKind::LoopHead(target))
    }

    /// Whether the machine needs a dispatch loop (it moves between states within one resume).
    pub(crate) fn dispatches(&self, body: &Body) -> bool {
        !self.jumps.is_empty()
            || body
                .points
                .iter()
                .any(|p| !matches!(p.kind, PointKind::Suspend { .. }))
    }
}

/// Analyzes a lowered body, reporting borrows of the body's own locals that cross a suspension
/// point. `hidden_exits`: a macro of the body may `return` (where the transform cannot see it).
pub(crate) fn analyze(body: &Body, hidden_exits: bool, errors: &mut Errors) -> Analysis {
    let mut live = Backward::new(body, true);
    live.block(0, LocalSet::new());
    let mut mentioned = Backward::new(body, false);
    mentioned.block(0, LocalSet::new());
    let mut untouched = Forward::new(body);
    untouched.block(0, Some(LocalSet::new()));

    let points: Vec<Facts> = body
        .points
        .iter()
        .enumerate()
        .map(|(p, point)| {
            facts(
                body,
                &body.in_scope(point.block, point.index),
                &live.after_point[p],
                &untouched.at_point[p],
                &mentioned.after_point[p],
            )
        })
        .collect();

    let plan = plan_jumps(body);
    let jumps = plan
        .into_iter()
        .map(|kind| {
            let (scope, at) = match kind {
                JumpKind::Before(b, i) => (body.in_scope(b, i), Site::Stmt(b, i)),
                JumpKind::LoopHead(t) => {
                    let target = &body.targets[t];
                    (body.in_scope(target.block, target.index), Site::Head(t))
                }
            };
            let facts = facts(
                body,
                &scope,
                &live.before(at),
                &untouched.before(at),
                &mentioned.before(at),
            );
            Jump { kind, facts }
        })
        .collect::<Vec<_>>();

    check_borrows(body, &points, errors);
    let mut in_place: Vec<Option<InPlace>> = (0..body.points.len())
        .map(|p| in_place(body, p, &points[p], &jumps, &live))
        .collect();
    block_runs(body, &points, &jumps, &live, &mut in_place);
    // An exit moves the held locals out of the state into their names: one a macro hides
    // cannot, nor one where code around it binds a held local's name again. Where the drop
    // order needs that move, the points are not resumed in place.
    let rebound = nested_bindings(body);
    for ip in &mut in_place {
        if ip.as_ref().is_some_and(|ip| {
            ip.exits_move
                && (hidden_exits
                    || ip
                        .held
                        .iter()
                        .any(|&h| rebound.contains(&body.locals[h].ident.to_string())))
        }) {
            *ip = None;
        }
    }
    let home = shared_homes(&in_place);
    let recursive = body
        .points
        .iter()
        .any(|p| matches!(p.kind, PointKind::Recurse { .. }));
    Analysis {
        points,
        jumps,
        in_place,
        home,
        recursive,
    }
}

/// Where a jump state is, for looking up the dataflow facts there.
#[derive(Clone, Copy)]
enum Site {
    Stmt(BlockId, usize),
    Head(TargetId),
}

fn facts(
    body: &Body,
    scope: &[LocalId],
    live: &LocalSet,
    untouched: &LocalSet,
    mentioned: &LocalSet,
) -> Facts {
    let mut f = Facts::default();
    for &l in scope {
        let local = &body.locals[l];
        if local.reborrow.is_some() {
            if live.contains(&l) {
                f.recreate.push(l);
            }
        } else if live.contains(&l) || (untouched.contains(&l) && local.has_init) {
            f.saved.push(l);
        } else if mentioned.contains(&l) {
            f.redeclare.push(l);
        }
    }
    f
}

// ---- backward dataflow ---------------------------------------------------------------------------

/// Liveness (`kills`), or "mentioned later" (no kills, every mention counts).
struct Backward<'a> {
    body: &'a Body,
    kills: bool,
    /// Per lowered target: (at its head, after it).
    env: HashMap<TargetId, (LocalSet, LocalSet)>,
    /// Per point: right after it resumes (its destination not yet bound).
    after_point: Vec<LocalSet>,
    before_stmt: HashMap<(BlockId, usize), LocalSet>,
    after_stmt: HashMap<(BlockId, usize), LocalSet>,
    /// At block entry, entry bindings included.
    block_in: HashMap<BlockId, LocalSet>,
    head: HashMap<TargetId, LocalSet>,
}

impl<'a> Backward<'a> {
    fn new(body: &'a Body, kills: bool) -> Self {
        Backward {
            body,
            kills,
            env: HashMap::new(),
            after_point: vec![LocalSet::new(); body.points.len()],
            before_stmt: HashMap::new(),
            after_stmt: HashMap::new(),
            block_in: HashMap::new(),
            head: HashMap::new(),
        }
    }

    fn before(&self, site: Site) -> LocalSet {
        match site {
            Site::Stmt(b, i) => self.before_stmt.get(&(b, i)).cloned().unwrap_or_default(),
            Site::Head(t) => self.head.get(&t).cloned().unwrap_or_default(),
        }
    }

    fn gen_(&self, uses: &Uses) -> LocalSet {
        let base = if self.kills {
            &uses.reads
        } else {
            &uses.mentions
        };
        let mut out = base.clone();
        for &l in base {
            if let Some(r) = &self.body.locals[l].reborrow {
                out.insert(r.root);
            }
        }
        out
    }

    fn expr(&self, e: &OpaqueExpr, live: &mut LocalSet) {
        live.extend(self.gen_(&e.uses));
    }

    fn block(&mut self, b: BlockId, out: LocalSet) -> LocalSet {
        let mut live = out;
        for i in (0..self.body.blocks[b].stmts.len()).rev() {
            self.after_stmt.insert((b, i), live.clone());
            live = self.stmt(b, i, live);
            self.before_stmt.insert((b, i), live.clone());
        }
        self.block_in.insert(b, live.clone());
        for l in &self.body.blocks[b].entry {
            live.remove(l);
        }
        live
    }

    fn stmt(&mut self, b: BlockId, i: usize, live: LocalSet) -> LocalSet {
        let body = self.body;
        match &body.blocks[b].stmts[i] {
            Stmt::Opaque(o) => {
                let mut live = if exits_body(&o.stmt) {
                    LocalSet::new()
                } else {
                    live
                };
                if self.kills {
                    for l in &o.uses.writes {
                        live.remove(l);
                    }
                }
                for l in &o.declares {
                    live.remove(l);
                }
                live.extend(self.gen_(&o.uses));
                live
            }
            Stmt::Decl(l) => {
                let mut live = live;
                live.remove(l);
                live
            }
            Stmt::Point(p) => {
                let point = &body.points[*p];
                let mut live = live;
                if let Some(dest) = &point.dest {
                    for l in &dest.bindings {
                        live.remove(l);
                    }
                }
                self.after_point[*p].clone_from(&live);
                match &point.kind {
                    PointKind::Suspend { value } => self.expr(value, &mut live),
                    PointKind::Delegate { coro, first, .. } => {
                        self.expr(coro, &mut live);
                        if let Some(f) = first {
                            self.expr(f, &mut live);
                        }
                    }
                    PointKind::Recurse { args, first } => {
                        for a in args {
                            self.expr(a, &mut live);
                        }
                        if let Some(f) = first {
                            self.expr(f, &mut live);
                        }
                    }
                }
                live
            }
            Stmt::If { cond, then, els } => {
                let mut out = self.block(*then, live.clone());
                match els {
                    Some(e) => out.extend(self.block(*e, live)),
                    None => out.extend(live),
                }
                self.expr(cond, &mut out);
                out
            }
            Stmt::Match { scrutinee, arms } => {
                let mut out = LocalSet::new();
                for arm in arms {
                    let mut arm_in = self.block(arm.body, live.clone());
                    if let Some(g) = &arm.guard {
                        self.expr(g, &mut arm_in);
                        for l in &body.blocks[arm.body].entry {
                            arm_in.remove(l);
                        }
                    }
                    out.extend(arm_in);
                }
                self.expr(scrutinee, &mut out);
                out
            }
            Stmt::Loop { target, body: lb } => {
                let mut head = LocalSet::new();
                loop {
                    self.env.insert(*target, (head.clone(), live.clone()));
                    let new = self.block(*lb, head.clone());
                    if new.is_subset(&head) {
                        break;
                    }
                    head.extend(new);
                }
                self.head.insert(*target, head.clone());
                head
            }
            Stmt::Block(inner) => {
                if let Some(t) = body.blocks[*inner].label {
                    self.env.insert(t, (LocalSet::new(), live.clone()));
                }
                self.block(*inner, live)
            }
            Stmt::LetElse {
                init,
                els,
                bindings,
                ..
            } => {
                let mut out = live;
                for l in bindings {
                    out.remove(l);
                }
                out.extend(self.block(*els, LocalSet::new()));
                self.expr(init, &mut out);
                out
            }
            Stmt::Break(t) => self.env.get(t).map(|e| e.1.clone()).unwrap_or_default(),
            Stmt::Continue(t) => self.env.get(t).map(|e| e.0.clone()).unwrap_or_default(),
        }
    }
}

// ---- forward dataflow ----------------------------------------------------------------------------

/// "Untouched since declared", on every path. `None` is an unreachable point.
struct Forward<'a> {
    body: &'a Body,
    /// Per lowered target: the meet of the states at its `continue`s and at its `break`s.
    env: HashMap<TargetId, (Option<LocalSet>, Option<LocalSet>)>,
    at_point: Vec<LocalSet>,
    before_stmt: HashMap<(BlockId, usize), LocalSet>,
    head: HashMap<TargetId, LocalSet>,
}

fn meet(a: Option<LocalSet>, b: Option<LocalSet>) -> Option<LocalSet> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
    }
}

fn minus(s: Option<LocalSet>, uses: &Uses) -> Option<LocalSet> {
    s.map(|s| s.difference(&uses.touched).copied().collect())
}

impl<'a> Forward<'a> {
    fn new(body: &'a Body) -> Self {
        Forward {
            body,
            env: HashMap::new(),
            at_point: vec![LocalSet::new(); body.points.len()],
            before_stmt: HashMap::new(),
            head: HashMap::new(),
        }
    }

    fn before(&self, site: Site) -> LocalSet {
        match site {
            Site::Stmt(b, i) => self.before_stmt.get(&(b, i)).cloned().unwrap_or_default(),
            Site::Head(t) => self.head.get(&t).cloned().unwrap_or_default(),
        }
    }

    fn block(&mut self, b: BlockId, state: Option<LocalSet>) -> Option<LocalSet> {
        let body = self.body;
        let mut s = state.map(|mut s| {
            s.extend(body.blocks[b].entry.iter().copied());
            s
        });
        for i in 0..body.blocks[b].stmts.len() {
            self.before_stmt
                .insert((b, i), s.clone().unwrap_or_default());
            s = self.stmt(b, i, s);
        }
        s
    }

    fn stmt(&mut self, b: BlockId, i: usize, state: Option<LocalSet>) -> Option<LocalSet> {
        let body = self.body;
        match &body.blocks[b].stmts[i] {
            Stmt::Opaque(o) if exits_body(&o.stmt) => None,
            Stmt::Opaque(o) => minus(state, &o.uses).map(|mut set| {
                set.extend(
                    o.declares
                        .iter()
                        .copied()
                        .filter(|l| body.locals[*l].has_init),
                );
                set
            }),
            Stmt::Decl(_) => state,
            Stmt::Point(p) => {
                let point = &body.points[*p];
                let exprs: Vec<&OpaqueExpr> = match &point.kind {
                    PointKind::Suspend { value } => vec![value],
                    PointKind::Delegate { coro, first, .. } => {
                        std::iter::once(coro).chain(first).collect()
                    }
                    PointKind::Recurse { args, first } => args.iter().chain(first).collect(),
                };
                let at = exprs.into_iter().fold(state, |acc, e| minus(acc, &e.uses));
                self.at_point[*p] = at.clone().unwrap_or_default();
                at.map(|mut set| {
                    if let Some(d) = &point.dest {
                        set.extend(d.bindings.iter().copied());
                    }
                    set
                })
            }
            Stmt::If { cond, then, els } => {
                let before = minus(state, &cond.uses);
                let then_out = self.block(*then, before.clone());
                let els_out = match els {
                    Some(e) => self.block(*e, before),
                    None => before,
                };
                meet(then_out, els_out)
            }
            Stmt::Match { scrutinee, arms } => {
                let before = minus(state, &scrutinee.uses);
                let mut out = None;
                for arm in arms {
                    let arm_in = match &arm.guard {
                        Some(g) => minus(before.clone(), &g.uses),
                        None => before.clone(),
                    };
                    let arm_out = self.block(arm.body, arm_in);
                    out = meet(out, arm_out);
                }
                out
            }
            Stmt::Loop { target, body: lb } => {
                let mut head = state.clone();
                loop {
                    self.env.insert(*target, (None, None));
                    let out = self.block(*lb, head.clone());
                    let (continues, _) = self.env.get(target).cloned().unwrap_or_default();
                    // An unreachable back edge leaves the entry state; the sets only shrink.
                    let new_head = match meet(state.clone(), meet(out, continues)) {
                        None => state.clone(),
                        h => h,
                    };
                    if new_head == head {
                        break;
                    }
                    head = new_head;
                }
                self.head.insert(*target, head.unwrap_or_default());
                self.env.get(target).and_then(|e| e.1.clone())
            }
            Stmt::Block(inner) => {
                let label = body.blocks[*inner].label;
                if let Some(t) = label {
                    self.env.insert(t, (None, None));
                }
                let out = self.block(*inner, state);
                match label {
                    Some(t) => meet(out, self.env.get(&t).and_then(|e| e.1.clone())),
                    None => out,
                }
            }
            Stmt::LetElse {
                init,
                els,
                bindings,
                ..
            } => {
                let before = minus(state, &init.uses);
                self.block(*els, before.clone());
                before.map(|mut set| {
                    set.extend(bindings.iter().copied());
                    set
                })
            }
            Stmt::Break(t) => {
                let entry = self.env.entry(*t).or_default();
                entry.1 = meet(entry.1.take(), state);
                None
            }
            Stmt::Continue(t) => {
                let entry = self.env.entry(*t).or_default();
                entry.0 = meet(entry.0.take(), state);
                None
            }
        }
    }
}

// ---- control flow facts ----------------------------------------------------------------------

/// Whether a block can complete normally (without suspending, breaking out or returning).
pub(crate) fn block_falls(body: &Body, b: BlockId) -> bool {
    body.blocks[b].stmts.iter().all(|s| stmt_falls(body, s))
}

/// Whether a statement can complete normally.
pub(crate) fn stmt_falls(body: &Body, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Opaque(o) => !diverges(&o.stmt),
        Stmt::Decl(_) | Stmt::LetElse { .. } => true,
        Stmt::Point(_) | Stmt::Break(_) | Stmt::Continue(_) => false,
        Stmt::If { then, els, .. } => {
            block_falls(body, *then) || els.is_none_or(|e| block_falls(body, e))
        }
        Stmt::Match { arms, .. } => arms.iter().any(|a| block_falls(body, a.body)),
        Stmt::Loop { target, body: lb } => breaks_to(body, *lb, *target),
        Stmt::Block(b) => {
            block_falls(body, *b)
                || body.blocks[*b]
                    .label
                    .is_some_and(|t| breaks_to(body, *b, t))
        }
    }
}

/// Whether a statement written by the user visibly never completes (`return`, `break`, `panic!`).
pub(crate) fn diverges(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Expr(e, _) => diverging(e),
        syn::Stmt::Macro(m) => panics(&m.mac),
        _ => false,
    }
}

/// Whether an expression never produces its value: a jump, a `return` (or the
/// `break '__coro_body` `prepare` made of it), or a panicking macro.
pub(crate) fn diverging(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Break(_) | syn::Expr::Continue(_) | syn::Expr::Return(_) => true,
        syn::Expr::Paren(p) => diverging(&p.expr),
        // `{ return 1 }`: an unlabeled block that ends in a jump (nothing can break out of it).
        syn::Expr::Block(b) if b.label.is_none() => b.block.stmts.last().is_some_and(diverges),
        syn::Expr::Macro(m) => panics(&m.mac),
        _ => false,
    }
}

/// `panic!`, `unreachable!`, `todo!`, `unimplemented!`.
fn panics(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented"
        )
    })
}

/// Whether a statement written by the user leaves the whole body (`return`, which `prepare`
/// made a `break '__coro_body`, or a panic): nothing is live after it, and it reaches no later
/// statement.
pub(crate) fn exits_body(stmt: &syn::Stmt) -> bool {
    match stmt {
        syn::Stmt::Expr(e, _) => exits_expr(e),
        syn::Stmt::Macro(_) => diverges(stmt),
        _ => false,
    }
}

/// An expression that leaves the whole body: `break '__coro_body`, `return`, a panic, or an
/// unlabeled block that ends in one (`{ return 4; }`).
fn exits_expr(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Break(b) => b.label.as_ref().is_some_and(|l| l.ident == "__coro_body"),
        syn::Expr::Return(_) => true,
        syn::Expr::Macro(m) => panics(&m.mac),
        syn::Expr::Paren(p) => exits_expr(&p.expr),
        syn::Expr::Block(b) if b.label.is_none() => b.block.stmts.last().is_some_and(exits_body),
        _ => false,
    }
}

/// Whether block `b` contains a lowered `break` to `target`.
pub(crate) fn breaks_to(body: &Body, b: BlockId, target: TargetId) -> bool {
    body.blocks[b].stmts.iter().any(|s| match s {
        Stmt::Break(t) => *t == target,
        other => children(other)
            .into_iter()
            .any(|c| breaks_to(body, c, target)),
    })
}

/// The blocks directly inside a statement.
pub(crate) fn children(stmt: &Stmt) -> Vec<BlockId> {
    match stmt {
        Stmt::If { then, els, .. } => std::iter::once(*then).chain(*els).collect(),
        Stmt::Match { arms, .. } => arms.iter().map(|a| a.body).collect(),
        Stmt::Loop { body, .. } => vec![*body],
        Stmt::Block(b) => vec![*b],
        Stmt::LetElse { els, .. } => vec![*els],
        _ => Vec::new(),
    }
}

// ---- jump planning -------------------------------------------------------------------------------

/// Decides where the machine jumps instead of duplicating code (see [`JumpKind`]), innermost
/// first.
fn plan_jumps(body: &Body) -> Vec<JumpKind> {
    let mut plan = Vec::new();
    plan_block(body, 0, &mut plan);
    plan
}

/// Plans the jumps inside block `b`; returns how many states are inside it.
fn plan_block(body: &Body, b: BlockId, plan: &mut Vec<JumpKind>) -> usize {
    let stmts = &body.blocks[b].stmts;
    let mut total = 0;
    for (i, stmt) in stmts.iter().enumerate() {
        let mut inside = match stmt {
            Stmt::Point(_) => 1,
            _ => children(stmt)
                .into_iter()
                .map(|c| plan_block(body, c, plan))
                .sum(),
        };
        if let Stmt::Loop { target, body: lb } = stmt
            && inside > 0
            && !duplicable(body, &body.blocks[*lb].stmts)
        {
            plan.push(JumpKind::LoopHead(*target));
            inside += 1;
        }
        let copies = inside + usize::from(stmt_falls(body, stmt));
        if inside > 0 && copies > 1 && i + 1 < stmts.len() && !duplicable(body, &stmts[i + 1..]) {
            plan.push(JumpKind::Before(b, i + 1));
            inside += 1;
        }
        total += inside;
    }
    total
}

/// Whether code can be emitted more than once: it creates no closure, `async` block or item,
/// whose copies would be distinct types.
fn duplicable(body: &Body, stmts: &[Stmt]) -> bool {
    stmts.iter().all(|s| match s {
        Stmt::Opaque(o) => !has_type_creating(&o.stmt),
        Stmt::Point(p) => match &body.points[*p].kind {
            PointKind::Suspend { value } => !expr_creates(value),
            PointKind::Delegate { coro, first, .. } => {
                !expr_creates(coro) && first.as_ref().is_none_or(|f| !expr_creates(f))
            }
            PointKind::Recurse { args, first } => {
                args.iter().all(|a| !expr_creates(a))
                    && first.as_ref().is_none_or(|f| !expr_creates(f))
            }
        },
        Stmt::If { cond, .. } if expr_creates(cond) => false,
        Stmt::Match { scrutinee, arms }
            if expr_creates(scrutinee)
                || arms
                    .iter()
                    .any(|a| a.guard.as_ref().is_some_and(expr_creates)) =>
        {
            false
        }
        Stmt::LetElse { init, .. } if expr_creates(init) => false,
        other => children(other)
            .into_iter()
            .all(|c| duplicable(body, &body.blocks[c].stmts)),
    })
}

fn expr_creates(e: &OpaqueExpr) -> bool {
    let mut f = TypeCreating(false);
    f.visit_expr(&e.expr);
    f.0
}

fn has_type_creating(stmt: &syn::Stmt) -> bool {
    let mut f = TypeCreating(false);
    f.visit_stmt(stmt);
    f.0
}

/// Finds closures, `async` blocks and items.
struct TypeCreating(bool);

impl<'ast> Visit<'ast> for TypeCreating {
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {
        self.0 = true;
    }
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {
        self.0 = true;
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {
        self.0 = true;
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // A closure inside a macro's arguments (`vec![|x| x]`) counts too. Arguments that parse
        // as expressions are looked at as such (so that `a | b` is not taken for a closure);
        // others by their text.
        let parsed = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            m.tokens.clone(),
        );
        match parsed {
            Ok(args) => args.iter().for_each(|a| self.visit_expr(a)),
            Err(_) => {
                let text = m.tokens.to_string();
                if text.contains('|') || text.contains("async") {
                    self.0 = true;
                }
            }
        }
    }
}

// ---- resuming in place ---------------------------------------------------------------------------

/// How a point is resumed in place: its arm works on some of the saved locals where they are in
/// the state, instead of moving them out and back in, which for a large local (a buffer) is the
/// whole cost of a resume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InPlace {
    /// The code the arm works in place in.
    pub(crate) region: Region,
    /// The saved locals kept in place, in declaration order; the others (declared inside the
    /// region, or assigned there as a whole) are moved out of the state on resume and back in at
    /// the next suspension point, as without `InPlace`.
    pub(crate) held: Vec<LocalId>,
    /// An exit of the body (`return`, `?`) in the region moves the held locals out of the state
    /// first: its value uses one of them, or the arm may hold by value a local declared before
    /// one of them (see [`exits_move`]).
    pub(crate) exits_move: bool,
}

/// The code an in-place arm works in: leaving it moves the held locals out of the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Region {
    /// The body of this loop, iteration after iteration.
    Loop(TargetId),
    /// Statements `start..end` of `block` (the body's own), outside every loop.
    Block {
        block: BlockId,
        start: usize,
        end: usize,
    },
}

/// Whether suspension point `p` can be resumed in place in its innermost loop, and which of
/// its locals stay put.
///
/// A saved local can stay in the state when it is carried around a loop `L` that contains the
/// point (declared outside it), and inside `L` is never assigned as a whole or through a field,
/// never named in a closure or a macro, and still live after every statement that mentions it:
/// then no code in `L` can move it, so a `&mut` to it in the state serves every use. Leaving `L`
/// (by `break`, `return`, or a suspension point that keeps other locals in place) moves the
/// locals out first.
fn in_place(
    body: &Body,
    p: usize,
    facts: &Facts,
    jumps: &[Jump],
    live: &Backward<'_>,
) -> Option<InPlace> {
    let point = &body.points[p];
    if !matches!(point.kind, PointKind::Suspend { .. })
        || facts.saved.is_empty()
        || !facts.recreate.is_empty()
    {
        return None;
    }
    let target = innermost_loop(body, point.block)?;
    let loop_body = body.targets[target].body;
    let jump_inside = jumps.iter().any(|j| match j.kind {
        JumpKind::LoopHead(t) => t == target || body.block_within(body.targets[t].block, loop_body),
        JumpKind::Before(b, _) => body.block_within(b, loop_body),
    });
    if jump_inside {
        return None;
    }
    let inside = |l: LocalId| body.block_within(body.locals[l].block, loop_body);
    let mut held = candidates(body, facts, |l| !inside(l), |_, other| inside(other));
    // What the arm may hold by value: what the loop mentions, and what the point keeps.
    let mut mentions = Uses {
        mentions: facts.saved.iter().copied().collect(),
        ..Uses::default()
    };
    region_sites(body, live, loop_body, &mut |uses, after| {
        disqualify(&mut held, uses, after);
        mentions.mentions.extend(&uses.mentions);
        mentions.exits.extend(&uses.exits);
    });
    let exits_move = exits_move(body, &held, &mentions);
    (!held.is_empty()).then_some(InPlace {
        region: Region::Loop(target),
        held,
        exits_move,
    })
}

/// The saved locals of a point that may be held in place (`outside`: declared outside the
/// region; `may_hide(held, other)`: a local of the same name could hide it in the region): no
/// delegate, and no name the region could hide or that the locals share (they are moved back
/// into their own names when the region is left).
fn candidates(
    body: &Body,
    facts: &Facts,
    outside: impl Fn(LocalId) -> bool,
    may_hide: impl Fn(LocalId, LocalId) -> bool,
) -> Vec<LocalId> {
    let names: Vec<String> = facts
        .saved
        .iter()
        .map(|&s| body.locals[s].ident.to_string())
        .collect();
    if (1..names.len()).any(|i| names[..i].contains(&names[i])) {
        return Vec::new();
    }
    facts
        .saved
        .iter()
        .copied()
        .filter(|&s| {
            let local = &body.locals[s];
            local.kind != LocalKind::Delegate
                && outside(s)
                && !body
                    .locals
                    .iter()
                    .enumerate()
                    .any(|(l, other)| l != s && other.ident == local.ident && may_hide(s, l))
        })
        .collect()
}

/// Drops held locals that the code of the region may move: assigned as a whole or through a
/// field, named where the transform cannot see how (a closure, a macro), or not live after a
/// statement that mentions it (its last use may move it). The value of a `return` may move them:
/// an exit moves the held locals out of the state before it computes its value.
fn disqualify(held: &mut Vec<LocalId>, uses: &Uses, after: &LocalSet) {
    held.retain(|s| {
        !(uses.mentions.contains(s)
            && (uses.assigned.contains(s) || uses.hidden.contains(s) || !after.contains(s)))
    });
}

/// The names bound inside the body's code that the lowering keeps as written (a `let` in a
/// nested block, a closure's parameter, a `match` arm in an expression): bindings the body's
/// locals do not record.
fn nested_bindings(body: &Body) -> std::collections::HashSet<String> {
    struct Names(std::collections::HashSet<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut names = Names(std::collections::HashSet::new());
    let expr = |e: &OpaqueExpr, n: &mut Names| n.visit_expr(&e.expr);
    for block in &body.blocks {
        for stmt in &block.stmts {
            match stmt {
                // A `let` of a lowered block is a local; what its value holds is not.
                Stmt::Opaque(o) => match &o.stmt {
                    syn::Stmt::Local(l) => {
                        if let Some(init) = &l.init {
                            names.visit_expr(&init.expr);
                            if let Some((_, els)) = &init.diverge {
                                names.visit_expr(els);
                            }
                        }
                    }
                    other => names.visit_stmt(other),
                },
                Stmt::If { cond, .. } => expr(cond, &mut names),
                Stmt::Match { scrutinee, arms } => {
                    expr(scrutinee, &mut names);
                    for g in arms.iter().filter_map(|a| a.guard.as_ref()) {
                        expr(g, &mut names);
                    }
                }
                Stmt::LetElse { init, .. } => expr(init, &mut names),
                _ => {}
            }
        }
    }
    for point in &body.points {
        match &point.kind {
            PointKind::Suspend { value } => expr(value, &mut names),
            PointKind::Delegate { coro, first, .. } => {
                expr(coro, &mut names);
                if let Some(f) = first {
                    expr(f, &mut names);
                }
            }
            PointKind::Recurse { args, first } => {
                for a in args.iter().chain(first) {
                    expr(a, &mut names);
                }
            }
        }
    }
    names.0
}

/// Whether the exits of a region must move its held locals out of the state before they
/// compute their value (`region`: what the region's code mentions, and in the values of exits).
///
/// An exit drops the locals the arm holds by value as it leaves, and the state after them: so
/// when one of those locals was declared before a held one (and neither is known to have nothing
/// to drop), Rust's reverse declaration order needs the held locals moved out first; and a value
/// that uses a held local may move it.
fn exits_move(body: &Body, held: &[LocalId], region: &Uses) -> bool {
    let no_drop = |l: &LocalId| body.locals[*l].shape.no_drop;
    let first_by_value = region
        .mentions
        .iter()
        .filter(|l| !held.contains(l) && !no_drop(l))
        .min();
    held.iter().any(|h| region.exits.contains(h))
        || first_by_value.is_some_and(|f| held.iter().any(|h| h > f && !no_drop(h)))
}

/// In-place runs of the body's own block: points outside every loop that keep the same locals
/// of the body across a run of its statements share one variant, so that going from one to the
/// next leaves those locals where they are (the run ends where one of them may be moved).
fn block_runs(
    body: &Body,
    points: &[Facts],
    jumps: &[Jump],
    live: &Backward<'_>,
    in_place: &mut [Option<InPlace>],
) {
    let root: BlockId = 0;
    let len = body.blocks[root].stmts.len();
    let mut start = 0;
    while start < len {
        let Some((end, held, members, exits_move)) = block_run(body, points, jumps, live, start)
        else {
            start += 1;
            continue;
        };
        for q in members {
            in_place[q] = Some(InPlace {
                region: Region::Block {
                    block: root,
                    start,
                    end,
                },
                held: held.clone(),
                exits_move,
            });
        }
        start = end;
    }
}

/// The run starting at statement `start` of the body's block, if one does: where it ends, the
/// locals it holds, its points and whether its exits move the held locals out first.
fn block_run(
    body: &Body,
    points: &[Facts],
    jumps: &[Jump],
    live: &Backward<'_>,
    start: usize,
) -> Option<(usize, Vec<LocalId>, Vec<PointId>, bool)> {
    let root: BlockId = 0;
    let len = body.blocks[root].stmts.len();
    let suspends_in = |i: usize| -> Vec<PointId> {
        (0..body.points.len())
            .filter(|&q| {
                let point = &body.points[q];
                matches!(point.kind, PointKind::Suspend { .. })
                    && innermost_loop(body, point.block).is_none()
                    && top_stmt(body, point.block, point.index) == i
            })
            .collect()
    };
    let jump_in = |i: usize| {
        jumps.iter().any(|j| {
            let (b, index) = match j.kind {
                JumpKind::Before(b, index) => (b, index),
                JumpKind::LoopHead(t) => (body.targets[t].block, body.targets[t].index),
            };
            top_stmt(body, b, index) == i
        })
    };
    let first = *suspends_in(start).first()?;
    let facts = &points[first];
    if jump_in(start) || !facts.recreate.is_empty() {
        return None;
    }
    let mut held = candidates(
        body,
        facts,
        |l| body.locals[l].block == root,
        |held, other| other > held,
    );
    stmt_sites(body, live, root, start, &mut |uses, after| {
        disqualify(&mut held, uses, after);
    });
    let keeps = |q: PointId, held: &[LocalId]| {
        points[q].recreate.is_empty() && held.iter().all(|l| points[q].saved.contains(l))
    };
    let mut members: Vec<PointId> = suspends_in(start)
        .into_iter()
        .filter(|&q| keeps(q, &held))
        .collect();
    // The run goes on while it keeps at least one local. A local that would have to leave the
    // state before the end is moved in and out on each resume instead (as a slot), unless it is
    // an array (likely large): then the run ends there.
    let mut end = start + 1;
    while end < len && !jump_in(end) {
        let mut kept = held.clone();
        stmt_sites(body, live, root, end, &mut |uses, after| {
            disqualify(&mut kept, uses, after);
        });
        let here = suspends_in(end);
        if here.iter().any(|&q| !points[q].recreate.is_empty()) {
            break;
        }
        kept.retain(|l| here.iter().all(|&q| points[q].saved.contains(l)));
        if kept.is_empty()
            || held
                .iter()
                .any(|l| !kept.contains(l) && body.locals[*l].shape.array)
        {
            break;
        }
        held = kept;
        members.extend(here);
        end += 1;
    }
    members.retain(|&q| keeps(q, &held));
    // What the arm may hold by value: what the run mentions, and what its points keep.
    let mut mentions = Uses::default();
    for &q in &members {
        mentions.mentions.extend(&points[q].saved);
    }
    for i in start..end {
        stmt_sites(body, live, root, i, &mut |uses, _| {
            mentions.mentions.extend(&uses.mentions);
            mentions.exits.extend(&uses.exits);
        });
    }
    let exits_move = exits_move(body, &held, &mentions);
    (!held.is_empty() && members.len() > 1).then_some((end, held, members, exits_move))
}

/// The index of the statement of the body's block that statement `index` of block `b` is in.
fn top_stmt(body: &Body, b: BlockId, index: usize) -> usize {
    match body.path_to(b).first() {
        Some(&(_, Some(i))) => i,
        _ => index,
    }
}

/// Which points share a state variant: points resumed in place in the same loop that keep the
/// same locals in place are saved in the variant of the first of them, with a field saying which
/// one the coroutine is suspended at (and their other locals in `Option` fields). Going from one to the next then only writes that field: the locals
/// stay where they are, however large, instead of moving from one variant to another (through
/// the native stack) on every resume.
fn shared_homes(in_place: &[Option<InPlace>]) -> Vec<PointId> {
    (0..in_place.len())
        .map(|p| {
            if in_place[p].is_none() {
                return p;
            }
            (0..p).find(|&q| in_place[q] == in_place[p]).unwrap_or(p)
        })
        .collect()
}

/// The innermost lowered loop whose body contains block `b`.
pub(crate) fn innermost_loop(body: &Body, b: BlockId) -> Option<TargetId> {
    let mut cur = b;
    while let Some((parent, index)) = body.blocks[cur].parent {
        if let Stmt::Loop { target, .. } = body.stmt(parent, index) {
            return Some(*target);
        }
        cur = parent;
    }
    None
}

/// Calls `f` with every piece of opaque code in block `b` (recursively) and the locals live right
/// after it.
fn region_sites(body: &Body, live: &Backward<'_>, b: BlockId, f: &mut dyn FnMut(&Uses, &LocalSet)) {
    for i in 0..body.blocks[b].stmts.len() {
        stmt_sites(body, live, b, i, f);
    }
}

/// [`region_sites`] of statement `i` of block `b`.
fn stmt_sites(
    body: &Body,
    live: &Backward<'_>,
    b: BlockId,
    i: usize,
    f: &mut dyn FnMut(&Uses, &LocalSet),
) {
    let block_in = |x: BlockId| live.block_in.get(&x).cloned().unwrap_or_default();
    let stmt = body.stmt(b, i);
    let after = live.after_stmt.get(&(b, i)).cloned().unwrap_or_default();
    match stmt {
        Stmt::Opaque(o) => f(&o.uses, &after),
        Stmt::Point(p) => {
            let after_point = &live.after_point[*p];
            match &body.points[*p].kind {
                PointKind::Suspend { value } => f(&value.uses, after_point),
                PointKind::Delegate { coro, first, .. } => {
                    f(&coro.uses, after_point);
                    if let Some(x) = first {
                        f(&x.uses, after_point);
                    }
                }
                PointKind::Recurse { args, first } => {
                    for a in args {
                        f(&a.uses, after_point);
                    }
                    if let Some(x) = first {
                        f(&x.uses, after_point);
                    }
                }
            }
        }
        Stmt::If { cond, then, els } => {
            let mut next = block_in(*then);
            next.extend(els.map_or(after, block_in));
            f(&cond.uses, &next);
        }
        Stmt::Match { scrutinee, arms } => {
            let mut next = LocalSet::new();
            for arm in arms {
                let arm_in = block_in(arm.body);
                if let Some(g) = &arm.guard {
                    f(&g.uses, &arm_in);
                }
                next.extend(arm_in);
            }
            f(&scrutinee.uses, &next);
        }
        Stmt::LetElse { init, els, .. } => {
            let mut next = after;
            next.extend(block_in(*els));
            f(&init.uses, &next);
        }
        _ => {}
    }
    for c in children(stmt) {
        region_sites(body, live, c, f);
    }
}

// ---- diagnostics -----------------------------------------------------------------------------

/// Why a borrow of a local cannot cross a suspension point in the default lowering.
const WHY: &str = "a coroutine keeps its locals in a state that moves between resumes, so it cannot hold a borrow of one of them across a suspension point";

/// The fix that keeps the code as written.
const PINNED: &str = "add `pinned` to the attribute (`#[coro::coroutine(yield = T, pinned)]`), which keeps the state in place";

/// A local that holds a borrow of another local of the body cannot be saved: the state would
/// point into itself. Neither can a delegate whose arguments borrow one, since it is held across
/// every suspension of the delegation. Each message leads with the fix that keeps the code as
/// written, the `pinned` lowering.
fn check_borrows(body: &Body, points: &[Facts], errors: &mut Errors) {
    let mut reported = Vec::new();
    // Each held local with the facts of the state that holds it.
    let delegates = body
        .points
        .iter()
        .zip(points)
        .filter_map(|(p, f)| match p.kind {
            PointKind::Delegate { handle, .. } => Some((handle, f)),
            _ => None,
        });
    let held = points
        .iter()
        .flat_map(|f| f.saved.iter().map(move |&l| (l, f)));
    for (s, facts) in held.chain(delegates) {
        let local = &body.locals[s];
        let Some(borrow) = &local.borrows else {
            continue;
        };
        let root = &body.locals[borrow.root];
        // A borrow through a local that owns its value points into the coroutine; so does a
        // borrow of the local itself, unless it is a shared reference, through which a borrow
        // reaches what it points to. A reborrow through a `&mut` parameter conflicts with the
        // parameter only where the state keeps both.
        let self_borrow = root.holds == Holds::Owned
            || (root.holds == Holds::MutRef && facts.saved.contains(&borrow.root))
            || (borrow.direct && root.holds != Holds::SharedRef);
        if !self_borrow || reported.contains(&s) {
            continue;
        }
        reported.push(s);
        let root_name = root.ident.to_string();
        let root_name = root_name
            .strip_prefix("__")
            .map_or(root_name.clone(), |_| "self".to_owned());
        let owned_by = if root.holds == Holds::MutRef {
            "a `&mut` reference the coroutine holds"
        } else if root.kind == LocalKind::Param {
            "a parameter the coroutine owns (it moved into the coroutine)"
        } else {
            "a local the coroutine owns"
        };
        let message = if borrow.closure {
            format!(
                "this closure borrows `{root_name}`, a local of the coroutine, and `{}` is used after `suspend!`: {WHY}; {PINNED}, or make it a `move` closure",
                local.ident
            )
        } else if local.kind == LocalKind::Iter {
            let instead = match &borrow.method {
                Some(m) if crate::lower::is_string_method(m) => format!(
                    "collect what the loop needs into owned values first (`let items: Vec<String> = {root_name}.{m}().map(String::from).collect();`)"
                ),
                _ => format!(
                    "iterate by value (`for x in {root_name}`) or by index (`for i in 0..{root_name}.len()`)"
                ),
            };
            format!(
                "this `for` loop borrows `{root_name}`, {owned_by}, and suspends inside: {WHY}; {PINNED}, or {instead}"
            )
        } else if local.kind == LocalKind::Delegate {
            format!(
                "this delegate borrows `{root_name}`, {owned_by}, and runs across suspension points: {WHY}; {PINNED}, or give the delegate an owned value (a clone, for a handle that is cheap to clone) or a reference the coroutine was given as a parameter"
            )
        } else {
            format!(
                "`{}` borrows `{root_name}`, {owned_by}, and is used after `suspend!`: {WHY}; {PINNED}, or keep an index instead of the borrow, or take the borrow again after the suspension",
                local.ident
            )
        };
        errors.error_spanned(&borrow.at, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::{Config, lower};

    /// Per point: the names it saves, re-creates and declares again.
    type NamedFacts = Vec<(Vec<String>, Vec<String>, Vec<String>)>;

    /// Lowers and analyzes a body with no parameters; returns each point's facts by name, which
    /// points resume in place, and how many jump states there are.
    fn facts_of(block: syn::Block) -> (NamedFacts, Vec<bool>, usize) {
        let mut errors = Errors::default();
        let config = Config {
            fn_name: None,
            receiver: None,
            resume_is_unit: true,
            param_count: 0,
            krate: syn::parse_quote!(::coro),
        };
        let mut block = block;
        syn::visit_mut::VisitMut::visit_block_mut(
            &mut crate::prepare::Prepare::new(&mut errors, &syn::parse_quote!(::coro), false),
            &mut block,
        );
        let body = lower(Vec::new(), block, &config, &mut errors);
        let an = analyze(&body, false, &mut errors);
        assert!(errors.is_empty(), "unexpected errors");
        let names = |ids: &[LocalId]| {
            ids.iter()
                .map(|&l| body.locals[l].ident.to_string())
                .collect::<Vec<_>>()
        };
        let facts = an
            .points
            .iter()
            .map(|f| (names(&f.saved), names(&f.recreate), names(&f.redeclare)))
            .collect();
        (
            facts,
            an.in_place.iter().map(Option::is_some).collect(),
            an.jumps.len(),
        )
    }

    fn saved(block: syn::Block) -> Vec<Vec<String>> {
        facts_of(block).0.into_iter().map(|f| f.0).collect()
    }

    #[test]
    fn live_and_untouched_locals_are_saved() {
        let got = saved(syn::parse_quote!({
            let used_after = 1;
            let used_before = 2;
            let _guard = G;
            let dead = used_before + 1;
            suspend!(dead);
            used_after
        }));
        // `used_before` and `dead` were used before the point and not after: dropped there.
        assert_eq!(got, [["used_after", "_guard"]]);
    }

    #[test]
    fn liveness_follows_loops_and_assignments() {
        let got = saved(syn::parse_quote!({
            let mut total = 0;
            let mut scratch = 0;
            for i in 0..3 {
                scratch = i;
                suspend!(scratch);
                total += i;
            }
            total
        }));
        // `scratch` is assigned before every read: not live at the point, not kept. `total`, the
        // `for` loop's iterator and `i` (used after the point) are.
        assert_eq!(got[0].len(), 3, "{got:?}");
        assert_eq!(got[0][0], "total");
        assert!(got[0][1].starts_with("__coro_iter"));
        assert_eq!(got[0][2], "i");
    }

    #[test]
    fn deferred_locals_are_declared_again_not_saved() {
        let (facts, _, _) = facts_of(syn::parse_quote!({
            let x;
            suspend!(1);
            x = 5;
            x
        }));
        assert_eq!(facts[0], (vec![], vec![], vec!["x".to_string()]));
    }

    #[test]
    fn reborrows_are_recreated_from_their_saved_root() {
        let (facts, _, _) = facts_of(syn::parse_quote!({
            let mut v = Vec::new();
            let r = &mut v;
            suspend!(1);
            r.push(1);
        }));
        assert_eq!(
            facts[0],
            (vec!["v".to_string()], vec!["r".to_string()], vec![])
        );
    }

    /// Per point: the names held in place (`None`: not in place) and the point whose variant
    /// it is saved in.
    fn in_place_of(block: syn::Block) -> Vec<(Option<Vec<String>>, usize)> {
        let mut errors = Errors::default();
        let config = Config {
            fn_name: None,
            receiver: None,
            resume_is_unit: true,
            param_count: 0,
            krate: syn::parse_quote!(::coro),
        };
        let mut block = block;
        syn::visit_mut::VisitMut::visit_block_mut(
            &mut crate::prepare::Prepare::new(&mut errors, &syn::parse_quote!(::coro), false),
            &mut block,
        );
        let body = lower(Vec::new(), block, &config, &mut errors);
        let an = analyze(&body, false, &mut errors);
        assert!(errors.is_empty(), "unexpected errors");
        an.in_place
            .iter()
            .zip(&an.home)
            .map(|(ip, &home)| {
                let held = ip.as_ref().map(|ip| {
                    ip.held
                        .iter()
                        .map(|&l| body.locals[l].ident.to_string())
                        .collect()
                });
                (held, home)
            })
            .collect()
    }

    #[test]
    fn points_of_one_loop_share_the_locals_they_hold_in_place() {
        let held = |names: &[&str]| Some(names.iter().map(ToString::to_string).collect());
        // Two points keep the buffer and the counter: one variant, the locals declared in the
        // loop beside them in slots.
        let points = in_place_of(syn::parse_quote!({
            let mut buf = [0u64; 32];
            let mut i = 0usize;
            loop {
                let x = i * 2;
                suspend!(buf[i % 32]);
                i += 1;
                suspend!(x as u64);
            }
        }));
        assert_eq!(points, [(held(&["buf", "i"]), 0), (held(&["buf", "i"]), 0)]);
        // A local assigned as a whole in the loop is moved, the buffer beside it stays.
        let points = in_place_of(syn::parse_quote!({
            let buf = [0u64; 32];
            let mut s = String::new();
            loop {
                s = s + "x";
                suspend!(buf[s.len() % 32]);
                suspend!(s.len() as u64);
            }
        }));
        assert_eq!(points, [(held(&["buf"]), 0), (held(&["buf"]), 0)]);
        // Points of different loops, or holding different locals, do not share.
        let points = in_place_of(syn::parse_quote!({
            let a = [0u64; 32];
            let b = [1u64; 32];
            loop {
                suspend!(a[0]);
                if a[1] == 0 {
                    break;
                }
            }
            loop {
                suspend!(b[0] + a[0]);
            }
        }));
        assert_eq!(points, [(held(&["a", "b"]), 0), (held(&["a", "b"]), 1)]);
    }

    #[test]
    fn sequential_points_of_the_body_share_the_locals_they_hold_in_place() {
        let held = |names: &[&str]| Some(names.iter().map(ToString::to_string).collect());
        // The buffer stays across the three points; `name`, last used after the first one, is
        // moved in and out beside it until then; the last point keeps nothing.
        let points = in_place_of(syn::parse_quote!({
            let name = String::from("x");
            let mut buf = [0u64; 32];
            suspend!(buf[0]);
            let n = name.len();
            buf[1] = n as u64;
            suspend!(buf[1]);
            if buf[1] > 0 {
                suspend!(buf[2]);
            }
            suspend!(buf[0] + buf[1]);
            0
        }));
        assert_eq!(
            points,
            [
                (held(&["buf"]), 0),
                (held(&["buf"]), 0),
                (held(&["buf"]), 0),
                (None, 3)
            ]
        );
        // An array whose last use comes before other points ends the run there; a run of one
        // point is not one.
        let points = in_place_of(syn::parse_quote!({
            let a = [0u64; 32];
            let mut b = 1u64;
            suspend!(b);
            b += a[0];
            suspend!(b);
            suspend!(b + 1);
            b
        }));
        assert_eq!(points, [(None, 0), (held(&["b"]), 1), (held(&["b"]), 1)]);
        // A local assigned as a whole is not held.
        let points = in_place_of(syn::parse_quote!({
            let mut s = String::new();
            suspend!(1);
            s = s + "x";
            suspend!(2);
            s.len()
        }));
        assert_eq!(points, [(None, 0), (None, 1)]);
    }

    #[test]
    fn loop_carried_state_resumes_in_place() {
        let (_, in_place, _) = facts_of(syn::parse_quote!({
            let mut buf = [0u64; 32];
            let mut i = 0;
            loop {
                buf[i % 32] = i as u64;
                suspend!(buf[i % 32]);
                i += 1;
            }
        }));
        assert_eq!(in_place, [true]);
        // A local reassigned as a whole in the loop may be moved there: not in place.
        let (_, in_place, _) = facts_of(syn::parse_quote!({
            let mut s = String::new();
            loop {
                s = s + "x";
                suspend!(s.len());
            }
        }));
        assert_eq!(in_place, [false]);
    }

    #[test]
    fn closures_in_suspending_loops_become_jump_states() {
        let (_, _, jumps) = facts_of(syn::parse_quote!({
            for x in xs {
                let f = move || x;
                suspend!(f());
                let g = move || x;
                g();
            }
        }));
        assert!(jumps > 0);
        let (_, _, jumps) = facts_of(syn::parse_quote!({
            for x in xs {
                suspend!(x);
            }
        }));
        assert_eq!(jumps, 0);
    }
}
