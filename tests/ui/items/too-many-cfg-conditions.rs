//! Each distinct `cfg` condition of a body doubles the copies of it that are expanded: past six,
//! the transform says what to do instead.

use coro::suspend;

#[coro::coroutine(yield = u32)]
fn everywhere() {
    #[cfg(target_os = "linux")]
    suspend!(1);
    #[cfg(target_os = "macos")]
    suspend!(2);
    #[cfg(target_os = "windows")]
    suspend!(3);
    #[cfg(target_os = "freebsd")]
    suspend!(4);
    #[cfg(target_os = "android")]
    suspend!(5);
    #[cfg(target_os = "ios")]
    suspend!(6);
    #[cfg(target_os = "netbsd")]
    suspend!(7);
}

fn main() {}
