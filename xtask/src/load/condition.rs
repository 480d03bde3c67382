//! Reads a `when:` condition.

use crate::model::{Condition, POLICY_SWITCHES};
use crate::yaml::{Node, Reader};

const KINDS: [&str; 11] = [
    "env", "file", "tool", "ci", "branch", "tag", "staged", "policy", "all", "any", "not",
];

pub fn condition(r: &mut Reader, node: &Node) -> Option<Condition> {
    let fields = r.fields(node, "a condition", &KINDS)?;
    let entries = fields.entries();
    let [(key, value)] = entries else {
        if !entries.is_empty() {
            r.error(
                node.span,
                "a condition has exactly one of env, file, tool, ci, branch, tag, staged, policy, all, any, not",
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
        "staged" => {
            let text = r.string(value, "staged")?;
            let Ok(pattern) = glob::Pattern::new(&text) else {
                r.error(value.span, format!("`{text}` is not a valid glob"));
                return None;
            };
            Some(Condition::Staged(pattern))
        }
        "branch" | "tag" => {
            let text = r.string(value, key.scalar()?)?;
            let Ok(pattern) = glob::Pattern::new(&text) else {
                r.error(value.span, format!("`{text}` is not a valid glob"));
                return None;
            };
            Some(if key.scalar() == Some("tag") {
                Condition::Tag(pattern)
            } else {
                Condition::Branch(pattern)
            })
        }
        "policy" => {
            let switch = r.string(value, "policy")?;
            if !POLICY_SWITCHES.contains(&switch.as_str()) {
                r.error(value.span, format!("unknown policy switch `{switch}`"))
                    .hint = Some(format!("policy switches: {}", POLICY_SWITCHES.join(", ")));
                return None;
            }
            Some(Condition::Policy(switch))
        }
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
