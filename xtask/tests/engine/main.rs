//! End-to-end tests: the real `xtask` binary on temporary workspaces.

mod api_compat;
mod builtins;
mod cache;
mod cli;
mod cosign;
mod execution;
mod hooks;
mod interrupt;
mod monitoring;
mod mutate;
mod nginx;
mod parsers;
mod policy;
mod postgres;
mod remote_cache;
mod reports;
mod robustness;
mod schema;
mod squawk;
mod supply_chain;
mod support;
mod tidy;
mod tools;
mod validation;
mod workflow;
