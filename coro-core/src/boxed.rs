//! Type-erased coroutines.

use crate::Coroutine;

/// A boxed coroutine with its body's type erased: what [`Coroutine::boxed`] returns.
///
/// Use it to keep coroutines of different bodies in one collection or struct field, and to break
/// the type cycle of mutually recursive coroutines (see the crate docs on recursion). It is a
/// coroutine itself, and an [`Iterator`] when its resume type is `()`.
pub type BoxCoroutine<'a, R, Y, T> = Box<dyn Coroutine<R, Yield = Y, Return = T> + 'a>;

/// A [`BoxCoroutine`] that can be sent to another thread.
///
/// ```
/// use coro::{BoxSendCoroutine, suspend};
///
/// #[coro::coroutine(yield = u32)]
/// fn two() {
///     suspend!(1);
///     suspend!(2);
/// }
///
/// let c: BoxSendCoroutine<'static, (), u32, ()> = Box::new(two());
/// let got = std::thread::spawn(move || c.collect::<Vec<_>>()).join().unwrap();
/// assert_eq!(got, [1, 2]);
/// ```
pub type BoxSendCoroutine<'a, R, Y, T> = Box<dyn Coroutine<R, Yield = Y, Return = T> + Send + 'a>;

impl<Y, T> Iterator for Box<dyn Coroutine<(), Yield = Y, Return = T> + '_> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        self.resume(()).ok()
    }
}

impl<Y, T> Iterator for Box<dyn Coroutine<(), Yield = Y, Return = T> + Send + '_> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        self.resume(()).ok()
    }
}

impl<Y, T> core::iter::FusedIterator for Box<dyn Coroutine<(), Yield = Y, Return = T> + '_> {}
impl<Y, T> core::iter::FusedIterator for Box<dyn Coroutine<(), Yield = Y, Return = T> + Send + '_> {}
