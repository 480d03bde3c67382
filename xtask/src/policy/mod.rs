//! Governance rules as data (`policies/*.yaml`), read with the same positioned YAML reader as
//! pipelines so every mistake points at its line.

pub mod supply_chain;

pub use supply_chain::SupplyChain;
