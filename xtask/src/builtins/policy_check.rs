//! `policy/check`: runs the workspace's policies (all, or `with: { rules: [...] }`) as a
//! step; each finding is a positioned step finding carrying its rule id, and any error-level
//! finding fails the step.

use crate::model::{Builtin, Registration, StepContext, With};
use crate::policy::{self, Policies};
use crate::yaml::Reader;
use anyhow::bail;
use std::sync::Arc;

pub const CHECK: Registration = Registration {
    name: "policy/check",
    summary: "check the governance policies in policies/*.yaml; findings at file lines",
    required: &[],
    optional: &["rules"],
    parse,
};

#[derive(Debug)]
struct Check {
    rules: Vec<String>,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let mut rules = Vec::new();
    for rule in fields
        .get("rules")
        .and_then(|n| r.names(n, "rules"))
        .unwrap_or_default()
    {
        match policy::unknown_rule(&rule.name) {
            None => rules.push(rule.name),
            Some(hint) => {
                r.error(rule.span, format!("unknown policy rule `{}`", rule.name))
                    .hint = Some(hint)
            }
        };
    }
    Some(Arc::new(Check { rules }))
}

impl Builtin for Check {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let policies = match Policies::load(ctx.root)? {
            Ok(policies) => policies,
            Err(diags) => {
                for diag in diags {
                    ctx.finding(diag);
                }
                bail!("the policy files are invalid");
            }
        };
        let env = |name: &str| ctx.var(name);
        let findings = policies.check(
            &policy::Context {
                root: ctx.root,
                env: &env,
                launcher: ctx.launcher(),
            },
            &self.rules,
        );
        let checked = policies.present(&self.rules);
        for finding in &findings {
            ctx.finding(finding.annotated());
        }
        let errors = findings.iter().filter(|f| f.is_error()).count();
        let summary = policy::summary(&checked, &findings);
        if errors > 0 {
            bail!("{summary}");
        }
        writeln!(ctx.out, "{summary}")?;
        Ok(())
    }
}
