//! `sbom/syft` runs Syft over the workspace and writes a CycloneDX JSON SBOM whose bytes
//! depend only on the commit; `sbom/validate` checks that an SBOM is CycloneDX of the expected
//! version and lists every locked crate.

use super::cargo_meta;
use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const SYFT: Registration = Registration {
    name: "sbom/syft",
    summary: "scan the workspace with Syft into a reproducible CycloneDX JSON SBOM",
    required: &["output"],
    optional: &["exclude"],
    parse: parse_syft,
};

pub const VALIDATE: Registration = Registration {
    name: "sbom/validate",
    summary: "check that an SBOM is CycloneDX of the expected version and lists every locked crate",
    required: &["file"],
    optional: &["spec-version"],
    parse: parse_validate,
};

#[derive(Debug)]
struct Syft {
    output: String,
    exclude: Vec<String>,
}

#[derive(Debug)]
struct Validate {
    file: String,
    spec_version: String,
}

fn parse_syft(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let output = r.workspace_path(fields.get("output")?, "output")?;
    let exclude = match fields.get("exclude") {
        Some(node) => r
            .names(node, "exclude")?
            .into_iter()
            .map(|n| n.name)
            .collect(),
        None => Vec::new(),
    };
    Some(Arc::new(Syft { output, exclude }))
}

fn parse_validate(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let file = r.workspace_path(fields.get("file")?, "file")?;
    let spec_version = match fields.get("spec-version") {
        Some(node) => r.string(node, "spec-version")?,
        None => "1.6".into(),
    };
    Some(Arc::new(Validate { file, spec_version }))
}

impl Builtin for Syft {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let (name, version) = source(ctx)?;
        let raw = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
        let mut argv: Vec<String> = vec![
            "syft".into(),
            "scan".into(),
            "dir:.".into(),
            "-q".into(),
            "-o".into(),
            format!("cyclonedx-json={}", raw.path().display()),
            "--source-name".into(),
            name.clone(),
            "--source-version".into(),
            version.clone(),
        ];
        for pattern in &self.exclude {
            argv.extend(["--exclude".into(), pattern.clone()]);
        }
        let finished = ctx.command(&argv, None)?;
        ctx.out.write_all(finished.output.as_bytes())?;
        if !finished.status.success() {
            bail!("syft failed ({})", xtask_process::describe(finished.status));
        }
        let mut sbom: Value = serde_json::from_slice(&std::fs::read(raw.path())?)
            .context("syft did not write JSON")?;
        let time = commit_time(ctx)?;
        normalise(&mut sbom, &time);
        let text = serde_json::to_string_pretty(&sbom)? + "\n";
        let output = ctx.root.join(&self.output);
        if let Some(dir) = output.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        xtask_inputs::fsutil::write_atomic(&output, text.as_bytes())?;
        let components = sbom["components"].as_array().map_or(0, Vec::len);
        writeln!(
            ctx.out,
            "{}: CycloneDX {} of {name} {version}, {components} components, serial {}",
            self.output,
            sbom["specVersion"].as_str().unwrap_or("?"),
            sbom["serialNumber"].as_str().unwrap_or("?")
        )?;
        Ok(())
    }
}

/// The SBOM's source name and version: `[workspace.metadata.sbom] name`, and the version of
/// the workspace's packages.
fn source(ctx: &mut StepContext<'_>) -> anyhow::Result<(String, String)> {
    let metadata = cargo_meta::metadata(ctx, true)?;
    let name = metadata["metadata"]["sbom"]["name"]
        .as_str()
        .context(
            "Cargo.toml needs `[workspace.metadata.sbom] name = \"...\"`: the SBOM's source name",
        )?
        .to_owned();
    let version = metadata["packages"][0]["version"]
        .as_str()
        .context("the workspace has no package")?
        .to_owned();
    Ok((name, version))
}

/// The commit time (RFC 3339, UTC): `SOURCE_DATE_EPOCH` if set, else the HEAD commit's.
fn commit_time(ctx: &mut StepContext<'_>) -> anyhow::Result<String> {
    let seconds: u64 = match ctx
        .env
        .get("SOURCE_DATE_EPOCH")
        .cloned()
        .or_else(|| std::env::var("SOURCE_DATE_EPOCH").ok())
    {
        Some(epoch) => epoch
            .trim()
            .parse()
            .context("SOURCE_DATE_EPOCH is not a Unix time")?,
        None => {
            let out = std::process::Command::new("git")
                .args(["show", "-s", "--format=%ct", "HEAD"])
                .current_dir(ctx.root)
                .output()
                .context("cannot run git for the commit time")?;
            if !out.status.success() {
                bail!(
                    "no commit to take the SBOM's timestamp from; commit first, or set SOURCE_DATE_EPOCH"
                );
            }
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .context("git printed no commit time")?
        }
    };
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    Ok(crate::text::time::rfc3339(time).replace(".000Z", "Z"))
}

/// Replaces what changes on every Syft run: the timestamp (→ commit time) and the serial
/// number (→ a UUID derived from everything else in the document).
pub fn normalise(sbom: &mut Value, time: &str) {
    if let Some(object) = sbom.as_object_mut() {
        object.remove("serialNumber");
    }
    sbom["metadata"]["timestamp"] = Value::String(time.to_owned());
    let digest = Sha256::digest(serde_json::to_vec(sbom).expect("JSON serialises"));
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // A name-based UUID (version 8, RFC 9562 variant) from the content's sha256.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = xtask_inputs::digest::hex(&b);
    let uuid = format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    sbom["serialNumber"] = Value::String(uuid);
}

impl Builtin for Validate {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(ctx.root.join(&self.file))
            .with_context(|| format!("cannot read {}", self.file))?;
        let sbom: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", self.file))?;
        if sbom["bomFormat"] != "CycloneDX" {
            bail!(
                "{} is not a CycloneDX document (bomFormat is {})",
                self.file,
                sbom["bomFormat"]
            );
        }
        if sbom["specVersion"] != self.spec_version.as_str() {
            bail!(
                "{} is CycloneDX {}, expected {}",
                self.file,
                sbom["specVersion"],
                self.spec_version
            );
        }
        let listed: std::collections::HashSet<(String, String)> = sbom["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some((
                    c["name"].as_str()?.to_owned(),
                    c["version"].as_str()?.to_owned(),
                ))
            })
            .collect();
        let locked = cargo_meta::locked_packages(&cargo_meta::metadata(ctx, false)?);
        let missing: Vec<String> = locked
            .iter()
            .filter(|p| !listed.contains(*p))
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        if !missing.is_empty() {
            for m in &missing {
                writeln!(ctx.out, "missing: {m}")?;
            }
            bail!(
                "{} does not list {} of the {} locked crates: {}",
                self.file,
                missing.len(),
                locked.len(),
                missing.join(", ")
            );
        }
        writeln!(
            ctx.out,
            "{}: CycloneDX {}, lists all {} locked crates ({} components)",
            self.file,
            self.spec_version,
            locked.len(),
            listed.len()
        )?;
        Ok(())
    }
}
