//! `cargo xtask api-compat [--base REF] [--file PATH] [--format text|json|markdown]`: the
//! compatibility of the OpenAPI document with its base, for people (text), bots (JSON) and
//! pull-request comments (Markdown). Exit 1 on an unexcused breaking change.

use crate::apicompat::{self, Outcome};
use crate::commands::App;
use crate::failure::Failure;
use std::path::Path;
use xtask_cli::Format;

pub struct Options<'a> {
    pub base: Option<&'a str>,
    pub file: &'a str,
    pub format: Format,
}

pub fn run(app: &App, root: &Path, options: &Options) -> Result<(), Failure> {
    let env = |name: &str| std::env::var(name).ok();
    let base = options
        .base
        .map(str::to_owned)
        .or_else(|| env(apicompat::base::BASE_ENV).filter(|b| !b.is_empty()));
    let outcome =
        apicompat::check(root, options.file, base.as_deref(), &env)?.map_err(Failure::Invalid)?;
    let verdict = match outcome {
        Outcome::NoBase(why) => {
            match options.format {
                Format::Text => eprintln!("notice: {} not compared: {why}", options.file),
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "file": options.file, "outcome": "no-base", "reason": why })
                ),
                Format::Markdown => println!(
                    "### ⏭️ API compatibility of `{}` not checked\n\n{why}",
                    options.file
                ),
            }
            return Ok(());
        }
        Outcome::Compared(verdict, _) => verdict,
    };
    match options.format {
        Format::Text => print!("{}", verdict.text()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&verdict.json()).expect("JSON values serialize")
        ),
        Format::Markdown => print!("{}", verdict.markdown()),
    }
    if verdict.breaking() > 0 {
        return Err(anyhow::anyhow!("{}", verdict.summary()).into());
    }
    if options.format == Format::Text {
        eprintln!("{} {}", app.style.green("✓"), verdict.summary());
    }
    Ok(())
}
