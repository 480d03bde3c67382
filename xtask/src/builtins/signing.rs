//! `cosign/sign-blob` and `cosign/verify-blob`: cosign-compatible signatures of files
//! (`<file>.sig`, base64 of DER ECDSA P-256 over SHA-256), made and checked in-process.

use crate::cosign::{self, source};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::relpath;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use p256::ecdsa::VerifyingKey;
use std::sync::Arc;

/// A signature's Sigstore bundle is `<file>.sigstore.json`, as cosign 3 names it.
pub const BUNDLE_SUFFIX: &str = "sigstore.json";

pub const SIGN: Registration = Registration {
    name: "cosign/sign-blob",
    summary: "sign files with the cosign key (COSIGN_KEY_B64 or cosign.key) into <file>.sig and <file>.sigstore.json",
    required: &["files"],
    optional: &[],
    parse: |r, with| {
        Some(Arc::new(Sign {
            files: files(r, with)?,
        }))
    },
};

pub const VERIFY: Registration = Registration {
    name: "cosign/verify-blob",
    summary: "verify <file>.sig and <file>.sigstore.json of each file against cosign.pub (or the signing key's public half)",
    required: &["files"],
    optional: &[],
    parse: |r, with| {
        Some(Arc::new(Verify {
            files: files(r, with)?,
        }))
    },
};

#[derive(Debug)]
struct Sign {
    files: Vec<String>,
}

#[derive(Debug)]
struct Verify {
    files: Vec<String>,
}

/// `with: { files: [path, ...] }`, each inside the workspace.
pub fn files(r: &mut Reader, with: &With) -> Option<Vec<String>> {
    let node = with.get("files")?;
    let names = r.names(node, "files")?;
    if names.is_empty() {
        r.error(node.span, "`files` is empty");
        return None;
    }
    let mut files = Vec::new();
    for n in names {
        if relpath::escapes(&n.name) {
            r.error(
                n.span,
                format!("`{}` is not a path inside the workspace", n.name),
            );
            return None;
        }
        files.push(n.name);
    }
    Some(files)
}

impl Builtin for Sign {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let env = |name: &str| ctx.var(name);
        let Some(loaded) = source::load(ctx.root, &env)? else {
            bail!(
                "no signing key: set {} (base64 of an encrypted cosign key) with {}, or commit {}; {} decides where a signature is required",
                source::KEY_ENV,
                source::PASSWORD_ENV,
                source::KEY_FILE,
                crate::policy::supply_chain::PATH
            );
        };
        let public = VerifyingKey::from(&loaded.key);
        let committed = ctx.root.join(source::PUBLIC_KEY_FILE);
        if committed.exists() {
            let pem = std::fs::read_to_string(&committed)?;
            if cosign::read_public_key(&pem).ok() != Some(public) {
                bail!(
                    "{} does not belong to the signing key from {}",
                    source::PUBLIC_KEY_FILE,
                    loaded.source
                );
            }
        }
        for file in &self.files {
            let blob = std::fs::read(ctx.root.join(file))
                .with_context(|| format!("cannot read {file}; build it first"))?;
            let signature = cosign::sign_blob(&loaded.key, &blob);
            xtask_inputs::fsutil::write_atomic(
                &ctx.root.join(format!("{file}.sig")),
                signature.as_bytes(),
            )?;
            let bundle = cosign::message_bundle(&public, &blob, &signature);
            xtask_inputs::fsutil::write_atomic(
                &ctx.root.join(format!("{file}.{BUNDLE_SUFFIX}")),
                bundle.as_bytes(),
            )?;
            writeln!(
                ctx.out,
                "signed {file} -> {file}.sig, {file}.{BUNDLE_SUFFIX} (key from {})",
                loaded.source
            )?;
        }
        Ok(())
    }
}

impl Builtin for Verify {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let env = |name: &str| ctx.var(name);
        let (key, origin) = source::public_key(ctx.root, &env)?;
        for file in &self.files {
            let blob = std::fs::read(ctx.root.join(file))
                .with_context(|| format!("cannot read {file}"))?;
            let sig_path = format!("{file}.sig");
            let signature = std::fs::read(ctx.root.join(&sig_path))
                .with_context(|| format!("{sig_path} is missing: sign {file} first"))?;
            cosign::verify_blob(&key, &blob, &signature).map_err(|why| {
                anyhow::anyhow!("{sig_path} does not verify: {why} ({file} changed after signing, or another key signed it)")
            })?;
            let bundle_path = format!("{file}.{BUNDLE_SUFFIX}");
            let bundle = std::fs::read_to_string(ctx.root.join(&bundle_path))
                .with_context(|| format!("{bundle_path} is missing: sign {file} first"))?;
            cosign::verify_bundle(&key, &bundle, Some(&blob))
                .map_err(|why| anyhow::anyhow!("{bundle_path} does not verify: {why}"))?;
            writeln!(
                ctx.out,
                "verified {sig_path} and {bundle_path} with {origin}"
            )?;
        }
        Ok(())
    }
}
