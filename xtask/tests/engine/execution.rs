//! `cargo xtask run`: ordering, parallelism, output blocks, failures, skips and secrets.

use crate::support::{Ws, summary};
use std::time::{Duration, Instant};

#[test]
fn runs_steps_and_prints_each_block_after_its_line() {
    let ws = Ws::new();
    ws.pipeline("hello", "steps:\n  - id: greet\n    run: echo hello world\n  - id: mkdir\n    uses: fs/ensure-dir\n    with: { path: out/deep }\n");
    let out = ws.run(&["run", "hello"]);
    out.assert(0);
    assert_eq!(
        out.stdout_redacted(),
        "✓ hello/greet [T]\nhello world\n✓ hello/mkdir [T]\nensured out/deep/\nsummary: 2 steps in [T]\n  ok             2\n✓ hello passed\n"
    );
    assert!(ws.path("out/deep").is_dir());
}

#[test]
fn independent_steps_run_in_parallel() {
    let ws = Ws::new();
    let steps: String = (0..8)
        .map(|i| format!("  - id: s{i}\n    needs: []\n    run: sleep 0.5\n"))
        .collect();
    ws.pipeline("fan", &format!("steps:\n{steps}"));
    let start = Instant::now();
    ws.run(&["run", "fan", "--jobs", "8"]).assert(0);
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_secs(3),
        "8 × 0.5 s took {elapsed:?}"
    );
}

#[test]
fn jobs_bounds_the_parallelism() {
    let ws = Ws::new();
    // Each step appends its start (+1) and end (-1) with a nanosecond timestamp.
    let script = "echo $(date +%s%N) 1 >> events; sleep 0.3; echo $(date +%s%N) -1 >> events";
    let steps: String = (0..6)
        .map(|i| format!("  - id: s{i}\n    needs: []\n    shell: sh\n    run: \"{script}\"\n"))
        .collect();
    ws.pipeline("fan", &format!("steps:\n{steps}"));
    ws.run(&["run", "fan", "-j", "2"]).assert(0);
    let text = std::fs::read_to_string(ws.path("events")).unwrap();
    let mut events: Vec<(u128, i32)> = text
        .lines()
        .map(|l| {
            let (t, d) = l.split_once(' ').unwrap();
            (t.parse().unwrap(), d.parse().unwrap())
        })
        .collect();
    events.sort();
    let peak = events
        .iter()
        .scan(0, |n, (_, d)| {
            *n += d;
            Some(*n)
        })
        .max()
        .unwrap();
    assert_eq!(
        peak, 2,
        "steps running at once should peak at --jobs 2: {text}"
    );
}

#[test]
fn order_respects_needs_across_pipelines_and_steps() {
    let ws = Ws::new();
    let log = |name: &str| format!("    shell: sh\n    run: sleep 0.1; echo {name} >> order\n");
    ws.pipeline(
        "base",
        &format!(
            "steps:\n  - id: one\n{}  - id: two\n{}",
            log("base/one"),
            log("base/two")
        ),
    );
    ws.pipeline("app", &format!("needs: [base]\nsteps:\n  - id: late\n    needs: [early]\n{}  - id: early\n    needs: []\n{}", log("app/late"), log("app/early")));
    ws.run(&["run", "app", "-j", "4"]).assert(0);
    let order = std::fs::read_to_string(ws.path("order")).unwrap();
    assert_eq!(order, "base/one\nbase/two\napp/early\napp/late\n");
}

#[test]
fn no_deps_runs_only_the_named_pipeline() {
    let ws = Ws::new();
    ws.pipeline("base", "steps:\n  - id: one\n    run: echo base\n");
    ws.pipeline(
        "app",
        "needs: [base]\nsteps:\n  - id: one\n    run: echo app\n",
    );
    let out = ws.run(&["run", "app", "--no-deps", "-q"]);
    out.assert(0);
    assert_eq!(
        out.stdout_redacted(),
        "summary: 1 step in [T]\n  ok             1\n✓ app passed\n"
    );
}

