//! Tools named in `tools:`: found on PATH, or provisioned once from the pinned install
//! command into `target/xtask/tools/<name>-<version>/`.

use crate::support::Ws;

/// A pipeline whose tool `greeter` is installed by a shell script that also counts installs.
fn with_installable_tool(ws: &Ws) {
    let install = "mkdir -p {{ prefix }}/bin && printf '#!/bin/sh\\necho greeter 2.1.0\\n' > {{ prefix }}/bin/greeter && chmod +x {{ prefix }}/bin/greeter && echo installed >> $XTASK_WORKSPACE_LOG";
    ws.pipeline(
        "p",
        &format!("tools:\n  greeter:\n    version: \"2.1.0\"\n    install: [sh, -c, \"{install}\"]\nsteps:\n  - id: use\n    run: greeter\n"),
    );
}

#[test]
fn missing_tool_fails_the_step_with_the_install_hint() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "tools:\n  no-such-tool:\n    version: \"1.18.1\"\n    install: pip install no-such-tool=={{ prefix }}\nsteps:\n  - id: use\n    run: no-such-tool --help\n",
    );
    let out = ws.run(&["run", "p", "--no-install-tools"]);
    out.assert(1);
    assert!(
        out.stdout.contains(
            ": tool `no-such-tool` 1.18.1 is not on PATH (tool installation is off: --no-install-tools); install it with: pip install no-such-tool=={{ prefix }}\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn tool_without_install_command_names_itself() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "tools:\n  frobtool: {}\nsteps:\n  - id: use\n    run: frobtool\n",
    );
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(
        out.stdout.contains(
            ": tool `frobtool` is not on PATH; install `frobtool` and make sure it is on PATH\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn wrong_version_on_path_is_reported() {
    let ws = Ws::new();
    ws.pipeline("p", "tools:\n  sh:\n    version: \"99.99.99\"\n    version-args: [-c, \"echo sh 1.0\"]\nsteps:\n  - id: use\n    run: sh -c true\n");
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(
        out.stdout
            .contains("tool `sh` 99.99.99 is needed, but the one on PATH is another version"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("printed `sh 1.0`)"), "{}", out.stdout);
}

#[test]
fn a_missing_tool_is_provisioned_once_and_reused() {
    let ws = Ws::new();
    with_installable_tool(&ws);
    let log = ws.path("installs.log");
    let env = [("XTASK_WORKSPACE_LOG", log.to_str().unwrap())];
    let first = ws.run_with(&["run", "p"], &env);
    first.assert(0);
    assert!(first.stdout.contains("greeter 2.1.0\n"), "{}", first.stdout);
    assert!(
        ws.path("target/xtask/tools/greeter-2.1.0/bin/greeter")
            .is_file()
    );
    ws.run_with(&["run", "p"], &env).assert(0);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "installed\n");
    let leftovers: Vec<_> = std::fs::read_dir(ws.path("target/xtask/tools"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_engines_provisioning_at_once_install_once() {
    let ws = Ws::new();
    with_installable_tool(&ws);
    let log = ws.path("installs.log");
    let spawn = || {
        let mut cmd = ws.command(&["run", "p"]);
        cmd.env("XTASK_WORKSPACE_LOG", &log)
            .stdout(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    assert!(a.wait_with_output().unwrap().status.success());
    assert!(b.wait_with_output().unwrap().status.success());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "installed\n");
}

#[test]
fn a_failed_install_leaves_nothing_behind() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "tools:\n  broken:\n    version: \"1.0\"\n    install: [sh, -c, \"mkdir -p {{ prefix }}/bin && echo half > {{ prefix }}/bin/broken && echo boom && exit 7\"]\nsteps:\n  - id: use\n    run: broken\n",
    );
    let out = ws.run(&["run", "p"]);
    out.assert(1);
    assert!(
        out.stdout
            .contains("tool `broken` 1.0 is not on PATH, and installing it failed: `sh -c "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("failed with exit status 7"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("boom\n"), "{}", out.stdout);
    let entries: Vec<_> = std::fs::read_dir(ws.path("target/xtask/tools"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != ".locks")
        .collect();
    assert!(entries.is_empty(), "left behind: {entries:?}");
}

/// Provisioned tools go first on a step's PATH: before the step's own PATH when it sets
/// one, else before the engine's.
#[test]
fn provisioned_tools_go_first_on_the_path_the_step_would_have() {
    let ws = Ws::new();
    let install = "mkdir -p {{ prefix }}/bin && printf '#!/bin/sh\\necho greeter 2.1.0\\n' > {{ prefix }}/bin/greeter && chmod +x {{ prefix }}/bin/greeter";
    ws.pipeline(
        "p",
        &format!("tools:\n  greeter:\n    version: \"2.1.0\"\n    install: [sh, -c, \"{install}\"]\nsteps:\n  - id: own\n    env: {{ PATH: /opt/marker:/usr/bin:/bin }}\n    shell: sh\n    run: echo \"own=$PATH\"\n  - id: engine\n    shell: sh\n    run: echo \"engine=$PATH\"\n"),
    );
    let engine_path = "/usr/local/bin:/usr/bin:/bin";
    let out = ws.run_with(&["run", "p"], &[("PATH", engine_path)]);
    out.assert(0);
    let tool_dir = ws.path("target/xtask/tools/greeter-2.1.0/bin");
    let tool_dir = tool_dir.display();
    assert!(
        out.stdout
            .contains(&format!("own={tool_dir}:/opt/marker:/usr/bin:/bin\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("engine={tool_dir}:{engine_path}\n")),
        "{}",
        out.stdout
    );
}
