//! Every system computes the same result for every workload it takes part in.

use benchmarks::systems::{
    coro, coro_pinned, corosensei, diapause, genawaiter_rc, genawaiter_stack, generator, hand,
    next_gen, threads, tokio,
};
use benchmarks::tree::{Tree, balanced, deep_chain, drop_iteratively, reference};
use std::cmp::Ordering;

type Fringe = fn(&Tree) -> u64;
type Same = fn(&Tree, &Tree) -> Ordering;
type Count = fn(u64) -> u64;

const SYSTEMS: &[(&str, Count, Fringe, Same, Count, Count, Count)] = &[
    (
        "hand",
        hand::counter,
        hand::fringe_sum,
        hand::same_fringe,
        hand::ping_pong,
        hand::creation,
        hand::large_state,
    ),
    (
        "coro",
        coro::counter,
        coro::fringe_sum,
        coro::same_fringe,
        coro::ping_pong,
        coro::creation,
        coro::large_state,
    ),
    (
        "coro pinned",
        coro_pinned::counter,
        coro_pinned::fringe_sum,
        coro_pinned::same_fringe,
        coro_pinned::ping_pong,
        coro_pinned::creation,
        coro_pinned::large_state,
    ),
    (
        "diapause",
        diapause::counter,
        diapause::fringe_sum,
        diapause::same_fringe,
        diapause::ping_pong_bb,
        diapause::creation_bb,
        diapause::large_state,
    ),
    (
        "genawaiter stack",
        genawaiter_stack::counter,
        genawaiter_stack::fringe_sum,
        genawaiter_stack::same_fringe,
        genawaiter_stack::ping_pong,
        genawaiter_stack::creation,
        genawaiter_stack::large_state,
    ),
    (
        "genawaiter rc",
        genawaiter_rc::counter,
        genawaiter_rc::fringe_sum,
        genawaiter_rc::same_fringe,
        genawaiter_rc::ping_pong,
        genawaiter_rc::creation,
        genawaiter_rc::large_state,
    ),
    (
        "next-gen",
        next_gen::counter,
        next_gen::fringe_sum,
        next_gen::same_fringe,
        next_gen::ping_pong,
        next_gen::creation,
        next_gen::large_state,
    ),
    (
        "corosensei",
        corosensei::counter,
        corosensei::fringe_sum,
        corosensei::same_fringe,
        corosensei::ping_pong,
        corosensei::creation,
        corosensei::large_state,
    ),
    (
        "generator",
        generator::counter,
        generator::fringe_sum,
        generator::same_fringe,
        generator::ping_pong,
        generator::creation,
        generator::large_state,
    ),
];

#[test]
fn all_systems_agree() {
    // Deep recursion in the boxed and stackful systems needs a big stack in debug builds.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let tree = balanced(10, 0);
            let chain = deep_chain(200);
            let mut differ = balanced(10, 0);
            if let Tree::Node(kids) = &mut differ {
                kids[1] = balanced(9, 7);
            }
            for (name, counter, fringe, same, ping, create, large) in SYSTEMS {
                assert_eq!(counter(1000), reference::counter(1000), "{name} counter");
                assert_eq!(fringe(&tree), reference::fringe_sum(&tree), "{name} fringe");
                assert_eq!(
                    fringe(&chain),
                    reference::fringe_sum(&chain),
                    "{name} chain"
                );
                assert_eq!(same(&tree, &tree), Ordering::Equal, "{name} same fringe");
                assert_eq!(
                    same(&tree, &differ),
                    reference::same_fringe(&tree, &differ),
                    "{name} differ"
                );
                assert_eq!(ping(1000), reference::ping_pong(1000), "{name} ping-pong");
                assert_eq!(create(1000), reference::creation(1000), "{name} creation");
                assert_eq!(
                    large(1000),
                    reference::large_state(1000),
                    "{name} large state"
                );
            }
            assert_eq!(threads::counter(1000), reference::counter(1000));
            assert_eq!(threads::ping_pong(100), reference::ping_pong(100));
            assert_eq!(hand::ping_pong_local(1000), reference::ping_pong(1000));
            assert_eq!(coro::ping_pong_local(1000), reference::ping_pong(1000));
            assert_eq!(
                coro_pinned::ping_pong_floor(1000),
                reference::ping_pong(1000)
            );
            for (k, m) in [(1, 5), (10, 7), (100, 3)] {
                let want = reference::microthreads(k, m);
                assert_eq!(hand::microthreads(k, m), want, "hand {k}x{m}");
                assert_eq!(coro::microthreads(k, m), want, "coro {k}x{m}");
                assert_eq!(tokio::microthreads(k, m), want, "tokio {k}x{m}");
                if k > 1 {
                    // A ring of one thread would hand the baton to itself.
                    assert_eq!(threads::microthreads(k, m), want, "threads {k}x{m}");
                }
            }
            drop_iteratively(chain);
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A coroutine is its state and its identity, which is empty without the `current` feature
/// (the untracked build asserts that at compile time; the workspace's tests turn it on).
#[test]
fn a_coroutine_is_its_state_and_its_identity() {
    use ::coro::suspend;

    #[::coro::coroutine(yield = u64)]
    fn count(n: u64) {
        let mut i = 0;
        while i < n {
            suspend!(i);
            i += 1;
        }
    }

    let c = count(3);
    let identity = std::mem::size_of::<::coro::__private::Id>();
    assert_eq!(std::mem::size_of_val(&c), 24 + identity);
    assert_eq!(c.collect::<Vec<_>>(), [0, 1, 2]);
}
