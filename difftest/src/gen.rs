// The program generator. Included by the library (as `difftest::generator`) and by the build
// script, so it uses nothing but `std`.
//
// A program is a main coroutine and up to two helpers it delegates to, over `i64` values and
// guards (values whose touches and drops are logged). Every loop is bounded, so a program ends
// whatever the resume values are. `Program::coroutine_source` prints the functions as
// `#[coro::coroutine]`s; `Program::reference_source` prints them as plain functions, with every
// suspension point calling `__ctx.suspend(..)` and dropping, first, the guards the drop model
// says the coroutine drops there.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// A small, seeded, deterministic random source.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed
            .wrapping_mul(0x2545_F491_4F6C_DD1D)
            .wrapping_add(0x9E37_79B9_7F4A_7C15)
            | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn small(&mut self) -> i64 {
        self.below(9) as i64 - 2
    }
}

/// The grammar productions, for coverage: every one must appear in the generated set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prod {
    LetPlain,
    LetTuple,
    LetElse,
    Shadow,
    Assign,
    CompoundAssign,
    IfStatement,
    IfValue,
    MatchStatement,
    MatchValue,
    MatchGuard,
    MatchBinding,
    IfLet,
    LetChain,
    While,
    WhileLet,
    LoopBreakValue,
    ForRange,
    ForVec,
    LabeledBreak,
    LabeledContinue,
    Break,
    Continue,
    EarlyReturn,
    TryResult,
    TryOption,
    BlockValue,
    NestedBlock,
    EffectCall,
    MethodCall,
    LazyLogic,
    Guard,
    GuardTouch,
    Panic,
    SuspendStatement,
    SuspendLetInit,
    SuspendOperand,
    SuspendCallArgument,
    SuspendMethodArgument,
    SuspendCondition,
    SuspendScrutinee,
    SuspendNested,
    SuspendFrom,
    /// `#[cfg]` or `#[cfg_attr]` on a statement that holds a suspension point.
    CfgSuspend,
    /// `#[cfg]` or `#[cfg_attr]` on a statement that only uses a guard.
    CfgGuardUse,
    /// `#[cfg]` or `#[cfg_attr]` on a match arm.
    CfgArm,
    /// The `#[cfg_attr(..)]` form.
    CfgAttr,
    /// A statement or arm under `cfg(debug_assertions)` beside one under its negation.
    CfgProfilePair,
    /// A value `match` whose arm returns while another does not.
    DivergingArmReturn,
    /// A value `match` whose arm breaks out of or continues an enclosing loop.
    DivergingArmJump,
    /// A value `if` whose branch returns, breaks or continues.
    DivergingBranch,
    /// `suspend! { v }` as the value of a block.
    BraceSuspend,
    /// `suspend_from! { c }` as the value of a block.
    BraceSuspendFrom,
    /// `suspend_from!` to a hand-written coroutine.
    HandmadeDelegate,
    /// A `?` written as a macro whose expansion holds the `return`.
    MacroReturn,
    /// The same macro inside a standard macro's arguments.
    MacroReturnNested,
    /// `suspend_from!(h(..).boxed())`: a boxed delegate that is not recursive.
    BoxedDelegate,
    /// `suspend_from!(rec_even(..).boxed())`: mutual recursion through a boxed delegate.
    MutualRecursion,
    /// An array local (`let mut b = [1; BUF];`), read and updated around suspension points.
    Buffer,
}

impl Prod {
    pub const ALL: &'static [Prod] = &[
        Prod::LetPlain,
        Prod::LetTuple,
        Prod::LetElse,
        Prod::Shadow,
        Prod::Assign,
        Prod::CompoundAssign,
        Prod::IfStatement,
        Prod::IfValue,
        Prod::MatchStatement,
        Prod::MatchValue,
        Prod::MatchGuard,
        Prod::MatchBinding,
        Prod::IfLet,
        Prod::LetChain,
        Prod::While,
        Prod::WhileLet,
        Prod::LoopBreakValue,
        Prod::ForRange,
        Prod::ForVec,
        Prod::LabeledBreak,
        Prod::LabeledContinue,
        Prod::Break,
        Prod::Continue,
        Prod::EarlyReturn,
        Prod::TryResult,
        Prod::TryOption,
        Prod::BlockValue,
        Prod::NestedBlock,
        Prod::EffectCall,
        Prod::MethodCall,
        Prod::LazyLogic,
        Prod::Guard,
        Prod::GuardTouch,
        Prod::Panic,
        Prod::SuspendStatement,
        Prod::SuspendLetInit,
        Prod::SuspendOperand,
        Prod::SuspendCallArgument,
        Prod::SuspendMethodArgument,
        Prod::SuspendCondition,
        Prod::SuspendScrutinee,
        Prod::SuspendNested,
        Prod::SuspendFrom,
        Prod::CfgSuspend,
        Prod::CfgGuardUse,
        Prod::CfgArm,
        Prod::CfgAttr,
        Prod::CfgProfilePair,
        Prod::DivergingArmReturn,
        Prod::DivergingArmJump,
        Prod::DivergingBranch,
        Prod::BraceSuspend,
        Prod::BraceSuspendFrom,
        Prod::HandmadeDelegate,
        Prod::MacroReturn,
        Prod::MacroReturnNested,
        Prod::BoxedDelegate,
        Prod::MutualRecursion,
        Prod::Buffer,
    ];
}

/// What a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    Res,
    Opt,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Expr>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        name: String,
        mutable: bool,
        init: Expr,
    },
    LetTuple {
        a: String,
        b: String,
        x: Expr,
        y: Expr,
    },
    /// `let Some(name) = opt(init) else { els };`
    LetElse {
        name: String,
        init: Expr,
        els: Block,
    },
    /// `let g{id} = Guard(id);`
    Guard(u32),
    /// `g{id}.touch();`
    Touch(u32),
    Assign {
        name: String,
        compound: bool,
        value: Expr,
    },
    /// `let mut {name} = Acc::default();`
    Acc(String),
    /// `let mut {name} = [1; BUF];`
    Buf(String),
    /// `let mut {name} = vec![items];`
    Stack {
        name: String,
        items: Vec<Expr>,
    },
    /// `let mut {name} = 0;`
    Counter(String),
    Expr(Expr),
    If {
        cond: Cond,
        then: Block,
        els: Option<Block>,
    },
    Match {
        scrut: Expr,
        arms: Vec<Arm>,
    },
    /// `while counter < bound && cond { counter += 1; body }`
    While {
        label: Option<String>,
        counter: String,
        bound: i64,
        cond: Cond,
        body: Block,
    },
    /// `while let Some(var) = stack.pop() { body }`
    WhileLet {
        label: Option<String>,
        stack: String,
        var: String,
        body: Block,
    },
    For {
        label: Option<String>,
        var: String,
        iter: ForIter,
        body: Block,
    },
    /// `loop { counter += 1; if counter > bound { break; } body }`
    Loop {
        label: Option<String>,
        counter: String,
        bound: i64,
        body: Block,
    },
    Break {
        label: Option<String>,
        value: Option<Expr>,
    },
    Continue(Option<String>),
    Return(Expr),
    Panic,
    Block(Block),
    /// `#[attr] stmt`: the statement is compiled only where the attribute keeps it.
    Cfg(CfgAttr, Box<Stmt>),
    /// Code printed as it is in both versions: the ill-typed mode's defect (never run).
    Raw(&'static str),
}

/// A `cfg` condition whose value is known in every profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfgCond {
    /// `all()`: always holds.
    All,
    /// `any()`: never holds.
    Any,
    /// `not(any())`: always holds.
    NotAny,
    /// `debug_assertions`.
    Debug,
    /// `not(debug_assertions)`.
    NotDebug,
}

impl CfgCond {
    /// Every condition, for picking one.
    const ALL: [CfgCond; 5] = [
        CfgCond::All,
        CfgCond::Any,
        CfgCond::NotAny,
        CfgCond::Debug,
        CfgCond::NotDebug,
    ];

    /// Whether the condition holds, in the profile with `debug_assertions` on or off.
    pub fn holds(self, debug: bool) -> bool {
        match self {
            CfgCond::All | CfgCond::NotAny => true,
            CfgCond::Any => false,
            CfgCond::Debug => debug,
            CfgCond::NotDebug => !debug,
        }
    }

    fn text(self) -> &'static str {
        match self {
            CfgCond::All => "all()",
            CfgCond::Any => "any()",
            CfgCond::NotAny => "not(any())",
            CfgCond::Debug => "debug_assertions",
            CfgCond::NotDebug => "not(debug_assertions)",
        }
    }
}

/// An attribute that may configure a statement or an arm out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfgAttr {
    /// `#[cfg(cond)]`.
    Cfg(CfgCond),
    /// `#[cfg_attr(cond, cfg(inner))]`: out where `cond` holds and `inner` does not.
    CfgAttr(CfgCond, CfgCond),
    /// `#[cfg_attr(cond, allow(unused))]`: never out.
    Lint(CfgCond),
}

impl CfgAttr {
    /// Whether what the attribute stands on is compiled, in the profile with `debug_assertions`
    /// on or off.
    pub fn keeps(self, debug: bool) -> bool {
        match self {
            CfgAttr::Cfg(c) => c.holds(debug),
            CfgAttr::CfgAttr(c, inner) => !c.holds(debug) || inner.holds(debug),
            CfgAttr::Lint(_) => true,
        }
    }

    /// Whether what the attribute stands on is compiled in every profile.
    pub fn always(self) -> bool {
        self.keeps(true) && self.keeps(false)
    }

    fn text(self) -> String {
        match self {
            CfgAttr::Cfg(c) => format!("#[cfg({})]", c.text()),
            CfgAttr::CfgAttr(c, inner) => {
                format!("#[cfg_attr({}, cfg({}))]", c.text(), inner.text())
            }
            CfgAttr::Lint(c) => format!("#[cfg_attr({}, allow(unused))]", c.text()),
        }
    }
}

/// Whether an optional attribute keeps what it stands on, in the profile with
/// `debug_assertions` on or off.
fn kept(attr: Option<CfgAttr>, debug: bool) -> bool {
    attr.is_none_or(|a| a.keeps(debug))
}

#[derive(Clone, Debug)]
pub enum ForIter {
    Range(i64),
    Vec(Vec<Expr>),
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pat: MatchPat,
    pub guard: Option<Cond>,
    pub body: Block,
    /// An attribute on the arm, which may configure it out.
    pub cfg: Option<CfgAttr>,
    /// Printed without braces, as `pat => expr,`: the body is a tail alone.
    pub bare: bool,
}

#[derive(Clone, Debug)]
pub enum MatchPat {
    Lit(i64),
    Or(i64, i64),
    Bind(String),
}

