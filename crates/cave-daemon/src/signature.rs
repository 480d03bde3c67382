//! The webhook's signature: `X-BKG-Signature: sha256=<hex>` over `timestamp + "." + body`
//! with HMAC-SHA256 under the shared secret, and `X-BKG-Timestamp` within five minutes.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const TIMESTAMP_HEADER: &str = "x-bkg-timestamp";
pub const SIGNATURE_HEADER: &str = "x-bkg-signature";
/// How far the sender's clock may be from ours.
pub const MAX_SKEW_SECS: u64 = 300;

/// Why a delivery's signature is not accepted; each is a 401 and a metrics reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    MissingSignature,
    MalformedSignature,
    BadSignature,
    MissingTimestamp,
    StaleTimestamp,
}

impl Rejection {
    pub fn reason(self) -> &'static str {
        match self {
            Rejection::MissingSignature => "missing-signature",
            Rejection::MalformedSignature => "malformed-signature",
            Rejection::BadSignature => "bad-signature",
            Rejection::MissingTimestamp => "missing-timestamp",
            Rejection::StaleTimestamp => "stale-timestamp",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Rejection::MissingSignature => "the X-BKG-Signature header is missing",
            Rejection::MalformedSignature => "X-BKG-Signature must be `sha256=` and 64 hex digits",
            Rejection::BadSignature => "the signature does not match the body and timestamp",
            Rejection::MissingTimestamp => {
                "the X-BKG-Timestamp header is missing or not a Unix time"
            }
            Rejection::StaleTimestamp => {
                "X-BKG-Timestamp is more than 5 minutes from the server's clock"
            }
        }
    }
}

/// `sha256=<hex>` for `timestamp.body` under `secret` (what a sender puts in the header).
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex(&mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Checks both headers; `now` is the server's Unix time. The comparison of the tags is
/// constant-time (`Mac::verify_slice`).
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: u64,
) -> Result<(), Rejection> {
    let signature = signature.ok_or(Rejection::MissingSignature)?;
    let tag = signature
        .strip_prefix("sha256=")
        .filter(|h| h.len() == 64)
        .and_then(unhex)
        .ok_or(Rejection::MalformedSignature)?;
    let timestamp = timestamp.ok_or(Rejection::MissingTimestamp)?;
    let sent: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Rejection::MissingTimestamp)?;
    if sent.abs_diff(now) > MAX_SKEW_SECS {
        return Err(Rejection::StaleTimestamp);
    }
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| Rejection::BadSignature)
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

pub fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    base16ct::mixed::decode_vec(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independent_hmac() {
        // python3: hmac.new(b"Jefe", b'1700000000.{"key_id":"k1"}', hashlib.sha256).hexdigest()
        assert_eq!(
            sign(b"Jefe", "1700000000", br#"{"key_id":"k1"}"#),
            "sha256=31a65090a43e7339f075e6e3d9fa782494f64bc366408b1001e842e483e7e240"
        );
    }

    #[test]
    fn verifies_and_rejects() {
        let sig = sign(b"k", "1000", b"{}");
        assert_eq!(verify(b"k", Some("1000"), Some(&sig), b"{}", 1100), Ok(()));
        assert_eq!(
            verify(b"k", Some("1000"), Some(&sig), b"{ }", 1100),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(b"other", Some("1000"), Some(&sig), b"{}", 1100),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(b"k", Some("1000"), Some(&sig), b"{}", 1301),
            Err(Rejection::StaleTimestamp)
        );
        assert_eq!(
            verify(b"k", Some("1000"), None, b"{}", 1000),
            Err(Rejection::MissingSignature)
        );
        assert_eq!(
            verify(b"k", Some("1000"), Some("sha256=zz"), b"{}", 1000),
            Err(Rejection::MalformedSignature)
        );
        assert_eq!(
            verify(b"k", None, Some(&sig), b"{}", 1000),
            Err(Rejection::MissingTimestamp)
        );
    }
}
