//! Delegation chains resumed without native recursion.
//!
//! A chain of delegations that goes through boxed delegates (`suspend_from!(g(..).boxed())`,
//! which is how mutual recursion is written) would otherwise resume, kill and drop by native
//! recursion: each level's resume calls the next level's, so the native stack grows with the
//! depth of the chain. Instead, the outermost boxed delegation of a chain is its *trampoline*:
//! it owns every boxed delegate below it as a *stage* on a stack of its own, and resumes the
//! innermost stage directly.
//!
//! The protocol, in the terms of the generated code:
//!
//! - A coroutine runs in one of two [`Mode`]s. It runs [`Mode::Top`] when something that is not
//!   a delegation chain resumes it ([`Coroutine::resume`]), and [`Mode::Level`] when a
//!   trampoline (or a coroutine running as a level) resumes it through the hidden
//!   [`Coroutine::__step`].
//! - A boxed delegation reached in [`Mode::Level`] does not resume its delegate: it *hands it
//!   off*. The body leaves the resume with [`handed`], still suspended at the delegation, and the
//!   coroutine reports [`Stepped::Handed`]. Whoever stepped it then takes the delegate out with the
//!   hidden [`Coroutine::__take_handed`] (the generated state finds the delegation that handed
//!   off) and pushes it on the trampoline's stack, as a [`Level`].
//! - The trampoline resumes the top of its stack. When that stage ends, its outcome stays in the
//!   stage; the trampoline pops it and steps the stage below with no resume value (the value was
//!   the finished stage's), whose delegation reads the outcome and goes on as if its delegate
//!   had just returned.
//! - Killing or dropping the trampoline kills its stages innermost first, one at a time.
//!
//! A delegation that is not boxed stays where it is, and steps its delegate in the mode it runs
//! in itself, so that the boxed delegations below it still reach the trampoline.

#![allow(
    missing_debug_implementations,
    clippy::missing_errors_doc,
    clippy::must_use_candidate
)]

use core::cell::RefCell;
use core::marker::PhantomData;
use std::rc::{Rc, Weak};

use crate::current::{self, Frame};
use crate::{Coroutine, EarlyExit};

/// How a coroutine is being resumed: see the module doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// By plain code, or by a coroutine that is not part of a delegation chain.
    Top,
    /// As a stage of a delegation chain, or inside one.
    Level,
}

/// What a coroutine stepped in [`Mode::Level`] did.
#[derive(Debug)]
pub enum Stepped<Y, T> {
    /// It suspended with this value.
    Yield(Y),
    /// It ended, or had ended before.
    End(EarlyExit<T>),
    /// It stays suspended at a boxed delegation whose delegate it hands to the trampoline.
    Handed,
}

/// Steps `c` in [`Mode::Level`], telling a hand-off from an end: a coroutine that hands off
/// leaves the resume with [`handed`], an end its status contradicts.
#[inline]
pub(crate) fn step<R, C: Coroutine<R> + ?Sized>(
    c: &mut C,
    arg: Option<R>,
) -> Stepped<C::Yield, C::Return> {
    match c.__step(arg) {
        Ok(y) => Stepped::Yield(y),
        Err(EarlyExit::Finished) if c.status().is_alive() => Stepped::Handed,
        Err(e) => Stepped::End(e),
    }
}

/// What a delegation did when its delegating coroutine resumed it.
#[derive(Debug)]
pub enum Delegated<Y, T> {
    /// The delegate suspended with this value: the delegating coroutine suspends with it.
    Yield(Y),
    /// The delegate returned this value: the `suspend_from!` evaluates to it.
    Returned(T),
    /// The delegate had ended before the delegation started: see [`end_delegating`].
    ///
    /// [`end_delegating`]: crate::__private::end_delegating
    Ended,
    /// The delegation handed its delegate to the trampoline: the delegating coroutine leaves
    /// the resume with [`handed`].
    Handed,
}

/// What a body leaves a resume with after its delegation [handed](Delegated::Handed) its
/// delegate off: an end the coroutine's status contradicts (it is still suspended), which is
/// how whoever stepped it tells [`Stepped::Handed`] from a real end.
#[inline]
pub fn handed<Y, T>() -> Result<Y, EarlyExit<T>> {
    Err(EarlyExit::Finished)
}

/// One stage of a delegation chain: a boxed delegate, with what its delegation needs back.
pub trait Stage<R, Y> {
    /// Steps the stage; `None` when it resumes after a stage it handed off ended (or for its
    /// first step, which takes the value its delegation was given).
    fn step(&mut self, arg: Option<R>) -> StageStep<Y>;
    /// After [`StageStep::Handed`]: the stage it handed off.
    fn take_handed<'a>(&mut self) -> Option<Level<'a, R, Y>>
    where
        Self: 'a;
    /// Kills the stage's delegate (it is being dropped with its chain).
    fn kill(&mut self);
    /// Ends the stage's delegate as the panic that is unwinding through its chain would have,
    /// had it gone through the delegate (it is being dropped with the chain).
    fn unwound(&mut self);
    /// The frame of the coroutine whose delegation handed this stage off, which it runs under.
    fn frame(&self) -> Frame;
}

