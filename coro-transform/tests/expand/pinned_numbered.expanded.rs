/// The pinned lowering: a loop over a borrow of a local, a borrow held across a suspension, and
/// a delegation given a borrow of the local.
#[must_use = "a coroutine does nothing until it is resumed"]
#[allow(
    refining_impl_trait,
    clippy::used_underscore_binding,
    clippy::no_effect_underscore_binding,
    clippy::unnecessary_semicolon
)]
#[allow(clippy::await_holding_refcell_ref, clippy::await_holding_lock)]
fn numbered() -> impl ::coro::__private::Coroutine<
    (),
    Yield = (usize, u32),
    Return = (),
> + ::core::iter::FusedIterator<Item = (usize, u32)> + ::core::fmt::Debug {
    suspend!(@ used);
    suspend_from!(@ used);
    ::std::thread_local! {
        static __CORO_PORT : ::coro::__private::Port < (usize, u32), () > = const {
        ::coro::__private::Port::empty() };
    }
    #[derive(::core::clone::Clone, ::core::marker::Copy)]
    struct __CoroPort;
    impl ::coro::__private::Hand<(usize, u32), ()> for __CoroPort {
        #[inline]
        fn with_port<__T>(
            &self,
            f: impl ::core::ops::FnOnce(
                &::coro::__private::Port<(usize, u32), ()>,
            ) -> __T,
        ) -> __T {
            __CORO_PORT.with(f)
        }
    }
    let __coro_port = __CoroPort;
    ::coro::__private::pinned::<
        (),
        (usize, u32),
        (),
        _,
        _,
    >(
        &::coro::__private::Meta {
            name: "numbered",
        },
        ::core::clone::Clone::clone(&__coro_port),
        async move {
            let __coro_port = __coro_port;
            let () = ::coro::__private::Hand::resumed(&__coro_port);
            let v = vec![3, 1, 4];
            for (i, x) in v.iter().enumerate() {
                ::coro::__private::Hand::suspend(
                        &__coro_port,
                        ::coro::__private::Yielded::<(usize, u32)> {
                            value: (i, *x),
                        }
                            .value,
                    )
                    .await
            }
            let first = &v[0];
            ::coro::__private::Hand::suspend(
                    &__coro_port,
                    ::coro::__private::Yielded::<(usize, u32)> {
                        value: (9, *first),
                    }
                        .value,
                )
                .await;
            {
                let __coro_c = walk(&v);
                let mut __coro_a = ();
                let mut __coro_d = ::coro::__private::delegation::<
                    (),
                    (usize, u32),
                    _,
                >(__coro_c);
                loop {
                    match ::coro::__private::Delegation::resume(
                        &mut __coro_d,
                        ::core::option::Option::Some(__coro_a),
                        ::coro::__private::Mode::Top,
                    ) {
                        ::coro::__private::Delegated::Yield(__coro_y) => {
                            __coro_a = ::coro::__private::Hand::suspend(
                                    &__coro_port,
                                    __coro_y,
                                )
                                .await;
                        }
                        ::coro::__private::Delegated::Returned(__coro_v) => {
                            break __coro_v;
                        }
                        _ => match ::coro::__private::Hand::end(&__coro_port).await {}
                    }
                }
            };
        },
    )
}
