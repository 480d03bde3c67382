//! `cargo xtask verify <artifact>`: what a downstream consumer checks — the artifact's
//! digest, its cosign signature (`<artifact>.sig`) and Sigstore bundle
//! (`<artifact>.sigstore.json`), and the SLSA provenance that names it (statement, DSSE
//! envelope or bundle).

use crate::cosign::{self, source};
use crate::failure::Failure;
use crate::provenance;
use anyhow::Context as _;
use std::path::Path;

pub struct Options<'a> {
    pub artifact: &'a Path,
    pub key: Option<&'a Path>,
    pub provenance: Option<&'a Path>,
}

pub fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    let artifact = options.artifact;
    let bytes =
        std::fs::read(artifact).with_context(|| format!("cannot read {}", artifact.display()))?;
    let sha = xtask_inputs::digest::sha256(&bytes);
    println!("{}: sha256 {sha}", artifact.display());
    let key_path = options
        .key
        .map_or_else(|| root.join(source::PUBLIC_KEY_FILE), Path::to_owned);
    let key = std::fs::read_to_string(&key_path)
        .map_err(|e| e.to_string())
        .and_then(|pem| cosign::read_public_key(&pem))
        .map_err(|e| format!("{}: {e}", key_path.display()));
    let mut failures = 0;
    let mut report = |ok: bool, line: String| {
        println!("{} {line}", if ok { "✓" } else { "✗" });
        failures += usize::from(!ok);
    };
    let sig_path = format!("{}.sig", artifact.display());
    match (std::fs::read(&sig_path), &key) {
        (Err(_), _) => report(false, format!("no signature: {sig_path} does not exist")),
        (Ok(_), Err(e)) => report(false, format!("cannot check the signature: {e}")),
        (Ok(sig), Ok(key)) => match cosign::verify_blob(key, &bytes, &sig) {
            Ok(()) => report(
                true,
                format!("signature {sig_path} verifies with {}", key_path.display()),
            ),
            Err(why) => report(false, format!("signature {sig_path}: {why}")),
        },
    }
    let bundle_path = format!("{}.sigstore.json", artifact.display());
    match (std::fs::read_to_string(&bundle_path), &key) {
        (Err(_), _) => report(false, format!("no bundle: {bundle_path} does not exist")),
        (Ok(_), Err(e)) => report(false, format!("cannot check the bundle: {e}")),
        (Ok(text), Ok(key)) => match cosign::verify_bundle(key, &text, Some(&bytes)) {
            Ok(_) => report(
                true,
                format!(
                    "bundle {bundle_path} verifies with {}: key hint, sha256 message digest, signature",
                    key_path.display()
                ),
            ),
            Err(why) => report(false, format!("bundle {bundle_path}: {why}")),
        },
    }
    let name = artifact
        .strip_prefix(root)
        .unwrap_or(artifact)
        .display()
        .to_string();
    let provenances = match options.provenance {
        Some(path) => vec![path.to_owned()],
        None => std::iter::once(provenance::default_path(root))
            .chain(Some(root.join(provenance::BUNDLE_PATH)).filter(|p| p.exists()))
            .collect(),
    };
    for path in provenances {
        let (ok, line) = check_provenance(&path, key.as_ref().ok(), &name, &sha);
        report(ok, line);
    }
    if failures > 0 {
        Err(Failure::StepsFailed)
    } else {
        Ok(())
    }
}

/// Whether the provenance at `path` names `name` with `sha`, and the line that says so.
fn check_provenance(
    path: &Path,
    key: Option<&p256::ecdsa::VerifyingKey>,
    name: &str,
    sha: &str,
) -> (bool, String) {
    let shown = path.display();
    let (statement, signed_by) = match provenance::read(path, key) {
        Ok(found) => found,
        Err(why) => return (false, format!("provenance {shown}: {why}")),
    };
    let subjects = match provenance::subjects(&statement) {
        Ok(subjects) => subjects,
        Err(why) => return (false, format!("provenance {shown}: {why}")),
    };
    match subjects.iter().find(|(n, _)| n == name) {
        None => (false, format!("provenance {shown} does not name {name}")),
        Some((_, digest)) if digest != sha => (
            false,
            format!(
                "provenance names {name} with another sha256 ({digest}): the file changed after the build"
            ),
        ),
        Some(_) => {
            let builder = statement["predicate"]["runDetails"]["builder"]["id"]
                .as_str()
                .unwrap_or("?");
            (
                true,
                format!(
                    "provenance {shown} names it with this sha256 ({signed_by}; builder {builder})"
                ),
            )
        }
    }
}
