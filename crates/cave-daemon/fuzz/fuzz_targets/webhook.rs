//! The key-rotation webhook's untrusted input: the two signature headers and the body. An
//! input is `timestamp \n signature \n body`. Verification and parsing never panic; only a
//! signature made with the secret is accepted, and signing what is accepted agrees.
#![no_main]

use cave_daemon::signature::{self, MAX_SKEW_SECS};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz-secret";
const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let timestamp = parts.next().map(String::from_utf8_lossy);
    let header = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();
    let _ = cave_daemon::webhook::parse(body);
    let verdict = signature::verify(SECRET, timestamp.as_deref(), header.as_deref(), body, NOW);
    if verdict.is_ok() {
        // Accepted means: the header is the HMAC of exactly this timestamp and body.
        let ts = timestamp.as_deref().unwrap_or_default();
        let header = header.as_deref().unwrap_or_default().to_ascii_lowercase();
        assert_eq!(header, signature::sign(SECRET, ts, body));
    }
    // The genuine signature of the same input is accepted when the time is fresh.
    let fresh = NOW.to_string();
    let genuine = signature::sign(SECRET, &fresh, body);
    assert_eq!(signature::verify(SECRET, Some(&fresh), Some(&genuine), body, NOW + MAX_SKEW_SECS), Ok(()));
});
