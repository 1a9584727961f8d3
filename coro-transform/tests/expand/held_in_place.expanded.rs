/// A buffer live across two suspension points of a loop, beside a local the loop declares: the
/// two points share one variant; the buffer and the counter stay in it, `half` moves through its
/// slot, and going from one point to the other writes `__at`.
#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
fn two_points() -> impl ::coro::__private::Coroutine<
    (),
    Yield = u64,
    Return = (),
> + ::core::iter::FusedIterator<Item = u64> + ::core::fmt::Debug {
    suspend!(@ used);
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __CoroState<__L0, __L1, __L2> {
        Start {},
        S0 { __at: u32, __l2: ::core::option::Option<__L2>, __l1: __L1, __l0: __L0 },
        __Returned,
        __Killed,
        __Panicked,
    }
    #[allow(unreachable_patterns)]
    impl<__L0, __L1, __L2> ::coro::__private::State for __CoroState<__L0, __L1, __L2> {
        const META: &'static ::coro::__private::Meta = &::coro::__private::Meta {
            name: "two_points",
        };
        const RETURNED: Self = Self::__Returned;
        const KILLED: Self = Self::__Killed;
        const PANICKED: Self = Self::__Panicked;
        fn status(&self) -> ::coro::__private::Status {
            match self {
                Self::Start { .. } => ::coro::__private::Status::Unstarted,
                Self::__Returned => ::coro::__private::Status::Finished,
                Self::__Killed => ::coro::__private::Status::Killed,
                Self::__Panicked => ::coro::__private::Status::Panicked,
                _ => ::coro::__private::Status::Suspended,
            }
        }
    }
    #[allow(
        unused_mut,
        unused_variables,
        unused_assignments,
        unused_labels,
        unused_braces,
        unreachable_code,
        clippy::needless_return,
        clippy::never_loop,
        clippy::let_unit_value,
        clippy::diverging_sub_expression,
        clippy::unused_unit,
        clippy::no_effect
    )]
    let __coro = ::coro::__private::new::<
        (),
        u64,
        (),
        _,
        _,
        _,
    >(
        __CoroState::Start {},
        ::coro::__private::NoFrames,
        move |__coro_state, __coro_frames, __coro_arg| {
            let __coro_ret: () = '__coro_body: {
                match __coro_state {
                    __CoroState::Start { .. } => {
                        let __CoroState::Start {} = ::core::mem::replace(
                            __coro_state,
                            __CoroState::__Panicked,
                        ) else { ::core::unreachable!() };
                        let mut buf = [0u64; 1 << 17];
                        let mut i = 0usize;
                        '__coro_loop1: loop {
                            let half = i as u64 / 2;
                            buf[i % buf.len()] += half;
                            {
                                let __coro_y: u64 = buf[i % buf.len()];
                                *__coro_state = __CoroState::S0 {
                                    __at: 0u32,
                                    __l2: ::core::option::Option::Some(half),
                                    __l1: i,
                                    __l0: buf,
                                };
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
                    __CoroState::S0 {
                        __at: __coro_at,
                        __l0: __r0,
                        __l1: __r1,
                        __l2: __r2,
                    } if *__coro_at == 0u32 => {
                        let __s2 = match ::core::option::Option::take(__r2) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        {
                            '__coro_o0: {
                                '__coro_it0: {
                                    let half = __s2;
                                    ::core::mem::drop(__coro_arg);
                                    (*__r1) += 1;
                                    {
                                        let __coro_y: u64 = half;
                                        *__coro_at = 1u32;
                                        return ::core::result::Result::Ok(__coro_y);
                                    }
                                }
                            }
                        }
                    }
                    __CoroState::S0 {
                        __at: __coro_at,
                        __l0: __r0,
                        __l1: __r1,
                        __l2: __r2,
                    } if *__coro_at == 1u32 => '__coro_o0: {
                        '__coro_it0: {
                            ::core::mem::drop(__coro_arg);
                        }
                        '__coro_loop1: loop {
                            let half = (*__r1) as u64 / 2;
                            (*__r0)[(*__r1) % (*__r0).len()] += half;
                            {
                                let __coro_y: u64 = (*__r0)[(*__r1) % (*__r0).len()];
                                *__r2 = ::core::option::Option::Some(half);
                                *__coro_at = 0u32;
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
                    __CoroState::S0 { .. } => ::core::unreachable!(),
                    __CoroState::__Returned => {
                        return ::core::result::Result::Err(
                            ::coro::__private::EarlyExit::Finished,
                        );
                    }
                    __CoroState::__Killed => {
                        return ::core::result::Result::Err(
                            ::coro::__private::EarlyExit::Killed,
                        );
                    }
                    __CoroState::__Panicked => {
                        return ::core::result::Result::Err(
                            ::coro::__private::EarlyExit::Panicked,
                        );
                    }
                }
            };
            *__coro_state = __CoroState::__Returned;
            return ::core::result::Result::Err(
                ::coro::__private::EarlyExit::Returned(__coro_ret),
            );
        },
    );
    __coro
}
