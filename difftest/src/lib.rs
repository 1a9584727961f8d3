//! Differential testing of the `#[coroutine]` transform.
//!
//! A seeded generator (`gen.rs`, run by the build script) writes random coroutine bodies, each
//! twice: as a `#[coro::coroutine]`, and as a plain function in which every `suspend!(e)` logs
//! `e` and takes the next value from a scripted list of resume values. The tests run both with
//! the same script and compare their event logs (yields, resume values, side effects, guard
//! touches and drops, the return value or the panic), then again with the coroutine killed after
//! each of its suspensions and the plain function unwinding from the same one.
//!
//! The plain function follows Rust's drop timing; the coroutine follows the documented rule (a
//! local used before a suspension point and not after it is dropped there). The generator has
//! its own model of that rule and writes the drops it predicts into the plain function as
//! explicit `drop(..)`s, so the logs agree exactly when the transform and the model do.
//!
//! Every program is also written with the `pinned` lowering, against a plain function with no
//! such drops: that lowering keeps each local to the end of its scope, as Rust does, so the two
//! lowerings are checked on the same bodies.
//!
//! The ill-typed mode (`tests/rejected.rs`) inserts one defect into each generated program
//! (ill-typed, ill-scoped, or refused by the borrow checker) and compiles all of them in one
//! crate: a coroutine of either lowering must be rejected exactly when its plain function is.
//!
//! This library is the runtime both versions use.
#![forbid(unsafe_code)]
// The effects below are called as statements as often as for their values, and `res` is the
// generated programs' `Result`: neither lint helps here.
#![allow(clippy::must_use_candidate, clippy::missing_errors_doc)]

use coro::{Coroutine, EarlyExit, Status, suspend, suspend_from};
use std::cell::RefCell;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

