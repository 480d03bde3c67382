//! One module per command, each with a `run`.

pub mod api_compat;
pub mod bench;
pub mod check;
pub mod hooks;
pub mod keys;
pub mod list;
pub mod plan;
pub mod policy;
pub mod run;
pub mod verify;
pub mod workflow;
