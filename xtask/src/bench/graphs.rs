//! The benchmark graphs, written out for each runner: xtask pipelines, a justfile and a
//! Taskfile with the same steps and dependencies.

use std::fmt::Write as _;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Graph {
    /// One step running `true`: start-up cost.
    Single,
    /// `n` steps of `true`, each needing the one before.
    Chain(usize),
    /// `n` independent steps of `true`.
    FanOut(usize),
    /// `n` independent steps of `true` run one after another (`--jobs 1`; go-task calls
    /// them in turn).
    Sequence(usize),
}

pub struct Case {
    pub name: String,
    pub graph: Graph,
}

impl Graph {
    fn ids(self) -> (usize, bool) {
        match self {
            Graph::Single => (1, false),
            Graph::Chain(n) => (n, true),
            Graph::FanOut(n) | Graph::Sequence(n) => (n, false),
        }
    }

    /// Extra arguments for the engine: a sequence runs one step at a time.
    pub fn engine_args(self) -> &'static [&'static str] {
        match self {
            Graph::Sequence(_) => &["--jobs", "1"],
            _ => &[],
        }
    }

    /// `pipelines/bench.yaml` for the engine.
    pub fn pipeline(self) -> String {
        let (n, chained) = self.ids();
        let mut yaml = String::from("steps:\n");
        for i in 0..n {
            let needs = if chained { "" } else { "    needs: []\n" };
            let _ = write!(yaml, "  - id: s{i}\n{needs}    run: [\"true\"]\n");
        }
        yaml
    }

    /// A justfile whose `all` recipe depends on the same graph (just runs dependencies one
    /// after another).
    pub fn justfile(self) -> String {
        let (n, chained) = self.ids();
        let mut text = String::new();
        let all: Vec<String> = if chained {
            vec![format!("s{}", n - 1)]
        } else {
            (0..n).map(|i| format!("s{i}")).collect()
        };
        let _ = writeln!(text, "all: {}\n", all.join(" "));
        for i in 0..n {
            let dep = if chained && i > 0 {
                format!(" s{}", i - 1)
            } else {
                String::new()
            };
            let _ = writeln!(text, "s{i}:{dep}\n    @true\n");
        }
        text
    }

    /// A go-task Taskfile with an `all` task over the same graph (task runs deps in parallel).
    pub fn taskfile(self) -> String {
        let (n, chained) = self.ids();
        let mut text = String::from("version: '3'\nsilent: true\ntasks:\n");
        let all: Vec<String> = if chained {
            vec![format!("s{}", n - 1)]
        } else {
            (0..n).map(|i| format!("s{i}")).collect()
        };
        if let Graph::Sequence(_) = self {
            let calls: Vec<String> = all.iter().map(|t| format!("{{task: {t}}}")).collect();
            let _ = writeln!(text, "  all:\n    cmds: [{}]", calls.join(", "));
        } else {
            let _ = writeln!(text, "  all:\n    deps: [{}]", all.join(", "));
        }
        for i in 0..n {
            let _ = writeln!(text, "  s{i}:");
            if chained && i > 0 {
                let _ = writeln!(text, "    deps: [s{}]", i - 1);
            }
            let _ = writeln!(text, "    cmds: [\"true\"]");
        }
        text
    }

    /// Writes all three descriptions into `dir`.
    pub fn write(self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("pipelines"))?;
        std::fs::write(dir.join("pipelines/bench.yaml"), self.pipeline())?;
        std::fs::write(dir.join("justfile"), self.justfile())?;
        std::fs::write(dir.join("Taskfile.yml"), self.taskfile())
    }
}

#[cfg(test)]
mod tests {
    use super::Graph;

    #[test]
    fn chains_and_fan_outs_have_the_same_shape_everywhere() {
        assert_eq!(
            Graph::Chain(2).pipeline(),
            "steps:\n  - id: s0\n    run: [\"true\"]\n  - id: s1\n    run: [\"true\"]\n"
        );
        assert_eq!(
            Graph::Chain(2).justfile(),
            "all: s1\n\ns0:\n    @true\n\ns1: s0\n    @true\n\n"
        );
        assert!(
            Graph::FanOut(2)
                .taskfile()
                .contains("  all:\n    deps: [s0, s1]\n")
        );
        assert!(Graph::FanOut(2).pipeline().contains("    needs: []\n"));
        assert!(
            Graph::Sequence(2)
                .taskfile()
                .contains("  all:\n    cmds: [{task: s0}, {task: s1}]\n")
        );
        assert_eq!(Graph::Sequence(2).justfile(), Graph::FanOut(2).justfile());
    }
}
