//! `cargo xtask bench`: medians of the engine on generated graphs next to `just` and
//! go-task (`task`) when they are on PATH (`cargo xtask run bench` provisions both).

use crate::App;
use crate::bench::{Case, Graph, median, time_runs};
use crate::failure::Failure;
use crate::text::duration;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn run(app: &App, root: &Path, runs: usize) -> Result<(), Failure> {
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    let peers: Vec<(&str, Option<PathBuf>)> = ["just", "task"]
        .iter()
        .map(|t| (*t, which::which(t).ok()))
        .collect();
    for (name, path) in &peers {
        if path.is_none() {
            eprintln!(
                "note: `{name}` is not on PATH; `cargo xtask run bench` installs it for the comparison"
            );
        }
    }
    let cases = [
        Case {
            name: "start-up (1 step)".into(),
            graph: Graph::Single,
        },
        Case {
            name: "chain of 100 `true`".into(),
            graph: Graph::Chain(100),
        },
        Case {
            name: "100 independent `true`".into(),
            graph: Graph::FanOut(100),
        },
    ];
    let scratch = root.join("target/xtask/bench");
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{} runs per cell after one warm-up; medians; xtask with --jobs {jobs}\n",
        runs
    );
    let mut header = String::from("| case | xtask |");
    let mut rule = String::from("|---|---:|");
    for (name, path) in &peers {
        if path.is_some() {
            header.push_str(&format!(" {name} | xtask ÷ {name} |"));
            rule.push_str("---:|---:|");
        }
    }
    println!("{header}\n{rule}");
    for case in &cases {
        let dir = tempfile::tempdir_in(&scratch).context("cannot create a bench directory")?;
        case.graph
            .write(dir.path())
            .context("cannot write the bench graphs")?;
        let ours = median(&time_runs(&xtask_argv(&exe, dir.path()), dir.path(), runs)?);
        let mut row = format!("| {} | {} |", case.name, show(ours));
        for (name, path) in &peers {
            let Some(path) = path else { continue };
            let theirs = median(&time_runs(&peer_argv(name, path), dir.path(), runs)?);
            row.push_str(&format!(
                " {} | {:.2} |",
                show(theirs),
                ours.as_secs_f64() / theirs.as_secs_f64()
            ));
        }
        println!("{row}");
    }
    let _ = app;
    Ok(())
}

fn xtask_argv(exe: &Path, dir: &Path) -> Vec<String> {
    let root = dir.display().to_string();
    [
        exe.display().to_string(),
        "--root".into(),
        root,
        "run".into(),
        "bench".into(),
        "-q".into(),
        "--color".into(),
        "never".into(),
    ]
    .to_vec()
}

fn peer_argv(name: &str, path: &Path) -> Vec<String> {
    let file = if name == "just" {
        "--justfile=justfile"
    } else {
        "--taskfile=Taskfile.yml"
    };
    vec![path.display().to_string(), file.into(), "all".into()]
}

fn show(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1}ms", d.as_secs_f64() * 1000.0)
    } else {
        duration::format(d)
    }
}
