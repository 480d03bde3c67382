//! Tidy checks of the engine's own source: the module layers of `xtask/src`, the one place
//! they are written down, and the diagram of them in `docs/architecture.md`.

mod graph;
mod paths;

use crate::support::REPO;
use std::path::Path;

/// The layers of `xtask/src`, highest first: a module imports only from layers below its own.
/// `docs/architecture.md` draws the same list; `layers_match_the_architecture_doc` keeps
/// them equal.
const LAYERS: &[&[&str]] = &[
    &["commands"],
    &["workflow", "bench"],
    &["report"],
    &["exec"],
    &["builtins"],
    &["cache"],
    &["plan"],
    &["load", "tools"],
    &["model", "apicompat"],
    &["policy"],
    &["provenance"],
    &["cosign"],
    &["yaml", "failure", "drift"],
    &["diagnostic"],
    &["text", "git"],
    &["style"],
];

#[test]
fn modules_import_only_from_layers_below() {
    let problems = graph::check(&Path::new(REPO).join("src"), LAYERS);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn layers_match_the_architecture_doc() {
    let doc =
        std::fs::read_to_string(Path::new(REPO).join("../docs/architecture.md")).expect("doc");
    let drawn = diagram(&doc).expect("docs/architecture.md has a ```text block under `## Layers`");
    let table: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        drawn,
        table,
        "the diagram in docs/architecture.md and LAYERS in {}",
        file!()
    );
}

/// The layers drawn in the doc: the first ```text block after `## Layers`, one layer a line,
/// highest first, modules separated by `·`; lines of arrows only are skipped.
fn diagram(doc: &str) -> Option<Vec<Vec<String>>> {
    let section = doc.split_once("\n## Layers\n")?.1;
    let block = section.split_once("```text\n")?.1.split_once("```")?.0;
    Some(
        block
            .lines()
            .map(|l| l.trim())
            .map(|l| l.split_once("  ").map_or(l, |(names, _)| names))
            .filter(|l| l.chars().any(|c| c.is_ascii_alphabetic()))
            .map(|l| l.split('·').map(|m| m.trim().to_string()).collect())
            .collect(),
    )
}

/// The checker itself fails: an upward import, a sideways one, a root item and a cycle
/// between the files of a folder, planted in a small crate.
#[test]
fn planted_violations_are_named_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    let files = [
        (
            "lib.rs",
            "mod low;\nmod high;\nmod side;\npub struct App;\n",
        ),
        (
            "low.rs",
            "//! low\nuse crate::style::Style;\nfn f() { crate::high::g(); }\n",
        ),
        ("side.rs", "use crate::low::x;\nuse crate::App;\n"),
        ("style.rs", "pub struct Style;\n"),
        (
            "high/mod.rs",
            "mod a;\nmod b;\npub use a::Thing;\npub fn g() { a::h(); }\n",
        ),
        ("high/a.rs", "use super::b::B;\npub struct Thing;\n"),
        (
            "high/b.rs",
            "use super::Thing;\nuse crate::low;\npub struct B;\n",
        ),
    ];
    for (rel, text) in files {
        let path = src.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let layers: &[&[&str]] = &[&["high"], &["low", "side"], &["style"]];
    assert_eq!(
        graph::check(src, layers),
        [
            "low.rs:3: `crate::high::g` points up the layers: `low` (layer 2) may import only from layers below it, and `high` is layer 3",
            "side.rs:1: `crate::low::x` points sideways, within its layer: `side` (layer 2) may import only from layers below it, and `low` is layer 2",
            "side.rs:2: `crate::App` names the crate root, which sits above every layer: move what it names into a module",
            "the files of `high/` import each other in a cycle (a -> b -> a): high/a.rs:1 `super::b::B`, high/b.rs:1 `super::Thing`",
        ]
    );
}
