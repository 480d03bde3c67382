//! `cargo xtask verify <artifact>`: what a downstream consumer checks — the artifact's
//! digest, its cosign signature (`<artifact>.sig`) and the SLSA provenance that names it.

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
    let sha = crate::digest::sha256(&bytes);
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
    let provenance_path = options
        .provenance
        .map_or_else(|| provenance::default_path(root), Path::to_owned);
    match provenance::read(&provenance_path, key.as_ref().ok()) {
        Err(why) => report(
            false,
            format!("provenance {}: {why}", provenance_path.display()),
        ),
        Ok((statement, signed_by)) => {
            let name = artifact
                .strip_prefix(root)
                .unwrap_or(artifact)
                .display()
                .to_string();
            match provenance::subjects(&statement) {
                Err(why) => report(
                    false,
                    format!("provenance {}: {why}", provenance_path.display()),
                ),
                Ok(subjects) => match subjects.iter().find(|(n, _)| *n == name) {
                    None => report(
                        false,
                        format!(
                            "provenance {} does not name {name}",
                            provenance_path.display()
                        ),
                    ),
                    Some((_, digest)) if *digest != sha => report(
                        false,
                        format!(
                            "provenance names {name} with another sha256 ({digest}): the file changed after the build"
                        ),
                    ),
                    Some(_) => {
                        let builder = statement["predicate"]["runDetails"]["builder"]["id"]
                            .as_str()
                            .unwrap_or("?");
                        report(
                            true,
                            format!(
                                "provenance {} names it with this sha256 ({signed_by}; builder {builder})",
                                provenance_path.display()
                            ),
                        );
                    }
                },
            }
        }
    }
    if failures > 0 {
        Err(Failure::StepsFailed)
    } else {
        Ok(())
    }
}
