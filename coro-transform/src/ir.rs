//! The intermediate form of a coroutine body: plain data, produced by `lower`, read by
//! `analysis` and `expand`.
//!
//! Lowering keeps the body's structure. A construct that contains no suspension point (and no
//! jump to a lowered construct) stays a `syn` node, [`Stmt::Opaque`], emitted as written. The
//! constructs around suspension points become [`Stmt`]s: blocks, `if`, `match`, `loop` (`for` and
//! `while` are desugared into it), `let ... else`, and the suspension points themselves. Every
//! value crosses a suspension point through a local: `let x = f(a(), suspend!(b))` is lowered as
//! `let t0 = a(); let t1 = suspend!(b); let x = f(t0, t1);`, in Rust's evaluation order.

use proc_macro2::{Ident, Span};
use std::collections::BTreeSet;
use syn::{Expr, Lifetime, Pat, Type};

/// Index into [`Body::locals`].
pub(crate) type LocalId = usize;
/// Index into [`Body::blocks`]; the function body is block 0.
pub(crate) type BlockId = usize;
/// Index into [`Body::points`].
pub(crate) type PointId = usize;
/// Index into [`Body::targets`].
pub(crate) type TargetId = usize;

/// A set of locals, ordered by id (which is declaration order).
pub(crate) type LocalSet = BTreeSet<LocalId>;

/// The lowered body of one coroutine.
pub(crate) struct Body {
    /// Every local the body declares, parameters first, in declaration order.
    pub(crate) locals: Vec<Local>,
    /// Every block; block 0 is the function body.
    pub(crate) blocks: Vec<Block>,
    /// Every suspension point, in program order.
    pub(crate) points: Vec<Point>,
    /// Every lowered loop and labeled block.
    pub(crate) targets: Vec<Target>,
    /// The parameters, in order: what the initial state holds.
    pub(crate) params: Vec<Param>,
    /// Items declared in the body, hoisted out of the state machine (they are visible in the
    /// whole body in Rust too).
    pub(crate) items: Vec<syn::Item>,
}

/// One parameter of the function (or one capture of a `coro!` block).
pub(crate) struct Param {
    /// The pattern it binds, as written (`self` renamed).
    pub(crate) pat: Pat,
    /// Bound from the first resume value instead of the arguments (`#[resume]`).
    pub(crate) is_resume: bool,
}

/// One local variable: a user binding, or a temporary the lowering introduced.
pub(crate) struct Local {
    /// Its name in the generated code (the user's identifier, with its span, for user bindings).
    pub(crate) ident: Ident,
    /// Declared `mut`.
    pub(crate) mutable: bool,
    pub(crate) kind: LocalKind,
    /// The declared type, for `let x: T` (used when the local must be declared again, unset).
    pub(crate) ty: Option<Type>,
    /// The block whose scope it belongs to.
    pub(crate) block: BlockId,
    /// Declared with a value (`let x = ...`) rather than later assigned (`let x;`).
    pub(crate) has_init: bool,
    /// `let r = &v` / `&mut v`: re-created from `v` after a suspension instead of saved.
    pub(crate) reborrow: Option<Reborrow>,
    /// The borrow of another local that its initializer makes, if any, for diagnostics.
    pub(crate) borrows: Option<BorrowOf>,
    /// What the local is known to hold, for diagnostics.
    pub(crate) holds: Holds,
    /// What its type is known to be like.
    pub(crate) shape: Shape,
}

/// What the code shows of a local's type, without types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Nothing to drop (typed as a primitive or a shared reference, or set to a literal), so
    /// that when it is dropped cannot be observed.
    pub(crate) no_drop: bool,
    /// Typed as an array or set to `[value; n]`: may be large, so better not moved.
    pub(crate) array: bool,
}

/// What a local is known to hold, as far as the code shows without types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holds {
    /// A value it owns (not a reference): a borrow through it points into the coroutine.
    Owned,
    /// A shared reference (a parameter or a `let` typed `&T`, or set to `&..`): a shared borrow
    /// of it reaches through it, to what it points to.
    SharedRef,
    /// A mutable reference parameter (`&mut T`, `&mut self`): a borrow through it lasts only as
    /// long as the coroutine's own binding of it, which a suspended state cannot lend.
    MutRef,
    /// Anything else, or not known.
    Unknown,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LocalKind {
    /// A binding of a parameter pattern.
    Param,
    /// A binding written by the user.
    User,
    /// A temporary holding a value across a suspension point.
    Temp,
    /// The iterator of a lowered `for` loop.
    Iter,
    /// The coroutine a `suspend_from!` delegates to.
    Delegate,
}

