//! cosign signatures as the engine uses them: keys and blob signatures from the shared
//! `cosign-key` crate, plus DSSE envelopes and Sigstore bundles — what `cosign sign-blob`,
//! `cosign verify-blob` and `cosign verify-blob-attestation` use.

mod bundle;
mod dsse;
pub mod source;

pub use bundle::{
    MEDIA_TYPE as BUNDLE_MEDIA_TYPE, Verified, dsse_bundle, key_hint, message_bundle, verify_bundle,
};
pub use cosign_key::{
    KeyError, decode_signature, decrypt, encrypt, generate, public_key_pem, read_public_key,
    sign_blob, verify_blob,
};
pub use dsse::{Envelope, pae, sign_envelope, verify_envelope};
