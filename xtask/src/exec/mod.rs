//! Executing a plan: the scheduler, the real step runner, and the facts conditions ask.

mod facts;
mod reporter;
mod result;
mod runner;
mod scheduler;
mod signals;

pub use facts::Machine;
pub use reporter::Reporter;
pub use result::{Outcome, Status, StepResult};
pub use runner::{Exports, StepRunner, service_idle};
pub use scheduler::{Options, Runner, execute};
