//! Supply chain end to end on temp workspaces: the real Syft (installed by the engine from
//! PyPI), signing that skips without a key and is required by policy on tags, every bad key
//! input, SLSA provenance with a DSSE envelope, and `verify` — checked with openssl too.

use crate::support::{REPO, Ws, base64_decode, openssl_verify, redact};
use std::path::Path;
use std::process::Command;

/// The repository's sign and slsa pipelines and supply-chain policy, an SBOM to sign, on
/// branch main with one commit.
fn signing_ws() -> Ws {
    let ws = Ws::new();
    for rel in [
        "pipelines/sign.yaml",
        "pipelines/slsa.yaml",
        "policies/supply-chain.yaml",
    ] {
        ws.copy_from_repo(rel);
    }
    for name in ["sbom", "api-schema"] {
        ws.pipeline(name, "steps:\n  - id: noop\n    run: \"true\"\n");
    }
    ws.pipeline("sign-only", "needs: [sign]\n");
    ws.file(
        "target/xtask/supply-chain/sbom.cdx.json",
        "{\"bomFormat\":\"CycloneDX\"}\n",
    );
    ws.file("openapi.yaml", "openapi: 3.1.0\n");
    ws.git(&["init", "-q", "-b", "main"]);
    ws.git(&["add", "pipelines", "policies", "openapi.yaml"]);
    ws.git(&["commit", "-q", "-m", "init"]);
    ws
}

fn key_base64_decode(rel: &str) -> String {
    use base64::Engine as _;
    let pem = std::fs::read(Path::new(REPO).join("tests/data/cosign").join(rel)).unwrap();
    base64::engine::general_purpose::STANDARD.encode(pem)
}

/// Runs with a private TMPDIR and returns (output, whether TMPDIR is empty afterwards).
fn run_signing(ws: &Ws, args: &[&str], env: &[(&str, &str)]) -> (crate::support::Out, bool) {
    let tmp = tempfile::tempdir().unwrap();
    let mut all: Vec<(&str, &str)> = env.to_vec();
    all.push(("TMPDIR", tmp.path().to_str().unwrap()));
    let out = ws.run_with(args, &all);
    let empty = std::fs::read_dir(tmp.path()).unwrap().next().is_none();
    (out, empty)
}

#[test]
fn without_a_key_signing_is_skipped_with_the_reason() {
    let ws = signing_ws();
    let out = ws.run(&["run", "sign", "--no-deps"]);
    out.assert(0);
    assert_eq!(
        out.stdout.lines().next().unwrap(),
        "↷ sign skipped: COSIGN_KEY_B64 is not set and cosign.key does not exist and policies/supply-chain.yaml requires no signature on branch main"
    );
}

#[test]
fn on_a_tag_the_policy_turns_a_missing_key_into_a_failure() {
    let ws = signing_ws();
    ws.git(&["tag", "v1.0.0"]);
    let out = ws.run(&["run", "sign", "--no-deps"]);
    out.assert(1);
    assert!(
        out.stdout.contains(": no signing key: set COSIGN_KEY_B64 (base64 of an encrypted cosign key) with COSIGN_PASSWORD, or commit cosign.key; policies/supply-chain.yaml decides where a signature is required\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn signs_verifies_and_openssl_agrees_leaving_no_key_file() {
    let ws = signing_ws();
    let key = key_base64_decode("goreleaser/cosign.key");
    let (out, clean) = run_signing(
        &ws,
        &["run", "sign", "--no-deps"],
        &[("COSIGN_KEY_B64", &key), ("COSIGN_PASSWORD", "password")],
    );
    out.assert(0);
    assert!(clean, "the decoded key's temp file was removed");
    assert!(out.stdout.contains("verified target/xtask/supply-chain/sbom.cdx.json.sig and target/xtask/supply-chain/sbom.cdx.json.sigstore.json with the public half of the signing key\n"), "{}", out.stdout);
    assert!(
        !out.stdout.contains(&key[..40]) && !out.stderr.contains(&key[..40]),
        "the key never appears in output"
    );
    let sig =
        std::fs::read_to_string(ws.path("target/xtask/supply-chain/sbom.cdx.json.sig")).unwrap();
    let der = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(sig.trim())
            .unwrap()
    };
    std::fs::write(ws.path("sig.der"), der).unwrap();
    let openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(Path::new(REPO).join("tests/data/cosign/goreleaser/cosign.pub"))
        .args([
            "-signature",
            "sig.der",
            "target/xtask/supply-chain/sbom.cdx.json",
        ])
        .current_dir(ws.root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&openssl.stdout), "Verified OK\n");
}

