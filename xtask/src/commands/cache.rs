//! `cargo xtask cache info` and `cargo xtask cache prune --max-size SIZE`: the local content
//! store under `target/xtask/cache/`.

use crate::cache::{Cache, Usage};
use crate::failure::Failure;
use std::path::Path;

fn show(usage: &Usage) -> String {
    format!(
        "{} blob(s), {}, {} action result(s)",
        usage.blobs,
        bytes(usage.blob_bytes),
        usage.actions
    )
}

/// `1.5 MiB`
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

pub fn info(root: &Path) -> Result<(), Failure> {
    let cache = Cache::open(root, true, None);
    println!("target/xtask/cache: {}", show(&cache.usage()));
    Ok(())
}

pub fn prune(root: &Path, max_bytes: u64) -> Result<(), Failure> {
    let cache = Cache::open(root, true, None);
    let removed = cache.prune(max_bytes)?;
    println!("removed {}", show(&removed));
    println!("target/xtask/cache: {}", show(&cache.usage()));
    Ok(())
}
