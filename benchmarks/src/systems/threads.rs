//! OS threads + zero-capacity rendezvous channels (`sync_channel(0)`): every
//! `send` blocks until the receiver takes the value, so each item is a
//! real thread handoff (two context switches through the kernel on 2 cores).
use std::sync::mpsc::sync_channel;
use std::thread;

// ---- 1. counter -------------------------------------------------------
pub fn counter(n: u64) -> u64 {
    let (tx, rx) = sync_channel::<u64>(0);
    let h = thread::spawn(move || {
        for i in 0..n {
            if i % 3 != 0 {
                tx.send(i * 2).unwrap();
            }
        }
        // tx dropped -> rx iterator ends
    });
    let s = rx.iter().fold(0u64, u64::wrapping_add);
    h.join().unwrap();
    s
}

// ---- 4. ping-pong ------------------------------------------------------
pub fn ping_pong(rounds: u64) -> u64 {
    let (to_tx, to_rx) = sync_channel::<u64>(0);
    let (back_tx, back_rx) = sync_channel::<u64>(0);
    let h = thread::spawn(move || {
        for v in to_rx {
            back_tx.send(v + 1).unwrap();
        }
    });
    let mut v = 0u64;
    for _ in 0..rounds {
        to_tx.send(v).unwrap();
        v = back_rx.recv().unwrap();
    }
    drop(to_tx);
    h.join().unwrap();
    v
}

// ---- 5. microthreads: OS threads passing a baton around a ring ----------
/// `k` threads in a ring, each taking the baton `m` times: the number of handoffs.
pub fn microthreads(k: u64, m: u64) -> u64 {
    let k = usize::try_from(k).expect("a small ring");
    let (channels, receivers): (Vec<_>, Vec<_>) = (0..k).map(|_| sync_channel::<u64>(0)).unzip();
    let (done_tx, done_rx) = sync_channel::<u64>(1);
    let handles: Vec<_> = receivers
        .into_iter()
        .enumerate()
        .map(|(i, rx)| {
            let next = channels[(i + 1) % k].clone();
            let done = done_tx.clone();
            let last = i == k - 1;
            thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    for round in 0..m {
                        let v = rx.recv().unwrap();
                        if last && round == m - 1 {
                            done.send(v + 1).unwrap();
                        } else {
                            next.send(v + 1).unwrap();
                        }
                    }
                })
                .unwrap()
        })
        .collect();
    channels[0].send(0).unwrap();
    let total = done_rx.recv().unwrap();
    for h in handles {
        h.join().unwrap();
    }
    total
}
