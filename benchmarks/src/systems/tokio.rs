//! tokio's current-thread runtime, for the microthread workload.

/// `k` tasks each yielding `m` times: the number of switches.
pub fn microthreads(k: u64, m: u64) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let handles: Vec<_> = (0..k)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..m {
                        tokio::task::yield_now().await;
                    }
                    m
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h.await.expect("no task panics");
        }
        total
    })
}
