//! Signed checkpoints: a chained line (`"event":"checkpoint"`) whose `signature` is a cosign
//! blob signature over a fixed text naming its own `seq`, `prev` (the hash of the line
//! before it, which covers every earlier line through the chain) and `time`. Anyone with
//! `cosign.pub` can check one: rebuild the text and run `cosign verify-blob` (or openssl).

use cosign_key::{SigningKey, VerifyingKey};
use serde::Serialize;

/// The `event` of a checkpoint line.
pub const EVENT: &str = "checkpoint";

/// The body of a checkpoint line after `seq` and `prev`.
#[derive(Serialize)]
pub struct Checkpoint<'a> {
    pub time: &'a str,
    pub event: &'static str,
    pub signature: String,
}

/// The exact bytes a checkpoint signs.
pub fn payload(seq: u64, prev: &str, time: &str) -> String {
    format!("cave-audit-checkpoint/v1\nseq {seq}\nprev {prev}\ntime {time}\n")
}

pub fn sign<'a>(key: &SigningKey, seq: u64, prev: &str, time: &'a str) -> Checkpoint<'a> {
    Checkpoint {
        time,
        event: EVENT,
        signature: cosign_key::sign_blob(key, payload(seq, prev, time).as_bytes()),
    }
}

/// Checks a checkpoint line's signature; the error says what is wrong.
pub fn check(
    key: &VerifyingKey,
    seq: u64,
    prev: &str,
    line: &serde_json::Value,
) -> Result<(), String> {
    let field = |name: &str| line.get(name).and_then(serde_json::Value::as_str);
    let (Some(time), Some(signature)) = (field("time"), field("signature")) else {
        return Err("a checkpoint without a `time` or `signature`".into());
    };
    cosign_key::verify_blob(
        key,
        payload(seq, prev, time).as_bytes(),
        signature.as_bytes(),
    )
    .map_err(|_| {
        "its checkpoint signature does not verify with the key: this line or one before it \
             was changed and the chain rebuilt, or it was signed with another key"
            .into()
    })
}
