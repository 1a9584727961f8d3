//! placeholder
pub use coro_core::*;
pub use coro_macros::{coro, coroutine};
#[doc(hidden)]
pub mod __private {
    pub use coro_core::__private::*;
}
