//! `openapi/compat`: compares an OpenAPI document with its version at the base (merge base
//! with the default branch, else the latest tag) and fails on breaking changes that neither a
//! major-version bump nor the allowlist excuses. Findings land at the document's lines.

use crate::apicompat::{self, Outcome};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::bail;
use std::sync::Arc;

pub const COMPAT: Registration = Registration {
    name: "openapi/compat",
    summary: "fail on breaking changes of an OpenAPI document against the base branch",
    required: &["file"],
    optional: &["base"],
    parse,
};

#[derive(Debug)]
struct Compat {
    file: String,
    base: Option<String>,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let file = r.workspace_path(fields.get("file")?, "file")?;
    let base = match fields.get("base") {
        Some(node) => Some(r.string(node, "base")?),
        None => None,
    };
    Some(Arc::new(Compat { file, base }))
}

impl Builtin for Compat {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let env = |name: &str| ctx.var(name);
        let base = self
            .base
            .clone()
            .or_else(|| ctx.var(apicompat::base::BASE_ENV).filter(|b| !b.is_empty()));
        match apicompat::check(ctx.root, &self.file, base.as_deref(), &env)? {
            Err(diags) => {
                for diag in diags {
                    ctx.finding(diag);
                }
                bail!("cannot compare {}: the documents are malformed", self.file)
            }
            Ok(Outcome::NoBase(why)) => {
                writeln!(ctx.out, "{} not compared: {why}", self.file)?;
                Ok(())
            }
            Ok(Outcome::Compared(verdict, revision)) => {
                ctx.out.write_all(verdict.text().as_bytes())?;
                // Printed above already; recorded for annotations and the reports.
                ctx.findings.extend(verdict.diagnostics(&revision));
                if verdict.breaking() > 0 {
                    bail!("{}", verdict.summary());
                }
                writeln!(ctx.out, "{}", verdict.summary())?;
                Ok(())
            }
        }
    }
}
