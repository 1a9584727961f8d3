/// A buffer live across every suspension: resumed in place.
#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
fn large() -> impl ::coro::__private::Coroutine<
    (),
    Yield = u64,
    Return = (),
> + ::core::iter::FusedIterator<Item = u64> + ::core::fmt::Debug {
    suspend!(@ used);
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __CoroState<__L0, __L1> {
        Start {},
        S0 { __l1: __L1, __l0: __L0 },
        __Returned,
        __Killed,
        __Panicked,
    }
    #[allow(unreachable_patterns)]
    impl<__L0, __L1> ::coro::__private::State for __CoroState<__L0, __L1> {
        const META: &'static ::coro::__private::Meta = &::coro::__private::Meta {
            name: "large",
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
                        let mut buf = [0u64; 32];
                        let mut i = 0usize;
                        '__coro_loop1: loop {
                            buf[i % 32] = buf[(i + 31) % 32] + i as u64;
                            {
                                let __coro_y: u64 = buf[i % 32];
                                *__coro_state = __CoroState::S0 {
                                    __l1: i,
                                    __l0: buf,
                                };
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
                    __CoroState::S0 { __l0: __r0, __l1: __r1 } => '__coro_o0: {
                        '__coro_it0: {
                            ::core::mem::drop(__coro_arg);
                            (*__r1) += 1;
                        }
                        '__coro_loop1: loop {
                            (*__r0)[(*__r1) % 32] = (*__r0)[((*__r1) + 31) % 32]
                                + (*__r1) as u64;
                            {
                                let __coro_y: u64 = (*__r0)[(*__r1) % 32];
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
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
