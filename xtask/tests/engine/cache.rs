//! The step cache: hits on unchanged inputs, misses (with the reason `plan` prints) on every
//! kind of change, never keyed on secret values, safe with concurrent engines.

use crate::support::Ws;

const PIPELINE: &str = "env: { FLAVOUR: plain }
secrets: [API_TOKEN]
tools:
  sh: { version: \"2.0\", version-args: [-c, \"echo sh 2.0\"] }
steps:
  - id: build
    shell: sh
    run: echo run >> runs.log; mkdir -p out; cat src/*.txt > out/result.txt
    inputs: [\"src/*.txt\"]
    outputs: [out/result.txt]
";

fn workspace() -> Ws {
    let ws = Ws::new();
    ws.pipeline("p", PIPELINE);
    ws.file("src/a.txt", "alpha\n").file("src/b.txt", "beta\n");
    ws
}

fn runs(ws: &Ws) -> usize {
    std::fs::read_to_string(ws.path("runs.log")).map_or(0, |t| t.lines().count())
}

/// Runs `p` and returns its stdout, asserting success.
fn run(ws: &Ws, env: &[(&str, &str)]) -> String {
    let out = ws.run_with(&["run", "p"], env);
    out.assert(0);
    out.stdout_redacted()
}

/// What `plan` says about the step.
fn plan(ws: &Ws, env: &[(&str, &str)]) -> String {
    let out = ws.run_with(&["plan", "p"], env);
    out.assert(0);
    out.stdout.lines().nth(1).unwrap().trim().to_owned()
}

#[test]
fn unchanged_inputs_hit() {
    let ws = workspace();
    assert!(run(&ws, &[]).starts_with("✓ p/build [T]\n"));
    assert_eq!(plan(&ws, &[]), "1. p/build cached");
    assert!(run(&ws, &[]).starts_with("= p/build cached\n"));
    assert_eq!(runs(&ws), 1);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path("target/xtask/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["steps"][0]["status"], "cached");
    assert_eq!(report["steps"][0]["outputs"][0]["path"], "out/result.txt");
}

/// Applies `change`, checks the reason `plan` gives, and that the next run runs the step.
fn misses(change: impl Fn(&Ws), env: &[(&str, &str)], why: &str) {
    let ws = workspace();
    run(&ws, &[]);
    change(&ws);
    assert_eq!(plan(&ws, env), format!("1. p/build will run (why: {why})"));
    assert!(run(&ws, env).starts_with("✓ p/build [T]\n"));
    assert_eq!(runs(&ws), 2);
    assert!(
        run(&ws, env).starts_with("= p/build cached\n"),
        "a rerun after the change hits again"
    );
}

#[test]
fn content_change_misses() {
    misses(
        |ws| {
            ws.file("src/a.txt", "ALPHA\n");
        },
        &[],
        "input src/a.txt changed",
    );
}

#[test]
fn renamed_input_misses() {
    misses(
        |ws| std::fs::rename(ws.path("src/a.txt"), ws.path("src/c.txt")).unwrap(),
        &[],
        "input src/a.txt was removed",
    );
}

#[test]
fn added_input_misses() {
    misses(
        |ws| {
            ws.file("src/new.txt", "new\n");
        },
        &[],
        "input src/new.txt was added",
    );
}

#[test]
fn changed_env_value_misses() {
    misses(
        |ws| {
            ws.pipeline("p", &PIPELINE.replace("FLAVOUR: plain", "FLAVOUR: spicy"));
        },
        &[],
        "env FLAVOUR changed",
    );
}

#[test]
fn changed_command_misses() {
    misses(
        |ws| {
            ws.pipeline("p", &PIPELINE.replace("cat src", "cat -- src"));
        },
        &[],
        "the step's command changed",
    );
}

#[test]
fn changed_tool_version_misses() {
    misses(
        |ws| {
            ws.pipeline("p", &PIPELINE.replace("2.0", "2.1"));
        },
        &[],
        "tool sh changed",
    );
}

/// Applies `change` to the step's output, then checks that the next run puts the recorded
/// output back from the content store instead of running the step.
fn restores(change: impl Fn(&Ws)) {
    let ws = workspace();
    run(&ws, &[]);
    change(&ws);
    assert_eq!(
        plan(&ws, &[]),
        "1. p/build cached (outputs restored from the local store)"
    );
    assert!(run(&ws, &[]).starts_with("= p/build restored\n"));
    assert_eq!(runs(&ws), 1, "the command did not run again");
    assert_eq!(
        std::fs::read_to_string(ws.path("out/result.txt")).unwrap(),
        "alpha\nbeta\n"
    );
    assert!(run(&ws, &[]).starts_with("= p/build cached\n"));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path("target/xtask/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["steps"][0]["status"], "cached");
}

#[test]
fn a_deleted_output_is_restored_from_the_store() {
    restores(|ws| std::fs::remove_file(ws.path("out/result.txt")).unwrap());
}

#[test]
fn a_modified_output_is_restored_from_the_store() {
    restores(|ws| {
        ws.file("out/result.txt", "tampered\n");
    });
}

#[test]
fn without_a_stored_copy_a_deleted_output_runs_the_step() {
    let ws = workspace();
    run(&ws, &[]);
    std::fs::remove_dir_all(ws.path("target/xtask/cache/cas")).unwrap();
    std::fs::remove_file(ws.path("out/result.txt")).unwrap();
    assert_eq!(
        plan(&ws, &[]),
        "1. p/build will run (why: output out/result.txt is missing)"
    );
    assert!(run(&ws, &[]).starts_with("✓ p/build [T]\n"));
    assert_eq!(runs(&ws), 2);
}

#[test]
fn a_secret_counts_by_presence_never_by_value() {
    let ws = workspace();
    run(&ws, &[("API_TOKEN", "first-value-123")]);
    assert!(run(&ws, &[("API_TOKEN", "second-value-456")]).starts_with("= p/build cached\n"));
    assert_eq!(
        plan(&ws, &[]),
        "1. p/build will run (why: secret API_TOKEN is now unset)"
    );
    for entry in walk(&ws.path("target/xtask")) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains("first-value-123") && !text.contains("second-value-456"),
            "{} holds a secret",
            entry.display()
        );
    }
}

#[test]
fn no_cache_forces_a_run() {
    let ws = workspace();
    run(&ws, &[]);
    let out = ws.run(&["run", "p", "--no-cache"]);
    out.assert(0);
    assert_eq!(runs(&ws), 2);
}

#[test]
fn a_corrupt_entry_is_ignored_with_a_warning() {
    let ws = workspace();
    run(&ws, &[]);
    ws.file("target/xtask/cache/steps/p/build.json", "{ truncated");
    // The state file is unreadable; the result stored under the same key still is.
    let out = run(&ws, &[]);
    assert!(out.starts_with("= p/build restored\nwarning: ignoring the unreadable cache entry target/xtask/cache/steps/p/build.json: "), "{out}");
    assert_eq!(runs(&ws), 1);
    assert!(run(&ws, &[]).starts_with("= p/build cached\n"));
}

#[test]
fn the_stat_fast_path_still_sees_a_same_size_edit() {
    let ws = workspace();
    // Old enough that the stamps are remembered instead of re-hashed.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&ws, &[]);
    assert!(run(&ws, &[]).starts_with("= p/build cached\n"));
    ws.file("src/a.txt", "ALPHA\n");
    assert_eq!(
        plan(&ws, &[]),
        "1. p/build will run (why: input src/a.txt changed)"
    );
}

/// Engines running the same cached step at once take turns (a lock per step): the step runs
/// once, the others find its result, and every cache file stays whole.
#[test]
fn concurrent_engines_keep_the_cache_consistent() {
    let ws = Ws::new();
    let steps: String = (0..6)
        .map(|i| format!("  - id: s{i}\n    needs: []\n    shell: sh\n    run: echo s{i} >> runs.log; sleep 0.1; echo {i} > out{i}.txt\n    inputs: [\"src/*\"]\n    outputs: [out{i}.txt]\n"))
        .collect();
    ws.pipeline("p", &format!("steps:\n{steps}"));
    ws.file("src/x", "x\n");
    let engines: Vec<_> = (0..3)
        .map(|_| {
            ws.command(&["run", "p", "-q"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut engine in engines {
        assert!(engine.wait().unwrap().success());
    }
    assert_eq!(runs(&ws), 6, "each step ran once across the three engines");
    for i in 0..6 {
        let path = ws.path(&format!("target/xtask/cache/steps/p/s{i}.json"));
        let state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(state["outputs"][0]["path"], format!("out{i}.txt"));
    }
    let out = ws.run(&["run", "p"]);
    out.assert(0);
    assert_eq!(out.stdout.matches(" cached\n").count(), 6, "{}", out.stdout);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A service step starts only when a step that needs it will run, and the plan says why.
#[test]
fn a_service_starts_only_for_a_step_that_will_run() {
    let ws = Ws::new();
    ws.file("src.txt", "one\n");
    ws.pipeline(
        "p",
        "steps:\n  - id: server\n    service: true\n    shell: sh\n    run: echo started >> server.log\n  - id: client\n    inputs: [src.txt]\n    run: \"true\"\n  - id: apart\n    needs: []\n    run: \"true\"\n",
    );
    ws.run(&["run", "p"]).assert(0);
    let plan = ws.run(&["plan", "p"]);
    plan.assert(0);
    assert!(
        plan.stdout
            .contains("1. p/server skipped (not started: the one step that needs it is cached)\n"),
        "{}",
        plan.stdout
    );
    let second = ws.run(&["run", "p"]);
    second.assert(0);
    assert!(
        second
            .stdout
            .contains("↷ p/server skipped: not started: the one step that needs it is cached\n"),
        "{}",
        second.stdout
    );
    assert_eq!(
        std::fs::read_to_string(ws.path("server.log")).unwrap(),
        "started\n"
    );
    ws.file("src.txt", "two\n");
    let plan = ws.run(&["plan", "p"]);
    assert!(
        plan.stdout
            .contains("1. p/server will run (why: p/client will run)\n"),
        "{}",
        plan.stdout
    );
    ws.run(&["run", "p"]).assert(0);
    assert_eq!(
        std::fs::read_to_string(ws.path("server.log")).unwrap(),
        "started\nstarted\n"
    );
}
