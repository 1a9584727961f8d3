//! The state pool: the microthreads of one coroutine type, their states side by side in
//! chunks that never move, each run in place; and what a microthread leaves there when it ends.
//!
//! May import the bottom of the crate (`id`, `error`, `stable`); knows nothing of the
//! scheduler, which steps a pool's microthreads through [`Pool::step`] in a loop of its own
//! typed by their coroutine type, and does the rest through the type-erased [`Tasks`].

use coro_core::{Coroutine, EarlyExit};
use std::any::Any;
use std::cell::{Cell, RefCell};

use crate::error::JoinError;
use crate::id::{Syscall, Wake};
use crate::stable::Stable;

/// What a queued microthread will be resumed with; a thrown error waits in the scheduler's
/// record of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Pending {
    Nothing,
    Start,
    Ready,
    Timeout,
    Thrown,
}

impl Pending {
    /// The [`Wake`] a microthread is resumed with; `thrown` is the error waiting for
    /// [`Pending::Thrown`].
    #[inline]
    pub(crate) fn into_wake(
        self,
        thrown: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Wake {
        match self {
            Pending::Start => Wake::Start,
            Pending::Nothing | Pending::Ready => Wake::Ready,
            Pending::Timeout => Wake::Timeout,
            Pending::Thrown => thrown.map_or(Wake::Ready, Wake::Thrown),
        }
    }
}

/// What a place of a pool holds: a microthread's state while it lives, then what it ended with
/// until its handle takes it or the last claim on it goes.
enum Entry<C, T> {
    Free,
    Live(C),
    Ended(Result<T, JoinError>),
    Taken,
}

/// A place of the pool of coroutine type `C`: the state and a borrow flag, 8 bytes.
type Place<C> = RefCell<Entry<C, <C as Coroutine<Wake>>::Return>>;

/// The microthreads of one coroutine type, their states side by side: no allocation and no
/// pointer per microthread, and a round of the run queue walks memory in order. A microthread's
/// result waits in its state's place, so that ending and joining allocate nothing either.
///
/// States live in chunks of about 4 KiB that never move, each state in a cell of its own, so
/// that one runs in place while the others of its pool are spawned, killed or dropped. A pool
/// that holds one microthread costs one chunk; states of 4 KiB or more get a chunk each.
///
/// Running in place costs each state its cell's borrow flag. Moving the state out of a flagless
/// `Cell` for each step and back would save those 8 bytes, but costs more than the step itself
/// for all but tiny states (the copy back reads what the step has just written).
pub(crate) struct Pool<C: Coroutine<Wake>> {
    /// The chunks; the first 64 (thousands of states) are found without arithmetic.
    chunks: Stable<Box<[Place<C>]>, 64>,
    free: RefCell<Vec<u32>>,
    /// Places handed out so far.
    len: Cell<u32>,
}

impl<C: Coroutine<Wake>> Pool<C> {
    /// Places per chunk: a power of two (a shift, not a division, finds a place), as many as
    /// fit in 4 KiB, and at least one.
    const CHUNK: usize = {
        let fit = 4096 / std::mem::size_of::<Place<C>>();
        if fit <= 1 {
            1
        } else {
            1 << (usize::BITS - 1 - fit.leading_zeros())
        }
    };

    pub(crate) fn new() -> Self {
        Pool {
            chunks: Stable::new(),
            free: RefCell::new(Vec::new()),
            len: Cell::new(0),
        }
    }

    /// Place `index`.
    #[inline]
    fn cell(&self, index: u32) -> &Place<C> {
        let chunk = self
            .chunks
            .get(index as usize / Self::CHUNK)
            .expect("a place handed out");
        &chunk[index as usize % Self::CHUNK]
    }

