//! The bookkeeping behind [`current`], with the `current` feature: the thread's description of
//! the running coroutine, swapped in and out by every resume.

use super::Meta;
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
/// It needs the `current` feature, which is off by default
/// (`coro = { version = "..", features = ["current"] }`): with it, every resume records the
/// running coroutine (a few thread-local stores, which the compiler removes when it sees that
/// nothing in the resume can read them); without it, a resume records nothing. A library that
/// depends on `coro` should leave the feature to the program that asks for `current()`.
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
    CURRENT.with(|t| {
        let meta = t.meta.get()?;
        if t.id.get() == 0 {
            t.id.set(fresh_id());
        }
        let mut resumer = t.resumer.get();
        if resumer == UNNAMED {
            // The resumer has no identity yet: give it one now. It takes it when this resume
            // returns (see `leave`).
            if t.assigned.get() == 0 {
                t.assigned.set(fresh_id());
            }
            resumer = t.assigned.get();
        }
        Some(Current {
            id: CoroutineId(NonZeroU64::new(t.id.get())?),
            name: meta.name,
            resumer: NonZeroU64::new(resumer).map(CoroutineId),
        })
    })
}

/// A copy of the thread's description of the running coroutine, kept by a resume to restore
/// what it replaced.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// The running frame's identity; 0 until somebody asks for it, and 0 while plain code runs.
    id: u64,
    /// `None` while plain code runs.
    meta: Option<&'static Meta>,
    /// The identity of the running frame's resumer: 0 when plain code resumed it, [`UNNAMED`]
    /// when a coroutine with no identity yet did.
    resumer: u64,
    /// The identity `current()` gave an [`UNNAMED`] resumer during this resume; 0 if none.
    assigned: u64,
}

/// The resumer is a coroutine that has no identity yet.
const UNNAMED: u64 = u64::MAX;

/// What a coroutine keeps of its identity: a number, 0 until somebody asks for it.
pub type Id = u64;

/// The identity of a coroutine nobody has asked about yet.
pub const NO_ID: Id = 0;

/// The thread's description of the running coroutine, one scalar cell per field.
///
/// Entering a coroutine stores a frame and leaving restores the previous one, with no other
/// work on the way. When nothing in a resume reads the cells, the compiler sees stores and their
/// undo, and removes them all. The fields are separate word-sized cells (not one `Cell<Frame>`)
/// so that they are loaded and stored as words it can follow, never copied as one aggregate.
struct Slot {
    id: Cell<u64>,
    meta: Cell<Option<&'static Meta>>,
    resumer: Cell<u64>,
    assigned: Cell<u64>,
}

impl Slot {
    #[inline]
    fn load(&self) -> Frame {
        Frame {
            id: self.id.get(),
            meta: self.meta.get(),
            resumer: self.resumer.get(),
            assigned: self.assigned.get(),
        }
    }

    #[inline]
    fn store(&self, frame: Frame) {
        self.id.set(frame.id);
        self.meta.set(frame.meta);
        self.resumer.set(frame.resumer);
        self.assigned.set(frame.assigned);
    }
}

thread_local! {
    static CURRENT: Slot = const {
        Slot {
            id: Cell::new(0),
            meta: Cell::new(None),
            resumer: Cell::new(0),
            assigned: Cell::new(0),
        }
    };
}
/// The next block of identities no thread has taken.
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

/// How many identities a thread takes at once: recursive frames need one each, and a shared
/// atomic per frame would cost more than the frame.
const BLOCK: u64 = 1 << 12;

thread_local! {
    /// This thread's unused identities: `next..end`.
    static IDS: (Cell<u64>, Cell<u64>) = const { (Cell::new(0), Cell::new(0)) };
}

/// A new identity, unique in the process (never 0).
#[inline]
pub(crate) fn fresh_id() -> Id {
    IDS.with(|(next, end)| {
        let id = next.get();
        if id < end.get() {
            next.set(id + 1);
            id
        } else {
            refill(next, end)
        }
    })
}

#[cold]
fn refill(next: &Cell<u64>, end: &Cell<u64>) -> u64 {
    let start = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
    next.set(start + 1);
    end.set(start + BLOCK);
    start
}

/// Swaps in the frame of a coroutine that is about to run; returns the frame to restore.
///
/// `id` is the identity of the coroutine's running frame (0 if it has none yet). `resumer_of`
/// maps the identity of whoever resumes it (0 for plain code, [`UNNAMED`] for a coroutine with
/// no identity yet) to the resumer the running frame reports: a recursive frame reports the
/// frame that delegated to it.
#[inline]
pub(crate) fn enter(id: Id, meta: &'static Meta, resumer_of: impl FnOnce(Id) -> Id) -> Frame {
    CURRENT.with(|t| {
        let outer = t.load();
        let resumer = if outer.id == 0 && outer.meta.is_some() {
            UNNAMED
        } else {
            outer.id
        };
        t.store(Frame {
            id,
            meta: Some(meta),
            resumer: resumer_of(resumer),
            assigned: 0,
        });
        outer
    })
}

/// Restores `outer` and returns the identity the running frame ended with. A resumer that got
/// its identity from a `current()` call inside takes it here.
#[inline]
pub(crate) fn leave(mut outer: Frame) -> Id {
    CURRENT.with(|t| {
        if outer.id == 0 {
            outer.id = t.assigned.get();
        }
        let running = t.id.get();
        t.store(outer);
        running
    })
}

/// A recursive call: the running frame (given an identity now, if it has none) is suspended
/// beneath a new frame, which reports it as its resumer. Returns the suspended frame's identity.
#[inline]
pub(crate) fn push_frame() -> Id {
    CURRENT.with(|t| {
        let mut id = t.id.get();
        if id == 0 {
            id = fresh_id();
        }
        t.id.set(0);
        t.resumer.set(id);
        id
    })
}

/// The return from a recursive call: the frame `id`, resumed by `resumer`, runs again.
#[inline]
pub(crate) fn pop_frame(id: Id, resumer: Id) {
    CURRENT.with(|t| {
        t.id.set(id);
        t.resumer.set(resumer);
    });
}

/// The running frame, given an identity now if it has none (it keeps it when its resume
/// ends): what a stage handed off from it is resumed under.
#[inline]
pub(crate) fn running_frame() -> Frame {
    CURRENT.with(|t| {
        let mut id = t.id.get();
        if id == 0 {
            id = fresh_id();
            t.id.set(id);
        }
        Frame {
            id,
            meta: t.meta.get(),
            resumer: t.resumer.get(),
            assigned: 0,
        }
    })
}

/// Runs `f` as if `frame` were running: a stage of a delegation chain, resumed by the chain's
/// trampoline, runs under the frame of the coroutine that delegated to it, as it would if that
/// coroutine resumed it (a generated stage then reports it as its resumer; a hand-written one
/// sees it as the running coroutine).
#[inline]
pub(crate) fn as_frame<T>(frame: Frame, f: impl FnOnce() -> T) -> T {
    struct Restore(Frame);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|t| t.store(self.0));
        }
    }
    let outer = CURRENT.with(|t| {
        let outer = t.load();
        t.store(Frame {
            assigned: 0,
            ..frame
        });
        outer
    });
    let _restore = Restore(outer);
    f()
}
