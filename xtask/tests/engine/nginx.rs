//! A real nginx (Debian's nginx-light, with the WebDAV module) serving the Bazel HTTP cache
//! protocol from a temporary directory on 127.0.0.1, started by a test and stopped when it
//! is dropped, on every path.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Nginx {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl Nginx {
    pub fn start() -> Nginx {
        let dir = tempfile::tempdir().expect("a directory for nginx");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        for sub in ["store", "tmp", "logs"] {
            let path = dir.path().join(sub);
            std::fs::create_dir_all(&path).unwrap();
            // The workers run as an unprivileged user when nginx starts as root.
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o777))
                .unwrap();
        }
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\nerror_log {d}/logs/error.log;\npid {d}/nginx.pid;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/logs/access.log;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n  client_max_body_size 0;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {d}/store;\n    location /broken/ {{ return 503; }}\n    location / {{\n      dav_methods PUT DELETE;\n      create_full_put_path on;\n      dav_access user:rw group:rw all:rw;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx (Debian's nginx-light; .ci/run installs it)");
        let nginx = Nginx {
            dir,
            port,
            child: Some(child),
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "nginx did not listen on {port}: {}",
                std::fs::read_to_string(nginx.dir.path().join("logs/error.log"))
                    .unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        nginx
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What the server stored.
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// Every file the server stored, with its bytes.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.store(), &mut out);
        out.sort();
        out
    }

    /// The master's pid, for a step that stops the server mid-run.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGQUIT: nginx's graceful stop; SIGKILL after a moment if it lingers.
            unsafe { libc::kill(child.id() as i32, libc::SIGQUIT) };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
            while child.try_wait().ok().flatten().is_none() {
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

fn nginx() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}
