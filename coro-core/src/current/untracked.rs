//! Without the `current` feature nothing is recorded: the operations of `tracked`, doing
//! nothing, so that their callers read the same in both builds.

use super::Meta;

/// A copy of the thread's description of the running coroutine: nothing, without the `current`
/// feature.
#[derive(Clone, Copy, Debug)]
pub struct Frame;

#[inline]
pub(crate) fn fresh_id() -> u64 {
    0
}

#[inline]
pub(crate) fn enter(_: u64, _: &'static Meta, _: impl FnOnce(u64) -> u64) -> Frame {
    Frame
}

#[inline]
pub(crate) fn leave(_: Frame) -> u64 {
    0
}

#[inline]
pub(crate) fn push_frame() -> u64 {
    0
}

#[inline]
pub(crate) fn pop_frame(_: u64, _: u64) {}

#[inline]
pub(crate) fn running_frame() -> Frame {
    Frame
}

#[inline]
pub(crate) fn as_frame<T>(_: Frame, f: impl FnOnce() -> T) -> T {
    f()
}
