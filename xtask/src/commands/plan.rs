//! `cargo xtask plan`: what `run` would do, in which order and why; runs nothing.

use crate::cache::{Cache, Check};
use crate::commands::App;
use crate::exec::Machine;
use crate::failure::Failure;
use crate::model::Facts;
use crate::plan::{Decision, Plan};
use crate::tools::Toolbox;
use std::path::Path;

pub fn run(app: &mut App, root: &Path, targets: &[String], no_deps: bool) -> Result<(), Failure> {
    let ws = crate::load::load(root, crate::builtins::REGISTRY)?;
    let plan = crate::plan::build(&ws, targets, &crate::plan::Options { no_deps })?;
    let facts = Machine::new(&ws);
    let cache = super::remote::open(app, root)?;
    let mut warnings = Vec::new();
    let decisions = decide(
        &plan,
        &facts,
        &cache,
        &Toolbox::new(root, false),
        &mut warnings,
    )?;
    warnings.extend(cache.take_warnings());
    for warning in warnings {
        eprintln!("warning: {}", app.masker.mask(&warning));
    }
    print!(
        "{}",
        app.masker
            .mask(&crate::plan::render(&plan, &decisions, app.style))
    );
    Ok(())
}

/// Conditions as they evaluate now, and the cache as it stands now, step by step in order
/// (a step's key includes the keys of the steps it needs).
fn decide(
    plan: &Plan,
    facts: &dyn Facts,
    cache: &Cache,
    toolbox: &Toolbox,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Vec<Decision>> {
    let mut decisions = Vec::new();
    for step in &plan.steps {
        let pipeline = &plan.pipelines[step.pipeline];
        let skip = [&pipeline.when, &step.when]
            .into_iter()
            .flatten()
            .map(|c| c.eval(facts))
            .find(|(value, _)| !value);
        if let Some((_, why)) = skip {
            decisions.push(Decision::Skipped(why));
            continue;
        }
        let decision = match cache.check(plan, step, toolbox.versions(&pipeline.tools), warnings)? {
            // Dependents fall back to the definition of a step without inputs.
            Check::Uncached => Decision::Run(None),
            Check::Hit { key, .. } => {
                cache.remember(&step.label, key);
                Decision::Cached
            }
            Check::Restore { key, remote, .. } => {
                cache.remember(&step.label, key);
                Decision::Restore { remote }
            }
            Check::Miss { key, why, .. } => {
                cache.remember(&step.label, key);
                Decision::Run(Some(why))
            }
        };
        decisions.push(decision);
    }
    // A service starts only for a step that will run; say which, or that none will. One that
    // starts is a new server, so every step that needs it runs (as `StepRunner` does).
    for (at, step) in plan.steps.iter().enumerate() {
        if !step.service || !matches!(decisions[at], Decision::Run(_)) {
            continue;
        }
        let consumers = plan.consumers(at);
        let running = consumers
            .iter()
            .find(|&&i| matches!(decisions[i], Decision::Run(_)));
        decisions[at] = match running {
            Some(&i) => Decision::Run(Some(format!("{} will run", plan.steps[i].label))),
            None => Decision::Skipped(crate::exec::service_idle(consumers.len())),
        };
        if matches!(decisions[at], Decision::Run(_)) {
            for &i in &consumers {
                if matches!(decisions[i], Decision::Cached | Decision::Restore { .. }) {
                    decisions[i] = Decision::Run(Some(format!(
                        "{} started a new server, which holds nothing of its earlier runs",
                        step.label
                    )));
                }
            }
        }
    }
    Ok(decisions)
}
