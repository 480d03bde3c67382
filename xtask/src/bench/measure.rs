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
        time_once(argv, dir)
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

/// One run of `argv` in `dir`, failing if it fails.
pub fn time_once(argv: &[String], dir: &Path) -> anyhow::Result<Duration> {
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
}

/// A way to run one measured command, timed once per call.
pub type Runner<'a> = Box<dyn FnMut() -> anyhow::Result<Duration> + 'a>;

/// Times every runner `runs` times after one warm-up round, in rounds: each round runs each
/// runner once, starting one further along each time. A slow spell of a shared machine then
/// falls on all of them alike instead of on whichever was being measured, so their ratios
/// hold even when the absolute numbers drift.
pub fn interleaved(runners: &mut [Runner<'_>], runs: usize) -> anyhow::Result<Vec<Sample>> {
    let mut samples: Vec<Sample> = runners
        .iter()
        .map(|_| Sample { runs: Vec::new() })
        .collect();
    for round in 0..=runs {
        for i in 0..runners.len() {
            let at = (round + i) % runners.len();
            let elapsed = runners[at]()?;
            if round > 0 {
                samples[at].runs.push(elapsed);
            }
        }
    }
    Ok(samples)
}

/// The floor under a graph of `true` steps, once: the same processes spawned straight from
/// Rust (`std::process::Command`), one after the other for a chain or a sequence, all at
/// once for a fan-out, plus one start of a process for the runner itself.
pub fn spawn_floor(graph: super::Graph) -> anyhow::Result<Duration> {
    let spawn = || {
        Command::new("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    let start = Instant::now();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_runners_take_turns_and_the_warm_up_is_not_counted() {
        let order = std::cell::RefCell::new(Vec::new());
        let runner = |id: u64| -> Runner<'_> {
            let order = &order;
            Box::new(move || {
                order.borrow_mut().push(id);
                Ok(Duration::from_millis(id))
            })
        };
        let mut runners = vec![runner(1), runner(2), runner(3)];
        let samples = interleaved(&mut runners, 2).unwrap();
        drop(runners);
        assert_eq!(order.into_inner(), [1, 2, 3, 2, 3, 1, 3, 1, 2]);
        let runs: Vec<Vec<Duration>> = samples.into_iter().map(|s| s.runs).collect();
        let ms = Duration::from_millis;
        assert_eq!(runs, [vec![ms(1); 2], vec![ms(2); 2], vec![ms(3); 2]]);
    }

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
