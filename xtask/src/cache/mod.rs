//! The content-addressed step cache under `target/xtask/cache/`: a step that declares
//! `inputs` is skipped when its key (definition, declared env, tool versions, input
//! contents, keys of its dependencies) matches its last successful run and every recorded
//! output is still there with its recorded digest.

mod files;
mod key;
mod state;
mod walk;

pub use key::Components;
pub use state::Output;

use crate::digest::sha256;
use crate::plan::{Plan, PlanStep, Work};
use files::FileDigests;
use state::StepState;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Cache {
    root: PathBuf,
    dir: PathBuf,
    /// False with `--no-cache`: nothing is a hit, successful runs are still recorded.
    reuse: bool,
    files: FileDigests,
    /// Keys of the steps finished in this run, for the steps that need them.
    keys: Mutex<HashMap<String, String>>,
}

/// What the cache says about a step before it runs.
pub enum Check {
    /// Not cached: the step declares no `inputs`.
    Uncached,
    Hit {
        key: String,
        outputs: Vec<Output>,
    },
    Miss {
        key: String,
        components: Box<Components>,
        why: String,
    },
}

impl Cache {
    /// Opens the cache of `root`.
    pub fn open(root: &Path, reuse: bool) -> Cache {
        let dir = root.join("target/xtask/cache");
        let files = FileDigests::load(dir.join("files.tsv"));
        Cache {
            root: root.to_owned(),
            dir,
            reuse,
            files,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Looks the step up; `tools` are the versions of its pipeline's tools. Unreadable
    /// cache files are ignored with a warning.
    pub fn check(
        &self,
        plan: &Plan,
        step: &PlanStep,
        tools: BTreeMap<String, String>,
        warnings: &mut Vec<String>,
    ) -> anyhow::Result<Check> {
        if step.inputs.is_empty() {
            return Ok(Check::Uncached);
        }
        warnings.extend(self.files.take_warning());
        let components = self.components(plan, step, tools)?;
        let key = components.key();
        let path = state::path(&self.dir, &plan.pipelines[step.pipeline].name, &step.id);
        let old = match state::read(&path) {
            Ok(old) => old,
            Err(e) => {
                warnings.push(format!(
                    "ignoring the unreadable cache entry {}: {e}",
                    self.rel(&path)
                ));
                None
            }
        };
        let why = match &old {
            None => "it has not run successfully before".to_string(),
            Some(_) if !self.reuse => "--no-cache".to_string(),
            Some(old) if old.key == key => match self.outputs_changed(&old.outputs)? {
                None => {
                    return Ok(Check::Hit {
                        key,
                        outputs: old.outputs.clone(),
                    });
                }
                Some(why) => why,
            },
            Some(old) => state::read_parts(&path, &old.key)
                .and_then(|parts| components.why_changed(&parts))
                .unwrap_or_else(|| "its key changed".into()),
        };
        Ok(Check::Miss {
            key,
            components: Box::new(components),
            why,
        })
    }

    /// Holds a cached step's lock file until dropped, so a second engine running the same
    /// step waits for the first and then finds its result in the cache. `None` for steps
    /// without `inputs`, and when `cancelled` turns true while waiting.
    pub fn lock(
        &self,
        plan: &Plan,
        step: &PlanStep,
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Option<std::fs::File>> {
        if step.inputs.is_empty() {
            return Ok(None);
        }
        let path = state::path(&self.dir, &plan.pipelines[step.pipeline].name, &step.id)
            .with_extension("lock");
        std::fs::create_dir_all(path.parent().expect("in a directory"))?;
        let file = std::fs::File::create(&path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", self.rel(&path)))?;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) if !cancelled() => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => {
                    anyhow::bail!("cannot lock {}: {e}", self.rel(&path))
                }
            }
        }
    }

    /// Records a successful run: the outputs as they are now, under `key`.
    pub fn record(
        &self,
        plan: &Plan,
        step: &PlanStep,
        key: String,
        components: Components,
    ) -> anyhow::Result<Vec<Output>> {
        let outputs = self.outputs(step)?;
        let path = state::path(&self.dir, &plan.pipelines[step.pipeline].name, &step.id);
        let state = StepState {
            version: state::VERSION,
            key,
            outputs: outputs.clone(),
        };
        state::write(&path, &state, components)?;
        Ok(outputs)
    }

    /// The files a step's `outputs` match now, with their digests.
    pub fn outputs(&self, step: &PlanStep) -> anyhow::Result<Vec<Output>> {
        let files = walk::expand(&self.root, &step.outputs)?;
        let digests = self.files.digests(&self.root, &files)?;
        files
            .into_iter()
            .zip(digests)
            .map(|(walk::Found { path, .. }, sha256)| {
                let size = std::fs::metadata(self.root.join(&path))?.len();
                Ok(Output { path, sha256, size })
            })
            .collect()
    }

    /// Remembers a finished step's key for the steps that need it.
    pub fn remember(&self, label: &str, key: String) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(label.to_owned(), key);
    }

    /// The key dependents see for a step without `inputs`: its definition.
    pub fn definition_key(step: &PlanStep) -> String {
        definition(step)
    }

    /// Saves the file stamps for the next run.
    pub fn save(&self) -> anyhow::Result<()> {
        self.files.save()
    }

    fn components(
        &self,
        plan: &Plan,
        step: &PlanStep,
        tools: BTreeMap<String, String>,
    ) -> anyhow::Result<Components> {
        let pipeline = &plan.pipelines[step.pipeline];
        let mut env: BTreeMap<String, String> = step
            .env
            .iter()
            .filter(|(name, _)| name.as_str() != "XTASK_BIN")
            .map(|(name, value)| (name.clone(), sha256(value.as_bytes())))
            .collect();
        for secret in &pipeline.secrets {
            let set = std::env::var_os(secret).is_some_and(|v| !v.is_empty());
            env.insert(secret.clone(), if set { "set" } else { "unset" }.into());
        }
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let deps = step
            .deps
            .iter()
            .map(|&d| {
                let label = &plan.steps[d].label;
                (
                    label.clone(),
                    keys.get(label)
                        .cloned()
                        .unwrap_or_else(|| definition(&plan.steps[d])),
                )
            })
            .collect();
        drop(keys);
        let files = walk::expand(&self.root, &step.inputs)?;
        let digests = self.files.digests(&self.root, &files)?;
        let paths = files.into_iter().map(|f| f.path);
        Ok(Components {
            definition: definition(step),
            env,
            tools,
            deps,
            inputs: paths.into_iter().zip(digests).collect(),
        })
    }

    fn outputs_changed(&self, outputs: &[Output]) -> anyhow::Result<Option<String>> {
        for output in outputs {
            if !self.root.join(&output.path).is_file() {
                return Ok(Some(format!("output {} is missing", output.path)));
            }
        }
        let files: Vec<walk::Found> = outputs
            .iter()
            .map(|o| walk::Found::path(o.path.clone()))
            .collect();
        let digests = self.files.digests(&self.root, &files)?;
        Ok(outputs
            .iter()
            .zip(digests)
            .find(|(o, d)| o.sha256 != *d)
            .map(|(o, _)| format!("output {} was modified", o.path)))
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

fn definition(step: &PlanStep) -> String {
    let work = match &step.work {
        Work::Process(argv) => argv.join("\0"),
        Work::Builtin(name, builtin) => format!("{name}\0{builtin:?}"),
    };
    sha256(format!("{}\0{}\0{}", step.label, work, step.cwd.display()).as_bytes())
}
