//! A remote cache over Bazel's HTTP protocol: `GET`/`HEAD`/`PUT {url}/ac/{key}` for a step's
//! action result and `{url}/cas/{sha256}` for blobs, as bazel-remote, BuildBuddy, or nginx
//! and Apache with WebDAV `PUT` serve it. It is never the reason a build fails: the first
//! fault (down, refusing, slow, 5xx) is one warning naming the server, and the run goes on
//! with the local cache alone. Blobs are checked against their names before use and
//! bounded in size; credentials (URL userinfo or one header) never appear in any output.

use super::proto::{ActionResult, Digest};
use super::store::Store;
use std::sync::Mutex;
use std::time::Duration;

/// `--remote-cache URL` or this variable.
pub const URL_ENV: &str = "XTASK_REMOTE_CACHE";
/// `1`: read, never write (`--remote-cache-read-only`).
pub const READ_ONLY_ENV: &str = "XTASK_REMOTE_CACHE_READ_ONLY";
/// One request header, `Name: value` (e.g. `Authorization: Bearer …`).
pub const HEADER_ENV: &str = "XTASK_REMOTE_CACHE_HEADER";
/// The largest blob downloaded, in bytes (default 1 GiB).
pub const MAX_BLOB_ENV: &str = "XTASK_REMOTE_CACHE_MAX_BLOB";
/// Seconds to wait for a server's answer (default 30; connecting gets 5).
pub const TIMEOUT_ENV: &str = "XTASK_REMOTE_CACHE_TIMEOUT";

const DEFAULT_MAX_BLOB: u64 = 1 << 30;

/// Where the remote cache is and how to use it.
#[derive(Clone, Debug)]
pub struct Settings {
    pub url: String,
    pub read_only: bool,
    pub header: Option<String>,
    pub max_blob: u64,
    pub timeout: Duration,
}

