//! Turns target pipelines into a fully resolved DAG of steps. Nothing here runs anything:
//! `plan` prints this, `run` executes it, tests execute it with a fake runner.

mod ready;
mod render;

use crate::failure::Failure;
use crate::model::{Action, Builtin, Condition, Pipeline, RunInfo, Tool, Workspace};
use crate::text::suggest::did_you_mean;
use crate::text::template;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use ready::ReadyQueue;
pub use render::{Decision, count, render};

#[derive(Debug)]
pub struct Plan {
    pub targets: Vec<String>,
    pub pipelines: Vec<PlanPipeline>,
    /// Steps in a valid execution order (every step after the steps it needs).
    pub steps: Vec<PlanStep>,
}

impl Plan {
    /// The steps of its pipeline that need step `at`, directly or through others, in plan
    /// order: what a service step serves (the run stops it when it ends; later pipelines
    /// that merely come after it are not its consumers).
    pub fn consumers(&self, at: usize) -> Vec<usize> {
        let mut needs_it = vec![false; self.steps.len()];
        needs_it[at] = true;
        let pipeline = self.steps[at].pipeline;
        let mut found = Vec::new();
        for (i, step) in self.steps.iter().enumerate().skip(at + 1) {
            if step.pipeline == pipeline && step.deps.iter().any(|&d| needs_it[d]) {
                needs_it[i] = true;
                found.push(i);
            }
        }
        found
    }

    /// What the built-ins of this run may know of it: its targets and pinned tools.
    pub fn run_info(&self) -> RunInfo {
        let mut tools: Vec<(String, String)> = self
            .pipelines
            .iter()
            .flat_map(|p| &p.tools)
            .filter_map(|t| Some((t.name.clone(), t.version.clone()?)))
            .collect();
        tools.sort();
        tools.dedup();
        RunInfo {
            targets: self.targets.clone(),
            tools,
            started_at: Some(std::time::SystemTime::now()),
        }
    }
}

#[derive(Debug)]
pub struct PlanPipeline {
    pub name: String,
    pub file: String,
    pub when: Option<Condition>,
    pub tools: Vec<Tool>,
    pub secrets: Vec<String>,
    pub needs: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Work {
    Process(Vec<String>),
    Builtin(String, Arc<dyn Builtin>),
}

#[derive(Debug)]
pub struct PlanStep {
    /// Index into `Plan::pipelines`.
    pub pipeline: usize,
    pub id: String,
    /// `pipeline/step`, as every report names it.
    pub label: String,
    /// Indices into `Plan::steps`, all smaller than this step's index.
    pub deps: Vec<usize>,
    pub work: Work,
    /// Variables added to the engine's environment for this step.
    pub env: BTreeMap<String, String>,
    pub cwd: PathBuf,
    pub timeout: Option<Duration>,
    pub continue_on_error: bool,
    /// Starts only when a step that needs it will run (see `model::Step::service`).
    pub service: bool,
    /// `cache: local`: results stay in this machine's cache.
    pub local_cache: bool,
    pub when: Option<Condition>,
    /// Globs of the files the step reads (declaring any makes the step cached) and writes.
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// Where the step is written: file, line, column.
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl PlanStep {
    /// The command line as shown to users (built-ins as `uses: name`).
    pub fn command(&self) -> String {
        match &self.work {
            Work::Process(argv) => argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
            Work::Builtin(name, _) => format!("uses: {name}"),
        }
    }
}

fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

pub struct Options {
    /// Run only the targets, not the pipelines they need.
    pub no_deps: bool,
}

pub fn build(ws: &Workspace, targets: &[String], options: &Options) -> Result<Plan, Failure> {
    for target in targets {
        if ws.pipeline(target).is_none() {
            let hint = match did_you_mean(target, ws.names()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "`cargo xtask list` shows the pipelines".into(),
            };
            return Err(Failure::usage(format!("unknown pipeline `{target}`"), hint));
        }
    }
    let order = pipeline_order(ws, targets, options.no_deps);
    let mut plan = Plan {
        targets: targets.to_vec(),
        pipelines: Vec::new(),
        steps: Vec::new(),
    };
    let exe = engine_exe().map(|p| p.display().to_string());
    for p in order {
        add_pipeline(&mut plan, ws, p, exe.as_deref(), options.no_deps);
    }
    Ok(plan)
}

/// Targets and (unless `no_deps`) their transitive needs, each after what it needs.
fn pipeline_order<'w>(ws: &'w Workspace, targets: &[String], no_deps: bool) -> Vec<&'w Pipeline> {
    fn visit<'w>(ws: &'w Workspace, name: &str, no_deps: bool, out: &mut Vec<&'w Pipeline>) {
        let p = ws.pipeline(name).expect("needs were checked when loading");
        if out.iter().any(|o| o.name == p.name) {
            return;
        }
        if !no_deps {
            for need in &p.needs {
                visit(ws, &need.name, no_deps, out);
            }
        }
        out.push(p);
    }
    let mut included = Vec::new();
    for target in targets {
        visit(ws, target, no_deps, &mut included);
    }
    // `after` orders pipelines that are both in the run without pulling one in; settle
    // both kinds of edges, keeping the order above where they allow it.
    let before = |p: &Pipeline| -> Vec<String> {
        let needs = p.needs.iter().filter(|_| !no_deps);
        needs
            .chain(&p.after)
            .map(|n| n.name.clone())
            .filter(|n| included.iter().any(|i| i.name == *n))
            .collect()
    };
    let mut ordered: Vec<&Pipeline> = Vec::with_capacity(included.len());
    while ordered.len() < included.len() {
        let next = included
            .iter()
            .find(|p| {
                !ordered.iter().any(|o| o.name == p.name)
                    && before(p)
                        .iter()
                        .all(|b| ordered.iter().any(|o| o.name == *b))
            })
            .expect("cycles were rejected when loading");
        ordered.push(next);
    }
    ordered
}

