//! SLSA provenance: an in-toto Statement v1 with a `https://slsa.dev/provenance/v1`
//! predicate describing this engine's run, and the checks `cargo xtask verify` applies to it.
//! The build type and the local builder are defined in docs/supply-chain.md; their URIs point
//! into the repository that builds (its URL, or `repository:` in the supply-chain policy), and
//! are URNs when neither is known, never a made-up organisation.

use serde_json::{Value, json};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// Where the build type and builder are defined, in the repository that builds.
const DOC: &str = "docs/supply-chain.md";
/// Without a repository URL: the build type and the local builder as URNs.
pub const BUILD_TYPE_URN: &str = "urn:xtask:build-type:pipeline:v1";
pub const LOCAL_BUILDER_URN: &str = "urn:xtask:builder:local:v1";

/// The build type of `repository` (its `docs/supply-chain.md`), or the URN.
pub fn build_type(repository: Option<&str>) -> String {
    match repository.filter(|r| r.starts_with("https://")) {
        Some(repo) => format!("{repo}/blob/HEAD/{DOC}#build-type-xtask-pipeline-v1"),
        None => BUILD_TYPE_URN.into(),
    }
}

/// The builder of a run outside CI, defined by `repository`, or the URN.
pub fn local_builder(repository: Option<&str>) -> String {
    match repository.filter(|r| r.starts_with("https://")) {
        Some(repo) => format!("{repo}/blob/HEAD/{DOC}#builder-local-v1"),
        None => LOCAL_BUILDER_URN.into(),
    }
}

/// A repository URL as provenance names it: `git@host:o/r.git` and `https://host/o/r.git`
/// become `https://host/o/r`; a local path is no URL (`None`).
pub fn repository_url(remote: &str) -> Option<String> {
    let remote = remote.trim().trim_end_matches('/');
    let remote = remote.strip_suffix(".git").unwrap_or(remote);
    if let Some(rest) = remote.strip_prefix("git@") {
        let (host, path) = rest.split_once(':')?;
        return Some(format!("https://{host}/{path}"));
    }
    if let Some(rest) = remote.strip_prefix("ssh://") {
        let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
        return Some(format!("https://{rest}"));
    }
    let rest = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))?;
    let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
    Some(format!("https://{rest}"))
}

/// What the statement records.
pub struct Run<'a> {
    /// (name, sha256) of each artifact.
    pub subjects: Vec<(String, String)>,
    pub pipeline: &'a str,
    pub targets: &'a [String],
    pub git_ref: String,
    pub commit: Option<String>,
    /// Where the sources come from: the repository's URL, when it has one.
    pub repository: Option<String>,
    pub cargo_lock_sha256: Option<String>,
    /// (name, version) of the pinned tools of the run, and the Rust compiler.
    pub tools: Vec<(String, String)>,
    pub started_on: String,
    pub finished_on: String,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

