//! `cargo xtask run` and `cargo xtask ci`: plan, execute and report.

use crate::commands::App;
use crate::exec::{self, Machine, Reporter, StepRunner};
use crate::failure::Failure;
use crate::report::{Fanout, GitHub, Json, Terminal, Verbosity};
use crate::tools::Toolbox;
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use xtask_process::mask::Masker;

/// Time a step gets to exit after SIGTERM/SIGINT before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

pub fn run(app: &mut App, root: &Path, targets: &[String], no_deps: bool) -> Result<(), Failure> {
    let ws = crate::load::load(root, crate::builtins::REGISTRY)?;
    app.masker = Arc::new(Masker::from_env(ws.secret_names()));
    let plan = crate::plan::build(&ws, targets, &crate::plan::Options { no_deps })?;
    let cache = super::remote::open(app, root)?;
    let global = &app.cli.global;
    let verbosity = if global.quiet {
        Verbosity::Quiet
    } else if global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let actions = std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true");
    let live = std::io::stderr().is_terminal() && !actions;
    let terminal = Terminal::new(
        app.style,
        verbosity,
        Arc::clone(&app.masker),
        live,
        global.json,
    );
    let github;
    let console: &dyn Reporter = if actions {
        let console = Terminal::new(
            app.style,
            verbosity,
            Arc::clone(&app.masker),
            false,
            global.json,
        );
        github = GitHub::new(app.style, Arc::clone(&app.masker), console);
        &github
    } else {
        &terminal
    };
    let json = Json {
        root: root.to_owned(),
        masker: Arc::clone(&app.masker),
        print: global.json,
    };
    let reporter = Fanout(vec![console, &json]);
    let facts = Machine::new(&ws);
    let runner = StepRunner {
        root: root.to_owned(),
        masker: Arc::clone(&app.masker),
        toolbox: Toolbox::new(root, !global.no_install_tools),
        cache,
        run: plan.run_info(),
        exports: std::sync::Arc::clone(&facts.exports),
        cleanups: Default::default(),
        fresh: Default::default(),
        color: app.style.color,
    };
    let jobs = global.jobs.map_or_else(default_jobs, usize::from);
    let options = exec::Options {
        jobs,
        keep_going: global.keep_going,
        grace: GRACE,
    };
    let outcome = exec::execute(&plan, &runner, &facts, &reporter, &options);
    // Cleanups run however the run ended: failed, interrupted, or with an engine error.
    for (label, done) in runner.cleanup() {
        match done {
            Ok(what) => console.cleaned_up(&label, &what),
            Err(why) => console.cleaned_up(&label, &format!("cleanup failed: {why}")),
        }
    }
    let outcome = outcome?;
    if let Err(e) = runner.cache.save() {
        terminal.emit(&format!("warning: cannot save the cache: {e:#}\n"));
    }
    reporter.run_finished(&plan, &outcome);
    // Everything is reported and written; freeing thousands of cache entries one by one
    // would only delay the exit.
    std::mem::forget(runner);
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
