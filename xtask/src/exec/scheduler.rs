//! The bounded parallel scheduler: starts ready steps up to `jobs` at once, applies
//! conditions, timeouts and the stop-on-failure rule, and handles Ctrl-C / SIGTERM. The
//! state is shared by the workers, which start the next steps themselves; the calling
//! thread watches signals and deadlines.

use super::reporter::Reporter;
use super::result::{Outcome, Status, StepResult};
use super::signals::Signals;
use crate::model::Facts;
use crate::plan::{Plan, PlanStep, ReadyQueue};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use xtask_process::{Control, signal_name};

/// Runs one step to completion; the scheduler may signal `control` at any time.
pub trait Runner: Sync {
    fn run(&self, plan: &Plan, step: &PlanStep, control: &Control) -> StepResult;
}

pub struct Options {
    pub jobs: usize,
    pub keep_going: bool,
    /// Time between the polite signal and SIGKILL, for timeouts and interrupts.
    pub grace: Duration,
}

enum Message {
    /// A worker finished the last running step, or started one with a deadline.
    Changed,
    Signal(i32),
}

struct Running {
    control: Arc<Control>,
    started: Instant,
    /// When the step's timeout expires.
    deadline: Option<Instant>,
    /// When to send SIGKILL after a polite signal.
    kill_at: Option<Instant>,
    timed_out: bool,
}

/// How often the progress display is refreshed while steps run.
const TICK: Duration = Duration::from_millis(100);

pub fn execute(
    plan: &Plan,
    runner: &dyn Runner,
    facts: &(dyn Facts + Sync),
    reporter: &dyn Reporter,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let started_at = std::time::SystemTime::now();
    let (sender, messages) = mpsc::channel();
    let signal_sender = sender.clone();
    let _signals = Signals::forward(move |signal| {
        let _ = signal_sender.send(Message::Signal(signal));
    })?;
    let jobs = options.jobs.max(1);
    let state = Mutex::new(State::new(plan, options));
    // `None` tells a worker to finish (workers hold senders too, so the queue never closes).
    let (work, queue) = mpsc::channel::<Option<(usize, Arc<Control>)>>();
    let queue = Mutex::new(queue);
    let locked = || state.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        // A fixed pool of `jobs` workers. The worker that finishes a step records it and
        // starts what became ready itself, keeping one step for its own next turn: a chain
        // of steps runs on one thread, with no hand-off between threads per step.
        let workers = jobs.min(plan.steps.len());
        for _ in 0..workers {
            let (queue, sender, work) = (&queue, sender.clone(), work.clone());
            scope.spawn(move || {
                let mut mine = None;
                loop {
                    let next = match mine.take() {
                        Some(job) => Some(job),
                        None => queue
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .recv()
                            .ok()
                            .flatten(),
                    };
                    let Some((i, control)) = next else { break };
                    let result = runner.run(plan, &plan.steps[i], &control);
                    let mut state = locked();
                    state.completed(i, result, reporter);
                    let started = state.dispatch(jobs, facts, reporter);
                    state.progress(reporter);
                    // The scheduler thread wakes only when it has something to do: the run
                    // is over, or a new step has a deadline to watch.
                    let wake = state.running.is_empty()
                        || started
                            .iter()
                            .any(|(i, _)| plan.steps[*i].timeout.is_some());
                    drop(state);
                    let mut started = started.into_iter();
                    mine = started.next();
                    for job in started {
                        let _ = work.send(Some(job));
                    }
                    if wake {
                        let _ = sender.send(Message::Changed);
                    }
                }
            });
        }
        for job in locked().dispatch(jobs, facts, reporter) {
            let _ = work.send(Some(job));
        }
        loop {
            let wait = {
                let state = locked();
                if state.running.is_empty() {
                    break;
                }
                state.wait_time()
            };
            match messages.recv_timeout(wait) {
                Ok(Message::Changed) => {}
                Ok(Message::Signal(signal)) => {
                    locked().interrupt(signal, options.grace, reporter);
                }
                Err(RecvTimeoutError::Timeout) => {
                    let mut state = locked();
                    state.check_deadlines(options.grace);
                    state.progress(reporter);
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        for _ in 0..workers {
            let _ = work.send(None);
        }
    });
    let mut state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    state.mark_not_run();
    Ok(Outcome {
        interrupted: state.interrupted,
        results: state
            .results
            .into_iter()
            .map(|r| r.expect("every step has a result"))
            .collect(),
        elapsed: start.elapsed(),
        started_at,
    })
}

struct State<'p> {
    plan: &'p Plan,
    keep_going: bool,
    results: Vec<Option<StepResult>>,
    /// How many of `results` are set.
    done: usize,
    /// Steps whose dependencies have all finished, not yet started.
    ready: ReadyQueue,
    running: Vec<(usize, Running)>,
    /// Pipeline conditions, evaluated once when the pipeline's first step is ready.
    pipeline_skips: Vec<Option<Option<String>>>,
    first_failure: Option<usize>,
    interrupted: bool,
}