pub fn statement(run: &Run) -> Value {
    let env = run.env;
    let actions = env("GITHUB_ACTIONS").as_deref() == Some("true");
    let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
    let (builder, invocation, workflow) = if actions {
        let workflow_ref = env("GITHUB_WORKFLOW_REF").unwrap_or_default();
        let repository = env("GITHUB_REPOSITORY").unwrap_or_default();
        let invocation = format!(
            "{server}/{repository}/actions/runs/{}/attempts/{}",
            env("GITHUB_RUN_ID").unwrap_or_default(),
            env("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into())
        );
        let workflow = json!({"ref": workflow_ref, "repository": format!("{server}/{repository}"), "path": env("GITHUB_WORKFLOW").unwrap_or_default()});
        (
            format!("{server}/{workflow_ref}"),
            invocation,
            Some(workflow),
        )
    } else {
        (
            local_builder(run.repository.as_deref()),
            format!("urn:uuid:{}", uuid_v4()),
            None,
        )
    };
    let mut external =
        json!({"pipeline": run.pipeline, "targets": run.targets, "ref": run.git_ref});
    if let Some(workflow) = workflow {
        external["workflow"] = workflow;
    }
    let mut dependencies = Vec::new();
    if let Some(commit) = &run.commit {
        dependencies.push(match &run.repository {
            Some(repo) => json!({"uri": format!("git+{repo}@{}", run.git_ref), "digest": {"gitCommit": commit}}),
            None => json!({"name": "source", "digest": {"gitCommit": commit}}),
        });
    }
    if let Some(lock) = &run.cargo_lock_sha256 {
        dependencies
            .push(json!({"uri": "Cargo.lock", "name": "Cargo.lock", "digest": {"sha256": lock}}));
    }
    for (name, version) in &run.tools {
        dependencies.push(json!({"uri": format!("pkg:generic/{name}@{version}"), "name": name}));
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": run.subjects.iter().map(|(name, sha)| json!({"name": name, "digest": {"sha256": sha}})).collect::<Vec<_>>(),
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": build_type(run.repository.as_deref()),
                "externalParameters": external,
                "internalParameters": {"engine": format!("xtask {}", env!("CARGO_PKG_VERSION"))},
                "resolvedDependencies": dependencies,
            },
            "runDetails": {
                "builder": {"id": builder},
                "metadata": {"invocationId": invocation, "startedOn": run.started_on, "finishedOn": run.finished_on},
            },
        },
    })
}

/// The statement's subjects as (name, sha256), after checking its types.
pub fn subjects(statement: &Value) -> Result<Vec<(String, String)>, String> {
    if statement["_type"] != STATEMENT_TYPE {
        return Err(format!(
            "not an in-toto Statement v1 (_type is {})",
            statement["_type"]
        ));
    }
    if statement["predicateType"] != PREDICATE_TYPE {
        return Err(format!(
            "not SLSA provenance v1 (predicateType is {})",
            statement["predicateType"]
        ));
    }
    Ok(statement["subject"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s["name"].as_str()?.to_owned(),
                s["digest"]["sha256"].as_str()?.to_owned(),
            ))
        })
        .collect())
}

