//! Minimal PEM framing: cosign keys carry JSON, not DER, so the standard PEM decoders of the
//! key crates do not apply.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The label and decoded body of the first PEM block in `text`: `None` without a block,
/// `Err` (with what is wrong) for a damaged one.
pub fn decode(text: &str) -> Option<Result<(String, Vec<u8>), &'static str>> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let Some(label_end) = rest.find("-----") else {
        return Some(Err("the BEGIN line is not closed"));
    };
    let label = rest[..label_end].to_owned();
    let body_start = label_end + 5;
    let end_marker = format!("-----END {label}-----");
    let Some(body_end) = rest.find(&end_marker) else {
        return Some(Err("the END line is missing"));
    };
    let body: String = rest[body_start..body_end].split_whitespace().collect();
    Some(
        STANDARD
            .decode(body)
            .map(|bytes| (label, bytes))
            .map_err(|_| "its body is not base64"),
    )
}

/// A PEM block with 64-character lines, as cosign writes them.
pub fn encode(label: &str, bytes: &[u8]) -> String {
    let body = STANDARD.encode(bytes);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        let text = super::encode("TEST THING", &[7u8; 100]);
        assert_eq!(
            super::decode(&text),
            Some(Ok(("TEST THING".to_string(), vec![7u8; 100])))
        );
        assert_eq!(super::decode("no pem here"), None);
        assert_eq!(
            super::decode(&text[..text.len() - 10]),
            Some(Err("the END line is missing"))
        );
    }
}
