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

/// xorshift64*: reproducible pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] = b" \n\t:-[]{}&*!|>'\"#%@`,?0aZ_/.\\\r";

#[test]
fn mutated_pipelines_never_panic() {
    let seeds: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../pipelines"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .chain(MALFORMED.iter().map(|s| s.to_string()))
            .collect();
    let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
    for round in 0..4000 {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(4) {
                0 if at < bytes.len() => bytes[at] = ALPHABET[rng.below(ALPHABET.len())],
                1 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            load(&text);
        }
    }
}
