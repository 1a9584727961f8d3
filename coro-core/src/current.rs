//! Which coroutine is running on this thread: the seed's `current()`.
//!
//! The thread keeps one [`Frame`] describing the running coroutine. Every resume of a
//! `#[coroutine]` swaps its own frame in and the previous one back out, which costs a few
//! thread-local loads and stores and nothing else: identities are handed out lazily, the first
//! time somebody asks for one, so coroutines that nobody asks about never touch the global
//! counter.

use core::cell::Cell;
use core::fmt;
use core::num::NonZeroU64;
use core::sync::atomic::{AtomicU64, Ordering};

/// The stable identity of one coroutine (or of one recursive frame of a coroutine: see
/// [`current`]).
///
/// Identities are unique within the process. A coroutine gets one the first time it is asked
/// for, and keeps it for its whole life; a clone is a new coroutine with a new identity.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CoroutineId(NonZeroU64);

impl CoroutineId {
    /// The identity as a number, for logs.
    ///
    /// ```
    /// use coro::{current, suspend};
    ///
    /// #[coro::coroutine(yield = u64)]
    /// fn me() {
    ///     suspend!(current().unwrap().id().get());
    /// }
    ///
    /// let id = me().next().unwrap();
    /// assert!(id > 0);
    /// ```
    #[must_use]
    pub fn get(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for CoroutineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CoroutineId({})", self.0)
    }
}

impl fmt::Display for CoroutineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What [`current`] reports about the running coroutine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Current {
    id: CoroutineId,
    name: &'static str,
    resumer: Option<CoroutineId>,
}

impl Current {
    /// The running coroutine's identity.
    #[must_use]
    pub fn id(&self) -> CoroutineId {
        self.id
    }

    /// Its name: the function's name, unless `#[coroutine(name = "...")]` says otherwise.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The coroutine that resumed it, or `None` when plain code did.
    ///
    /// Inside a delegate (`suspend_from!`) this is the coroutine that delegated to it.
    #[must_use]
    pub fn resumer(&self) -> Option<CoroutineId> {
        self.resumer
    }
}

/// Which coroutine is running on this thread, and who resumed it; `None` outside any coroutine.
///
/// It reports the innermost coroutine: inside a coroutine that resumes another, the other one,
/// until that resume returns (or unwinds). Each recursive frame of a directly recursive
/// coroutine counts as a coroutine of its own, resumed by the frame that delegated to it.
///
/// # Examples
///
/// ```
/// use coro::{Coroutine, current, suspend};
///
/// #[coro::coroutine(yield = String)]
/// fn inner() {
///     let me = current().unwrap();
///     suspend!(format!("{} resumed by {:?}", me.name(), me.resumer().is_some()));
/// }
///
/// #[coro::coroutine(yield = String, name = "outer one")]
/// fn outer() {
///     let me = current().unwrap();
///     suspend!(format!("{} resumed by {:?}", me.name(), me.resumer()));
///     let mut c = inner();
///     suspend!(c.resume(()).unwrap());
/// }
///
/// assert!(current().is_none());
/// let mut o = outer();
/// assert_eq!(o.resume(()).unwrap(), "outer one resumed by None");
/// assert_eq!(o.resume(()).unwrap(), "inner resumed by true");
/// ```
#[must_use]
pub fn current() -> Option<Current> {
    CURRENT.with(|cell| {
        let mut frame = cell.get();
        let meta = frame.meta?;
        if frame.id == 0 {
            frame.id = fresh_id();
            cell.set(frame);
        }
        Some(Current {
            id: CoroutineId(NonZeroU64::new(frame.id)?),
            name: meta.name,
            resumer: NonZeroU64::new(frame.resumer).map(CoroutineId),
        })
    })
}

/// Static facts about one `#[coroutine]` function.
#[doc(hidden)]
#[derive(Debug)]
pub struct Meta {
    /// The name [`current`] reports.
    pub name: &'static str,
}

/// The thread's description of the running coroutine.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    /// The running coroutine's identity; 0 until somebody asks for it.
    pub(crate) id: u64,
    /// `None` while plain code runs.
    pub(crate) meta: Option<&'static Meta>,
    /// The resumer's identity; 0 when plain code resumed it.
    pub(crate) resumer: u64,
}

impl Frame {
    const PLAIN: Frame = Frame {
        id: 0,
        meta: None,
        resumer: 0,
    };
}

thread_local! {
    static CURRENT: Cell<Frame> = const { Cell::new(Frame::PLAIN) };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[cold]
pub(crate) fn fresh_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Swaps in the frame of a coroutine that is about to run; returns the frame to restore.
///
/// `id` is the coroutine's identity (0 if it has none yet). `resumer_of` maps the identity of
/// whoever is resuming (assigned here if that is a coroutine without one) to the resumer the
/// running frame should report.
#[inline]
pub(crate) fn enter(id: u64, meta: &'static Meta, resumer_of: impl FnOnce(u64) -> u64) -> Frame {
    CURRENT.with(|cell| {
        let mut outer = cell.get();
        if outer.meta.is_some() && outer.id == 0 {
            outer.id = fresh_id();
        }
        cell.set(Frame {
            id,
            meta: Some(meta),
            resumer: resumer_of(outer.id),
        });
        outer
    })
}

/// Restores `outer` and returns the identity the running frame ended with.
#[inline]
pub(crate) fn leave(outer: Frame) -> u64 {
    CURRENT.with(|cell| cell.replace(outer).id)
}

/// Reads the running frame.
pub(crate) fn get() -> Frame {
    CURRENT.with(Cell::get)
}

/// Replaces the running frame (recursive frames push and pop through this).
pub(crate) fn set(frame: Frame) {
    CURRENT.with(|cell| cell.set(frame));
}
