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

fn with(field: &str, value: &str) -> String {
    let mut body: serde_json::Value = serde_json::from_str(
        r#"{"key_id":"k","key_class":"namespace","namespace":"ns","version":1,"rotated_at":"2026-11-28T09:30:00Z","owner":"o"}"#,
    )
    .unwrap();
    body[field] = serde_json::from_str(value).unwrap();
    body.to_string()
}

/// `rotated_at` is an RFC 3339 `date-time`, exactly: every valid form is accepted, a time
/// without a zone is not.
#[test]
fn rotated_at_is_rfc3339_date_time() {
    let parse =
        |t: &str| cave_daemon::webhook::parse(with("rotated_at", &format!("\"{t}\"")).as_bytes());
    for valid in [
        "2026-11-28T09:30:00Z",
        "2026-11-28T09:30:00+02:00",
        "2026-11-28T09:30:00-00:00",
        "2026-11-28t09:30:00z",
        "1969-07-20T20:17:40Z",
        "2026-11-28T09:30:00.123456Z",
    ] {
        assert!(parse(valid).is_ok(), "{valid}: {:?}", parse(valid).err());
    }
    for invalid in [
        "2026-11-28T09:30:00",
        "2026-11-28 09:30",
        "2026-02-30T00:00:00Z",
        "yesterday",
    ] {
        let err = parse(invalid)
            .err()
            .unwrap_or_else(|| panic!("{invalid} accepted"));
        assert!(
            err.starts_with("`rotated_at` is not an RFC 3339 date-time"),
            "{err}"
        );
    }
}

/// `version` is an int64 of at least 1, read as JSON Schema reads integers.
#[test]
fn version_is_an_int64_integer() {
    let parse = |v: &str| cave_daemon::webhook::parse(with("version", v).as_bytes());
    assert_eq!(parse("4").unwrap().version, 4);
    assert_eq!(parse("4.0").unwrap().version, 4);
    assert_eq!(
        parse("9223372036854775807").unwrap().version,
        i64::MAX as u64
    );
    for bad in ["9223372036854775808", "4.5", "-1", "\"4\""] {
        assert!(parse(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(parse("0").err().unwrap(), "`version` starts at 1");
}