/// What a stage did when stepped.
#[derive(Debug)]
pub enum StageStep<Y> {
    /// It suspended with this value.
    Yield(Y),
    /// It ended; its outcome waits for its delegation.
    Done,
    /// It handed off a stage of its own.
    Handed,
}

/// A stage on a trampoline's stack. Shared, so that the delegation that handed it off can read
/// its outcome through a [`Weak`] once it has ended; the stack holds the only strong reference.
pub type Level<'a, R, Y> = Rc<RefCell<dyn Stage<R, Y> + 'a>>;

/// Steps `c` in `mode`.
#[inline]
pub(crate) fn step_of<R, C: Coroutine<R>>(
    c: &mut C,
    arg: Option<R>,
    mode: Mode,
) -> Stepped<C::Yield, C::Return> {
    match (mode, arg) {
        (Mode::Top, Some(arg)) => match c.resume(arg) {
            Ok(y) => Stepped::Yield(y),
            Err(e) => Stepped::End(e),
        },
        (_, arg) => step(c, arg),
    }
}

/// Says that a delegate outlives `'a`, for a function that cannot say it in a bound.
pub type Anchor<'a, C> = PhantomData<&'a C>;

/// The stage `c` handed off.
#[inline]
pub(crate) fn take_of<'a, R, C: Coroutine<R>>(
    c: &mut C,
    _: Anchor<'a, C>,
) -> Option<Level<'a, R, C::Yield>> {
    c.__take_handed()
}

/// A boxed delegate that was handed to a trampoline.
struct Handed<R, C: Coroutine<R>> {
    /// `None` once it has ended (dropped then, as a finished delegate is).
    coro: Option<C>,
    /// The value its first step resumes it with.
    first: Option<R>,
    outcome: Option<EarlyExit<C::Return>>,
    frame: Frame,
}

impl<R, C: Coroutine<R>> Stage<R, C::Yield> for Handed<R, C> {
    fn step(&mut self, arg: Option<R>) -> StageStep<C::Yield> {
        let arg = arg.or_else(|| self.first.take());
        let Some(coro) = self.coro.as_mut() else {
            unreachable!("a delegation chain stepped a stage that had ended");
        };
        match step(coro, arg) {
            Stepped::Yield(y) => StageStep::Yield(y),
            Stepped::Handed => StageStep::Handed,
            Stepped::End(e) => {
                self.outcome = Some(e);
                self.coro = None;
                StageStep::Done
            }
        }
    }

    fn take_handed<'a>(&mut self) -> Option<Level<'a, R, C::Yield>>
    where
        Self: 'a,
    {
        self.coro.as_mut()?.__take_handed()
    }

    fn kill(&mut self) {
        if let Some(coro) = self.coro.as_mut() {
            coro.abandon();
        }
    }

    fn unwound(&mut self) {
        if let Some(coro) = self.coro.as_mut() {
            coro.__unwound();
        }
    }

    fn frame(&self) -> Frame {
        self.frame
    }
}

/// Where a boxed delegation's delegate is.
enum Place<R, C: Coroutine<R>> {
    /// In the delegation: resumed from here, as the first stage of this trampoline.
    Here(C),
    /// Handed to a trampoline further out, which owns it.
    Away(Weak<RefCell<Handed<R, C>>>),
}

/// A delegation to a boxed delegate (`suspend_from!(g(..).boxed())`): the trampoline of the
/// chain below it (see the module doc).
pub struct BoxDelegation<'c, R, Y, C: Coroutine<R>> {
    place: Place<R, C>,
    /// The stages below the delegate, innermost last.
    chain: Vec<Level<'c, R, Y>>,
    /// Set when this delegation handed its delegate off, until the stepper takes it: the value
    /// the delegate's first step resumes it with, and the delegating coroutine's frame.
    handing: Option<(Option<R>, Frame)>,
    /// The delegate has ended (returned, or reported an earlier end).
    ended: bool,
    /// A resume of the delegate or of a stage is running: a drop meanwhile is the unwinding of
    /// a panic that went through them.
    stepping: bool,
    /// `YieldsAs::level` of the delegate's yield type, fixed where the delegation starts, so
    /// that handing the delegate off needs no bound (a delegate of another yield type is then
    /// reported once, where it is given).
    level: for<'a> fn(Level<'a, R, C::Yield>) -> Level<'a, R, Y>,
}

