//! `cargo xtask bench`: medians of the engine next to `just` and go-task (`task`) on the same
//! generated graphs, and of its up-to-date check next to go-task's checksum method on a
//! generated tree. Peers are used when on PATH (`cargo xtask run bench` provisions both).

use crate::bench::{
    Case, Graph, Runner, Tree, interleaved, median, time_once, time_runs, time_runs_after,
};
use crate::failure::Failure;
use crate::text::duration;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Options {
    pub runs: usize,
    /// Files and bytes per file of the up-to-date-check tree.
    pub tree: Tree,
    /// The sections to run; all when empty.
    pub only: Vec<xtask_cli::BenchSection>,
}

impl Options {
    fn wants(&self, section: xtask_cli::BenchSection) -> bool {
        self.only.is_empty() || self.only.contains(&section)
    }
}

pub fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    let peers: Vec<(&str, PathBuf)> = ["just", "task"]
        .into_iter()
        .filter_map(|name| match which::which(name) {
            Ok(path) => Some((name, path)),
            Err(_) => {
                eprintln!("note: `{name}` is not on PATH; `cargo xtask run bench` installs it for the comparison");
                None
            }
        })
        .collect();
    let scratch = root.join("target/xtask/bench");
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{} timed runs per cell after one warm-up; medians; xtask with --jobs {jobs}; the graphs' runners take turns run by run\n",
        options.runs
    );
    use xtask_cli::BenchSection as S;
    if options.wants(S::Graphs) {
        graphs(&exe, &scratch, &peers, options.runs)?;
        println!();
    }
    if options.wants(S::UpToDate) {
        let task = peers.iter().find(|(n, _)| *n == "task");
        up_to_date(&exe, &scratch, task.map(|(_, p)| p.as_path()), options)?;
        println!();
    }
    if options.wants(S::PreCommit) {
        pre_commit(&exe, root, options.runs);
        println!();
    }
    if options.wants(S::ApiCompat) {
        api_compat(options.runs)?;
    }
    Ok(())
}

/// Comparing two large OpenAPI documents in-process, next to only parsing them.
fn api_compat(runs: usize) -> anyhow::Result<()> {
    use crate::apicompat::{Doc, compare};
    const PATHS: usize = 3000;
    let (base, revision) = (
        crate::bench::openapi::spec(PATHS, false),
        crate::bench::openapi::spec(PATHS, true),
    );
    let parse = || -> anyhow::Result<(Doc, Doc)> {
        let b =
            Doc::parse("base.yaml", base.clone()).map_err(|d| anyhow::anyhow!("{}", d.message))?;
        let r = Doc::parse("openapi.yaml", revision.clone())
            .map_err(|d| anyhow::anyhow!("{}", d.message))?;
        Ok((b, r))
    };
    let mut parsing = Vec::new();
    let mut comparing = Vec::new();
    let mut found = 0;
    for round in 0..=runs {
        let start = std::time::Instant::now();
        let (b, r) = parse()?;
        let parsed = start.elapsed();
        let start = std::time::Instant::now();
        found = compare(&b, &r)
            .map_err(|d| anyhow::anyhow!("{}", d[0].message))?
            .len();
        let compared = start.elapsed();
        // Round 0 warms up.
        if round > 0 {
            parsing.push(parsed);
            comparing.push(compared);
        }
    }
    let parsing = median(&crate::bench::Sample { runs: parsing });
    let comparing = median(&crate::bench::Sample { runs: comparing });
    println!(
        "api-compat of two documents with {} operations ({} KB each), {found} findings\n",
        PATHS * 2,
        base.len() / 1000
    );
    println!("| work | median | × parsing |\n|---|---:|---:|");
    println!("| parse both documents | {} | 1.0× |", show(parsing));
    println!(
        "| compare them | {} | {:.2}× |",
        show(comparing),
        comparing.as_secs_f64() / parsing.as_secs_f64()
    );
    Ok(())
}

/// The pre-commit hook's pipeline on this workspace with every step cached (the target is
/// under 2 s), next to the engine's bare start-up in the same run.
fn pre_commit(exe: &Path, root: &Path, runs: usize) {
    let exe_text = exe.display().to_string();
    let root_text = root.display().to_string();
    let argv = |args: &[&str]| -> Vec<String> {
        [
            exe_text.as_str(),
            "--root",
            root_text.as_str(),
            "--color",
            "never",
        ]
        .iter()
        .chain(args)
        .map(|s| s.to_string())
        .collect()
    };
    let hook = time_runs(&argv(&["run", "pre-commit", "-q"]), root, runs);
    let floor = time_runs(&argv(&["--version"]), root, runs);
    match (hook, floor) {
        (Ok(hook), Ok(floor)) => {
            let (hook, floor) = (median(&hook), median(&floor));
            println!(
                "pre-commit hook on this workspace, staged content unchanged (target: under 2 s)\n"
            );
            println!("| command | median | × start-up |\n|---|---:|---:|");
            println!(
                "| `xtask run pre-commit` | {} | {:.1}× |",
                show(hook),
                hook.as_secs_f64() / floor.as_secs_f64()
            );
            println!("| `xtask --version` (start-up) | {} | 1.0× |", show(floor));
        }
        (Err(e), _) | (_, Err(e)) => println!("pre-commit hook: not measured ({e:#})"),
    }
}

