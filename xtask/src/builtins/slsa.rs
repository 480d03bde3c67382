//! `slsa/provenance`: writes the run's SLSA provenance (in-toto Statement v1) for the given
//! artifacts and, when a signing key is present, a DSSE envelope it verifies right away.

use crate::cosign::{self, source};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::provenance::{self, PAYLOAD_TYPE};
use crate::text::time::rfc3339;
use crate::yaml::Reader;
use anyhow::Context as _;
use std::path::Path;
use std::sync::Arc;

pub const PROVENANCE: Registration = Registration {
    name: "slsa/provenance",
    summary: "write SLSA provenance for artifacts; a signed DSSE envelope and its Sigstore bundle when a key is present",
    required: &["subjects", "output", "envelope", "bundle"],
    optional: &[],
    parse,
};

#[derive(Debug)]
struct Provenance {
    subjects: Vec<String>,
    output: String,
    envelope: String,
    bundle: String,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let mut path = |key: &str| -> Option<String> { r.workspace_path(fields.get(key)?, key) };
    let (output, envelope, bundle) = (path("output"), path("envelope"), path("bundle"));
    let subjects = fields.get("subjects").and_then(|n| r.names(n, "subjects"));
    Some(Arc::new(Provenance {
        subjects: subjects?.into_iter().map(|n| n.name).collect(),
        output: output?,
        envelope: envelope?,
        bundle: bundle?,
    }))
}

impl Builtin for Provenance {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let mut subjects = Vec::new();
        for file in &self.subjects {
            let sha = xtask_inputs::digest::sha256_file(&ctx.root.join(file))
                .with_context(|| format!("cannot read {file}; build it first"))?;
            subjects.push((file.clone(), sha));
        }
        let step_env = ctx.env;
        let env = move |n: &str| step_env.get(n).cloned().or_else(|| std::env::var(n).ok());
        let git_ref = crate::git::current_ref(ctx.root, &env).full();
        let mut tools = ctx.run.tools.clone();
        if let Some(rustc) = rustc_version(ctx) {
            tools.push(("rustc".into(), rustc));
        }
        let lock = ctx.root.join("Cargo.lock");
        let run = provenance::Run {
            subjects,
            pipeline: ctx.env.get("XTASK_PIPELINE").map_or("", String::as_str),
            targets: &ctx.run.targets,
            git_ref,
            commit: crate::git::head_commit(ctx.root),
            repository: repository(ctx.root, &env),
            cargo_lock_sha256: lock
                .exists()
                .then(|| xtask_inputs::digest::sha256_file(&lock))
                .transpose()?,
            tools,
            started_on: rfc3339(
                ctx.run
                    .started_at
                    .unwrap_or_else(std::time::SystemTime::now),
            ),
            finished_on: rfc3339(std::time::SystemTime::now()),
            env: &env,
        };
        let statement = provenance::statement(&run);
        write(
            ctx.root,
            &self.output,
            &(serde_json::to_string_pretty(&statement)? + "\n"),
        )?;
        writeln!(
            ctx.out,
            "wrote {} ({} subjects)",
            self.output,
            self.subjects.len()
        )?;
        match source::load(ctx.root, &env)? {
            Some(loaded) => {
                let payload = serde_json::to_vec(&statement)?;
                let envelope = cosign::sign_envelope(&loaded.key, PAYLOAD_TYPE, &payload);
                write(
                    ctx.root,
                    &self.envelope,
                    &(serde_json::to_string_pretty(&envelope)? + "\n"),
                )?;
                let (public, origin) = source::public_key(ctx.root, &env)?;
                cosign::verify_envelope(&public, &envelope)
                    .map_err(|why| anyhow::anyhow!("{}: {why}", self.envelope))?;
                let bundle = cosign::dsse_bundle(&public, &envelope);
                cosign::verify_bundle(&public, &bundle, None)
                    .map_err(|why| anyhow::anyhow!("{}: {why}", self.bundle))?;
                write(ctx.root, &self.bundle, &bundle)?;
                writeln!(
                    ctx.out,
                    "signed {} and {} (key from {}), verified with {origin}",
                    self.envelope, self.bundle, loaded.source
                )?;
            }
            None => {
                // A signature from an earlier run would no longer match this statement.
                for stale in [&self.envelope, &self.bundle] {
                    let path = ctx.root.join(stale);
                    if path.exists() {
                        std::fs::remove_file(&path)
                            .with_context(|| format!("cannot remove the stale {stale}"))?;
                    }
                }
                writeln!(
                    ctx.out,
                    "the provenance is not signed: no signing key ({} or {})",
                    source::KEY_ENV,
                    source::KEY_FILE
                )?;
            }
        }
        Ok(())
    }
}

fn write(root: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    xtask_inputs::fsutil::write_atomic(&path, text.as_bytes())
}

fn rustc_version(ctx: &StepContext<'_>) -> Option<String> {
    let out = std::process::Command::new("rustc")
        .arg("--version")
        .current_dir(ctx.root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// The repository's URL: the Actions repository, else `origin`'s, else `repository:` of
/// the supply-chain policy; never a local path.
fn repository(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let (Some(server), Some(repo)) = (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY")) {
        return Some(format!("{server}/{repo}"));
    }
    let origin = std::process::Command::new("git")
        .args(["config", "--get", "remote.origin.url"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| crate::provenance::repository_url(&s));
    origin.or_else(|| {
        let policies = crate::policy::Policies::load(root).ok()?.ok()?;
        policies
            .get::<crate::policy::SupplyChain>()?
            .repository
            .clone()
    })
}
