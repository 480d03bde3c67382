//! `policies/api-compat.yaml`: how the compatibility check judges what the documents alone
//! do not say. Today one setting, the deprecation policy:
//!
//! ```yaml
//! deprecation:
//!   min_days: 90   # a deprecated element's x-sunset is at least 90 days ahead
//! ```

use super::Options;
use crate::diagnostic::Diagnostic;
use crate::yaml::{Node, Reader};

pub const PATH: &str = crate::policy::API_COMPAT_SETTINGS;

/// The options for `today` (days since 1970-01-01), from the file when it exists.
pub fn read(
    root: &std::path::Path,
    today: i64,
) -> anyhow::Result<Result<Options, Vec<Diagnostic>>> {
    let mut diags = Vec::new();
    let min_days = crate::yaml::read_file(root, PATH, &mut diags, parse)?.flatten();
    Ok(if diags.is_empty() {
        Ok(Options { today, min_days })
    } else {
        Err(diags)
    })
}

fn parse(r: &mut Reader, root: &Node) -> Option<Option<u32>> {
    if root.is_null() {
        return Some(None);
    }
    let fields = r.fields(root, "policies/api-compat.yaml", &["deprecation"])?;
    let Some(deprecation) = fields.get("deprecation") else {
        return Some(None);
    };
    let fields = r.fields(deprecation, "`deprecation`", &["min_days"])?;
    let Some(min_days) = fields.get("min_days") else {
        return Some(None);
    };
    match min_days.scalar().and_then(|s| s.parse::<u32>().ok()) {
        Some(days) => Some(Some(days)),
        None => {
            r.error(
                min_days.span,
                format!(
                    "`min_days` must be a number of days, found {}",
                    min_days.kind()
                ),
            )
            .hint = Some("e.g. `min_days: 90`".into());
            None
        }
    }
}
