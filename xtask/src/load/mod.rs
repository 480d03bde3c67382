//! Loads `pipelines/*.yaml` into the checked model, reporting every mistake of every file
//! in one pass.

mod condition;
mod graph;
mod pipeline;
mod step;
mod tools;

use crate::diagnostic::{Diagnostic, Named, SourceFile};
use crate::failure::Failure;
use crate::model::{Pipeline, Registration, Workspace};
use crate::text::suggest::did_you_mean;
use crate::yaml::Reader;
use anyhow::Context as _;
use std::path::Path;

pub use graph::find_cycle;
pub use tools::argv;

/// Reads and checks every pipeline under `root/pipelines`; `uses:` names a built-in of
/// `registry`.
pub fn load(root: &Path, registry: &[Registration]) -> Result<Workspace, Failure> {
    let files = pipeline_files(root)?;
    let stems: Vec<String> = files.iter().map(|(stem, _)| stem.clone()).collect();
    let mut diags = Vec::new();
    let mut loaded: Vec<(Pipeline, SourceFile)> = Vec::new();
    for (stem, rel) in files {
        let bytes = std::fs::read(root.join(&rel)).with_context(|| format!("cannot read {rel}"))?;
        let Ok(text) = String::from_utf8(bytes) else {
            let src = SourceFile::new(rel, "");
            diags.push(
                src.file_error("the file is not valid UTF-8")
                    .with_hint("save it as UTF-8 text"),
            );
            continue;
        };
        let src = SourceFile::new(rel, text);
        if stems.iter().filter(|s| **s == stem).count() > 1 {
            diags.push(
                src.file_error(format!("pipeline `{stem}` is defined by two files"))
                    .with_hint("keep one of `.yaml` and `.yml`"),
            );
            continue;
        }
        if !crate::text::ident::is_pipeline_name(&stem) {
            diags.push(
                src.file_error(format!("`{stem}` is not a valid pipeline name"))
                    .with_hint("name the file with letters, digits, `-` and `_`"),
            );
            continue;
        }
        let (p, mut found) = read_pipeline(&stem, &src, registry);
        diags.append(&mut found);
        if let Some(p) = p {
            loaded.push((p, src));
        }
    }
    check_pipeline_needs(&loaded, &stems, &mut diags);
    let policies = match crate::policy::Policies::load(root)? {
        Ok(policies) => policies,
        Err(mut found) => {
            diags.append(&mut found);
            crate::policy::Policies::default()
        }
    };
    diags.sort_by(|a, b| {
        (&a.file, a.span.map(|s| s.start)).cmp(&(&b.file, b.span.map(|s| s.start)))
    });
    if diags.is_empty() {
        let pipelines = loaded.into_iter().map(|(p, _)| p).collect();
        Ok(Workspace {
            root: root.to_owned(),
            pipelines,
            policies,
        })
    } else {
        Err(Failure::Invalid(diags))
    }
}

/// One pipeline file on its own: YAML, keys, types, step references and step cycles. The
/// pipeline comes back whenever its top level could be read, so checks across files can
/// still see its `needs`.
pub fn read_pipeline(
    name: &str,
    src: &SourceFile,
    registry: &[Registration],
) -> (Option<Pipeline>, Vec<Diagnostic>) {
    let node = match crate::yaml::parse(src) {
        Ok(node) => node,
        Err(diag) => return (None, vec![*diag]),
    };
    let mut r = Reader::new(src);
    let p = pipeline::pipeline(&mut r, registry, name, &node);
    let mut diags = r.diags;
    if let Some(p) = &p {
        check_step_cycles(p, src, &mut diags);
    }
    (p, diags)
}

