//! `cargo xtask policy [--rule ID]`: checks the governance policies and prints one finding
//! per line, `path:line:col: rule-id: message` (GitHub annotations too under Actions);
//! exit 1 on any error-level finding, 2 on an invalid policy file or an unknown rule.

use crate::commands::App;
use crate::failure::Failure;
use crate::policy::{self, Policies};
use crate::report::annotation;
use std::path::Path;

pub fn run(app: &mut App, root: &Path, rules: &[String]) -> Result<(), Failure> {
    if let Some((rule, hint)) = rules
        .iter()
        .find_map(|r| Some((r, policy::unknown_rule(r)?)))
    {
        return Err(Failure::usage(
            format!("unknown policy rule `{rule}`"),
            hint,
        ));
    }
    let policies = Policies::load(root)?.map_err(Failure::Invalid)?;
    app.masker = std::sync::Arc::new(xtask_process::mask::Masker::from_env(
        policies.secret_names(),
    ));
    let checked = policies.present(rules);
    if let Some(missing) = rules.iter().find(|r| !checked.contains(&r.as_str())) {
        let file = policy::RULES
            .iter()
            .find(|r| r.id == missing)
            .map_or("", |r| r.file());
        return Err(Failure::usage(
            format!("rule `{missing}` has no policy file: {file} does not exist"),
            format!("create {file} (see docs/governance.md)"),
        ));
    }
    let env = |name: &str| std::env::var(name).ok();
    let control = xtask_process::Control::default();
    let launcher = xtask_process::Launcher {
        env: &Default::default(),
        control: &control,
        masker: &app.masker,
    };
    let findings = policies.check(
        &policy::Context {
            root,
            env: &env,
            launcher: &launcher,
        },
        rules,
    );
    let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    for finding in &findings {
        println!("{}", finding.line());
        if github {
            println!("{}", annotation(&finding.diag, &finding.rule, &app.masker));
        }
    }
    let summary = policy::summary(&checked, &findings);
    if findings.iter().any(|f| f.is_error()) {
        return Err(anyhow::anyhow!(summary).into());
    }
    eprintln!("{} {summary}", app.style.green("✓"));
    Ok(())
}
