//! Async coroutines: `#[coro::coroutine(yield = T, async)]` on an `async fn`, a `Stream` whose
//! body may `.await` anywhere and `suspend!` to yield, driven by real executors.
#![allow(clippy::cast_possible_truncation, clippy::items_after_statements)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use coro::{Coroutine, current, suspend, suspend_from};
use futures::StreamExt;
use futures::executor::block_on;
use futures::stream::FusedStream;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A future that is pending `n` times, waking its task each time, then ready with `n`.
struct YieldNow {
    left: u32,
    polls: Arc<AtomicUsize>,
}

impl Future for YieldNow {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        if self.left == 0 {
            return Poll::Ready(7);
        }
        self.left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn yield_now(left: u32, polls: &Arc<AtomicUsize>) -> YieldNow {
    YieldNow {
        left,
        polls: Arc::clone(polls),
    }
}

// ---- the basics ---------------------------------------------------------------------------------

#[coro::coroutine(yield = u32, async)]
async fn counted(n: u32, polls: Arc<AtomicUsize>) {
    for i in 0..n {
        let seven = yield_now(2, &polls).await;
        suspend!(i * seven);
    }
}

#[test]
fn a_stream_of_what_the_body_suspends_with_across_real_awaits() {
    let polls = Arc::new(AtomicUsize::new(0));
    let items: Vec<u32> = block_on(counted(4, Arc::clone(&polls)).collect());
    assert_eq!(items, [0, 7, 14, 21]);
    // Each await is polled three times: twice pending, then ready.
    assert_eq!(polls.load(Ordering::Relaxed), 12);
}

#[test]
fn a_pending_await_returns_pending_to_the_poller() {
    let polls = Arc::new(AtomicUsize::new(0));
    let mut s = counted(2, Arc::clone(&polls));
    let woken = Arc::new(AtomicUsize::new(0));
    struct Count(Arc<AtomicUsize>);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    let waker = std::task::Waker::from(Arc::new(Count(Arc::clone(&woken))));
    let mut cx = Context::from_waker(&waker);
    let mut s = Pin::new(&mut s);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(
        woken.load(Ordering::Relaxed),
        1,
        "the await got the poller's waker"
    );
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(0)));
    assert!(!s.is_terminated());
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(7)));
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert!(s.is_terminated());
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert_eq!(woken.load(Ordering::Relaxed), 4);
}

use futures::Stream;

#[coro::coroutine(yield = String, async)]
async fn words(text: String) {
    // A borrow of a local held across both kinds of suspension.
    for w in text.split_whitespace() {
        futures::future::ready(()).await;
        suspend!(w.to_uppercase());
    }
}

#[test]
fn borrows_of_locals_across_suspensions_and_awaits() {
    let items: Vec<String> = block_on(words("a bc  d".into()).collect());
    assert_eq!(items, ["A", "BC", "D"]);
}

#[coro::coroutine(yield = Result<u32, String>, async)]
async fn parsed(words: Vec<&'static str>) -> Result<(), String> {
    for w in words {
        let n: u32 = async { w.parse() }
            .await
            .map_err(|_| format!("not a number: {w}"))?;
        suspend!(Ok(n));
    }
    Ok(())
}

#[test]
fn an_error_returned_with_question_mark_is_the_last_item() {
    let items: Vec<_> = block_on(parsed(vec!["1", "2", "x", "3"]).collect());
    assert_eq!(items, [Ok(1), Ok(2), Err("not a number: x".to_string())]);
    let items: Vec<_> = block_on(parsed(vec!["4"]).collect());
    assert_eq!(items, [Ok(4)]);
}

#[test]
fn an_inline_async_coroutine_captures_what_it_uses() {
    let base = 10;
    let s = coro::coro!(yield = u32, async, move {
        for i in 0..3 {
            futures::future::ready(()).await;
            suspend!(base + i);
        }
    });
    assert_eq!(block_on(s.collect::<Vec<_>>()), [10, 11, 12]);
}

#[coro::coroutine(yield = &'static str, async, name = "named")]
async fn who() {
    suspend!(current().map_or("none", |c| c.name()));
    futures::future::ready(()).await;
    suspend!(current().map_or("none", |c| c.name()));
}

