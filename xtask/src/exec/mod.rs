//! Executing a plan: the scheduler, the real step runner, process groups and output capture.

mod capture;
mod facts;
pub mod process;
mod result;
mod runner;
mod scheduler;
mod signals;

pub use facts::Machine;
pub use result::{Status, StepResult};
pub use runner::{Exports, StepRunner};
pub use scheduler::{Options, Outcome, Runner, execute};
