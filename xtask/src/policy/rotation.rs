//! `policies/rotation.yaml`: the maximum age of each key class, checked against the table of
//! rotations in `docs/Progress.md` (date, owner, key class, affected services). A class whose
//! newest rotation is too old fails, naming the row; at 80% of its age it warns.

use super::{Context, Finding, Policy, Rule, load_policy};
use crate::diagnostic::{SourceFile, Span};
use crate::yaml::{Node, Reader};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const RULE: Rule = Rule {
    id: "rotation",
    files: &["policies/rotation.yaml"],
    summary: "key rotations recorded in docs/Progress.md are recent enough",
    load: |files| load_policy(files, RULE.file(), parse),
};

#[derive(Clone, Debug)]
pub struct Class {
    pub name: String,
    pub max_age: Duration,
    /// Rotations of this class are recorded by hand (and must be); automated classes are
    /// only checked when rows exist.
    pub recorded: bool,
}

#[derive(Clone, Debug)]
pub struct Rotation {
    pub log: String,
    pub classes: Vec<Class>,
    /// Warn at this share of the maximum age.
    pub warn_at: f64,
}

pub fn parse(r: &mut Reader, root: &Node) -> Option<Rotation> {
    let fields = r.fields(root, "the rotation policy", &["log", "warn-at", "classes"])?;
    let log = fields
        .get("log")
        .and_then(|n| r.string(n, "log"))
        .unwrap_or_else(|| "docs/Progress.md".into());
    let warn_at = match fields.get("warn-at") {
        None => 0.8,
        Some(node) => {
            let text = r.string(node, "warn-at").unwrap_or_default();
            match text
                .strip_suffix('%')
                .and_then(|p| p.trim().parse::<f64>().ok())
            {
                Some(p) if (0.0..=100.0).contains(&p) => p / 100.0,
                _ => {
                    r.error(
                        node.span,
                        format!("`warn-at` is a percentage like `80%`, not `{text}`"),
                    );
                    // Reported; the classes are still read so every mistake shows at once.
                    0.8
                }
            }
        }
    };
    let Some(classes_node) = fields.get("classes") else {
        r.error(root.span, "the rotation policy needs `classes`");
        return None;
    };
    let classes_fields = r.fields(
        classes_node,
        "`classes`",
        &["admin", "namespace", "model-access", "session", "cosign"],
    )?;
    let mut classes = Vec::new();
    for (key, value) in classes_fields.entries() {
        let name = key.scalar()?.to_owned();
        let Some(fields) = r.fields(value, &format!("class `{name}`"), &["max-age", "recorded"])
        else {
            continue;
        };
        let Some(age) = fields.get("max-age") else {
            r.error(value.span, format!("class `{name}` needs `max-age`"));
            continue;
        };
        let Some(text) = r.string(age, "max-age") else {
            continue;
        };
        let max_age = match crate::text::duration::parse_age(&text) {
            Ok(d) => d,
            Err(why) => {
                r.error(age.span, format!("bad `max-age`: {why}")).hint =
                    Some("write an age like `90d`, `1h`".into());
                continue;
            }
        };
        let recorded = fields
            .get("recorded")
            .and_then(|v| r.boolean(v, "recorded"))
            .unwrap_or(true);
        classes.push(Class {
            name,
            max_age,
            recorded,
        });
    }
    Some(Rotation {
        log,
        classes,
        warn_at,
    })
}

/// A row of the rotations table.
#[derive(Debug)]
struct Row {
    line: usize,
    at: u64,
    class: String,
}