pub mod generator {
    //! The program generator, also run by the build script.
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    include!("gen.rs");
}

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Appends an event to this thread's log.
pub fn log(event: String) {
    LOG.with(|l| l.borrow_mut().push(event));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// A value whose drop (and each use) is an event.
#[derive(Debug)]
pub struct Guard(pub u32);

impl Guard {
    /// A use of the guard: logs it and returns its number.
    pub fn touch(&self) -> i64 {
        log(format!("touch g{}", self.0));
        i64::from(self.0)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        log(format!("drop g{}", self.0));
    }
}

/// A side effect with a value.
pub fn eff(k: i64) -> i64 {
    log(format!("eff {k}"));
    k
}

/// A call whose arguments are evaluated in order.
pub fn call2(a: i64, b: i64) -> i64 {
    log(format!("call2 {a} {b}"));
    a.wrapping_mul(3).wrapping_add(b)
}

/// A call with three arguments.
pub fn call3(a: i64, b: i64, c: i64) -> i64 {
    log(format!("call3 {a} {b} {c}"));
    a.wrapping_add(b).wrapping_sub(c)
}

/// `Some(v)` unless `v` is a multiple of 3.
pub fn opt(v: i64) -> Option<i64> {
    (v.rem_euclid(3) != 0).then_some(v)
}

/// `Ok(v)` unless `v` is a multiple of 5.
pub fn res(v: i64) -> Result<i64, i64> {
    if v.rem_euclid(5) == 0 { Err(v) } else { Ok(v) }
}

/// A receiver for method calls, updated in place.
#[derive(Debug, Default)]
pub struct Acc {
    /// The running value.
    pub v: i64,
}

impl Acc {
    /// Adds `a * b`, logs it, returns the new value.
    pub fn add(&mut self, a: i64, b: i64) -> i64 {
        self.v = self.v.wrapping_add(a.wrapping_mul(b));
        log(format!("acc {}", self.v));
        self.v
    }
}

/// The length of the programs' buffers (`let mut b = [1; BUF];`), locals large enough that the
/// coroutine should keep them where they are across suspension points.
pub const BUF: usize = 256;

/// The index `i mod BUF` of a buffer.
#[must_use]
pub fn at(i: i64) -> usize {
    usize::try_from(i.rem_euclid(256)).unwrap_or(0) % BUF
}

/// Adds `v` to `buf[i mod BUF]`, logs it, returns the new value.
pub fn bump(buf: &mut [i64; BUF], i: i64, v: i64) -> i64 {
    let at = at(i);
    buf[at] = buf[at].wrapping_add(v);
    log(format!("buf[{at}] {}", buf[at]));
    buf[at]
}

/// A hand-written coroutine to delegate to, over the programs' resume and yield types: yields
/// `base * 10 + k` for `k` from `base.rem_euclid(3) - 1` down to 0 (none when `base` is a
/// multiple of 3), then returns the sum of the values it was resumed with. Every resume, its
/// `kill()` and its drop are events, so the order a kill reaches it and its outer locals shows.
#[derive(Debug)]
pub struct Handmade {
    id: usize,
    base: i64,
    left: i64,
    sum: i64,
    status: Status,
}

impl Handmade {
    /// A delegate named `d{id}`; it runs nothing until resumed.
    #[must_use]
    pub fn new(id: usize, base: i64) -> Self {
        Handmade {
            id,
            base,
            left: base.rem_euclid(3),
            sum: 0,
            status: Status::Unstarted,
        }
    }
}

impl Coroutine<i64> for Handmade {
    type Yield = i64;
    type Return = i64;

    fn resume(&mut self, arg: i64) -> Result<i64, EarlyExit<i64>> {
        match self.status {
            Status::Unstarted | Status::Suspended => {}
            Status::Finished => return Err(EarlyExit::Finished),
            Status::Killed => return Err(EarlyExit::Killed),
            Status::Panicked => return Err(EarlyExit::Panicked),
        }
        log(format!("d{} resumed {arg}", self.id));
        self.sum = self.sum.wrapping_add(arg);
        if self.left == 0 {
            self.status = Status::Finished;
            return Err(EarlyExit::Returned(self.sum));
        }
        self.left -= 1;
        self.status = Status::Suspended;
        Ok(self.base.wrapping_mul(10).wrapping_add(self.left))
    }

    fn kill(&mut self) {
        log(format!("kill d{}", self.id));
        if self.status.is_alive() {
            self.status = Status::Killed;
        }
    }

    fn status(&self) -> Status {
        self.status
    }
}

impl Drop for Handmade {
    fn drop(&mut self) {
        log(format!("drop d{}", self.id));
    }
}

/// What the plain version runs where the coroutine has `suspend_from!(d, first)` with a
/// hand-written `d`: resumes `d` with `first`, suspends with each of its values and resumes it
/// with what comes back, and evaluates to what it returns, dropping it as soon as it has. A kill
/// at one of its suspensions calls `d.kill()` and drops `d` before unwinding further, as a
/// killed coroutine kills its delegate first.
///
/// # Panics
///
/// If `d` had ended before: a delegation to a dead coroutine panics in the coroutine too.
pub fn delegate_ref<C>(ctx: &mut Ctx, mut d: C, first: i64) -> i64
where
    C: Coroutine<i64, Yield = i64, Return = i64>,
{
    let mut arg = first;
    loop {
        match d.resume(arg) {
            Ok(y) => match catch_unwind(AssertUnwindSafe(|| ctx.suspend(y))) {
                Ok(next) => arg = next,
                Err(payload) => {
                    d.kill();
                    drop(d);
                    resume_unwind(payload);
                }
            },
            Err(EarlyExit::Returned(v)) => {
                drop(d);
                return v;
            }
            Err(other) => panic!("delegated to a coroutine that had ended: {other}"),
        }
    }
}

/// One of a pair of mutually recursive coroutines, the delegate of the generated programs'
/// mutual recursion: at depth `depth.rem_euclid(4)`, yields `depth * 100 + first`, then (above
/// depth 0) delegates to [`rec_odd`] through a box, and returns what it got back plus the
/// number of its guard, which it touches last (so it holds the guard to its end).
#[coro::coroutine(yield = i64, resume = i64)]
pub fn rec_even(depth: i64, #[resume] first: i64) -> i64 {
    let depth = depth.rem_euclid(4);
    let g = Guard(900 + u32::try_from(depth).unwrap_or(0));
    let got = suspend!(depth.wrapping_mul(100).wrapping_add(first));
    if depth == 0 {
        return got.wrapping_add(g.touch());
    }
    let below = suspend_from!(rec_odd(depth - 1).boxed(), got);
    below.wrapping_add(g.touch())
}

/// The other of the pair: yields `depth * 100 - first`, then delegates to [`rec_even`] inline.
#[coro::coroutine(yield = i64, resume = i64)]
pub fn rec_odd(depth: i64, #[resume] first: i64) -> i64 {
    let got = suspend!(depth.wrapping_mul(100).wrapping_sub(first));
    if depth <= 0 {
        return got;
    }
    got.wrapping_sub(suspend_from!(rec_even(depth - 1), got))
}

/// [`rec_even`] as a plain function, for the plain version of a program.
pub fn rec_even_ref(ctx: &mut Ctx, depth: i64, first: i64) -> i64 {
    let depth = depth.rem_euclid(4);
    let g = Guard(900 + u32::try_from(depth).unwrap_or(0));
    let got = ctx.suspend(depth.wrapping_mul(100).wrapping_add(first));
    if depth == 0 {
        return got.wrapping_add(g.touch());
    }
    let below = rec_odd_ref(ctx, depth - 1, got);
    below.wrapping_add(g.touch())
}

/// [`rec_odd`] as a plain function.
pub fn rec_odd_ref(ctx: &mut Ctx, depth: i64, first: i64) -> i64 {
    let got = ctx.suspend(depth.wrapping_mul(100).wrapping_sub(first));
    if depth <= 0 {
        return got;
    }
    got.wrapping_sub(rec_even_ref(ctx, depth - 1, got))
}

/// The scripted resume values: a deterministic sequence.
#[derive(Debug, Clone)]
pub struct Script {
    state: u64,
}

impl Script {
    /// The script of a seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Script {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// The next resume value, in `-5..20`.
    pub fn next_value(&mut self) -> i64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        i64::try_from(self.state % 25).unwrap_or(0) - 5
    }
}

