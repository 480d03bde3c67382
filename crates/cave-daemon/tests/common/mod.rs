//! The daemon tests' harness: the real `cave-daemon serve` on 127.0.0.1 with an ephemeral
//! port, a minimal HTTP client, signed deliveries, and the `cave-daemon` command line.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

pub const SECRET: &str = "whsec-test-0123456789abcdef";

pub struct Daemon {
    pub child: Child,
    pub address: String,
    pub audit: PathBuf,
    pub dir: Option<tempfile::TempDir>,
}

impl Daemon {
    pub fn start(secret: Option<&str>) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        Daemon::start_in(dir, secret)
    }

    pub fn start_in(dir: tempfile::TempDir, secret: Option<&str>) -> Daemon {
        Daemon::start_limited(dir, secret, None, &[])
    }

    /// With `file_blocks`, under `ulimit -f` (a file-size limit: writes beyond it fail, as
    /// on a full disk).
    pub fn start_limited(
        dir: tempfile::TempDir,
        secret: Option<&str>,
        file_blocks: Option<u32>,
        env: &[(&str, &str)],
    ) -> Daemon {
        let audit = dir.path().join("audit.jsonl");
        let mut cmd = match file_blocks {
            None => Command::new(env!("CARGO_BIN_EXE_cave-daemon")),
            Some(blocks) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -f {blocks} && exec \"$0\" \"$@\"")])
                    .arg(env!("CARGO_BIN_EXE_cave-daemon"));
                sh
            }
        };
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--audit-log"])
            .arg(&audit);
        // stderr goes to a file beside the log, for tests that read the daemon's warnings.
        let stderr = std::fs::File::create(dir.path().join("daemon.stderr")).unwrap();
        cmd.env_remove("BKG_WEBHOOK_SECRET")
            .env_remove("CAVE_AUDIT_KEY")
            .env_remove("COSIGN_PASSWORD")
            .stdout(Stdio::piped())
            .stderr(stderr);
        if let Some(secret) = secret {
            cmd.env("BKG_WEBHOOK_SECRET", secret);
        }
        cmd.envs(env.iter().copied());
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("cave-daemon listening on http://")
            .expect("address line")
            .to_owned();
        Daemon {
            child,
            address,
            audit,
            dir: Some(dir),
        }
    }

    /// One HTTP/1.1 request; returns (status, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let typed = headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if !body.is_empty() && !typed {
            head.push_str("Content-Type: application/json\r\n");
        }
        stream
            .write_all(format!("{head}\r\n{body}").as_bytes())
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// The value of one sample of `/metrics` (`name` with its labels), if it is there.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let (_, text) = self.get("/metrics");
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .map(|v| v.parse().unwrap())
    }

    /// What the daemon wrote to stderr so far.
    pub fn stderr(&self) -> String {
        let dir = self.dir.as_ref().expect("started with a directory");
        std::fs::read_to_string(dir.path().join("daemon.stderr")).unwrap()
    }

    /// Sends `signal` to the daemon.
    pub fn signal(&self, signal: i32) {
        // SAFETY: plain syscall on our own child.
        unsafe { libc_kill(self.child.id() as i32, signal) };
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, &[], "")
    }

    /// A webhook delivery signed with `secret` at `timestamp`.
    pub fn deliver(&self, body: &str, secret: &str, timestamp: u64) -> (u16, String) {
        let ts = timestamp.to_string();
        let signature = cave_daemon::signature::sign(secret.as_bytes(), &ts, body.as_bytes());
        let headers = [("X-BKG-Timestamp", ts), ("X-BKG-Signature", signature)];
        self.request("POST", "/api/v1/auth/keys/rotated", &headers, body)
    }

    pub fn stop(mut self) -> tempfile::TempDir {
        // SAFETY: plain syscall on our own child.
        unsafe { libc_kill(self.child.id() as i32, 15) };
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "the daemon shuts down cleanly on SIGTERM: {status}"
        );
        self.dir.take().expect("started with a directory")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

unsafe extern "C" {
    #[link_name = "kill"]
    pub fn libc_kill(pid: i32, sig: i32) -> i32;
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn rotation(key: &str, version: u64) -> String {
    format!(
        r#"{{"key_id":"{key}","key_class":"namespace","namespace":"analytics","version":{version},"rotated_at":"2026-11-28T09:30:00Z","owner":"platform-security"}}"#
    )
}

pub fn verify(audit: &Path) -> (bool, String, String) {
    daemon_cli(&["audit", "verify"], audit)
}

pub fn daemon_cli(args: &[&str], file: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cave-daemon"))
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Python packages installed once per target directory (`target/xtask/test-tools/`), from
/// pinned requirements without resolving anything else; a failed install leaves nothing.
/// The directory is named after `name` and the pinned version of the package `name`.
pub fn python_tool(name: &str, requirements: &Path) -> PathBuf {
    let pins = std::fs::read_to_string(requirements).unwrap();
    let version = pins
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}==")))
        .unwrap_or_else(|| panic!("{name} is pinned in {}", requirements.display()));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/xtask/test-tools")
        .join(format!("{name}-{version}"));
    if !dir.exists() {
        let parent = dir.parent().unwrap();
        std::fs::create_dir_all(parent).unwrap();
        let stage = tempfile::tempdir_in(parent).unwrap();
        let out = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(stage.path())
            .arg("-r")
            .arg(requirements)
            .output()
            .expect("pip runs");
        assert!(
            out.status.success(),
            "installing {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::rename(stage.keep(), &dir);
    }
    dir
}

/// Polls `done` until it holds; fails the test after 15 s, naming `what`.
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "waited 15 s for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `cave-daemon serve` on `audit` (with `args` and `env`, and none of the caller's daemon
/// variables) for a daemon that must refuse to start: its exit code and stderr.
pub fn serve_refused(audit: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cave-daemon"))
        .args(["serve", "--bind", "127.0.0.1:0", "--audit-log"])
        .arg(audit)
        .args(args)
        .env_remove("BKG_WEBHOOK_SECRET")
        .env_remove("CAVE_AUDIT_KEY")
        .env_remove("COSIGN_PASSWORD")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