fn uuid_v4() -> String {
    let hex = crate::text::random::token();
    let variant = ["8", "9", "a", "b"][usize::from_str_radix(&hex[16..17], 16).unwrap_or(0) % 4];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

/// Where the run writes its provenance: the signed envelope, or the plain statement.
pub const SIGNED_PATH: &str = "target/xtask/supply-chain/provenance.dsse.json";
pub const UNSIGNED_PATH: &str = "target/xtask/supply-chain/provenance.intoto.json";
/// The signed statement as a Sigstore bundle (what `cosign verify-blob-attestation` reads).
pub const BUNDLE_PATH: &str = "target/xtask/supply-chain/provenance.sigstore.json";

/// The run's provenance file: the envelope when there is one, else the plain statement.
pub fn default_path(root: &std::path::Path) -> std::path::PathBuf {
    let signed = root.join(SIGNED_PATH);
    if signed.exists() {
        signed
    } else {
        root.join(UNSIGNED_PATH)
    }
}

/// The statement of a Sigstore bundle or a DSSE envelope (verified with `key`), or of a
/// plain statement file.
pub fn read(
    path: &std::path::Path,
    key: Option<&p256::ecdsa::VerifyingKey>,
) -> Result<(serde_json::Value, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|_| "does not exist; run `cargo xtask run slsa`".to_string())?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("mediaType").is_some() {
        let key = key.ok_or("cannot check the bundle's signature without a public key")?;
        let crate::cosign::Verified::Attestation {
            payload,
            payload_type,
        } = crate::cosign::verify_bundle(key, &text, None)?
        else {
            return Err("the bundle holds a message signature, not an attestation".into());
        };
        if payload_type != PAYLOAD_TYPE {
            return Err(format!(
                "the bundle's payload is `{payload_type}`, not {PAYLOAD_TYPE}"
            ));
        }
        let statement = serde_json::from_slice(&payload)
            .map_err(|e| format!("the payload is not JSON: {e}"))?;
        return Ok((statement, "Sigstore bundle signature verified".into()));
    }
    if value.get("payloadType").is_none() {
        return Ok((value, "unsigned".into()));
    }
    let envelope: crate::cosign::Envelope =
        serde_json::from_value(value).map_err(|e| format!("not a DSSE envelope: {e}"))?;
    let key = key.ok_or("cannot check the envelope's signature without a public key")?;
    let payload = crate::cosign::verify_envelope(key, &envelope)?;
    let statement =
        serde_json::from_slice(&payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    Ok((statement, "DSSE signature verified".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(env: &'a dyn Fn(&str) -> Option<String>) -> Run<'a> {
        Run {
            subjects: vec![("target/sbom.json".into(), "ab".repeat(32))],
            pipeline: "slsa",
            targets: &[],
            git_ref: "refs/heads/main".into(),
            commit: Some("c".repeat(40)),
            repository: Some("https://github.com/o/r".into()),
            cargo_lock_sha256: Some("cd".repeat(32)),
            tools: vec![("syft".into(), "1.18.1".into())],
            started_on: "2026-11-28T10:00:00Z".into(),
            finished_on: "2026-11-28T10:00:01Z".into(),
            env,
        }
    }

    #[test]
    fn remotes_become_https_urls_and_paths_none() {
        for (remote, url) in [
            ("git@github.com:o/r.git", Some("https://github.com/o/r")),
            ("https://github.com/o/r.git", Some("https://github.com/o/r")),
            (
                "https://token@github.com/o/r",
                Some("https://github.com/o/r"),
            ),
            (
                "ssh://git@example.org/o/r.git",
                Some("https://example.org/o/r"),
            ),
            ("/home/me/r", None),
            ("file:///home/me/r", None),
        ] {
            assert_eq!(repository_url(remote).as_deref(), url, "{remote}");
        }
    }

    #[test]
    fn local_and_github_builders_differ() {
        let local = statement(&run(&|_| None));
        assert_eq!(
            local["predicate"]["runDetails"]["builder"]["id"],
            "https://github.com/o/r/blob/HEAD/docs/supply-chain.md#builder-local-v1"
        );
        assert_eq!(
            local["predicate"]["buildDefinition"]["resolvedDependencies"][0]["uri"],
            "git+https://github.com/o/r@refs/heads/main"
        );
        let mut without = run(&|_| None);
        without.repository = None;
        let anonymous = statement(&without);
        assert_eq!(
            anonymous["predicate"]["runDetails"]["builder"]["id"],
            LOCAL_BUILDER_URN
        );
        assert_eq!(
            anonymous["predicate"]["buildDefinition"]["buildType"],
            BUILD_TYPE_URN
        );
        let source = &anonymous["predicate"]["buildDefinition"]["resolvedDependencies"][0];
        assert!(source.get("uri").is_none(), "no local path: {source}");
        assert!(
            local["predicate"]["runDetails"]["metadata"]["invocationId"]
                .as_str()
                .unwrap()
                .starts_with("urn:uuid:")
        );
        assert_eq!(
            subjects(&local).unwrap(),
            vec![("target/sbom.json".to_string(), "ab".repeat(32))]
        );
        let vars = |n: &str| match n {
            "GITHUB_ACTIONS" => Some("true".into()),
            "GITHUB_WORKFLOW_REF" => Some("o/r/.github/workflows/ci.yml@refs/tags/v1".into()),
            "GITHUB_REPOSITORY" => Some("o/r".into()),
            "GITHUB_RUN_ID" => Some("42".into()),
            _ => None,
        };
        let ci = statement(&run(&vars));
        assert_eq!(
            ci["predicate"]["runDetails"]["builder"]["id"],
            "https://github.com/o/r/.github/workflows/ci.yml@refs/tags/v1"
        );
        assert_eq!(
            ci["predicate"]["runDetails"]["metadata"]["invocationId"],
            "https://github.com/o/r/actions/runs/42/attempts/1"
        );
        assert_eq!(
            ci["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"],
            "https://github.com/o/r"
        );
    }
}
