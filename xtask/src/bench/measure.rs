//! Repeated timing of whole commands; medians, not means, so one slow run does not count.

use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sample {
    pub runs: Vec<Duration>,
}

/// Runs `argv` in `dir` once to warm up, then `runs` times, failing if any run fails.
pub fn time_runs(argv: &[String], dir: &Path, runs: usize) -> anyhow::Result<Sample> {
    time_runs_after(argv, dir, runs, &mut |_| Ok(()))
}

/// Like `time_runs`, calling `before(round)` (untimed) before every run.
pub fn time_runs_after(
    argv: &[String],
    dir: &Path,
    runs: usize,
    before: &mut dyn FnMut(usize) -> anyhow::Result<()>,
) -> anyhow::Result<Sample> {
    let mut once = |round: usize| -> anyhow::Result<Duration> {
        before(round)?;
        let start = Instant::now();
        let status = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .with_context(|| format!("cannot run `{}`", argv.join(" ")))?;
        let elapsed = start.elapsed();
        if !status.success() {
            bail!(
                "`{}` failed in {} ({status})",
                argv.join(" "),
                dir.display()
            );
        }
        Ok(elapsed)
    };
    once(0)?;
    let runs = (1..=runs)
        .map(&mut once)
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Sample { runs })
}

pub fn median(sample: &Sample) -> Duration {
    let mut runs = sample.runs.clone();
    runs.sort();
    match runs.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => runs[n / 2],
        n => (runs[n / 2 - 1] + runs[n / 2]) / 2,
    }
}

/// The floor under a graph of `true` steps: the same processes spawned straight from Rust
/// (`std::process::Command`), one after the other for a chain or a sequence, all at once
/// for a fan-out,
/// plus one start of a process for the runner itself.
pub fn spawn_floor(graph: super::Graph, runs: usize) -> anyhow::Result<Sample> {
    use std::process::{Command, Stdio};
    let spawn = || {
        Command::new("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    let once = || -> anyhow::Result<std::time::Duration> {
        let start = std::time::Instant::now();
        spawn()?.wait()?;
        match graph {
            super::Graph::Single => spawn()?.wait().map(drop)?,
            super::Graph::Chain(n) | super::Graph::Sequence(n) => {
                for _ in 0..n {
                    spawn()?.wait()?;
                }
            }
            super::Graph::FanOut(n) => {
                let children = (0..n)
                    .map(|_| spawn())
                    .collect::<std::io::Result<Vec<_>>>()?;
                for mut child in children {
                    child.wait()?;
                }
            }
        }
        Ok(start.elapsed())
    };
    once()?;
    let runs = (0..runs).map(|_| once()).collect::<anyhow::Result<_>>()?;
    Ok(Sample { runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_samples() {
        let ms = |v: &[u64]| Sample {
            runs: v.iter().map(|&m| Duration::from_millis(m)).collect(),
        };
        assert_eq!(median(&ms(&[5, 1, 3])), Duration::from_millis(3));
        assert_eq!(
            median(&ms(&[4, 1, 3, 2])),
            Duration::from_millis(2) + Duration::from_micros(500)
        );
    }
}
