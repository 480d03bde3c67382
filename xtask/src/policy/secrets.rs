//! `policies/secrets.yaml`: the confidential names — masked in all engine output and never
//! committed as values — and the scan of tracked files for private keys, literal values of
//! those names, DSNs with passwords and unencrypted cosign keys. Findings never print the
//! secret. False positives go in `policies/secrets-allowlist.yaml`, each with a reason.

use super::{Context, Files, Finding, Policy, Rule};
use crate::diagnostic::{SourceFile, Span};
use crate::yaml::{Node, Reader};
use std::sync::Arc;

pub const RULE: Rule = Rule {
    id: "secrets",
    files: &["policies/secrets.yaml", "policies/secrets-allowlist.yaml"],
    summary: "confidential names: masked, never committed as values",
    load,
};

/// The names, then the allowlist beside them (read only when the names are).
fn load(files: &mut Files) -> anyhow::Result<Option<Arc<dyn Policy>>> {
    let Some(mut secrets) = files.read(RULE.files[0], parse)? else {
        return Ok(None);
    };
    secrets.allow = files
        .read(RULE.files[1], parse_allowlist)?
        .unwrap_or_default();
    Ok(Some(Arc::new(secrets)))
}

#[derive(Clone, Debug, Default)]
pub struct Secrets {
    pub names: Vec<String>,
    /// Files that must hold encrypted keys (`cosign.key`).
    pub key_files: Vec<String>,
    pub allow: Vec<Allowed>,
}

/// A finding the allowlist accepts: a path glob, a rule id, optionally a line, and why.
#[derive(Clone, Debug)]
pub struct Allowed {
    pub path: glob::Pattern,
    pub rule: String,
    pub line: Option<usize>,
}

pub const RULE_IDS: [&str; 4] = [
    "secrets/private-key",
    "secrets/literal-value",
    "secrets/dsn-password",
    "secrets/unencrypted-key-file",
];

pub fn parse(r: &mut Reader, root: &Node) -> Option<Secrets> {
    let fields = r.fields(root, "the secrets policy", &["names", "key-files"])?;
    let names = match fields.get("names") {
        Some(node) => {
            let names = r.names(node, "names")?;
            for blank in names.iter().filter(|n| n.name.trim().is_empty()) {
                r.error(blank.span, "a confidential name is empty")
                    .hint = Some("list variable names such as `COSIGN_PASSWORD`; an empty name would match everywhere".into());
            }
            names.into_iter().map(|n| n.name).collect()
        }
        None => {
            r.error(
                root.span,
                "the secrets policy needs `names`: the confidential variable names",
            );
            return None;
        }
    };
    let key_files = fields
        .get("key-files")
        .and_then(|n| r.names(n, "key-files"))
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.name)
        .collect();
    Some(Secrets {
        names,
        key_files,
        allow: Vec::new(),
    })
}

pub fn parse_allowlist(r: &mut Reader, root: &Node) -> Option<Vec<Allowed>> {
    let Some(items) = root.seq() else {
        r.type_error(
            root,
            "the allowlist",
            "a list of { path, rule, reason } entries",
        );
        return None;
    };
    let mut allowed = Vec::new();
    for item in items {
        let Some(fields) = r.fields(
            item,
            "an allowlist entry",
            &["path", "rule", "line", "reason"],
        ) else {
            continue;
        };
        let (Some(path), Some(rule), Some(reason)) =
            (fields.get("path"), fields.get("rule"), fields.get("reason"))
        else {
            r.error(
                item.span,
                "an allowlist entry needs `path`, `rule` and `reason`",
            )
            .hint = Some("say why the finding is a false positive".into());
            continue;
        };
        let (Some(path_text), Some(rule_text), Some(reason)) = (
            r.string(path, "path"),
            r.string(rule, "rule"),
            r.string(reason, "reason"),
        ) else {
            continue;
        };
        if reason.trim().is_empty() {
            r.error(
                item.span,
                "the `reason` of an allowlist entry must not be empty",
            );
        }
        if !RULE_IDS.contains(&rule_text.as_str()) {
            r.error(rule.span, format!("unknown rule `{rule_text}`"))
                .hint = Some(format!("rules: {}", RULE_IDS.join(", ")));
            continue;
        }
        let Ok(pattern) = glob::Pattern::new(&path_text) else {
            r.error(path.span, format!("`{path_text}` is not a valid glob"));
            continue;
        };
        let line = fields.get("line").and_then(|l| l.scalar()?.parse().ok());
        allowed.push(Allowed {
            path: pattern,
            rule: rule_text,
            line,
        });
    }
    Some(allowed)
}

