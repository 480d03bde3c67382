//! What the signing code reads from files: encrypted key PEMs, public keys, blob signatures
//! and DSSE envelopes. The first byte picks the reader; none may panic, and nothing verifies
//! under the fixed test key unless it was signed by it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p256::ecdsa::SigningKey;
use xtask::cosign;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let key = SigningKey::from_slice(&[7u8; 32]).expect("a valid scalar");
    let public = *key.verifying_key();
    let text = String::from_utf8_lossy(rest);
    match pick % 4 {
        0 => {
            let _ = cosign::decrypt(&text, b"");
        }
        1 => {
            let _ = cosign::read_public_key(&text);
        }
        2 => {
            let (blob, signature) = rest.split_at(rest.len() / 2);
            assert!(cosign::verify_blob(&public, blob, signature).is_err(), "forged signature");
        }
        _ => {
            if let Ok(envelope) = serde_json::from_slice::<cosign::Envelope>(rest) {
                assert!(cosign::verify_envelope(&public, &envelope).is_err(), "forged envelope");
            }
        }
    }
});
