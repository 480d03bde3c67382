//! End-to-end tests: the real `xtask` binary on temporary workspaces.

mod cli;
mod execution;
mod interrupt;
mod support;
mod tools;
mod validation;
