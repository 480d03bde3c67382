//! `cargo xtask keys generate`: a new cosign-compatible key pair (`cosign.key`, encrypted
//! with COSIGN_PASSWORD, mode 0600; `cosign.pub`), like `cosign generate-key-pair`.

use crate::cosign::{self, source};
use crate::failure::Failure;
use anyhow::Context as _;
use p256::ecdsa::VerifyingKey;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

pub fn generate(dir: &Path, force: bool) -> Result<(), Failure> {
    let Ok(password) = std::env::var(source::PASSWORD_ENV) else {
        return Err(Failure::usage(
            format!("{} is not set", source::PASSWORD_ENV),
            "export the password that will encrypt the key (COSIGN_PASSWORD= for an empty one)",
        ));
    };
    let key_path = dir.join(source::KEY_FILE);
    let pub_path = dir.join(source::PUBLIC_KEY_FILE);
    for path in [&key_path, &pub_path] {
        if path.exists() && !force {
            return Err(Failure::usage(
                format!("{} exists already", path.display()),
                "pass --force to replace the key pair (signatures made with the old key stop verifying)",
            ));
        }
    }
    let key = cosign::generate();
    let private = cosign::encrypt(&key, password.as_bytes());
    let public = cosign::public_key_pem(&VerifyingKey::from(&key));
    write_private(&key_path, private.as_bytes())?;
    xtask_inputs::fsutil::write_atomic(&pub_path, public.as_bytes())?;
    println!(
        "wrote {} (encrypted with COSIGN_PASSWORD, mode 0600) and {}",
        key_path.display(),
        pub_path.display()
    );
    println!(
        "CI: store the key as the secret COSIGN_KEY_B64 (base64 -w0 {}) and the password as COSIGN_PASSWORD;",
        source::KEY_FILE
    );
    println!(
        "commit {} so anyone can verify, and keep {} out of the repository.",
        source::PUBLIC_KEY_FILE,
        source::KEY_FILE
    );
    Ok(())
}

/// Writes with mode 0600 from the start, replacing any old file.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("key.tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}