    pub(crate) fn insert(&self, coroutine: C) -> u32 {
        let reused = self.free.borrow_mut().pop();
        let index = reused.unwrap_or_else(|| {
            let index = self.len.get();
            if (index as usize).is_multiple_of(Self::CHUNK) {
                self.chunks.push(
                    (0..Self::CHUNK)
                        .map(|_| RefCell::new(Entry::Free))
                        .collect(),
                );
            }
            self.len.set(
                index
                    .checked_add(1)
                    .expect("fewer than 2^32 live microthreads"),
            );
            index
        });
        *self.cell(index).borrow_mut() = Entry::Live(coroutine);
        index
    }
}

impl<C: Coroutine<Wake, Yield = Syscall>> Pool<C> {
    /// Runs microthread `index` to its next request, resumed with `wake`. When it returns, its
    /// value takes the place of its state; when it panics, the panic unwinds out of here.
    #[inline]
    pub(crate) fn step(&self, index: u32, wake: Wake) -> Step {
        let mut entry = self.cell(index).borrow_mut();
        let Entry::Live(co) = &mut *entry else {
            unreachable!("a queued microthread's state is in its pool");
        };
        // A panic unwinds to the scheduler, which catches it once around its run rather than
        // at every step; the borrow of the place ends on the way.
        match co.resume(wake) {
            Ok(request) => Step::Request(request),
            Err(exit) => {
                let ended = match exit {
                    EarlyExit::Returned(value) => Ok(value),
                    // The scheduler owns the coroutine: nothing else ends it.
                    _ => Err(JoinError::Killed),
                };
                let state = std::mem::replace(&mut *entry, Entry::Ended(ended));
                drop(entry);
                // What is left of the state is dropped outside the borrow.
                drop(state);
                Step::Returned
            }
        }
    }
}

/// A pool with its coroutine type erased: what the scheduler calls off the path of a switch.
/// A step is not here: the scheduler runs the microthreads of one pool in a loop typed by
/// the pool's coroutine type (see [`Pool::step`]).
pub(crate) trait Tasks {
    /// Ends microthread `index` without a value: its state (or the value it returned, if it
    /// was killed as it returned) is dropped, and `error` is kept for its handle.
    fn end(&self, index: u32, error: JoinError);
    /// Moves the result of ended microthread `index` into `out`, an
    /// `Option<Result<T, JoinError>>` of its return type; leaves `None` if it was taken.
    fn take(&self, index: u32, out: &mut dyn Any);
    /// Frees place `index`, dropping whatever it holds.
    fn free(&self, index: u32);
    fn name(&self, index: u32) -> &'static str;
    fn as_any(&self) -> &dyn Any;
}

/// How a step ended, if it did not unwind.
pub(crate) enum Step {
    Request(Syscall),
    Returned,
}

impl<C> Tasks for Pool<C>
where
    C: Coroutine<Wake, Yield = Syscall> + 'static,
    C::Return: 'static,
{
    fn end(&self, index: u32, error: JoinError) {
        // The old state is dropped outside the borrow: its locals' `drop` may call back.
        let old = std::mem::replace(
            &mut *self.cell(index).borrow_mut(),
            Entry::Ended(Err(error)),
        );
        drop(old);
    }

    fn take(&self, index: u32, out: &mut dyn Any) {
        let out: &mut Option<Result<C::Return, JoinError>> = out
            .downcast_mut()
            .expect("a JoinHandle's type is its microthread's return type");
        let mut entry = self.cell(index).borrow_mut();
        if matches!(*entry, Entry::Ended(_))
            && let Entry::Ended(result) = std::mem::replace(&mut *entry, Entry::Taken)
        {
            *out = Some(result);
        }
    }

    fn free(&self, index: u32) {
        let old = std::mem::replace(&mut *self.cell(index).borrow_mut(), Entry::Free);
        self.free.borrow_mut().push(index);
        drop(old);
    }

    fn name(&self, index: u32) -> &'static str {
        self.cell(index)
            .try_borrow()
            .ok()
            .and_then(|entry| match &*entry {
                Entry::Live(co) => co.name(),
                _ => None,
            })
            .unwrap_or("microthread")
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a coroutine's state machine looks like.
    #[allow(dead_code)]
    enum Machine {
        Start([u64; 6]),
        Suspended(u32, [u64; 5]),
        Done,
    }

    impl Coroutine<Wake> for Machine {
        type Yield = Syscall;
        type Return = ();
        fn resume(&mut self, _: Wake) -> Result<Syscall, EarlyExit<()>> {
            Err(EarlyExit::Returned(()))
        }
        fn kill(&mut self) {}
        fn status(&self) -> coro_core::Status {
            coro_core::Status::Suspended
        }
    }

    #[test]
    fn a_place_costs_its_state_and_a_borrow_flag() {
        // The state machine's discriminant has values to spare, so a place (free, live, ended,
        // taken) is the state's size and the cell's borrow flag: no tag beside it.
        assert_eq!(
            std::mem::size_of::<Place<Machine>>(),
            std::mem::size_of::<Machine>() + 8
        );
    }

    #[test]
    fn chunks_hold_a_power_of_two_of_places() {
        assert!(Pool::<Machine>::CHUNK.is_power_of_two());
        assert!(Pool::<Machine>::CHUNK * std::mem::size_of::<Place<Machine>>() <= 4096);
    }
}