#[derive(Clone, Debug)]
pub enum Cond {
    Cmp(Expr, &'static str, Expr),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    /// A chain of `let Some(var) = opt(expr)` and comparisons, joined by `&&`.
    Chain(Vec<ChainEl>),
}

#[derive(Clone, Debug)]
pub enum ChainEl {
    Let(String, Expr),
    Cmp(Expr, &'static str, Expr),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Lit(i64),
    Var(String),
    Eff(i64),
    Bin(Box<Expr>, &'static str, Box<Expr>),
    Call2(Box<Expr>, Box<Expr>),
    Call3(Box<Expr>, Box<Expr>, Box<Expr>),
    Method {
        acc: String,
        a: Box<Expr>,
        b: Box<Expr>,
    },
    /// `({ {buf}[at(i)] })`, `i` without suspension points.
    BufGet {
        buf: String,
        i: Box<Expr>,
    },
    /// `bump(&mut {buf}, i, v)`, `i` and `v` without suspension points.
    BufBump {
        buf: String,
        i: Box<Expr>,
        v: Box<Expr>,
    },
    Touch(u32),
    Suspend {
        site: usize,
        value: Box<Expr>,
    },
    SuspendFrom {
        site: usize,
        helper: usize,
        via: Via,
        arg: Box<Expr>,
        first: Box<Expr>,
    },
    Block(Box<Block>),
    If(Box<Cond>, Box<Block>, Box<Block>),
    Match(Box<Expr>, Vec<Arm>),
    /// `loop { counter += 1; if counter > bound { break value; } body }`, whose value is `value`
    /// or a `break` in `body`.
    Loop {
        label: Option<String>,
        counter: String,
        bound: i64,
        body: Box<Block>,
        value: Box<Expr>,
    },
    /// `res(e)?` or `opt(e)?`, by the function's return type; with `true`, written as
    /// `attempt_res!(res(e))` or `attempt_opt!(opt(e))`, macros whose expansion holds the `return`.
    Try(Box<Expr>, TryForm),
    /// `return v`, `break` or `continue` (a `Stmt::Return`, `Stmt::Break` or `Stmt::Continue`)
    /// as an expression, of type `!`.
    Diverge(Box<Stmt>),
    /// A suspension (`Suspend`, `SuspendFrom` or `Handmade`) written in brace form,
    /// `suspend! { v }`, as the tail of a block.
    Brace(Box<Expr>),
    /// `suspend_from!(Handmade::new(site, base), first)`: delegation to a hand-written
    /// coroutine, which logs its kill and its drop.
    Handmade {
        site: usize,
        base: Box<Expr>,
        first: Box<Expr>,
    },
}

/// How a `?` is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryForm {
    /// `res(e)?`.
    Op,
    /// `attempt_res!(res(e))`.
    Macro,
    /// `attempt_res!(res(e))` inside a standard macro's arguments:
    /// `format!("{}", attempt_res!(res(e))).parse::<i64>().unwrap_or(0)`.
    NestedMacro,
}

/// How a `suspend_from!` reaches its delegate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `h(..)`, a helper kept inline in the state.
    Inline,
    /// `h(..).boxed()`.
    Boxed,
    /// `rec_even(..).boxed()`, the library's pair of mutually recursive coroutines (the helper
    /// number is not used).
    Mutual,
}

#[derive(Clone, Debug)]
pub struct Func {
    pub name: String,
    pub ret: Ret,
    /// The guard parameter's number, if it takes one.
    pub guard_param: Option<u32>,
    pub body: Block,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub seed: u64,
    /// The main coroutine first, then its helpers.
    pub funcs: Vec<Func>,
    pub prods: BTreeSet<Prod>,
    /// The argument the main coroutine is called with.
    pub arg: i64,
}

// ---- generation ------------------------------------------------------------------------------

#[derive(Clone)]
struct LoopCtx {
    label: Option<String>,
    /// A `loop` used as a value: its `break`s carry one.
    valued: bool,
}

#[derive(Clone, Default)]
struct Scope {
    ints: Vec<(String, bool)>,
    guards: Vec<u32>,
    accs: Vec<String>,
    bufs: Vec<String>,
}

struct Gen {
    rng: Rng,
    prods: BTreeSet<Prod>,
    scopes: Vec<Scope>,
    loops: Vec<LoopCtx>,
    counter: usize,
    next_guard: u32,
    site: usize,
    ret: Ret,
    helpers: usize,
    /// How much nesting is left.
    depth: u32,
    /// How many statements the function may still get.
    budget: u32,
    /// Helpers neither delegate nor use `?` (they return plain values).
    is_helper: bool,
    /// Inside the arguments of an `acc.add(..)`: another call would borrow an `Acc` twice.
    in_method: u32,
    /// An expression here may `break` or `continue` the loops in `loops`: not in a `while`
    /// condition (where rustc refuses an unlabeled jump) nor in the value a valued `loop` breaks
    /// with at its head (printed inside that loop, modelled outside it).
    jumps_ok: bool,
}

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    /// `res(e)?` / `opt(e)?`, every other one written as a macro whose expansion holds the
    /// `return` (chosen without drawing from the random stream, so that a seed's program keeps
    /// its shape).
    fn try_expr(&mut self, depth: u32) -> Expr {
        let inner = self.expr(depth);
        // A suspension cannot stand inside another macro's arguments: only plain operands.
        let via_macro = self.counter % 2 == 1 && plain_operand(&inner);
        let form = if !via_macro {
            TryForm::Op
        } else if self.counter % 4 == 3 {
            self.note(Prod::MacroReturnNested);
            TryForm::NestedMacro
        } else {
            self.note(Prod::MacroReturn);
            TryForm::Macro
        };
        Expr::Try(Box::new(inner), form)
    }

    fn site(&mut self) -> usize {
        self.site += 1;
        self.site
    }

    fn scope(&mut self) -> &mut Scope {
        self.scopes.last_mut().expect("a scope")
    }

    fn ints(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for s in &self.scopes {
            for (n, m) in &s.ints {
                out.retain(|(o, _)| o != n);
                out.push((n.clone(), *m));
            }
        }
        out
    }

    fn guards(&self) -> Vec<u32> {
        self.scopes
            .iter()
            .flat_map(|s| s.guards.iter().copied())
            .collect()
    }

    fn accs(&self) -> Vec<String> {
        self.scopes
            .iter()
            .flat_map(|s| s.accs.iter().cloned())
            .collect()
    }

    fn bufs(&self) -> Vec<String> {
        self.scopes
            .iter()
            .flat_map(|s| s.bufs.iter().cloned())
            .collect()
    }

    /// An expression without suspension points (an index or an operand of a buffer).
    fn plain_expr(&mut self) -> Expr {
        let ints = self.ints();
        if !ints.is_empty() && self.rng.chance(60) {
            Expr::Var(ints[self.rng.below(ints.len() as u64) as usize].0.clone())
        } else {
            Expr::Lit(self.rng.small())
        }
    }

    fn note(&mut self, p: Prod) {
        self.prods.insert(p);
    }

    fn block(&mut self, max_stmts: u32, with_tail: bool) -> Block {
        self.scopes.push(Scope::default());
        let n = 1 + self.rng.below(u64::from(max_stmts.max(1))) as u32;
        let mut stmts = Vec::new();
        for _ in 0..n {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            let diverged = self.stmt(&mut stmts);
            if diverged {
                break;
            }
        }
        let tail = with_tail.then(|| self.tail_expr());
        self.scopes.pop();
        Block { stmts, tail }
    }

    /// The value of a block: sometimes a suspension in brace form, `suspend! { v }`.
    fn tail_expr(&mut self) -> Expr {
        if !self.rng.chance(7) {
            return self.expr(2);
        }
        let inner = if self.rng.chance(50) {
            self.note(Prod::BraceSuspend);
            let value = self.macro_arg(|me| me.expr(1));
            Expr::Suspend {
                site: self.site(),
                value: Box::new(value),
            }
        } else {
            self.note(Prod::BraceSuspendFrom);
            self.delegation(2)
        };
        Expr::Brace(Box::new(inner))
    }

    /// A `suspend_from!`: to one of the helpers, or to a hand-written coroutine.
    fn delegation(&mut self, depth: u32) -> Expr {
        let arg = self.macro_arg(|me| me.expr(depth.saturating_sub(1)));
        let first = self.expr(0);
        // The kinds of delegates new since the first seeds were generated are chosen by the
        // site's number, without drawing from the random stream, so that a seed's program keeps
        // its shape.
        if self.helpers > 0 && !self.is_helper && self.rng.chance(65) {
            self.note(Prod::SuspendFrom);
            let site = self.site();
            let helper = self.rng.below(self.helpers as u64) as usize;
            let via = if site % 4 == 1 {
                self.note(Prod::BoxedDelegate);
                Via::Boxed
            } else {
                Via::Inline
            };
            Expr::SuspendFrom {
                site,
                helper,
                via,
                arg: Box::new(arg),
                first: Box::new(first),
            }
        } else if !self.is_helper && (self.site + 1) % 3 == 0 {
            self.note(Prod::MutualRecursion);
            Expr::SuspendFrom {
                site: self.site(),
                helper: 0,
                via: Via::Mutual,
                arg: Box::new(arg),
                first: Box::new(first),
            }
        } else {
            self.note(Prod::HandmadeDelegate);
            Expr::Handmade {
                site: self.site(),
                base: Box::new(arg),
                first: Box::new(first),
            }
        }
    }

