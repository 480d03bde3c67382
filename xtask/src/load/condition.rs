//! Reads a `when:` condition.

use super::reader::Reader;
use crate::model::Condition;
use crate::yaml::Node;

const KINDS: [&str; 7] = ["env", "file", "tool", "ci", "all", "any", "not"];

pub fn condition(r: &mut Reader, node: &Node) -> Option<Condition> {
    let fields = r.fields(node, "a condition", &KINDS)?;
    let entries = fields.entries();
    let [(key, value)] = entries else {
        if !entries.is_empty() {
            r.error(
                node.span,
                "a condition has exactly one of env, file, tool, ci, all, any, not",
            )
            .hint = Some("combine conditions with `all: [...]` or `any: [...]`".into());
        } else if node.map().is_some_and(|m| m.is_empty()) {
            r.error(node.span, "a condition must not be empty").hint =
                Some("write e.g. `when: { env: NAME }`".into());
        }
        return None;
    };
    match key.scalar()? {
        "env" => r.env_name(value, "env").map(Condition::Env),
        "file" => {
            let path = r.string(value, "file")?;
            if path.starts_with('/') {
                r.error(value.span, "`file` must be relative to the workspace");
                return None;
            }
            Some(Condition::File(path))
        }
        "tool" => r.string(value, "tool").map(Condition::Tool),
        "ci" => r.boolean(value, "ci").map(Condition::Ci),
        "not" => condition(r, value).map(|c| Condition::Not(Box::new(c))),
        kind => {
            let Some(items) = value.seq().filter(|items| !items.is_empty()) else {
                r.type_error(value, kind, "a non-empty list of conditions");
                return None;
            };
            let parts: Vec<Option<Condition>> = items.iter().map(|c| condition(r, c)).collect();
            let parts: Option<Vec<Condition>> = parts.into_iter().collect();
            Some(if kind == "all" {
                Condition::All(parts?)
            } else {
                Condition::Any(parts?)
            })
        }
    }
}
