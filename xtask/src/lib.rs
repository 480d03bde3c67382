//! The BKG pipeline engine behind `cargo xtask`: loads `pipelines/*.yaml`, plans a DAG of
//! steps, runs it in parallel and reports it. `main` parses the command line, anchors to the
//! workspace and dispatches; every error is rendered and mapped to an exit code here.

pub mod apicompat;
pub mod bench;
pub mod builtins;
pub mod cache;
mod commands;
pub mod cosign;
pub mod diagnostic;
pub mod drift;
pub mod exec;
pub mod failure;
pub mod git;
pub mod load;
pub mod model;
pub mod plan;
pub mod policy;
pub mod provenance;
pub mod report;
pub mod style;
pub mod text;
pub mod tools;
pub mod workflow;
pub mod yaml;

use commands::App;
use failure::Failure;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use style::Style;
use xtask_cli::Command;
use xtask_process::mask::Masker;

pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match xtask_cli::parse(args.into_iter().collect()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let style = Style::from_process(cli.global.color);
    let mut app = App {
        cli,
        style,
        masker: Arc::new(Masker::default()),
    };
    let outcome = dispatch(&mut app);
    xtask_process::guard::dismiss();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprint!("{}", app.masker.mask(&failure.render(style)));
            ExitCode::from(failure.exit_code())
        }
    }
}

fn dispatch(app: &mut App) -> Result<(), Failure> {
    let root = workspace_root(app.cli.global.root.as_ref())?;
    match &app.cli.command {
        Command::List => commands::list::run(app, &root),
        Command::Check => commands::check::run(app, &root),
        Command::Plan(targets) => {
            let (pipelines, no_deps) = (targets.pipelines.clone(), targets.no_deps);
            commands::plan::run(app, &root, &pipelines, no_deps)
        }
        Command::Run(targets) => {
            let (pipelines, no_deps) = (targets.pipelines.clone(), targets.no_deps);
            commands::run::run(app, &root, &pipelines, no_deps)
        }
        Command::Ci => commands::run::run(app, &root, &["ci".to_string()], false),
        Command::ApiCompat { base, file, format } => {
            let options = commands::api_compat::Options {
                base: base.as_deref(),
                file,
                format: *format,
            };
            commands::api_compat::run(app, &root, &options)
        }
        Command::Policy { rules } => {
            let rules = rules.clone();
            commands::policy::run(app, &root, &rules)
        }
        Command::Workflow {
            check,
            output,
            update_pins,
            majors,
        } => {
            let options = commands::workflow::Options {
                check: *check,
                output: output.as_deref(),
                update_pins: *update_pins,
                majors,
            };
            commands::workflow::run(app, &root, &options)
        }
        Command::Cache { command } => match command {
            xtask_cli::CacheCommand::Info => commands::cache::info(&root),
            xtask_cli::CacheCommand::Prune { max_size } => commands::cache::prune(&root, *max_size),
        },
        Command::Hooks { command } => match command {
            xtask_cli::HooksCommand::Install { force } => {
                commands::hooks::install(app, &root, *force)
            }
            xtask_cli::HooksCommand::Uninstall => commands::hooks::uninstall(app, &root),
        },
        Command::Keys {
            command: xtask_cli::KeysCommand::Generate { dir, force },
        } => commands::keys::generate(dir.as_deref().unwrap_or(&root), *force),
        Command::Verify {
            artifact,
            key,
            provenance,
        } => {
            let absolute = |p: &std::path::PathBuf| {
                p.canonicalize()
                    .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p))
            };
            let artifact = absolute(artifact);
            let key = key.as_ref().map(absolute);
            let provenance = provenance.as_ref().map(absolute);
            let options = commands::verify::Options {
                artifact: &artifact,
                key: key.as_deref(),
                provenance: provenance.as_deref(),
            };
            commands::verify::run(&root, &options)
        }
        Command::Bench {
            runs,
            files,
            file_kb,
            only,
        } => {
            let tree = bench::Tree {
                files: *files,
                file_size: file_kb * 1000,
            };
            commands::bench::run(
                &root,
                &commands::bench::Options {
                    runs: *runs,
                    tree,
                    only: only.clone(),
                },
            )
        }
    }
}

/// `--root`, else the workspace this crate is part of (so the alias works from any subdirectory).
fn workspace_root(flag: Option<&PathBuf>) -> Result<PathBuf, Failure> {
    let root = match flag {
        Some(dir) => dir.clone(),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    root.canonicalize().map_err(|e| {
        Failure::usage(
            format!("cannot use {} as the workspace: {e}", root.display()),
            "pass an existing directory to `--root`",
        )
    })
}