    /// Generates the argument of a suspension point.
    fn macro_arg<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        f(self)
    }

    /// Generates with `break` and `continue` of the enclosing loops ruled out.
    fn without_jumps<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.jumps_ok, false);
        let out = f(self);
        self.jumps_ok = saved;
        out
    }

    /// A `return`, or a `break` or `continue` of an enclosing loop where one may be written.
    fn jump(&mut self) -> Stmt {
        if !self.jumps_ok || self.loops.is_empty() || self.rng.chance(40) {
            return Stmt::Return(self.ret_expr());
        }
        let outer: Vec<usize> = (0..self.loops.len() - 1)
            .filter(|&i| self.loops[i].label.is_some())
            .collect();
        let target = if !outer.is_empty() && self.rng.chance(50) {
            outer[self.rng.below(outer.len() as u64) as usize]
        } else {
            self.loops.len() - 1
        };
        let ctx = self.loops[target].clone();
        let label = if target + 1 == self.loops.len() && self.rng.chance(50) {
            None
        } else {
            ctx.label.clone()
        };
        if self.rng.chance(50) {
            Stmt::Continue(label)
        } else {
            let value = ctx.valued.then(|| self.expr(1));
            Stmt::Break { label, value }
        }
    }

    /// A block that diverges with its tail, `return v` or a jump, after a few statements or none;
    /// returns it and whether it returns.
    fn diverging_tail(&mut self) -> (Block, bool) {
        let jump = self.jump();
        let is_return = matches!(jump, Stmt::Return(_));
        let mut b = if self.rng.chance(30) {
            self.block(1, false)
        } else {
            Block {
                stmts: Vec::new(),
                tail: None,
            }
        };
        b.tail = Some(Expr::Diverge(Box::new(jump)));
        (b, is_return)
    }

    /// A configuring attribute, `#[cfg(..)]` or `#[cfg_attr(..)]`.
    fn cfg_attr(&mut self) -> CfgAttr {
        let c = CfgCond::ALL[self.rng.below(5) as usize];
        match self.rng.below(5) {
            0..=2 => CfgAttr::Cfg(c),
            3 => {
                self.note(Prod::CfgAttr);
                CfgAttr::CfgAttr(c, CfgCond::ALL[self.rng.below(5) as usize])
            }
            _ => {
                self.note(Prod::CfgAttr);
                CfgAttr::Lint(c)
            }
        }
    }

    /// Statements under `#[cfg]` or `#[cfg_attr]`: one, a pair selected by the profile, or a
    /// guard whose uses are configured out somewhere.
    fn cfg_stmt(&mut self, out: &mut Vec<Stmt>) {
        let sites = self.site;
        if self.rng.chance(25) {
            self.cfg_guard_uses(out);
        } else if self.rng.chance(30) {
            self.note(Prod::CfgProfilePair);
            if self.rng.chance(40) {
                // The same name, bound in either profile from a different value.
                let name = self.fresh("x");
                for c in [CfgCond::Debug, CfgCond::NotDebug] {
                    let init = self.expr(2);
                    let s = Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        init,
                    };
                    out.push(Stmt::Cfg(CfgAttr::Cfg(c), Box::new(s)));
                }
                self.scope().ints.push((name, false));
            } else {
                for c in [CfgCond::Debug, CfgCond::NotDebug] {
                    let s = self.cfg_body(false);
                    out.push(Stmt::Cfg(CfgAttr::Cfg(c), Box::new(s)));
                }
            }
        } else {
            let attr = self.cfg_attr();
            let s = self.cfg_body(attr.always());
            if let Stmt::Let { name, mutable, .. } = &s
                && attr.always()
            {
                let b = (name.clone(), *mutable);
                self.scope().ints.push(b);
            }
            out.push(Stmt::Cfg(attr, Box::new(s)));
        }
        if self.site > sites {
            self.note(Prod::CfgSuspend);
        }
    }

    /// A new guard, used (or not) before a suspension point and after it only by a statement that
    /// is configured out somewhere: there, the drop rule must not see that use, so the guard is
    /// dropped at the suspension point if used before it, and kept if not.
    fn cfg_guard_uses(&mut self, out: &mut Vec<Stmt>) {
        const OUT_SOMEWHERE: [CfgAttr; 5] = [
            CfgAttr::Cfg(CfgCond::Any),
            CfgAttr::Cfg(CfgCond::Debug),
            CfgAttr::Cfg(CfgCond::NotDebug),
            CfgAttr::CfgAttr(CfgCond::All, CfgCond::Any),
            CfgAttr::CfgAttr(CfgCond::NotDebug, CfgCond::Any),
        ];
        let id = self.next_guard;
        self.next_guard += 1;
        self.note(Prod::Guard);
        self.note(Prod::GuardTouch);
        self.note(Prod::CfgGuardUse);
        out.push(Stmt::Guard(id));
        self.scope().guards.push(id);
        let before = OUT_SOMEWHERE[self.rng.below(5) as usize];
        if self.rng.chance(50) {
            out.push(Stmt::Touch(id));
        } else {
            out.push(Stmt::Cfg(before, Box::new(Stmt::Touch(id))));
        }
        out.push(Stmt::Expr(self.suspend_expr(0)));
        let after = OUT_SOMEWHERE[self.rng.below(5) as usize];
        if matches!(after, CfgAttr::CfgAttr(..)) || matches!(before, CfgAttr::CfgAttr(..)) {
            self.note(Prod::CfgAttr);
        }
        out.push(Stmt::Cfg(after, Box::new(Stmt::Touch(id))));
    }

    /// A statement to put under a configuring attribute: one rustc accepts an attribute on
    /// (not an assignment), declaring a name only if `binds` (the statement is always kept).
    fn cfg_body(&mut self, binds: bool) -> Stmt {
        match self.rng.below(7) {
            0 | 1 => Stmt::Expr(self.suspend_expr(1)),
            2 | 6 => {
                let guards = self.guards();
                if guards.is_empty() {
                    Stmt::Expr(self.suspend_expr(0))
                } else {
                    self.note(Prod::GuardTouch);
                    self.note(Prod::CfgGuardUse);
                    Stmt::Touch(guards[self.rng.below(guards.len() as u64) as usize])
                }
            }
            3 if self.depth > 0 => {
                self.depth -= 1;
                let b = self.block(2, false);
                self.depth += 1;
                self.note(Prod::NestedBlock);
                Stmt::Block(b)
            }
            4 if self.depth > 0 => {
                self.depth -= 1;
                let cond = self.cond(1);
                let then = self.guarded_block(&cond, 2, false);
                self.depth += 1;
                self.note(Prod::IfStatement);
                Stmt::If {
                    cond,
                    then,
                    els: None,
                }
            }
            _ => {
                let init = self.expr(2);
                if matches!(init, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendLetInit);
                }
                self.note(Prod::LetPlain);
                let name = if binds {
                    self.fresh("x")
                } else {
                    // Configured out somewhere: nothing may use it, so the name says so.
                    self.fresh("_x")
                };
                Stmt::Let {
                    name,
                    mutable: false,
                    init,
                }
            }
        }
    }

    /// The block an `if` or `while` condition guards: it sees the condition's bindings.
    fn guarded_block(&mut self, cond: &Cond, max_stmts: u32, with_tail: bool) -> Block {
        let ints = cond.bindings().into_iter().map(|n| (n, false)).collect();
        self.scopes.push(Scope {
            ints,
            ..Scope::default()
        });
        let b = self.block(max_stmts, with_tail);
        self.scopes.pop();
        b
    }

    fn ret_expr(&mut self) -> Expr {
        self.expr(1)
    }

    /// Appends one statement (or a few that belong together); returns whether it diverges.
    fn stmt(&mut self, out: &mut Vec<Stmt>) -> bool {
        let nested = self.depth > 0;
        let choice = self.rng.below(if nested { 34 } else { 15 });
        match choice {
            0 | 1 => {
                let name = self.fresh("x");
                let mutable = self.rng.chance(50);
                let init = self.expr(2);
                if matches!(init, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendLetInit);
                }
                self.note(Prod::LetPlain);
                out.push(Stmt::Let {
                    name: name.clone(),
                    mutable,
                    init,
                });
                self.scope().ints.push((name, mutable));
            }
            2 => {
                let (a, b) = (self.fresh("x"), self.fresh("x"));
                let (x, y) = (self.expr(1), self.expr(1));
                self.note(Prod::LetTuple);
                out.push(Stmt::LetTuple {
                    a: a.clone(),
                    b: b.clone(),
                    x,
                    y,
                });
                self.scope().ints.push((a, false));
                self.scope().ints.push((b, false));
            }
            3 => {
                let ints = self.ints();
                if let Some((name, _)) = ints
                    .get(self.rng.below(ints.len() as u64) as usize)
                    .cloned()
                {
                    // Shadowing: a new binding with the name of an old one, from the old one.
                    let init = Expr::Bin(
                        Box::new(Expr::Var(name.clone())),
                        "+",
                        Box::new(self.expr(1)),
                    );
                    self.note(Prod::Shadow);
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        init,
                    });
                    self.scope().ints.push((name, false));
                } else {
                    out.push(Stmt::Expr(Expr::Eff(self.rng.small())));
                    self.note(Prod::EffectCall);
                }
            }
            4 => {
                let id = self.next_guard;
                self.next_guard += 1;
                self.note(Prod::Guard);
                out.push(Stmt::Guard(id));
                self.scope().guards.push(id);
            }
            5 => {
                let guards = self.guards();
                if guards.is_empty() {
                    out.push(Stmt::Expr(Expr::Eff(self.rng.small())));
                    self.note(Prod::EffectCall);
                } else {
                    let g = guards[self.rng.below(guards.len() as u64) as usize];
                    self.note(Prod::GuardTouch);
                    out.push(Stmt::Touch(g));
                }
            }
            6 => {
                let muts: Vec<String> = self
                    .ints()
                    .into_iter()
                    .filter(|(_, m)| *m)
                    .map(|(n, _)| n)
                    .collect();
                if muts.is_empty() {
                    let name = self.fresh("x");
                    let init = self.expr(1);
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: true,
                        init,
                    });
                    self.scope().ints.push((name, true));
                    self.note(Prod::LetPlain);
                } else {
                    let name = muts[self.rng.below(muts.len() as u64) as usize].clone();
                    let compound = self.rng.chance(50);
                    let value = self.expr(2);
                    self.note(if compound {
                        Prod::CompoundAssign
                    } else {
                        Prod::Assign
                    });
                    out.push(Stmt::Assign {
                        name,
                        compound,
                        value,
                    });
                }
            }
            7 => {
                let v = self.suspend_expr(1);
                self.note(Prod::SuspendStatement);
                out.push(Stmt::Expr(v));
            }
            8 => {
                let e = self.expr(2);
                out.push(Stmt::Expr(e));
            }
            9 if self.rng.chance(40) => {
                let name = self.fresh("buf");
                self.note(Prod::Buffer);
                out.push(Stmt::Buf(name.clone()));
                self.scope().bufs.push(name);
            }
            9 => {
                let name = self.fresh("acc");
                self.note(Prod::MethodCall);
                out.push(Stmt::Acc(name.clone()));
                self.scope().accs.push(name);
            }
            10 | 11 => return self.control(out),
            13 => self.cfg_stmt(out),
            12 => {
                if self.is_helper || self.ret == Ret::Int {
                    out.push(Stmt::Expr(Expr::Eff(self.rng.small())));
                    self.note(Prod::EffectCall);
                } else {
                    let name = self.fresh("x");
                    let init = self.try_expr(1);
                    self.note(if self.ret == Ret::Res {
                        Prod::TryResult
                    } else {
                        Prod::TryOption
                    });
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        init,
                    });
                    self.scope().ints.push((name, false));
                }
            }
            _ => return self.control(out),
        }
        false
    }

    /// A control-flow statement; returns whether it diverges.
    fn control(&mut self, out: &mut Vec<Stmt>) -> bool {
        if self.depth == 0 {
            out.push(Stmt::Expr(Expr::Eff(self.rng.small())));
            return false;
        }
        self.depth -= 1;
        let diverges = self.control_inner(out);
        self.depth += 1;
        diverges
    }

    fn label(&mut self) -> Option<String> {
        self.rng.chance(60).then(|| self.fresh("'l"))
    }

    fn control_inner(&mut self, out: &mut Vec<Stmt>) -> bool {
        match self.rng.below(16) {
            0 => {
                let cond = self.cond(2);
                let then = self.guarded_block(&cond, 3, false);
                let els = self.rng.chance(60).then(|| self.block(3, false));
                self.note(Prod::IfStatement);
                out.push(Stmt::If { cond, then, els });
            }
            1 => {
                let scrut = self.scrutinee();
                let arms = self.arms(false);
                self.note(Prod::MatchStatement);
                out.push(Stmt::Match { scrut, arms });
            }
            2 => {
                let counter = self.fresh("c");
                out.push(Stmt::Counter(counter.clone()));
                let label = self.label();
                let cond = self.without_jumps(|me| me.cond(1));
                let bound = 1 + self.rng.below(3) as i64;
                self.loops.push(LoopCtx {
                    label: label.clone(),
                    valued: false,
                });
                let body = self.guarded_block(&cond, 3, false);
                self.loops.pop();
                self.note(Prod::While);
                out.push(Stmt::While {
                    label,
                    counter,
                    bound,
                    cond,
                    body,
                });
            }
            3 => {
                let stack = self.fresh("st");
                let items = (0..1 + self.rng.below(3)).map(|_| self.expr(1)).collect();
                out.push(Stmt::Stack {
                    name: stack.clone(),
                    items,
                });
                let label = self.label();
                let var = self.fresh("y");
                self.loops.push(LoopCtx {
                    label: label.clone(),
                    valued: false,
                });
                self.scopes.push(Scope {
                    ints: vec![(var.clone(), false)],
                    ..Scope::default()
                });
                let body = self.block(3, false);
                self.scopes.pop();
                self.loops.pop();
                self.note(Prod::WhileLet);
                out.push(Stmt::WhileLet {
                    label,
                    stack,
                    var,
                    body,
                });
            }
            4 | 5 => {
                let label = self.label();
                let var = self.fresh("i");
                let iter = if self.rng.chance(50) {
                    self.note(Prod::ForRange);
                    ForIter::Range(1 + self.rng.below(3) as i64)
                } else {
                    self.note(Prod::ForVec);
                    ForIter::Vec((0..1 + self.rng.below(3)).map(|_| self.expr(1)).collect())
                };
                self.loops.push(LoopCtx {
                    label: label.clone(),
                    valued: false,
                });
                self.scopes.push(Scope {
                    ints: vec![(var.clone(), false)],
                    ..Scope::default()
                });
                let body = self.block(3, false);
                self.scopes.pop();
                self.loops.pop();
                out.push(Stmt::For {
                    label,
                    var,
                    iter,
                    body,
                });
            }
            6 => {
                let counter = self.fresh("c");
                out.push(Stmt::Counter(counter.clone()));
                let label = self.label();
                let bound = 1 + self.rng.below(3) as i64;
                self.loops.push(LoopCtx {
                    label: label.clone(),
                    valued: false,
                });
                let body = self.block(3, false);
                self.loops.pop();
                out.push(Stmt::Loop {
                    label,
                    counter,
                    bound,
                    body,
                });
            }
            7 => {
                // A jump out of, or to the next iteration of, an enclosing loop.
                if self.loops.is_empty() {
                    let b = self.block(3, false);
                    self.note(Prod::NestedBlock);
                    out.push(Stmt::Block(b));
                    return false;
                }
                // Across nested loops when there are some: to a labeled outer loop.
                let outer: Vec<usize> = (0..self.loops.len() - 1)
                    .filter(|&i| self.loops[i].label.is_some())
                    .collect();
                let target = if !outer.is_empty() && self.rng.chance(60) {
                    outer[self.rng.below(outer.len() as u64) as usize]
                } else {
                    self.loops.len() - 1
                };
                let inner = target + 1 == self.loops.len();
                let ctx = self.loops[target].clone();
                let label = if inner && self.rng.chance(50) {
                    None
                } else {
                    ctx.label.clone()
                };
                if label.is_none() && !inner {
                    return false;
                }
                let cond = self.cond(1);
                let jump = if self.rng.chance(50) {
                    self.note(if label.is_some() && !inner {
                        Prod::LabeledContinue
                    } else {
                        Prod::Continue
                    });
                    Stmt::Continue(label)
                } else {
                    self.note(if label.is_some() && !inner {
                        Prod::LabeledBreak
                    } else {
                        Prod::Break
                    });
                    let value = ctx.valued.then(|| self.expr(1));
                    Stmt::Break { label, value }
                };
                out.push(Stmt::If {
                    cond,
                    then: Block {
                        stmts: vec![jump],
                        tail: None,
                    },
                    els: None,
                });
            }
            8 => {
                let cond = self.cond(1);
                let value = self.ret_expr();
                self.note(Prod::EarlyReturn);
                out.push(Stmt::If {
                    cond,
                    then: Block {
                        stmts: vec![Stmt::Return(value)],
                        tail: None,
                    },
                    els: None,
                });
            }
            9 => {
                let name = self.fresh("x");
                let init = self.expr(1);
                let els = self.diverging_block();
                self.note(Prod::LetElse);
                out.push(Stmt::LetElse {
                    name: name.clone(),
                    init,
                    els,
                });
                self.scope().ints.push((name, false));
            }
            10 => {
                let b = self.block(3, false);
                self.note(Prod::NestedBlock);
                out.push(Stmt::Block(b));
            }
            11 => {
                if self.rng.chance(25) {
                    let cond =
                        Cond::Cmp(self.expr(1), "==", Expr::Lit(7 + self.rng.below(5) as i64));
                    self.note(Prod::Panic);
                    out.push(Stmt::If {
                        cond,
                        then: Block {
                            stmts: vec![Stmt::Panic],
                            tail: None,
                        },
                        els: None,
                    });
                } else {
                    let name = self.fresh("x");
                    let init = self.value_construct();
                    out.push(Stmt::Let {
                        name: name.clone(),
                        mutable: false,
                        init,
                    });
                    self.scope().ints.push((name, false));
                }
            }
            _ => {
                let name = self.fresh("x");
                let init = self.value_construct();
                out.push(Stmt::Let {
                    name: name.clone(),
                    mutable: self.rng.chance(30),
                    init,
                });
                self.scope().ints.push((name, false));
            }
        }
        false
    }

    /// A block that never completes: `return`, `continue`, or a panic.
    fn diverging_block(&mut self) -> Block {
        let last = if !self.loops.is_empty() && self.rng.chance(40) {
            let l = self.loops.last().and_then(|l| l.label.clone());
            Stmt::Continue(l)
        } else {
            Stmt::Return(self.ret_expr())
        };
        let mut b = if self.rng.chance(50) {
            self.block(2, false)
        } else {
            Block {
                stmts: Vec::new(),
                tail: None,
            }
        };
        b.stmts.push(last);
        b.tail = None;
        b
    }

    fn value_construct(&mut self) -> Expr {
        match self.rng.below(4) {
            0 => {
                let cond = self.cond(1);
                let pick = self.rng.below(5);
                let (then, els) = match pick {
                    0 => {
                        self.note(Prod::DivergingBranch);
                        let then = self.diverging_tail().0;
                        (then, self.block(2, true))
                    }
                    1 => {
                        self.note(Prod::DivergingBranch);
                        let then = self.guarded_block(&cond, 2, true);
                        (then, self.diverging_tail().0)
                    }
                    _ => {
                        let then = self.guarded_block(&cond, 2, true);
                        (then, self.block(2, true))
                    }
                };
                self.note(Prod::IfValue);
                Expr::If(Box::new(cond), Box::new(then), Box::new(els))
            }
            1 => {
                let scrut = self.scrutinee();
                let arms = self.arms(true);
                self.note(Prod::MatchValue);
                Expr::Match(Box::new(scrut), arms)
            }
            2 => {
                let counter = self.fresh("c");
                let label = self.label();
                let bound = 1 + self.rng.below(3) as i64;
                self.loops.push(LoopCtx {
                    label: label.clone(),
                    valued: true,
                });
                let body = self.block(3, false);
                self.loops.pop();
                let value = self.without_jumps(|me| me.expr(1));
                self.note(Prod::LoopBreakValue);
                Expr::Loop {
                    label,
                    counter,
                    bound,
                    body: Box::new(body),
                    value: Box::new(value),
                }
            }
            _ => {
                let b = self.block(3, true);
                self.note(Prod::BlockValue);
                Expr::Block(Box::new(b))
            }
        }
    }

    fn scrutinee(&mut self) -> Expr {
        let e = self.macro_arg(|me| me.expr(1));
        if matches!(e, Expr::Suspend { .. }) || self.rng.chance(25) {
            self.note(Prod::SuspendScrutinee);
            return Expr::Suspend {
                site: self.site(),
                value: Box::new(e),
            };
        }
        e
    }

    fn arms(&mut self, valued: bool) -> Vec<Arm> {
        let mut arms = Vec::new();
        let mut diverged = false;
        let (body, bare) = self.arm_body(valued, &mut diverged);
        let cfg = self.arm_cfg();
        arms.push(Arm {
            pat: MatchPat::Lit(0),
            guard: None,
            body,
            cfg,
            bare,
        });
        if self.rng.chance(60) {
            let guard = self.rng.chance(60).then(|| self.pure_cond());
            if guard.is_some() {
                self.note(Prod::MatchGuard);
            }
            let (body, bare) = self.arm_body(valued, &mut diverged);
            let cfg = self.arm_cfg();
            if cfg == Some(CfgAttr::Cfg(CfgCond::Debug)) {
                // The same pattern with another body in the other profile.
                self.note(Prod::CfgProfilePair);
                let (twin, twin_bare) = self.arm_body(valued, &mut diverged);
                arms.push(Arm {
                    pat: MatchPat::Or(1, 2),
                    guard: guard.clone(),
                    body: twin,
                    cfg: Some(CfgAttr::Cfg(CfgCond::NotDebug)),
                    bare: twin_bare,
                });
            }
            arms.push(Arm {
                pat: MatchPat::Or(1, 2),
                guard,
                body,
                cfg,
                bare,
            });
        }
        let bind = self.fresh("n");
        self.scopes.push(Scope {
            ints: vec![(bind.clone(), false)],
            ..Scope::default()
        });
        // Beside an arm that diverges, often an arm that suspends: `n => suspend!(n)`.
        let (body, bare) = if valued && diverged && self.rng.chance(50) {
            let value = Expr::Bin(
                Box::new(Expr::Var(bind.clone())),
                "+",
                Box::new(self.expr(0)),
            );
            let s = Expr::Suspend {
                site: self.site(),
                value: Box::new(value),
            };
            (
                Block {
                    stmts: Vec::new(),
                    tail: Some(s),
                },
                true,
            )
        } else {
            (self.block(2, valued), false)
        };
        self.scopes.pop();
        let cfg = self.rng.chance(8).then(|| {
            self.note(Prod::CfgArm);
            self.note(Prod::CfgAttr);
            CfgAttr::Lint(CfgCond::ALL[self.rng.below(5) as usize])
        });
        self.note(Prod::MatchBinding);
        arms.push(Arm {
            pat: MatchPat::Bind(bind),
            guard: None,
            body,
            cfg,
            bare,
        });
        arms
    }

    /// The body of an arm before the last (which binds, and never diverges): in a value `match`,
    /// sometimes `return v`, `break` or `continue`; returns it and whether it is printed bare.
    fn arm_body(&mut self, valued: bool, diverged: &mut bool) -> (Block, bool) {
        if self.rng.chance(if valued { 25 } else { 10 }) {
            let (b, is_return) = self.diverging_tail();
            if valued {
                self.note(if is_return {
                    Prod::DivergingArmReturn
                } else {
                    Prod::DivergingArmJump
                });
            }
            *diverged = true;
            let bare = b.stmts.is_empty();
            return (b, bare);
        }
        let b = self.block(2, valued);
        let bare = valued && b.stmts.is_empty() && self.rng.chance(50);
        (b, bare)
    }

    /// Sometimes an attribute for an arm that may be configured out (not the last).
    fn arm_cfg(&mut self) -> Option<CfgAttr> {
        if !self.rng.chance(15) {
            return None;
        }
        self.note(Prod::CfgArm);
        Some(self.cfg_attr())
    }

    /// A condition without suspension points or guard touches (for match guards).
    fn pure_cond(&mut self) -> Cond {
        let ints = self.ints();
        let left = match ints.get(self.rng.below(ints.len() as u64 + 1) as usize) {
            Some((n, _)) => Expr::Var(n.clone()),
            None => Expr::Lit(self.rng.small()),
        };
        Cond::Cmp(left, "<", Expr::Lit(self.rng.small() + 3))
    }

    /// A condition; `let` chains only at the top (they cannot be parenthesized).
    fn cond(&mut self, depth: u32) -> Cond {
        self.cond_in(depth, true)
    }

    fn cond_in(&mut self, depth: u32, top: bool) -> Cond {
        let kinds = if depth == 0 {
            3
        } else if top {
            7
        } else {
            5
        };
        match self.rng.below(kinds) {
            0..=2 => {
                let op = ["<", "==", "!=", ">="][self.rng.below(4) as usize];
                let l = self.expr(1);
                let r = if self.rng.chance(20) {
                    self.note(Prod::SuspendCondition);
                    self.suspend_expr(0)
                } else {
                    self.expr(1)
                };
                if matches!(l, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendCondition);
                }
                Cond::Cmp(l, op, r)
            }
            3 => {
                let l = self.cond_in(depth - 1, false);
                let r = self.cond_in(depth - 1, false);
                self.note(Prod::LazyLogic);
                Cond::And(Box::new(l), Box::new(r))
            }
            4 => {
                let l = self.cond_in(depth - 1, false);
                let r = self.cond_in(depth - 1, false);
                self.note(Prod::LazyLogic);
                Cond::Or(Box::new(l), Box::new(r))
            }
            _ => {
                // `let` chains bind names the later elements and the body see.
                let mut els = Vec::new();
                let first = self.fresh("y");
                els.push(ChainEl::Let(first.clone(), self.expr(1)));
                let mut bound = vec![(first, false)];
                if self.rng.chance(70) {
                    self.scopes.push(Scope {
                        ints: bound.clone(),
                        ..Scope::default()
                    });
                    let l = self.expr(1);
                    let r = if self.rng.chance(40) {
                        self.note(Prod::SuspendCondition);
                        self.suspend_expr(0)
                    } else {
                        Expr::Lit(self.rng.small())
                    };
                    els.push(ChainEl::Cmp(l, ">", r));
                    if self.rng.chance(50) {
                        let second = self.fresh("y");
                        els.push(ChainEl::Let(second.clone(), self.expr(1)));
                        bound.push((second, false));
                    }
                    self.scopes.pop();
                    self.note(Prod::LetChain);
                } else {
                    self.note(Prod::IfLet);
                }
                // The bindings are visible in the block the condition guards: the caller pushes
                // them through `Cond::bindings`.
                Cond::Chain(els)
            }
        }
    }

    fn suspend_expr(&mut self, depth: u32) -> Expr {
        let value = if depth > 0 && self.rng.chance(30) {
            let inner = self.suspend_expr(depth - 1);
            self.note(Prod::SuspendNested);
            inner
        } else {
            self.expr(0)
        };
        Expr::Suspend {
            site: self.site(),
            value: Box::new(value),
        }
    }

    fn atom(&mut self) -> Expr {
        let ints = self.ints();
        match self.rng.below(5) {
            0 | 1 if !ints.is_empty() => {
                Expr::Var(ints[self.rng.below(ints.len() as u64) as usize].0.clone())
            }
            2 => {
                self.note(Prod::EffectCall);
                Expr::Eff(self.rng.small())
            }
            3 => {
                let guards = self.guards();
                if guards.is_empty() {
                    Expr::Lit(self.rng.small())
                } else {
                    self.note(Prod::GuardTouch);
                    Expr::Touch(guards[self.rng.below(guards.len() as u64) as usize])
                }
            }
            _ => Expr::Lit(self.rng.small()),
        }
    }

    fn expr(&mut self, depth: u32) -> Expr {
        if depth == 0 {
            return if self.rng.chance(20) {
                self.suspend_expr(0)
            } else {
                self.atom()
            };
        }
        match self.rng.below(12) {
            0 | 1 => self.atom(),
            2 | 3 => {
                let op = ["+", "-", "^", "&", "|"][self.rng.below(5) as usize];
                let l = self.expr(depth - 1);
                let r = self.expr(depth - 1);
                if matches!(r, Expr::Suspend { .. }) || matches!(l, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendOperand);
                }
                Expr::Bin(Box::new(l), op, Box::new(r))
            }
            4 => {
                // An effect before a suspension point in the same call.
                let a = Expr::Eff(self.rng.small());
                let b = if self.rng.chance(60) {
                    self.suspend_expr(1)
                } else {
                    self.expr(depth - 1)
                };
                if matches!(b, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendCallArgument);
                }
                self.note(Prod::EffectCall);
                if self.rng.chance(50) {
                    Expr::Call2(Box::new(a), Box::new(b))
                } else {
                    let c = self.expr(depth - 1);
                    Expr::Call3(Box::new(a), Box::new(b), Box::new(c))
                }
            }
            5 if !self.bufs().is_empty() && self.rng.chance(50) => {
                let bufs = self.bufs();
                let buf = bufs[self.rng.below(bufs.len() as u64) as usize].clone();
                let i = Box::new(self.plain_expr());
                self.note(Prod::Buffer);
                if self.rng.chance(50) {
                    Expr::BufGet { buf, i }
                } else {
                    let v = Box::new(self.plain_expr());
                    Expr::BufBump { buf, i, v }
                }
            }
            5 => {
                let accs = self.accs();
                if accs.is_empty() || self.in_method > 0 {
                    return self.atom();
                }
                let acc = accs[self.rng.below(accs.len() as u64) as usize].clone();
                self.in_method += 1;
                let a = self.expr(depth - 1);
                let b = if self.rng.chance(50) {
                    self.suspend_expr(0)
                } else {
                    self.expr(depth - 1)
                };
                self.in_method -= 1;
                if matches!(b, Expr::Suspend { .. }) {
                    self.note(Prod::SuspendMethodArgument);
                }
                self.note(Prod::MethodCall);
                Expr::Method {
                    acc,
                    a: Box::new(a),
                    b: Box::new(b),
                }
            }
            6 | 7 => self.suspend_expr(depth),
            8 if (self.helpers > 0 && !self.is_helper) || self.rng.chance(35) => {
                self.delegation(depth)
            }
            9 if self.depth > 0 => {
                self.depth -= 1;
                let e = self.value_construct();
                self.depth += 1;
                e
            }
            10 if !self.is_helper && self.ret != Ret::Int => {
                self.note(if self.ret == Ret::Res {
                    Prod::TryResult
                } else {
                    Prod::TryOption
                });
                self.try_expr(depth - 1)
            }
            _ => self.atom(),
        }
    }
}

