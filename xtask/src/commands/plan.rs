//! `cargo xtask plan`: what `run` would do, in which order and why; runs nothing.

use crate::App;
use crate::exec::Machine;
use crate::failure::Failure;
use std::path::Path;

pub fn run(app: &App, root: &Path, targets: &[String], no_deps: bool) -> Result<(), Failure> {
    let ws = crate::load::load(root)?;
    let plan = crate::plan::build(&ws, targets, &crate::plan::Options { no_deps })?;
    let facts = Machine::new(root);
    print!(
        "{}",
        app.masker
            .mask(&crate::plan::render(&plan, &facts, app.style))
    );
    Ok(())
}