#[test]
fn current_names_the_running_stream() {
    assert_eq!(block_on(who().collect::<Vec<_>>()), ["named", "named"]);
    assert!(current().is_none());
}

struct Counter {
    step: u32,
}

impl Counter {
    #[coro::coroutine(yield = u32, async)]
    async fn multiples(&self, n: u32) {
        for i in 1..=n {
            futures::future::ready(()).await;
            suspend!(i * self.step);
        }
    }
}

#[test]
fn a_method_borrows_its_receiver() {
    let c = Counter { step: 3 };
    assert_eq!(block_on(c.multiples(3).collect::<Vec<_>>()), [3, 6, 9]);
}

#[coro::coroutine(yield = u32, async)]
async fn panics_after_one() {
    suspend!(1);
    futures::future::ready(()).await;
    panic!("boom");
}

#[test]
fn a_panic_ends_the_stream() {
    let mut s = panics_after_one();
    assert_eq!(block_on(s.next()), Some(1));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(s.next())));
    assert!(caught.is_err());
    assert!(s.is_terminated());
    assert_eq!(block_on(s.next()), None);
}

// ---- against tokio --------------------------------------------------------------------------------

#[coro::coroutine(yield = std::io::Result<String>, async)]
async fn lines(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).await? != 0 {
        suspend!(Ok(line.trim_end().to_owned()));
        line.clear();
    }
    Ok(())
}

#[tokio::test]
async fn lines_read_from_a_tcp_loopback_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        for chunk in ["one\ntw", "o\n", "three\nfour"] {
            socket.write_all(chunk.as_bytes()).await.unwrap();
            socket.flush().await.unwrap();
            tokio::task::yield_now().await;
        }
    });
    let got: Vec<String> = lines(addr).map(Result::unwrap).collect().await;
    assert_eq!(got, ["one", "two", "three", "four"]);
    server.await.unwrap();
}

#[tokio::test]
async fn an_awaited_io_error_ends_the_stream_with_it() {
    // Nothing listens on a port just released.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let got: Vec<std::io::Result<String>> = lines(addr).collect().await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].as_ref().unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
}

#[coro::coroutine(yield = u64, async)]
async fn ticker(period: Duration, n: u64) {
    let start = tokio::time::Instant::now();
    for _ in 0..n {
        tokio::time::sleep(period).await;
        suspend!(start.elapsed().as_millis() as u64);
    }
}

#[tokio::test(start_paused = true)]
async fn a_ticker_under_a_paused_clock() {
    let before = tokio::time::Instant::now();
    let ticks: Vec<u64> = ticker(Duration::from_millis(250), 4).collect().await;
    assert_eq!(ticks, [250, 500, 750, 1000]);
    assert_eq!(before.elapsed(), Duration::from_secs(1));
}

#[coro::coroutine(yield = u32, async)]
async fn numbers(n: u32) {
    for i in 1..=n {
        tokio::task::yield_now().await;
        suspend!(i);
    }
}

#[coro::coroutine(yield = u32, async)]
async fn squares(mut input: impl Stream<Item = u32> + Unpin) {
    while let Some(x) = input.next().await {
        tokio::time::sleep(Duration::from_millis(1)).await;
        suspend!(x * x);
    }
}

#[coro::coroutine(yield = String, async)]
async fn labelled(input: impl Stream<Item = u32>) {
    let mut input = std::pin::pin!(input);
    let mut total = 0;
    while let Some(x) = input.next().await {
        total += x;
        suspend!(format!("{x} (total {total})"));
    }
    suspend!(format!("done: {total}"));
}