#[test]
fn bad_keys_fail_in_one_line_without_secrets_or_leftovers() {
    let ws = signing_ws();
    let public_as_key = key_base64_decode("goreleaser/cosign.pub");
    let good = key_base64_decode("goreleaser/cosign.key");
    let truncated = {
        use base64::Engine as _;
        let pem = std::fs::read_to_string(
            Path::new(REPO).join("tests/data/cosign/goreleaser/cosign.key"),
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(&pem[..pem.len() / 2])
    };
    let cases = [
        (
            vec![
                ("COSIGN_KEY_B64", "not base64 !!"),
                ("COSIGN_PASSWORD", "password"),
            ],
            "COSIGN_KEY_B64 is not valid base64; set it to the base64 of an encrypted cosign key (base64 -w0 cosign.key)",
        ),
        (
            vec![
                ("COSIGN_KEY_B64", public_as_key.as_str()),
                ("COSIGN_PASSWORD", "password"),
            ],
            "COSIGN_KEY_B64: a PEM `PUBLIC KEY`, not an encrypted cosign key (`ENCRYPTED SIGSTORE PRIVATE KEY` or `ENCRYPTED COSIGN PRIVATE KEY`)",
        ),
        (
            vec![
                ("COSIGN_KEY_B64", good.as_str()),
                ("COSIGN_PASSWORD", "hunter2-wrong"),
            ],
            "COSIGN_KEY_B64: the password does not decrypt the key (check COSIGN_PASSWORD)",
        ),
        (
            vec![
                ("COSIGN_KEY_B64", truncated.as_str()),
                ("COSIGN_PASSWORD", "password"),
            ],
            "COSIGN_KEY_B64: a damaged or truncated cosign key: the END line is missing",
        ),
    ];
    for (env, message) in cases {
        let (out, clean) = run_signing(&ws, &["run", "sign", "--no-deps"], &env);
        out.assert(1);
        assert!(clean, "no key file left behind for {message}");
        assert!(
            redact(&out.stdout).starts_with(&format!("✗ sign/sign [T]: {message}\n")),
            "{}",
            out.stdout
        );
        for (_, value) in &env {
            if value.len() > 8 {
                assert!(
                    !out.stdout.contains(value) && !out.stderr.contains(value),
                    "a secret leaked"
                );
            }
        }
    }
}

#[test]
fn provenance_is_signed_verified_and_checked_by_verify() {
    let ws = signing_ws();
    let key = key_base64_decode("goreleaser/cosign.key");
    copy_pub(&ws);
    let env = [
        ("COSIGN_KEY_B64", key.as_str()),
        ("COSIGN_PASSWORD", "password"),
    ];
    let (out, _) = run_signing(&ws, &["run", "sign", "slsa", "--no-deps"], &env);
    out.assert(0);
    assert!(out.stdout.contains("signed target/xtask/supply-chain/provenance.dsse.json and target/xtask/supply-chain/provenance.sigstore.json (key from COSIGN_KEY_B64), verified with cosign.pub\n"), "{}", out.stdout);
    let statement: serde_json::Value = serde_json::from_slice(
        &std::fs::read(ws.path("target/xtask/supply-chain/provenance.intoto.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(
        statement["subject"][0]["name"],
        "target/xtask/supply-chain/sbom.cdx.json"
    );
    assert_eq!(
        statement["predicate"]["buildDefinition"]["externalParameters"]["ref"],
        "refs/heads/main"
    );
    assert!(
        statement["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"]
            .is_string()
    );

    // openssl checks the envelope's signature over the DSSE pre-authentication encoding.
    let envelope: xtask::cosign::Envelope = serde_json::from_slice(
        &std::fs::read(ws.path("target/xtask/supply-chain/provenance.dsse.json")).unwrap(),
    )
    .unwrap();
    let payload = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(&envelope.payload)
            .unwrap()
    };
    std::fs::write(
        ws.path("pae.bin"),
        xtask::cosign::pae(&envelope.payload_type, &payload),
    )
    .unwrap();
    let der = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(&envelope.signatures[0].sig)
            .unwrap()
    };
    std::fs::write(ws.path("pae.sig"), der).unwrap();
    let openssl = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "cosign.pub",
            "-signature",
            "pae.sig",
            "pae.bin",
        ])
        .current_dir(ws.root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&openssl.stdout), "Verified OK\n");

    let verify = ws.run(&[
        "verify",
        &ws.path("target/xtask/supply-chain/sbom.cdx.json")
            .display()
            .to_string(),
    ]);
    verify.assert(0);
    assert!(verify.stdout.contains("✓ signature "), "{}", verify.stdout);
    // No remote and no `repository:` setting: URNs, and no local path anywhere.
    assert!(verify.stdout.contains("names it with this sha256 (DSSE signature verified; builder urn:xtask:builder:local:v1)\n"), "{}", verify.stdout);
    let text = std::fs::read_to_string(ws.path("target/xtask/supply-chain/provenance.intoto.json"))
        .unwrap();
    assert!(
        !text.contains("file://") && !text.contains(&ws.root().display().to_string()),
        "{text}"
    );
    assert_eq!(
        statement["predicate"]["buildDefinition"]["buildType"],
        "urn:xtask:build-type:pipeline:v1"
    );

    // With a remote, the repository's URL names the sources, the build type and the builder.
    ws.git(&[
        "remote",
        "add",
        "origin",
        "git@github.com:acme/platform.git",
    ]);
    let (again, _) = run_signing(&ws, &["run", "slsa", "--no-deps", "-q"], &env);
    again.assert(0);
    let remote: serde_json::Value = serde_json::from_slice(
        &std::fs::read(ws.path("target/xtask/supply-chain/provenance.intoto.json")).unwrap(),
    )
    .unwrap();
    let definition = &remote["predicate"]["buildDefinition"];
    assert_eq!(
        definition["resolvedDependencies"][0]["uri"],
        "git+https://github.com/acme/platform@refs/heads/main"
    );
    assert_eq!(
        definition["buildType"],
        "https://github.com/acme/platform/blob/HEAD/docs/supply-chain.md#build-type-xtask-pipeline-v1"
    );
    assert_eq!(
        remote["predicate"]["runDetails"]["builder"]["id"],
        "https://github.com/acme/platform/blob/HEAD/docs/supply-chain.md#builder-local-v1"
    );
    ws.git(&["remote", "remove", "origin"]);
    let (restored, _) = run_signing(&ws, &["run", "slsa", "--no-deps", "-q"], &env);
    restored.assert(0);

    // The artifact changes after signing: both the signature and the provenance say so.
    ws.file(
        "target/xtask/supply-chain/sbom.cdx.json",
        "{\"bomFormat\":\"CycloneDX\",\"tampered\":true}\n",
    );
    let tampered = ws.run(&[
        "verify",
        &ws.path("target/xtask/supply-chain/sbom.cdx.json")
            .display()
            .to_string(),
    ]);
    tampered.assert(1);
    assert!(
        tampered.stdout.contains("✗ signature "),
        "{}",
        tampered.stdout
    );
    assert!(
        tampered.stdout.contains("with another sha256"),
        "{}",
        tampered.stdout
    );
    let (verify_step, _) = run_signing(
        &ws,
        &["run", "sign", "--no-deps", "-q"],
        &[
            ("COSIGN_KEY_B64", key.as_str()),
            ("COSIGN_PASSWORD", "password"),
        ],
    );
    verify_step.assert(0);

    // Without cosign.pub, verify says what is missing.
    std::fs::remove_file(ws.path("cosign.pub")).unwrap();
    let no_pub = ws.run(&[
        "verify",
        &ws.path("target/xtask/supply-chain/sbom.cdx.json")
            .display()
            .to_string(),
    ]);
    no_pub.assert(1);
    assert!(
        no_pub.stdout.contains("✗ cannot check the signature: "),
        "{}",
        no_pub.stdout
    );
}

