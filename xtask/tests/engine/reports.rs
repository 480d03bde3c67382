//! Reports: the GitHub Actions mode (groups, annotations, escaping, job summary, outputs),
//! the JSON report against its documented schema, and masking in every sink.

use crate::support::{Ws, redact};

const SECRET: &str = "s3cr3t-Value-42";

/// One passing step, one failing step whose output has characters that need escaping and
/// a workflow command it must not be able to run, one skipped step; the secret appears in
/// output and in a command line.
fn workspace() -> Ws {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        &format!(
            "secrets: [API_TOKEN]\nsteps:\n  - id: hello\n    run: echo hello {SECRET}\n  - id: tricky\n    needs: []\n    shell: sh\n    run: |\n      echo \"::warning::injected\"\n      echo \"token $API_TOKEN\"\n      echo \"50% done, a:b\"\n      exit 2\n  - id: later\n    needs: []\n    when: {{ env: NOT_SET_ANYWHERE }}\n    run: echo no\n"
        ),
    );
    ws
}

/// Replaces the random 32-hex tokens of `::stop-commands::` and heredoc delimiters.
fn tokens(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() == 32 { "[TOKEN]" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() == 32 { "[TOKEN]" } else { &run });
    out
}

#[test]
fn github_mode_groups_annotates_summarises_and_masks() {
    let ws = workspace();
    let summary = ws.path("step-summary.md");
    let output = ws.path("github-output");
    let out = ws.run_with(
        &["run", "p", "-j", "1", "--keep-going"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
            ("API_TOKEN", SECRET),
        ],
    );
    out.assert(1);
    assert_eq!(
        tokens(&redact(&out.stdout)),
        format!(
            "::add-mask::{SECRET}\n\
             ::group::✓ p/hello [T]\n\
             ::stop-commands::[TOKEN]\n\
             hello ***\n\
             ::[TOKEN]::\n\
             ::endgroup::\n\
             ::group::✗ p/tricky [T]: exit status 2\n\
             ::stop-commands::[TOKEN]\n\
             ::warning::injected\n\
             token ***\n\
             50% done, a:b\n\
             ::[TOKEN]::\n\
             ::endgroup::\n\
             ::error file=pipelines/p.yaml,line=5,col=5,title=p/tricky failed::exit status 2%0A::warning::injected%0Atoken ***%0A50%25 done, a:b\n\
             ↷ p/later skipped: NOT_SET_ANYWHERE is not set\n\
             {}\
             first failure: p/tricky (exit status 2)\n  \
             defined at pipelines/p.yaml:5:5\n  \
             command: sh -ec 'echo \"::warning::injected\"\n    \
             echo \"token $API_TOKEN\"\n    \
             echo \"50% done, a:b\"\n    \
             exit 2\n    \
             '\n  \
             last 3 lines of output:\n    \
             ::warning::injected\n    \
             token ***\n    \
             50% done, a:b\n",
            crate::support::summary(&[("ok", 1), ("failed", 1), ("skipped", 1)], "p", "failed")
        )
    );
    assert_eq!(
        redact(&std::fs::read_to_string(&summary).unwrap()),
        "### ❌ `p` failed in [T]\n\n\
         | step | status | time | note |\n|---|---|---:|---|\n\
         | `p/hello` | ✅ ok | [T] |  |\n\
         | `p/tricky` | ❌ failed | [T] | exit status 2 |\n\
         | `p/later` | ⏭️ skipped |  | NOT_SET_ANYWHERE is not set |\n\n"
    );
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        tokens(&outputs),
        "p<<ghadelimiter_[TOKEN]\nfailure\nghadelimiter_[TOKEN]\noutcome<<ghadelimiter_[TOKEN]\nfailed\nghadelimiter_[TOKEN]\n"
    );
    let lines: Vec<&str> = outputs.lines().collect();
    let delimiters: Vec<&str> = lines
        .chunks(3)
        .map(|c| c[0].split_once("<<").unwrap().1)
        .collect();
    for (chunk, delimiter) in lines.chunks(3).zip(&delimiters) {
        assert_eq!(
            chunk[2], *delimiter,
            "each heredoc ends with its own delimiter"
        );
    }
    assert_ne!(
        delimiters[0], delimiters[1],
        "each value gets its own random delimiter"
    );
    for text in [
        &out.stdout[SECRET.len() + 13..],
        &out.stderr,
        &std::fs::read_to_string(&summary).unwrap(),
    ] {
        assert!(!text.contains(SECRET));
    }
}

#[test]
fn the_json_report_follows_its_schema_and_masks_secrets() {
    let ws = workspace();
    ws.pipeline("q", "steps:\n  - id: cached\n    run: echo hi\n    inputs: [pipelines/q.yaml]\n  - id: slow\n    timeout: 1s\n    run: sleep 5\n");
    ws.run_with(&["run", "q"], &[]);
    let out = ws.run_with(
        &["run", "p", "q", "--json", "-j", "1", "--keep-going"],
        &[("API_TOKEN", SECRET)],
    );
    out.assert(1);
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is the JSON report");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/report.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        crate::schema::validate(&schema, &report),
        Vec::<String>::new()
    );
    let statuses: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ok", "failed", "skipped", "cached", "timed-out"]);
    assert_eq!(report["steps"][1]["exit_code"], 2);
    assert_eq!(report["steps"][0]["command"], "echo hello ***");
    assert_eq!(report["outcome"], "failed");
    assert_eq!(
        report["pipelines"],
        serde_json::json!([{ "name": "p", "outcome": "failure" }, { "name": "q", "outcome": "failure" }])
    );
    let on_disk = std::fs::read_to_string(ws.path("target/xtask/report.json")).unwrap();
    assert_eq!(on_disk, out.stdout, "--json prints the file it writes");
    assert!(!on_disk.contains(SECRET));
    assert!(
        out.stderr.contains("✗ p/tricky "),
        "the human report moves to stderr: {}",
        out.stderr
    );
    assert!(!out.stderr.contains(SECRET));
}
