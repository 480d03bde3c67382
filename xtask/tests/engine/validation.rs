//! `cargo xtask check`: one test per kind of mistake, asserting the exact rendering.

use crate::support::Ws;

/// Runs `check` on a workspace holding one pipeline `p` and returns stderr (exit 2 asserted).
fn check_one(yaml: &str) -> String {
    let ws = Ws::new();
    ws.pipeline("p", yaml);
    let out = ws.run(&["check"]);
    out.assert(2);
    assert_eq!(out.stdout, "");
    out.stderr
}

#[test]
fn yaml_syntax_error() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: [echo, hi\n"),
        "error: invalid YAML: while parsing a flow sequence, expected ',' or ']'\n \
         --> pipelines/p.yaml:3:19\n  \
         |\n\
         3 |     run: [echo, hi\n  \
         |                   ^\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn unknown_key_with_suggestion() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo hi\n    tiemout: 5m\n"),
        "error: unknown key `tiemout` in a step\n \
         --> pipelines/p.yaml:4:5\n  \
         |\n\
         4 |     tiemout: 5m\n  \
         |     ^^^^^^^\n  \
         = hint: did you mean `timeout`?\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn unknown_top_level_key_lists_valid_keys() {
    assert_eq!(
        check_one("stages: []\nsteps:\n  - id: a\n    run: echo\n"),
        "error: unknown key `stages` in a pipeline\n \
         --> pipelines/p.yaml:1:1\n  \
         |\n\
         1 | stages: []\n  \
         | ^^^^^^\n  \
         = hint: valid keys are: description, needs, after, when, env, secrets, tools, steps\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn wrong_type() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    continue-on-error: yes\n"),
        "error: `continue-on-error` must be `true` or `false`, found a string\n \
         --> pipelines/p.yaml:4:24\n  \
         |\n\
         4 |     continue-on-error: yes\n  \
         |                        ^^^\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn missing_run_and_uses() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    timeout: 5s\n"),
        "error: step `a` has neither `run` nor `uses`\n \
         --> pipelines/p.yaml:2:5\n  \
         |\n\
         2 |   - id: a\n  \
         |     ^^^^^\n  \
         = hint: add `run: <command>` or `uses: <built-in>`\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn both_run_and_uses() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    uses: fs/remove\n"),
        "error: step `a` has both `run` and `uses`\n \
         --> pipelines/p.yaml:4:5\n  \
         |\n\
         4 |     uses: fs/remove\n  \
         |     ^^^^\n  \
         = hint: a step runs a command or uses a built-in, not both; split it into two steps\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn duplicate_step_ids() {
    assert_eq!(
        check_one("steps:\n  - id: build\n    run: echo 1\n  - id: build\n    run: echo 2\n"),
        "error: duplicate step id `build`\n \
         --> pipelines/p.yaml:4:9\n  \
         |\n\
         4 |   - id: build\n  \
         |         ^^^^^\n  \
         = hint: the first step `build` is on line 2; give each step its own id\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn needs_unknown_pipeline() {
    let ws = Ws::new();
    ws.pipeline(
        "deploy",
        "needs: [tset]\nsteps:\n  - id: a\n    run: echo\n",
    );
    ws.pipeline("test", "steps:\n  - id: a\n    run: echo\n");
    let out = ws.run(&["check"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: pipeline `deploy` needs unknown pipeline `tset`\n \
         --> pipelines/deploy.yaml:1:9\n  \
         |\n\
         1 | needs: [tset]\n  \
         |         ^^^^\n  \
         = hint: did you mean `test`?\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn needs_unknown_step() {
    assert_eq!(
        check_one(
            "steps:\n  - id: build\n    run: echo\n  - id: pack\n    needs: [biuld]\n    run: echo\n"
        ),
        "error: step `pack` needs unknown step `biuld`\n \
         --> pipelines/p.yaml:5:13\n  \
         |\n\
         5 |     needs: [biuld]\n  \
         |             ^^^^^\n  \
         = hint: did you mean `build`?\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn pipeline_cycle_is_printed() {
    let ws = Ws::new();
    ws.pipeline("a", "needs: [b]\nsteps:\n  - id: x\n    run: echo\n");
    ws.pipeline("b", "needs: [c]\nsteps:\n  - id: x\n    run: echo\n");
    ws.pipeline("c", "needs: [a]\nsteps:\n  - id: x\n    run: echo\n");
    let out = ws.run(&["check"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: dependency cycle between pipelines: a → b → c → a\n \
         --> pipelines/a.yaml:1:9\n  \
         |\n\
         1 | needs: [b]\n  \
         |         ^\n  \
         = hint: remove one of these `needs` or `after` so the pipelines can run in order\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn step_cycle_through_default_order_is_printed() {
    assert_eq!(
        check_one(
            "steps:\n  - id: a\n    needs: [c]\n    run: echo\n  - id: b\n    run: echo\n  - id: c\n    run: echo\n"
        ),
        "error: dependency cycle between steps of `p`: a → c → b → a\n \
         --> pipelines/p.yaml:3:13\n  \
         |\n\
         3 |     needs: [c]\n  \
         |             ^\n  \
         = hint: a step without `needs` waits for the step before it; remove one of these dependencies\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn unknown_builtin() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    uses: fs/ensuredir\n"),
        "error: unknown built-in `fs/ensuredir`\n \
         --> pipelines/p.yaml:3:11\n  \
         |\n\
         3 |     uses: fs/ensuredir\n  \
         |           ^^^^^^^^^^^^\n  \
         = hint: did you mean `fs/ensure-dir`?\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn builtin_arguments_are_checked() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    uses: fs/remove\n    with: { paht: out }\n"),
        "error: `fs/remove` takes exactly one of `path` and `paths`\n \
         --> pipelines/p.yaml:4:11\n  \
         |\n\
         4 |     with: { paht: out }\n  \
         |           ^^^^^^^^^^^^^\n\
         \n\
         error: unknown key `paht` in `with` of `fs/remove`\n \
         --> pipelines/p.yaml:4:13\n  \
         |\n\
         4 |     with: { paht: out }\n  \
         |             ^^^^\n  \
         = hint: did you mean `path`?\n\
         \n\
         error: 2 errors in pipeline files\n"
    );
}

#[test]
fn invalid_glob() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    inputs: [\"src/**.rs\"]\n"),
        "error: invalid glob in `inputs`: recursive wildcards must form a single path component\n \
         --> pipelines/p.yaml:4:21\n  \
         |\n\
         4 |     inputs: [\"src/**.rs\"]\n  \
         |                     ^\n  \
         = hint: globs use `*`, `**`, `?` and `[...]`; `**` must be a whole path component\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn cwd_escaping_the_workspace() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    cwd: ../elsewhere\n"),
        "error: `cwd` path `../elsewhere` leaves the workspace\n \
         --> pipelines/p.yaml:4:10\n  \
         |\n\
         4 |     cwd: ../elsewhere\n  \
         |          ^^^^^^^^^^^^\n  \
         = hint: use a path relative to the workspace root, without leading `..`\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn outputs_escaping_the_workspace() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    outputs: [/tmp/x.json]\n"),
        "error: `outputs` path `/tmp/x.json` leaves the workspace\n \
         --> pipelines/p.yaml:4:15\n  \
         |\n\
         4 |     outputs: [/tmp/x.json]\n  \
         |               ^^^^^^^^^^^\n  \
         = hint: use a path relative to the workspace root, without leading `..`\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn bad_duration() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: echo\n    timeout: 5 minutes\n"),
        "error: bad `timeout`: ` minutes` is not a duration unit\n \
         --> pipelines/p.yaml:4:14\n  \
         |\n\
         4 |     timeout: 5 minutes\n  \
         |              ^^^^^^^^^\n  \
         = hint: write a duration like `90s`, `5m` or `1h30m`\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn shell_syntax_without_a_shell() {
    assert_eq!(
        check_one("steps:\n  - id: a\n    run: cargo test 2>&1 | tee log\n"),
        "error: `>` is shell syntax, but `run` does not use a shell\n \
         --> pipelines/p.yaml:3:22\n  \
         |\n\
         3 |     run: cargo test 2>&1 | tee log\n  \
         |                      ^\n  \
         = hint: add `shell: bash` to run it with a shell, or quote the character\n\
         \n\
         error: 1 error in pipeline files\n"
    );
}

#[test]
fn every_error_of_every_file_in_one_pass() {
    let ws = Ws::new();
    ws.pipeline("one", "steps:\n  - id: a\n    run: echo\n    tiemout: 5m\n  - id: b\n    timeout: 5\n    run: echo\n");
    ws.pipeline("two", "needs: [nope]\nsteps:\n  - id: a\n    uses: nope\n");
    let out = ws.run(&["check"]);
    out.assert(2);
    let locations: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("--> "))
        .collect();
    assert_eq!(
        locations,
        [
            " --> pipelines/one.yaml:4:5",
            " --> pipelines/one.yaml:6:14",
            " --> pipelines/two.yaml:1:9",
            " --> pipelines/two.yaml:4:11",
        ]
    );
    assert!(
        out.stderr.ends_with("error: 4 errors in pipeline files\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn valid_workspace_passes() {
    let ws = Ws::new();
    ws.pipeline("a", "description: A\nsteps:\n  - id: x\n    run: echo\n  - id: y\n    uses: fs/ensure-dir\n    with: { path: out }\n");
    ws.pipeline("all", "needs: [a]\n");
    let out = ws.run(&["check"]);
    out.assert(0);
    assert_eq!(out.stdout, "✓ 2 pipelines with 2 steps are valid\n");
}
