//! The checked pipeline model: what the loader produces and the planner consumes.

mod builtin;
mod condition;
mod pipeline;
mod step;
mod tool;

pub use builtin::{Builtin, Cleanup, Parse, Registration, RunInfo, StepContext, With};
pub use condition::{Condition, Facts, POLICY_SWITCHES};
pub use pipeline::{Pipeline, Workspace};
pub use step::{Action, Shell, Step};
pub use tool::Tool;