impl Policy for Rotation {
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let src = match super::source(ctx, "rotation/log", &self.log) {
            Ok(src) => src,
            Err(finding) => return vec![finding],
        };
        let (rows, mut findings) = self.rows(&src);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let table_line = src.text.lines().position(is_header).map_or(1, |i| i + 1);
        for class in &self.classes {
            let newest = rows
                .iter()
                .filter(|r| r.class == class.name)
                .max_by_key(|r| r.at);
            let Some(row) = newest else {
                if class.recorded {
                    let diag = src
                        .error(
                            Span::at(table_line, 1),
                            format!("no rotation of class {} is recorded", class.name),
                        )
                        .with_hint("add a row: | date | owner | key class | affected services |");
                    findings.push(Finding::new("rotation/missing", diag));
                }
                continue;
            };
            let age = Duration::from_secs(now.saturating_sub(row.at));
            let max = class.max_age;
            let shown = |d: Duration| human(d);
            if age > max {
                let message = format!(
                    "the newest {} rotation is {} old; {} keys rotate every {}",
                    class.name,
                    shown(age),
                    class.name,
                    shown(max)
                );
                findings.push(Finding::new(
                    "rotation/overdue",
                    src.error(Span::at(row.line, 1), message)
                        .with_hint("rotate the key and record the rotation in this table"),
                ));
            } else if age.as_secs_f64() >= max.as_secs_f64() * self.warn_at {
                let message = format!(
                    "the newest {} rotation is {} old, over {:.0}% of {}",
                    class.name,
                    shown(age),
                    self.warn_at * 100.0,
                    shown(max)
                );
                findings.push(Finding::new(
                    "rotation/due-soon",
                    src.error(Span::at(row.line, 1), message).warning(),
                ));
            }
        }
        findings
    }
}

impl Rotation {
    /// The rows of the table whose header names date, owner, key class and affected services.
    fn rows(&self, src: &SourceFile) -> (Vec<Row>, Vec<Finding>) {
        let mut rows = Vec::new();
        let mut findings = Vec::new();
        let mut in_table = false;
        for (i, line) in src.text.lines().enumerate() {
            let n = i + 1;
            if is_header(line) {
                in_table = true;
                continue;
            }
            if !in_table {
                continue;
            }
            let trimmed = line.trim();
            if !trimmed.starts_with('|') {
                in_table = false;
                continue;
            }
            if trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                continue;
            }
            let cells: Vec<&str> = trimmed
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let bad = |why: String| {
                Finding::new(
                    "rotation/malformed-row",
                    src.error(Span::at(n, 1), why).with_hint(
                        "rows are | YYYY-MM-DD | owner | key class | affected services |",
                    ),
                )
            };
            if cells.len() != 4 {
                findings.push(bad(format!(
                    "a rotation row has 4 cells, this one has {}",
                    cells.len()
                )));
                continue;
            }
            let Some(at) = parse_date(cells[0]) else {
                findings.push(bad(format!(
                    "`{}` is not a date (YYYY-MM-DD or an RFC 3339 time)",
                    cells[0]
                )));
                continue;
            };
            if cells[1].is_empty() || cells[3].is_empty() {
                findings.push(bad(
                    "the owner and the affected services must not be empty".into()
                ));
                continue;
            }
            if !self.classes.iter().any(|c| c.name == cells[2]) {
                let known: Vec<&str> = self.classes.iter().map(|c| c.name.as_str()).collect();
                findings.push(bad(format!(
                    "unknown key class `{}` (classes: {})",
                    cells[2],
                    known.join(", ")
                )));
                continue;
            }
            rows.push(Row {
                line: n,
                at,
                class: cells[2].to_owned(),
            });
        }
        (rows, findings)
    }
}

fn is_header(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.trim_start().starts_with('|')
        && ["date", "owner", "key class", "affected services"]
            .iter()
            .all(|h| lower.contains(h))
}

/// Seconds since the epoch of `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_date(text: &str) -> Option<u64> {
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00Z"));
    let mut parts = date.split('-').map(|p| p.parse::<u64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some()
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || date.len() != 10
    {
        return None;
    }
    let time = time.strip_suffix('Z')?;
    let mut t = time.split(':').map(|p| p.parse::<u64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let days = crate::text::time::days_from_civil(y.try_into().ok()?, m as u32, d as u32);
    Some(u64::try_from(days).ok()? * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 2 * 86_400 {
        format!("{} days", s / 86_400)
    } else if s >= 2 * 3600 {
        format!("{} hours", s / 3600)
    } else {
        format!("{} minutes", s / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400));
        assert_eq!(parse_date("2026-11-28T18:47:46Z"), Some(1_795_891_666));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("28.11.2026"), None);
    }
}