#[tokio::test(start_paused = true)]
async fn a_pipeline_of_three_async_coroutines() {
    let out: Vec<String> = labelled(squares(numbers(4))).collect().await;
    assert_eq!(
        out,
        [
            "1 (total 1)",
            "4 (total 5)",
            "9 (total 14)",
            "16 (total 30)",
            "done: 30"
        ]
    );
    // Through tokio-stream's combinators too.
    let doubled: Vec<u32> = tokio_stream::StreamExt::map(numbers(3), |x| x * 2)
        .collect()
        .await;
    assert_eq!(doubled, [2, 4, 6]);
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn a_stream_is_send_when_its_state_is() {
    let s = assert_send(numbers(3));
    assert_eq!(block_on(s.collect::<Vec<_>>()), [1, 2, 3]);
}

/// A stream whose item type names a generic parameter hands its items over through a shared
/// slot instead of a thread-local one, and is `Send` all the same.
#[test]
fn a_generic_stream_is_send_too() {
    #[coro::coroutine(yield = T, async)]
    async fn each<T: Send + 'static>(items: Vec<T>) {
        for item in items {
            tokio::task::yield_now().await;
            suspend!(item);
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let s = assert_send(each(vec!["a".to_string(), "b".to_string()]));
    let got = rt.block_on(async { tokio::spawn(s.collect::<Vec<_>>()).await.unwrap() });
    assert_eq!(got, ["a", "b"]);
}

#[test]
fn spawned_on_a_multi_thread_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
    #[coro::coroutine(yield = u32, async)]
    async fn hopping(
        n: u32,
        threads: Arc<Mutex<std::collections::HashSet<std::thread::ThreadId>>>,
    ) {
        let local = vec![1_u32; 16].into_boxed_slice(); // state held across every await
        for i in 0..n {
            threads.lock().unwrap().insert(std::thread::current().id());
            tokio::time::sleep(Duration::from_micros(50)).await;
            tokio::task::yield_now().await;
            suspend!(i + local[i as usize % 16]);
        }
    }
    let sums = rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = hopping(200, Arc::clone(&threads));
                tokio::spawn(
                    async move { s.fold(0_u64, |a, x| async move { a + u64::from(x) }).await },
                )
            })
            .collect();
        let mut sums = Vec::new();
        for t in tasks {
            sums.push(t.await.unwrap());
        }
        sums
    });
    assert_eq!(sums, vec![(1..=200).sum::<u64>(); 8]);
    assert!(!threads.lock().unwrap().is_empty());
}

// ---- cancellation ---------------------------------------------------------------------------------

type Log = Arc<Mutex<Vec<String>>>;

fn taken(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// A value that logs its drop.
struct Guard(&'static str, Log);

impl Drop for Guard {
    fn drop(&mut self) {
        self.1.lock().unwrap().push(format!("drop {}", self.0));
    }
}

/// A future that never completes, holding a guard.
struct Forever {
    _guard: Guard,
}

impl Future for Forever {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

#[coro::coroutine(yield = u32, async)]
async fn guarded(param: Guard, log: Log) {
    let _a = Guard("a", Arc::clone(&log));
    suspend!(1);
    let b = Guard("b", Arc::clone(&log));
    {
        let _inner = Guard("inner", Arc::clone(&log));
        Forever {
            _guard: Guard("pending future", Arc::clone(&log)),
        }
        .await;
    }
    drop(b);
    drop(param);
}

/// The same body as a plain `async fn`, pushing what the coroutine yields.
async fn guarded_plain(param: Guard, log: Log, out: &Mutex<Vec<u32>>) {
    let _a = Guard("a", Arc::clone(&log));
    out.lock().unwrap().push(1);
    let b = Guard("b", Arc::clone(&log));
    {
        let _inner = Guard("inner", Arc::clone(&log));
        Forever {
            _guard: Guard("pending future", Arc::clone(&log)),
        }
        .await;
    }
    drop(b);
    drop(param);
}

#[test]
fn dropping_the_stream_mid_await_drops_the_future_and_the_locals_in_rusts_order() {
    let log: Log = Arc::default();
    let mut s = guarded(Guard("param", Arc::clone(&log)), Arc::clone(&log));
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Pending);
    assert!(taken(&log).is_empty());
    drop(s);
    let coroutine = taken(&log);

    let out = Mutex::new(Vec::new());
    let mut plain = Box::pin(guarded_plain(
        Guard("param", Arc::clone(&log)),
        Arc::clone(&log),
        &out,
    ));
    assert_eq!(plain.as_mut().poll(&mut cx), Poll::Pending);
    drop(plain);
    assert_eq!(coroutine, taken(&log));
    assert_eq!(
        coroutine,
        [
            "drop pending future",
            "drop inner",
            "drop b",
            "drop a",
            "drop param"
        ]
    );
}

#[test]
fn kill_mid_await_drops_what_a_drop_would_and_ends_the_stream() {
    use coro::{AsyncCoroutine, Status};
    let log: Log = Arc::default();
    let mut s = guarded(Guard("param", Arc::clone(&log)), Arc::clone(&log));
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert_eq!(s.status(), Status::Unstarted);
    assert_eq!(s.name(), Some("guarded"));
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Pending);
    assert_eq!(s.status(), Status::Suspended);
    s.kill();
    assert_eq!(s.status(), Status::Killed);
    assert_eq!(
        taken(&log),
        [
            "drop pending future",
            "drop inner",
            "drop b",
            "drop a",
            "drop param"
        ]
    );
    assert!(s.is_terminated());
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Ready(None));
    s.kill();
    drop(s);
    assert!(taken(&log).is_empty());
}

