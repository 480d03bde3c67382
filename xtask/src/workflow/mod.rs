//! The GitHub Actions workflow generated from the pipelines: one job per pipeline reachable
//! from `ci`, `needs` mirroring pipeline `needs` and `after`, each job running
//! `cargo xtask run <pipeline> --no-deps`, with artifacts passed between jobs and secrets
//! mapped only where a pipeline declares them. `cargo xtask workflow` writes it, `--check`
//! and the `workflow` pipeline's drift step keep the committed file in step.

pub mod pins;
mod render;

use crate::model::Workspace;
use crate::policy::SupplyChain;
use std::collections::{BTreeMap, BTreeSet};

pub use render::render;

/// Where the workflow is written, relative to the workspace.
pub const PATH: &str = ".github/workflows/ci.yml";
/// The pipeline whose reachable pipelines become jobs.
pub const ROOT: &str = "ci";

/// One job of the workflow.
#[derive(Debug, PartialEq)]
pub struct Job {
    /// The pipeline, which is also the job id.
    pub pipeline: String,
    pub description: String,
    /// Jobs that must finish first: the pipeline's `needs`, and its `after` that are jobs too.
    pub needs: Vec<String>,
    /// A pipeline without steps only gathers others: its job checks their results.
    pub gate: bool,
    pub secrets: Vec<String>,
    /// Globs of the files the pipeline's steps declare as `outputs`.
    pub outputs: Vec<String>,
    /// Upstream jobs (transitively) whose artifacts this job downloads.
    pub downloads: Vec<String>,
}

/// The jobs, in an order where every job comes after the jobs it needs.
#[derive(Debug)]
pub struct Workflow {
    pub jobs: Vec<Job>,
    /// `rust-toolchain.toml` (or `rust-toolchain`) pins the toolchain.
    pub toolchain_file: bool,
    /// The tag job attesting the supply-chain policy's artifacts, when it names any.
    pub attest: Option<Attest>,
}

/// GitHub artifact attestations of the release artifacts, on tags.
#[derive(Debug, PartialEq)]
pub struct Attest {
    /// The artifacts with `provenance: true` in the supply-chain policy.
    pub subjects: Vec<String>,
    /// The jobs whose outputs hold a subject (the others are committed files).
    pub producers: Vec<String>,
}

impl Workflow {
    /// The jobs for everything `ci` reaches; `None` when there is no `ci` pipeline.
    pub fn of(ws: &Workspace) -> Option<Workflow> {
        ws.pipeline(ROOT)?;
        let mut reachable = BTreeSet::new();
        let mut stack = vec![ROOT.to_owned()];
        while let Some(name) = stack.pop() {
            if let Some(p) = ws.pipeline(&name)
                && reachable.insert(name)
            {
                stack.extend(p.needs.iter().map(|n| n.name.clone()));
            }
        }
        let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
        for name in &reachable {
            let p = ws.pipeline(name).expect("reachable pipelines exist");
            let mut needs: Vec<String> = p
                .needs
                .iter()
                .chain(&p.after)
                .map(|n| n.name.clone())
                .filter(|n| reachable.contains(n))
                .collect();
            needs.sort();
            needs.dedup();
            let mut outputs: Vec<String> = p
                .steps
                .iter()
                .flat_map(|s| s.outputs.iter().cloned())
                .collect();
            outputs.dedup();
            let job = Job {
                pipeline: name.clone(),
                description: p.description.clone(),
                needs,
                gate: p.steps.is_empty(),
                secrets: p.secrets.clone(),
                outputs,
                downloads: Vec::new(),
            };
            jobs.insert(name.clone(), job);
        }
        let order = topological(&jobs);
        for name in &order {
            let mut upstream = BTreeSet::new();
            let mut stack: Vec<String> = jobs[name].needs.clone();
            while let Some(up) = stack.pop() {
                if upstream.insert(up.clone()) {
                    stack.extend(jobs[&up].needs.iter().cloned());
                }
            }
            let downloads = upstream
                .into_iter()
                .filter(|u| !jobs[u].outputs.is_empty() && !jobs[name].gate)
                .collect();
            jobs.get_mut(name).expect("job").downloads = downloads;
        }
        let toolchain_file = ["rust-toolchain.toml", "rust-toolchain"]
            .iter()
            .any(|f| ws.root.join(f).is_file());
        let jobs: Vec<Job> = order
            .into_iter()
            .map(|n| jobs.remove(&n).expect("job"))
            .collect();
        let attest = attest(ws, &jobs);
        Some(Workflow {
            jobs,
            toolchain_file,
            attest,
        })
    }
}