/// `exe` is the engine binary ([`engine_exe`]), found once per plan.
fn add_pipeline(plan: &mut Plan, ws: &Workspace, p: &Pipeline, exe: Option<&str>, no_deps: bool) {
    let pipeline = plan.pipelines.len();
    // The steps of needed pipelines that nothing else in them waits for: when these are
    // done, the whole needed pipeline is.
    let needs = p.needs.iter().filter(|_| !no_deps);
    let upstream: Vec<usize> = needs
        .chain(&p.after)
        .flat_map(|n| sinks(plan, &n.name))
        .collect();
    plan.pipelines.push(PlanPipeline {
        name: p.name.clone(),
        file: p.file.clone(),
        when: p.when.clone(),
        tools: p.tools.clone(),
        secrets: p.secrets.clone(),
        needs: p.needs.iter().map(|n| n.name.clone()).collect(),
    });
    let first = plan.steps.len();
    // Step id → plan index, built the first time a step names its needs.
    let mut index: Option<HashMap<&str, usize>> = None;
    for (i, step) in p.steps.iter().enumerate() {
        let mut deps: Vec<usize> = match &step.needs {
            Some(needs) if !needs.is_empty() => {
                let index = index.get_or_insert_with(|| {
                    let ids = p.steps.iter().map(|s| s.id.as_str());
                    ids.zip(first..).collect()
                });
                needs.iter().map(|n| index[n.name.as_str()]).collect()
            }
            Some(_) => Vec::new(),
            None => i
                .checked_sub(1)
                .map(|prev| first + prev)
                .into_iter()
                .collect(),
        };
        if deps.is_empty() {
            deps = upstream.clone();
        }
        let vars = Vars {
            ws,
            exe,
            pipeline: &p.name,
            step: &step.id,
        };
        let work = match &step.action {
            Action::Run(argv) => Work::Process(argv.iter().map(|a| vars.render(a)).collect()),
            Action::Shell(shell, script) => Work::Process(shell.argv(&vars.render(script))),
            Action::Uses(name, builtin) => Work::Builtin(name.clone(), Arc::clone(builtin)),
        };
        let mut env = BTreeMap::from([
            ("XTASK_WORKSPACE".to_string(), ws.root.display().to_string()),
            ("XTASK_PIPELINE".to_string(), p.name.clone()),
            ("XTASK_STEP".to_string(), step.id.clone()),
        ]);
        if let Some(exe) = exe {
            env.insert("XTASK_BIN".into(), exe.to_owned());
        }
        for (k, v) in p.env.iter().chain(&step.env) {
            env.insert(k.clone(), vars.render(v));
        }
        plan.steps.push(PlanStep {
            pipeline,
            id: step.id.clone(),
            label: format!("{}/{}", p.name, step.id),
            deps,
            work,
            env,
            cwd: ws.root.join(step.cwd.as_deref().unwrap_or(".")),
            timeout: step.timeout,
            continue_on_error: step.continue_on_error,
            service: step.service,
            local_cache: step.local_cache,
            when: step.when.clone(),
            inputs: step.inputs.clone(),
            outputs: step.outputs.clone(),
            file: p.file.clone(),
            line: step.span.start.line,
            col: step.span.start.col,
        });
    }
    // Execution order must put dependencies first; explicit `needs` may point forward.
    topo_sort(&mut plan.steps, first);
}

