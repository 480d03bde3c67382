//! The real step runner: provisions tools, consults the cache, then runs the step's process
//! or built-in and records a successful cached step.

use super::result::{Status, StepResult};
use super::scheduler::Runner;
use crate::cache::{Cache, Check};
use crate::model::StepContext;
use crate::plan::{Plan, PlanStep, Work};
use crate::tools::Toolbox;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use xtask_process::mask::Masker;
use xtask_process::{self as process, Capture, Control, describe};

pub struct StepRunner {
    pub root: PathBuf,
    pub masker: Arc<Masker>,
    pub toolbox: Toolbox,
    pub cache: Cache,
    /// What built-ins may know of the run.
    pub run: crate::model::RunInfo,
    /// Variables built-ins exported for the steps after them (shared with the conditions).
    pub exports: Exports,
    /// Work built-ins left for the end of the run.
    pub cleanups: std::sync::Mutex<Vec<(String, crate::model::Cleanup)>>,
    /// Steps that use a service which started in this run (label → the service's label):
    /// the server is new, so what their cached runs left in the old one is not there, and
    /// they run whatever the cache says.
    pub fresh: std::sync::Mutex<BTreeMap<String, String>>,
    /// The run shows colour: ask cargo for it too, since its output goes to a pipe.
    pub color: bool,
}

impl Runner for StepRunner {
    fn run(&self, plan: &Plan, step: &PlanStep, control: &Control) -> StepResult {
        let mut log = String::new();
        let tools = &plan.pipelines[step.pipeline].tools;
        if !step.cwd.is_dir() {
            return failed(
                format!(
                    "the working directory {} does not exist",
                    step.cwd.display()
                ),
                log,
            );
        }
        // Held until this function returns: another engine running this step waits.
        let _lock = match self.cache.lock(plan, step, &|| control.cancelled()) {
            Ok(lock) => lock,
            Err(e) => return failed(format!("{e:#}"), log),
        };
        let mut warnings = Vec::new();
        if step.service {
            match self.consumers_cached(plan, step, &mut warnings) {
                Ok(Some(reason)) => {
                    let mut result = StepResult::without_output(Status::Skipped(reason));
                    result.output = log;
                    return result;
                }
                Ok(None) => {
                    let at = plan.steps.iter().position(|s| std::ptr::eq(s, step));
                    let consumers = at.map(|at| plan.consumers(at)).unwrap_or_default();
                    let mut fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner());
                    for consumer in consumers {
                        fresh.insert(plan.steps[consumer].label.clone(), step.label.clone());
                    }
                }
                Err(e) => return failed(format!("cannot compute the cache keys: {e:#}"), log),
            }
        }
        let fresh = self
            .fresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&step.label)
            .cloned();
        let versions = self.toolbox.versions(tools);
        let check = match fresh {
            Some(service) => self.cache.miss(
                plan,
                step,
                versions,
                format!("{service} started a new server, which holds nothing of its earlier runs"),
            ),
            None => self.cache.check(plan, step, versions, &mut warnings),
        };
        for warning in warnings {
            log.push_str(&format!("warning: {warning}\n"));
        }
        let (key, components, why_ran) = match check {
            Err(e) => return failed(format!("cannot compute the cache key: {e:#}"), log),
            Ok(Check::Hit {
                key,
                outputs,
                log: replay,
            }) => return self.reused(step, Status::Cached, key, outputs, replay, log),
            Ok(Check::Restore {
                key,
                result: stored,
                why,
                components,
                ..
            }) => match self
                .cache
                .restore(plan, step, &key, &stored, (*components).clone())
            {
                Ok((outputs, replay)) => {
                    self.add_warnings(&mut log);
                    return self.reused(step, Status::Restored, key, outputs, replay, log);
                }
                Err(e) => {
                    self.add_warnings(&mut log);
                    log.push_str(&format!(
                        "warning: cannot restore the stored result, running the step: {e}\n"
                    ));
                    (Some(key), Some(components), Some(why))
                }
            },
            Ok(Check::Miss {
                key,
                components,
                why,
            }) => (Some(key), Some(components), Some(why)),
            Ok(Check::Uncached) => (None, None, None),
        };
        // Tools are provisioned only for a step that runs: a cache hit needs none.
        let env = match self
            .toolbox
            .tool_dirs(tools, control, &self.masker, &mut log)
            .and_then(|dirs| self.step_env(step, dirs))
        {
            Ok(env) => env,
            Err(message) => return failed(self.masker.mask(&message), log),
        };
        let mut result = self.execute(step, &env, control);
        result.output = log + &result.output;
        result.why_ran = why_ran;
        if result.status != Status::Ok {
            return result;
        }
        let recorded = match (&key, components) {
            (Some(key), Some(components)) => {
                self.cache
                    .record(plan, step, key.clone(), *components, &result.output)
            }
            _ => self.cache.outputs(step),
        };
        self.add_warnings(&mut result.output);
        match recorded {
            Ok(outputs) => result.outputs = outputs,
            Err(e) => result.output.push_str(&format!(
                "warning: cannot record the step's outputs: {e:#}\n"
            )),
        }
        // A step without inputs needs no entry: its dependents fall back to its definition.
        if let Some(key) = &key {
            self.cache.remember(&step.label, key.clone());
        }
        result.cache_key = key;
        result
    }
}