impl Cond {
    /// The names a condition binds for the block it guards.
    pub fn bindings(&self) -> Vec<String> {
        match self {
            Cond::Chain(els) => els
                .iter()
                .filter_map(|e| match e {
                    ChainEl::Let(n, _) => Some(n.clone()),
                    ChainEl::Cmp(..) => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Generates the program of a seed.
pub fn generate(seed: u64) -> Program {
    let mut rng = Rng::new(seed);
    let helpers = rng.below(3) as usize;
    let ret = match rng.below(3) {
        0 => Ret::Int,
        1 => Ret::Res,
        _ => Ret::Opt,
    };
    let mut prods = BTreeSet::new();
    let mut funcs = Vec::new();
    let mut next_guard = 1;
    let mut site = 0;
    for f in 0..=helpers {
        let is_helper = f > 0;
        let guard_param = (!is_helper && rng.chance(50)).then_some(0);
        let mut g = Gen {
            rng: Rng::new(seed.wrapping_mul(31).wrapping_add(f as u64 + 1)),
            prods: BTreeSet::new(),
            scopes: vec![Scope {
                ints: vec![("a".to_owned(), false), ("first".to_owned(), false)],
                guards: guard_param.into_iter().collect(),
                accs: Vec::new(),
                bufs: Vec::new(),
            }],
            loops: Vec::new(),
            counter: 0,
            next_guard,
            site,
            ret: if is_helper { Ret::Int } else { ret },
            helpers: if is_helper { 0 } else { helpers },
            depth: if is_helper { 1 } else { 3 },
            budget: if is_helper { 5 } else { 18 },
            is_helper,
            in_method: 0,
            jumps_ok: true,
        };
        let body = g.block(if is_helper { 4 } else { 7 }, true);
        next_guard = g.next_guard;
        site = g.site;
        prods.extend(g.prods);
        let name = if is_helper {
            format!("h{f}")
        } else {
            "main".to_owned()
        };
        funcs.push(Func {
            name,
            ret: if is_helper { Ret::Int } else { ret },
            guard_param,
            body,
        });
    }
    Program {
        seed,
        funcs,
        prods,
        arg: rng.small(),
    }
}

// ---- the drop model --------------------------------------------------------------------------

/// The guards the coroutine drops at each suspension point (by site), in the order it drops
/// them: in scope, used (touched) on some path since declared, and not used on any path after.
/// Only the code compiled in the profile with `debug_assertions` on (`debug`) or off counts: a
/// configured-out statement or arm is as if absent, and so are its suspension points.
pub fn drops_at_sites(func: &Func, debug: bool) -> BTreeMap<usize, Vec<u32>> {
    let mut live = Liveness {
        debug,
        ..Liveness::default()
    };
    live.block(&func.body, &BTreeSet::new());
    let mut touched = Touched {
        at_site: BTreeMap::new(),
        loops: Vec::new(),
        debug,
    };
    let mut scope: Vec<Vec<u32>> = vec![func.guard_param.into_iter().collect()];
    touched.block(&func.body, BTreeSet::new(), &mut scope);
    let mut out = BTreeMap::new();
    for (site, (in_scope, touched_set)) in touched.at_site {
        let live_after = live.after_site.get(&site).cloned().unwrap_or_default();
        let drops: Vec<u32> = in_scope
            .iter()
            .rev()
            .copied()
            .filter(|g| touched_set.contains(g) && !live_after.contains(g))
            .collect();
        out.insert(site, drops);
    }
    out
}

/// Backward: guards touched later on some path.
#[derive(Default)]
struct Liveness {
    after_site: BTreeMap<usize, BTreeSet<u32>>,
    /// Per enclosing loop, innermost last: (label, live at the head, live after the loop).
    loops: Vec<(Option<String>, BTreeSet<u32>, BTreeSet<u32>)>,
    /// The profile: `debug_assertions` on.
    debug: bool,
}

type Set = BTreeSet<u32>;

impl Liveness {
    fn target(&self, label: &Option<String>) -> usize {
        match label {
            None => self.loops.len() - 1,
            Some(l) => self
                .loops
                .iter()
                .rposition(|(n, _, _)| n.as_ref() == Some(l))
                .expect("label in scope"),
        }
    }

    fn block(&mut self, b: &Block, out: &Set) -> Set {
        let mut live = out.clone();
        if let Some(t) = &b.tail {
            live = self.expr(t, &live);
        }
        for s in b.stmts.iter().rev() {
            live = self.stmt(s, &live);
        }
        live
    }

    fn looped(
        &mut self,
        label: &Option<String>,
        out: &Set,
        body: impl Fn(&mut Self, &Set) -> Set,
    ) -> Set {
        let mut head = Set::new();
        loop {
            self.loops.push((label.clone(), head.clone(), out.clone()));
            let mut new = body(self, &head);
            self.loops.pop();
            new.extend(out.iter().copied());
            if new.is_subset(&head) {
                return head;
            }
            head.extend(new);
        }
    }

    fn stmt(&mut self, s: &Stmt, out: &Set) -> Set {
        match s {
            Stmt::Let { init, .. } => self.expr(init, out),
            Stmt::LetTuple { x, y, .. } => {
                let l = self.expr(y, out);
                self.expr(x, &l)
            }
            Stmt::LetElse { init, els, .. } => {
                let mut l = self.block(els, &Set::new());
                l.extend(out.iter().copied());
                self.expr(init, &l)
            }
            Stmt::Guard(id) => {
                let mut l = out.clone();
                l.remove(id);
                l
            }
            Stmt::Touch(id) => {
                let mut l = out.clone();
                l.insert(*id);
                l
            }
            Stmt::Assign { value, .. } | Stmt::Expr(value) => self.expr(value, out),
            Stmt::Acc(_) | Stmt::Buf(_) | Stmt::Counter(_) | Stmt::Raw(_) => out.clone(),
            Stmt::Stack { items, .. } => items
                .iter()
                .rev()
                .fold(out.clone(), |l, e| self.expr(e, &l)),
            Stmt::If { cond, then, els } => {
                let mut after = self.block(then, out);
                match els {
                    Some(e) => after.extend(self.block(e, out)),
                    None => after.extend(out.iter().copied()),
                }
                self.cond(cond, &after, out)
            }
            Stmt::Match { scrut, arms } => {
                let mut after = Set::new();
                let debug = self.debug;
                for a in arms.iter().filter(|a| kept(a.cfg, debug)) {
                    after.extend(self.block(&a.body, out));
                }
                self.expr(scrut, &after)
            }
            Stmt::While {
                label, cond, body, ..
            } => self.looped(label, out, |me, head| {
                // `counter < bound && cond`: the loop may end before `cond` runs.
                let exit = me.loops.last().expect("loop").2.clone();
                let b = me.block(body, head);
                let mut l = me.cond(cond, &b, &exit);
                l.extend(exit);
                l
            }),
            Stmt::WhileLet { label, body, .. } | Stmt::Loop { label, body, .. } => {
                self.looped(label, out, |me, head| {
                    let mut b = me.block(body, head);
                    b.extend(me.loops.last().expect("loop").2.iter().copied());
                    b
                })
            }
            Stmt::For {
                label, iter, body, ..
            } => {
                let head = self.looped(label, out, |me, head| {
                    let mut b = me.block(body, head);
                    b.extend(me.loops.last().expect("loop").2.iter().copied());
                    b
                });
                match iter {
                    ForIter::Range(_) => head,
                    ForIter::Vec(items) => items.iter().rev().fold(head, |l, e| self.expr(e, &l)),
                }
            }
            Stmt::Break { label, value } => {
                let t = self.target(label);
                let out = self.loops[t].2.clone();
                match value {
                    Some(v) => self.expr(v, &out),
                    None => out,
                }
            }
            Stmt::Continue(label) => {
                let t = self.target(label);
                self.loops[t].1.clone()
            }
            Stmt::Return(v) => self.expr(v, &Set::new()),
            Stmt::Panic => Set::new(),
            Stmt::Block(b) => self.block(b, out),
            Stmt::Cfg(attr, s) => {
                if attr.keeps(self.debug) {
                    self.stmt(s, out)
                } else {
                    out.clone()
                }
            }
        }
    }

    /// `out_true` is live when the condition holds, `out_false` when it does not.
    fn cond(&mut self, c: &Cond, out_true: &Set, out_false: &Set) -> Set {
        match c {
            Cond::Cmp(l, _, r) => {
                let mut both = out_true.clone();
                both.extend(out_false.iter().copied());
                let after_r = self.expr(r, &both);
                self.expr(l, &after_r)
            }
            Cond::And(a, b) => {
                let b_in = self.cond(b, out_true, out_false);
                self.cond(a, &b_in, out_false)
            }
            Cond::Or(a, b) => {
                let b_in = self.cond(b, out_true, out_false);
                self.cond(a, out_true, &b_in)
            }
            Cond::Chain(els) => {
                let mut live = out_true.clone();
                for e in els.iter().rev() {
                    let mut with_false = live.clone();
                    with_false.extend(out_false.iter().copied());
                    live = match e {
                        ChainEl::Let(_, init) => self.expr(init, &with_false),
                        ChainEl::Cmp(l, _, r) => {
                            let after_r = self.expr(r, &with_false);
                            self.expr(l, &after_r)
                        }
                    };
                }
                live
            }
        }
    }

    fn expr(&mut self, e: &Expr, out: &Set) -> Set {
        match e {
            Expr::Lit(_) | Expr::Var(_) | Expr::Eff(_) => out.clone(),
            Expr::Bin(l, _, r)
            | Expr::Call2(l, r)
            | Expr::Method { a: l, b: r, .. }
            | Expr::BufBump { i: l, v: r, .. } => {
                let after_r = self.expr(r, out);
                self.expr(l, &after_r)
            }
            Expr::BufGet { i, .. } => self.expr(i, out),
            Expr::Call3(a, b, c) => {
                let l = self.expr(c, out);
                let l = self.expr(b, &l);
                self.expr(a, &l)
            }
            Expr::Touch(id) => {
                let mut l = out.clone();
                l.insert(*id);
                l
            }
            Expr::Suspend { site, value } => {
                self.after_site.insert(*site, out.clone());
                self.expr(value, out)
            }
            Expr::SuspendFrom {
                site, arg, first, ..
            } => {
                self.after_site.insert(*site, out.clone());
                let l = self.expr(first, out);
                self.expr(arg, &l)
            }
            Expr::Block(b) => self.block(b, out),
            Expr::If(c, t, f) => {
                let t_in = self.block(t, out);
                let f_in = self.block(f, out);
                self.cond(c, &t_in, &f_in)
            }
            Expr::Match(s, arms) => {
                let mut after = Set::new();
                let debug = self.debug;
                for a in arms.iter().filter(|a| kept(a.cfg, debug)) {
                    after.extend(self.block(&a.body, out));
                }
                self.expr(s, &after)
            }
            Expr::Loop {
                label, body, value, ..
            } => {
                let exit = self.expr(value, out);
                self.looped(label, out, |me, head| {
                    let mut b = me.block(body, head);
                    b.extend(exit.iter().copied());
                    b
                })
            }
            Expr::Try(inner, _) => {
                // `?` may return: nothing is live on that path.
                self.expr(inner, out)
            }
            Expr::Diverge(s) => self.stmt(s, out),
            Expr::Brace(inner) => self.expr(inner, out),
            Expr::Handmade {
                site, base, first, ..
            } => {
                self.after_site.insert(*site, out.clone());
                let l = self.expr(first, out);
                self.expr(base, &l)
            }
        }
    }
}

/// Forward: at each site, the guards in scope and those touched on some path since declared.
struct Touched {
    at_site: BTreeMap<usize, (Vec<u32>, Set)>,
    /// Per enclosing loop: (label, touched at its `continue`s, touched at its `break`s).
    loops: Vec<(Option<String>, Set, Set)>,
    /// The profile: `debug_assertions` on.
    debug: bool,
}

impl Touched {
    fn target(&self, label: &Option<String>) -> usize {
        match label {
            None => self.loops.len() - 1,
            Some(l) => self
                .loops
                .iter()
                .rposition(|(n, _, _)| n.as_ref() == Some(l))
                .expect("label in scope"),
        }
    }

    fn block(&mut self, b: &Block, mut t: Set, scope: &mut Vec<Vec<u32>>) -> Set {
        scope.push(Vec::new());
        for s in &b.stmts {
            t = self.stmt(s, t, scope);
        }
        if let Some(e) = &b.tail {
            t = self.expr(e, t, scope);
        }
        scope.pop();
        t
    }

    /// A loop whose iteration (from its head back to it) is `body`: returns the state at the
    /// head (a fixpoint) and the union of the states at its `break`s.
    fn looped(
        &mut self,
        label: &Option<String>,
        entry: Set,
        body: &dyn Fn(&mut Self, Set) -> Set,
    ) -> (Set, Set) {
        // May-analysis: the head sees the entry and every back edge; sets only grow.
        let mut head = entry;
        loop {
            self.loops.push((label.clone(), Set::new(), Set::new()));
            let end = body(self, head.clone());
            let (_, conts, breaks) = self.loops.pop().expect("loop");
            let mut new = head.clone();
            new.extend(end);
            new.extend(conts);
            if new == head {
                return (head, breaks);
            }
            head = new;
        }
    }

    fn stmt(&mut self, s: &Stmt, t: Set, scope: &mut Vec<Vec<u32>>) -> Set {
        match s {
            Stmt::Let { init, .. } => self.expr(init, t, scope),
            Stmt::LetTuple { x, y, .. } => {
                let t = self.expr(x, t, scope);
                self.expr(y, t, scope)
            }
            Stmt::LetElse { init, els, .. } => {
                let t = self.expr(init, t, scope);
                self.block(els, t.clone(), scope);
                t
            }
            Stmt::Guard(id) => {
                scope.last_mut().expect("scope").push(*id);
                let mut t = t;
                t.remove(id);
                t
            }
            Stmt::Touch(id) => {
                let mut t = t;
                t.insert(*id);
                t
            }
            Stmt::Assign { value, .. } | Stmt::Expr(value) => self.expr(value, t, scope),
            Stmt::Acc(_) | Stmt::Buf(_) | Stmt::Counter(_) => t,
            Stmt::Stack { items, .. } => items.iter().fold(t, |t, e| self.expr(e, t, scope)),
            Stmt::If { cond, then, els } => {
                let c = self.cond(cond, t, scope);
                let mut out = self.block(then, c.clone(), scope);
                match els {
                    Some(e) => out.extend(self.block(e, c, scope)),
                    None => out.extend(c),
                }
                out
            }
            Stmt::Match { scrut, arms } => {
                let t = self.expr(scrut, t, scope);
                let mut out = Set::new();
                let debug = self.debug;
                for a in arms.iter().filter(|a| kept(a.cfg, debug)) {
                    out.extend(self.block(&a.body, t.clone(), scope));
                }
                out
            }
            Stmt::While {
                label, cond, body, ..
            } => {
                // The condition runs at the head; the loop ends when it fails.
                let sc = scope.clone();
                let (head, breaks) = self.looped(label, t, &|me, head| {
                    let mut s2 = sc.clone();
                    let c = me.cond(cond, head, &mut s2);
                    me.block(body, c, &mut s2)
                });
                let mut s3 = scope.clone();
                let mut out = self.cond(cond, head, &mut s3);
                out.extend(breaks);
                out
            }
            Stmt::WhileLet { label, body, .. } | Stmt::Loop { label, body, .. } => {
                let sc = scope.clone();
                let (head, breaks) = self.looped(label, t, &|me, head| {
                    let mut s2 = sc.clone();
                    me.block(body, head, &mut s2)
                });
                let mut out = head;
                out.extend(breaks);
                out
            }
            Stmt::For {
                label, iter, body, ..
            } => {
                let t = match iter {
                    ForIter::Range(_) => t,
                    ForIter::Vec(items) => items.iter().fold(t, |t, e| self.expr(e, t, scope)),
                };
                let sc = scope.clone();
                let (head, breaks) = self.looped(label, t, &|me, head| {
                    let mut s2 = sc.clone();
                    me.block(body, head, &mut s2)
                });
                let mut out = head;
                out.extend(breaks);
                out
            }
            Stmt::Break { label, value } => {
                let t = match value {
                    Some(v) => self.expr(v, t, scope),
                    None => t,
                };
                let i = self.target(label);
                self.loops[i].2.extend(t);
                Set::new()
            }
            Stmt::Continue(label) => {
                let i = self.target(label);
                self.loops[i].1.extend(t);
                Set::new()
            }
            Stmt::Return(v) => {
                self.expr(v, t, scope);
                Set::new()
            }
            Stmt::Panic => Set::new(),
            Stmt::Raw(_) => t,
            Stmt::Block(b) => self.block(b, t, scope),
            Stmt::Cfg(attr, s) => {
                if attr.keeps(self.debug) {
                    self.stmt(s, t, scope)
                } else {
                    t
                }
            }
        }
    }

    fn cond(&mut self, c: &Cond, t: Set, scope: &mut Vec<Vec<u32>>) -> Set {
        match c {
            Cond::Cmp(l, _, r) => {
                let t = self.expr(l, t, scope);
                self.expr(r, t, scope)
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                let after_a = self.cond(a, t, scope);
                let mut out = self.cond(b, after_a.clone(), scope);
                out.extend(after_a);
                out
            }
            Cond::Chain(els) => {
                let mut t = t;
                let mut out = Set::new();
                for e in els {
                    t = match e {
                        ChainEl::Let(_, init) => self.expr(init, t, scope),
                        ChainEl::Cmp(l, _, r) => {
                            let t = self.expr(l, t, scope);
                            self.expr(r, t, scope)
                        }
                    };
                    out.extend(t.iter().copied());
                }
                out
            }
        }
    }

    fn expr(&mut self, e: &Expr, t: Set, scope: &mut Vec<Vec<u32>>) -> Set {
        match e {
            Expr::Lit(_) | Expr::Var(_) | Expr::Eff(_) => t,
            Expr::Bin(l, _, r)
            | Expr::Call2(l, r)
            | Expr::Method { a: l, b: r, .. }
            | Expr::BufBump { i: l, v: r, .. } => {
                let t = self.expr(l, t, scope);
                self.expr(r, t, scope)
            }
            Expr::BufGet { i, .. } => self.expr(i, t, scope),
            Expr::Call3(a, b, c) => {
                let t = self.expr(a, t, scope);
                let t = self.expr(b, t, scope);
                self.expr(c, t, scope)
            }
            Expr::Touch(id) => {
                let mut t = t;
                t.insert(*id);
                t
            }
            Expr::Suspend { site, value } => {
                let t = self.expr(value, t, scope);
                self.record(*site, &t, scope);
                t
            }
            Expr::SuspendFrom {
                site, arg, first, ..
            } => {
                let t = self.expr(arg, t, scope);
                let t = self.expr(first, t, scope);
                self.record(*site, &t, scope);
                t
            }
            Expr::Block(b) => self.block(b, t, scope),
            Expr::If(c, th, el) => {
                let c = self.cond(c, t, scope);
                let mut out = self.block(th, c.clone(), scope);
                out.extend(self.block(el, c, scope));
                out
            }
            Expr::Match(s, arms) => {
                let t = self.expr(s, t, scope);
                let mut out = Set::new();
                let debug = self.debug;
                for a in arms.iter().filter(|a| kept(a.cfg, debug)) {
                    out.extend(self.block(&a.body, t.clone(), scope));
                }
                out
            }
            Expr::Loop {
                label, body, value, ..
            } => {
                // `break value` at the head, or a `break` in the body.
                let sc = scope.clone();
                let (head, breaks) = self.looped(label, t, &|me, head| {
                    let mut s2 = sc.clone();
                    me.block(body, head, &mut s2)
                });
                let mut out = self.expr(value, head, scope);
                out.extend(breaks);
                out
            }
            Expr::Try(inner, _) => self.expr(inner, t, scope),
            Expr::Diverge(s) => self.stmt(s, t, scope),
            Expr::Brace(inner) => self.expr(inner, t, scope),
            Expr::Handmade {
                site, base, first, ..
            } => {
                let t = self.expr(base, t, scope);
                let t = self.expr(first, t, scope);
                self.record(*site, &t, scope);
                t
            }
        }
    }

    fn record(&mut self, site: usize, t: &Set, scope: &[Vec<u32>]) {
        let in_scope: Vec<u32> = scope.iter().flatten().copied().collect();
        let entry = self
            .at_site
            .entry(site)
            .or_insert_with(|| (in_scope.clone(), Set::new()));
        entry.1.extend(t.iter().copied());
    }
}

// ---- printing --------------------------------------------------------------------------------

/// Which version is printed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Coroutine,
    Reference,
}

/// Which lowering the coroutine version uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lowering {
    Default,
    Pinned,
}

struct Printer<'a> {
    out: String,
    mode: Mode,
    lowering: Lowering,
    ret: Ret,
    /// The drop model's drops in the profile with `debug_assertions` on.
    drops: &'a BTreeMap<usize, Vec<u32>>,
    /// The same with `debug_assertions` off.
    drops_release: &'a BTreeMap<usize, Vec<u32>>,
    helpers: &'a [Func],
}

/// Statements that a plain function rejects wherever they stand (ill-typed, ill-scoped, or
/// refused by the borrow checker), with the error rustc gives: the ill-typed mode's defects.
pub const DEFECTS: &[(&str, &str)] = &[
    ("let _ill: bool = 5_i64;", "E0308"),
    ("_ill_undeclared += 1;", "E0425"),
    ("let _ill: u32 = \"s\";", "E0308"),
    ("{ let _ill_inner = 1; } let _ill = _ill_inner;", "E0425"),
    ("let _ill = 1; _ill = 2;", "E0384"),
    ("let _ill = Guard(90); drop(_ill); drop(_ill);", "E0382"),
    ("let _ill: &i64 = { let _ill_t = 1; &_ill_t };", "E0597"),
];

impl Program {
    /// The program with one defect of [`DEFECTS`] inserted at a place of `main` picked by
    /// `seed`: both versions must be rejected. Returns the defect too.
    pub fn with_defect(mut self, seed: u64) -> (Self, &'static str) {
        let mut rng = Rng::new(seed ^ 0x5EED_1117);
        let (code, error) = DEFECTS[rng.below(DEFECTS.len() as u64) as usize];
        let mut paths = Vec::new();
        block_paths(&self.funcs[0].body, &mut Vec::new(), &mut paths);
        let path = &paths[rng.below(paths.len() as u64) as usize];
        let block = block_at(&mut self.funcs[0].body, path);
        let mut at = rng.below(block.stmts.len() as u64 + 1) as usize;
        // Not after a statement that cannot complete: the default lowering emits no code past
        // one, so rustc never checks it there (a known gap, stated in the crate docs).
        while at > 0 && !completes(&block.stmts[at - 1]) {
            at -= 1;
        }
        block.stmts.insert(at, Stmt::Raw(code));
        (self, error)
    }

    /// The functions as coroutines: `main` and `h1`, `h2`.
    pub fn coroutine_source(&self) -> String {
        self.source(Mode::Coroutine, Lowering::Default)
    }

    /// The functions as plain functions: `main_ref` and `h1_ref`, `h2_ref`, dropping what the
    /// default lowering's drop rule drops at each suspension point.
    pub fn reference_source(&self) -> String {
        self.source(Mode::Reference, Lowering::Default)
    }

    /// The functions as coroutines of the `pinned` lowering.
    pub fn pinned_source(&self) -> String {
        self.source(Mode::Coroutine, Lowering::Pinned)
    }

    /// The functions as plain functions that drop nothing at a suspension point: the pinned
    /// lowering keeps every local to the end of its scope, as a function does.
    pub fn pinned_reference_source(&self) -> String {
        self.source(Mode::Reference, Lowering::Pinned)
    }

    fn source(&self, mode: Mode, lowering: Lowering) -> String {
        let mut out = String::new();
        for f in &self.funcs {
            let (drops, drops_release) = match lowering {
                Lowering::Default => (drops_at_sites(f, true), drops_at_sites(f, false)),
                Lowering::Pinned => (BTreeMap::new(), BTreeMap::new()),
            };
            let mut p = Printer {
                out: String::new(),
                mode,
                lowering,
                ret: f.ret,
                drops: &drops,
                drops_release: &drops_release,
                helpers: &self.funcs[1..],
            };
            p.func(f);
            out.push_str(&p.out);
            out.push('\n');
        }
        out
    }
}

/// Whether control can go on after a statement, as far as its shape shows.
/// Built of literals, variables, operators, calls and `?` only.
fn plain_operand(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Var(_) | Expr::Eff(_) | Expr::Touch(_) => true,
        Expr::Bin(a, _, b) | Expr::Call2(a, b) => plain_operand(a) && plain_operand(b),
        Expr::Call3(a, b, c) => plain_operand(a) && plain_operand(b) && plain_operand(c),
        Expr::Try(a, _) => plain_operand(a),
        _ => false,
    }
}

fn completes(s: &Stmt) -> bool {
    match s {
        Stmt::Break { .. } | Stmt::Continue(_) | Stmt::Return(_) | Stmt::Panic => false,
        Stmt::If {
            then,
            els: Some(els),
            ..
        } => block_completes(then) || block_completes(els),
        Stmt::Block(b) => block_completes(b),
        Stmt::Loop { .. } => true,
        Stmt::Match { arms, .. } => arms.iter().any(|a| block_completes(&a.body)),
        Stmt::Cfg(_, s) => completes(s),
        _ => true,
    }
}

fn block_completes(b: &Block) -> bool {
    b.stmts.iter().all(completes)
}

/// The paths to every block of `b`, itself included (`[]`), for inserting a statement: a path
/// is the statement index and the block's place in that statement, level by level.
fn block_paths(b: &Block, prefix: &mut Vec<(usize, usize)>, out: &mut Vec<Vec<(usize, usize)>>) {
    out.push(prefix.clone());
    for (i, s) in b.stmts.iter().enumerate() {
        for (k, inner) in stmt_blocks(s).into_iter().enumerate() {
            prefix.push((i, k));
            block_paths(inner, prefix, out);
            prefix.pop();
        }
    }
}

/// The blocks directly inside a statement, in a fixed order.
fn stmt_blocks(s: &Stmt) -> Vec<&Block> {
    match s {
        Stmt::LetElse { els, .. } => vec![els],
        Stmt::If { then, els, .. } => std::iter::once(then).chain(els.as_ref()).collect(),
        // A bare arm prints its tail alone: no statement can go in.
        Stmt::Match { arms, .. } => arms.iter().filter(|a| !a.bare).map(|a| &a.body).collect(),
        Stmt::While { body, .. }
        | Stmt::WhileLet { body, .. }
        | Stmt::For { body, .. }
        | Stmt::Loop { body, .. }
        | Stmt::Block(body) => vec![body],
        Stmt::Cfg(_, s) => stmt_blocks(s),
        _ => Vec::new(),
    }
}

fn stmt_blocks_mut(s: &mut Stmt) -> Vec<&mut Block> {
    match s {
        Stmt::LetElse { els, .. } => vec![els],
        Stmt::If { then, els, .. } => std::iter::once(then).chain(els.as_mut()).collect(),
        Stmt::Match { arms, .. } => arms
            .iter_mut()
            .filter(|a| !a.bare)
            .map(|a| &mut a.body)
            .collect(),
        Stmt::While { body, .. }
        | Stmt::WhileLet { body, .. }
        | Stmt::For { body, .. }
        | Stmt::Loop { body, .. }
        | Stmt::Block(body) => vec![body],
        Stmt::Cfg(_, s) => stmt_blocks_mut(s),
        _ => Vec::new(),
    }
}

fn block_at<'a>(mut b: &'a mut Block, path: &[(usize, usize)]) -> &'a mut Block {
    for &(i, k) in path {
        b = stmt_blocks_mut(&mut b.stmts[i]).swap_remove(k);
    }
    b
}