/// `(stem, workspace-relative path)` of every pipeline file, sorted.
fn pipeline_files(root: &Path) -> Result<Vec<(String, String)>, Failure> {
    let dir = root.join("pipelines");
    if !dir.is_dir() {
        return Err(Failure::usage(
            format!("no `pipelines/` directory in {}", root.display()),
            "run the command inside the workspace, or point `--root` at it",
        ));
    }
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?
    {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
            continue;
        };
        if ext == "yaml" || ext == "yml" {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            files.push((
                stem.to_string_lossy().into_owned(),
                format!("pipelines/{name}"),
            ));
        }
    }
    files.sort();
    Ok(files)
}

fn check_pipeline_needs(
    loaded: &[(Pipeline, SourceFile)],
    stems: &[String],
    diags: &mut Vec<Diagnostic>,
) {
    for (p, src) in loaded {
        for (key, names) in [("needs", &p.needs), ("runs after", &p.after)] {
            for need in names {
                if need.name == p.name {
                    diags.push(src.error(need.span, format!("pipeline `{}` {key} itself", p.name)));
                } else if !stems.contains(&need.name) {
                    let hint = match did_you_mean(&need.name, stems.iter().map(String::as_str)) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!("pipelines: {}", stems.join(", ")),
                    };
                    let message = format!(
                        "pipeline `{}` {key} unknown pipeline `{}`",
                        p.name, need.name
                    );
                    diags.push(src.error(need.span, message).with_hint(hint));
                }
            }
        }
    }
    // `needs` and `after` both order pipelines, so a cycle through either is an error.
    let index = |name: &str| loaded.iter().position(|(p, _)| p.name == name);
    let edges: Vec<Vec<usize>> = loaded
        .iter()
        .map(|(p, _)| {
            p.needs
                .iter()
                .chain(&p.after)
                .filter(|n| n.name != p.name)
                .filter_map(|n| index(&n.name))
                .collect()
        })
        .collect();
    if let Some(cycle) = find_cycle(&edges) {
        let (p, src) = &loaded[cycle[0]];
        let next = &loaded[cycle[1]].0.name;
        let edge = p
            .needs
            .iter()
            .chain(&p.after)
            .find(|n| n.name == *next)
            .expect("edge comes from these lists");
        let names: Vec<&str> = cycle.iter().map(|&i| loaded[i].0.name.as_str()).collect();
        diags.push(
            src.error(
                edge.span,
                format!("dependency cycle between pipelines: {}", names.join(" → ")),
            )
            .with_hint("remove one of these `needs` or `after` so the pipelines can run in order"),
        );
    }
}

fn check_step_cycles(p: &Pipeline, src: &SourceFile, diags: &mut Vec<Diagnostic>) {
    let index = |id: &str| p.steps.iter().position(|s| s.id == id);
    let edges: Vec<Vec<usize>> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| match &s.needs {
            Some(needs) => needs
                .iter()
                .filter(|n| n.name != s.id)
                .filter_map(|n| index(&n.name))
                .collect(),
            None => i.checked_sub(1).into_iter().collect(),
        })
        .collect();
    let Some(cycle) = find_cycle(&edges) else {
        return;
    };
    let names: Vec<&str> = cycle.iter().map(|&i| p.steps[i].id.as_str()).collect();
    // Point at an explicit `needs` entry of the cycle; implicit edges have no text to point at.
    let span = cycle
        .windows(2)
        .find_map(|w| {
            p.steps[w[0]]
                .needs
                .as_ref()
                .map(|n| find_need(n, &p.steps[w[1]].id).span)
        })
        .unwrap_or(p.steps[cycle[0]].span);
    diags.push(
        src.error(
            span,
            format!(
                "dependency cycle between steps of `{}`: {}",
                p.name,
                names.join(" → ")
            ),
        )
        .with_hint(
            "a step without `needs` waits for the step before it; remove one of these dependencies",
        ),
    );
}

fn find_need<'a>(needs: &'a [Named], name: &str) -> &'a Named {
    needs
        .iter()
        .find(|n| n.name == name)
        .expect("edge comes from this list")
}