/// Why a service step does not start, when none of its `count` consumers will run.
pub fn service_idle(count: usize) -> String {
    match count {
        0 => "not started: no step needs this service".into(),
        1 => "not started: the one step that needs it is cached".into(),
        n => format!("not started: the {n} steps that need it are cached"),
    }
}

/// Variables exported by built-ins, visible to later steps and to `env:` conditions.
pub type Exports = Arc<std::sync::Mutex<BTreeMap<String, String>>>;

impl StepRunner {
    /// The variables a step runs with on top of the engine's: its own, the built-ins'
    /// exports it does not set, `tool_dirs` first on PATH (before the step's PATH if it
    /// sets one, else the engine's), and `CARGO_TERM_COLOR=always` when colour is on and
    /// nothing else sets it. Most steps add nothing to their own variables, which are then
    /// lent rather than copied.
    fn step_env<'s>(
        &self,
        step: &'s PlanStep,
        tool_dirs: Vec<PathBuf>,
    ) -> Result<Cow<'s, BTreeMap<String, String>>, String> {
        let exports = self.exports.lock().unwrap_or_else(|e| e.into_inner());
        let color = self.color
            && std::env::var_os("CARGO_TERM_COLOR").is_none()
            && !step.env.contains_key("CARGO_TERM_COLOR");
        if tool_dirs.is_empty() && exports.is_empty() && !color {
            return Ok(Cow::Borrowed(&step.env));
        }
        let mut env = step.env.clone();
        for (name, value) in exports.iter() {
            env.entry(name.clone()).or_insert_with(|| value.clone());
        }
        if !tool_dirs.is_empty() {
            let base = env
                .get("PATH")
                .map(OsString::from)
                .unwrap_or_else(|| self.toolbox.engine_path().clone());
            let path =
                std::env::join_paths(tool_dirs.into_iter().chain(std::env::split_paths(&base)))
                    .map_err(|e| format!("cannot build PATH: {e}"))?;
            env.insert("PATH".into(), path.to_string_lossy().into_owned());
        }
        if color {
            env.entry("CARGO_TERM_COLOR".into())
                .or_insert_with(|| "always".into());
        }
        Ok(Cow::Owned(env))
    }

    /// A step the cache answered for: its outputs are in place, its logged output replayed.
    fn reused(
        &self,
        step: &PlanStep,
        status: Status,
        key: String,
        outputs: Vec<crate::cache::Output>,
        replay: Option<String>,
        log: String,
    ) -> StepResult {
        self.cache.remember(&step.label, key.clone());
        let mut result = StepResult::without_output(status);
        result.output = log;
        result.cache_key = Some(key);
        result.outputs = outputs;
        result.replay = replay;
        result
    }

    /// The remote cache's warning (its first fault), into a step's log.
    fn add_warnings(&self, log: &mut String) {
        if let Some(warning) = self.cache.take_warnings() {
            log.push_str(&format!("warning: {warning}\n"));
        }
    }

    /// For a service step: `Some(why it need not start)` when every step that needs it
    /// (transitively) is a cache hit; `None` when one of them will run. The keys of the hits
    /// are remembered, as their own checks would.
    fn consumers_cached(
        &self,
        plan: &Plan,
        step: &PlanStep,
        warnings: &mut Vec<String>,
    ) -> anyhow::Result<Option<String>> {
        let at = plan
            .steps
            .iter()
            .position(|s| std::ptr::eq(s, step))
            .expect("the step is in the plan");
        let consumers = plan.consumers(at);
        for consumer in consumers.iter().map(|&i| &plan.steps[i]) {
            let tools = self
                .toolbox
                .versions(&plan.pipelines[consumer.pipeline].tools);
            match self.cache.check(plan, consumer, tools, warnings)? {
                Check::Hit { key, .. } => self.cache.remember(&consumer.label, key),
                // Restoring needs no service either, but only a restore that succeeds: it
                // is done now, so a refused one starts the service for the step that runs.
                Check::Restore {
                    key,
                    result,
                    components,
                    ..
                } => match self
                    .cache
                    .restore(plan, consumer, &key, &result, *components)
                {
                    Ok(_) => self.cache.remember(&consumer.label, key),
                    Err(e) => {
                        warnings.push(format!("cannot restore {}: {e}", consumer.label));
                        return Ok(None);
                    }
                },
                Check::Uncached | Check::Miss { .. } => return Ok(None),
            }
        }
        Ok(Some(service_idle(consumers.len())))
    }

    /// Runs the cleanups built-ins registered, newest first; (label, what happened).
    pub fn cleanup(&self) -> Vec<(String, Result<String, String>)> {
        let cleanups =
            std::mem::take(&mut *self.cleanups.lock().unwrap_or_else(|e| e.into_inner()));
        cleanups
            .into_iter()
            .rev()
            .map(|(label, cleanup)| {
                (
                    label,
                    cleanup().map_err(|e| self.masker.mask(&format!("{e:#}"))),
                )
            })
            .collect()
    }

    fn execute(
        &self,
        step: &PlanStep,
        env: &BTreeMap<String, String>,
        control: &Control,
    ) -> StepResult {
        match &step.work {
            Work::Process(argv) => {
                match process::run(argv, &step.cwd, env, control, &self.masker) {
                    Ok(done) => {
                        let status = if done.status.success() {
                            Status::Ok
                        } else {
                            Status::Failed(describe(done.status))
                        };
                        let mut result = StepResult::without_output(status);
                        result.output = done.output;
                        result.exit_code = done.status.code();
                        result
                    }
                    Err(e) => failed(start_error(&argv[0], &e), String::new()),
                }
            }
            Work::Builtin(_, builtin) => {
                let mut capture = Capture::new(&self.masker);
                let (outcome, findings, exports, cleanups) = {
                    let mut ctx = StepContext::new(
                        &self.root,
                        step.cwd.clone(),
                        env,
                        &mut capture,
                        &self.run,
                        control,
                        &self.masker,
                    );
                    let outcome = builtin.run(&mut ctx);
                    (
                        outcome,
                        std::mem::take(&mut ctx.findings),
                        std::mem::take(&mut ctx.exports),
                        std::mem::take(&mut ctx.cleanups),
                    )
                };
                // Cleanups count even when the built-in failed half-way.
                self.cleanups
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(cleanups);
                if outcome.is_ok() {
                    self.exports
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend(exports);
                }
                let mut output = capture.finish();
                let mut result = match outcome {
                    Ok(()) => StepResult::without_output(Status::Ok),
                    Err(e) => {
                        let message = self.masker.mask(&format!("{e:#}"));
                        output.push_str(&format!("error: {message}\n"));
                        StepResult::without_output(Status::Failed(message))
                    }
                };
                result.output = output;
                result.findings = findings;
                result
            }
        }
    }
}

fn failed(message: String, output: String) -> StepResult {
    let mut result = StepResult::without_output(Status::Failed(message));
    result.output = output;
    result
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