impl<'p> State<'p> {
    fn new(plan: &'p Plan, options: &Options) -> Self {
        State {
            plan,
            keep_going: options.keep_going,
            results: vec![None; plan.steps.len()],
            done: 0,
            ready: ReadyQueue::new(plan.steps.iter().map(|s| s.deps.iter().copied())),
            running: Vec::new(),
            pipeline_skips: vec![None; plan.pipelines.len()],
            first_failure: None,
            interrupted: false,
        }
    }

    /// Starts ready steps up to `jobs` at once; returns those that need a worker (the rest
    /// were decided without running: a dependency failed, a condition is false).
    fn dispatch(
        &mut self,
        jobs: usize,
        facts: &dyn Facts,
        reporter: &dyn Reporter,
    ) -> Vec<(usize, Arc<Control>)> {
        let mut started = Vec::new();
        while self.running.len() < jobs && !self.stopping() {
            let Some(i) = self.next_ready() else { break };
            if let Some((result, report)) = self.decide(i, facts, reporter) {
                self.finish(i, result, report.then_some(reporter));
                continue;
            }
            let control = Arc::new(Control::default());
            let deadline = self.plan.steps[i]
                .timeout
                .and_then(|t| Instant::now().checked_add(t));
            self.running.push((
                i,
                Running {
                    control: Arc::clone(&control),
                    started: Instant::now(),
                    deadline,
                    kill_at: None,
                    timed_out: false,
                },
            ));
            reporter.step_started(&self.plan.steps[i]);
            started.push((i, control));
        }
        started
    }

    fn stopping(&self) -> bool {
        self.interrupted || (self.first_failure.is_some() && !self.keep_going)
    }

    /// Tells the reporter what runs now.
    fn progress(&self, reporter: &dyn Reporter) {
        let running: Vec<&PlanStep> = self
            .running
            .iter()
            .map(|(i, _)| &self.plan.steps[*i])
            .collect();
        reporter.progress(&running, self.finished(), self.plan.steps.len());
    }

    fn finished(&self) -> usize {
        self.done
    }

    /// The first step, in plan order, whose dependencies have all finished.
    fn next_ready(&mut self) -> Option<usize> {
        self.ready.pop()
    }

    /// A result for a step that does not need to run (a dependency failed, or a condition is
    /// false), and whether to report it on its own (a skipped pipeline is reported once).
    fn decide(
        &mut self,
        i: usize,
        facts: &dyn Facts,
        reporter: &dyn Reporter,
    ) -> Option<(StepResult, bool)> {
        let step = &self.plan.steps[i];
        if let Some(&d) = step.deps.iter().find(|&&d| {
            !self.results[d]
                .as_ref()
                .expect("finished")
                .lets_dependents_run()
        }) {
            let reason = format!("needs {}, which did not succeed", self.plan.steps[d].label);
            return Some((StepResult::without_output(Status::NotRun(reason)), true));
        }
        let pipeline = &self.plan.pipelines[step.pipeline];
        let pipeline_skip = self.pipeline_skips[step.pipeline].get_or_insert_with(|| {
            let skip = pipeline
                .when
                .as_ref()
                .map(|c| c.eval(facts))
                .filter(|(v, _)| !v)
                .map(|(_, why)| why);
            if let Some(why) = &skip {
                reporter.pipeline_skipped(&pipeline.name, why);
            }
            skip
        });
        if let Some(why) = pipeline_skip {
            return Some((
                StepResult::without_output(Status::Skipped(why.clone())),
                false,
            ));
        }
        let (value, why) = step.when.as_ref()?.eval(facts);
        (!value).then(|| (StepResult::without_output(Status::Skipped(why)), true))
    }