/// The payload the plain function unwinds with to stand for a kill.
struct Killed;

/// What the plain version calls where the coroutine suspends.
#[derive(Debug)]
pub struct Ctx {
    script: Script,
    suspensions: usize,
    kill_after: Option<usize>,
}

impl Ctx {
    /// A suspension: logs the value, then unwinds if this is where the coroutine is killed, or
    /// takes the next resume value.
    pub fn suspend(&mut self, v: i64) -> i64 {
        log(format!("yield {v}"));
        self.suspensions += 1;
        if Some(self.suspensions) == self.kill_after {
            resume_unwind(Box::new(Killed));
        }
        let r = self.script.next_value();
        log(format!("resume {r}"));
        r
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "?".to_owned())
}

/// Runs a coroutine with the script of `seed`, killing it after its `kill_after`-th suspension;
/// returns the event log.
pub fn run_coroutine<C, R>(
    make: impl FnOnce() -> C,
    seed: u64,
    kill_after: Option<usize>,
) -> Vec<String>
where
    C: Coroutine<i64, Yield = i64, Return = R>,
    R: Debug,
{
    take_log();
    let mut script = Script::new(seed);
    let mut c = make();
    let mut r = script.next_value();
    log(format!("resume {r}"));
    let mut suspensions = 0;
    loop {
        match catch_unwind(AssertUnwindSafe(|| c.resume(r))) {
            Ok(Ok(y)) => {
                log(format!("yield {y}"));
                suspensions += 1;
                if Some(suspensions) == kill_after {
                    drop(c);
                    log("killed".to_owned());
                    break;
                }
                r = script.next_value();
                log(format!("resume {r}"));
            }
            Ok(Err(EarlyExit::Returned(v))) => {
                log(format!("return {v:?}"));
                break;
            }
            Ok(Err(other)) => {
                log(format!("dead: {other}"));
                break;
            }
            Err(payload) => {
                log(format!("panic {}", panic_message(&*payload)));
                break;
            }
        }
    }
    take_log()
}

/// Runs the plain version with the script of `seed`, unwinding from its `kill_after`-th
/// suspension; returns the event log.
pub fn run_reference<R: Debug>(
    f: impl FnOnce(&mut Ctx, i64) -> R,
    seed: u64,
    kill_after: Option<usize>,
) -> Vec<String> {
    take_log();
    let mut ctx = Ctx {
        script: Script::new(seed),
        suspensions: 0,
        kill_after,
    };
    let first = ctx.script.next_value();
    log(format!("resume {first}"));
    match catch_unwind(AssertUnwindSafe(|| f(&mut ctx, first))) {
        Ok(v) => log(format!("return {v:?}")),
        Err(payload) if payload.is::<Killed>() => log("killed".to_owned()),
        Err(payload) => log(format!("panic {}", panic_message(&*payload))),
    }
    take_log()
}

/// How many times a log's program suspended.
#[must_use]
pub fn suspensions(log: &[String]) -> usize {
    log.iter().filter(|e| e.starts_with("yield ")).count()
}

/// `res(e)?` as a macro whose expansion holds the `return`, as `anyhow::bail!` does.
#[macro_export]
macro_rules! attempt_res {
    ($e:expr) => {
        match $e {
            ::core::result::Result::Ok(v) => v,
            ::core::result::Result::Err(e) => return ::core::result::Result::Err(e),
        }
    };
}

/// `opt(e)?` as a macro whose expansion holds the `return`.
#[macro_export]
macro_rules! attempt_opt {
    ($e:expr) => {
        match $e {
            ::core::option::Option::Some(v) => v,
            ::core::option::Option::None => return ::core::option::Option::None,
        }
    };
}
