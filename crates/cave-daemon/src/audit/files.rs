//! `cave-daemon audit verify` and `audit repair`: the operator's commands on a log file.

use super::{lock::lock, verify};
use anyhow::{Context as _, bail};
use std::path::Path;

/// `cave-daemon audit verify <file> [--key cosign.pub] [--allow-unsigned-tail]`: Ok with a
/// one-line report, or the first broken line. With a key, every checkpoint's signature is
/// checked and entries after the last checkpoint are an error unless allowed (a running
/// daemon's newest entries wait for its next checkpoint).
pub fn verify_file(
    path: &Path,
    key: Option<&Path>,
    allow_unsigned_tail: bool,
) -> anyhow::Result<String> {
    let public = key
        .map(|key| {
            let pem = std::fs::read_to_string(key)
                .with_context(|| format!("cannot read the public key {}", key.display()))?;
            cosign_key::read_public_key(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))
        })
        .transpose()?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v = verify(&text, public.as_ref())
        .map_err(|b| anyhow::anyhow!("{}: line {}: {}", path.display(), b.line, b.problem))?;
    let mut report = format!(
        "{}: {} entries, chain intact, last hash {}",
        path.display(),
        v.entries,
        v.last_hash
    );
    if public.is_none() {
        if v.checkpoints > 0 {
            report.push_str(&format!(
                "; {} checkpoint signatures not checked (--key cosign.pub checks them)",
                v.checkpoints
            ));
        }
        return Ok(report);
    }
    let unsigned = v.unsigned();
    let first = v.entries - unsigned + 1;
    let tail = if unsigned == 1 {
        format!("line {first}")
    } else {
        format!("lines {first}–{}", v.entries)
    };
    match &v.last_checkpoint {
        Some((line, time)) => report.push_str(&format!(
            "; signed up to line {line} ({time}, {} checkpoints)",
            v.checkpoints
        )),
        None if v.entries == 0 => return Ok(report),
        None => {}
    }
    if unsigned > 0 {
        let last = match &v.last_checkpoint {
            Some((line, _)) => format!("the last is line {line}"),
            None => "there is none".to_string(),
        };
        if !allow_unsigned_tail {
            bail!(
                "{}: {tail}: not covered by a signed checkpoint ({last}): entries appended \
                 without the key, or a log cut short after them; a running daemon signs its \
                 newest entries at its next checkpoint (--allow-unsigned-tail accepts them)",
                path.display()
            );
        }
        report.push_str(&format!("; {tail} not signed yet"));
    }
    Ok(report)
}

/// `cave-daemon audit repair <file>`: removes a torn last line (a write cut short by a
/// crash) and nothing else; any other damage is an error naming the line.
pub fn repair(path: &Path) -> anyhow::Result<String> {
    let _lock = lock(path)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let refuse = |b: super::Broken| -> anyhow::Error {
        anyhow::anyhow!(
            "{}: line {}: {}; only a torn last line can be repaired",
            path.display(),
            b.line,
            b.problem
        )
    };
    if text.is_empty() || text.ends_with('\n') {
        let v = verify(&text, None).map_err(refuse)?;
        return Ok(format!(
            "{}: nothing to repair ({} entries, chain intact)",
            path.display(),
            v.entries
        ));
    }
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    verify(&text[..keep], None).map_err(refuse)?;
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.set_len(keep as u64)?;
    file.sync_all()?;
    Ok(format!(
        "{}: removed a torn last line of {} bytes; {} entries remain, chain intact",
        path.display(),
        text.len() - keep,
        text[..keep].lines().count()
    ))
}
