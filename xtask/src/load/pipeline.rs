//! Reads one pipeline file into a `Pipeline`.

use super::condition::condition;
use super::step::step;
use super::tools::tools;
use crate::diagnostic::Named;
use crate::model::{Pipeline, Registration, Step};
use crate::text::suggest::did_you_mean;
use crate::yaml::{Node, Reader};
use std::collections::{HashMap, HashSet};

const KEYS: [&str; 8] = [
    "description",
    "needs",
    "after",
    "when",
    "env",
    "secrets",
    "tools",
    "steps",
];

pub fn pipeline(
    r: &mut Reader,
    registry: &[Registration],
    name: &str,
    root: &Node,
) -> Option<Pipeline> {
    if root.is_null() {
        r.diags.push(
            r.src
                .file_error("the pipeline file is empty")
                .with_hint("a pipeline needs at least `steps:` with one step"),
        );
        return None;
    }
    let fields = r.fields(root, "a pipeline", &KEYS)?;
    let description = fields
        .get("description")
        .and_then(|v| r.string(v, "description"))
        .unwrap_or_default();
    let needs = fields
        .get("needs")
        .and_then(|v| r.names(v, "needs"))
        .unwrap_or_default();
    let after = fields
        .get("after")
        .and_then(|v| r.names(v, "after"))
        .unwrap_or_default();
    let when = fields.get("when").and_then(|v| condition(r, v));
    let env = fields.get("env").map(|v| r.env(v)).unwrap_or_default();
    let secrets = fields
        .get("secrets")
        .map(|v| secrets(r, v))
        .unwrap_or_default();
    let tools = fields.get("tools").map(|v| tools(r, v)).unwrap_or_default();
    // A pipeline without steps only groups the pipelines it needs (like `ci`).
    let steps = match fields.get("steps") {
        Some(v) if v.is_null() || v.seq().is_some_and(|s| s.is_empty()) => Vec::new(),
        Some(v) => steps(r, registry, v),
        None => Vec::new(),
    };
    if steps.is_empty() && needs.is_empty() && r.diags.is_empty() {
        r.error(
            root.span,
            format!("pipeline `{name}` has no `steps` and no `needs`"),
        )
        .hint = Some(
            "add `steps:` with at least one step, or `needs:` to group other pipelines".into(),
        );
    }
    Some(Pipeline {
        name: name.to_owned(),
        file: r.src.path.clone(),
        description,
        needs,
        after,
        when,
        env,
        secrets,
        tools,
        steps,
    })
}

fn secrets(r: &mut Reader, node: &Node) -> Vec<String> {
    let Some(items) = node.seq() else {
        r.type_error(node, "secrets", "a list of environment variable names");
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| r.env_name(item, "secrets"))
        .collect()
}

fn steps(r: &mut Reader, registry: &[Registration], node: &Node) -> Vec<Step> {
    let Some(items) = node.seq() else {
        r.type_error(node, "steps", "a list of steps");
        return Vec::new();
    };
    // Ids as written, even of steps with other mistakes, so one mistake does not hide
    // duplicates or turn references to that step into "unknown step" errors.
    let ids: Vec<Named> = items
        .iter()
        .filter_map(|item| {
            item.get("id").and_then(|id| {
                Some(Named {
                    name: id.string()?.to_owned(),
                    span: id.span,
                })
            })
        })
        .collect();
    let mut firsts: HashMap<&str, &Named> = HashMap::with_capacity(ids.len());
    for id in &ids {
        let first = *firsts.entry(id.name.as_str()).or_insert(id);
        if !std::ptr::eq(first, id) {
            let line = first.span.start.line;
            r.error(id.span, format!("duplicate step id `{}`", id.name))
                .hint = Some(format!(
                "the first step `{}` is on line {line}; give each step its own id",
                id.name
            ));
        }
    }
    let steps: Vec<Step> = items
        .iter()
        .filter_map(|item| step(r, registry, item))
        .collect();
    check_step_needs(r, &steps, &ids);
    steps
}

fn check_step_needs(r: &mut Reader, steps: &[Step], ids: &[Named]) {
    let known: HashSet<&str> = ids.iter().map(|id| id.name.as_str()).collect();
    for s in steps {
        for need in s.needs.iter().flatten() {
            if need.name == s.id {
                r.error(need.span, format!("step `{}` needs itself", s.id));
            } else if !known.contains(need.name.as_str()) {
                let names = ids.iter().map(|id| id.name.as_str());
                let hint = match did_you_mean(&need.name, names.clone()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "steps in this pipeline: {}",
                        names.collect::<Vec<_>>().join(", ")
                    ),
                };
                r.error(
                    need.span,
                    format!("step `{}` needs unknown step `{}`", s.id, need.name),
                )
                .hint = Some(hint);
            }
        }
    }
}