impl Policy for Secrets {
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let files = match crate::git::tracked_files(ctx.root) {
            Ok(files) => files,
            Err(why) => {
                let src = SourceFile::new(RULE.file(), "");
                return vec![Finding::new(
                    "secrets/scan",
                    src.file_error(format!("cannot list the tracked files: {why}")),
                )];
            }
        };
        let mut findings = Vec::new();
        for file in files {
            let Ok(bytes) = std::fs::read(ctx.root.join(&file)) else {
                continue;
            };
            if bytes.len() > 4 << 20 || bytes.iter().take(8192).any(|b| *b == 0) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let src = SourceFile::new(file.clone(), text);
            findings.extend(self.scan(&src).into_iter().filter(|f| !self.allowed(f)));
        }
        findings
    }
}

impl Secrets {
    fn allowed(&self, finding: &Finding) -> bool {
        let line = finding.diag.span.map(|s| s.start.line);
        self.allow.iter().any(|a| {
            a.rule == finding.rule
                && a.path.matches(&finding.diag.file)
                && (a.line.is_none() || a.line == line)
        })
    }

    /// Every finding of one file.
    pub fn scan(&self, src: &SourceFile) -> Vec<Finding> {
        let mut findings = Vec::new();
        let name = src.path.rsplit('/').next().unwrap_or(&src.path);
        if self.key_files.iter().any(|k| k == name) {
            let encrypted = [
                "ENCRYPTED SIGSTORE PRIVATE KEY",
                "ENCRYPTED COSIGN PRIVATE KEY",
            ]
            .iter()
            .any(|l| src.text.contains(&format!("-----BEGIN {l}-----")));
            if !encrypted {
                let diag = src.error(Span::at(1, 1), format!("{name} is not an encrypted cosign key")).with_hint("commit only keys made by `cargo xtask keys generate` (or cosign generate-key-pair), never a plain key");
                findings.push(Finding::new("secrets/unencrypted-key-file", diag));
            }
        }
        let config = is_config(name);
        for (i, line) in src.text.lines().enumerate() {
            let n = i + 1;
            if let Some(col) = unencrypted_pem(line) {
                let diag = src
                    .error(Span::at(n, col), "an unencrypted private key")
                    .with_hint("remove it and rotate the key; commit only encrypted keys");
                findings.push(Finding::new("secrets/private-key", diag));
            }
            if let Some(col) = dsn_password(line) {
                let diag = src
                    .error(Span::at(n, col), "a connection URL with an inline password")
                    .with_hint("take the DSN from a secret (e.g. BKG_DB_DSN) instead");
                findings.push(Finding::new("secrets/dsn-password", diag));
            }
            if config && let Some((secret, col)) = self.literal_assignment(line) {
                let diag = src.error(Span::at(n, col), format!("a literal value assigned to {secret}")).with_hint(format!("{secret} is confidential (policies/secrets.yaml): set it from a secret store, not in a committed file"));
                findings.push(Finding::new("secrets/literal-value", diag));
            }
        }
        findings
    }

    /// `NAME=value`, `export NAME=value`, `NAME: value`, `NAME = "value"`, `"NAME": "value"`
    /// with a literal value; the name and the column of the value.
    fn literal_assignment(&self, line: &str) -> Option<(String, usize)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            return None;
        }
        for secret in &self.names {
            // `match_indices` always moves on, even past an empty match.
            for (start, _) in line.match_indices(secret.as_str()) {
                let before = line[..start].trim_end_matches(['"', '\'']);
                let boundary = before.is_empty()
                    || before.ends_with([' ', '\t', '{', ','])
                    || before.trim_end().ends_with("export");
                let after = line[start + secret.len()..].trim_start_matches(['"', '\'']);
                let Some(rest) = after.trim_start().strip_prefix(['=', ':']) else {
                    continue;
                };
                if !boundary {
                    continue;
                }
                let value = rest
                    .trim()
                    .trim_end_matches(',')
                    .trim_matches(['"', '\''])
                    .trim();
                if is_literal(value) {
                    let col = line[..line.len() - rest.trim_start().len()].chars().count() + 1;
                    return Some((secret.clone(), col));
                }
            }
        }
        None
    }
}

/// A value that is text someone typed, not a reference, placeholder or nothing.
fn is_literal(value: &str) -> bool {
    let value = value.split(" #").next().unwrap_or(value).trim();
    !(value.is_empty()
        || value.starts_with('$')
        || value.starts_with("{{")
        || value.starts_with('<')
        || value.starts_with('[')
        || value.starts_with('{')
        || value.starts_with('!')
        || value.contains("***")
        || matches!(value, "~" | "null" | "None" | "\"\"" | "''"))
}

