//! What a resumer sees when a coroutine does not suspend.

use core::fmt;

use crate::Status;

/// The outcome of a resume that did not end in a suspension: the seed's `EarlyExit`, Python's
/// later `StopIteration`.
///
/// [`Coroutine::resume`](crate::Coroutine::resume) returns `Err(EarlyExit::Returned(value))`
/// exactly once, when the body falls through its end or `return`s. Every later resume returns one
/// of the other variants, which say why nothing ran. Resuming a dead coroutine never panics.
///
/// # Examples
///
/// ```
/// use coro::{Coroutine, EarlyExit, suspend};
///
/// #[coro::coroutine(yield = u32)]
/// fn one() -> &'static str {
///     suspend!(1);
///     "done"
/// }
///
/// let mut c = one();
/// assert_eq!(c.resume(()), Ok(1));
/// assert_eq!(c.resume(()), Err(EarlyExit::Returned("done")));
/// assert_eq!(c.resume(()), Err(EarlyExit::Finished));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EarlyExit<T> {
    /// The body fell through its end, or returned, with this value. Reported once.
    Returned(T),
    /// The coroutine had already returned before this resume.
    Finished,
    /// The coroutine had been [killed](crate::Coroutine::kill) before this resume.
    Killed,
    /// The body panicked during an earlier resume; the panic went to that resumer.
    Panicked,
}

impl<T> EarlyExit<T> {
    /// The return value, if this is the resume on which the body returned.
    ///
    /// ```
    /// use coro::EarlyExit;
    ///
    /// assert_eq!(EarlyExit::Returned(7).into_returned(), Some(7));
    /// assert_eq!(EarlyExit::<i32>::Killed.into_returned(), None);
    /// ```
    pub fn into_returned(self) -> Option<T> {
        match self {
            EarlyExit::Returned(value) => Some(value),
            _ => None,
        }
    }

    /// Whether this carries the return value.
    ///
    /// ```
    /// use coro::EarlyExit;
    ///
    /// assert!(EarlyExit::Returned(()).is_returned());
    /// assert!(!EarlyExit::<()>::Finished.is_returned());
    /// ```
    pub fn is_returned(&self) -> bool {
        matches!(self, EarlyExit::Returned(_))
    }

    /// The status the coroutine is in after this exit: [`Status::Finished`] for both
    /// `Returned` and `Finished`.
    ///
    /// ```
    /// use coro::{EarlyExit, Status};
    ///
    /// assert_eq!(EarlyExit::Returned(1).status(), Status::Finished);
    /// assert_eq!(EarlyExit::<i32>::Panicked.status(), Status::Panicked);
    /// ```
    pub fn status(&self) -> Status {
        match self {
            EarlyExit::Returned(_) | EarlyExit::Finished => Status::Finished,
            EarlyExit::Killed => Status::Killed,
            EarlyExit::Panicked => Status::Panicked,
        }
    }

    /// Maps the return value, keeping the other variants.
    ///
    /// ```
    /// use coro::EarlyExit;
    ///
    /// assert_eq!(EarlyExit::Returned(2).map(|n| n * 10), EarlyExit::Returned(20));
    /// assert_eq!(EarlyExit::<i32>::Killed.map(|n| n * 10), EarlyExit::Killed);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> EarlyExit<U> {
        match self {
            EarlyExit::Returned(value) => EarlyExit::Returned(f(value)),
            EarlyExit::Finished => EarlyExit::Finished,
            EarlyExit::Killed => EarlyExit::Killed,
            EarlyExit::Panicked => EarlyExit::Panicked,
        }
    }
}

impl<T> fmt::Display for EarlyExit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EarlyExit::Returned(_) => "coroutine returned",
            EarlyExit::Finished => "coroutine had already returned",
            EarlyExit::Killed => "coroutine was killed",
            EarlyExit::Panicked => "coroutine had panicked",
        })
    }
}

impl<T: fmt::Debug> std::error::Error for EarlyExit<T> {}

/// The result of a resume in the shape of nightly Rust's `core::ops::CoroutineState`.
///
/// For code written against the nightly trait: convert a resume's result with
/// [`TryFrom`]. A resume of a coroutine that had already finished, was killed or panicked has no
/// nightly counterpart (nightly panics), so it converts to an error carrying the [`EarlyExit`].
///
/// ```
/// use coro::{Coroutine, CoroutineState, EarlyExit, suspend};
///
/// #[coro::coroutine(yield = char)]
/// fn ab() -> usize {
///     suspend!('a');
///     suspend!('b');
///     2
/// }
///
/// let mut c = ab();
/// assert_eq!(CoroutineState::try_from(c.resume(())), Ok(CoroutineState::Yielded('a')));
/// assert_eq!(CoroutineState::try_from(c.resume(())), Ok(CoroutineState::Yielded('b')));
/// assert_eq!(CoroutineState::try_from(c.resume(())), Ok(CoroutineState::Complete(2)));
/// assert_eq!(CoroutineState::try_from(c.resume(())), Err(EarlyExit::Finished));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoroutineState<Y, R> {
    /// The coroutine suspended with a value.
    Yielded(Y),
    /// The coroutine returned with a value.
    Complete(R),
}

impl<Y, T> TryFrom<Result<Y, EarlyExit<T>>> for CoroutineState<Y, T> {
    type Error = EarlyExit<T>;

    fn try_from(step: Result<Y, EarlyExit<T>>) -> Result<Self, Self::Error> {
        match step {
            Ok(value) => Ok(CoroutineState::Yielded(value)),
            Err(EarlyExit::Returned(value)) => Ok(CoroutineState::Complete(value)),
            Err(dead) => Err(dead),
        }
    }
}

impl<Y, T> From<CoroutineState<Y, T>> for Result<Y, EarlyExit<T>> {
    fn from(state: CoroutineState<Y, T>) -> Self {
        match state {
            CoroutineState::Yielded(value) => Ok(value),
            CoroutineState::Complete(value) => Err(EarlyExit::Returned(value)),
        }
    }
}