    fn completed(&mut self, i: usize, mut result: StepResult, reporter: &dyn Reporter) {
        let pos = self
            .running
            .iter()
            .position(|(r, _)| *r == i)
            .expect("step was running");
        let (_, running) = self.running.remove(pos);
        result.duration = running.started.elapsed();
        if matches!(result.status, Status::Failed(_)) {
            if running.timed_out {
                result.status = Status::TimedOut(self.plan.steps[i].timeout.unwrap_or_default());
            } else if self.interrupted && running.control.cancelled() {
                result.status = Status::Interrupted;
            }
        }
        if self.plan.steps[i].continue_on_error
            && matches!(result.status, Status::Failed(_) | Status::TimedOut(_))
        {
            result.ignored = true;
        }
        self.finish(i, result, Some(reporter));
    }

    fn finish(&mut self, i: usize, result: StepResult, reporter: Option<&dyn Reporter>) {
        if result.fails_run()
            && self.first_failure.is_none()
            && result.status != Status::Interrupted
        {
            self.first_failure = Some(i);
        }
        if let Some(reporter) = reporter {
            reporter.step_finished(&self.plan.steps[i], &result);
        }
        if self.results[i].replace(result).is_none() {
            self.done += 1;
            self.ready.finished(i);
        }
    }

    fn interrupt(&mut self, signal: i32, grace: Duration, reporter: &dyn Reporter) {
        let now = Instant::now();
        if self.interrupted {
            // A second signal: no more patience.
            for (_, r) in &self.running {
                r.control.signal(libc::SIGKILL);
            }
            return;
        }
        self.interrupted = true;
        reporter.interrupted(&signal_name(signal));
        for (_, r) in &mut self.running {
            r.control.signal(signal);
            r.kill_at = Some(now + grace);
        }
    }

    fn check_deadlines(&mut self, grace: Duration) {
        let now = Instant::now();
        for (_, r) in &mut self.running {
            if r.deadline.is_some_and(|d| d <= now) && !r.timed_out {
                r.timed_out = true;
                r.control.signal(libc::SIGTERM);
                r.kill_at = Some(now + grace);
            }
            if r.kill_at.is_some_and(|k| k <= now) {
                r.control.signal(libc::SIGKILL);
                r.kill_at = None;
            }
        }
    }

    fn wait_time(&self) -> Duration {
        let now = Instant::now();
        self.running
            .iter()
            .flat_map(|(_, r)| [r.deadline.filter(|_| !r.timed_out), r.kill_at])
            .flatten()
            .map(|t| t.saturating_duration_since(now))
            .fold(TICK, Duration::min)
    }

