//! Symmetric coroutines: a set of coroutines that hand control, and a value, directly to one
//! another, the way Simula 67's `resume` and Icon's `@` do (and Tim Peters' `Coroutine.py`).
//!
//! A [`Set`] is driven by plain code, the *main* coroutine. Its members are ordinary
//! coroutines whose yields are transfer [`Request`]s and whose resume values are the data
//! transferred to them: a member writes `let x = suspend!(tran(c, data))` to hand `data` to
//! member `c`, and `x` is the data of whoever transfers back to it later.
//!
//! The set runs its members on a trampoline: a member's request returns to [`Set::tran`], which
//! resumes the next member. A transfer costs one resume, and the native stack does not grow
//! with the number of transfers.
//!
//! | request | Tim's `Coroutine.py` | goes to |
//! |---|---|---|
//! | [`tran(m, data)`](tran) | `co.tran(m, data)` | member `m` |
//! | [`back(data)`](back) | `co.back(data)` | whoever last transferred to this member |
//! | [`detach(data)`](detach) | `co.detach(data)` | main |
//! | [`kill()`](kill) | `co.kill()` | ends every member; main's transfer returns [`Control::Killed`] |
//!
//! # Edges
//!
//! - Creating a member runs nothing. The data of the first transfer into a member is its first
//!   resume value, which the body receives in its `#[resume]` parameter: nothing is lost (Tim's
//!   version drops it).
//! - When a member falls through its end, or panics, every other member is ended (dropped, so
//!   its guards run, latest created first) and main's pending transfer returns
//!   [`TransferError::EarlyExit`] or [`TransferError::Panicked`] (with the panic's payload),
//!   naming that member.
//! - After that, or after a kill, the set is over: every transfer into it is
//!   [`TransferError::Over`], and so is a second kill.
//! - A transfer to a member of another set, or to one reserved and never filled, is an error:
//!   from main it changes nothing; from a member it ends the set, since that member cannot go
//!   on.
//!
//! # Example
//!
//! ```
//! use coro::suspend;
//! use coro::symmetric::{Control, Member, Request, Set, detach, tran};
//!
//! // In A `x = tran(C)`, in C `tran(B)`, in B `tran(A, 12)`: then `x == 12`.
//! #[coro::coroutine(yield = Request<i32>, resume = i32)]
//! fn a(c: Member, #[resume] _first: i32) {
//!     let x = suspend!(tran(c, 0));
//!     suspend!(detach(x));
//! }
//!
//! #[coro::coroutine(yield = Request<i32>, resume = i32)]
//! fn c(b: Member, #[resume] _first: i32) {
//!     suspend!(tran(b, 0));
//! }
//!
//! #[coro::coroutine(yield = Request<i32>, resume = i32)]
//! fn b(a: Member, #[resume] _first: i32) {
//!     suspend!(tran(a, 12));
//! }
//!
//! let mut set = Set::new();
//! let [ma, mb, mc] = [set.reserve(), set.reserve(), set.reserve()];
//! set.fill(ma, a(mc)).unwrap();
//! set.fill(mb, b(ma)).unwrap();
//! set.fill(mc, c(mb)).unwrap();
//! assert_eq!(set.tran(ma, 0).unwrap(), Control::Data(12));
//! ```

use crate::Coroutine;
use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

/// A member of a [`Set`]: a copyable handle, valid only with the set that made it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Member {
    set: u64,
    index: usize,
}

impl Member {
    /// The member's position in its set, in creation order from 0.
    ///
    /// ```
    /// let mut set = coro::symmetric::Set::<()>::new();
    /// assert_eq!(set.reserve().index(), 0);
    /// assert_eq!(set.reserve().index(), 1);
    /// ```
    #[must_use]
    pub fn index(self) -> usize {
        self.index
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "member {} of set {}", self.index, self.set)
    }
}

/// What a member yields: where control goes next, with which data.
#[derive(Debug, PartialEq, Eq)]
pub enum Request<T> {
    /// Transfer to that member, handing it the data.
    Tran(Member, T),
    /// Transfer to whoever last transferred to this member.
    Back(T),
    /// Transfer to main.
    Detach(T),
    /// End every member; main's pending transfer returns [`Control::Killed`].
    Kill,
}

