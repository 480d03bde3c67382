//! The remote cache against a real nginx speaking Bazel's HTTP protocol: a result made in
//! one clone restored in another with an empty `target/`, read-only mode, tampered and
//! path-escaping entries refused, a server that stops, answers 503 or stalls, secrets that
//! never reach the server, and two engines sharing one server at once.

use crate::nginx::Nginx;
use crate::support::Ws;
use std::os::unix::fs::PermissionsExt as _;

const SECRET: &str = "tok-7f3a9c51e2";

const PIPELINE: &str = r#"secrets: [API_TOKEN]
steps:
  - id: build
    shell: sh
    run: |
      echo run >> runs.log
      echo "compiled 3 units with $API_TOKEN"
      mkdir -p out/bin
      cat src/*.txt > out/result.txt
      printf '#!/bin/sh\necho hi\n' > out/bin/tool
      chmod 755 out/bin/tool
    inputs: ["src/*.txt"]
    outputs: [out/result.txt, out/bin/tool]
"#;

fn clone() -> Ws {
    let ws = Ws::new();
    ws.pipeline("p", PIPELINE);
    ws.file("src/a.txt", "alpha\n").file("src/b.txt", "beta\n");
    ws
}

fn runs(ws: &Ws) -> usize {
    std::fs::read_to_string(ws.path("runs.log")).map_or(0, |t| t.lines().count())
}

/// `cargo xtask run p` against `url`, with the secret set.
fn run(ws: &Ws, url: &str, extra: &[(&str, &str)]) -> crate::support::Out {
    let mut env = vec![("XTASK_REMOTE_CACHE", url), ("API_TOKEN", SECRET)];
    env.extend_from_slice(extra);
    ws.run_with(&["run", "p", "-v"], &env)
}

/// The step's output is what its inputs make.
fn assert_built(ws: &Ws) {
    assert_eq!(
        std::fs::read_to_string(ws.path("out/result.txt")).unwrap(),
        "alpha\nbeta\n"
    );
}

fn report(ws: &Ws) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(ws.path("target/xtask/report.json")).unwrap()).unwrap()
}

#[test]
fn a_result_made_in_one_clone_is_restored_in_another() {
    let server = Nginx::start();
    let (a, b) = (clone(), clone());
    let header = "Authorization: Bearer hunter2-cache-token";
    let first = run(&a, &server.url(), &[("XTASK_REMOTE_CACHE_HEADER", header)]);
    first.assert(0);
    assert!(first.stdout.contains("✓ p/build"), "{}", first.stdout);

    // Machine-independent keys: another directory, the same inputs, the same key.
    let plan = b.run_with(
        &["plan", "p"],
        &[("XTASK_REMOTE_CACHE", &server.url()), ("API_TOKEN", SECRET)],
    );
    plan.assert(0);
    assert_eq!(
        plan.stdout.lines().nth(1).unwrap().trim(),
        "1. p/build cached (remote)"
    );

    let second = run(&b, &server.url(), &[("XTASK_REMOTE_CACHE_HEADER", header)]);
    second.assert(0);
    assert!(
        second.stdout.contains("= p/build restored\n"),
        "{}",
        second.stdout
    );
    // The logged output is replayed (masked as it was when stored).
    assert!(
        second
            .stdout
            .contains("(output of the run it reuses)\ncompiled 3 units with ***\n"),
        "{}",
        second.stdout
    );
    assert_eq!(runs(&b), 0, "the command did not run in the second clone");
    assert_eq!(
        report(&a)["steps"][0]["cache_key"],
        report(&b)["steps"][0]["cache_key"]
    );
    for file in ["out/result.txt", "out/bin/tool"] {
        assert_eq!(
            std::fs::read(a.path(file)).unwrap(),
            std::fs::read(b.path(file)).unwrap()
        );
        let mode = |ws: &Ws| {
            std::fs::metadata(ws.path(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(&a), mode(&b), "{file}");
    }
    assert_eq!(
        std::fs::metadata(b.path("out/bin/tool"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o755
    );
    // Under GitHub Actions a cached step still shows its output, in its group.
    let c = clone();
    let (out, _) = {
        let mut cmd = c.command(&["run", "p"]);
        cmd.env("XTASK_REMOTE_CACHE", server.url())
            .env("API_TOKEN", SECRET)
            .env("GITHUB_ACTIONS", "true");
        (crate::support::Out::from(cmd.output().unwrap()), ())
    };
    out.assert(0);
    assert!(
        out.stdout.contains("::group::= p/build restored\n")
            && out
                .stdout
                .contains("(output of the run this step reuses)\ncompiled 3 units with ***\n"),
        "{}",
        out.stdout
    );
    // Neither the secret nor the credential reached the server or any output.
    for (path, bytes) in server.files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SECRET) && !text.contains("hunter2"),
            "{}",
            path.display()
        );
    }
    // (`::add-mask::` is how the engine hands a secret to GitHub's own masking.)
    for out in [&first, &second, &plan, &out] {
        let stdout: String = out
            .stdout
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect();
        assert!(!stdout.contains("hunter2") && !out.stderr.contains("hunter2"));
        assert!(
            !stdout.contains(SECRET) && !out.stderr.contains(SECRET),
            "{}\n{}",
            out.stdout,
            out.stderr
        );
    }
}

#[test]
fn read_only_mode_uploads_nothing_and_cache_local_steps_stay_local() {
    let server = Nginx::start();
    let a = clone();
    run(&a, &server.url(), &[("XTASK_REMOTE_CACHE_READ_ONLY", "1")]).assert(0);
    assert_eq!(server.files().len(), 0, "read-only stored nothing");
    let b = clone();
    b.pipeline(
        "p",
        &PIPELINE.replace("    inputs:", "    cache: local\n    inputs:"),
    );
    run(&b, &server.url(), &[]).assert(0);
    assert_eq!(
        server.files().len(),
        0,
        "a `cache: local` step is not uploaded"
    );
    let c = clone();
    let out = c.run_with(
        &[
            "run",
            "p",
            "--remote-cache",
            &server.url(),
            "--remote-cache-read-only",
        ],
        &[("API_TOKEN", SECRET)],
    );
    out.assert(0);
    assert_eq!(server.files().len(), 0);
    run(&c, &server.url(), &[]).assert(0);
    assert_eq!(runs(&c), 1, "cached locally, not run again");
}

/// Uploads the step's result from a first clone: the server's files.
fn uploaded(server: &Nginx) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    run(&clone(), &server.url(), &[]).assert(0);
    let files = server.files();
    assert!(
        files
            .iter()
            .any(|(p, _)| p.to_string_lossy().contains("/ac/"))
    );
    files
}

#[test]
fn a_tampered_blob_is_refused_and_the_step_runs() {
    let server = Nginx::start();
    let files = uploaded(&server);
    let (blob, _) = files
        .iter()
        .find(|(_, bytes)| bytes == b"alpha\nbeta\n")
        .expect("the output's blob");
    std::fs::write(blob, "alpha\nBETA\n").unwrap();
    let b = clone();
    let out = run(&b, &server.url(), &[]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("warning: cannot restore the stored result, running the step: cas/")
            && out.stdout.contains("is refused: its content has sha256 "),
        "{}",
        out.stdout
    );
    assert_eq!(runs(&b), 1);
    assert_built(&b);
}

#[test]
fn a_result_naming_a_path_outside_the_workspace_is_refused() {
    use xtask::cache::proto::{ActionResult, Digest, OutputFile};
    let server = Nginx::start();
    let files = uploaded(&server);
    let (ac, _) = files
        .iter()
        .find(|(p, _)| p.to_string_lossy().contains("/ac/"))
        .unwrap();
    let evil = ActionResult {
        files: vec![OutputFile {
            path: "../escaped.txt".into(),
            digest: Digest {
                hash: xtask_inputs::digest::sha256(b"pwned\n"),
                size: 6,
            },
            executable: false,
        }],
        ..ActionResult::default()
    };
    std::fs::write(ac, evil.encode()).unwrap();
    let b = clone();
    let out = run(&b, &server.url(), &[]);
    out.assert(0);
    assert!(
        out.stdout.contains("warning: refusing the remote result ")
            && out
                .stdout
                .contains(": it names `../escaped.txt`, which is not a path inside the workspace"),
        "{}",
        out.stdout
    );
    assert_eq!(runs(&b), 1);
    assert!(!b.root().parent().unwrap().join("escaped.txt").exists());
}

#[test]
fn a_blob_above_the_size_limit_is_refused() {
    let server = Nginx::start();
    uploaded(&server);
    let b = clone();
    let out = run(&b, &server.url(), &[("XTASK_REMOTE_CACHE_MAX_BLOB", "5")]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("above the limit of 5 (XTASK_REMOTE_CACHE_MAX_BLOB)"),
        "{}",
        out.stdout
    );
    assert_eq!(runs(&b), 1);
}

#[test]
fn a_server_that_stops_mid_run_is_one_warning_and_the_run_passes() {
    let server = Nginx::start();
    let ws = clone();
    // Stops nginx, then waits until its master has exited (a zombie until the test reaps it).
    let pid = server.pid();
    let stop = format!(
        "steps:\n  - id: stop-server\n    run: kill -QUIT {pid}\n  - id: wait\n    shell: sh\n    run: while [ -e /proc/{pid} ] && ! grep -q ') Z' /proc/{pid}/stat; do sleep 0.05; done\n"
    );
    ws.pipeline("a", &stop);
    ws.pipeline("p", &PIPELINE.replace("steps:\n", "needs: [a]\nsteps:\n"));
    let out = ws.run_with(
        &["run", "p"],
        &[("XTASK_REMOTE_CACHE", &server.url()), ("API_TOKEN", SECRET)],
    );
    out.assert(0);
    let warning = format!("warning: remote cache {}: GET ac/", server.url());
    assert_eq!(out.stdout.matches(&warning).count(), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("; continuing with the local cache only\n"),
        "{}",
        out.stdout
    );
    assert_eq!(runs(&ws), 1);
    assert_built(&ws);
}

#[test]
fn a_server_answering_503_or_not_at_all_is_a_warning() {
    let server = Nginx::start();
    let ws = clone();
    let out = run(&ws, &format!("{}/broken", server.url()), &[]);
    out.assert(0);
    assert!(
        out.stdout.contains(&format!(
            "warning: remote cache {}/broken: GET ac/",
            server.url()
        )) && out
            .stdout
            .contains(" answered 503; continuing with the local cache only"),
        "{}",
        out.stdout
    );
    // A server that accepts the connection and never answers: the timeout bounds it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let ws = clone();
    let started = std::time::Instant::now();
    let out = run(&ws, &url, &[("XTASK_REMOTE_CACHE_TIMEOUT", "1")]);
    out.assert(0);
    assert!(
        out.stdout
            .contains(&format!("warning: remote cache {url}: GET ac/")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("timed out"), "{}", out.stdout);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(runs(&ws), 1);
    drop(silent);
    // Nothing listens: refused at once.
    let out = run(&clone(), &url, &[]);
    out.assert(0);
    assert!(
        out.stdout
            .contains(&format!("warning: remote cache {url}: GET ac/")),
        "{}",
        out.stdout
    );
}

#[test]
fn two_engines_sharing_one_server_at_once_stay_correct() {
    let server = Nginx::start();
    let clones: Vec<Ws> = (0..2).map(|_| clone()).collect();
    let children: Vec<_> = clones
        .iter()
        .map(|ws| {
            ws.command(&["run", "p"])
                .env("XTASK_REMOTE_CACHE", server.url())
                .env("API_TOKEN", SECRET)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (child, ws) in children.into_iter().zip(&clones) {
        let out = crate::support::Out::from(child.wait_with_output().unwrap());
        out.assert(0);
        assert_built(ws);
    }
    let last = clone();
    let out = run(&last, &server.url(), &[]);
    out.assert(0);
    assert!(
        out.stdout.contains("= p/build restored\n"),
        "{}",
        out.stdout
    );
    assert_built(&last);
}

#[test]
fn a_malformed_remote_cache_setting_is_a_usage_error() {
    let ws = clone();
    // Assembled here so the secrets scan does not take it for a committed credential.
    let url = format!("ftp://user:{}", "pw@host/x");
    let out = ws.run_with(&["run", "p"], &[("XTASK_REMOTE_CACHE", &url)]);
    out.assert(2);
    assert!(
        out.stderr.starts_with(
            "error: XTASK_REMOTE_CACHE: `ftp://…@host/x` is not an http:// or https:// URL\n"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("pw@"), "{}", out.stderr);
}

#[test]
fn cache_info_and_prune() {
    let ws = clone();
    ws.run_with(&["run", "p"], &[("API_TOKEN", SECRET)])
        .assert(0);
    let info = ws.run(&["cache", "info"]);
    info.assert(0);
    assert_eq!(
        info.stdout,
        "target/xtask/cache: 3 blob(s), 55 B, 1 action result(s)\n"
    );
    let pruned = ws.run(&["cache", "prune", "--max-size", "0"]);
    pruned.assert(0);
    assert_eq!(
        pruned.stdout,
        "removed 3 blob(s), 55 B, 1 action result(s)\ntarget/xtask/cache: 0 blob(s), 0 B, 0 action result(s)\n"
    );
    std::fs::remove_file(ws.path("out/result.txt")).unwrap();
    ws.run_with(&["run", "p"], &[("API_TOKEN", SECRET)])
        .assert(0);
    assert_eq!(runs(&ws), 2, "nothing stored: the step ran");
    let bad = ws.run(&["cache", "prune", "--max-size", "lots"]);
    bad.assert(2);
    assert!(
        bad.stderr.contains("`lots` is not a size (e.g. 500M, 2G)"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_failed_step_stores_and_uploads_nothing() {
    let server = Nginx::start();
    let ws = clone();
    ws.pipeline(
        "p",
        &PIPELINE.replace(
            "      chmod 755 out/bin/tool\n",
            "      chmod 755 out/bin/tool\n      exit 3\n",
        ),
    );
    let out = run(&ws, &server.url(), &[]);
    out.assert(1);
    assert_eq!(server.files().len(), 0, "nothing uploaded for a failure");
    assert!(
        !ws.path("target/xtask/cache/ac").exists(),
        "nothing stored locally either"
    );
}

/// Google's protobuf runtime (PyPI `protobuf`), installed once per target directory.
fn protobuf_python() -> std::path::PathBuf {
    crate::support::test_tool("protobuf-5.29.3", "google/protobuf", |stage| {
        let mut pip = std::process::Command::new("python3");
        pip.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(stage)
        .arg("protobuf==5.29.3");
        pip
    })
}

#[test]
fn what_is_uploaded_decodes_with_the_protobuf_runtime() {
    let server = Nginx::start();
    uploaded(&server);
    let action = server
        .files()
        .into_iter()
        .find(|(p, _)| p.to_string_lossy().contains("/ac/"))
        .unwrap()
        .0;
    let out = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protobuf/decode.py"))
        .arg(&action)
        .env("PYTHONPATH", protobuf_python())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |path: &str| {
        decoded["outputFiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .cloned()
            .unwrap()
    };
    let result = file("out/result.txt");
    assert_eq!(
        result["digest"]["hash"],
        xtask_inputs::digest::sha256(b"alpha\nbeta\n")
    );
    assert_eq!(result["digest"]["sizeBytes"], "11");
    assert_eq!(result.get("isExecutable"), None);
    assert_eq!(file("out/bin/tool")["isExecutable"], true);
    assert_eq!(decoded["stdoutDigest"]["sizeBytes"], "26");
    assert_eq!(
        decoded.get("exitCode"),
        None,
        "0, the default, is not written"
    );
}

/// A service step starts only when a step that needs it will run; a restore that is then
/// refused would leave that step without it, so the restore is tried first.
#[test]
fn a_service_starts_when_its_consumer_cannot_be_restored() {
    const SERVICE: &str = "steps:\n  - id: server\n    service: true\n    shell: sh\n    run: echo started >> server.log\n  - id: client\n    shell: sh\n    run: test -f server.log; echo run >> runs.log; mkdir -p out; cat src/*.txt > out/result.txt\n    inputs: [\"src/*.txt\"]\n    outputs: [out/result.txt]\n";
    let server = Nginx::start();
    let with_service = || {
        let ws = clone();
        ws.pipeline("p", SERVICE);
        ws
    };
    let a = with_service();
    run(&a, &server.url(), &[]).assert(0);
    let b = with_service();
    let out = run(&b, &server.url(), &[]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("↷ p/server skipped: not started: the one step that needs it is cached"),
        "{}",
        out.stdout
    );
    assert!(!b.path("server.log").exists());
    assert_built(&b);
    let (blob, _) = server
        .files()
        .into_iter()
        .find(|(_, bytes)| bytes == b"alpha\nbeta\n")
        .unwrap();
    std::fs::write(&blob, "tampered\n").unwrap();
    let c = with_service();
    let out = run(&c, &server.url(), &[]);
    out.assert(0);
    assert!(out.stdout.contains("✓ p/server "), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("warning: cannot restore p/client: cas/"),
        "{}",
        out.stdout
    );
    assert!(
        c.path("server.log").exists(),
        "the service ran for the step"
    );
    assert_eq!(runs(&c), 1);
    assert_built(&c);
}
