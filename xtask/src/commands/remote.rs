//! The remote cache a run uses: `--remote-cache`/`XTASK_REMOTE_CACHE`, its read-only switch
//! and credentials, checked before anything runs, and the credentials added to the masker.

use crate::cache::Cache;
use crate::cache::remote::{Remote, Settings};
use crate::commands::App;
use crate::failure::Failure;
use std::path::Path;
use std::sync::Arc;
use xtask_process::mask::Masker;

/// Opens the step cache of `root` with the remote cache the command line or environment
/// names; its credentials join the values `app.masker` hides.
pub fn open(app: &mut App, root: &Path) -> Result<Cache, Failure> {
    let global = &app.cli.global;
    let env = |name: &str| std::env::var(name).ok();
    let settings = Settings::from(
        global.remote_cache.clone(),
        global.remote_cache_read_only,
        &env,
    )
    .map_err(|e| Failure::usage(e, "see docs/cache.md"))?;
    let remote = match &settings {
        None => None,
        Some(settings) => {
            let values: Vec<String> = app
                .masker
                .values()
                .chain(Remote::secrets(settings))
                .collect();
            app.masker = Arc::new(Masker::new(values));
            Some(Remote::new(settings).map_err(|e| {
                Failure::usage(
                    e,
                    "e.g. XTASK_REMOTE_CACHE=http://cache.internal:8080 (see docs/cache.md)",
                )
            })?)
        }
    };
    Ok(Cache::open(root, !app.cli.global.no_cache, remote))
}
