//! The `Coroutine` trait.

use crate::{BoxCoroutine, EarlyExit, TryYields, Yields};

/// A computation that can suspend itself with a value and be resumed later, possibly with a
/// value.
///
/// A `#[coroutine]` function returns an `impl Coroutine<R, Yield = Y, Return = T>`. Creating it
/// runs nothing; each [`resume`](Coroutine::resume) runs the body up to its next `suspend!`,
/// whose value it returns as `Ok`. When the body falls through its end, the resume returns
/// `Err(EarlyExit::Returned(value))`; every later resume returns another [`EarlyExit`].
///
/// Coroutines whose resume type is `()` are also [`Iterator`]s over their yielded values (the
/// return value is dropped), and fused.
///
/// # The first resume
///
/// The value passed to the first `resume` starts the body. A `#[coroutine]` whose resume type is
/// not `()` names it with a `#[resume]` parameter, so it is never lost:
///
/// ```
/// use coro::{Coroutine, EarlyExit, suspend};
///
/// /// Echoes running totals of what it is sent.
/// #[coro::coroutine(yield = i64, resume = i64)]
/// fn running_total(#[resume] first: i64) {
///     let mut total = first;
///     loop {
///         total += suspend!(total);
///     }
/// }
///
/// let mut c = running_total();
/// assert_eq!(c.resume(5), Ok(5));
/// assert_eq!(c.resume(10), Ok(15));
/// assert_eq!(c.resume(-1), Ok(14));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a coroutine resumed with `{R}`",
    label = "not a `Coroutine<{R}>`",
    note = "`suspend_from!` resumes its delegate with the delegating coroutine's resume type, here `{R}`; an iterator or a range is not a coroutine: loop over it with `for` and `suspend!` each item; a `Stream` (an async coroutine) is delegated to only from an async coroutine, `#[coro::coroutine(yield = T, async)]` on an `async fn`"
)]
pub trait Coroutine<R = ()> {
    /// The type of the values the body suspends with.
    type Yield;
    /// The type of the value the body returns.
    type Return;

    /// Runs the body until it suspends (`Ok(value)`) or ends (`Err`).
    ///
    /// `arg` becomes the value of the `suspend!` the body is paused at, or, on the first resume,
    /// the value of its `#[resume]` parameter.
    ///
    /// # Errors
    ///
    /// [`EarlyExit::Returned`] when the body falls through its end during this resume, carrying
    /// its return value; [`EarlyExit::Finished`], [`EarlyExit::Killed`] or
    /// [`EarlyExit::Panicked`] when it had already ended before (nothing runs then).
    ///
    /// # Panics
    ///
    /// A panic in the body propagates to the caller of `resume`; the coroutine is then
    /// [`Status::Panicked`], its locals dropped.
    fn resume(&mut self, arg: R) -> Result<Self::Yield, EarlyExit<Self::Return>>;

    /// Ends a suspended or unstarted coroutine now.
    ///
    /// The locals it holds are dropped, each once, in the order Rust drops them at the point
    /// where the body is paused (innermost delegate first, then reverse declaration order).
    /// Later resumes return [`EarlyExit::Killed`]. Killing a coroutine that has already ended
    /// does nothing. Dropping a suspended coroutine does the same as killing it.
    ///
    /// ```
    /// use coro::{Coroutine, EarlyExit, Status, suspend};
    ///
    /// #[coro::coroutine(yield = u8)]
    /// fn forever() {
    ///     loop {
    ///         suspend!(0);
    ///     }
    /// }
    ///
    /// let mut c = forever();
    /// assert_eq!(c.resume(()), Ok(0));
    /// c.kill();
    /// assert_eq!(c.status(), Status::Killed);
    /// assert_eq!(c.resume(()), Err(EarlyExit::Killed));
    /// ```
    fn kill(&mut self);

    /// Where the coroutine is in its life.
    fn status(&self) -> Status;

    /// What the end of a `suspend_from!` that did not run to its end (the delegating coroutine
    /// was killed or dropped) does to this delegate: kills it, unless the delegation only
    /// borrowed it (`suspend_from!(&mut c)`), which leaves it with its owner where it was.
    #[doc(hidden)]
    fn abandon(&mut self) {
        self.kill();
    }

    /// Resumes the coroutine as a stage of a delegation chain (see `__private::chain`), which
    /// only generated coroutines take part in: resuming is all the others do. `None` comes only
    /// after the coroutine handed off a delegate. `Err(EarlyExit::Finished)` from a coroutine
    /// whose status is still alive says that it handed one off.
    #[doc(hidden)]
    #[inline]
    fn __step(&mut self, arg: Option<R>) -> Result<Self::Yield, EarlyExit<Self::Return>> {
        let Some(arg) = arg else {
            unreachable!("a coroutine that hands nothing off was stepped without a value");
        };
        self.resume(arg)
    }

