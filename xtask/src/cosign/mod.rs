//! cosign-compatible keys and signatures, built on RustCrypto: encrypted private keys
//! (`ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY`: scrypt + nacl/secretbox over PKCS#8 P-256),
//! blob signatures (base64 of DER ECDSA P-256 over SHA-256), DSSE envelopes and Sigstore
//! bundles — what `cosign sign-blob`, `cosign verify-blob` and `cosign verify-blob-attestation` use.

mod bundle;
mod dsse;
mod key;
mod pem;
pub mod source;

pub use bundle::{
    MEDIA_TYPE as BUNDLE_MEDIA_TYPE, Verified, dsse_bundle, key_hint, message_bundle, verify_bundle,
};
pub use dsse::{Envelope, pae, sign_envelope, verify_envelope};
pub use key::{KeyError, decrypt, encrypt, generate, public_key_pem, read_public_key};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};

/// `cosign sign-blob`: base64 of the DER ECDSA P-256 signature over SHA-256 of `blob`.
pub fn sign_blob(key: &SigningKey, blob: &[u8]) -> String {
    let signature: Signature = key.sign(blob);
    STANDARD.encode(signature.to_der().as_bytes())
}

/// `cosign verify-blob`: checks a base64 (or raw DER) signature over `blob`. High-S
/// signatures are accepted, as cosign (Go) produces them.
pub fn verify_blob(key: &VerifyingKey, blob: &[u8], signature: &[u8]) -> Result<(), String> {
    let der = decode_signature(signature)?;
    key.verify(blob, &der)
        .map_err(|_| "the signature does not match the file and the public key".to_string())
}

/// A signature file's content: base64 text (what cosign writes) or raw DER.
pub fn decode_signature(bytes: &[u8]) -> Result<DerSignature, String> {
    let text = String::from_utf8_lossy(bytes);
    let der = match STANDARD.decode(text.trim()) {
        Ok(der) => der,
        Err(_) => bytes.to_vec(),
    };
    DerSignature::try_from(der.as_slice())
        .map_err(|_| "not an ECDSA signature (base64 of DER)".to_string())
}