    fn mark_not_run(&mut self) {
        let reason = if self.interrupted {
            "the run was interrupted".to_string()
        } else if let Some(f) = self.first_failure {
            format!("the run stopped after {} failed", self.plan.steps[f].label)
        } else {
            "the run stopped".to_string()
        };
        for result in self.results.iter_mut().filter(|r| r.is_none()) {
            *result = Some(StepResult::without_output(Status::NotRun(reason.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the order steps run in; the step named `fail` fails.
    struct Recorder {
        order: Mutex<Vec<String>>,
        fail: &'static str,
    }

    impl Runner for Recorder {
        fn run(&self, _plan: &Plan, step: &PlanStep, _control: &Control) -> StepResult {
            self.order.lock().unwrap().push(step.label.clone());
            let status = if step.label == self.fail {
                Status::Failed("boom".into())
            } else {
                Status::Ok
            };
            StepResult::without_output(status)
        }
    }

    struct Bare;
    impl Facts for Bare {
        fn env_set(&self, _: &str) -> bool {
            false
        }
        fn file_exists(&self, _: &str) -> bool {
            false
        }
        fn tool_found(&self, _: &str) -> bool {
            false
        }
        fn in_ci(&self) -> bool {
            false
        }
        fn git_ref(&self) -> crate::git::RefName {
            crate::git::RefName::Detached
        }
        fn policy(&self, _: &str) -> (bool, String) {
            (false, String::new())
        }
        fn staged(&self) -> Vec<String> {
            Vec::new()
        }
    }

    struct Silent;
    impl Reporter for Silent {
        fn step_finished(&self, _: &PlanStep, _: &StepResult) {}
        fn pipeline_skipped(&self, _: &str, _: &str) {}
        fn interrupted(&self, _: &str) {}
        fn run_finished(&self, _: &Plan, _: &Outcome) {}
    }

    fn plan(files: &[(&str, &str)], target: &str) -> (tempfile::TempDir, Plan) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pipelines")).unwrap();
        for (name, yaml) in files {
            std::fs::write(dir.path().join(format!("pipelines/{name}.yaml")), yaml).unwrap();
        }
        let ws = crate::load::load(dir.path(), crate::builtins::REGISTRY)
            .unwrap_or_else(|_| panic!("fixture is valid"));
        let plan = crate::plan::build(
            &ws,
            &[target.to_string()],
            &crate::plan::Options { no_deps: false },
        )
        .unwrap_or_else(|_| panic!("target exists"));
        (dir, plan)
    }

    fn run(plan: &Plan, fail: &'static str, keep_going: bool) -> (Vec<String>, Vec<Status>) {
        let recorder = Recorder {
            order: Mutex::new(Vec::new()),
            fail,
        };
        let options = Options {
            jobs: 1,
            keep_going,
            grace: Duration::from_millis(10),
        };
        let outcome = execute(plan, &recorder, &Bare, &Silent, &options).unwrap();
        let statuses = outcome.results.into_iter().map(|r| r.status).collect();
        (recorder.order.into_inner().unwrap(), statuses)
    }

    const FILES: [(&str, &str); 2] = [
        (
            "base",
            "steps:\n  - id: a\n    run: x\n  - id: b\n    run: x\n",
        ),
        (
            "app",
            "needs: [base]\nsteps:\n  - id: c\n    needs: [d]\n    run: x\n  - id: d\n    needs: []\n    run: x\n  - id: e\n    needs: []\n    run: x\n  - id: off\n    needs: []\n    when: { env: NEVER_SET_HERE }\n    run: x\n",
        ),
    ];

    #[test]
    fn runs_a_plan_in_dependency_order() {
        let (_dir, plan) = plan(&FILES, "app");
        let (order, statuses) = run(&plan, "", false);
        assert_eq!(order, ["base/a", "base/b", "app/d", "app/c", "app/e"]);
        assert_eq!(
            statuses[5],
            Status::Skipped("NEVER_SET_HERE is not set".into())
        );
    }

    #[test]
    fn the_first_failure_stops_scheduling() {
        let (_dir, plan) = plan(&FILES, "app");
        let (order, statuses) = run(&plan, "base/b", false);
        assert_eq!(order, ["base/a", "base/b"]);
        assert_eq!(
            statuses[2],
            Status::NotRun("the run stopped after base/b failed".into())
        );
    }

    #[test]
    fn keep_going_runs_what_does_not_depend_on_the_failure() {
        let (_dir, plan) = plan(&FILES, "app");
        let (order, statuses) = run(&plan, "app/d", true);
        assert_eq!(order, ["base/a", "base/b", "app/d", "app/e"]);
        let c = plan.steps.iter().position(|s| s.label == "app/c").unwrap();
        assert_eq!(
            statuses[c],
            Status::NotRun("needs app/d, which did not succeed".into())
        );
    }
}