#[test]
fn dropping_the_stream_at_a_suspend_or_unstarted() {
    let log: Log = Arc::default();
    let mut s = guarded(Guard("param", Arc::clone(&log)), Arc::clone(&log));
    assert_eq!(block_on(s.next()), Some(1));
    drop(s);
    assert_eq!(taken(&log), ["drop a", "drop param"]);
    drop(guarded(Guard("param", Arc::clone(&log)), Arc::clone(&log)));
    assert_eq!(taken(&log), ["drop param"]);
}

#[coro::coroutine(yield = u32, async)]
async fn sleepy(log: Log) {
    let _held = Guard("held", Arc::clone(&log));
    suspend!(1);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    suspend!(2);
}

#[tokio::test(start_paused = true)]
async fn an_early_drop_under_tokio_cancels_the_sleep() {
    let log: Log = Arc::default();
    let mut s = sleepy(Arc::clone(&log));
    assert_eq!(s.next().await, Some(1));
    let timed_out = tokio::time::timeout(Duration::from_secs(1), s.next()).await;
    assert!(timed_out.is_err());
    assert!(taken(&log).is_empty());
    drop(s);
    assert_eq!(taken(&log), ["drop held"]);
    // `take` drops the stream as soon as it has what it wants.
    let first: Vec<u32> = sleepy(Arc::clone(&log)).take(1).collect().await;
    assert_eq!(first, [1]);
    assert_eq!(taken(&log), ["drop held"]);
}

#[coro::coroutine(yield = bool, async)]
async fn killing_flag(log: Log) {
    struct Check(Log);
    impl Drop for Check {
        fn drop(&mut self) {
            self.0
                .lock()
                .unwrap()
                .push(format!("killing {}", coro::is_killing()));
        }
    }
    let _c = Check(Arc::clone(&log));
    suspend!(coro::is_killing());
}

#[test]
fn is_killing_while_a_dropped_stream_drops_its_locals() {
    let log: Log = Arc::default();
    let mut s = killing_flag(Arc::clone(&log));
    assert_eq!(block_on(s.next()), Some(false));
    drop(s);
    assert_eq!(taken(&log), ["killing true"]);
}

// ---- delegation -----------------------------------------------------------------------------------

#[coro::coroutine(yield = u32)]
fn sync_range(from: u32, to: u32) -> u32 {
    for i in from..to {
        suspend!(i);
    }
    to - from
}

#[coro::coroutine(yield = u32, async)]
async fn delegating() {
    suspend!(0);
    // To another async coroutine: its items, and `()` at its end.
    let () = suspend_from!(numbers(2));
    // To a synchronous coroutine resumed with `()`: its items, then its return value.
    let n = suspend_from!(sync_range(10, 13));
    suspend!(n * 100);
    // To any stream.
    suspend_from!(futures::stream::iter([7, 8]));
    tokio::task::yield_now().await;
    suspend!(99);
}

#[tokio::test]
async fn suspend_from_delegates_to_async_and_sync_coroutines_and_streams() {
    let got: Vec<u32> = delegating().collect().await;
    assert_eq!(got, [0, 1, 2, 10, 11, 12, 300, 7, 8, 99]);
}

#[coro::coroutine(yield = u32, async)]
async fn recursive(depth: u32) {
    suspend!(depth);
    if depth > 0 {
        // A call of the coroutine itself is boxed by the lowering.
        suspend_from!(recursive(depth - 1));
    }
}

