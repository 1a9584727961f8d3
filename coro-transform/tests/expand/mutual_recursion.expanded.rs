#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
fn even(
    n: u32,
) -> impl ::coro::__private::Coroutine<
    (),
    Yield = u32,
    Return = u32,
> + ::core::iter::FusedIterator<Item = u32> + ::core::fmt::Debug {
    suspend!(@ used);
    suspend_from!(@ used);
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __CoroState<__P0, __L0, __L1> {
        Start { __p0: __P0 },
        S0 { __l0: __L0 },
        S1 { __h: __L1 },
        __Returned,
        __Killed,
        __Panicked,
    }
    #[allow(unreachable_patterns)]
    impl<__P0, __L0, __L1> ::coro::__private::State for __CoroState<__P0, __L0, __L1> {
        const META: &'static ::coro::__private::Meta = &::coro::__private::Meta {
            name: "even",
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
    impl<__R, __Y, __P0, __L0, __L1> ::coro::__private::Handing<__R, __Y>
    for __CoroState<__P0, __L0, __L1>
    where
        __L1: ::coro::__private::Delegates<__R, __Y>,
    {
        fn take_handed<'a>(
            &mut self,
        ) -> ::core::option::Option<::coro::__private::Level<'a, __R, __Y>>
        where
            Self: 'a,
        {
            match self {
                Self::S1 { __h, .. } => ::coro::__private::Delegates::take_handed(__h),
                _ => ::core::option::Option::None,
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
    let __coro = ::coro::__private::new_delegating::<
        (),
        u32,
        u32,
        _,
        _,
        _,
    >(
        __CoroState::Start { __p0: n },
        ::coro::__private::NoFrames,
        move |__coro_state, __coro_frames, __coro_arg, __coro_mode| {
            let mut __coro_arg = __coro_arg;
            '__coro_dispatch: loop {
                let __coro_ret: u32 = '__coro_body: {
                    match __coro_state {
                        __CoroState::Start { .. } => {
                            let __CoroState::Start { __p0: __s_p0 } = ::core::mem::replace(
                                __coro_state,
                                __CoroState::__Panicked,
                            ) else { ::core::unreachable!() };
                            let n = __s_p0;
                            {
                                let __coro_y: u32 = n;
                                *__coro_state = __CoroState::S0 { __l0: n };
                                return ::core::result::Result::Ok(__coro_y);
                            }
                        }
                        __CoroState::S0 { .. } => {
                            let __CoroState::S0 { __l0: __s0 } = ::core::mem::replace(
                                __coro_state,
                                __CoroState::__Panicked,
                            ) else { ::core::unreachable!() };
                            {
                                let n = __s0;
                                ::core::mem::drop(
                                    match ::core::option::Option::take(&mut __coro_arg) {
                                        ::core::option::Option::Some(v) => v,
                                        ::core::option::Option::None => ::core::unreachable!(),
                                    },
                                );
                                if n == 0 {
                                    break '__coro_body 0;
                                } else {
                                    {
                                        {
                                            let __coro_c = odd(n - 1).boxed();
                                            let mut __coro_d = ::coro::__private::delegation_boxed::<
                                                (),
                                                u32,
                                                _,
                                            >(__coro_c);
                                            let __coro_f: () = ();
                                            *__coro_state = __CoroState::S1 { __h: __coro_d };
                                            __coro_arg = ::core::option::Option::Some(__coro_f);
                                            continue '__coro_dispatch;
                                        }
                                    }
                                }
                            }
                        }
                        __CoroState::S1 { __h: __coro_d, .. } => {
                            match ::coro::__private::BoxDelegation::resume(
                                __coro_d,
                                ::core::option::Option::take(&mut __coro_arg),
                                __coro_mode,
                            ) {
                                ::coro::__private::Delegated::Yield(__coro_y) => {
                                    return ::core::result::Result::Ok(__coro_y);
                                }
                                ::coro::__private::Delegated::Returned(__coro_dv) => {
                                    let __CoroState::S1 { __h: _ } = ::core::mem::replace(
                                        __coro_state,
                                        __CoroState::__Panicked,
                                    ) else { ::core::unreachable!() };
                                    {
                                        {
                                            {
                                                let __coro_t1 = __coro_dv;
                                                break '__coro_body 1 + __coro_t1;
                                            }
                                        }
                                    }
                                }
                                ::coro::__private::Delegated::Ended => {
                                    return ::coro::__private::end_delegating(
                                        __coro_state,
                                        __coro_frames,
                                    );
                                }
                                ::coro::__private::Delegated::Handed => {
                                    return ::coro::__private::handed();
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
            }
        },
    );
    __coro
}
