//! A vector that only grows and whose elements never move, so that a reference to one lives as
//! long as the vector while others are pushed: what lets a microthread run in place, in its
//! pool, while it spawns and kills others.
//!
//! At the bottom of the crate: imports nothing of it.

use std::cell::{Cell, OnceCell};

/// How many segments: segment `s` holds `BASE << s` elements, so 32 of them hold more than
/// 2^32 elements for any `BASE` of at least 1.
const SEGMENTS: usize = 32;

/// An append-only vector: [`push`](Self::push) and [`get`](Self::get) through a shared
/// reference. Elements live in segments that double in size and are allocated as they are
/// needed, and nothing is ever moved or copied.
pub(crate) struct Stable<T, const BASE: usize> {
    segments: [OnceCell<Box<[OnceCell<T>]>>; SEGMENTS],
    len: Cell<usize>,
}

impl<T, const BASE: usize> Stable<T, BASE> {
    pub(crate) const fn new() -> Self {
        Stable {
            segments: [const { OnceCell::new() }; SEGMENTS],
            len: Cell::new(0),
        }
    }

    /// The segment and offset of element `index`.
    #[inline]
    fn place(index: usize) -> (usize, usize) {
        let j = index / BASE + 1;
        let segment = (usize::BITS - 1 - j.leading_zeros()) as usize;
        (segment, index - BASE * ((1 << segment) - 1))
    }

    /// Appends `value`; returns its index.
    pub(crate) fn push(&self, value: T) -> usize {
        let index = self.len.get();
        let (segment, offset) = Self::place(index);
        let segment = self.segments[segment]
            .get_or_init(|| (0..BASE << segment).map(|_| OnceCell::new()).collect());
        if segment[offset].set(value).is_err() {
            unreachable!("every index is pushed once");
        }
        self.len.set(index + 1);
        index
    }

    /// Element `index`, if it was pushed: an element is set only by its push, so an unset cell
    /// (or a segment not made yet) says it was not.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        if index < BASE {
            // The first segment, where most lookups land: no arithmetic.
            return self.segments[0].get()?.get(index)?.get();
        }
        let (segment, offset) = Self::place(index);
        self.segments.get(segment)?.get()?.get(offset)?.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_their_index_and_place_across_segments() {
        let v: Stable<usize, 2> = Stable::new();
        assert_eq!(v.get(0), None);
        for i in 0..100 {
            assert_eq!(v.push(i * 10), i);
        }
        let first: &usize = v.get(0).unwrap();
        v.push(1000);
        // A reference taken before a push is still good after it.
        assert_eq!(*first, 0);
        assert!((0..100).all(|i| v.get(i) == Some(&(i * 10))));
        assert_eq!(v.get(100), Some(&1000));
        assert_eq!(v.get(101), None);
    }

    #[test]
    fn places_tile_the_indices_without_gaps() {
        let mut expected = (0, 0);
        for index in 0..10_000 {
            let place = Stable::<(), 4>::place(index);
            assert_eq!(place, expected, "index {index}");
            expected = if expected.1 + 1 == 4 << expected.0 {
                (expected.0 + 1, 0)
            } else {
                (expected.0, expected.1 + 1)
            };
        }
    }
}
