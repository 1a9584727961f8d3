//! The runtime of [`coro`](https://docs.rs/coro): what a `#[coroutine]` function returns and how
//! it is driven.
//!
//! Most users depend on the `coro` crate, which re-exports everything here together with the
//! `#[coroutine]` attribute. This crate has no dependencies and no `unsafe` code.
//!
//! - [`Coroutine`]: the trait every coroutine implements; [`Coroutine::resume`] runs the body up
//!   to its next suspension point.
//! - [`EarlyExit`]: what a resumer sees when the body has fallen through its end (carrying the
//!   return value once), or when the coroutine had already finished, was killed or panicked.
//! - `current()`: which coroutine is running on this thread, and which one resumed it (the
//!   `current` feature, off by default).
//! - [`symmetric`]: sets of coroutines that transfer control to each other directly.
//! - [`suspend!`] and [`suspend_from!`]: the suspension points a `#[coroutine]` body is written
//!   with.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

#[doc(hidden)]
pub mod __private;
mod adapters;
mod boxed;
mod chain;
mod coroutine;
mod current;
mod exit;
mod macros;
mod pinned;
mod stream;
pub mod symmetric;

pub use adapters::{TryYields, Yields};
pub use boxed::{BoxCoroutine, BoxSendCoroutine};
pub use coroutine::{Coroutine, Status, Throw, Thrown};
pub use current::is_killing;
#[cfg(feature = "current")]
pub use current::{CoroutineId, Current, current};
pub use exit::{CoroutineState, EarlyExit};
pub use futures_core::stream::{FusedStream, Stream};
pub use stream::{AsyncCoroutine, AsyncResume, Resume, StreamReturn, Throwing};
