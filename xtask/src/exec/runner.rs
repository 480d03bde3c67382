//! The real step runner: provisions tools, then runs the step's process or built-in.

use super::capture::Capture;
use super::process::{self, Control, describe};
use super::result::{Status, StepResult};
use super::scheduler::Runner;
use crate::builtins::StepContext;
use crate::mask::Masker;
use crate::plan::{Plan, PlanStep, Work};
use crate::tools::Toolbox;
use std::path::PathBuf;
use std::sync::Arc;

pub struct StepRunner {
    pub root: PathBuf,
    pub masker: Arc<Masker>,
    pub toolbox: Toolbox,
    /// The run shows colour: ask cargo for it too, since its output goes to a pipe.
    pub color: bool,
}

impl Runner for StepRunner {
    fn run(&self, plan: &Plan, step: &PlanStep, control: &Control) -> StepResult {
        let mut log = String::new();
        let tools = &plan.pipelines[step.pipeline].tools;
        let path = match self
            .toolbox
            .path_for(tools, control, &self.masker, &mut log)
        {
            Ok(path) => path,
            Err(message) => return failed(self.masker.mask(&message), log),
        };
        if !step.cwd.is_dir() {
            return failed(
                format!(
                    "the working directory {} does not exist",
                    step.cwd.display()
                ),
                log,
            );
        }
        let mut env = step.env.clone();
        env.insert("PATH".into(), path.to_string_lossy().into_owned());
        if self.color && std::env::var_os("CARGO_TERM_COLOR").is_none() {
            env.entry("CARGO_TERM_COLOR".into())
                .or_insert_with(|| "always".into());
        }
        let (status, output) = match &step.work {
            Work::Process(argv) => match process::run(argv, &step.cwd, &env, control, &self.masker)
            {
                Ok(done) if done.status.success() => (Status::Ok, done.output),
                Ok(done) => (Status::Failed(describe(done.status)), done.output),
                Err(e) => (Status::Failed(start_error(&argv[0], &e)), String::new()),
            },
            Work::Builtin(_, builtin) => {
                let mut capture = Capture::new(&self.masker);
                let result = {
                    let mut ctx = StepContext::new(
                        &self.root,
                        step.cwd.clone(),
                        &env,
                        &mut capture,
                        control.flag(),
                    );
                    builtin.run(&mut ctx)
                };
                let mut output = capture.finish();
                match result {
                    Ok(()) => (Status::Ok, output),
                    Err(e) => {
                        let message = self.masker.mask(&format!("{e:#}"));
                        output.push_str(&format!("error: {message}\n"));
                        (Status::Failed(message), output)
                    }
                }
            }
        };
        log.push_str(&output);
        StepResult {
            status,
            duration: Default::default(),
            output: log,
            ignored: false,
        }
    }
}

fn failed(message: String, output: String) -> StepResult {
    StepResult {
        status: Status::Failed(message),
        duration: Default::default(),
        output,
        ignored: false,
    }
}

fn start_error(program: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("cannot run `{program}`: command not found (is it installed and on PATH?)")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot run `{program}`: permission denied (is it executable?)")
        }
        _ => format!("cannot run `{program}`: {e}"),
    }
}
