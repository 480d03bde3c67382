//! cosign compatibility against real cosign test vectors (tests/data/cosign, see ORIGIN.md):
//! every positive key decrypts to the key the vectors derived, the negatives are refused with
//! a clear error, every real signature verifies, and openssl verifies what we sign.

use crate::support::{base64_decode, openssl_verify};
use p256::ecdsa::VerifyingKey;
use p256::pkcs8::EncodePrivateKey;
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::cosign::{self, KeyError};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cosign")
        .join(rel)
}

fn text(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap()
}

/// (key file, password) of every key whose password is known.
const KEYS: [(&str, &str); 6] = [
    ("goreleaser/cosign", "password"),
    ("sigstore-rs/cosign_generated_encrypted_empty_private", ""),
    ("cosign-repo/keys_test.pemsigstorekey", "hello"),
    ("cosign-repo/keys_test.pemcosignkey", "hello"),
    ("sigstore-rs/ecdsa_encrypted_private", "123"),
    (
        "sigstore-rs/ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM",
        "password",
    ),
];

#[test]
fn every_positive_key_decrypts_to_the_expected_key() {
    for (key, password) in KEYS {
        let signing = cosign::decrypt(&text(&format!("{key}.key")), password.as_bytes())
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let der = signing.to_pkcs8_der().unwrap();
        assert_eq!(
            der.as_bytes(),
            std::fs::read(data(&format!("{key}.decrypted.pkcs8.der"))).unwrap(),
            "{key}"
        );
        let expected_pub = if key == "goreleaser/cosign" {
            text("goreleaser/cosign.pub")
        } else {
            text(&format!("{key}.derived.pub"))
        };
        let expected = cosign::read_public_key(&expected_pub).unwrap();
        assert_eq!(VerifyingKey::from(&signing), expected, "{key}");
    }
}

#[test]
fn negatives_are_refused_with_clear_errors() {
    assert_eq!(
        cosign::decrypt(&text("cosign-repo/keys_test.pemcosigneckey.key"), b"hello").unwrap_err(),
        KeyError::NotPkcs8
    );
    assert_eq!(
        cosign::decrypt(&text("goreleaser/cosign.key"), b"wrong").unwrap_err(),
        KeyError::WrongPassword
    );
    assert_eq!(
        cosign::decrypt(&text("cosign-repo/workflows-cosign-test.key"), b"").unwrap_err(),
        KeyError::WrongPassword
    );
    assert_eq!(
        cosign::decrypt(&text("goreleaser/cosign.pub"), b"").unwrap_err(),
        KeyError::WrongLabel("PUBLIC KEY".into())
    );
    let key = text("goreleaser/cosign.key");
    let truncated = format!(
        "{}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n",
        &key[..key.len() / 2]
    );
    assert!(matches!(
        cosign::decrypt(&truncated, b"password").unwrap_err(),
        KeyError::Malformed(_)
    ));
    assert_eq!(
        cosign::decrypt("garbage", b"").unwrap_err(),
        KeyError::NotPem
    );
    assert_eq!(
        KeyError::WrongPassword.to_string(),
        "the password does not decrypt the key (check COSIGN_PASSWORD)"
    );
}

#[test]
fn real_cosign_signatures_verify_high_s_included() {
    let simple =
        cosign::read_public_key(&text("sig-simplesigning-sigstore-rs/cosign.pub")).unwrap();
    let payload = std::fs::read(data("sig-simplesigning-sigstore-rs/payload.json")).unwrap();
    let sig = std::fs::read(data("sig-simplesigning-sigstore-rs/payload.json.sig")).unwrap();
    assert_eq!(cosign::verify_blob(&simple, &payload, &sig), Ok(()));
    let mut tampered = payload.clone();
    tampered.push(b'x');
    assert!(cosign::verify_blob(&simple, &tampered, &sig).is_err());

    let dsse_key =
        cosign::read_public_key(&text("sig-dsse-attest-blob-cosign/cosign.pub")).unwrap();
    for name in [
        "blobSLSAProvenanceSignature",
        "dssePredicateMultipleSubjects",
        "dssePredicateEmptySubject",
        "dssePredicateMissingSha256",
    ] {
        let envelope: cosign::Envelope = serde_json::from_str(&text(&format!(
            "sig-dsse-attest-blob-cosign/{name}.dsse.json"
        )))
        .unwrap();
        let statement =
            cosign::verify_envelope(&dsse_key, &envelope).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            cosign::pae(&envelope.payload_type, &statement),
            std::fs::read(data(&format!("sig-dsse-attest-blob-cosign/{name}.pae.bin"))).unwrap()
        );
    }

    // hashedrekord: the signature is over the blob's SHA-256; verify the prehash.
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    for name in ["compare-sigs", "verify-bundle-tlog"] {
        let key =
            cosign::read_public_key(&text(&format!("sig-hashedrekord-cosign/{name}.pub"))).unwrap();
        let digest =
            std::fs::read(data(&format!("sig-hashedrekord-cosign/{name}.sha256.bin"))).unwrap();
        let sig = cosign::decode_signature(
            &std::fs::read(data(&format!("sig-hashedrekord-cosign/{name}.sig"))).unwrap(),
        )
        .unwrap();
        key.verify_prehash(&digest, &sig)
            .unwrap_or_else(|_| panic!("{name}"));
    }
}

#[test]
fn openssl_verifies_our_signatures_and_dsse() {
    let dir = tempfile::tempdir().unwrap();
    let key = cosign::decrypt(&text("goreleaser/cosign.key"), b"password").unwrap();
    let blob = b"an artifact\n";
    let sig = cosign::sign_blob(&key, blob);
    std::fs::write(dir.path().join("blob"), blob).unwrap();
    std::fs::write(dir.path().join("blob.sig.der"), base64_decode(&sig)).unwrap();
    assert!(openssl_verify(
        &data("goreleaser/cosign.pub"),
        &dir.path().join("blob.sig.der"),
        &dir.path().join("blob")
    ));
    std::fs::write(dir.path().join("blob"), b"changed\n").unwrap();
    assert!(!openssl_verify(
        &data("goreleaser/cosign.pub"),
        &dir.path().join("blob.sig.der"),
        &dir.path().join("blob")
    ));

    let envelope =
        cosign::sign_envelope(&key, "application/vnd.in-toto+json", b"{\"_type\":\"x\"}");
    std::fs::write(
        dir.path().join("pae"),
        cosign::pae(&envelope.payload_type, b"{\"_type\":\"x\"}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pae.sig.der"),
        base64_decode(&envelope.signatures[0].sig),
    )
    .unwrap();
    assert!(openssl_verify(
        &data("goreleaser/cosign.pub"),
        &dir.path().join("pae.sig.der"),
        &dir.path().join("pae")
    ));
}

#[test]
fn generated_keys_round_trip_through_their_encrypted_form() {
    let key = cosign::generate();
    let pem = cosign::encrypt(&key, b"s3cret");
    assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let back = cosign::decrypt(&pem, b"s3cret").unwrap();
    assert_eq!(back.to_bytes(), key.to_bytes());
    assert_eq!(
        cosign::decrypt(&pem, b"other").unwrap_err(),
        KeyError::WrongPassword
    );
    // openssl reads the public key we write.
    let dir = tempfile::tempdir().unwrap();
    let pub_path = dir.path().join("cosign.pub");
    std::fs::write(&pub_path, cosign::public_key_pem(&VerifyingKey::from(&key))).unwrap();
    let out = Command::new("openssl")
        .args(["pkey", "-pubin", "-noout", "-in"])
        .arg(&pub_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