impl Settings {
    /// From the command line (`url`, `read_only`) and the environment; `None` without a URL.
    pub fn from(
        url: Option<String>,
        read_only: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Settings>, String> {
        let Some(url) = url.or_else(|| env(URL_ENV)).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let read_only = read_only
            || env(READ_ONLY_ENV).is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
        let max_blob = match env(MAX_BLOB_ENV).filter(|v| !v.is_empty()) {
            None => DEFAULT_MAX_BLOB,
            Some(v) => v
                .parse()
                .map_err(|_| format!("{MAX_BLOB_ENV}={v} is not a number of bytes"))?,
        };
        let timeout = match env(TIMEOUT_ENV).filter(|v| !v.is_empty()) {
            None => Duration::from_secs(30),
            Some(v) => Duration::from_secs_f64(
                v.parse::<f64>()
                    .ok()
                    .filter(|s| *s > 0.0 && *s < 86_400.0)
                    .ok_or_else(|| format!("{TIMEOUT_ENV}={v} is not a number of seconds"))?,
            ),
        };
        Ok(Some(Settings {
            url,
            read_only,
            header: env(HEADER_ENV).filter(|h| !h.is_empty()),
            max_blob,
            timeout,
        }))
    }
}

pub struct Remote {
    /// `scheme://host[:port][/instance]`, without credentials or a trailing slash.
    base: String,
    agent: ureq::Agent,
    headers: Vec<(String, String)>,
    pub read_only: bool,
    max_blob: u64,
    /// The first fault, once reported; the remote is not asked again after it.
    fault: Mutex<Fault>,
    /// Blobs the server returned with other content than their name: uploaded again even
    /// though the server says it has them.
    refused: Mutex<std::collections::HashSet<String>>,
}

#[derive(Default)]
struct Fault {
    seen: bool,
    unreported: Option<String>,
}

/// What went wrong with one request.
enum Failure {
    /// The server is unusable for this run (down, refusing, 5xx, slow).
    Server(String),
    /// This entry is unusable (tampered, too large, malformed): the step runs.
    Entry(String),
}

impl Remote {
    /// A client for `settings`; `Err` names what is wrong with the URL or header.
    pub fn new(settings: &Settings) -> Result<Remote, String> {
        let url = &settings.url;
        let Some(Url {
            scheme,
            userinfo,
            host,
            path,
        }) = Url::split(url).filter(|u| u.scheme == "http" || u.scheme == "https")
        else {
            return Err(format!(
                "{URL_ENV}: `{}` is not an http:// or https:// URL",
                shown(url)
            ));
        };
        if host.is_empty() {
            return Err(format!("{URL_ENV}: `{}` names no host", shown(url)));
        }
        let mut headers = Vec::new();
        if let Some(userinfo) = userinfo {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(percent_decode(userinfo));
            headers.push(("Authorization".to_owned(), format!("Basic {token}")));
        }
        if let Some(header) = &settings.header {
            let (name, value) = header
                .split_once(':')
                .filter(|(n, _)| !n.trim().is_empty())
                .ok_or_else(|| format!("{HEADER_ENV} must be `Name: value`"))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5).min(settings.timeout)))
            .timeout_send_request(Some(settings.timeout))
            .timeout_recv_response(Some(settings.timeout))
            .timeout_send_body(Some(settings.timeout * 10))
            .timeout_recv_body(Some(settings.timeout * 10))
            .user_agent("cargo-xtask")
            .build();
        Ok(Remote {
            base: format!("{scheme}://{host}{}", path.trim_end_matches('/')),
            agent: config.new_agent(),
            headers,
            read_only: settings.read_only,
            max_blob: settings.max_blob,
            fault: Mutex::new(Fault::default()),
            refused: Mutex::new(std::collections::HashSet::new()),
        })
    }

    /// The server as messages name it (no credentials).
    pub fn name(&self) -> &str {
        &self.base
    }

    /// The values that must never be printed: the credentials in the URL and header.
    pub fn secrets(settings: &Settings) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(userinfo) = Url::split(&settings.url).and_then(|u| u.userinfo) {
            out.push(userinfo.to_owned());
            if let Some((_, password)) = userinfo.split_once(':') {
                out.push(password.to_owned());
                out.push(String::from_utf8_lossy(&percent_decode(password)).into_owned());
            }
        }
        if let Some(header) = &settings.header
            && let Some((_, value)) = header.split_once(':')
        {
            out.push(value.trim().to_owned());
            out.extend(value.split_whitespace().skip(1).map(str::to_owned));
        }
        out.retain(|s| s.len() >= 3);
        out
    }

    /// The warning about the first fault, once.
    pub fn take_warning(&self) -> Option<String> {
        self.fault
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unreported
            .take()
    }

    fn usable(&self) -> bool {
        !self.fault.lock().unwrap_or_else(|e| e.into_inner()).seen
    }

    fn server_fault(&self, what: String) {
        let mut fault = self.fault.lock().unwrap_or_else(|e| e.into_inner());
        if !fault.seen {
            fault.seen = true;
            fault.unreported = Some(format!(
                "remote cache {}: {what}; continuing with the local cache only",
                self.base
            ));
        }
    }

    fn request(
        &self,
        method: &str,
        path: &str,
    ) -> ureq::RequestBuilder<ureq::typestate::WithoutBody> {
        let url = format!("{}/{path}", self.base);
        let mut request = match method {
            "HEAD" => self.agent.head(&url),
            _ => self.agent.get(&url),
        };
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request
    }

    /// `Ok(None)` on 404; the body read up to `limit` bytes.
    fn get(
        &self,
        path: &str,
        limit: u64,
    ) -> Result<Option<ureq::http::Response<ureq::Body>>, Failure> {
        let response = self
            .request("GET", path)
            .call()
            .map_err(|e| Failure::Server(format!("GET {path}: {}", transport(&e))))?;
        match response.status().as_u16() {
            200 => {
                let declared = response
                    .headers()
                    .get("content-length")
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                if declared.is_some_and(|n| n > limit) {
                    return Err(Failure::Entry(format!(
                        "{path} is larger than the limit of {limit} bytes"
                    )));
                }
                Ok(Some(response))
            }
            404 => Ok(None),
            status => Err(Failure::Server(format!("GET {path} answered {status}"))),
        }
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Failure> {
        let url = format!("{}/{path}", self.base);
        let mut request = self
            .agent
            .put(&url)
            .header("Content-Type", "application/octet-stream");
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request
            .send(bytes)
            .map_err(|e| Failure::Server(format!("PUT {path}: {}", transport(&e))))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            status => Err(Failure::Server(format!("PUT {path} answered {status}"))),
        }
    }

    fn has(&self, path: &str) -> Result<bool, Failure> {
        let response = self
            .request("HEAD", path)
            .call()
            .map_err(|e| Failure::Server(format!("HEAD {path}: {}", transport(&e))))?;
        match response.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            status => Err(Failure::Server(format!("HEAD {path} answered {status}"))),
        }
    }

    /// The action result the server has for `key`. A server fault or a malformed entry is
    /// `None` (a warning for the fault, `Err` text for the entry).
    pub fn action(&self, key: &str) -> Result<Option<ActionResult>, String> {
        if !self.usable() {
            return Ok(None);
        }
        let path = format!("ac/{key}");
        let read = self
            .get(&path, 16 << 20)
            .and_then(|response| match response {
                None => Ok(None),
                Some(mut response) => {
                    let bytes = response
                        .body_mut()
                        .with_config()
                        .limit(16 << 20)
                        .read_to_vec()
                        .map_err(|e| Failure::Server(format!("GET {path}: {}", transport(&e))))?;
                    ActionResult::decode(&bytes).map(Some).map_err(|e| {
                        Failure::Entry(format!("the action result {path} is malformed: {e}"))
                    })
                }
            });
        self.settle(read)
    }

    /// Downloads a blob into the store, checking it against its name and the size limit.
    pub fn fetch(&self, digest: &Digest, store: &Store) -> Result<(), String> {
        if !self.usable() {
            return Err(format!("the remote cache {} is not in use", self.base));
        }
        if digest.size > self.max_blob {
            return Err(format!(
                "blob {} is {} bytes, above the limit of {} ({MAX_BLOB_ENV})",
                digest.hash, digest.size, self.max_blob
            ));
        }
        let path = format!("cas/{}", digest.hash);
        let fetched = self.get(&path, self.max_blob).and_then(|response| {
            let mut response =
                response.ok_or_else(|| Failure::Entry(format!("the server has no {path}")))?;
            let mut reader = response
                .body_mut()
                .with_config()
                .limit(self.max_blob)
                .reader();
            store
                .put_reader(&mut reader, Some(digest))
                .map(|_| ())
                .map_err(|e| {
                    self.refused
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(digest.hash.clone());
                    Failure::Entry(format!("{path} is refused: {e}"))
                })
        });
        match self.settle(fetched.map(Some))? {
            Some(()) => Ok(()),
            None => Err(format!("the remote cache {} is not in use", self.base)),
        }
    }

    /// Uploads a step's result: its blobs the server lacks, then the action result.
    pub fn upload(&self, key: &str, result: &ActionResult, store: &Store) {
        if self.read_only || !self.usable() {
            return;
        }
        let digests = result.files.iter().map(|f| &f.digest).chain(&result.stdout);
        let mut sent = std::collections::HashSet::new();
        for digest in digests {
            if !sent.insert(&digest.hash) {
                continue;
            }
            let path = format!("cas/{}", digest.hash);
            let repair = self
                .refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&digest.hash);
            let done = self.has(&path).and_then(|there| {
                if there && !repair {
                    return Ok(());
                }
                let bytes = std::fs::read(store.blob_path(digest)).map_err(|e| {
                    Failure::Entry(format!("cannot read the stored blob {}: {e}", digest.hash))
                })?;
                self.put(&path, &bytes)
            });
            if let Err(Failure::Server(what)) = done {
                return self.server_fault(what);
            }
        }
        if let Err(Failure::Server(what)) = self.put(&format!("ac/{key}"), &result.encode()) {
            self.server_fault(what);
        }
    }

    /// A server fault disables the remote for the run (one warning); an entry problem is
    /// the caller's to report.
    fn settle<T>(&self, outcome: Result<Option<T>, Failure>) -> Result<Option<T>, String> {
        match outcome {
            Ok(value) => Ok(value),
            Err(Failure::Server(what)) => {
                self.server_fault(what);
                Ok(None)
            }
            Err(Failure::Entry(what)) => Err(what),
        }
    }
}

