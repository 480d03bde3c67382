//! `cargo xtask run` and `cargo xtask ci`: plan, execute and report.

use crate::App;
use crate::exec::{self, Machine, StepRunner};
use crate::failure::Failure;
use crate::mask::Masker;
use crate::report::{Reporter, Terminal, Verbosity};
use crate::tools::Toolbox;
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Time a step gets to exit after SIGTERM/SIGINT before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

pub fn run(app: &mut App, root: &Path, targets: &[String], no_deps: bool) -> Result<(), Failure> {
    let ws = crate::load::load(root)?;
    app.masker = Arc::new(Masker::from_env(ws.secret_names()));
    let plan = crate::plan::build(&ws, targets, &crate::plan::Options { no_deps })?;
    let global = &app.cli.global;
    let verbosity = if global.quiet {
        Verbosity::Quiet
    } else if global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let live =
        std::io::stderr().is_terminal() && std::env::var("GITHUB_ACTIONS").as_deref() != Ok("true");
    let terminal = Terminal::new(app.style, verbosity, Arc::clone(&app.masker), live);
    let runner = StepRunner {
        root: root.to_owned(),
        masker: Arc::clone(&app.masker),
        toolbox: Toolbox::new(root, !global.no_install_tools),
        color: app.style.color,
    };
    let mut facts = Machine::new(root);
    facts.tool_dirs = Toolbox::existing_dirs(root, ws.pipelines.iter().flat_map(|p| &p.tools));
    let jobs = global.jobs.map_or_else(default_jobs, usize::from);
    let options = exec::Options {
        jobs,
        keep_going: global.keep_going,
        grace: GRACE,
    };
    let outcome = exec::execute(&plan, &runner, &facts, &terminal, &options)?;
    terminal.run_finished(&plan, &outcome);
    if outcome.interrupted {
        Err(Failure::Interrupted)
    } else if outcome.results.iter().any(|r| r.fails_run()) {
        Err(Failure::StepsFailed)
    } else {
        Ok(())
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
