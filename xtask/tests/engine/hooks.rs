//! Hooks on real git repositories: `hooks install`/`uninstall` (foreign hooks refused or
//! kept, `core.hooksPath`, worktrees), commits blocked by the plain hook and by the real
//! pre-commit framework (PyPI, pinned) for an unformatted file and a planted secret, and the
//! `pre-commit` pipeline judging the staged content, not unstaged edits.

use crate::support::{REPO, Ws};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMATTED: &str = "pub fn answer() -> u32 {\n    42\n}\n";
const UNFORMATTED: &str = "pub fn answer()->u32{43}\n";
const FIXED: &str = "pub fn answer() -> u32 {\n    43\n}\n";

/// A one-crate workspace in a git repository with the repository's pre-commit pipeline and
/// secrets policy.
fn repo() -> Ws {
    let ws = Ws::new();
    ws.file(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    ws.file("src/lib.rs", FORMATTED);
    ws.file(".gitignore", "/target\n");
    ws.copy_from_repo("pipelines/pre-commit.yaml");
    ws.copy_from_repo("policies/secrets.yaml");
    ws.git(&["init", "-q", "-b", "main"]);
    ws
}

/// `git commit` with the hook's command pointed at this build of the engine.
fn commit(ws: &Ws, message: &str, env: &[(&str, &str)]) -> Output {
    let hook_command = format!("{} --color never --root .", env!("CARGO_BIN_EXE_xtask"));
    Command::new("git")
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "commit",
            "-q",
            "-m",
            message,
        ])
        .current_dir(ws.root())
        .env("XTASK_HOOK_COMMAND", hook_command)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn commits(ws: &Ws) -> usize {
    let out = Command::new("git")
        .args(["rev-list", "--count", "HEAD"])
        .current_dir(ws.root())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[test]
fn install_refuses_foreign_hooks_without_force_and_uninstall_keeps_them() {
    let ws = Ws::new();
    let out = ws.run(&["hooks", "install"]);
    out.assert(1);
    assert!(
        out.stderr.starts_with(&format!(
            "error: {} is not in a git repository: ",
            ws.root().display()
        )),
        "{}",
        out.stderr
    );

    ws.git(&["init", "-q"]);
    let hooks = ws.path(".git/hooks");
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho mine\n").unwrap();
    let out = ws.run(&["hooks", "install"]);
    out.assert(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: {} exists and was not installed by cargo xtask (another tool's hook, or your own); nothing was changed. Pass --force to replace it, or call `cargo xtask run pre-commit` from it yourself\n",
            hooks.join("pre-commit").display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    assert!(!hooks.join("pre-push").exists(), "nothing was written");

    let out = ws.run(&["hooks", "install", "--force"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        format!(
            "✓ {} runs `cargo xtask run pre-commit` (replaced the existing hook, --force)\n✓ {} runs `cargo xtask ci`\n",
            hooks.join("pre-commit").display(),
            hooks.join("pre-push").display()
        )
    );
    use std::os::unix::fs::PermissionsExt as _;
    for hook in ["pre-commit", "pre-push"] {
        let mode = std::fs::metadata(hooks.join(hook))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{hook} is executable");
    }
    assert!(
        std::fs::read_to_string(hooks.join("pre-push"))
            .unwrap()
            .ends_with("exec ${XTASK_HOOK_COMMAND:-cargo xtask} ci\n")
    );
    ws.run(&["hooks", "install"]).assert(0);

    // Another tool's hook replaces ours; uninstall then keeps it.
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\necho theirs\n").unwrap();
    let out = ws.run(&["hooks", "uninstall"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        format!(
            "✓ removed {}\nkept {}: it was not installed by cargo xtask\n",
            hooks.join("pre-commit").display(),
            hooks.join("pre-push").display()
        )
    );
    assert!(!hooks.join("pre-commit").exists() && hooks.join("pre-push").exists());
    let out = ws.run(&["hooks", "uninstall"]);
    assert_eq!(
        out.stdout,
        format!(
            "kept {}: it was not installed by cargo xtask\nno hooks of cargo xtask were installed in {}\n",
            hooks.join("pre-push").display(),
            hooks.display()
        )
    );
}

#[test]
fn hooks_go_where_git_looks_for_them_core_hooks_path_and_worktrees() {
    let ws = repo();
    ws.git(&["add", "."]).git(&["commit", "-q", "-m", "init"]);
    ws.git(&["config", "core.hooksPath", "githooks"]);
    ws.run(&["hooks", "install"]).assert(0);
    assert!(ws.path("githooks/pre-commit").is_file() && !ws.path(".git/hooks/pre-commit").exists());
    ws.git(&["config", "--unset", "core.hooksPath"]);

    let worktree = ws.path("wt");
    ws.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["--color", "never", "--root"])
        .arg(&worktree)
        .args(["hooks", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Hooks are shared by every worktree of a repository.
    let common = ws
        .root()
        .canonicalize()
        .unwrap()
        .join(".git/hooks/pre-commit");
    assert!(common.is_file(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("✓ {} runs", common.display()))
    );
}

#[test]
fn the_plain_hook_blocks_unformatted_code_and_secrets_in_the_staged_content() {
    let ws = repo();
    ws.run(&["hooks", "install"]).assert(0);
    ws.git(&["add", "."]);
    let out = commit(&ws, "init", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(commits(&ws), 1);

    // Unformatted and staged: blocked.
    ws.file("src/lib.rs", UNFORMATTED);
    ws.git(&["add", "src/lib.rs"]);
    let out = commit(&ws, "unformatted", &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("✗ pre-commit/fmt"), "{}", text(&out));
    assert_eq!(commits(&ws), 1);

    // Fixed in the working tree only: the staged content is still unformatted.
    ws.file("src/lib.rs", FIXED);
    let out = commit(&ws, "unformatted, fixed but not staged", &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("✗ pre-commit/fmt"), "{}", text(&out));

    // Staged fix, then an unformatted edit left unstaged: the commit is judged as staged.
    ws.git(&["add", "src/lib.rs"]);
    ws.file("src/lib.rs", UNFORMATTED);
    let out = commit(&ws, "formatted", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(commits(&ws), 2);
    ws.file("src/lib.rs", FIXED);

    // A planted secret.
    ws.file("config/app.env", "JWT_SECRET=hunter2-planted\n");
    ws.git(&["add", "config/app.env"]);
    let out = commit(&ws, "secret", &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(
            "config/app.env:1:12: secrets/literal-value: a literal value assigned to JWT_SECRET"
        ),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("hunter2-planted"), "{}", text(&out));
    assert_eq!(commits(&ws), 2);
}

/// pre-commit from PyPI in a virtualenv, built once per target directory (a venv's scripts
/// name its absolute path, so it is built where it stays; `ready` marks a finished build).
fn pre_commit() -> PathBuf {
    const VERSION: &str = "4.7.0";
    let dir = Path::new(REPO)
        .join("../target/xtask/test-tools")
        .join(format!("pre-commit-{VERSION}"));
    if dir.join("ready").is_file() {
        return dir.join("bin/pre-commit");
    }
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    };
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&dir));
    run(Command::new(dir.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("pre-commit=={VERSION}"),
    ]));
    std::fs::write(dir.join("ready"), VERSION).unwrap();
    dir.join("bin/pre-commit")
}

#[test]
fn the_pre_commit_framework_runs_the_repository_config_and_blocks_a_planted_secret() {
    let ws = repo();
    let config =
        std::fs::read_to_string(Path::new(REPO).join("../.pre-commit-config.yaml")).unwrap();
    let engine = format!("{} --color never --root .", env!("CARGO_BIN_EXE_xtask"));
    assert_eq!(config.matches("entry: cargo xtask ").count(), 2, "{config}");
    ws.file(
        ".pre-commit-config.yaml",
        &config.replace("entry: cargo xtask ", &format!("entry: {engine} ")),
    );
    ws.git(&["add", "."]);
    let home = ws.path(".pre-commit-home");
    let pre_commit = pre_commit();
    let out = Command::new(&pre_commit)
        .arg("install")
        .current_dir(ws.root())
        .env("PRE_COMMIT_HOME", &home)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pre-commit installed at .git/hooks/pre-commit\npre-commit installed at .git/hooks/pre-push\n"
    );

    let env = [("PRE_COMMIT_HOME", home.to_str().unwrap())];
    let out = commit(&ws, "init", &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("cargo xtask run pre-commit (staged content)"),
        "{}",
        text(&out)
    );

    ws.file(
        "deploy/db.yaml",
        "url: postgres://app:pg-planted-pw@db:5432/bkg\n",
    );
    ws.git(&["add", "deploy/db.yaml"]);
    let out = commit(&ws, "secret", &env);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(
            "deploy/db.yaml:1:21: secrets/dsn-password: a connection URL with an inline password"
        ),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("pg-planted-pw"), "{}", text(&out));
    assert_eq!(commits(&ws), 1);

    ws.file("src/lib.rs", UNFORMATTED);
    ws.git(&["rm", "-q", "--cached", "deploy/db.yaml"]);
    ws.git(&["add", "src/lib.rs"]);
    let out = commit(&ws, "unformatted", &env);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("✗ pre-commit/fmt"), "{}", text(&out));
    assert_eq!(commits(&ws), 1);
}
