#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
fn steps(
    log: Log,
    stop: bool,
) -> impl ::coro::__private::Coroutine<
    (),
    Yield = u64,
    Return = u64,
> + ::core::iter::FusedIterator<Item = u64> + ::core::fmt::Debug {
    suspend!(@ used);
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __CoroState<__P0, __P1, __L1, __L2, __L3> {
        Start { __p1: __P1, __p0: __P0 },
        S0 {
            __at: u32,
            __l3: __L3,
            __l2: ::core::option::Option<__L2>,
            __l1: ::core::option::Option<__L1>,
        },
        __Returned,
        __Killed,
        __Panicked,
    }
    #[allow(unreachable_patterns)]
    impl<__P0, __P1, __L1, __L2, __L3> ::coro::__private::State
    for __CoroState<__P0, __P1, __L1, __L2, __L3> {
        const META: &'static ::coro::__private::Meta = &::coro::__private::Meta {
            name: "steps",
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
        u64,
        _,
        _,
        _,
    >(
        __CoroState::Start {
            __p0: log,
            __p1: stop,
        },
        ::coro::__private::NoFrames,
        move |__coro_state, __coro_frames, __coro_arg| {
            let __coro_ret: u64 = '__coro_body: {
                match __coro_state {
                    __CoroState::Start { .. } => {
                        let __CoroState::Start { __p0: __s_p0, __p1: __s_p1 } = ::core::mem::replace(
                            __coro_state,
                            __CoroState::__Panicked,
                        ) else { ::core::unreachable!() };
                        let log = __s_p0;
                        let stop = __s_p1;
                        let guard = Guard(log);
                        let mut buf = [0u64; 1024];
                        {
                            let __coro_y: u64 = buf[0];
                            *__coro_state = __CoroState::S0 {
                                __at: 0u32,
                                __l3: buf,
                                __l2: ::core::option::Option::Some(guard),
                                __l1: ::core::option::Option::Some(stop),
                            };
                            return ::core::result::Result::Ok(__coro_y);
                        }
                    }
                    __CoroState::S0 {
                        __at: __coro_at,
                        __l1: __r1,
                        __l2: __r2,
                        __l3: __r3,
                    } if *__coro_at == 0u32 => {
                        let __s1 = match ::core::option::Option::take(__r1) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        let __s2 = match ::core::option::Option::take(__r2) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        {
                            let stop = __s1;
                            let guard = __s2;
                            let mut buf;
                            ::core::mem::drop(__coro_arg);
                            (*__r3)[1] = 1;
                            if stop {
                                break '__coro_body {
                                    let __CoroState::S0 { __l3: __m3, .. } = ::core::mem::replace(
                                        __coro_state,
                                        __CoroState::__Panicked,
                                    ) else { ::core::unreachable!() };
                                    buf = __m3;
                                    buf[1]
                                };
                            }
                            {
                                let __coro_y: u64 = (*__r3)[1];
                                *__r2 = ::core::option::Option::Some(guard);
                                *__coro_at = 1u32;
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
                    __CoroState::S0 {
                        __at: __coro_at,
                        __l1: __r1,
                        __l2: __r2,
                        __l3: __r3,
                    } if *__coro_at == 1u32 => {
                        let __s2 = match ::core::option::Option::take(__r2) {
                            ::core::option::Option::Some(v) => v,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        {
                            let guard = __s2;
                            ::core::mem::drop(__coro_arg);
                            println!("{}", guard.0.len());
                            {
                                let __coro_y: u64 = (*__r3)[2];
                                *__coro_at = 2u32;
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                    }
                    __CoroState::S0 {
                        __at: __coro_at,
                        __l1: __r1,
                        __l2: __r2,
                        __l3: __r3,
                    } if *__coro_at == 2u32 => {
                        let mut buf;
                        ::core::mem::drop(__coro_arg);
                        let __CoroState::S0 { __l3: __m3, .. } = ::core::mem::replace(
                            __coro_state,
                            __CoroState::__Panicked,
                        ) else { ::core::unreachable!() };
                        buf = __m3;
                        break '__coro_body buf.iter().sum();
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
