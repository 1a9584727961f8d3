//! Iterators over a generator that keep what a `for` loop would lose: its return value.

use crate::{Coroutine, EarlyExit};

/// An iterator over what a generator yields that keeps what it returns, for after the loop:
/// what [`Coroutine::yields`] returns.
///
/// A `for` loop over a generator drops its return value (an `Iterator` has nowhere to put it),
/// which loses, for instance, the `io::Error` of a body that uses `?`. Iterate `&mut` this
/// instead, then ask [`returned`](Yields::returned). Python's `yield from` gives the same value
/// to the delegating generator; in Rust, `suspend_from!` does.
///
/// ```
/// use coro::{Coroutine, suspend};
///
/// #[coro::coroutine(yield = u32)]
/// fn squares(n: u32) -> &'static str {
///     for i in 1..=n {
///         suspend!(i * i);
///     }
///     "done"
/// }
///
/// let mut it = squares(3).yields();
/// let mut seen = Vec::new();
/// for x in &mut it {
///     seen.push(x);
/// }
/// assert_eq!(seen, [1, 4, 9]);
/// assert_eq!(it.returned(), Some("done"));
/// assert_eq!(it.returned(), None, "taken once");
/// ```
#[derive(Debug)]
pub struct Yields<C: Coroutine> {
    coro: C,
    returned: Option<C::Return>,
    done: bool,
}

impl<C: Coroutine> Yields<C> {
    pub(crate) fn new(coro: C) -> Self {
        Yields {
            coro,
            returned: None,
            done: false,
        }
    }

    /// The generator's return value, once it has returned (and only the first time this is
    /// asked); `None` before, or if it ended otherwise (killed, panicked, or had already
    /// returned before this iterator was made).
    pub fn returned(&mut self) -> Option<C::Return> {
        self.returned.take()
    }

    /// The generator itself.
    pub fn into_inner(self) -> C {
        self.coro
    }
}

impl<C: Coroutine> Iterator for Yields<C> {
    type Item = C::Yield;

    #[inline]
    fn next(&mut self) -> Option<C::Yield> {
        if self.done {
            return None;
        }
        match self.coro.resume(()) {
            Ok(value) => Some(value),
            Err(exit) => {
                self.done = true;
                self.returned = exit.into_returned();
                None
            }
        }
    }
}

impl<C: Coroutine> core::iter::FusedIterator for Yields<C> {}

/// An iterator of `Result<Y, E>` over a generator that returns `Result<(), E>`: its yields as
/// `Ok`, then its error as the last item, if it returned one. What [`Coroutine::try_yields`]
/// returns.
///
/// ```
/// use coro::{Coroutine, suspend};
///
/// #[coro::coroutine(yield = u32)]
/// fn parse(text: &str) -> Result<(), std::num::ParseIntError> {
///     for word in text.split(' ') {
///         suspend!(word.parse()?);
///     }
///     Ok(())
/// }
///
/// let all: Result<Vec<u32>, _> = parse("1 2 3").try_yields().collect();
/// assert_eq!(all, Ok(vec![1, 2, 3]));
/// let items: Vec<_> = parse("1 x 3").try_yields().collect();
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0], Ok(1));
/// assert!(items[1].is_err());
/// ```
#[derive(Debug)]
pub struct TryYields<C> {
    coro: C,
    done: bool,
}

impl<C> TryYields<C> {
    pub(crate) fn new(coro: C) -> Self {
        TryYields { coro, done: false }
    }

    /// The generator itself.
    pub fn into_inner(self) -> C {
        self.coro
    }
}

impl<C, E> Iterator for TryYields<C>
where
    C: Coroutine<Return = Result<(), E>>,
{
    type Item = Result<C::Yield, E>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.coro.resume(()) {
            Ok(value) => Some(Ok(value)),
            Err(EarlyExit::Returned(Err(error))) => {
                self.done = true;
                Some(Err(error))
            }
            Err(_) => {
                self.done = true;
                None
            }
        }
    }
}

impl<C, E> core::iter::FusedIterator for TryYields<C> where C: Coroutine<Return = Result<(), E>> {}