fn ret_ty(r: Ret) -> &'static str {
    match r {
        Ret::Int => "i64",
        Ret::Res => "Result<i64, i64>",
        Ret::Opt => "Option<i64>",
    }
}

impl Printer<'_> {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn func(&mut self, f: &Func) {
        let guard = f.guard_param.map(|_| ", g0: Guard").unwrap_or("");
        let ret = ret_ty(f.ret);
        match self.mode {
            Mode::Coroutine => {
                let pinned = if self.lowering == Lowering::Pinned {
                    ", pinned"
                } else {
                    ""
                };
                let _ = writeln!(
                    self.out,
                    "#[coro::coroutine(yield = i64, resume = i64{pinned})]"
                );
                let _ = write!(
                    self.out,
                    "pub fn {}(a: i64{guard}, #[resume] first: i64) -> {ret} ",
                    f.name
                );
            }
            Mode::Reference => {
                let _ = write!(
                    self.out,
                    "pub fn {}_ref(__ctx: &mut Ctx, a: i64{guard}, first: i64) -> {ret} ",
                    f.name
                );
            }
        }
        if self.mode == Mode::Reference && f.guard_param.is_some() {
            self.w("{ let mut g0 = Some(g0); ");
            self.block(&f.body, true);
            self.w(" }");
        } else {
            self.block(&f.body, true);
        }
        self.w("\n");
    }

    fn wrap(&self, e: String) -> String {
        match self.ret {
            Ret::Int => e,
            Ret::Res => format!("Ok({e})"),
            Ret::Opt => format!("Some({e})"),
        }
    }

    fn block(&mut self, b: &Block, is_body: bool) {
        self.w("{ ");
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(t) = &b.tail {
            let e = self.expr(t);
            let e = if is_body { self.wrap(e) } else { e };
            self.w(&e);
        }
        self.w(" }");
    }

    fn block_str(&mut self, b: &Block) -> String {
        let saved = std::mem::take(&mut self.out);
        self.block(b, false);
        std::mem::replace(&mut self.out, saved)
    }

    fn label(l: &Option<String>) -> String {
        l.as_ref().map(|l| format!("{l}: ")).unwrap_or_default()
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let {
                name,
                mutable,
                init,
            } => {
                let e = self.expr(init);
                let m = if *mutable { "mut " } else { "" };
                let _ = write!(self.out, "let {m}{name} = {e}; ");
            }
            Stmt::LetTuple { a, b, x, y } => {
                let (x, y) = (self.expr(x), self.expr(y));
                let _ = write!(self.out, "let ({a}, {b}) = ({x}, {y}); ");
            }
            Stmt::LetElse { name, init, els } => {
                let e = self.expr(init);
                let b = self.block_str(els);
                let _ = write!(self.out, "let Some({name}) = opt({e}) else {b}; ");
            }
            Stmt::Guard(id) => match self.mode {
                Mode::Coroutine => {
                    let _ = write!(self.out, "let g{id} = Guard({id}); ");
                }
                Mode::Reference => {
                    let _ = write!(self.out, "let mut g{id} = Some(Guard({id})); ");
                }
            },
            Stmt::Touch(id) => {
                let t = self.touch(*id);
                let _ = write!(self.out, "{t}; ");
            }
            Stmt::Assign {
                name,
                compound,
                value,
            } => {
                let e = self.expr(value);
                let op = if *compound { "+=" } else { "=" };
                let _ = write!(self.out, "{name} {op} {e}; ");
            }
            Stmt::Acc(name) => {
                let _ = write!(self.out, "let mut {name} = Acc::default(); ");
            }
            Stmt::Buf(name) => {
                let _ = write!(self.out, "let mut {name} = [1i64; BUF]; ");
            }
            Stmt::Stack { name, items } => {
                let items: Vec<String> = items.iter().map(|e| self.expr(e)).collect();
                let _ = write!(
                    self.out,
                    "let mut {name}: Vec<i64> = Vec::from([{}]); ",
                    items.join(", ")
                );
            }
            Stmt::Counter(name) => {
                let _ = write!(self.out, "let mut {name} = 0; ");
            }
            Stmt::Expr(e) => {
                let e = self.expr(e);
                let _ = write!(self.out, "{e}; ");
            }
            Stmt::If { cond, then, els } => {
                let c = self.cond(cond);
                let t = self.block_str(then);
                let e = els
                    .as_ref()
                    .map(|e| format!(" else {}", self.block_str(e)))
                    .unwrap_or_default();
                let _ = write!(self.out, "if {c} {t}{e} ");
            }
            Stmt::Match { scrut, arms } => {
                let m = self.match_str(scrut, arms);
                let _ = write!(self.out, "{m} ");
            }
            Stmt::While {
                label,
                counter,
                bound,
                cond,
                body,
            } => {
                let c = self.cond(cond);
                let b = self.block_str(body);
                let _ = write!(
                    self.out,
                    "{}while {counter} < {bound} && {c} {{ {counter} += 1; {b} }} ",
                    Self::label(label)
                );
            }
            Stmt::WhileLet {
                label,
                stack,
                var,
                body,
            } => {
                let b = self.block_str(body);
                let _ = write!(
                    self.out,
                    "{}while let Some({var}) = {stack}.pop() {b} ",
                    Self::label(label)
                );
            }
            Stmt::For {
                label,
                var,
                iter,
                body,
            } => {
                let it = match iter {
                    ForIter::Range(n) => format!("0..{n}i64"),
                    ForIter::Vec(items) => {
                        let items: Vec<String> = items.iter().map(|e| self.expr(e)).collect();
                        format!("Vec::<i64>::from([{}])", items.join(", "))
                    }
                };
                let b = self.block_str(body);
                let _ = write!(self.out, "{}for {var} in {it} {b} ", Self::label(label));
            }
            Stmt::Loop {
                label,
                counter,
                bound,
                body,
            } => {
                let b = self.block_str(body);
                let _ = write!(
                    self.out,
                    "{}loop {{ {counter} += 1; if {counter} > {bound} {{ break; }} {b} }} ",
                    Self::label(label)
                );
            }
            Stmt::Break { .. } | Stmt::Continue(_) | Stmt::Return(_) => {
                let j = self.jump_str(s);
                let _ = write!(self.out, "{j}; ");
            }
            Stmt::Panic => self.w("panic!(\"deliberate\"); "),
            Stmt::Raw(code) => {
                self.w(code);
                self.w(" ");
            }
            Stmt::Block(b) => {
                let b = self.block_str(b);
                let _ = write!(self.out, "{b} ");
            }
            Stmt::Cfg(attr, s) => {
                let a = attr.text();
                let _ = write!(self.out, "{a} ");
                self.stmt(s);
            }
        }
    }

    /// A `return`, `break` or `continue`, without the `;`.
    fn jump_str(&mut self, s: &Stmt) -> String {
        match s {
            Stmt::Break { label, value } => {
                let l = label.clone().unwrap_or_default();
                let v = value.as_ref().map(|v| self.expr(v)).unwrap_or_default();
                format!("break {l} {v}")
            }
            Stmt::Continue(label) => {
                let l = label.clone().unwrap_or_default();
                format!("continue {l}")
            }
            Stmt::Return(v) => {
                let e = self.expr(v);
                let e = self.wrap(e);
                format!("return {e}")
            }
            _ => unreachable!("only jumps diverge as expressions"),
        }
    }

    fn match_str(&mut self, scrut: &Expr, arms: &[Arm]) -> String {
        let s = self.expr(scrut);
        let mut out = format!("match i64::rem_euclid({s}, 4) {{ ");
        for a in arms {
            if let Some(attr) = a.cfg {
                let _ = write!(out, "{} ", attr.text());
            }
            let pat = match &a.pat {
                MatchPat::Lit(n) => n.to_string(),
                MatchPat::Or(x, y) => format!("{x} | {y}"),
                MatchPat::Bind(n) => n.clone(),
            };
            let guard = a
                .guard
                .as_ref()
                .map(|g| format!(" if {}", self.cond(g)))
                .unwrap_or_default();
            match (&a.body.tail, a.bare && a.body.stmts.is_empty()) {
                (Some(t), true) => {
                    let e = self.expr(t);
                    let _ = write!(out, "{pat}{guard} => {e}, ");
                }
                _ => {
                    let b = self.block_str(&a.body);
                    let _ = write!(out, "{pat}{guard} => {b} ");
                }
            }
        }
        out.push('}');
        out
    }

    fn cond(&mut self, c: &Cond) -> String {
        match c {
            Cond::Cmp(l, op, r) => {
                let (l, r) = (self.expr(l), self.expr(r));
                format!("({l}) {op} ({r})")
            }
            Cond::And(a, b) => format!("({} && {})", self.cond(a), self.cond(b)),
            Cond::Or(a, b) => format!("({} || {})", self.cond(a), self.cond(b)),
            Cond::Chain(els) => {
                let parts: Vec<String> = els
                    .iter()
                    .map(|e| match e {
                        ChainEl::Let(n, init) => {
                            format!("let Some({n}) = opt({})", self.expr(init))
                        }
                        ChainEl::Cmp(l, op, r) => {
                            format!("({}) {op} ({})", self.expr(l), self.expr(r))
                        }
                    })
                    .collect();
                parts.join(" && ")
            }
        }
    }

    /// A use of a guard. In the reference a guard is an `Option`, so that the model's drops are
    /// `take()`s, which may repeat: a touch of a guard the model dropped too early reads `-1`.
    fn touch(&self, g: u32) -> String {
        match self.mode {
            Mode::Coroutine => format!("g{g}.touch()"),
            Mode::Reference => format!("g{g}.as_ref().map_or(-1, Guard::touch)"),
        }
    }

    /// The model's drops at a site. Where they differ between the profiles (a use of a guard is
    /// configured out in one), both, selected by `cfg!`; a site compiled in one profile only
    /// has drops in that one.
    fn drops(&self, site: usize) -> String {
        let text = |gs: &Vec<u32>| -> String {
            gs.iter().map(|g| format!("drop(g{g}.take()); ")).collect()
        };
        match (self.drops.get(&site), self.drops_release.get(&site)) {
            (Some(d), Some(r)) if d != r => format!(
                "if cfg!(debug_assertions) {{ {}}} else {{ {}}} ",
                text(d),
                text(r)
            ),
            (Some(gs), _) | (None, Some(gs)) => text(gs),
            (None, None) => String::new(),
        }
    }

    /// A suspension point: `suspend!`, or `suspend_from!` to a helper or to a hand-written
    /// coroutine; in the coroutine in brace form if `brace`.
    fn suspension(&mut self, e: &Expr, brace: bool) -> String {
        let (open, close) = if brace { (" { ", " }") } else { ("(", ")") };
        match e {
            Expr::Suspend { site, value } => {
                let v = self.expr(value);
                match self.mode {
                    Mode::Coroutine => format!("suspend!{open}{v}{close}"),
                    Mode::Reference => format!(
                        "{{ let __v = {v}; {}__ctx.suspend(__v) }}",
                        self.drops(*site)
                    ),
                }
            }
            Expr::SuspendFrom {
                site,
                helper,
                via,
                arg,
                first,
            } => {
                let (a, f) = (self.expr(arg), self.expr(first));
                let (name, guard) = match via {
                    Via::Mutual => ("rec_even", ""),
                    _ if self.helpers[*helper].guard_param.is_some() => {
                        (self.helpers[*helper].name.as_str(), ", Guard(99)")
                    }
                    _ => (self.helpers[*helper].name.as_str(), ""),
                };
                let boxed = if *via == Via::Inline { "" } else { ".boxed()" };
                match self.mode {
                    Mode::Coroutine => {
                        format!("suspend_from!{open}{name}({a}{guard}){boxed}, {f}{close}")
                    }
                    Mode::Reference => format!(
                        "{{ let __a = {a}; let __f = {f}; {}{name}_ref(__ctx, __a{guard}, __f) }}",
                        self.drops(*site)
                    ),
                }
            }
            Expr::Handmade { site, base, first } => {
                let (a, f) = (self.expr(base), self.expr(first));
                match self.mode {
                    Mode::Coroutine => {
                        format!("suspend_from!{open}Handmade::new({site}, {a}), {f}{close}")
                    }
                    // The delegate exists while `first` is evaluated: a kill there drops it.
                    Mode::Reference => format!(
                        "{{ let __d = Handmade::new({site}, {a}); let __f = {f}; {}delegate_ref(__ctx, __d, __f) }}",
                        self.drops(*site)
                    ),
                }
            }
            _ => unreachable!("not a suspension point"),
        }
    }

    fn expr(&mut self, e: &Expr) -> String {
        match e {
            Expr::Lit(n) => {
                if *n < 0 {
                    format!("({n})")
                } else {
                    n.to_string()
                }
            }
            Expr::Var(n) => n.clone(),
            Expr::Eff(k) => format!("eff({k})"),
            Expr::Bin(l, op, r) => format!("({} {op} {})", self.expr(l), self.expr(r)),
            Expr::Call2(a, b) => format!("call2({}, {})", self.expr(a), self.expr(b)),
            Expr::Call3(a, b, c) => format!(
                "call3({}, {}, {})",
                self.expr(a),
                self.expr(b),
                self.expr(c)
            ),
            Expr::Method { acc, a, b } => format!("{acc}.add({}, {})", self.expr(a), self.expr(b)),
            Expr::BufGet { buf, i } => {
                // A block: the element is read as a value, where `buf[..]` standing before a
                // later suspension in the same expression would be a place held across it,
                // which the transform refuses (with a message saying what to write).
                format!("({{ {buf}[at({})] }})", self.expr(i))
            }
            Expr::BufBump { buf, i, v } => {
                format!("bump(&mut {buf}, {}, {})", self.expr(i), self.expr(v))
            }
            Expr::Touch(g) => self.touch(*g),
            Expr::Suspend { .. } | Expr::SuspendFrom { .. } | Expr::Handmade { .. } => {
                self.suspension(e, false)
            }
            Expr::Brace(inner) => self.suspension(inner, true),
            Expr::Diverge(s) => self.jump_str(s),
            Expr::Block(b) => self.block_str(b),
            Expr::If(c, t, f) => {
                let c = self.cond(c);
                format!("if {c} {} else {}", self.block_str(t), self.block_str(f))
            }
            Expr::Match(s, arms) => self.match_str(s, arms),
            Expr::Loop {
                label,
                counter,
                bound,
                body,
                value,
            } => {
                let v = self.expr(value);
                let b = self.block_str(body);
                format!(
                    "{{ let mut {counter} = 0; {}loop {{ {counter} += 1; if {counter} > {bound} {{ break {v}; }} {b} }} }}",
                    Self::label(label)
                )
            }
            Expr::Try(inner, form) => {
                let i = self.expr(inner);
                let m = match (self.ret, form) {
                    (Ret::Opt, TryForm::Op) => return format!("opt({i})?"),
                    (_, TryForm::Op) => return format!("res({i})?"),
                    (Ret::Opt, _) => format!("attempt_opt!(opt({i}))"),
                    (_, _) => format!("attempt_res!(res({i}))"),
                };
                if *form == TryForm::NestedMacro {
                    format!("format!(\"{{}}\", {m}).parse::<i64>().unwrap_or(0)")
                } else {
                    m
                }
            }
        }
    }
}