/// `suspend!(tran(m, data))`: transfer control and `data` to member `m`; evaluates to the data
/// of whoever transfers back to this member later.
///
/// ```
/// use coro::symmetric::{Request, Set, tran};
/// let mut set = Set::<u8>::new();
/// let m = set.reserve();
/// assert_eq!(tran(m, 7), Request::Tran(m, 7));
/// ```
#[must_use]
pub fn tran<T>(to: Member, data: T) -> Request<T> {
    Request::Tran(to, data)
}

/// `suspend!(back(data))`: transfer to whoever last transferred to this member (main, if that
/// was main).
///
/// ```
/// assert_eq!(coro::symmetric::back(1), coro::symmetric::Request::Back(1));
/// ```
#[must_use]
pub fn back<T>(data: T) -> Request<T> {
    Request::Back(data)
}

/// `suspend!(detach(data))`: transfer to main, whose pending [`Set::tran`] returns
/// `Ok(Control::Data(data))`.
///
/// ```
/// assert_eq!(coro::symmetric::detach(1), coro::symmetric::Request::Detach(1));
/// ```
#[must_use]
pub fn detach<T>(data: T) -> Request<T> {
    Request::Detach(data)
}

/// `suspend!(kill())`: end every member of the set (this one included: the suspension never
/// returns); main's pending [`Set::tran`] returns `Ok(Control::Killed(this member))`.
///
/// ```
/// assert_eq!(coro::symmetric::kill::<u8>(), coro::symmetric::Request::Kill);
/// ```
#[must_use]
pub fn kill<T>() -> Request<T> {
    Request::Kill
}

/// How control came back to main from [`Set::tran`].
#[derive(Debug, PartialEq, Eq)]
pub enum Control<T> {
    /// A member detached (or went `back` to main) with this data.
    Data(T),
    /// That member killed the set: every member has been ended.
    Killed(Member),
}

/// Why a transfer did not end in [`Control`].
pub enum TransferError {
    /// That member fell through its end; every other member has been ended. The seed's
    /// `EarlyExit`.
    EarlyExit(Member),
    /// That member panicked; every other member has been ended. The payload is the panic's,
    /// for [`std::panic::resume_unwind`] or inspection.
    Panicked(Member, Box<dyn Any + Send>),
    /// The set is over (a member ended, or it was killed): nothing can run in it any more.
    Over,
    /// `to` belongs to another set.
    Foreign {
        /// The member that asked, or `None` for main.
        from: Option<Member>,
        /// The target.
        to: Member,
    },
    /// `to` was reserved and never filled.
    Unfilled {
        /// The member that asked, or `None` for main.
        from: Option<Member>,
        /// The target.
        to: Member,
    },
}

impl fmt::Debug for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EarlyExit(m) => f.debug_tuple("EarlyExit").field(m).finish(),
            Self::Panicked(m, _) => f.debug_tuple("Panicked").field(m).finish_non_exhaustive(),
            Self::Over => f.write_str("Over"),
            Self::Foreign { from, to } => f
                .debug_struct("Foreign")
                .field("from", from)
                .field("to", to)
                .finish(),
            Self::Unfilled { from, to } => f
                .debug_struct("Unfilled")
                .field("from", from)
                .field("to", to)
                .finish(),
        }
    }
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = |from: &Option<Member>| from.map_or_else(|| "main".to_owned(), |m| m.to_string());
        match self {
            Self::EarlyExit(m) => write!(f, "{m} fell through its end; the set is over"),
            Self::Panicked(m, p) => {
                let msg = p
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| p.downcast_ref::<String>().map(String::as_str));
                match msg {
                    Some(msg) => write!(f, "{m} panicked: {msg}; the set is over"),
                    None => write!(f, "{m} panicked; the set is over"),
                }
            }
            Self::Over => f.write_str("the set is over: a member ended or it was killed"),
            Self::Foreign { from, to } => {
                write!(
                    f,
                    "{} transferred to {to}, which belongs to another set",
                    who(from)
                )
            }
            Self::Unfilled { from, to } => {
                write!(
                    f,
                    "{} transferred to {to}, which was reserved and never filled",
                    who(from)
                )
            }
        }
    }
}

