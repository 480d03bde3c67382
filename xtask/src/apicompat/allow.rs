//! `policies/api-compat-allowlist.yaml`: breaking changes accepted on purpose, each naming
//! the rule, the JSON pointer (in the base or the revision document) and the reason.

use super::Finding;
use crate::diagnostic::Diagnostic;
use crate::text::suggest::did_you_mean;
use crate::yaml::{Node, Reader};

pub const PATH: &str = crate::policy::API_COMPAT_ALLOWLIST;

#[derive(Clone, Debug)]
pub struct Allowed {
    pub rule: String,
    pub pointer: String,
    pub reason: String,
}

/// Reads the allowlist (none when the file does not exist); mistakes are positioned.
pub fn read(root: &std::path::Path) -> anyhow::Result<Result<Vec<Allowed>, Vec<Diagnostic>>> {
    let mut diags = Vec::new();
    let allowed = crate::yaml::read_file(root, PATH, &mut diags, parse)?;
    Ok(if diags.is_empty() {
        Ok(allowed.unwrap_or_default())
    } else {
        Err(diags)
    })
}

fn parse(r: &mut Reader, root: &Node) -> Option<Vec<Allowed>> {
    let mut allowed = Vec::new();
    match root.seq() {
        None if root.is_null() => {}
        None => r.type_error(
            root,
            "the allowlist",
            "a list of { rule, pointer, reason } entries",
        ),
        Some(items) => {
            for item in items {
                let Some(fields) =
                    r.fields(item, "an allowlist entry", &["rule", "pointer", "reason"])
                else {
                    continue;
                };
                let (Some(rule), Some(pointer), Some(reason)) = (
                    fields.get("rule"),
                    fields.get("pointer"),
                    fields.get("reason"),
                ) else {
                    r.error(
                        item.span,
                        "an allowlist entry needs `rule`, `pointer` and `reason`",
                    )
                    .hint = Some("say why the breaking change is acceptable".into());
                    continue;
                };
                let (Some(rule_text), Some(pointer_text), Some(reason_text)) = (
                    r.string(rule, "rule"),
                    r.string(pointer, "pointer"),
                    r.string(reason, "reason"),
                ) else {
                    continue;
                };
                if !super::rules::ids().any(|id| id == rule_text) {
                    let hint = match did_you_mean(&rule_text, super::rules::ids()) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "the rules are listed in docs/api-compat.md".into(),
                    };
                    r.error(rule.span, format!("unknown rule `{rule_text}`"))
                        .hint = Some(hint);
                    continue;
                }
                if !pointer_text.starts_with("#/") {
                    r.error(pointer.span, format!("`{pointer_text}` is not a JSON pointer into the document")).hint = Some("copy it from the finding, e.g. `#/components/schemas/User/properties/name`".into());
                    continue;
                }
                if reason_text.trim().is_empty() {
                    r.error(reason.span, "the `reason` must not be empty");
                    continue;
                }
                allowed.push(Allowed {
                    rule: rule_text,
                    pointer: pointer_text,
                    reason: reason_text,
                });
            }
        }
    }
    Some(allowed)
}

/// Marks the findings the allowlist accepts.
pub fn apply(findings: &mut [Finding], allowed: &[Allowed]) {
    for finding in findings.iter_mut() {
        let pointers = [finding.base.as_ref(), finding.revision.as_ref()];
        let entry = allowed.iter().find(|a| {
            a.rule == finding.rule && pointers.iter().flatten().any(|l| l.pointer == a.pointer)
        });
        if let Some(entry) = entry {
            finding.excused = Some(format!("allowed in {PATH}: {}", entry.reason));
        }
    }
}
