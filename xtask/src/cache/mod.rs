//! The content-addressed step cache under `target/xtask/cache/`: a step that declares
//! `inputs` is skipped when its key (definition, declared env, tool versions, input
//! contents, keys of its dependencies, platform) matches its last successful run and every
//! recorded output is still there with its recorded digest. A successful run's outputs and
//! logged output go to the content store (`store.rs`), and to a remote cache when one is
//! configured (`remote.rs`), so a hit whose outputs are missing is restored, not re-run.

pub mod proto;
pub mod remote;
mod restore;
pub mod store;

pub use store::Usage;
pub use xtask_inputs::key::Components;
pub use xtask_inputs::state::Output;

use crate::plan::{Plan, PlanStep, Work};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use xtask_inputs::digest::sha256;
use xtask_inputs::files::FileDigests;
use xtask_inputs::state::{self, StepState};
use xtask_inputs::walk;

pub struct Cache {
    root: PathBuf,
    dir: PathBuf,
    store: store::Store,
    remote: Option<remote::Remote>,
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
        /// The output its run logged, to replay.
        log: Option<String>,
    },
    /// The result is stored (here or on the remote) but its outputs are not in the
    /// workspace: they are restored instead of running the step.
    Restore {
        key: String,
        result: proto::ActionResult,
        remote: bool,
        why: String,
        components: Box<Components>,
    },
    Miss {
        key: String,
        components: Box<Components>,
        why: String,
    },
}

impl Cache {
    /// Opens the cache of `root`, with the remote cache when there is one.
    pub fn open(root: &Path, reuse: bool, remote: Option<remote::Remote>) -> Cache {
        let dir = root.join("target/xtask/cache");
        let files = FileDigests::load(dir.join("files.tsv"));
        Cache {
            root: root.to_owned(),
            store: store::Store::new(&dir),
            dir,
            remote,
            reuse,
            files,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Looks the step up; `tools` are the versions of its pipeline's tools. Unreadable
    /// cache files are ignored with a warning.
    /// A step that must run whatever the cache holds (`why`): a miss with its key, so its
    /// result is recorded as usual.
    pub fn miss(
        &self,
        plan: &Plan,
        step: &PlanStep,
        tools: BTreeMap<String, String>,
        why: String,
    ) -> anyhow::Result<Check> {
        if step.inputs.is_empty() {
            return Ok(Check::Uncached);
        }
        let components = self.components(plan, step, tools)?;
        Ok(Check::Miss {
            key: components.key(),
            components: Box::new(components),
            why,
        })
    }

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
        if let Some(remote) = &self.remote {
            warnings.extend(remote.take_warning());
        }
        let why = match &old {
            None => "it has not run successfully before".to_string(),
            Some(_) if !self.reuse => "--no-cache".to_string(),
            Some(old) if old.key == key => match self.outputs_changed(&old.outputs)? {
                None => {
                    let log = self.stored_log(&key);
                    return Ok(Check::Hit {
                        key,
                        outputs: old.outputs.clone(),
                        log,
                    });
                }
                Some(why) => why,
            },
            Some(old) => state::read_parts(&path, &old.key)
                .and_then(|parts| components.why_changed(&parts))
                .unwrap_or_else(|| "its key changed".into()),
        };
        if self.reuse
            && let Some((result, remote)) = self.stored(&key, warnings)
        {
            return Ok(Check::Restore {
                key,
                result,
                remote,
                why,
                components: Box::new(components),
            });
        }
        Ok(Check::Miss {
            key,
            components: Box::new(components),
            why,
        })
    }

    /// The result stored under `key`: here (every blob present), else on the remote.
    fn stored(&self, key: &str, warnings: &mut Vec<String>) -> Option<(proto::ActionResult, bool)> {
        match self.store.action(key) {
            Ok(Some(result)) if self.all_blobs(&result) => return Some((result, false)),
            Ok(_) => {}
            Err(e) => warnings.push(format!("ignoring the unreadable stored result {key}: {e}")),
        }
        let remote = self.remote.as_ref()?;
        let found = remote.action(key);
        warnings.extend(remote.take_warning());
        match found {
            Ok(Some(result)) => match restore::check_paths(&self.root, &result) {
                Ok(()) => Some((result, true)),
                Err(why) => {
                    warnings.push(format!("refusing the remote result {key}: {why}"));
                    None
                }
            },
            Ok(None) => None,
            Err(why) => {
                warnings.push(format!("refusing the remote result {key}: {why}"));
                None
            }
        }
    }

    fn all_blobs(&self, result: &proto::ActionResult) -> bool {
        result.files.iter().all(|f| self.store.has(&f.digest))
    }

    /// What the run that stored `key` logged.
    fn stored_log(&self, key: &str) -> Option<String> {
        let result = self.store.action(key).ok()??;
        self.store.text(result.stdout.as_ref()?)
    }

    /// Puts a stored result's outputs back (fetching blobs from the remote when they are
    /// not here) and records the step as run: its outputs and the log to replay. `Err` says
    /// why it could not, and the step then runs.
    pub fn restore(
        &self,
        plan: &Plan,
        step: &PlanStep,
        key: &str,
        result: &proto::ActionResult,
        components: Components,
    ) -> Result<(Vec<Output>, Option<String>), String> {
        let blobs = result.files.iter().map(|f| &f.digest).chain(&result.stdout);
        for digest in blobs {
            if self.store.has(digest) {
                continue;
            }
            let remote = self.remote.as_ref().ok_or("a stored blob is missing")?;
            remote.fetch(digest, &self.store)?;
        }
        restore::restore(&self.root, &self.store, result)?;
        self.store
            .put_action(key, result)
            .map_err(|e| format!("{e:#}"))?;
        let outputs: Vec<Output> = result
            .files
            .iter()
            .map(|f| Output {
                path: f.path.clone(),
                sha256: f.digest.hash.clone(),
                size: f.digest.size,
            })
            .collect();
        self.write_state(plan, step, key, &outputs, components)
            .map_err(|e| format!("{e:#}"))?;
        let log = result.stdout.as_ref().and_then(|d| self.store.text(d));
        Ok((outputs, log))
    }

    /// Warnings the remote cache has not reported yet.
    pub fn take_warnings(&self) -> Option<String> {
        self.remote.as_ref()?.take_warning()
    }

    /// What the local store holds.
    pub fn usage(&self) -> Usage {
        self.store.usage()
    }

    /// Removes the least recently used blobs beyond `max_bytes`.
    pub fn prune(&self, max_bytes: u64) -> anyhow::Result<Usage> {
        self.store.prune(max_bytes)
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

    /// Records a successful run: the outputs as they are now and the output it logged
    /// (`log`, masked), under `key`, in the state, the store and (unless the step is
    /// `cache: local` or the remote read-only) the remote cache.
    pub fn record(
        &self,
        plan: &Plan,
        step: &PlanStep,
        key: String,
        components: Components,
        log: &str,
    ) -> anyhow::Result<Vec<Output>> {
        let outputs = self.outputs(step)?;
        let mut files = Vec::new();
        for output in &outputs {
            let path = self.root.join(&output.path);
            let digest = self.store.put_file(&path)?;
            let executable =
                std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path)?.permissions())
                    & 0o111
                    != 0;
            files.push(proto::OutputFile {
                path: output.path.clone(),
                digest,
                executable,
            });
        }
        let result = proto::ActionResult {
            files,
            exit_code: 0,
            stdout: Some(self.store.put_bytes(log.as_bytes())?),
        };
        self.store.put_action(&key, &result)?;
        self.write_state(plan, step, &key, &outputs, components)?;
        if let Some(remote) = self.remote.as_ref().filter(|_| !step.local_cache) {
            remote.upload(&key, &result, &self.store);
        }
        Ok(outputs)
    }

