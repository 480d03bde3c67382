//! The webhook's untrusted input as the fuzz target (`fuzz/`) sees it, as a bounded property
//! test on stable: mutated timestamps, signature headers and bodies never panic the
//! verifier or the body parser, and only the exact HMAC of timestamp and body is accepted.

use cave_daemon::signature::{self, Rejection};

const SECRET: &[u8] = b"property-secret";
const NOW: u64 = 1_800_000_000;

/// xorshift64*: reproducible pseudo-random numbers without a dependency.
fn rng(state: &mut u64) -> usize {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize
}

fn mutate(text: &str, state: &mut u64) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefABCDEF=:. \n\"{}[],\\xyz-";
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng(state) % 3 {
        let at = rng(state) % (bytes.len() + 1);
        match rng(state) % 4 {
            0 if at < bytes.len() => bytes[at] = ALPHABET[rng(state) % ALPHABET.len()],
            1 => bytes.insert(at, ALPHABET[rng(state) % ALPHABET.len()]),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn only_the_exact_signature_of_timestamp_and_body_is_accepted() {
    let body = r#"{"key_id":"k-1","namespace":"ns","owner":"o","version":2,"rotated_at":"2026-11-30T10:00:00Z"}"#;
    let ts = NOW.to_string();
    let genuine = signature::sign(SECRET, &ts, body.as_bytes());
    assert_eq!(
        signature::verify(SECRET, Some(&ts), Some(&genuine), body.as_bytes(), NOW),
        Ok(())
    );
    let mut state = 0x5157_u64;
    for round in 0..20_000 {
        let (t, s, b) = match round % 3 {
            0 => (mutate(&ts, &mut state), genuine.clone(), body.to_owned()),
            1 => (ts.clone(), mutate(&genuine, &mut state), body.to_owned()),
            _ => (ts.clone(), genuine.clone(), mutate(body, &mut state)),
        };
        let _ = cave_daemon::webhook::parse(b.as_bytes());
        let verdict = signature::verify(SECRET, Some(&t), Some(&s), b.as_bytes(), NOW);
        let exact = s.to_ascii_lowercase() == signature::sign(SECRET, &t, b.as_bytes());
        let fresh = t
            .trim()
            .parse::<u64>()
            .is_ok_and(|sent| sent.abs_diff(NOW) <= signature::MAX_SKEW_SECS);
        assert_eq!(
            verdict.is_ok(),
            exact && fresh,
            "{t:?} {s:?} {b:?}: {verdict:?}"
        );
    }
    assert_eq!(
        signature::verify(SECRET, None, Some(&genuine), body.as_bytes(), NOW),
        Err(Rejection::MissingTimestamp)
    );
}

/// The schema's `maxLength: 128` counts characters, as JSON Schema does, not UTF-8 bytes.
#[test]
fn lengths_are_counted_in_characters() {
    let body = |owner: &str| {
        format!(
            r#"{{"key_id":"k","key_class":"namespace","namespace":"ns","version":1,"rotated_at":"2026-11-28T09:30:00Z","owner":"{owner}"}}"#
        )
    };
    assert!(cave_daemon::webhook::parse(body(&"é".repeat(128)).as_bytes()).is_ok());
    assert_eq!(
        cave_daemon::webhook::parse(body(&"é".repeat(129)).as_bytes())
            .err()
            .unwrap(),
        "`owner` must be 1 to 128 characters"
    );
}
