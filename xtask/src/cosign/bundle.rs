//! Sigstore bundles (v0.3, key-based, no transparency log): what cosign 3 writes with
//! `--key --bundle` and verifies with `--insecure-ignore-tlog`. A message signature over a
//! blob, or a DSSE envelope for an attestation. Written with exactly the members below and
//! read strictly: verifiers take an unknown member for a bundle of another kind.

use super::{Envelope, verify_blob, verify_envelope};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::VerifyingKey;
use p256::pkcs8::EncodePublicKey as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Bundle {
    media_type: String,
    verification_material: Material,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_signature: Option<MessageSignature>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dsse_envelope: Option<BundleEnvelope>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Material {
    public_key: PublicKeyHint,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeyHint {
    hint: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MessageSignature {
    message_digest: MessageDigest,
    signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageDigest {
    algorithm: String,
    digest: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BundleEnvelope {
    payload: String,
    payload_type: String,
    signatures: Vec<BundleSignature>,
}

/// A DSSE signature in a bundle: no `keyid` (a non-empty one can make cosign skip it).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleSignature {
    #[serde(default, skip_serializing)]
    #[serde(rename = "keyid")]
    _keyid: Option<String>,
    sig: String,
}

/// What a verified bundle holds.
#[derive(Debug, PartialEq)]
pub enum Verified {
    /// A signature over the artifact; its sha256.
    Message { sha256: String },
    /// An attestation; its payload (an in-toto statement) and payload type.
    Attestation {
        payload: Vec<u8>,
        payload_type: String,
    },
}

/// The bundle's key hint: base64 of the sha256 of the public key's DER SubjectPublicKeyInfo.
pub fn key_hint(key: &VerifyingKey) -> String {
    let der = key
        .to_public_key_der()
        .expect("a P-256 key encodes as SPKI");
    STANDARD.encode(Sha256::digest(der.as_bytes()))
}

/// The bundle of a blob signature (`signature`: base64 DER, as in a `.sig` file).
pub fn message_bundle(key: &VerifyingKey, blob: &[u8], signature: &str) -> String {
    render(Bundle {
        media_type: MEDIA_TYPE.into(),
        verification_material: material(key),
        message_signature: Some(MessageSignature {
            message_digest: MessageDigest {
                algorithm: "SHA2_256".into(),
                digest: STANDARD.encode(Sha256::digest(blob)),
            },
            signature: signature.trim().to_owned(),
        }),
        dsse_envelope: None,
    })
}

/// The bundle of a signed DSSE envelope (its first signature).
pub fn dsse_bundle(key: &VerifyingKey, envelope: &Envelope) -> String {
    render(Bundle {
        media_type: MEDIA_TYPE.into(),
        verification_material: material(key),
        message_signature: None,
        dsse_envelope: Some(BundleEnvelope {
            payload: envelope.payload.clone(),
            payload_type: envelope.payload_type.clone(),
            signatures: envelope
                .signatures
                .iter()
                .take(1)
                .map(|s| BundleSignature {
                    _keyid: None,
                    sig: s.sig.clone(),
                })
                .collect(),
        }),
    })
}

/// Checks a bundle against `key`: the key hint, and the signature over `artifact` (message
/// signatures, whose digest must be the artifact's) or over the envelope (attestations).
pub fn verify_bundle(
    key: &VerifyingKey,
    text: &str,
    artifact: Option<&[u8]>,
) -> Result<Verified, String> {
    let bundle = parse(text)?;
    if bundle.verification_material.public_key.hint != key_hint(key) {
        return Err("its key hint names another public key".into());
    }
    match (bundle.message_signature, bundle.dsse_envelope) {
        (Some(message), None) => {
            let artifact = artifact.ok_or("a message signature needs the artifact it signs")?;
            if message.message_digest.algorithm != "SHA2_256" {
                return Err(format!(
                    "digest algorithm `{}` is not SHA2_256",
                    message.message_digest.algorithm
                ));
            }
            let digest = Sha256::digest(artifact);
            if message.message_digest.digest != STANDARD.encode(digest) {
                return Err("its message digest is not the artifact's sha256".into());
            }
            verify_blob(key, artifact, message.signature.as_bytes())?;
            Ok(Verified::Message {
                sha256: xtask_inputs::digest::hex(&digest),
            })
        }
        (None, Some(dsse)) => {
            if dsse.signatures.len() != 1 {
                return Err(format!(
                    "the envelope holds {} signatures, not exactly one",
                    dsse.signatures.len()
                ));
            }
            let envelope = Envelope {
                payload_type: dsse.payload_type.clone(),
                payload: dsse.payload,
                signatures: vec![super::dsse::EnvelopeSignature {
                    keyid: String::new(),
                    sig: dsse.signatures[0].sig.clone(),
                }],
            };
            let payload = verify_envelope(key, &envelope)?;
            Ok(Verified::Attestation {
                payload,
                payload_type: dsse.payload_type,
            })
        }
        _ => Err("a bundle holds either `messageSignature` or `dsseEnvelope`".into()),
    }
}

/// Reads a bundle of the one kind this verifier checks offline; others are refused whole.
fn parse(text: &str) -> Result<Bundle, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let media = value["mediaType"].as_str().unwrap_or_default();
    if media != MEDIA_TYPE {
        return Err(format!(
            "media type `{media}` is not {MEDIA_TYPE} (a Sigstore bundle v0.3)"
        ));
    }
    let material = &value["verificationMaterial"];
    for (member, what) in [
        ("certificate", "a signing certificate (keyless)"),
        ("x509CertificateChain", "a certificate chain (keyless)"),
        ("tlogEntries", "transparency-log entries"),
        ("timestampVerificationData", "signed timestamps"),
    ] {
        if material.get(member).is_some() {
            return Err(format!(
                "it holds {what}, which cannot be checked offline here; verify it with cosign verify-blob"
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("not a key-based Sigstore bundle: {e}"))
}

fn material(key: &VerifyingKey) -> Material {
    Material {
        public_key: PublicKeyHint {
            hint: key_hint(key),
        },
    }
}

fn render(bundle: Bundle) -> String {
    serde_json::to_string(&bundle).expect("plain data serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_slice(&[9u8; 32]).unwrap()
    }

    #[test]
    fn message_bundles_have_exactly_the_members_cosign_reads() {
        let key = key();
        let public = *key.verifying_key();
        let sig = super::super::sign_blob(&key, b"blob");
        let text = message_bundle(&public, b"blob", &sig);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys =
            |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&value),
            ["mediaType", "messageSignature", "verificationMaterial"]
        );
        assert_eq!(keys(&value["verificationMaterial"]), ["publicKey"]);
        assert_eq!(keys(&value["verificationMaterial"]["publicKey"]), ["hint"]);
        assert_eq!(
            keys(&value["messageSignature"]),
            ["messageDigest", "signature"]
        );
        assert_eq!(
            keys(&value["messageSignature"]["messageDigest"]),
            ["algorithm", "digest"]
        );
        assert_eq!(value["messageSignature"]["signature"], sig);
        assert_eq!(
            verify_bundle(&public, &text, Some(b"blob")),
            Ok(Verified::Message {
                sha256: xtask_inputs::digest::sha256(b"blob")
            })
        );
        assert_eq!(
            verify_bundle(&public, &text, Some(b"blob!")),
            Err("its message digest is not the artifact's sha256".into())
        );
        let other = *SigningKey::from_slice(&[8u8; 32]).unwrap().verifying_key();
        assert_eq!(
            verify_bundle(&other, &text, Some(b"blob")),
            Err("its key hint names another public key".into())
        );
    }

    #[test]
    fn dsse_bundles_carry_one_signature_without_a_keyid() {
        let key = key();
        let public = *key.verifying_key();
        let envelope = super::super::sign_envelope(&key, "application/vnd.in-toto+json", b"{}");
        let text = dsse_bundle(&public, &envelope);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let dsse = &value["dsseEnvelope"];
        assert_eq!(dsse["signatures"].as_array().unwrap().len(), 1);
        assert_eq!(
            dsse["signatures"][0]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["sig"]
        );
        assert!(value.get("messageSignature").is_none());
        assert!(
            matches!(verify_bundle(&public, &text, None), Ok(Verified::Attestation { payload, .. }) if payload == b"{}")
        );
    }

    #[test]
    fn other_kinds_and_unknown_members_are_refused() {
        let public = *key().verifying_key();
        let with = |extra: &str| {
            format!(
                r#"{{"mediaType":"{MEDIA_TYPE}","verificationMaterial":{{"publicKey":{{"hint":"x"}}{extra}}},"messageSignature":{{"messageDigest":{{"algorithm":"SHA2_256","digest":"x"}},"signature":"x"}}}}"#
            )
        };
        let err = verify_bundle(&public, &with(r#","tlogEntries":[]"#), None).unwrap_err();
        assert!(
            err.starts_with("it holds transparency-log entries"),
            "{err}"
        );
        let err = verify_bundle(&public, &with(r#","x509CertificateChain":{}"#), None).unwrap_err();
        assert!(err.starts_with("it holds a certificate chain"), "{err}");
        let err = verify_bundle(&public, &with(r#","extra":1"#), None).unwrap_err();
        assert!(
            err.starts_with("not a key-based Sigstore bundle: unknown field `extra`"),
            "{err}"
        );
        let err = verify_bundle(&public, r#"{"mediaType":"application/json"}"#, None).unwrap_err();
        assert!(
            err.starts_with("media type `application/json` is not"),
            "{err}"
        );
    }
}
