//! The loader never panics: a corpus of malformed files and thousands of deterministic
//! mutations of real pipelines each end in a pipeline or in diagnostics that render.
//! (`fuzz/` runs the same check under libFuzzer; see docs/pipelines.md.)

use xtask::diagnostic::SourceFile;
use xtask::style::Style;

/// Loads `text` as `pipelines/p.yaml`; every diagnostic must render and point into the file.
fn load(text: &str) -> usize {
    let src = SourceFile::new("pipelines/p.yaml", text);
    let (pipeline, diags) = xtask::load::read_pipeline("p", &src, xtask::builtins::REGISTRY);
    for diag in &diags {
        let rendered = diag.render(Style::plain());
        assert!(rendered.starts_with("error: "), "{rendered}");
        if let Some(span) = diag.span {
            assert!(span.start.line >= 1 && span.start.col >= 1, "{rendered}");
        }
    }
    assert!(
        pipeline.is_some() || !diags.is_empty(),
        "no pipeline and no diagnostic for {text:?}"
    );
    diags.len()
}

const MALFORMED: &[&str] = &[
    "",
    "\u{feff}steps: []",
    "steps:\n\t- id: a\n",
    "steps: [\n",
    "steps: \"unclosed\n",
    "steps:\n  - id: a\n    run: 'unclosed\n",
    "? [complex, key]\n: value\n",
    "!!binary steps: x",
    "steps: !custom [1]",
    "*undefined",
    "a: &x b\nc: *x\n*x : d\n",
    "steps:\n  - &s { id: a, run: x }\n  - *s\n",
    "steps:\r\n  - id: a\r\n    run: echo\r\n",
    "steps:\n  - id: a\n    run: echo\n---\nsteps: []\n",
    "- just\n- a\n- list\n",
    "42",
    "steps: 9999999999999999999999999999999999",
    "steps:\n  - id: \"\\u0000\"\n    run: \"\\0\"\n",
    "steps:\n  - id: a\n    run: [[[]]]\n",
    "steps:\n  - id: a\n    timeout: 99999999999999999999999h\n    run: x\n",
    "steps:\n  - id: a\n    timeout: 18446744073709551615h\n    run: x\n",
    "steps:\n  - id: a\n    run: \"{{\"\n",
    "steps:\n  - id: a\n    run: \"{{ }}\"\n",
    "steps:\n  - id: a\n    when: { not: { not: { not: { all: [] } } } }\n    run: x\n",
    "steps:\n  - id: a\n    inputs: [\"[\", \"**a\", \"a/**b\", \"[!]\"]\n    run: x\n",
    "steps:\n  - id: é\n    run: ünïcödé \"ʕ•ᴥ•ʔ\"\n",
    "tools: { x: { install: \"{{ nope }}\" } }\nsteps: []\n",
    "needs: [p]\nsteps:\n  - id: a\n    needs: [a, a]\n    run: x\n",
];

#[test]
fn malformed_files_give_diagnostics_not_panics() {
    for text in MALFORMED {
        load(text);
    }
    let huge_line = format!("steps:\n  - id: a\n    run: echo {}\n", "x".repeat(200_000));
    assert_eq!(load(&huge_line), 0);
}

#[test]
fn mutated_pipelines_never_panic() {
    let seeds: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../pipelines"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .chain(MALFORMED.iter().map(|s| s.to_string()))
            .collect();
    for text in crate::mutate::mutations(&seeds, 4000, 0x5EED_CAFE_F00D_D00D) {
        load(&text);
    }
}
