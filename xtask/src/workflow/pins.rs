//! `.github/actions.lock`: every action the generated workflow uses, pinned by commit, with
//! the release it is (`action<TAB>version<TAB>commit`). The generator reads it; `cargo xtask
//! workflow --update-pins` resolves the newest release within each pinned major with
//! `git ls-remote` and rewrites it.

use crate::diagnostic::{Diagnostic, SourceFile, Span};
use anyhow::Context as _;
use std::path::Path;

/// Where the pins are, relative to the workspace.
pub const PATH: &str = ".github/actions.lock";
/// Where action repositories are cloned from; tests point it at local bare repositories.
pub const BASE_URL_ENV: &str = "XTASK_ACTIONS_BASE_URL";
const BASE_URL: &str = "https://github.com";

const HEADER: &str = "\
# Actions of the generated workflow, pinned by commit (a tag can move, a commit cannot).
# `cargo xtask workflow --update-pins` takes the newest release within each major, then
# `cargo xtask workflow` writes the workflow. Columns: action, version, commit.
";

/// One pinned action.
#[derive(Clone, Debug, PartialEq)]
pub struct Pin {
    pub action: String,
    pub version: String,
    pub commit: String,
}

/// The pins of a workspace, in file order.
#[derive(Debug, PartialEq)]
pub struct Pins(pub Vec<Pin>);

impl Pins {
    /// Reads `.github/actions.lock`; mistakes are positioned.
    pub fn load(root: &Path) -> anyhow::Result<Result<Pins, Vec<Diagnostic>>> {
        let text = std::fs::read_to_string(root.join(PATH))
            .with_context(|| format!("cannot read {PATH}; it pins the workflow's actions"))?;
        Ok(Pins::parse(&SourceFile::new(PATH, text)))
    }

    pub fn parse(src: &SourceFile) -> Result<Pins, Vec<Diagnostic>> {
        let mut pins = Vec::new();
        let mut diags = Vec::new();
        for (i, line) in src.text.lines().enumerate() {
            let at = Span::at(i + 1, 1);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            let [action, version, commit] = cells[..] else {
                diags.push(
                    src.error(at, "a pin is `action<TAB>version<TAB>commit`")
                        .with_hint(
                            "e.g. `actions/checkout\tv7.0.1\t<40 hex digits>`, separated by tabs",
                        ),
                );
                continue;
            };
            if !is_commit(commit) {
                diags.push(
                    src.error(at, format!("`{commit}` is not a full commit (40 hex digits)"))
                        .with_hint("a tag or a short hash can move or collide; pin the commit the tag points at"),
                );
            } else if major(version).is_none() {
                diags.push(src.error(at, format!("`{version}` is not a release like `v7.0.1`")));
            } else if pins.iter().any(|p: &Pin| p.action == action) {
                diags.push(src.error(at, format!("`{action}` is pinned twice")));
            } else {
                pins.push(Pin {
                    action: action.to_owned(),
                    version: version.to_owned(),
                    commit: commit.to_owned(),
                });
            }
        }
        if diags.is_empty() {
            Ok(Pins(pins))
        } else {
            Err(diags)
        }
    }

    pub fn get(&self, action: &str) -> Option<&Pin> {
        self.0.iter().find(|p| p.action == action)
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        for pin in &self.0 {
            out.push_str(&format!(
                "{}\t{}\t{}\n",
                pin.action, pin.version, pin.commit
            ));
        }
        out
    }