    /// The coroutine is dropped with a delegation chain it is a stage of (or the delegate of
    /// its trampoline) while a panic unwinds from a stage further in: it ends as it would have
    /// had the panic gone through it (panicked, its locals dropped, not killed). Others have
    /// nothing to do: dropping them is what the unwinding would have done.
    #[doc(hidden)]
    #[inline]
    fn __unwound(&mut self) {}

    /// After `__step` said it handed a delegate off: that delegate.
    #[doc(hidden)]
    #[inline]
    fn __take_handed<'a>(&mut self) -> Option<crate::__private::Level<'a, R, Self::Yield>>
    where
        Self: 'a,
    {
        None
    }

    /// The coroutine's name, as [`current`](crate::current) reports it inside: the function's
    /// name, or the `name = ".."` option. `None` for coroutines that do not say.
    ///
    /// ```
    /// use coro::Coroutine;
    ///
    /// #[coro::coroutine(yield = u8, name = "ticker")]
    /// fn tick() {}
    ///
    /// assert_eq!(tick().name(), Some("ticker"));
    /// ```
    fn name(&self) -> Option<&'static str> {
        None
    }

    /// Resumes the coroutine with an error instead of a value: the seed's "send an exception",
    /// Python's `generator.throw`.
    ///
    /// For a coroutine suspended at a `suspend!` whose resume type is `Result<T, E>`, this is
    /// `resume(Err(error))`: the `suspend!` evaluates to `Err(error)`, so `suspend!(x)?`
    /// propagates it and a `match` can handle it. What the body does next is what this returns.
    ///
    /// A coroutine that is not suspended cannot take the error, and it comes back to the thrower
    /// ([`Thrown::Refused`]): one that has ended (returned, killed, panicked) is left as it is,
    /// and one that has not started is killed first, without running any of its body, as Python
    /// closes an unstarted generator that is thrown into.
    ///
    /// # Errors
    ///
    /// [`Thrown::Ended`] with what [`resume`](Coroutine::resume) would have returned when the
    /// body ends during this resume; [`Thrown::Refused`] with the error when no body ran.
    ///
    /// ```
    /// use coro::{Coroutine, EarlyExit, Status, Thrown, suspend};
    ///
    /// #[coro::coroutine(yield = u32, resume = Result<(), String>)]
    /// fn worker(#[resume] start: Result<(), String>) -> Result<u32, String> {
    ///     start?;
    ///     let mut done = 0;
    ///     loop {
    ///         match suspend!(done) {
    ///             Ok(()) => done += 1,
    ///             Err(e) if e == "skip" => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// }
    ///
    /// let mut w = worker();
    /// assert_eq!(w.resume(Ok(())), Ok(0));
    /// assert_eq!(w.resume(Ok(())), Ok(1));
    /// assert_eq!(w.throw("skip".to_string()), Ok(1));
    /// assert_eq!(
    ///     w.throw("stop".to_string()),
    ///     Err(Thrown::Ended(EarlyExit::Returned(Err("stop".to_string()))))
    /// );
    /// // Finished now: the next error comes back.
    /// assert_eq!(
    ///     w.throw("late".to_string()),
    ///     Err(Thrown::Refused("late".to_string(), Status::Finished))
    /// );
    /// ```
    fn throw<E>(&mut self, error: E) -> Result<Self::Yield, Thrown<E, Self::Return>>
    where
        R: Throw<E>,
        Self: Sized,
    {
        match self.status() {
            Status::Suspended => self.resume(R::thrown(error)).map_err(Thrown::Ended),
            Status::Unstarted => {
                self.kill();
                Err(Thrown::Refused(error, Status::Unstarted))
            }
            ended => Err(Thrown::Refused(error, ended)),
        }
    }

    /// An iterator over the values a generator yields that keeps its return value for after the
    /// loop: see [`Yields`].
    fn yields(self) -> Yields<Self>
    where
        Self: Sized + Coroutine<()>,
    {
        Yields::new(self)
    }

    /// An iterator of `Result<Y, E>` over a generator that returns `Result<(), E>`, ending at
    /// the error: see [`TryYields`].
    fn try_yields<E>(self) -> TryYields<Self>
    where
        Self: Sized + Coroutine<(), Return = Result<(), E>>,
    {
        TryYields::new(self)
    }

    /// Boxes the coroutine behind a type-erased [`BoxCoroutine`], so that coroutines of
    /// different bodies can share a struct field or a collection.
    ///
    /// ```
    /// use coro::{BoxCoroutine, suspend};
    ///
    /// #[coro::coroutine(yield = u32)]
    /// fn count(n: u32) {
    ///     for i in 0..n {
    ///         suspend!(i);
    ///     }
    /// }
    ///
    /// #[coro::coroutine(yield = u32)]
    /// fn constant(v: u32, n: usize) {
    ///     for _ in 0..n {
    ///         suspend!(v);
    ///     }
    /// }
    ///
    /// use coro::Coroutine as _;
    /// let all: Vec<BoxCoroutine<'_, (), u32, ()>> = vec![count(3).boxed(), constant(9, 2).boxed()];
    /// let flat: Vec<u32> = all.into_iter().flatten().collect();
    /// assert_eq!(flat, [0, 1, 2, 9, 9]);
    /// ```
    fn boxed<'a>(self) -> BoxCoroutine<'a, R, Self::Yield, Self::Return>
    where
        Self: Sized + 'a,
    {
        Box::new(self)
    }
}

