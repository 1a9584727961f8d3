//! An async coroutine: the lines a TCP peer sends, as a `Stream`, with `.await` wherever the
//! body needs to wait and `suspend!` wherever it has a line. A server on a loopback socket
//! sends a few lines slowly; the client numbers them and stops at `quit`.
//!
//! `cargo run --example async_lines`
use std::time::Duration;

use coro::suspend;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::StreamExt;

/// The lines read from `addr`, each without its line ending; a read error is the last item.
#[coro::coroutine(yield = std::io::Result<String>, async)]
async fn lines(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).await? != 0 {
        suspend!(Ok(line.trim_end().to_owned()));
        line.clear();
    }
    Ok(())
}

/// `(number, line)` for each line of `input` up to `quit`.
#[coro::coroutine(yield = (usize, String), async)]
async fn numbered(input: impl coro::Stream<Item = std::io::Result<String>>) -> () {
    let mut input = std::pin::pin!(input);
    let mut n = 0;
    while let Some(Ok(line)) = input.next().await {
        if line == "quit" {
            break;
        }
        n += 1;
        suspend!((n, line));
    }
}

async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let (mut socket, _) = listener.accept().await?;
    for line in ["hello", "from an async", "coroutine", "quit", "never read"] {
        socket.write_all(format!("{line}\n").as_bytes()).await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Runs the server and the client; returns what the client printed.
pub(crate) async fn run() -> std::io::Result<Vec<String>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener));
    let printed: Vec<String> = numbered(lines(addr))
        .map(|(n, line)| format!("{n}: {line}"))
        .collect()
        .await;
    // The client dropped its stream at `quit`, and the socket with it: the server's last
    // writes may fail, which is its business.
    let _ = server.await;
    Ok(printed)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    for line in run().await? {
        println!("{line}");
    }
    Ok(())
}