    /// Each pin moved to the newest release tag of its major, or of the major `to` names for
    /// an action (`actions/checkout` → `v8`); the lines that say what changed.
    pub fn update(&mut self, to: &[(String, u64)]) -> anyhow::Result<Vec<String>> {
        let base = std::env::var(BASE_URL_ENV).unwrap_or_else(|_| BASE_URL.into());
        let mut said = Vec::new();
        for pin in &mut self.0 {
            let wanted = to
                .iter()
                .find(|(a, _)| *a == pin.action)
                .map(|(_, m)| *m)
                .or_else(|| major(&pin.version))
                .expect("parsed pins have a major");
            let url = format!("{}/{}", base.trim_end_matches('/'), pin.action);
            let tags = remote_tags(&url)?;
            let Some((version, commit)) = newest(&tags, wanted) else {
                anyhow::bail!("{url} has no release tag v{wanted}.x.y");
            };
            if version != pin.version || commit != pin.commit {
                said.push(format!(
                    "{}: {} -> {version} ({commit})",
                    pin.action, pin.version
                ));
                pin.version = version;
                pin.commit = commit;
            } else {
                said.push(format!(
                    "{}: {} is the newest v{wanted}",
                    pin.action, pin.version
                ));
            }
        }
        Ok(said)
    }
}

fn is_commit(text: &str) -> bool {
    text.len() == 40
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `v7.0.1` → (7, 0, 1); only full releases count (no `v7`, no pre-releases).
fn release(tag: &str) -> Option<(u64, u64, u64)> {
    let mut parts = tag
        .strip_prefix('v')?
        .split('.')
        .map(|p| p.parse::<u64>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

fn major(version: &str) -> Option<u64> {
    release(version).map(|(m, _, _)| m)
}

/// (tag, commit) of every tag of a remote, annotated tags resolved to their commit.
fn remote_tags(url: &str) -> anyhow::Result<Vec<(String, String)>> {
    let out = std::process::Command::new("git")
        .args(["ls-remote", "--tags", url])
        .stdin(std::process::Stdio::null())
        .output()
        .context("cannot run git ls-remote")?;
    if !out.status.success() {
        anyhow::bail!(
            "git ls-remote --tags {url} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((commit, name)) = line.split_once('\t') else {
            continue;
        };
        let Some(name) = name.strip_prefix("refs/tags/") else {
            continue;
        };
        match name.strip_suffix("^{}") {
            // The peeled line follows its tag: the commit an annotated tag points at.
            Some(tag) => match tags.iter_mut().find(|(t, _)| t == tag) {
                Some(entry) => entry.1 = commit.to_owned(),
                None => tags.push((tag.to_owned(), commit.to_owned())),
            },
            None => tags.push((name.to_owned(), commit.to_owned())),
        }
    }
    Ok(tags)
}

/// The newest full release of `major` among `tags`.
fn newest(tags: &[(String, String)], major: u64) -> Option<(String, String)> {
    tags.iter()
        .filter_map(|(t, c)| Some((release(t)?, t, c)))
        .filter(|((m, _, _), _, _)| *m == major)
        .max_by_key(|(v, _, _)| *v)
        .map(|(_, t, c)| (t.clone(), c.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_release_of_a_major_ignores_moving_and_pre_release_tags() {
        let tags: Vec<(String, String)> = [
            ("v7", "a"),
            ("v7.0.1", "b"),
            ("v7.1.0", "c"),
            ("v8.0.0", "d"),
            ("v7.2.0-rc.1", "e"),
        ]
        .iter()
        .map(|(t, c)| (t.to_string(), c.to_string()))
        .collect();
        assert_eq!(newest(&tags, 7), Some(("v7.1.0".into(), "c".into())));
        assert_eq!(newest(&tags, 8), Some(("v8.0.0".into(), "d".into())));
        assert_eq!(newest(&tags, 9), None);
    }

    #[test]
    fn malformed_pins_are_positioned() {
        let src = SourceFile::new(PATH, "# c\na/b\tv1.0.0\tdeadbeef\na/c v1\n");
        let diags = Pins::parse(&src).unwrap_err();
        assert_eq!(
            diags[0].message,
            "`deadbeef` is not a full commit (40 hex digits)"
        );
        assert_eq!(diags[0].span.unwrap().start.line, 2);
        assert_eq!(diags[1].message, "a pin is `action<TAB>version<TAB>commit`");
    }
}