/// Starts the delegation `suspend_from!(coro.boxed())`: one that may become a chain's
/// trampoline, or a stage of one. Any coroutine will do (a `.boxed()` of the user's own that
/// returns something else than a `Box` included).
#[inline]
pub fn delegation_boxed<'c, R, Y, C>(coro: C) -> BoxDelegation<'c, R, Y, C>
where
    C: Coroutine<R> + 'c,
    C::Yield: YieldsAs<Y>,
{
    BoxDelegation {
        place: Place::Here(coro),
        chain: Vec::new(),
        handing: None,
        ended: false,
        stepping: false,
        level: <C::Yield as YieldsAs<Y>>::level::<R>,
    }
}

impl<'c, R: 'c, Y: 'c, C: Coroutine<R> + 'c> BoxDelegation<'c, R, Y, C>
where
    C::Yield: YieldsAs<Y>,
{
    /// Resumes the delegation with `arg` (`None`: its handed-off delegate has ended).
    #[inline]
    pub fn resume(&mut self, arg: Option<R>, mode: Mode) -> Delegated<Y, C::Return> {
        // The common case first, small enough to inline: the delegate is here, with no chain
        // below it, and this delegation is not itself inside a chain.
        match &mut self.place {
            Place::Here(_) if mode == Mode::Top && self.chain.is_empty() => {
                match self.step_here(arg) {
                    Some(done) => done,
                    None => self.drive_with(None),
                }
            }
            _ => self.resume_chained(arg, mode),
        }
    }

    /// The other cases of [`resume`](Self::resume).
    #[inline(never)]
    fn resume_chained(&mut self, arg: Option<R>, mode: Mode) -> Delegated<Y, C::Return> {
        match &self.place {
            Place::Here(_) if mode == Mode::Level && self.chain.is_empty() => {
                self.handing = Some((arg, current::running_frame()));
                Delegated::Handed
            }
            Place::Here(_) => self.drive_with(arg),
            Place::Away(stage) => {
                self.ended = true;
                let outcome = stage
                    .upgrade()
                    .and_then(|stage| stage.borrow_mut().outcome.take());
                match outcome {
                    Some(EarlyExit::Returned(v)) => Delegated::Returned(v),
                    _ => Delegated::Ended,
                }
            }
        }
    }

    /// Steps the delegate itself: what the delegation does then, or `None` when the delegate
    /// handed off a stage, which is now the innermost of the chain.
    #[inline]
    fn step_here(&mut self, arg: Option<R>) -> Option<Delegated<Y, C::Return>> {
        let Place::Here(coro) = &mut self.place else {
            unreachable!("a trampoline's delegate was handed off");
        };
        // Counted as ended while it runs: a delegate whose resume panics is not killed again
        // while the panic unwinds.
        self.ended = true;
        match step(coro, arg) {
            Stepped::Yield(y) => {
                self.ended = false;
                Some(Delegated::Yield(y.into_yield()))
            }
            Stepped::End(EarlyExit::Returned(v)) => Some(Delegated::Returned(v)),
            Stepped::End(_) => Some(Delegated::Ended),
            Stepped::Handed => self.push_handed(),
        }
    }

    /// The delegate has just handed off a stage: it goes on the chain.
    #[cold]
    #[inline(never)]
    fn push_handed(&mut self) -> Option<Delegated<Y, C::Return>> {
        let Place::Here(coro) = &mut self.place else {
            unreachable!("a trampoline's delegate was handed off");
        };
        match coro.__take_handed() {
            Some(stage) => {
                self.ended = false;
                self.chain.push(YieldsAs::level(stage));
                None
            }
            // A hand-written delegate that said it finished while its status says it has not:
            // it has ended.
            None => Some(Delegated::Ended),
        }
    }

    /// Resumes the innermost stage until something suspends or the delegate itself ends; a
    /// resume value goes to the innermost stage.
    fn drive_with(&mut self, arg: Option<R>) -> Delegated<Y, C::Return> {
        self.stepping = true;
        let out = self.drive_steps(arg);
        self.stepping = false;
        out
    }

    fn drive_steps(&mut self, mut arg: Option<R>) -> Delegated<Y, C::Return> {
        // The stage that just ended, kept until the stage below has read its outcome.
        let mut finished: Option<Level<'c, R, Y>> = None;
        loop {
            if let Some(top) = self.chain.last() {
                let top = Rc::clone(top);
                let frame = top.borrow().frame();
                let step = current::as_frame(frame, || top.borrow_mut().step(arg.take()));
                finished = None;
                match step {
                    StageStep::Yield(y) => return Delegated::Yield(y),
                    StageStep::Handed => match top.borrow_mut().take_handed() {
                        Some(stage) => self.chain.push(stage),
                        // A hand-written delegate that contradicts itself: it has ended.
                        None => finished = self.chain.pop(),
                    },
                    StageStep::Done => finished = self.chain.pop(),
                }
            } else {
                let done = self.step_here(arg.take());
                drop(finished.take());
                if let Some(done) = done {
                    return done;
                }
            }
        }
    }
}