#[coro::coroutine(yield = u32, async)]
async fn boxed_recursive(depth: u32) {
    suspend!(depth);
    if depth > 0 {
        suspend_from!(Box::pin(boxed_recursive(depth - 1)));
    }
}

#[test]
fn a_recursive_delegation_boxed_or_not() {
    assert_eq!(block_on(recursive(3).collect::<Vec<_>>()), [3, 2, 1, 0]);
    assert_eq!(
        block_on(boxed_recursive(3).collect::<Vec<_>>()),
        [3, 2, 1, 0]
    );
}

#[coro::coroutine(yield = String, async)]
async fn even(n: u32) {
    suspend!(format!("even {n}"));
    if n > 0 {
        // The state of `even` would contain `odd`'s, which contains `even`'s: a box breaks it.
        suspend_from!(Box::pin(odd(n - 1)));
    }
}

#[coro::coroutine(yield = String, async)]
async fn odd(n: u32) {
    tokio::task::yield_now().await;
    suspend!(format!("odd {n}"));
    if n > 0 {
        suspend_from!(even(n - 1));
    }
}

#[tokio::test]
async fn mutual_recursion_through_a_pinned_box() {
    assert_eq!(
        even(3).collect::<Vec<_>>().await,
        ["even 3", "odd 2", "even 1", "odd 0"]
    );
}

#[coro::coroutine(yield = u32)]
fn sync_guarded(log: Log) {
    let _g = Guard("sync delegate", log);
    suspend!(1);
    suspend!(2);
}

#[coro::coroutine(yield = u32, async)]
async fn async_guarded(log: Log) {
    let _g = Guard("async delegate", Arc::clone(&log));
    suspend!(3);
    Forever {
        _guard: Guard("its pending future", Arc::clone(&log)),
    }
    .await;
}

#[coro::coroutine(yield = u32, async)]
async fn delegating_guarded(log: Log) {
    let _outer = Guard("outer", Arc::clone(&log));
    suspend_from!(sync_guarded(Arc::clone(&log)));
    suspend_from!(async_guarded(Arc::clone(&log)));
}

#[test]
fn dropping_a_delegation_drops_the_delegate_first() {
    let log: Log = Arc::default();
    let mut s = delegating_guarded(Arc::clone(&log));
    assert_eq!(block_on(s.next()), Some(1));
    drop(s);
    assert_eq!(taken(&log), ["drop sync delegate", "drop outer"]);

    let mut s = delegating_guarded(Arc::clone(&log));
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    for want in [1, 2, 3] {
        assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Ready(Some(want)));
    }
    assert_eq!(taken(&log), ["drop sync delegate"]);
    assert_eq!(Pin::new(&mut s).poll_next(&mut cx), Poll::Pending);
    drop(s);
    assert_eq!(
        taken(&log),
        [
            "drop its pending future",
            "drop async delegate",
            "drop outer"
        ]
    );
}

#[coro::coroutine(yield = u32, async)]
async fn delegating_to_an_ended_coroutine() {
    let mut c = sync_range(0, 1);
    assert_eq!(c.resume(()), Ok(0));
    assert!(c.resume(()).is_err());
    suspend!(1);
    suspend_from!(c);
    suspend!(2);
}

#[test]
fn a_delegate_that_had_already_ended_ends_the_stream() {
    assert_eq!(
        block_on(delegating_to_an_ended_coroutine().collect::<Vec<_>>()),
        [1]
    );
}

#[coro::coroutine(yield = u32, async)]
async fn upto(n: u32) {
    for i in 0..n {
        suspend!(i);
    }
}

#[coro::coroutine(yield = u32, async)]
async fn delegating_to_an_ended_stream(mut ended: impl Stream<Item = u32> + Unpin) {
    suspend!(1);
    suspend_from!(&mut ended);
    suspend!(2);
}

