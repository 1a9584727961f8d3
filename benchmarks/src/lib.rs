//! Every workload of `BENCHMARKS.md`, written once per system with the same observable result
//! (a sum, a count or an `Ordering`), so that `tests/agree.rs` can check that all systems agree
//! and nothing is optimized away.
//!
//! Each module of [`systems`] offers the workloads its system can express:
//! `counter(n)`, `fringe_sum(tree)`, `same_fringe(a, b)`, `ping_pong(rounds)`, `creation(n)`,
//! `large_state(n)`, and for schedulers `microthreads(k, m)`.

pub mod echo;
pub mod tree;

pub mod systems {
    //! One module per system.
    pub mod coro;
    pub mod coro_pinned;
    pub mod corosensei;
    pub mod diapause;
    pub mod genawaiter_rc;
    pub mod genawaiter_stack;
    pub mod generator;
    pub mod hand;
    pub mod next_gen;
    pub mod threads;
    pub mod tokio;
}