/// `let r = &v` (or `&mut v`): `r` is not saved across suspension points; `v` is, and `r` is
/// borrowed again from it on resume.
#[derive(Clone)]
pub(crate) struct Reborrow {
    /// The local borrowed from.
    pub(crate) root: LocalId,
    /// The borrow expression, as written.
    pub(crate) expr: Expr,
}

/// An initializer that borrows a local, which is an error if the result crosses a suspension
/// point (unless it is a [`Reborrow`]).
#[derive(Clone)]
pub(crate) struct BorrowOf {
    pub(crate) root: LocalId,
    /// The borrowing expression, where the error points.
    pub(crate) at: proc_macro2::TokenStream,
    /// Whether the borrow is of the local itself (`&v`), rather than through a projection
    /// (`&v[..]`), which is only a self-borrow if `v` owns its value.
    pub(crate) direct: bool,
    /// The borrow is a closure's capture.
    pub(crate) closure: bool,
    /// The method that borrows the local (`lines` in `text.lines().enumerate()`), if a method
    /// call does.
    pub(crate) method: Option<String>,
}

/// A block: a scope with statements.
pub(crate) struct Block {
    pub(crate) stmts: Vec<Stmt>,
    /// Locals that come into scope at entry (pattern bindings), in order.
    pub(crate) entry: Vec<LocalId>,
    /// The lowered labeled block this is, if any.
    pub(crate) label: Option<TargetId>,
    /// `unsafe { ... }`.
    pub(crate) unsafety: bool,
    /// The statement that contains this block: `(block, statement index)`; `None` for the body.
    pub(crate) parent: Option<(BlockId, usize)>,
}

/// A statement of a lowered block.
#[allow(
    clippy::large_enum_variant,
    reason = "built once per statement of the body; boxing would only add noise"
)]
pub(crate) enum Stmt {
    /// A statement with no suspension point, emitted as written.
    Opaque(Opaque),
    /// `let x;`: a local assigned later.
    Decl(LocalId),
    /// A suspension point: `suspend!`, `suspend_from!`, or a recursive call.
    Point(PointId),
    /// `if cond { then } else { els }`; `cond` may be a `let` chain whose bindings are `then`'s
    /// entry locals.
    If {
        cond: OpaqueExpr,
        then: BlockId,
        els: Option<BlockId>,
    },
    /// `match scrutinee { arms }`.
    Match {
        scrutinee: OpaqueExpr,
        arms: Vec<Arm>,
    },
    /// `loop { body }`.
    Loop { target: TargetId, body: BlockId },
    /// A nested block (possibly labeled, possibly `unsafe`).
    Block(BlockId),
    /// `let pat = init else { els };` whose `else` block suspends; `bindings` come into scope
    /// after it.
    LetElse {
        pat: Pat,
        ty: Option<Type>,
        init: OpaqueExpr,
        els: BlockId,
        bindings: Vec<LocalId>,
    },
    /// `break` out of a lowered loop or labeled block (values were already assigned).
    Break(TargetId),
    /// `continue` a lowered loop.
    Continue(TargetId),
}

/// A `match` arm whose body is a lowered block; the pattern's bindings are its entry locals.
pub(crate) struct Arm {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) pat: Pat,
    pub(crate) guard: Option<OpaqueExpr>,
    pub(crate) body: BlockId,
}

/// A `syn` statement without suspension points, and what it does to the locals.
pub(crate) struct Opaque {
    pub(crate) stmt: syn::Stmt,
    pub(crate) uses: Uses,
    /// Locals this statement declares (`let` bindings), in order.
    pub(crate) declares: Vec<LocalId>,
}

/// A `syn` expression without suspension points (a condition, a scrutinee, a yielded value),
/// and what it does to the locals.
pub(crate) struct OpaqueExpr {
    pub(crate) expr: Expr,
    pub(crate) uses: Uses,
}

/// What a piece of opaque code does to the body's locals.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Uses {
    /// Read before being definitely assigned in this code (liveness "gen").
    pub(crate) reads: LocalSet,
    /// Definitely assigned as a whole on every path that completes normally (liveness "kill").
    pub(crate) writes: LocalSet,
    /// Mentioned at all (read, written, borrowed, named in a macro or a closure).
    pub(crate) mentions: LocalSet,
    /// Mentioned on a path that may go on after this code: `mentions` without what only paths
    /// that leave the body (`return`, a panic) mention. What the drop rule calls "touched".
    pub(crate) touched: LocalSet,
    /// Assigned as a whole or through a field (`x = ..`, `x.f = ..`), anywhere.
    pub(crate) assigned: LocalSet,
    /// Mentioned inside a closure, an `async` block or a macro's arguments, where the transform
    /// cannot see how it is used.
    pub(crate) hidden: LocalSet,
    /// Mentioned in the value of a `return` (which may move it out).
    pub(crate) exits: LocalSet,
}

