//! cosign-compatible keys and blob signatures on RustCrypto: encrypted private keys
//! (`ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY`: scrypt + nacl/secretbox over PKCS#8 P-256),
//! `cosign.pub` (SPKI PEM) and blob signatures (base64 of DER ECDSA P-256 over SHA-256), as
//! `cosign generate-key-pair`, `cosign sign-blob` and `cosign verify-blob` use them. The
//! engine (`xtask`) and the daemon (`cave-daemon`) both sign with it.

mod key;
pub mod pem;

pub use key::{COSIGN_LABEL, KeyError, SIGSTORE_LABEL, decrypt, encrypt, generate};
pub use key::{public_key_pem, read_public_key};
pub use p256::ecdsa::{SigningKey, VerifyingKey};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, Signature};

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

#[cfg(test)]
mod tests {
    #[test]
    fn a_signature_verifies_and_a_changed_blob_does_not() {
        let key = super::generate();
        let public = super::VerifyingKey::from(&key);
        let signature = super::sign_blob(&key, b"blob");
        assert_eq!(
            super::verify_blob(&public, b"blob", signature.as_bytes()),
            Ok(())
        );
        assert_eq!(
            super::verify_blob(&public, b"blob!", signature.as_bytes()),
            Err("the signature does not match the file and the public key".to_string())
        );
        let pem = super::public_key_pem(&public);
        assert_eq!(super::read_public_key(&pem), Ok(public));
    }
}
