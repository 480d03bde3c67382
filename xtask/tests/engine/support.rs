//! A temp workspace and the real `xtask` binary run against it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The xtask crate's directory.
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

pub struct Ws {
    dir: tempfile::TempDir,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ws {
    pub fn new() -> Ws {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("pipelines")).expect("pipelines dir");
        Ws { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn file(&self, rel: &str, text: &str) -> &Ws {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write file");
        self
    }

    pub fn pipeline(&self, name: &str, yaml: &str) -> &Ws {
        self.file(&format!("pipelines/{name}.yaml"), yaml)
    }

    /// Copies a file of this repository (relative to its root) into the workspace.
    pub fn copy_from_repo(&self, rel: &str) -> &Ws {
        let text = std::fs::read_to_string(Path::new(REPO).join("..").join(rel)).expect(rel);
        self.file(rel, &text)
    }

    /// Runs real git in the workspace (with an identity for commits); panics on failure.
    pub fn git(&self, args: &[&str]) -> &Ws {
        let out = Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    /// The binary with `--root` set, no colour, and no CI variables from the outer run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.args(args)
            .arg("--root")
            .arg(self.root())
            .arg("--color")
            .arg("never");
        for var in [
            "CI",
            "GITHUB_ACTIONS",
            "GITHUB_STEP_SUMMARY",
            "GITHUB_OUTPUT",
            "NO_COLOR",
            "CLICOLOR_FORCE",
            "XTASK_REMOTE_CACHE",
            "XTASK_REMOTE_CACHE_READ_ONLY",
            "XTASK_REMOTE_CACHE_HEADER",
        ] {
            cmd.env_remove(var);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied());
        Out::from(cmd.output().expect("run xtask"))
    }

    /// The binary as GitHub Actions runs it; the job summary it appended comes back too.
    pub fn run_in_actions(&self, args: &[&str]) -> (Out, String) {
        let summary = self.path("step-summary.md");
        let out = self
            .command(args)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("run xtask");
        (
            Out::from(out),
            std::fs::read_to_string(&summary).unwrap_or_default(),
        )
    }

    /// `run`, but a command still running after `secs` is killed and the test fails: for
    /// inputs that once made the engine loop forever.
    pub fn run_within(&self, args: &[&str], secs: u64) -> Out {
        let mut child = self.spawn(args);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while child.try_wait().expect("poll xtask").is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`xtask {}` still ran after {secs} s", args.join(" "));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Out::from(child.wait_with_output().expect("collect xtask output"))
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn xtask")
    }
}

impl From<Output> for Out {
    fn from(o: Output) -> Out {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Out {
    /// stdout with every duration replaced by `[T]`, for exact comparisons.
    pub fn stdout_redacted(&self) -> String {
        redact(&self.stdout)
    }

    pub fn assert(&self, code: i32) -> &Out {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Replaces tokens like `3ms`, `1.25s`, `2m05s` (optionally followed by `:`) with `[T]`.
pub fn redact(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    let (core, tail) = match word.strip_suffix(":") {
                        Some(c) => (c, ":"),
                        None => match word.strip_suffix('\n') {
                            Some(c) => (c, "\n"),
                            None => (word, ""),
                        },
                    };
                    if is_duration(core) {
                        format!("[T]{tail}")
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn is_duration(word: &str) -> bool {
    let body = word.strip_suffix("ms").or_else(|| word.strip_suffix('s'));
    match body {
        Some(b) if !b.is_empty() => b
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'm'),
        _ => false,
    }
}

/// Whether a process exists and is not a zombie.
/// Whether `pid` is gone within 2 s: a process killed just before the engine exited may need
/// a moment to finish dying.
pub fn gone(pid: i32) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while alive(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    !alive(pid)
}

pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next());
            !matches!(state, Some(Some('Z' | 'X')))
        }
        Err(_) => false,
    }
}

/// Waits until `path` exists and holds text, up to 10 s.
pub fn wait_for_file(path: &Path) -> String {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} did not appear", path.display());
}

/// The summary block the engine prints at the end of a run (durations redacted).
pub fn summary(counts: &[(&str, usize)], target: &str, verdict: &str) -> String {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let noun = if total == 1 { "step" } else { "steps" };
    let mut text = format!("summary: {total} {noun} in [T]\n");
    for (name, n) in counts {
        text.push_str(&format!("  {name:<12}{n:>4}\n"));
    }
    let mark = if verdict == "passed" { '✓' } else { '✗' };
    text.push_str(&format!("{mark} {target} {verdict}\n"));
    text
}

/// openssl's verdict on a DER ECDSA `signature` over `file` (SHA-256) with a PEM public key:
/// the independent check of what the engine signs.
pub fn openssl_verify(public_key: &Path, signature: &Path, file: &Path) -> bool {
    Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(public_key)
        .arg("-signature")
        .arg(signature)
        .arg(file)
        .output()
        .unwrap()
        .status
        .success()
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// Whether `text` holds a rendered diagnostic whose first line is `head` and whose next line
/// points at `location` (`path:line:col`).
pub fn diag_at(text: &str, head: &str, location: &str) -> bool {
    let head = format!("{head}\n");
    text.match_indices(&head).any(|(at, _)| {
        text[at + head.len()..]
            .lines()
            .next()
            .is_some_and(|l| l.trim_start() == format!("--> {location}"))
    })
}

/// A verifier the tests install from a package registry once per target directory, as
/// `target/xtask/test-tools/<name>`: `install` fills the staging directory it is given, which
/// is renamed into place only when `ready` (a path inside it) exists, so concurrent tests
/// install it once and a failed install leaves nothing.
pub fn test_tool(name: &str, ready: &str, install: impl FnOnce(&Path) -> Command) -> PathBuf {
    let dir = Path::new(REPO)
        .join("../target/xtask/test-tools")
        .join(name);
    if !dir.join(ready).exists() {
        let parent = dir.parent().expect("a parent directory");
        std::fs::create_dir_all(parent).unwrap();
        let stage = tempfile::tempdir_in(parent).unwrap();
        let out = install(stage.path()).output().expect("the installer runs");
        assert!(
            out.status.success(),
            "installing {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::rename(stage.keep(), &dir);
    }
    dir
}