impl std::error::Error for TransferError {}

type Body<'a, T> = Box<dyn Coroutine<T, Yield = Request<T>, Return = ()> + 'a>;

enum Slot<'a, T> {
    Reserved,
    Ready(Body<'a, T>),
    Ended,
}

/// A set of symmetric coroutines, driven by the plain code that owns it (main). See the
/// [module docs](self).
pub struct Set<'a, T> {
    id: u64,
    members: Vec<Slot<'a, T>>,
    /// For each member, who last transferred to it (`None`: main).
    invoked_by: Vec<Option<Member>>,
    over: bool,
}

impl<T> fmt::Debug for Set<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Set")
            .field("id", &self.id)
            .field("members", &self.members.len())
            .field("over", &self.over)
            .finish()
    }
}

impl<T> Default for Set<'_, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, T> Set<'a, T> {
    /// An empty set.
    ///
    /// ```
    /// let set = coro::symmetric::Set::<u32>::new();
    /// assert!(!set.is_over());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Set {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            members: Vec::new(),
            invoked_by: Vec::new(),
            over: false,
        }
    }

    /// A new member whose coroutine comes later, through [`fill`](Self::fill): members that
    /// transfer to each other need each other's handles before they exist.
    ///
    /// ```
    /// let mut set = coro::symmetric::Set::<()>::new();
    /// let (a, b) = (set.reserve(), set.reserve());
    /// assert_ne!(a, b);
    /// ```
    pub fn reserve(&mut self) -> Member {
        self.members.push(Slot::Reserved);
        self.invoked_by.push(None);
        Member {
            set: self.id,
            index: self.members.len() - 1,
        }
    }

    /// Gives a reserved member its coroutine. Nothing runs until the first transfer to it.
    ///
    /// # Errors
    ///
    /// [`TransferError::Foreign`] if `member` belongs to another set, [`TransferError::Over`]
    /// if the set is over.
    ///
    /// # Panics
    ///
    /// If `member` was filled before: a member's coroutine cannot be replaced.
    ///
    /// ```
    /// # use coro::suspend;
    /// # use coro::symmetric::{Request, Set, detach};
    /// #[coro::coroutine(yield = Request<u8>, resume = u8)]
    /// fn echo(#[resume] first: u8) {
    ///     suspend!(detach(first));
    /// }
    /// let mut set = Set::new();
    /// let m = set.reserve();
    /// set.fill(m, echo()).unwrap();
    /// ```
    pub fn fill<C>(&mut self, member: Member, coroutine: C) -> Result<(), TransferError>
    where
        C: Coroutine<T, Yield = Request<T>, Return = ()> + 'a,
    {
        if member.set != self.id {
            return Err(TransferError::Foreign {
                from: None,
                to: member,
            });
        }
        if self.over {
            return Err(TransferError::Over);
        }
        let slot = &mut self.members[member.index];
        assert!(
            matches!(slot, Slot::Reserved),
            "{member} was filled already: a member's coroutine cannot be replaced"
        );
        *slot = Slot::Ready(Box::new(coroutine));
        Ok(())
    }

    /// [`reserve`](Self::reserve) and [`fill`](Self::fill) in one step, for a member no one
    /// needs a handle to before it exists.
    ///
    /// ```
    /// # use coro::suspend;
    /// # use coro::symmetric::{Control, Request, Set, detach};
    /// #[coro::coroutine(yield = Request<u8>, resume = u8)]
    /// fn echo(#[resume] first: u8) {
    ///     suspend!(detach(first + 1));
    /// }
    /// let mut set = Set::new();
    /// let m = set.create(echo());
    /// assert_eq!(set.tran(m, 1).unwrap(), Control::Data(2));
    /// ```
    pub fn create<C>(&mut self, coroutine: C) -> Member
    where
        C: Coroutine<T, Yield = Request<T>, Return = ()> + 'a,
    {
        let m = self.reserve();
        self.members[m.index] = Slot::Ready(Box::new(coroutine));
        m
    }

    /// Whether the set is over: a member ended or panicked, or the set was killed.
    #[must_use]
    pub fn is_over(&self) -> bool {
        self.over
    }

    /// Transfers control and `data` from main to `to`, and runs the set until control comes
    /// back to main.
    ///
    /// # Errors
    ///
    /// - [`TransferError::EarlyExit`] / [`TransferError::Panicked`]: a member ended; the set is
    ///   over.
    /// - [`TransferError::Over`]: the set was over before this call.
    /// - [`TransferError::Foreign`] / [`TransferError::Unfilled`]: a bad target. From main
    ///   (`from: None`) nothing ran; from a member, the set is over.
    ///
    /// ```
    /// # use coro::suspend;
    /// # use coro::symmetric::{Request, Set, TransferError, detach};
    /// #[coro::coroutine(yield = Request<u8>, resume = u8)]
    /// fn once(#[resume] first: u8) {
    ///     suspend!(detach(first));
    /// }
    /// let mut set = Set::new();
    /// let m = set.create(once());
    /// set.tran(m, 1).unwrap();
    /// // It falls through its end: main hears which member ended.
    /// assert!(matches!(set.tran(m, 2), Err(TransferError::EarlyExit(who)) if who == m));
    /// assert!(matches!(set.tran(m, 3), Err(TransferError::Over)));
    /// ```
    pub fn tran(&mut self, to: Member, data: T) -> Result<Control<T>, TransferError> {
        if self.over {
            return Err(TransferError::Over);
        }
        self.check(None, to)?;
        self.invoked_by[to.index] = None;
        self.run(to, data)
    }

    /// Ends every member now, from main. Their locals are dropped, latest created member first.
    ///
    /// # Errors
    ///
    /// [`TransferError::Over`] if the set was over already: a second kill is an error.
    pub fn kill(&mut self) -> Result<(), TransferError> {
        if self.over {
            return Err(TransferError::Over);
        }
        self.end_all();
        Ok(())
    }

    fn check(&self, from: Option<Member>, to: Member) -> Result<(), TransferError> {
        if to.set != self.id {
            return Err(TransferError::Foreign { from, to });
        }
        match self.members[to.index] {
            Slot::Reserved => Err(TransferError::Unfilled { from, to }),
            Slot::Ready(_) => Ok(()),
            Slot::Ended => Err(TransferError::Over),
        }
    }

    /// The trampoline: resumes members until one hands control to main or the set ends.
    fn run(&mut self, mut at: Member, mut data: T) -> Result<Control<T>, TransferError> {
        loop {
            let Slot::Ready(body) = &mut self.members[at.index] else {
                unreachable!("targets are checked before control moves");
            };
            let request = match catch_unwind(AssertUnwindSafe(|| body.resume(data))) {
                Ok(Ok(request)) => request,
                // Only `Returned`: the set owns its members, so nothing else ends them while
                // they are in it.
                Ok(Err(_)) => {
                    self.end_all();
                    return Err(TransferError::EarlyExit(at));
                }
                Err(payload) => {
                    self.end_all();
                    return Err(TransferError::Panicked(at, payload));
                }
            };
            let next = match request {
                Request::Tran(to, d) => {
                    if let Err(e) = self.check(Some(at), to) {
                        self.end_all();
                        return Err(e);
                    }
                    data = d;
                    Some(to)
                }
                Request::Back(d) => {
                    data = d;
                    self.invoked_by[at.index]
                }
                Request::Detach(d) => {
                    data = d;
                    None
                }
                Request::Kill => {
                    self.end_all();
                    return Ok(Control::Killed(at));
                }
            };
            match next {
                Some(to) => {
                    self.invoked_by[to.index] = Some(at);
                    at = to;
                }
                None => return Ok(Control::Data(data)),
            }
        }
    }

    /// Drops every member, latest created first, and marks the set over.
    fn end_all(&mut self) {
        self.over = true;
        for slot in self.members.iter_mut().rev() {
            *slot = Slot::Ended;
        }
    }
}

impl<T> Drop for Set<'_, T> {
    fn drop(&mut self) {
        self.end_all();
    }
}