fn graphs(
    exe: &Path,
    scratch: &Path,
    peers: &[(&str, PathBuf)],
    runs: usize,
) -> anyhow::Result<()> {
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
        Case {
            name: "100 `true` one after another (`--jobs 1`)".into(),
            graph: Graph::Sequence(100),
        },
    ];
    let mut header = String::from("| graph | xtask | spawn floor | xtask ÷ floor |");
    for (name, _) in peers {
        header.push_str(&format!(" {name} | xtask ÷ {name} |"));
    }
    println!(
        "{header}\n|---|---:|---:|---:|{}",
        "---:|---:|".repeat(peers.len())
    );
    for case in &cases {
        let dir = tempfile::tempdir_in(scratch).context("cannot create a bench directory")?;
        case.graph
            .write(dir.path())
            .context("cannot write the bench graphs")?;
        let mut ours = xtask_argv(exe, dir.path());
        ours.extend(case.graph.engine_args().iter().map(|a| a.to_string()));
        let theirs: Vec<Vec<String>> = peers
            .iter()
            .map(|(name, path)| {
                let file = if *name == "just" {
                    "--justfile=justfile"
                } else {
                    "--taskfile=Taskfile.yml"
                };
                vec![path.display().to_string(), file.into(), "all".into()]
            })
            .collect();
        let graph = case.graph;
        // In the order of the row: engine, floor, then the peers.
        let mut runners: Vec<Runner<'_>> = vec![
            Box::new(|| time_once(&ours, dir.path())),
            Box::new(move || crate::bench::spawn_floor(graph)),
        ];
        for argv in &theirs {
            runners.push(Box::new(|| time_once(argv, dir.path())));
        }
        let medians: Vec<Duration> = interleaved(&mut runners, runs)?
            .iter()
            .map(median)
            .collect();
        let (ours, floor) = (medians[0], medians[1]);
        let mut row = format!(
            "| {} | {} | {} | {:.2} |",
            case.name,
            show(ours),
            show(floor),
            ours.as_secs_f64() / floor.as_secs_f64()
        );
        for theirs in &medians[2..] {
            row.push_str(&format!(
                " {} | {:.2} |",
                show(*theirs),
                ours.as_secs_f64() / theirs.as_secs_f64()
            ));
        }
        println!("{row}");
    }
    Ok(())
}

/// One step over a tree of files: first run (no cache), unchanged re-run, one file changed.
fn up_to_date(
    exe: &Path,
    scratch: &Path,
    task: Option<&Path>,
    options: &Options,
) -> anyhow::Result<()> {
    let tree = &options.tree;
    let dir = tempfile::tempdir_in(scratch).context("cannot create a bench directory")?;
    tree.write(dir.path())
        .context("cannot write the bench tree")?;
    // Files younger than a second are always re-hashed (a change within one timestamp tick
    // could go unseen); let the tree age past that, as a checked-out tree would have.
    std::thread::sleep(Duration::from_millis(1100));
    let mb = tree.total_bytes() / 1_000_000;
    println!(
        "up-to-date check of one step whose inputs are {} files, {mb} MB",
        tree.files
    );
    let task_col = if task.is_some() {
        " task (checksum) | xtask ÷ task |"
    } else {
        ""
    };
    println!(
        "| case | xtask |{task_col}\n|---|---:|{}",
        if task.is_some() { "---:|---:|" } else { "" }
    );
    let ours = xtask_argv(exe, dir.path());
    let theirs = task.map(|t| {
        vec![
            t.display().to_string(),
            "--taskfile=Taskfile.yml".into(),
            "all".into(),
        ]
    });
    let d = dir.path();
    let cases: [(&str, Prepare, Prepare); 3] = [
        (
            "first run (no cache)",
            |d, _| remove(&d.join("target/xtask/cache")),
            |d, _| remove(&d.join(".task")),
        ),
        ("unchanged re-run", |_, _| Ok(()), |_, _| Ok(())),
        (
            "one file changed",
            |d, round| Ok(Tree::touch_one(d, round)?),
            |d, round| Ok(Tree::touch_one(d, round + 1000)?),
        ),
    ];
    for (name, prepare_ours, prepare_theirs) in cases {
        let a = median(&time_runs_after(&ours, d, options.runs, &mut |r| {
            prepare_ours(d, r)
        })?);
        let mut row = format!("| {name} | {} |", show(a));
        if let Some(theirs) = &theirs {
            let b = median(&time_runs_after(theirs, d, options.runs, &mut |r| {
                prepare_theirs(d, r)
            })?);
            row.push_str(&format!(
                " {} | {:.3} |",
                show(b),
                a.as_secs_f64() / b.as_secs_f64()
            ));
        }
        println!("{row}");
    }
    Ok(())
}

/// Untimed work before one timed run: `(bench directory, round)`.
type Prepare = fn(&Path, usize) -> anyhow::Result<()>;

fn remove(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn xtask_argv(exe: &Path, dir: &Path) -> Vec<String> {
    [
        &exe.display().to_string(),
        "--root",
        &dir.display().to_string(),
        "run",
        "bench",
        "-q",
        "--color",
        "never",
    ]
    .map(String::from)
    .to_vec()
}

fn show(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1}ms", d.as_secs_f64() * 1000.0)
    } else {
        duration::format(d)
    }
}
