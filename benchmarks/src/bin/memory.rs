//! Peak resident memory per idle task, measured in a process of its own:
//! `cargo run --release -p benchmarks --bin memory -- [coro|hand|tokio] [N]` (all three and
//! 1,000,000 by default). Each task is blocked (waiting on a channel that never delivers) when
//! the peak is read. For coro the peak is read by one more microthread, spawned last, so that it
//! runs once every other one has parked: before `run` returns its report of them, which holds
//! 40 bytes per stuck microthread and is not the cost of an idle one.
use coro::suspend_from;
use coro::uthread::{Channel, Scheduler, Syscall, Wake};
use std::cell::Cell;
use std::collections::VecDeque;
use std::hint::black_box;
use std::rc::Rc;

/// This process's peak resident set, in bytes (`VmHWM` of `/proc/self/status`).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[coro::coroutine(yield = Syscall, resume = Wake)]
fn idle(ch: Channel<u8>, #[resume] _w: Wake) {
    let _ = suspend_from!(ch.recv());
}

/// Reads the peak once every microthread spawned before it has parked.
#[coro::coroutine(yield = Syscall, resume = Wake)]
fn measure(peak: Rc<Cell<u64>>, #[resume] _w: Wake) {
    peak.set(peak_rss());
}

fn coro_tasks(n: u64) -> (u64, usize) {
    let s = Scheduler::new().expect("a scheduler");
    let ch = Channel::rendezvous();
    let own = std::mem::size_of_val(&idle(ch.clone()));
    let peak = Rc::new(Cell::new(0));
    let before = peak_rss();
    for _ in 0..n {
        drop(s.spawn(idle(ch.clone())));
    }
    drop(s.spawn(measure(peak.clone())));
    let report = s.run();
    assert_eq!(report.blocked.len() as u64, n);
    black_box(&s);
    ((peak.get() - before) / n, own)
}

fn hand_tasks(n: u64) -> (u64, usize) {
    /// A hand-written task: a state word and what it waits on.
    #[allow(dead_code)] // only its size matters
    struct Task {
        state: u64,
        waiting_on: usize,
    }
    let before = peak_rss();
    let queue: VecDeque<Task> = (0..n)
        .map(|i| Task {
            state: i,
            waiting_on: 0,
        })
        .collect();
    let after = peak_rss();
    black_box(&queue);
    ((after - before) / n, std::mem::size_of::<Task>())
}

fn tokio_tasks(n: u64) -> (u64, usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let before = peak_rss();
    rt.block_on(async {
        let (_tx, rx) = tokio::sync::watch::channel(0u8);
        for _ in 0..n {
            let mut rx = rx.clone();
            tokio::spawn(async move {
                let _ = rx.changed().await;
            });
        }
        // Let every task run to its await.
        tokio::task::yield_now().await;
        let after = peak_rss();
        ((after - before) / n, 0)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "all".to_owned());
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let run = |name: &str, f: fn(u64) -> (u64, usize)| {
        // Each system in a process of its own, so that peaks do not mix.
        if which == name {
            let (per_task, own) = f(n);
            println!(
                "{name}: {per_task} bytes per idle task at {n} tasks (the task's own state: {own} bytes)"
            );
        } else if which == "all" {
            let out = std::process::Command::new(std::env::current_exe().expect("this program"))
                .args([name, &n.to_string()])
                .output()
                .expect("run a measurement");
            print!("{}", String::from_utf8_lossy(&out.stdout));
        }
    };
    run("hand", hand_tasks);
    run("coro", coro_tasks);
    run("tokio", tokio_tasks);
}