/// A stream has no return value to lose: `suspend_from!` of a stream that had already ended
/// evaluates to `()` at once, as `StreamExt::next` sees such a stream (and as Python's
/// `yield from` an exhausted generator evaluates to `None`), whether it ran out or was killed.
#[test]
fn a_stream_that_had_already_ended_evaluates_to_unit() {
    let mut ran_out = upto(1);
    assert_eq!(block_on(ran_out.next()), Some(0));
    assert_eq!(block_on(ran_out.next()), None);
    assert_eq!(
        block_on(delegating_to_an_ended_stream(ran_out).collect::<Vec<_>>()),
        [1, 2]
    );

    let mut killed = upto(3);
    assert_eq!(block_on(killed.next()), Some(0));
    coro::AsyncCoroutine::kill(&mut killed);
    assert_eq!(
        block_on(delegating_to_an_ended_stream(killed).collect::<Vec<_>>()),
        [1, 2]
    );
}

#[coro::coroutine(yield = String, async)]
async fn selecting(
    mut numbers: tokio::sync::mpsc::Receiver<u32>,
    mut stop: tokio::sync::oneshot::Receiver<&'static str>,
) {
    let mut seen = 0;
    loop {
        tokio::select! {
            biased;
            why = &mut stop => {
                suspend!(format!("stopped: {}", why.unwrap_or("dropped")));
                break;
            }
            Some(n) = numbers.recv() => {
                seen += 1;
                suspend!(format!("got {n}"));
            }
        }
    }
    suspend!(format!("seen {seen}"));
}

/// `suspend!` in the arms of `tokio::select!`, as an `.await` may stand there.
#[tokio::test]
async fn suspensions_in_the_arms_of_select() {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let mut s = std::pin::pin!(selecting(rx, stop_rx));
    tx.send(1).await.unwrap();
    tx.send(2).await.unwrap();
    assert_eq!(s.next().await.as_deref(), Some("got 1"));
    assert_eq!(s.next().await.as_deref(), Some("got 2"));
    let consumer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        stop_tx.send("done").unwrap();
    });
    assert_eq!(s.next().await.as_deref(), Some("stopped: done"));
    assert_eq!(s.next().await.as_deref(), Some("seen 2"));
    assert_eq!(s.next().await, None);
    consumer.await.unwrap();
}

// ---- the example ----------------------------------------------------------------------------------

#[allow(dead_code)]
#[path = "../examples/async_lines.rs"]
mod async_lines;

#[tokio::test]
async fn the_async_lines_example() {
    assert_eq!(
        async_lines::run().await.unwrap(),
        ["1: hello", "2: from an async", "3: coroutine"]
    );
}

// ---- resumed with values ----------------------------------------------------------------------------

mod resumed {
    use super::*;
    use coro::{AsyncResume, EarlyExit, Status, Thrown};

    /// An echo that awaits between suspensions: the first value goes to `#[resume]`, each
    /// `suspend!` evaluates to the next.
    #[coro::coroutine(yield = String, resume = u32, async)]
    async fn echo(prefix: &'static str, #[resume] first: u32) -> u32 {
        let mut total = first;
        let mut x = first;
        while x != 0 {
            tokio::task::yield_now().await;
            x = suspend!(format!("{prefix}{x}"));
            total += x;
        }
        total
    }

    #[tokio::test]
    async fn resume_values_flow_in_and_yields_out() {
        let mut c = echo("#");
        assert_eq!(c.status(), Status::Unstarted);
        assert_eq!(c.resume(3).await, Ok("#3".to_string()));
        assert_eq!(c.resume(4).await, Ok("#4".to_string()));
        assert_eq!(c.status(), Status::Suspended);
        assert_eq!(c.resume(0).await, Err(EarlyExit::Returned(7)));
        assert_eq!(c.resume(9).await, Err(EarlyExit::Finished));
        assert_eq!(c.name(), Some("echo"));
    }

