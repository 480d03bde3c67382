//! Command-line interface: global flags work before or after the command.
//!
//! A crate of its own, below the engine, so the debug build that `cargo xtask` runs parses
//! its command line with optimised code: clap's derived builders and parser are instantiated
//! here, where the dev profile gives them `opt-level = 3`.

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// Parses `args` (the program name first).
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(args)
}

/// The `--color` flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about = "Runs the workspace's YAML pipelines the same way on a laptop, in hooks and in CI",
    after_help = "Exit codes: 0 success, 1 a step failed, 2 usage error or invalid pipeline files, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Workspace to act on [default: the workspace this xtask belongs to]
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Steps to run at once [default: number of cores]
    #[arg(short, long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// After a failure, keep running steps that do not depend on it
    #[arg(short = 'k', long, global = true)]
    pub keep_going: bool,
    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only failures, skips and the summary
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print each step's command as it starts
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Fail on missing tools instead of installing their pinned versions
    #[arg(long, global = true)]
    pub no_install_tools: bool,
    /// Run every step, even those the cache has up to date
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Print the JSON run report on stdout (the human report goes to stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// Share step results through a Bazel HTTP remote cache [env: XTASK_REMOTE_CACHE]
    #[arg(long, global = true, value_name = "URL")]
    pub remote_cache: Option<String>,
    /// Read from the remote cache, never write to it [env: XTASK_REMOTE_CACHE_READ_ONLY=1]
    #[arg(long, global = true)]
    pub remote_cache_read_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the pipelines with their descriptions and needs
    List,
    /// Run pipelines, after the pipelines they need
    Run(Targets),
    /// Show what `run` would do, in which order and why, without running anything
    Plan(Targets),
    /// Validate every pipeline file; exit 2 on any error
    Check,
    /// Run the `ci` pipeline: everything CI checks
    Ci,
    /// Classify the changes of openapi.yaml against the base branch; exit 1 on breaking ones
    ApiCompat {
        /// Compare with this ref [default: merge base with the default branch, else the latest tag]
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// The OpenAPI document, relative to the workspace
        #[arg(long, value_name = "PATH", default_value = "openapi.yaml")]
        file: String,
        /// Output for people, bots or pull-request comments
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Check the governance policies (policies/*.yaml); exit 1 on an error-level finding
    Policy {
        /// Check only this rule (repeatable): secrets, rotation, telemetry, services, rls, supply-chain
        #[arg(long = "rule", value_name = "ID")]
        rules: Vec<String>,
    },
    /// Write .github/workflows/ci.yml from the pipelines (one job per pipeline `ci` reaches)
    Workflow {
        /// Do not write: fail with a diff when the committed workflow differs
        #[arg(long, conflicts_with = "output")]
        check: bool,
        /// Write here instead of .github/workflows/ci.yml
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// First move each pin of .github/actions.lock to the newest release of its major
        /// (git ls-remote; XTASK_ACTIONS_BASE_URL replaces https://github.com)
        #[arg(long, conflicts_with = "check")]
        update_pins: bool,
        /// With --update-pins: take this major for an action instead (repeatable)
        #[arg(long = "major", value_name = "ACTION=vN", requires = "update_pins")]
        majors: Vec<String>,
    },
    /// Show or shrink the local step cache (target/xtask/cache)
    Cache {
        #[command(subcommand)]
        command: CacheCommand,
    },
    /// Install or remove plain git hooks (pre-commit, pre-push) that run the engine
    Hooks {
        #[command(subcommand)]
        command: HooksCommand,
    },
    /// Manage the cosign-compatible signing key pair
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check an artifact the way a consumer would: digest, cosign signature, SLSA provenance
    Verify {
        /// The artifact, e.g. target/xtask/supply-chain/sbom.cdx.json
        artifact: std::path::PathBuf,
        /// Public key [default: cosign.pub in the workspace]
        #[arg(long, value_name = "FILE")]
        key: Option<std::path::PathBuf>,
        /// Provenance (DSSE envelope or statement) [default: the run's, signed if present]
        #[arg(long, value_name = "FILE")]
        provenance: Option<std::path::PathBuf>,
    },
    /// Measure the engine's overhead next to `just` and go-task (`cargo xtask run bench`
    /// provisions both)
    Bench {
        /// Timed runs per measurement, after one warm-up
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
        runs: usize,
        /// Files in the up-to-date-check tree
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
        files: usize,
        /// Size of each file of that tree, in KB
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
        file_kb: usize,
        /// Only these sections (repeatable) [default: all]
        #[arg(long, value_enum, value_name = "SECTION")]
        only: Vec<BenchSection>,
    },
}

/// The sections of `cargo xtask bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchSection {
    /// Step graphs next to just and go-task
    Graphs,
    /// The up-to-date check on a generated tree
    UpToDate,
    /// The cached pre-commit pipeline
    PreCommit,
    /// Comparing two large OpenAPI documents
    ApiCompat,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// What the content store holds
    Info,
    /// Remove the least recently used blobs until the store fits
    Prune {
        /// The size to fit in: bytes, or with K, M, G (powers of 1024)
        #[arg(long, value_name = "SIZE", default_value = "2G", value_parser = size)]
        max_size: u64,
    },
}

/// `500M`, `2G`, `1024`.
fn size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let factor: u64 = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("`{text}` is not a size (e.g. 500M, 2G)")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 500M, 2G)"))?;
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Write pre-commit (`cargo xtask run pre-commit`) and pre-push (`cargo xtask ci`) hooks
    Install {
        /// Replace hooks that cargo xtask did not install
        #[arg(long)]
        force: bool,
    },
    /// Remove the hooks cargo xtask installed (others stay)
    Uninstall,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write cosign.key (encrypted with COSIGN_PASSWORD, mode 0600) and cosign.pub
    Generate {
        /// Directory to write them to [default: the workspace root]
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// Replace an existing key pair
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct Targets {
    /// Pipelines to run
    #[arg(required = true, value_name = "PIPELINE")]
    pub pipelines: Vec<String>,
    /// Run only the named pipelines, not the pipelines they need
    #[arg(long)]
    pub no_deps: bool,
}

/// How `cargo xtask api-compat` prints its verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    /// clap's own consistency checks over every subcommand (conflicts, defaults, value
    /// names), which a parse only runs for the subcommand it meets.
    #[test]
    fn the_grammar_passes_clap_debug_asserts() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_parse_after_the_command() {
        let cli = parse(
            [
                "cargo-xtask",
                "run",
                "ci",
                "--jobs",
                "3",
                "--color",
                "never",
            ]
            .map(OsString::from)
            .to_vec(),
        )
        .unwrap();
        assert_eq!(cli.global.jobs, Some(3));
        assert_eq!(cli.global.color, ColorChoice::Never);
        let error = parse(
            ["cargo-xtask", "run", "ci", "--jobs", "0"]
                .map(OsString::from)
                .to_vec(),
        )
        .unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
