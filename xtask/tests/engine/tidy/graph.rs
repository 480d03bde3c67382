//! The module graph of a crate's `src` checked against a layer table: imports point down the
//! layers, and the files of one folder do not import each other in a cycle.

use super::paths::{PathRef, declared_modules, paths};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One source file: its module path (`cache/files.rs` is `["cache", "files"]`).
struct Module {
    path: Vec<String>,
    file: String,
    refs: Vec<PathRef>,
    /// Items this module re-exports from one of its children (`pub use files::hex`).
    reexports: BTreeMap<String, String>,
}

/// An import of one module by another, as written.
struct Edge<'a> {
    from: &'a Module,
    line: usize,
    written: String,
}

/// Every violation of `layers` (highest layer first) in the crate at `src`, as messages.
pub fn check(src: &Path, layers: &[&[&str]]) -> Vec<String> {
    let modules = read(src);
    let known: BTreeSet<&[String]> = modules.iter().map(|m| m.path.as_slice()).collect();
    let rank = |name: &str| {
        layers
            .iter()
            .position(|l| l.contains(&name))
            .map(|i| layers.len() - i)
    };
    let mut problems = Vec::new();
    let tops: BTreeSet<&str> = modules
        .iter()
        .filter_map(|m| m.path.first().map(String::as_str))
        .collect();
    for top in &tops {
        if rank(top).is_none() {
            problems.push(format!(
                "module `{top}` is in no layer: add it to LAYERS and to docs/architecture.md"
            ));
        }
    }
    for name in layers.iter().flat_map(|l| l.iter()) {
        if !tops.contains(name) {
            problems.push(format!(
                "layer table names `{name}`, which is not a module of src/"
            ));
        }
    }
    // Sibling edges per folder: folder path -> (from child, to child) -> first import.
    let mut folders: BTreeMap<Vec<String>, BTreeMap<(String, String), Edge>> = BTreeMap::new();
    for m in modules.iter().filter(|m| !m.path.is_empty()) {
        for r in &m.refs {
            let abs = resolve(m, r);
            let written = r.segments.join("::");
            let Some(top) = abs.first().filter(|t| tops.contains(t.as_str())) else {
                problems.push(format!(
                    "{}:{}: `{written}` names the crate root, which sits above every layer: move what it names into a module",
                    m.file, r.line
                ));
                continue;
            };
            let own = &m.path[0];
            if top != own {
                let (Some(from), Some(to)) = (rank(own), rank(top)) else {
                    continue;
                };
                if to >= from {
                    let way = if to == from {
                        "sideways, within its layer"
                    } else {
                        "up the layers"
                    };
                    problems.push(format!(
                        "{}:{}: `{written}` points {way}: `{own}` (layer {from}) may import only from layers below it, and `{top}` is layer {to}",
                        m.file, r.line
                    ));
                }
                continue;
            }
            let target = node(&modules, &known, &abs);
            let (Some(a), Some(b)) = siblings(&m.path, &target) else {
                continue;
            };
            let folder = m.path[..common(&m.path, &target)].to_vec();
            folders
                .entry(folder)
                .or_default()
                .entry((a, b))
                .or_insert(Edge {
                    from: m,
                    line: r.line,
                    written,
                });
        }
    }
    for (folder, edges) in &folders {
        if let Some(cycle) = find_cycle(edges) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    let e = &edges[&(w[0].clone(), w[1].clone())];
                    format!("{}:{} `{}`", e.from.file, e.line, e.written)
                })
                .collect();
            problems.push(format!(
                "the files of `{}/` import each other in a cycle ({}): {}",
                folder.join("/"),
                cycle.join(" -> "),
                steps.join(", ")
            ));
        }
    }
    problems
}

fn read(src: &Path) -> Vec<Module> {
    let mut files = Vec::new();
    walk(src, src, &mut files);
    files.sort();
    let mut modules: Vec<Module> = files
        .into_iter()
        .filter(|rel| rel != "main.rs")
        .map(|rel| {
            let text =
                std::fs::read_to_string(src.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let mut path: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_owned)
                .collect();
            if matches!(path.last().map(String::as_str), Some("mod" | "lib")) {
                path.pop();
            }
            let refs = paths(&text, &declared_modules(&text));
            Module {
                path,
                file: rel,
                refs,
                reexports: BTreeMap::new(),
            }
        })
        .collect();
    for m in &mut modules {
        let found: Vec<(String, String)> = m
            .refs
            .iter()
            .filter(|r| r.reexport && r.segments.len() >= 2 && r.scope.is_empty())
            .filter_map(|r| {
                let abs = resolve(m, r);
                let child = abs.get(m.path.len())?;
                (abs.len() == m.path.len() + 2 && abs.starts_with(&m.path))
                    .then(|| (abs[m.path.len() + 1].clone(), child.clone()))
            })
            .collect();
        m.reexports.extend(found);
    }
    modules
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("below root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The absolute module path (from the crate root) a written path names.
fn resolve(m: &Module, r: &PathRef) -> Vec<String> {
    let mut base: Vec<String> = m.path.iter().chain(&r.scope).cloned().collect();
    let segs = &r.segments;
    match segs[0].as_str() {
        "crate" => segs[1..].to_vec(),
        "self" => base.into_iter().chain(segs[1..].iter().cloned()).collect(),
        "super" => {
            let ups = segs.iter().take_while(|s| *s == "super").count();
            base.truncate(base.len().saturating_sub(ups));
            base.into_iter()
                .chain(segs[ups..].iter().cloned())
                .collect()
        }
        _ => base.into_iter().chain(segs.iter().cloned()).collect(),
    }
}

/// The module file an absolute path lands in: its longest prefix that is a module, followed
/// through a re-export of that module (`super::Thing` where the parent says `pub use x::Thing`).
fn node(modules: &[Module], known: &BTreeSet<&[String]>, abs: &[String]) -> Vec<String> {
    let len = (0..=abs.len())
        .rev()
        .find(|n| known.contains(&abs[..*n]))
        .unwrap_or(0);
    let mut found = abs[..len].to_vec();
    let owner = modules.iter().find(|m| m.path == found);
    if let (Some(owner), Some(item)) = (owner, abs.get(len))
        && let Some(child) = owner.reexports.get(item)
    {
        found.push(child.clone());
    }
    found
}

fn common(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The two children of the deepest shared folder that `from` and `to` lie in, unless one is
/// the other's ancestor (a folder's `mod.rs` and its files are not siblings).
fn siblings(from: &[String], to: &[String]) -> (Option<String>, Option<String>) {
    let n = common(from, to);
    if n == from.len() || n == to.len() {
        return (None, None);
    }
    (Some(from[n].clone()), Some(to[n].clone()))
}

/// A cycle in the directed graph `edges`, as its nodes with the first repeated at the end.
fn find_cycle<V>(edges: &BTreeMap<(String, String), V>) -> Option<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.keys().flat_map(|(a, b)| [a, b]).collect();
    fn visit<'a, V>(
        n: &'a String,
        edges: &'a BTreeMap<(String, String), V>,
        stack: &mut Vec<&'a String>,
        done: &mut BTreeSet<&'a String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| *s == n) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(n.clone());
            return Some(cycle);
        }
        if !done.insert(n) {
            return None;
        }
        stack.push(n);
        for (_, b) in edges.keys().filter(|(a, _)| a == n) {
            if let Some(c) = visit(b, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    nodes
        .into_iter()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}