/// A suspension point: where the body can pause, and the state it resumes from.
pub(crate) struct Point {
    pub(crate) kind: PointKind,
    /// The block and statement index of its `Stmt::Point`.
    pub(crate) block: BlockId,
    pub(crate) index: usize,
    /// The `suspend!` (or `suspend_from!`) invocation, for diagnostics.
    pub(crate) span: Span,
    /// What the resumed value (or the delegate's return value) is bound to.
    pub(crate) dest: Option<Dest>,
}

#[allow(clippy::large_enum_variant, reason = "one per suspension point")]
pub(crate) enum PointKind {
    /// `suspend!(value)`.
    Suspend { value: OpaqueExpr },
    /// `suspend_from!(coro)` into another coroutine, held in `handle` while it runs.
    Delegate {
        coro: OpaqueExpr,
        first: Option<OpaqueExpr>,
        handle: LocalId,
    },
    /// `suspend_from!(f(args))` where `f` is the coroutine itself: a new frame of the same state
    /// machine.
    Recurse {
        args: Vec<OpaqueExpr>,
        first: Option<OpaqueExpr>,
    },
}

/// A pattern a suspension point's value is bound to on resume: `let pat: ty = <value>;`.
pub(crate) struct Dest {
    pub(crate) pat: Pat,
    pub(crate) ty: Option<Type>,
    pub(crate) bindings: Vec<LocalId>,
}

/// A lowered loop or labeled block: what lowered `break` and `continue` jump to.
pub(crate) struct Target {
    /// Its label in the generated code (the user's, or a generated one).
    pub(crate) label: Lifetime,
    pub(crate) is_loop: bool,
    /// The statement that is the loop (or the block): `(block, index)`.
    pub(crate) block: BlockId,
    pub(crate) index: usize,
    /// The loop's body (or the block itself).
    pub(crate) body: BlockId,
}

impl Body {
    /// The statement at `(block, index)`.
    pub(crate) fn stmt(&self, block: BlockId, index: usize) -> &Stmt {
        &self.blocks[block].stmts[index]
    }

    /// The blocks from the body down to `block`, outermost first, each with the index of the
    /// statement that leads further down (the last one has none).
    pub(crate) fn path_to(&self, block: BlockId) -> Vec<(BlockId, Option<usize>)> {
        let mut path = vec![(block, None)];
        let mut cur = block;
        while let Some((parent, index)) = self.blocks[cur].parent {
            path.push((parent, Some(index)));
            cur = parent;
        }
        path.reverse();
        path
    }

    /// Whether `inner` is `outer` or nested inside it.
    pub(crate) fn block_within(&self, mut inner: BlockId, outer: BlockId) -> bool {
        loop {
            if inner == outer {
                return true;
            }
            match self.blocks[inner].parent {
                Some((parent, _)) => inner = parent,
                None => return false,
            }
        }
    }

    /// Locals in scope just before statement `index` of `block`, outermost first, in declaration
    /// order.
    pub(crate) fn in_scope(&self, block: BlockId, index: usize) -> Vec<LocalId> {
        let mut out = Vec::new();
        for (b, down) in self.path_to(block) {
            let limit = down.unwrap_or(index);
            out.extend(self.declared_before(b, limit));
        }
        out
    }

    /// Locals of `block` in scope just before its statement `index`, in declaration order.
    pub(crate) fn declared_before(&self, block: BlockId, index: usize) -> Vec<LocalId> {
        let b = &self.blocks[block];
        let mut out = b.entry.clone();
        for stmt in &b.stmts[..index] {
            out.extend(self.declared_by(stmt));
        }
        out
    }

    /// The locals a statement brings into scope for the statements after it.
    pub(crate) fn declared_by(&self, stmt: &Stmt) -> Vec<LocalId> {
        match stmt {
            Stmt::Opaque(o) => o.declares.clone(),
            Stmt::Decl(l) => vec![*l],
            Stmt::LetElse { bindings, .. } => bindings.clone(),
            Stmt::Point(p) => {
                let point = &self.points[*p];
                point
                    .dest
                    .as_ref()
                    .map(|d| d.bindings.clone())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}