/// The sigstore-js verifier, installed once per target directory from npm (staged, then
/// renamed into place, so concurrent tests install it once).
fn sigstore_js() -> std::path::PathBuf {
    let dir = crate::support::test_tool(
        "sigstore-verify-3.1.1",
        "node_modules/@sigstore/verify",
        |stage| {
            let mut npm = Command::new("npm");
            npm.args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(stage)
                .arg("@sigstore/verify@3.1.1");
            npm
        },
    );
    std::fs::copy(
        Path::new(REPO).join("tests/data/sigstore-js/verify.js"),
        dir.join("verify.js"),
    )
    .unwrap();
    dir
}

/// (verified, what it printed) of sigstore-js on `bundle` with `key`, over `artifact`.
fn sigstore_js_verify(ws: &Ws, bundle: &str, key: &Path, artifact: Option<&str>) -> (bool, String) {
    let dir = sigstore_js();
    let out = Command::new("node")
        .arg(dir.join("verify.js"))
        .arg(ws.path(bundle))
        .arg(key)
        .args(artifact.map(|a| ws.path(a)))
        .env("NODE_PATH", dir.join("node_modules"))
        .output()
        .expect("node runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

/// openssl on a DER signature over `data`, with the workspace's `cosign.pub`.
fn openssl_verifies(ws: &Ws, signature_der: &[u8], data: &[u8]) -> bool {
    std::fs::write(ws.path("x.sig"), signature_der).unwrap();
    std::fs::write(ws.path("x.bin"), data).unwrap();
    openssl_verify(&ws.path("cosign.pub"), &ws.path("x.sig"), &ws.path("x.bin"))
}

#[test]
fn bundles_verify_with_openssl_sigstore_js_and_verify() {
    let ws = signing_ws();
    let key = key_base64_decode("goreleaser/cosign.key");
    copy_pub(&ws);
    let env = [
        ("COSIGN_KEY_B64", key.as_str()),
        ("COSIGN_PASSWORD", "password"),
    ];
    let (out, _) = run_signing(&ws, &["run", "sign", "slsa", "--no-deps"], &env);
    out.assert(0);
    let sbom = "target/xtask/supply-chain/sbom.cdx.json";
    let sbom_bundle = "target/xtask/supply-chain/sbom.cdx.json.sigstore.json";
    let attestation = "target/xtask/supply-chain/provenance.sigstore.json";
    let read = |rel: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(ws.path(rel)).unwrap()).unwrap()
    };

    // openssl: the bundle's signature over the artifact, and its digest is the artifact's.
    let message = read(sbom_bundle);
    assert_eq!(
        message["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let artifact = std::fs::read(ws.path(sbom)).unwrap();
    let sig = std::fs::read_to_string(ws.path(&format!("{sbom}.sig"))).unwrap();
    assert_eq!(
        message["messageSignature"]["signature"],
        sig.trim(),
        "the same signature as the .sig"
    );
    let digest = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&artifact).to_vec()
    };
    assert_eq!(
        base64_decode(
            message["messageSignature"]["messageDigest"]["digest"]
                .as_str()
                .unwrap()
        ),
        digest
    );
    assert!(openssl_verifies(&ws, &base64_decode(sig.trim()), &artifact));
    // openssl: the attestation bundle's DSSE signature over the pre-authentication encoding.
    let dsse = &read(attestation)["dsseEnvelope"];
    let payload = base64_decode(dsse["payload"].as_str().unwrap());
    let pae = xtask::cosign::pae(dsse["payloadType"].as_str().unwrap(), &payload);
    assert!(openssl_verifies(
        &ws,
        &base64_decode(dsse["signatures"][0]["sig"].as_str().unwrap()),
        &pae
    ));

    // sigstore-js accepts both, and refuses a tampered artifact, payload or another key.
    let public = ws.path("cosign.pub");
    assert_eq!(
        sigstore_js_verify(&ws, sbom_bundle, &public, Some(sbom)),
        (true, "verified".into())
    );
    assert_eq!(
        sigstore_js_verify(&ws, attestation, &public, None),
        (true, "verified".into())
    );
    let other = Path::new(REPO)
        .join("tests/data/cosign/sigstore-rs/ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.derived.pub");
    let (ok, why) = sigstore_js_verify(&ws, sbom_bundle, &other, Some(sbom));
    assert!(!ok && why.starts_with("rejected: "), "{why}");
    ws.file(
        "tampered.json",
        "{\"bomFormat\":\"CycloneDX\",\"tampered\":true}\n",
    );
    let (ok, why) = sigstore_js_verify(&ws, sbom_bundle, &public, Some("tampered.json"));
    assert!(!ok && why.starts_with("rejected: "), "{why}");
    let mut forged = read(attestation);
    let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    statement["subject"][0]["digest"]["sha256"] = "0".repeat(64).into();
    forged["dsseEnvelope"]["payload"] = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&statement).unwrap())
            .into()
    };
    ws.file("forged.sigstore.json", &forged.to_string());
    let (ok, why) = sigstore_js_verify(&ws, "forged.sigstore.json", &public, None);
    assert!(!ok && why.starts_with("rejected: "), "{why}");

    // verify checks the bundle and the attestation bundle beside the .sig and the envelope.
    let verify = ws.run(&["verify", &ws.path(sbom).display().to_string()]);
    verify.assert(0);
    assert!(
        verify.stdout.contains(&format!(
            "✓ bundle {} verifies with {}: key hint, sha256 message digest, signature\n",
            ws.path(sbom_bundle).display(),
            public.display()
        )),
        "{}",
        verify.stdout
    );
    assert!(
        verify.stdout.contains(&format!(
            "✓ provenance {} names it with this sha256 (Sigstore bundle signature verified; ",
            ws.path(attestation).display()
        )),
        "{}",
        verify.stdout
    );
    let forged_run = ws.run(&[
        "verify",
        &ws.path(sbom).display().to_string(),
        "--provenance",
        &ws.path("forged.sigstore.json").display().to_string(),
    ]);
    forged_run.assert(1);
    assert!(
        forged_run
            .stdout
            .contains("no signature of the envelope verifies with the public key"),
        "{}",
        forged_run.stdout
    );
}