/// A transport error in a few words (no URL: it may hold credentials).
fn transport(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(what) => format!("timed out ({what:?})"),
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::ConnectionFailed => "cannot connect".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}

/// The URL as messages may show it: without its userinfo.
fn shown(url: &str) -> String {
    match Url::split(url) {
        Some(Url {
            scheme,
            userinfo: Some(_),
            host,
            path,
        }) => format!("{scheme}://…@{host}{path}"),
        _ => url.to_owned(),
    }
}

/// `scheme://[userinfo@]host[/path]`, split once for every use of the URL.
struct Url<'a> {
    scheme: &'a str,
    userinfo: Option<&'a str>,
    host: &'a str,
    path: &'a str,
}

impl<'a> Url<'a> {
    fn split(url: &'a str) -> Option<Url<'a>> {
        let (scheme, rest) = url.split_once("://")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, authority),
        };
        Some(Url {
            scheme,
            userinfo,
            host,
            path,
        })
    }
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, header: Option<&str>) -> Settings {
        Settings {
            url: url.into(),
            read_only: false,
            header: header.map(str::to_owned),
            max_blob: 10,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn urls_and_credentials() {
        let remote =
            Remote::new(&settings("http://ci:s3cr%40t@127.0.0.1:9090/team/", None)).unwrap();
        assert_eq!(remote.name(), "http://127.0.0.1:9090/team");
        assert_eq!(remote.headers[0].1, "Basic Y2k6czNjckB0");
        assert_eq!(
            Remote::secrets(&settings(
                "http://ci:s3cr%40t@h/x",
                Some("Authorization: Bearer tok3n")
            )),
            ["ci:s3cr%40t", "s3cr%40t", "s3cr@t", "Bearer tok3n", "tok3n"]
        );
        assert_eq!(
            Remote::new(&settings(&format!("ftp://u:{}", "pw@host"), None))
                .err()
                .unwrap(),
            "XTASK_REMOTE_CACHE: `ftp://…@host` is not an http:// or https:// URL"
        );
        assert!(Remote::new(&settings("http://h", Some("no colon"))).is_err());
    }
}
