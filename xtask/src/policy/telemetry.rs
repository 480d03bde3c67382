//! `policies/telemetry.yaml`: the OpenTelemetry sampling rate each environment may use and
//! the sandbox defaults, checked against the committed `config/<environment>.env` files.

use super::{Context, Finding, Policy, Rule, load_policy};
use crate::diagnostic::Span;
use crate::yaml::{Node, Reader};

pub const RULE: Rule = Rule {
    id: "telemetry",
    files: &["policies/telemetry.yaml"],
    summary: "sampling rates and sandbox defaults of each environment",
    load: |files| load_policy(files, RULE.file(), parse),
};

#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    pub file: String,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug)]
pub struct Telemetry {
    pub variable: String,
    pub environments: Vec<Environment>,
    /// Variable → required value in every environment file.
    pub sandbox: Vec<(String, String)>,
}

pub fn parse(r: &mut Reader, root: &Node) -> Option<Telemetry> {
    let fields = r.fields(
        root,
        "the telemetry policy",
        &["sampling-variable", "environments", "sandbox"],
    )?;
    let variable = fields
        .get("sampling-variable")
        .and_then(|n| r.string(n, "sampling-variable"))
        .unwrap_or_else(|| "CAVE_OTEL_SAMPLING_RATE".into());
    let mut environments = Vec::new();
    if let Some(envs) = fields
        .get("environments")
        .and_then(|n| r.fields(n, "`environments`", &["dev", "staging", "production"]))
    {
        for (key, value) in envs.entries() {
            let name = key.scalar()?.to_owned();
            let Some(f) = r.fields(
                value,
                &format!("environment `{name}`"),
                &["file", "sampling"],
            ) else {
                continue;
            };
            let file = f
                .get("file")
                .and_then(|n| r.string(n, "file"))
                .unwrap_or_else(|| format!("config/{name}.env"));
            let Some(sampling) = f.get("sampling") else {
                r.error(
                    value.span,
                    format!("environment `{name}` needs `sampling` (a rate, or `min`/`max`)"),
                );
                continue;
            };
            let range = match sampling.scalar() {
                Some(text) if sampling.map().is_none() => rate(r, sampling, text).map(|v| (v, v)),
                _ => {
                    let Some(s) = r.fields(sampling, "`sampling`", &["min", "max"]) else {
                        continue;
                    };
                    let min = s.get("min").and_then(|n| rate(r, n, n.scalar()?));
                    let max = s.get("max").and_then(|n| rate(r, n, n.scalar()?));
                    match (min, max) {
                        (Some(min), Some(max)) if min <= max => Some((min, max)),
                        (Some(_), Some(_)) => {
                            r.error(sampling.span, "`min` is above `max`");
                            None
                        }
                        _ => {
                            r.error(sampling.span, "`sampling` needs `min` and `max`");
                            None
                        }
                    }
                }
            };
            if let Some((min, max)) = range {
                environments.push(Environment {
                    name,
                    file,
                    min,
                    max,
                });
            }
        }
    }
    let sandbox = fields.get("sandbox").map(|n| r.env(n)).unwrap_or_default();
    Some(Telemetry {
        variable,
        environments,
        sandbox,
    })
}

fn rate(r: &mut Reader, node: &Node, text: &str) -> Option<f64> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Some(v),
        _ => {
            r.error(
                node.span,
                format!("`{text}` is not a sampling rate between 0 and 1"),
            );
            None
        }
    }
}

impl Policy for Telemetry {
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for env in &self.environments {
            let src = match super::source(ctx, "telemetry/config", &env.file) {
                Ok(src) => src,
                Err(finding) => {
                    findings.push(finding);
                    continue;
                }
            };
            let values = assignments(&src.text);
            let find = |name: &str| values.iter().find(|(n, _, _)| n == name);
            match find(&self.variable) {
                None => findings.push(Finding::new(
                    "telemetry/sampling",
                    src.file_error(format!("{} is not set for {}", self.variable, env.name)),
                )),
                Some((_, value, line)) => {
                    let ok = value
                        .parse::<f64>()
                        .is_ok_and(|v| v >= env.min && v <= env.max);
                    if !ok {
                        let allowed = if env.min == env.max {
                            format!("{}", env.min)
                        } else {
                            format!("{}–{}", env.min, env.max)
                        };
                        let message = format!(
                            "{}={value} is outside what {} allows ({allowed})",
                            self.variable, env.name
                        );
                        findings.push(Finding::new(
                            "telemetry/sampling",
                            src.error(Span::at(*line, 1), message),
                        ));
                    }
                }
            }
            for (name, required) in &self.sandbox {
                match find(name) {
                    None => findings.push(Finding::new(
                        "telemetry/sandbox",
                        src.file_error(format!(
                            "{name} is not set (the sandbox default is {required})"
                        )),
                    )),
                    Some((_, value, line)) if value != required => {
                        let message =
                            format!("{name}={value}, but the sandbox default is {required}");
                        findings.push(Finding::new(
                            "telemetry/sandbox",
                            src.error(Span::at(*line, 1), message),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        findings
    }
}

/// (name, value, line) of each `NAME=value` line (comments, `export`, quotes allowed).
fn assignments(text: &str) -> Vec<(String, String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (name, value) = line.split_once('=')?;
            let value = value
                .split(" #")
                .next()
                .unwrap_or(value)
                .trim()
                .trim_matches(['"', '\'']);
            Some((name.trim().to_owned(), value.to_owned(), i + 1))
        })
        .collect()
}