    #[test]
    fn a_pending_await_keeps_the_resume_pending() {
        #[coro::coroutine(yield = u32, resume = u32, async)]
        async fn ticked(#[resume] first: u32) {
            let mut x = first;
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                x = suspend!(x + 1);
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let mut c = ticked();
            let start = tokio::time::Instant::now();
            assert_eq!(c.resume(1).await, Ok(2));
            assert_eq!(c.resume(10).await, Ok(11));
            assert_eq!(start.elapsed(), Duration::from_secs(120));
        });
    }

    #[tokio::test]
    async fn throw_kill_and_the_unstarted_rule() {
        #[coro::coroutine(yield = u32, resume = Result<u32, String>, async)]
        async fn worker(#[resume] first: Result<u32, String>) -> Result<u32, String> {
            let mut done = first?;
            loop {
                tokio::task::yield_now().await;
                match suspend!(done) {
                    Ok(n) => done += n,
                    Err(e) if e == "skip" => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let mut w = worker();
        assert_eq!(w.resume(Ok(1)).await, Ok(1));
        assert_eq!(w.throw("skip".to_string()).await, Ok(1));
        assert_eq!(
            w.throw("stop".to_string()).await,
            Err(Thrown::Ended(EarlyExit::Returned(Err("stop".to_string()))))
        );
        assert_eq!(
            w.throw("late".to_string()).await,
            Err(Thrown::Refused("late".to_string(), Status::Finished))
        );
        let mut unstarted = worker();
        assert_eq!(
            unstarted.throw("early".to_string()).await,
            Err(Thrown::Refused("early".to_string(), Status::Unstarted))
        );
        assert_eq!(unstarted.status(), Status::Killed);
        let mut k = worker();
        assert_eq!(k.resume(Ok(2)).await, Ok(2));
        k.kill();
        assert_eq!(k.status(), Status::Killed);
        assert_eq!(k.resume(Ok(1)).await, Err(EarlyExit::Killed));
    }

    #[tokio::test]
    async fn delegation_to_synchronous_and_async_coroutines_of_the_resume_type() {
        #[coro::coroutine(yield = u32, resume = u32)]
        fn doubler(#[resume] first: u32) -> &'static str {
            let mut x = first;
            while x != 0 {
                x = suspend!(x * 2);
            }
            "sync done"
        }
        #[coro::coroutine(yield = u32, resume = u32, async)]
        async fn tripler(#[resume] first: u32) -> &'static str {
            let mut x = first;
            while x != 0 {
                tokio::task::yield_now().await;
                x = suspend!(x * 3);
            }
            "async done"
        }
        #[coro::coroutine(yield = u32, resume = u32, async)]
        async fn both(#[resume] first: u32) -> (&'static str, &'static str) {
            let a = suspend_from!(doubler(), first);
            let next = suspend!(100);
            let b = suspend_from!(tripler(), next);
            (a, b)
        }
        let mut c = both();
        assert_eq!(c.resume(1).await, Ok(2));
        assert_eq!(c.resume(5).await, Ok(10));
        assert_eq!(c.resume(0).await, Ok(100));
        assert_eq!(c.resume(2).await, Ok(6));
        assert_eq!(
            c.resume(0).await,
            Err(EarlyExit::Returned(("sync done", "async done")))
        );
    }

    #[test]
    fn a_resumed_one_is_send_when_its_state_is() {
        let mut c = super::assert_send(echo("~"));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let out = rt.block_on(async move {
            tokio::spawn(async move {
                let a = c.resume(5).await;
                let b = c.resume(0).await;
                (a, b)
            })
            .await
            .unwrap()
        });
        assert_eq!(out, (Ok("~5".to_string()), Err(EarlyExit::Returned(5))));
    }

    #[test]
    fn an_inline_one_names_its_first_value() {
        let factor = 10;
        let mut c = coro::coro!(yield = u32, resume = u32, async, move |first| {
            let mut x = first;
            loop {
                x = suspend!(x * factor);
            }
        });
        block_on(async {
            assert_eq!(c.resume(1).await, Ok(10));
            assert_eq!(c.resume(2).await, Ok(20));
        });
    }

    #[test]
    fn resumed_while_an_abandoned_resume_is_mid_await_panics_with_a_message() {
        #[coro::coroutine(yield = u32, resume = u32, async)]
        async fn slow(#[resume] first: u32) {
            let mut x = first;
            loop {
                std::future::pending::<()>().await;
                x = suspend!(x);
            }
        }
        let mut c = slow();
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        {
            let mut r = c.resume(1);
            assert_eq!(Pin::new(&mut r).poll(&mut cx), Poll::Pending);
        }
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut r = c.resume(2);
            let _ = Pin::new(&mut r).poll(&mut cx);
        }))
        .unwrap_err();
        let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(
            message.contains("await each resume to its end"),
            "{message}"
        );
    }
}
