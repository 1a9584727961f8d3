//! Which coroutine is running on this thread: the seed's `current()`.
//!
//! The thread keeps one [`Frame`] describing the running coroutine. Every resume of a
//! `#[coroutine]` swaps its own frame in and the previous one back out, which costs a few
//! thread-local loads and stores and nothing else: identities are handed out lazily, the first
//! time somebody asks for one, so coroutines that nobody asks about never touch the global
//! counter.
//!
//! Without the `current` feature none of this exists: [`Frame`] is empty, entering and leaving
//! a coroutine do nothing, and [`current`] is not there to call.

#[cfg(feature = "current")]
mod tracked;
#[cfg(not(feature = "current"))]
mod untracked;

#[cfg(feature = "current")]
pub use tracked::{CoroutineId, Current, Frame, Id, NO_ID, current};
#[cfg(feature = "current")]
pub(crate) use tracked::{as_frame, enter, fresh_id, leave, pop_frame, push_frame, running_frame};
#[cfg(not(feature = "current"))]
pub use untracked::{Frame, Id, NO_ID};
#[cfg(not(feature = "current"))]
pub(crate) use untracked::{
    as_frame, enter, fresh_id, leave, pop_frame, push_frame, running_frame,
};

use core::cell::Cell;

/// Static facts about one `#[coroutine]` function.
#[doc(hidden)]
#[derive(Debug)]
pub struct Meta {
    /// The name [`current`] reports.
    pub name: &'static str,
}

thread_local! {
    /// How many kills (or drops of suspended coroutines) are dropping locals on this thread.
    static KILLING: Cell<u32> = const { Cell::new(0) };
}

/// Whether a coroutine is being killed on this thread: true while [`Coroutine::kill`], or the
/// drop of a coroutine that had not finished, drops the locals it held.
///
/// This is Python's `GeneratorExit` for cleanup code: a drop guard in a coroutine body can tell
/// a kill from a normal end, as [`std::thread::panicking`] tells an unwind from a normal drop.
/// It costs one thread-local read, and nothing at all when nobody asks. Code that a dropped
/// local runs sees it too, including other coroutines it resumes.
///
/// [`Coroutine::kill`]: crate::Coroutine::kill
///
/// ```
/// use coro::{Coroutine, is_killing, suspend};
/// use std::cell::RefCell;
///
/// struct Cleanup<'a>(&'a RefCell<Vec<&'static str>>);
/// impl Drop for Cleanup<'_> {
///     fn drop(&mut self) {
///         self.0.borrow_mut().push(if is_killing() { "killed" } else { "finished" });
///     }
/// }
///
/// #[coro::coroutine(yield = u32)]
/// fn worker<'a>(log: &'a RefCell<Vec<&'static str>>) {
///     let _cleanup = Cleanup(log);
///     suspend!(1);
/// }
///
/// let log = RefCell::new(Vec::new());
/// let mut w = worker(&log);
/// w.resume(()).unwrap();
/// w.kill();
/// worker(&log).for_each(drop);
/// assert_eq!(*log.borrow(), ["killed", "finished"]);
/// assert!(!is_killing());
/// ```
#[must_use]
pub fn is_killing() -> bool {
    KILLING.with(|k| k.get() > 0)
}

/// Marks this thread as killing a coroutine until dropped (on unwind too).
pub(crate) struct Killing(());

impl Killing {
    #[inline]
    pub(crate) fn start() -> Self {
        KILLING.with(|k| k.set(k.get() + 1));
        Killing(())
    }
}

impl Drop for Killing {
    #[inline]
    fn drop(&mut self) {
        KILLING.with(|k| k.set(k.get() - 1));
    }
}
