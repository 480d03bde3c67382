//! DSSE envelopes (in-toto attestations): the signature covers the pre-authentication
//! encoding `DSSEv1 <len(type)> <type> <len(body)> <body>`, not the payload alone.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    /// base64 of the payload.
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    pub keyid: String,
    pub sig: String,
}

pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

pub fn sign_envelope(key: &SigningKey, payload_type: &str, payload: &[u8]) -> Envelope {
    let sig = super::sign_blob(key, &pae(payload_type, payload));
    Envelope {
        payload_type: payload_type.to_owned(),
        payload: STANDARD.encode(payload),
        signatures: vec![EnvelopeSignature {
            keyid: String::new(),
            sig,
        }],
    }
}

/// The payload, if one of the envelope's signatures verifies with `key`.
pub fn verify_envelope(key: &VerifyingKey, envelope: &Envelope) -> Result<Vec<u8>, String> {
    let payload = STANDARD
        .decode(&envelope.payload)
        .map_err(|_| "the payload is not base64".to_string())?;
    let pae = pae(&envelope.payload_type, &payload);
    if envelope
        .signatures
        .iter()
        .any(|s| super::verify_blob(key, &pae, s.sig.as_bytes()).is_ok())
    {
        Ok(payload)
    } else {
        Err("no signature of the envelope verifies with the public key".into())
    }
}