#[test]
fn a_committed_cosign_pub_of_another_key_is_refused() {
    let ws = signing_ws();
    ws.file(
        "cosign.pub",
        &std::fs::read_to_string(
            Path::new(REPO).join("tests/data/cosign/sig-simplesigning-sigstore-rs/cosign.pub"),
        )
        .unwrap(),
    );
    let key = key_base64_decode("goreleaser/cosign.key");
    let out = ws.run_with(
        &["run", "sign", "--no-deps"],
        &[("COSIGN_KEY_B64", &key), ("COSIGN_PASSWORD", "password")],
    );
    out.assert(1);
    assert!(
        out.stdout
            .contains(": cosign.pub does not belong to the signing key from COSIGN_KEY_B64\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn keys_generate_writes_a_private_encrypted_key_and_refuses_to_overwrite() {
    let ws = Ws::new();
    let out = ws.run_with(&["keys", "generate"], &[("COSIGN_PASSWORD", "pw")]);
    out.assert(0);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |f: &str| std::fs::metadata(ws.path(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode("cosign.key"), mode("cosign.pub")), (0o600, 0o644));
    let pem = std::fs::read_to_string(ws.path("cosign.key")).unwrap();
    assert!(xtask::cosign::decrypt(&pem, b"pw").is_ok());
    let again = ws.run_with(&["keys", "generate"], &[("COSIGN_PASSWORD", "pw")]);
    again.assert(2);
    assert!(
        again.stderr.contains("cosign.key exists already"),
        "{}",
        again.stderr
    );
    let no_password = Ws::new().run(&["keys", "generate"]);
    no_password.assert(2);
    assert_eq!(
        no_password.stderr,
        "error: COSIGN_PASSWORD is not set\n  hint: export the password that will encrypt the key (COSIGN_PASSWORD= for an empty one)\n"
    );
}

fn copy_pub(ws: &Ws) {
    ws.file(
        "cosign.pub",
        &std::fs::read_to_string(Path::new(REPO).join("tests/data/cosign/goreleaser/cosign.pub"))
            .unwrap(),
    );
}

#[test]
fn sbom_with_the_real_syft_is_reproducible_and_complete() {
    let ws = Ws::new();
    ws.copy_from_repo("pipelines/sbom.yaml");
    ws.file("Cargo.toml", "[workspace]\nmembers = [\"demo\"]\nresolver = \"3\"\n\n[workspace.metadata.sbom]\nname = \"demo-sbom\"\n");
    ws.file(
        "demo/Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.3.1\"\nedition = \"2024\"\n",
    );
    ws.file("demo/src/lib.rs", "//! demo\n");
    let lock = Command::new("cargo")
        .args(["generate-lockfile", "--offline"])
        .current_dir(ws.root())
        .output()
        .unwrap();
    assert!(
        lock.status.success(),
        "{}",
        String::from_utf8_lossy(&lock.stderr)
    );
    ws.git(&["init", "-q", "-b", "main"]);
    ws.git(&["add", "."]);
    ws.git(&[
        "commit",
        "-q",
        "-m",
        "init",
        "--date",
        "2026-01-02T03:04:05Z",
    ]);
    let env = [("GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z")];
    let first = ws.run_with(&["run", "sbom"], &env);
    first.assert(0);
    assert!(
        first
            .stdout
            .contains("lists all 1 locked crates (1 components)\n"),
        "{}",
        first.stdout
    );
    let sbom_path = ws.path("target/xtask/supply-chain/sbom.cdx.json");
    let bytes = std::fs::read(&sbom_path).unwrap();
    ws.run_with(&["run", "sbom", "--no-cache", "-q"], &env)
        .assert(0);
    assert_eq!(
        std::fs::read(&sbom_path).unwrap(),
        bytes,
        "two runs on one commit give the same bytes"
    );
    let sbom: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (sbom["bomFormat"].as_str(), sbom["specVersion"].as_str()),
        (Some("CycloneDX"), Some("1.6"))
    );
    assert_eq!(sbom["metadata"]["component"]["name"], "demo-sbom");
    assert_eq!(sbom["metadata"]["component"]["version"], "0.3.1");
    assert!(
        sbom["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:")
    );
    let commit_time = Command::new("git")
        .args(["show", "-s", "--format=%cI", "HEAD"])
        .current_dir(ws.root())
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&commit_time.stdout)
        .trim()
        .replace("+00:00", "Z");
    assert_eq!(sbom["metadata"]["timestamp"], expected.as_str());

    // An SBOM that misses a locked crate fails validation, naming it.
    let mut broken = sbom.clone();
    broken["components"] = serde_json::json!([]);
    ws.file("broken.cdx.json", &serde_json::to_string(&broken).unwrap());
    ws.pipeline(
        "check",
        "steps:\n  - id: validate\n    uses: sbom/validate\n    with: { file: broken.cdx.json }\n",
    );
    let out = ws.run(&["run", "check"]);
    out.assert(1);
    assert!(
        out.stdout.contains(": broken.cdx.json does not list 1 of the 1 locked crates: demo 0.3.1\nmissing: demo 0.3.1\n"),
        "{}",
        out.stdout
    );
    broken["specVersion"] = "1.4".into();
    ws.file("broken.cdx.json", &serde_json::to_string(&broken).unwrap());
    let old = ws.run(&["run", "check"]);
    assert!(
        old.stdout
            .contains(": broken.cdx.json is CycloneDX \"1.4\", expected 1.6\n"),
        "{}",
        old.stdout
    );
}
