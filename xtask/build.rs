//! Link-time settings for the engine binary: relative relocations packed (DT_RELR) where
//! the C library can apply them (glibc 2.36 and later).
//!
//! Every run of the engine is a fresh process, and the dynamic loader applied ~8,700
//! relative relocations from a 213 KB table before `main`; packed, the table is 2.4 KB and
//! a one-step run starts ~0.8 ms sooner (see docs/architecture.md). The binary stays
//! position-independent.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_is_host = std::env::var("TARGET").ok() == std::env::var("HOST").ok();
    let gnu_linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    // The build script runs on the host: its C library is the one the binary will load.
    if target_is_host && gnu_linux && glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn glibc_at_least(major: u32, minor: u32) -> bool {
    use std::ffi::{CStr, c_char};
    unsafe extern "C" {
        fn gnu_get_libc_version() -> *const c_char;
    }
    // SAFETY: glibc returns a static NUL-terminated string such as "2.36".
    let version = unsafe { CStr::from_ptr(gnu_get_libc_version()) };
    let mut parts = version
        .to_str()
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
}

/// A host without glibc: no packed relocations.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn glibc_at_least(_: u32, _: u32) -> bool {
    false
}
