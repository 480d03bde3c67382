//! `cargo xtask check`: validates every pipeline file; exit 2 on any error.

use crate::commands::App;
use crate::failure::Failure;
use std::path::Path;

pub fn run(app: &App, root: &Path) -> Result<(), Failure> {
    let ws = crate::load::load(root, crate::builtins::REGISTRY)?;
    let steps: usize = ws.pipelines.iter().map(|p| p.steps.len()).sum();
    println!(
        "{} {} pipelines with {steps} steps are valid",
        app.style.green("✓"),
        ws.pipelines.len()
    );
    Ok(())
}