    /// Remembers that `step` ran (or was restored) under `key` with `outputs`.
    fn write_state(
        &self,
        plan: &Plan,
        step: &PlanStep,
        key: &str,
        outputs: &[Output],
        components: Components,
    ) -> anyhow::Result<()> {
        let path = state::path(&self.dir, &plan.pipelines[step.pipeline].name, &step.id);
        let state = StepState {
            version: state::VERSION,
            key: key.to_owned(),
            outputs: outputs.to_vec(),
        };
        state::write(&path, &state, components)
    }

    /// The files a step's `outputs` match now, with their digests.
    pub fn outputs(&self, step: &PlanStep) -> anyhow::Result<Vec<Output>> {
        self.files.outputs(&self.root, &step.outputs)
    }

    /// Remembers a finished step's key for the steps that need it; a step without one (no
    /// `inputs`) counts as its definition.
    pub fn remember(&self, label: &str, key: String) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(label.to_owned(), key);
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
        let root = self.root.display().to_string();
        let mut env: BTreeMap<String, String> = step
            .env
            .iter()
            .filter(|(name, _)| name.as_str() != "XTASK_BIN")
            .map(|(name, value)| (name.clone(), sha256(portable(value, &root).as_bytes())))
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
                        .unwrap_or_else(|| definition(&plan.steps[d], &self.root)),
                )
            })
            .collect();
        drop(keys);
        let inputs = self.files.inputs(&self.root, &step.inputs)?;
        Ok(Components {
            definition: definition(step, &self.root),
            platform: platform(),
            env,
            tools,
            deps,
            inputs,
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

/// The operating system and architecture: results are shared only between machines that
/// have the same.
fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// `text` with the workspace's absolute path written as `{{ workspace }}`, so two clones
/// in different directories compute the same key.
fn portable(text: &str, root: &str) -> String {
    if root.len() > 1 && text.contains(root) {
        text.replace(root, "{{ workspace }}")
    } else {
        text.to_owned()
    }
}

fn definition(step: &PlanStep, root: &Path) -> String {
    let root_text = root.display().to_string();
    let work = match &step.work {
        Work::Process(argv) => portable(&argv.join("\0"), &root_text),
        Work::Builtin(name, builtin) => portable(&format!("{name}\0{builtin:?}"), &root_text),
    };
    let cwd = step.cwd.strip_prefix(root).unwrap_or(&step.cwd);
    sha256(format!("{}\0{}\0{}", step.label, work, cwd.display()).as_bytes())
}