#[test]
fn concurrent_output_is_not_interleaved() {
    let ws = Ws::new();
    let step = |id: &str| {
        format!(
            "  - id: {id}\n    needs: []\n    shell: sh\n    run: for i in 1 2 3 4 5; do echo {id}-$i; sleep 0.05; done\n"
        )
    };
    ws.pipeline(
        "mix",
        &format!("steps:\n{}{}{}", step("a"), step("b"), step("c")),
    );
    let out = ws.run(&["run", "mix", "-j", "3"]);
    out.assert(0);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains('-') && !l.contains(' '))
        .collect();
    assert_eq!(lines.len(), 15, "{}", out.stdout);
    for block in lines.chunks(5) {
        let id = &block[0][..1];
        let expected: Vec<String> = (1..=5).map(|i| format!("{id}-{i}")).collect();
        assert_eq!(
            block,
            expected.as_slice(),
            "a block was interleaved:\n{}",
            out.stdout
        );
    }
}

#[test]
fn failure_shows_command_status_and_tail_and_stops_scheduling() {
    let ws = Ws::new();
    ws.pipeline("p", "steps:\n  - id: bad\n    shell: sh\n    run: echo some context; exit 3\n  - id: later\n    needs: []\n    run: echo should not run\n");
    let out = ws.run(&["run", "p", "-j", "1"]);
    out.assert(1);
    assert_eq!(
        out.stdout_redacted(),
        format!(
            "✗ p/bad [T]: exit status 3\n\
         some context\n\
         {}\
         first failure: p/bad (exit status 3)\n  \
         defined at pipelines/p.yaml:2:5\n  \
         command: sh -ec 'echo some context; exit 3'\n  \
         last 1 lines of output:\n    \
         some context\n",
            summary(&[("failed", 1), ("not run", 1)], "p", "failed")
        )
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn keep_going_runs_independent_steps_but_not_dependents() {
    let ws = Ws::new();
    ws.pipeline("p", "steps:\n  - id: bad\n    run: \"false\"\n  - id: after-bad\n    run: echo no\n  - id: other\n    needs: []\n    run: echo yes\n");
    let out = ws.run(&["run", "p", "-j", "1", "--keep-going"]);
    out.assert(1);
    let text = out.stdout_redacted();
    assert!(text.contains("✗ p/bad [T]: exit status 1\n"), "{text}");
    assert!(
        text.contains("- p/after-bad not run: needs p/bad, which did not succeed\n"),
        "{text}"
    );
    assert!(text.contains("✓ p/other [T]\nyes\n"), "{text}");
    assert!(
        text.contains(&summary(
            &[("ok", 1), ("failed", 1), ("not run", 1)],
            "p",
            "failed"
        )),
        "{text}"
    );
}

#[test]
fn continue_on_error_lets_dependents_run_and_the_run_pass() {
    let ws = Ws::new();
    ws.pipeline("p", "steps:\n  - id: flaky\n    run: \"false\"\n    continue-on-error: true\n  - id: next\n    run: echo ran\n");
    let out = ws.run(&["run", "p"]);
    out.assert(0);
    assert_eq!(
        out.stdout_redacted(),
        "✗ p/flaky [T]: exit status 1 (continue-on-error)\n✓ p/next [T]\nran\nsummary: 2 steps in [T]\n  ok             1\n  failed         1\n✓ p passed\n"
    );
}

#[test]
fn missing_command_is_a_clear_failure() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "steps:\n  - id: x\n    run: no-such-command-here --flag\n",
    );
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(
        out.stdout.contains("✗ p/x ") && out.stdout.contains("cannot run `no-such-command-here`: command not found (is it installed and on PATH?)\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_that_is_not_executable_is_a_clear_failure() {
    let ws = Ws::new();
    ws.file("tool.sh", "#!/bin/sh\necho never\n");
    ws.pipeline("p", "steps:\n  - id: x\n    run: [./tool.sh]\n");
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(
        out.stdout.contains("✗ p/x ")
            && out
                .stdout
                .contains("cannot run `./tool.sh`: permission denied (is it executable?)\n")
            && !out.stdout.contains("never"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_step_starts_with_no_signal_blocked_and_interrupts_not_ignored() {
    let ws = Ws::new();
    // grep itself is the step's process: what /proc shows is what the engine handed over.
    ws.pipeline(
        "p",
        "steps:\n  - id: show\n    run: [grep, -E, '^Sig(Blk|Ign)', /proc/self/status]\n",
    );
    let out = ws.run(&["run", "p", "-v"]);
    out.assert(0);
    let mask = |name: &str| {
        let line = out
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {}", out.stdout));
        u64::from_str_radix(line.trim(), 16).unwrap()
    };
    assert_eq!(mask("SigBlk:"), 0, "{}", out.stdout);
    // SIGINT, SIGPIPE and SIGTERM: the engine handles or ignores them, its steps must not.
    let bit = |signal: u32| 1u64 << (signal - 1);
    assert_eq!(
        mask("SigIgn:") & (bit(2) | bit(13) | bit(15)),
        0,
        "{}",
        out.stdout
    );
}

#[test]
fn timeout_kills_the_process_group() {
    let ws = Ws::new();
    ws.pipeline("p", "steps:\n  - id: slow\n    timeout: 1s\n    shell: sh\n    run: sleep 300 & echo $! > child.pid; echo started; wait\n");
    let start = Instant::now();
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        out.stdout
            .starts_with("✗ p/slow timed out after 1s\nstarted\n"),
        "{}",
        out.stdout
    );
    let pid: i32 = std::fs::read_to_string(ws.path("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        crate::support::gone(pid),
        "the step's child {pid} survived the timeout"
    );
}

#[test]
fn skips_print_their_reasons() {
    let ws = Ws::new();
    ws.pipeline("sign", "when:\n  any: [{ env: COSIGN_KEY_B64 }, { file: cosign.key }]\nsteps:\n  - id: sign\n    run: echo signing\n");
    ws.pipeline("p", "needs: [sign]\nsteps:\n  - id: ci-only\n    when: { ci: true }\n    run: echo ci\n  - id: local\n    when: { not: { ci: true } }\n    run: echo local\n");
    let out = ws.run(&["run", "p"]);
    out.assert(0);
    assert_eq!(
        out.stdout_redacted(),
        "↷ sign skipped: COSIGN_KEY_B64 is not set and cosign.key does not exist\n\
         ↷ p/ci-only skipped: not running in CI\n\
         ✓ p/local [T]\nlocal\n\
         "
        .to_string()
            + &summary(&[("ok", 1), ("skipped", 2)], "p", "passed")
    );
    let keyed = ws.run_with(&["run", "sign", "-q"], &[("COSIGN_KEY_B64", "x")]);
    keyed.assert(0);
    assert_eq!(
        keyed.stdout_redacted(),
        "summary: 1 step in [T]\n  ok             1\n✓ sign passed\n"
    );
}

#[test]
fn secrets_are_masked_even_when_split_across_writes() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "secrets: [API_TOKEN]\nsteps:\n  - id: leak\n    shell: bash\n    run: |\n      echo \"whole: $API_TOKEN\"\n      printf 'split: %s' \"${API_TOKEN:0:5}\"; sleep 0.2; printf '%s\\n' \"${API_TOKEN:5}\"\n      echo \"$API_TOKEN\" >&2\n      exit 1\n",
    );
    let out = ws.run_with(&["run", "p"], &[("API_TOKEN", "tok-9f8e7d6c5b")]);
    out.assert(1);
    assert!(!out.stdout.contains("tok-9f8e7d6c5b") && !out.stderr.contains("tok-9f8e7d6c5b"));
    assert!(
        !out.stdout.contains("tok-9") && !out.stdout.contains("f8e7d6c5b"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("whole: ***\nsplit: ***\n***\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn step_environment_has_pipeline_and_step_env_and_workspace_vars() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "env: { A: from-pipeline, B: pipeline }\nsteps:\n  - id: show\n    env: { B: from-step }\n    cwd: sub\n    shell: sh\n    run: echo $A $B $XTASK_PIPELINE/$XTASK_STEP; pwd; echo {{ workspace }}\n",
    );
    std::fs::create_dir(ws.path("sub")).unwrap();
    let out = ws.run(&["run", "p"]);
    out.assert(0);
    let root = ws.root().canonicalize().unwrap();
    assert_eq!(
        out.stdout_redacted(),
        format!(
            "✓ p/show [T]\nfrom-pipeline from-step p/show\n{0}/sub\n{0}\n{1}",
            root.display(),
            summary(&[("ok", 1)], "p", "passed")
        )
    );
}

#[test]
fn an_aggregate_pipeline_waits_for_everything_it_groups() {
    let ws = Ws::new();
    ws.pipeline("a", "steps:\n  - id: x\n    run: sleep 0.2\n");
    ws.pipeline("b", "steps:\n  - id: x\n    run: echo b\n");
    ws.pipeline("all", "needs: [a, b]\n");
    ws.pipeline(
        "after",
        "needs: [all]\nsteps:\n  - id: x\n    shell: sh\n    run: echo after\n",
    );
    let out = ws.run(&["plan", "after"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        "plan for after (3 steps in 4 pipelines)\n  \
         1. a/x will run\n       $ sleep 0.2\n  \
         2. b/x will run\n       $ echo b\n  \
         3. after/x will run\n       $ sh -ec 'echo after'\n       after a/x, b/x\n"
    );
}

#[test]
fn after_orders_pipelines_in_the_same_run_without_pulling_them_in() {
    let ws = Ws::new();
    let log = |name: &str| {
        format!("steps:\n  - id: x\n    shell: sh\n    run: sleep 0.2; echo {name} >> order\n")
    };
    ws.pipeline("check", &log("check"));
    ws.pipeline("generate", &format!("after: [check]\n{}", log("generate")));
    ws.pipeline("all", "needs: [generate, check]\n");
    ws.run(&["run", "all", "-j", "4"]).assert(0);
    assert_eq!(
        std::fs::read_to_string(ws.path("order")).unwrap(),
        "check\ngenerate\n"
    );
    std::fs::remove_file(ws.path("order")).unwrap();
    ws.run(&["run", "generate", "-q"]).assert(0);
    assert_eq!(
        std::fs::read_to_string(ws.path("order")).unwrap(),
        "generate\n",
        "after does not pull `check` in"
    );
}

/// A step's environment: its own PATH is kept (no tools to put first), and colour is passed
/// on as `CARGO_TERM_COLOR=always` unless the step (or the engine's caller) sets it.
#[test]
fn a_step_keeps_its_own_path_and_gets_the_colour_it_does_not_set() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "steps:\n  - id: path\n    env: { PATH: /opt/marker:/usr/bin:/bin }\n    shell: sh\n    run: echo \"path=$PATH\"\n  - id: colour\n    shell: sh\n    run: echo \"colour=${CARGO_TERM_COLOR-unset}\"\n  - id: own-colour\n    env: { CARGO_TERM_COLOR: never }\n    shell: sh\n    run: echo \"own=$CARGO_TERM_COLOR\"\n",
    );
    let run = |color: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["run", "p", "--root"])
            .arg(ws.root())
            .args(["--color", color])
            .env_remove("CARGO_TERM_COLOR")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .expect("run xtask");
        assert!(out.status.success(), "{out:?}");
        crate::support::redact(&String::from_utf8_lossy(&out.stdout))
    };
    let never = run("never");
    assert!(
        never.contains("path=/opt/marker:/usr/bin:/bin\n"),
        "{never}"
    );
    assert!(never.contains("colour=unset\n"), "{never}");
    assert!(never.contains("own=never\n"), "{never}");
    let always = run("always");
    assert!(always.contains("colour=always\n"), "{always}");
    assert!(always.contains("own=never\n"), "{always}");
}
