//! One module per command, each with a `run`, and the state they share.

pub mod api_compat;
pub mod bench;
pub mod cache;
pub mod check;
pub mod hooks;
pub mod keys;
pub mod list;
pub mod plan;
pub mod policy;
pub mod remote;
pub mod run;
pub mod verify;
pub mod workflow;

use crate::style::Style;
use std::sync::Arc;
use xtask_cli::Cli;
use xtask_process::mask::Masker;

/// State every command shares: how to print, and the secrets to mask once they are known.
pub struct App {
    pub cli: Cli,
    pub style: Style,
    pub masker: Arc<Masker>,
}
