//! Where the signing key comes from: `COSIGN_KEY_B64` (base64 of an encrypted key, decoded
//! into a 0600 temp file outside the workspace that is removed as soon as it is read), or a
//! committed `cosign.key`; the password from `COSIGN_PASSWORD` (empty is a valid password).

use super::{KeyError, decrypt};
use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::{SigningKey, VerifyingKey};
use std::io::Write as _;
use std::path::Path;

pub const KEY_ENV: &str = "COSIGN_KEY_B64";
pub const PASSWORD_ENV: &str = "COSIGN_PASSWORD";
pub const KEY_FILE: &str = "cosign.key";
pub const PUBLIC_KEY_FILE: &str = "cosign.pub";

pub struct Loaded {
    pub key: SigningKey,
    /// `COSIGN_KEY_B64` or `cosign.key`, for messages.
    pub source: &'static str,
}

/// The signing key, or `None` when neither `COSIGN_KEY_B64` nor `cosign.key` is there.
/// Errors name the variable or file and never contain key material or the password.
pub fn load(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Option<Loaded>> {
    let password = env(PASSWORD_ENV).unwrap_or_default();
    if let Some(encoded) = env(KEY_ENV).filter(|v| !v.trim().is_empty()) {
        let compact: String = encoded.split_whitespace().collect();
        let Ok(bytes) = STANDARD.decode(compact) else {
            bail!(
                "{KEY_ENV} is not valid base64; set it to the base64 of an encrypted cosign key (base64 -w0 cosign.key)"
            );
        };
        let pem = via_temp_file(&bytes)?;
        let key = decrypt(&pem, password.as_bytes()).map_err(|e| keyed(KEY_ENV, e))?;
        return Ok(Some(Loaded {
            key,
            source: KEY_ENV,
        }));
    }
    let file = root.join(KEY_FILE);
    if !file.exists() {
        return Ok(None);
    }
    let pem = std::fs::read_to_string(&file).with_context(|| format!("cannot read {KEY_FILE}"))?;
    let key = decrypt(&pem, password.as_bytes()).map_err(|e| keyed(KEY_FILE, e))?;
    Ok(Some(Loaded {
        key,
        source: KEY_FILE,
    }))
}

/// The decoded key goes through a private temp file (mode 0600, outside the workspace),
/// removed when this returns, on every path: key material is never written anywhere else.
fn via_temp_file(bytes: &[u8]) -> anyhow::Result<String> {
    let mut file = tempfile::Builder::new()
        .prefix("xtask-cosign-")
        .tempfile()
        .context("cannot create a private temp file for the key")?;
    file.write_all(bytes)
        .context("cannot write the key's temp file")?;
    let text = std::fs::read(file.path()).context("cannot read the key's temp file")?;
    String::from_utf8(text).map_err(|_| anyhow::anyhow!("{KEY_ENV} does not decode to a PEM key"))
}

fn keyed(source: &str, e: KeyError) -> anyhow::Error {
    anyhow::anyhow!("{source}: {e}")
}

/// The public key to verify with: `cosign.pub` if committed, else derived from the signing
/// key if there is one.
pub fn public_key(
    root: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<(VerifyingKey, &'static str)> {
    let file = root.join(PUBLIC_KEY_FILE);
    if file.exists() {
        let pem = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {PUBLIC_KEY_FILE}"))?;
        let key =
            super::read_public_key(&pem).map_err(|e| anyhow::anyhow!("{PUBLIC_KEY_FILE}: {e}"))?;
        return Ok((key, PUBLIC_KEY_FILE));
    }
    match load(root, env)? {
        Some(loaded) => Ok((
            VerifyingKey::from(&loaded.key),
            "the public half of the signing key",
        )),
        None => bail!(
            "no public key to verify with: commit {PUBLIC_KEY_FILE} (`cargo xtask keys generate` writes one), or provide the signing key"
        ),
    }
}
