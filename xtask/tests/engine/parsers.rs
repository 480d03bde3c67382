//! The fuzz targets' invariants (`fuzz/`, run with cargo-fuzz on nightly) as bounded property
//! tests on stable: thousands of deterministic mutations of real inputs through every parser
//! the engine points at user files — policies, the secrets scan, OpenAPI documents, cosign
//! keys, signatures and envelopes. None may panic; each answers with a value or positioned
//! diagnostics, and a document compared with itself has no findings.

use crate::mutate::mutations;
use crate::support::REPO;
use p256::ecdsa::SigningKey;
use xtask::apicompat::{self, doc::Doc};
use xtask::cosign;
use xtask::diagnostic::SourceFile;
use xtask::policy::secrets::Secrets;
use xtask::policy::{Policies, RULES};
use xtask::style::Style;

fn repo_file(rel: &str) -> Option<String> {
    std::fs::read_to_string(std::path::Path::new(REPO).join("..").join(rel)).ok()
}

/// The repository's policies with `rel` replaced by `text`.
fn read_policies_with(
    rel: &str,
    text: &str,
) -> Result<Policies, Vec<xtask::diagnostic::Diagnostic>> {
    let source = |file: &str| {
        Ok(if file == rel {
            Some(text.to_owned())
        } else {
            repo_file(file)
        })
    };
    Policies::read(&source).expect("reading from memory cannot fail")
}

#[test]
fn mutated_policy_files_load_or_give_positioned_diagnostics() {
    for rel in RULES.iter().flat_map(|r| r.files.iter().copied()) {
        let seed = repo_file(rel).unwrap_or_else(|| panic!("{rel} is in the repository"));
        assert!(
            read_policies_with(rel, &seed).is_ok(),
            "{rel} as committed is valid"
        );
        for text in mutations(&[seed], 300, 0xB01C_0000 ^ rel.len() as u64) {
            if let Err(diags) = read_policies_with(rel, &text) {
                assert!(!diags.is_empty());
                for diag in diags {
                    let rendered = diag.render(Style::plain());
                    assert!(diag.file.starts_with("policies/"), "{rendered}");
                    assert!(
                        diag.span
                            .is_none_or(|s| s.start.line >= 1 && s.start.col >= 1),
                        "{rendered}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_secrets_scan_ends_on_mutated_files_and_points_into_them() {
    let policies = read_policies_with("", "").expect("the repository's policies are valid");
    let secrets: &Secrets = policies.get().expect("a secrets policy");
    let seeds: Vec<String> = [
        "config/dev.env",
        "config/production.env",
        "pipelines/ci.yaml",
        "Cargo.toml",
        ".ci/run",
    ]
    .iter()
    .map(|rel| repo_file(rel).expect(rel))
    // Assembled here so the repository's own secrets scan does not find it in this file.
    .chain([format!(
        "BKG_API_KEY=hunter2\npostgres://u:{}@h/db\n-----BEGIN {} KEY-----\n",
        "pw", "PRIVATE"
    )])
    .collect();
    let names = [
        "config/x.env",
        "a.yaml",
        "b.toml",
        "c.json",
        "d.sh",
        "cosign.key",
    ];
    for (i, text) in mutations(&seeds, 3000, 0x05EC_2E75).into_iter().enumerate() {
        let src = SourceFile::new(names[i % names.len()], text.as_str());
        let lines = text.lines().count().max(1);
        for finding in secrets.scan(&src) {
            let span = finding.diag.span.expect("scan findings have a position");
            assert!((1..=lines).contains(&span.start.line), "{finding:?}");
            assert!(!finding.diag.message.contains("hunter2"), "{finding:?}");
        }
    }
}

#[test]
fn a_mutated_openapi_document_compared_with_itself_has_no_findings() {
    let seed = std::fs::read_to_string(
        std::path::Path::new(REPO).join("tests/data/api-compat/openapi.yaml"),
    )
    .unwrap();
    let mut compared = 0;
    for text in mutations(std::slice::from_ref(&seed), 1500, 0x000A_9100) {
        let parse = || Doc::parse("openapi.yaml", text.clone());
        let (Ok(a), Ok(b)) = (parse(), parse()) else {
            continue;
        };
        match apicompat::compare(&a, &b) {
            Ok(findings) => {
                compared += 1;
                assert!(
                    findings.is_empty(),
                    "differs from itself: {findings:?}\n{text}"
                );
            }
            Err(diags) => diags.iter().for_each(|d| drop(d.render(Style::plain()))),
        }
        let base = Doc::parse("openapi.yaml", seed.clone()).unwrap();
        let _ = apicompat::compare(&base, &a);
    }
    assert!(
        compared > 100,
        "only {compared} mutations were comparable documents"
    );
}

#[test]
fn cosign_readers_refuse_mutated_keys_signatures_and_envelopes_without_panicking() {
    let data = std::path::Path::new(REPO).join("tests/data/cosign");
    let read = |rel: &str| std::fs::read_to_string(data.join(rel)).unwrap();
    for text in mutations(&[read("goreleaser/cosign.key")], 150, 0x0C05_0001) {
        let _ = cosign::decrypt(&text, b"");
    }
    for text in mutations(&[read("goreleaser/cosign.pub")], 1000, 0x0C05_0002) {
        let _ = cosign::read_public_key(&text);
    }
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let public = *key.verifying_key();
    let signed = cosign::sign_blob(&key, b"blob");
    for text in mutations(std::slice::from_ref(&signed), 1000, 0x0C05_0003) {
        let verdict = cosign::verify_blob(&public, b"blob", text.as_bytes());
        let der = |t: &str| cosign::decode_signature(t.as_bytes()).map(|d| d.as_bytes().to_vec());
        assert_eq!(
            verdict.is_ok(),
            der(&text).ok() == der(&signed).ok(),
            "{text}"
        );
    }
    let envelope = serde_json::to_string(&cosign::sign_envelope(
        &key,
        "application/vnd.in-toto+json",
        b"{}",
    ))
    .unwrap();
    let seeds = [
        envelope.clone(),
        read("sig-dsse-attest-blob-cosign/blobSLSAProvenanceSignature.dsse.json"),
    ];
    for text in mutations(&seeds, 1500, 0x0C05_0004) {
        if let Ok(parsed) = serde_json::from_str::<cosign::Envelope>(&text) {
            let _ = cosign::verify_envelope(&public, &parsed);
        }
    }
}