/// Where a coroutine is in its life; see [`Coroutine::status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Created, never resumed: nothing of the body has run.
    Unstarted,
    /// Paused at a suspension point.
    Suspended,
    /// The body returned.
    Finished,
    /// Killed while unstarted or suspended.
    Killed,
    /// The body panicked.
    Panicked,
}

impl Status {
    /// Whether a resume would run the body (unstarted or suspended).
    ///
    /// ```
    /// use coro::Status;
    ///
    /// assert!(Status::Suspended.is_alive());
    /// assert!(!Status::Killed.is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(self) -> bool {
        matches!(self, Status::Unstarted | Status::Suspended)
    }
}

/// How a [`Coroutine::throw`] ends when the coroutine does not suspend again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Thrown<E, T> {
    /// The body took the error and ended during this resume: what
    /// [`resume`](Coroutine::resume) would have returned.
    Ended(EarlyExit<T>),
    /// The coroutine was not suspended at a suspension point, so no body saw the error: it is
    /// handed back, with the status the coroutine had (an unstarted one is killed first).
    Refused(E, Status),
}

impl<E, T> Thrown<E, T> {
    /// The error, if it was handed back.
    ///
    /// ```
    /// use coro::{Status, Thrown};
    ///
    /// let t: Thrown<&str, ()> = Thrown::Refused("oops", Status::Killed);
    /// assert_eq!(t.refused(), Some("oops"));
    /// ```
    pub fn refused(self) -> Option<E> {
        match self {
            Thrown::Refused(error, _) => Some(error),
            Thrown::Ended(_) => None,
        }
    }
}

impl<E, T> core::fmt::Display for Thrown<E, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Thrown::Ended(exit) => write!(f, "{exit}"),
            Thrown::Refused(_, status) => write!(
                f,
                "the error was thrown into a coroutine that was not suspended ({status:?}) and came back"
            ),
        }
    }
}

impl<E: core::fmt::Debug, T: core::fmt::Debug> std::error::Error for Thrown<E, T> {}

/// A resume type that can carry an injected error: see [`Coroutine::throw`].
///
/// Implemented for `Result<T, E>`: throwing `e` resumes with `Err(e)`.
pub trait Throw<E> {
    /// The resume value that delivers `error`.
    fn thrown(error: E) -> Self;
}

impl<T, E> Throw<E> for Result<T, E> {
    fn thrown(error: E) -> Self {
        Err(error)
    }
}

impl<R, C: Coroutine<R> + ?Sized> Coroutine<R> for Box<C> {
    type Yield = C::Yield;
    type Return = C::Return;

    #[inline]
    fn resume(&mut self, arg: R) -> Result<Self::Yield, EarlyExit<Self::Return>> {
        (**self).resume(arg)
    }

    #[inline]
    fn __step(&mut self, arg: Option<R>) -> Result<Self::Yield, EarlyExit<Self::Return>> {
        (**self).__step(arg)
    }

    #[inline]
    fn __take_handed<'a>(&mut self) -> Option<crate::__private::Level<'a, R, Self::Yield>>
    where
        Self: 'a,
    {
        (**self).__take_handed()
    }

    fn __unwound(&mut self) {
        (**self).__unwound();
    }

    fn kill(&mut self) {
        (**self).kill();
    }

    fn abandon(&mut self) {
        (**self).abandon();
    }

    fn status(&self) -> Status {
        (**self).status()
    }

    fn name(&self) -> Option<&'static str> {
        (**self).name()
    }
}

/// Delegating to a borrowed coroutine (`suspend_from!(&mut c)`) leaves it with the caller
/// afterwards, and also when the delegating coroutine is killed or dropped in the middle of the
/// delegation: then `c` stays suspended where it was, for its owner to resume or kill.
impl<R, C: Coroutine<R> + ?Sized> Coroutine<R> for &mut C {
    type Yield = C::Yield;
    type Return = C::Return;

    #[inline]
    fn resume(&mut self, arg: R) -> Result<Self::Yield, EarlyExit<Self::Return>> {
        (**self).resume(arg)
    }

    fn kill(&mut self) {
        (**self).kill();
    }

    fn abandon(&mut self) {}

    fn status(&self) -> Status {
        (**self).status()
    }

    fn name(&self) -> Option<&'static str> {
        (**self).name()
    }
}