impl<'c, R: 'c, Y: 'c, C: Coroutine<R> + 'c> BoxDelegation<'c, R, Y, C> {
    /// After [`Delegated::Handed`]: the delegate, as a stage of the trampoline further out.
    pub fn take_handed<'a>(&mut self) -> Option<Level<'a, R, Y>>
    where
        Self: 'a,
    {
        let (first, frame) = self.handing.take()?;
        let Place::Here(_) = self.place else {
            return None;
        };
        let stage = Rc::new(RefCell::new(Handed {
            coro: None,
            first,
            outcome: None,
            frame,
        }));
        let here = core::mem::replace(&mut self.place, Place::Away(Rc::downgrade(&stage)));
        let Place::Here(coro) = here else {
            unreachable!()
        };
        stage.borrow_mut().coro = Some(coro);
        Some((self.level)(stage))
    }
}

impl<R, Y, C: Coroutine<R>> Drop for BoxDelegation<'_, R, Y, C> {
    fn drop(&mut self) {
        // Dropped while a step runs: a panic is unwinding from the innermost stage through the
        // trampoline. The stages and the delegate end as they would have had the panic gone
        // through each of them, innermost first: not killed.
        let unwinding = self.stepping;
        // Innermost first, one stage at a time: a deep chain neither recurses nor drops a
        // delegating coroutine before its delegate; and if ending a stage panics, the guard's
        // drop goes on with the next ones, in the same order.
        Stages {
            chain: &mut self.chain,
            unwinding,
        }
        .end_all();
        if let Place::Here(coro) = &mut self.place
            && !self.ended
        {
            if unwinding {
                coro.__unwound();
            } else {
                coro.abandon();
            }
        }
    }
}

/// Ends the stages of a chain that is being dropped, innermost first (see `BoxDelegation`'s
/// drop), and goes on with the rest when ending one panics.
struct Stages<'a, 'c, R, Y> {
    chain: &'a mut Vec<Level<'c, R, Y>>,
    unwinding: bool,
}

impl<R, Y> Stages<'_, '_, R, Y> {
    fn end_all(&mut self) {
        while let Some(stage) = self.chain.pop() {
            if self.unwinding {
                stage.borrow_mut().unwound();
            } else {
                stage.borrow_mut().kill();
            }
            drop(stage);
        }
    }
}

impl<R, Y> Drop for Stages<'_, '_, R, Y> {
    fn drop(&mut self) {
        // Empty unless ending a stage panicked: the rest end as the panic unwinds.
        self.unwinding = true;
        self.end_all();
    }
}

/// What a delegate yields, as what the delegating coroutine yields: implemented only for the
/// same type, so that a delegate that yields another one is reported where it is given.
#[diagnostic::on_unimplemented(
    message = "this delegate yields `{Self}`, and the coroutine yields `{Y}`",
    label = "yields `{Self}`, not `{Y}`",
    note = "`suspend_from!` suspends the delegating coroutine with each value its delegate yields, so both must yield the same type"
)]
pub trait YieldsAs<Y>: Sized {
    /// The value, as the coroutine's (it is the same).
    fn into_yield(self) -> Y;
    /// A stage the delegate handed off, as a stage of the coroutine's chain (the same).
    fn level<R>(stage: Level<'_, R, Self>) -> Level<'_, R, Y>;
}

impl<Y> YieldsAs<Y> for Y {
    #[inline]
    fn into_yield(self) -> Y {
        self
    }

    #[inline]
    fn level<R>(stage: Level<'_, R, Y>) -> Level<'_, R, Y> {
        stage
    }
}

/// A delegation of the generated state, asked for the delegate it handed off.
pub trait Delegates<R, Y> {
    /// See [`BoxDelegation::take_handed`].
    fn take_handed<'a>(&mut self) -> Option<Level<'a, R, Y>>
    where
        Self: 'a;
}

impl<'c, R: 'c, Y: 'c, C: Coroutine<R> + 'c> Delegates<R, Y> for BoxDelegation<'c, R, Y, C> {
    #[inline]
    fn take_handed<'a>(&mut self) -> Option<Level<'a, R, Y>>
    where
        Self: 'a,
    {
        BoxDelegation::take_handed(self)
    }
}

/// The generated state of a coroutine with delegations: finds the delegation that handed off.
pub trait Handing<R, Y> {
    /// The stage the state's delegation handed off, if it did.
    fn take_handed<'a>(&mut self) -> Option<Level<'a, R, Y>>
    where
        Self: 'a;
}
