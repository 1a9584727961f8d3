#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
fn checked(
    limit: u32,
) -> impl ::coro::__private::Coroutine<
    (),
    Yield = u32,
    Return = anyhow::Result<u32>,
> + ::core::iter::FusedIterator<Item = u32> + ::core::fmt::Debug {
    suspend!(@ used);
    #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
    enum __CoroState<__P0, __L1, __L2> {
        Start { __p0: __P0 },
        S0 { __l2: __L2, __l1: __L1 },
        __Returned,
        __Killed,
        __Panicked,
    }
    #[allow(unreachable_patterns)]
    impl<__P0, __L1, __L2> ::coro::__private::State for __CoroState<__P0, __L1, __L2> {
        const META: &'static ::coro::__private::Meta = &::coro::__private::Meta {
            name: "checked",
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
        u32,
        anyhow::Result<u32>,
        _,
        _,
        _,
    >(
        __CoroState::Start { __p0: limit },
        ::coro::__private::NoFrames,
        move |__coro_state, __coro_frames, __coro_arg| {
            let __coro_ret: anyhow::Result<u32> = match ::coro::__private::exit_scope::<
                anyhow::Result<u32>,
                _,
                _,
            >(|__coro_exit| {
                __coro_exit
                    .value('__coro_body: {
                        match __coro_state {
                            __CoroState::Start { .. } => {
                                let __CoroState::Start { __p0: __s_p0 } = ::core::mem::replace(
                                    __coro_state,
                                    __CoroState::__Panicked,
                                ) else { ::core::unreachable!() };
                                let limit = __s_p0;
                                let mut total = 0;
                                {
                                    let mut __coro_iter1 = ::core::iter::IntoIterator::into_iter(
                                        0..limit,
                                    );
                                    '__coro_loop2: loop {
                                        let ::core::option::Option::Some(i) = ::core::iter::Iterator::next(
                                            &mut __coro_iter1,
                                        ) else {
                                            break '__coro_loop2;
                                        };
                                        if i > 100 {
                                            anyhow::bail!("too many: {i}");
                                        }
                                        total += i;
                                        {
                                            let __coro_y: u32 = total;
                                            *__coro_state = __CoroState::S0 {
                                                __l2: __coro_iter1,
                                                __l1: total,
                                            };
                                            return __coro_exit
                                                .leave(::core::result::Result::Ok(__coro_y));
                                        }
                                    }
                                }
                                break '__coro_body Ok(total);
                            }
                            __CoroState::S0 { __l1: __r1, __l2: __r2 } => {
                                let mut total;
                                {
                                    let mut __coro_iter1;
                                    '__coro_o0: {
                                        '__coro_it0: {
                                            ::core::mem::drop(__coro_arg);
                                        }
                                        '__coro_loop2: loop {
                                            let ::core::option::Option::Some(i) = ::core::iter::Iterator::next(
                                                &mut (*__r2),
                                            ) else {
                                                break '__coro_loop2;
                                            };
                                            if i > 100 {
                                                anyhow::bail!("too many: {i}");
                                            }
                                            (*__r1) += i;
                                            {
                                                let __coro_y: u32 = (*__r1);
                                                return __coro_exit
                                                    .leave(::core::result::Result::Ok(__coro_y));
                                            }
                                        }
                                    }
                                    let __CoroState::S0 { __l1: __m1, __l2: __m2 } = ::core::mem::replace(
                                        __coro_state,
                                        __CoroState::__Panicked,
                                    ) else { ::core::unreachable!() };
                                    total = __m1;
                                    __coro_iter1 = __m2;
                                }
                                break '__coro_body Ok(total);
                            }
                            __CoroState::__Returned => {
                                return __coro_exit
                                    .leave(
                                        ::core::result::Result::Err(
                                            ::coro::__private::EarlyExit::Finished,
                                        ),
                                    );
                            }
                            __CoroState::__Killed => {
                                return __coro_exit
                                    .leave(
                                        ::core::result::Result::Err(
                                            ::coro::__private::EarlyExit::Killed,
                                        ),
                                    );
                            }
                            __CoroState::__Panicked => {
                                return __coro_exit
                                    .leave(
                                        ::core::result::Result::Err(
                                            ::coro::__private::EarlyExit::Panicked,
                                        ),
                                    );
                            }
                        }
                    })
            }) {
                ::coro::__private::Flow::Value(__coro_v) => __coro_v,
                ::coro::__private::Flow::Leave(__coro_s) => return __coro_s,
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!(),
            };
            *__coro_state = __CoroState::__Returned;
            return ::core::result::Result::Err(
                ::coro::__private::EarlyExit::Returned(__coro_ret),
            );
        },
    );
    __coro
}