fn sinks(plan: &Plan, pipeline: &str) -> Vec<usize> {
    let Some(index) = plan.pipelines.iter().position(|p| p.name == pipeline) else {
        return Vec::new();
    };
    let members: Vec<usize> = (0..plan.steps.len())
        .filter(|&i| plan.steps[i].pipeline == index)
        .collect();
    if members.is_empty() {
        // A pipeline without steps is done when everything it needs is.
        let mut all: Vec<usize> = plan.pipelines[index]
            .needs
            .iter()
            .flat_map(|n| sinks(plan, n))
            .collect();
        all.sort_unstable();
        all.dedup();
        return all;
    }
    members
        .iter()
        .copied()
        .filter(|&i| !members.iter().any(|&j| plan.steps[j].deps.contains(&i)))
        .collect()
}

/// Reorders `steps[first..]` so that each step comes after its dependencies, keeping file
/// order where the dependencies allow it (of the steps whose dependencies are placed, the
/// first in the file goes next), and renumbers the dependency indices.
fn topo_sort(steps: &mut Vec<PlanStep>, first: usize) {
    let n = steps.len() - first;
    let mut queue = ReadyQueue::new(steps[first..].iter().map(|step| {
        let local = step.deps.iter().filter(|&&d| d >= first);
        local.map(|&d| d - first)
    }));
    let mut sorted: Vec<usize> = Vec::with_capacity(n);
    while let Some(k) = queue.pop() {
        sorted.push(k);
        queue.finished(k);
    }
    assert_eq!(sorted.len(), n, "cycles were rejected when loading");
    if sorted.iter().enumerate().all(|(pos, &k)| pos == k) {
        return;
    }
    let mut new_pos = vec![0; n];
    for (pos, &k) in sorted.iter().enumerate() {
        new_pos[k] = pos;
    }
    let new_index = |old: usize| {
        if old < first {
            old
        } else {
            first + new_pos[old - first]
        }
    };
    let mut tail: Vec<Option<PlanStep>> = steps.drain(first..).map(Some).collect();
    for &k in &sorted {
        let mut step = tail[k].take().expect("each step once");
        step.deps = step.deps.iter().map(|&d| new_index(d)).collect();
        steps.push(step);
    }
}

/// The template variables of a step.
struct Vars<'a> {
    ws: &'a Workspace,
    exe: Option<&'a str>,
    pipeline: &'a str,
    step: &'a str,
}

impl Vars<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        lookup(name, self.ws, self.exe, self.pipeline, self.step)
    }

    /// Loading checked the variable names, so rendering cannot fail here.
    fn render(&self, text: &str) -> String {
        template::render(text, &|n| self.lookup(n)).unwrap_or_else(|_| text.to_owned())
    }
}

/// The engine binary, for steps that call it again. When a build replaced the file during
/// the run (`cargo test` relinks `target/debug/xtask`), Linux reports `<path> (deleted)`; the
/// path then holds the new build of the same workspace, which is what such a step wants.
pub fn engine_exe() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let text = exe.to_string_lossy();
    match text.strip_suffix(" (deleted)") {
        Some(path) if std::path::Path::new(path).is_file() => Some(path.into()),
        _ => Some(exe),
    }
}

fn lookup(
    name: &str,
    ws: &Workspace,
    exe: Option<&str>,
    pipeline: &str,
    step: &str,
) -> Option<String> {
    match name {
        "workspace" => Some(ws.root.display().to_string()),
        "target" => Some(ws.root.join("target").display().to_string()),
        "xtask" => exe.map(str::to_owned),
        "pipeline" => Some(pipeline.to_owned()),
        "step" => Some(step.to_owned()),
        _ => None,
    }
}