fn is_config(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    name.starts_with(".env")
        || name == "Dockerfile"
        || matches!(
            ext,
            "env"
                | "yaml"
                | "yml"
                | "toml"
                | "sh"
                | "bash"
                | "ini"
                | "properties"
                | "json"
                | "conf"
        )
}

/// The column of `-----BEGIN … PRIVATE KEY-----` when not an encrypted key.
fn unencrypted_pem(line: &str) -> Option<usize> {
    let start = line.find("-----BEGIN ")?;
    let label_end = line[start + 11..].find("-----")?;
    let label = &line[start + 11..start + 11 + label_end];
    let is_label = label
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
    (is_label && label.ends_with("PRIVATE KEY") && !label.contains("ENCRYPTED"))
        .then(|| line[..start].chars().count() + 1)
}

/// The column of the password in `scheme://user:password@host`, when it is a literal.
fn dsn_password(line: &str) -> Option<usize> {
    for (at, _) in line.match_indices("://") {
        let scheme = line[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
            .next()
            .unwrap_or("");
        if scheme.is_empty() || matches!(scheme, "http" | "https" | "file") {
            continue;
        }
        let rest = &line[at + 3..];
        let end = rest
            .find(['/', '?', ' ', '"', '\'', '`'])
            .unwrap_or(rest.len());
        let Some((userinfo, _host)) = rest[..end].rsplit_once('@') else {
            continue;
        };
        let Some((_user, password)) = userinfo.split_once(':') else {
            continue;
        };
        // `user:password@host` in documentation is the format, not a password.
        if is_literal(password) && !matches!(password, "password" | "PASSWORD" | "pass") {
            let offset = at + 3 + userinfo.len() - password.len();
            return Some(line[..offset].chars().count() + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Secrets {
        Secrets {
            names: vec!["BKG_API_KEY".into(), "JWT_SECRET".into()],
            key_files: vec!["cosign.key".into()],
            allow: Vec::new(),
        }
    }

    fn rules(path: &str, text: &str) -> Vec<(String, usize, usize)> {
        policy()
            .scan(&SourceFile::new(path, text))
            .into_iter()
            .map(|f| {
                (
                    f.rule,
                    f.diag.span.unwrap().start.line,
                    f.diag.span.unwrap().start.col,
                )
            })
            .collect()
    }

    #[test]
    fn finds_literal_values_but_not_references() {
        assert_eq!(
            rules("config/x.env", "BKG_API_KEY=abc123\n"),
            [("secrets/literal-value".to_string(), 1, 13)]
        );
        assert_eq!(
            rules("x.yaml", "env:\n  JWT_SECRET: \"hunter2\"\n"),
            [("secrets/literal-value".to_string(), 2, 15)]
        );
        assert_eq!(
            rules("x.toml", "JWT_SECRET = 'x'\n"),
            [("secrets/literal-value".to_string(), 1, 14)]
        );
        assert_eq!(
            rules("run.sh", "export BKG_API_KEY=zzz\n"),
            [("secrets/literal-value".to_string(), 1, 20)]
        );
        for fine in [
            "BKG_API_KEY=\n",
            "BKG_API_KEY=${VAULT_KEY}\n",
            "JWT_SECRET: ${{ secrets.JWT }}\n",
            "secrets: [BKG_API_KEY]\n",
            "# BKG_API_KEY=old\n",
            "BKG_API_KEY=<set me>\n",
            "MY_BKG_API_KEY=1\n",
        ] {
            assert_eq!(rules("x.env", fine), [], "{fine:?}");
        }
        assert_eq!(
            rules("notes.md", "BKG_API_KEY=abc123\n"),
            [],
            "prose is not configuration"
        );
    }

    #[test]
    fn finds_keys_and_dsn_passwords() {
        assert_eq!(
            rules("a.rs", "let k = \"-----BEGIN EC PRIVATE KEY-----\";\n"),
            [("secrets/private-key".to_string(), 1, 10)]
        );
        assert_eq!(
            rules("a.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
            []
        );
        assert_eq!(
            rules("a.md", "use postgres://app:s3cret@db:5432/bkg here\n"),
            [("secrets/dsn-password".to_string(), 1, 20)]
        );
        assert_eq!(
            rules(
                "a.md",
                "postgres://app:***@db/bkg and postgres://app@db/bkg and https://u:p@x and postgres://user:password@host/db\n"
            ),
            []
        );
        assert_eq!(
            rules("cosign.key", "-----BEGIN EC PRIVATE KEY-----\n").len(),
            2
        );
        assert_eq!(
            rules(
                "cosign.key",
                "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
            ),
            []
        );
    }
}
