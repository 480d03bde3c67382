//! `export-openapi`: the daemon's OpenAPI document, built from its routes without starting a
//! server, normalised (sorted keys, stable YAML) so the same code always gives the same bytes.
//! Prints it, or with `--output FILE` writes it atomically (a temp file renamed into place).

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "export-openapi",
    version,
    about = "Write the cave-daemon OpenAPI document"
)]
struct Cli {
    /// Write here instead of stdout (atomically; the old file stays if anything fails)
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let value = serde_json::to_value(cave_daemon::api::openapi())
        .context("cannot serialise the document")?;
    let text = match cli.format {
        Format::Yaml => cave_daemon::yaml::render(&value),
        Format::Json => serde_json::to_string_pretty(&value)? + "\n",
    };
    match cli.output {
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .context("cannot write to stdout"),
        Some(path) => write_atomic(&path, text.as_bytes()),
    }
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .context("--output needs a file name")?
        .to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}
