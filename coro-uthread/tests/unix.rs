//! Unix-domain stream sockets: a socket file in a directory of its own, removed at the end.
#![cfg(unix)]

use coro::suspend_from;
use coro_uthread::{Error, Scheduler, UnixListener, UnixStream, spawn};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A directory of this test's own under the system's temporary one, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "coro-uthread-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Echoes one client until it closes.
#[coro::uthread]
fn echo(stream: UnixStream) -> Result<usize, Error> {
    let mut total = 0;
    let mut buf = vec![0; 64];
    loop {
        let (n, mut got) = suspend_from!(stream.read(buf))?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
        got.truncate(n);
        got = suspend_from!(stream.write_all(got))?;
        got.resize(64, 0);
        buf = got;
    }
}

#[coro::uthread]
fn serve(listener: UnixListener, clients: usize) -> Result<(), Error> {
    for _ in 0..clients {
        let (stream, _peer) = suspend_from!(listener.accept())?;
        drop(spawn(echo(stream)));
    }
    Ok(())
}

#[coro::uthread]
fn client(path: PathBuf, msg: Vec<u8>) -> Result<Vec<u8>, Error> {
    let stream = suspend_from!(UnixStream::connect(path))?;
    assert!(stream.local_addr().is_ok());
    let want = msg.len();
    suspend_from!(stream.write_all(msg))?;
    let mut back = Vec::new();
    while back.len() < want {
        let (n, buf) = suspend_from!(stream.read_timeout(vec![0; 16], Duration::from_secs(10)))?;
        if n == 0 {
            break;
        }
        back.extend_from_slice(&buf[..n]);
    }
    stream.shutdown_write()?;
    Ok(back)
}

#[test]
fn clients_connect_to_a_socket_file_and_get_their_echo() {
    let dir = TempDir::new("echo");
    let path = dir.path("echo.sock");
    let s = Scheduler::new().unwrap();
    let listener = UnixListener::bind(&path).unwrap();
    assert_eq!(
        listener.local_addr().unwrap().as_pathname(),
        Some(path.as_path())
    );
    // The file exists now: a second bind fails as std's does.
    assert_eq!(
        UnixListener::bind(&path).unwrap_err().kind(),
        std::io::ErrorKind::AddrInUse
    );
    let server = s.spawn(serve(listener, 3));
    let long: Vec<u8> = (0..100).collect();
    let clients: Vec<_> = [b"one".to_vec(), b"two!".to_vec(), long.clone()]
        .into_iter()
        .map(|m| s.spawn(client(path.clone(), m)))
        .collect();
    assert!(s.run().is_clean());
    assert!(server.try_join().unwrap().is_ok());
    let got: Vec<Vec<u8>> = clients
        .iter()
        .map(|c| c.try_join().unwrap().unwrap())
        .collect();
    assert_eq!(got, [b"one".to_vec(), b"two!".to_vec(), long]);
    drop(dir);
    assert!(!Path::new(&path).exists());
}

#[test]
fn connecting_to_a_missing_socket_file_is_std_s_error() {
    let dir = TempDir::new("missing");
    let s = Scheduler::new().unwrap();
    let h = s.spawn(client(dir.path("nobody.sock"), b"x".to_vec()));
    assert!(s.run().is_clean());
    let e = h.try_join().unwrap().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
}