/// What the tag job attests: the supply-chain policy's artifacts with provenance, and the
/// jobs that produce them.
fn attest(ws: &Workspace, jobs: &[Job]) -> Option<Attest> {
    let policy = ws.policies.get::<SupplyChain>()?;
    let subjects: Vec<String> = policy
        .artifacts
        .iter()
        .filter(|a| a.provenance)
        .map(|a| a.path.clone())
        .collect();
    if subjects.is_empty() {
        return None;
    }
    let mut producers: Vec<String> = Vec::new();
    for subject in &subjects {
        let producer = jobs.iter().find(|j| {
            j.outputs
                .iter()
                .any(|o| glob::Pattern::new(o).is_ok_and(|p| p.matches(subject)))
        });
        if let Some(job) = producer
            && !producers.contains(&job.pipeline)
        {
            producers.push(job.pipeline.clone());
        }
    }
    Some(Attest {
        subjects,
        producers,
    })
}

/// Jobs ordered so that needs come first; among ready jobs, by name (the loader has refused
/// cycles already).
fn topological(jobs: &BTreeMap<String, Job>) -> Vec<String> {
    let mut done: Vec<String> = Vec::new();
    while done.len() < jobs.len() {
        let next = jobs
            .values()
            .find(|j| !done.contains(&j.pipeline) && j.needs.iter().all(|n| done.contains(n)));
        match next {
            Some(job) => done.push(job.pipeline.clone()),
            None => {
                // A cycle through `after` alone; keep the rest in name order.
                done.extend(
                    jobs.keys()
                        .filter(|k| !done.contains(k))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
    }
    done
}

/// The directory an upload of these globs is rooted at, as `actions/upload-artifact`
/// computes it: the least common ancestor of each glob's literal directory.
pub fn artifact_root(globs: &[String]) -> String {
    let dirs: Vec<Vec<&str>> = globs
        .iter()
        .map(|g| {
            let parts: Vec<&str> = g.split('/').collect();
            let literal = parts
                .iter()
                .position(|p| p.contains(['*', '?', '[']))
                .unwrap_or(parts.len() - 1);
            parts[..literal].to_vec()
        })
        .collect();
    let Some(first) = dirs.first() else {
        return ".".into();
    };
    let common = (0..first.len())
        .take_while(|&i| dirs.iter().all(|d| d.get(i) == first.get(i)))
        .count();
    if common == 0 {
        ".".into()
    } else {
        first[..common].join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::artifact_root;

    #[test]
    fn artifact_roots_are_the_common_literal_directory() {
        let root = |globs: &[&str]| {
            artifact_root(&globs.iter().map(|g| g.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            root(&[
                "target/xtask/supply-chain/sbom.cdx.json",
                "target/xtask/report.json"
            ]),
            "target/xtask"
        );
        assert_eq!(
            root(&["target/xtask/supply-chain/*.sig"]),
            "target/xtask/supply-chain"
        );
        assert_eq!(root(&["openapi.yaml", "target/xtask/report.json"]), ".");
        assert_eq!(root(&["dist/**/*.tar.gz", "dist/checksums.txt"]), "dist");
    }
}
