//! The services policy's alert-rule check: every metric with the policy's prefix that an
//! `expr` of a Prometheus rule file selects must be in a service's metric catalogue (the
//! `x-bkg-metrics` of `GET /metrics` in its OpenAPI document, generated from the daemon's
//! registry), so a renamed or removed metric cannot leave an alert that never fires.

use super::super::{Context, Finding};
use super::promql;
use crate::diagnostic::{SourceFile, Span};
use crate::yaml::Node;
use std::collections::BTreeSet;

const RULE: &str = "services/alert-metric";

/// `alerts:` of the policy: the rule files and the prefix of the services' own metrics.
#[derive(Clone, Debug)]
pub struct Alerts {
    pub rules: Vec<String>,
    pub prefix: String,
}

/// The sample names a document's `GET /metrics` declares in `x-bkg-metrics`.
pub fn catalogue(root: &Node) -> impl Iterator<Item = String> + '_ {
    let families = root
        .get("paths")
        .and_then(|p| p.get("/metrics"))
        .and_then(|m| m.get("get"))
        .and_then(|op| op.get("x-bkg-metrics"))
        .and_then(Node::seq)
        .unwrap_or_default();
    families.iter().flat_map(|family| {
        family
            .get("samples")
            .and_then(Node::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.scalar().map(str::to_owned))
    })
}

pub fn check(ctx: &Context, alerts: &Alerts, exposed: &BTreeSet<String>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in &alerts.rules {
        let (src, root) = match super::super::yaml_source(ctx, RULE, file) {
            Ok(parsed) => parsed,
            Err(finding) => {
                findings.push(finding);
                continue;
            }
        };
        let Some(groups) = root.get("groups").and_then(Node::seq) else {
            findings.push(Finding::new(
                RULE,
                src.error(
                    root.span,
                    "not a Prometheus rule file: it has no `groups` list",
                ),
            ));
            continue;
        };
        let rules = groups
            .iter()
            .filter_map(|g| g.get("rules").and_then(Node::seq))
            .flatten();
        for rule in rules {
            let (Some(expr), name) = (rule.get("expr"), rule_name(rule)) else {
                continue;
            };
            let Some(text) = expr.scalar() else { continue };
            let mut cursor = expr.span.start;
            for (_, metric) in promql::metric_names(text) {
                let at = find(&src, cursor, metric).unwrap_or(expr.span);
                cursor = at.end;
                if !metric.starts_with(&alerts.prefix) || exposed.contains(metric) {
                    continue;
                }
                let mut diag = src.error(
                    at,
                    format!("{name} uses `{metric}`, which no service exposes"),
                );
                diag.hint = Some(
                    match crate::text::suggest::did_you_mean(
                        metric,
                        exposed.iter().map(String::as_str),
                    ) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => "the metrics a service exposes are listed in `x-bkg-metrics` of GET /metrics in its OpenAPI document".to_string(),
                    },
                );
                findings.push(Finding::new(RULE, diag));
            }
        }
    }
    findings
}

fn rule_name(rule: &Node) -> String {
    match (
        rule.get("alert").and_then(Node::scalar),
        rule.get("record").and_then(Node::scalar),
    ) {
        (Some(alert), _) => format!("alert `{alert}`"),
        (None, Some(record)) => format!("recording rule `{record}`"),
        (None, None) => "a rule".to_string(),
    }
}

/// The span of the first whole-word `word` at or after `from` in the source.
fn find(src: &SourceFile, from: crate::diagnostic::Pos, word: &str) -> Option<Span> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut line = from.line;
    let mut col = from.col;
    while let Some(text) = src.line(line) {
        let chars: Vec<char> = text.chars().collect();
        let start = col.saturating_sub(1).min(chars.len());
        let rest: String = chars[start..].iter().collect();
        let mut offset = 0;
        while let Some(i) = rest[offset..].find(word) {
            let at = offset + i;
            let before = rest[..at].chars().next_back();
            let after = rest[at + word.len()..].chars().next();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                let c = start + rest[..at].chars().count() + 1;
                let mut span = Span::at(line, c);
                span.end.col = c + word.chars().count();
                return Some(span);
            }
            offset = at + word.len();
        }
        line += 1;
        col = 1;
    }
    None
}
