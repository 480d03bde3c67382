//! The module paths a Rust source file names (`use` trees and inline `a::b::c` paths), with
//! their line and the inline module they stand in; comments and literals are skipped.

/// One path as written, split at `::` (`use crate::{a::B, c}` gives `crate::a::B` and
/// `crate::c`), inside the inline modules `scope` (`mod tests { … }`).
#[derive(Debug, Clone, PartialEq)]
pub struct PathRef {
    pub line: usize,
    pub scope: Vec<String>,
    pub segments: Vec<String>,
    /// Written in a `pub use` (a re-export).
    pub reexport: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Colons,
    Open,
    Close,
    Comma,
    Semi,
    Other(char),
}

/// Every path of `src` that starts at `crate`, `super`, `self` or a module in `children`
/// (the `mod x;` items of the file, which its own paths may name directly).
pub fn paths(src: &str, children: &[String]) -> Vec<PathRef> {
    let toks = lex(src);
    let mut out = Vec::new();
    let mut scope: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    // Inside a `use` item: whether it is a `pub use` (`pub(crate) use` too).
    let mut in_use: Option<bool> = None;
    let mut i = 0;
    while i < toks.len() {
        let (line, tok) = &toks[i];
        match tok {
            Tok::Semi => in_use = None,
            Tok::Ident(kw) if kw == "use" => {
                let word = |k: usize| matches!(i.checked_sub(k).map(|k| &toks[k].1), Some(Tok::Ident(w)) if w == "pub");
                in_use = Some(word(1) || (i > 0 && toks[i - 1].1 == Tok::Other(')') && word(4)));
            }
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if scope.last().is_some_and(|(_, d)| *d == depth) {
                    scope.pop();
                }
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some((_, Tok::Ident(name))), Some((_, Tok::Open))) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    scope.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(head) => {
                let after_colons = i > 0 && toks[i - 1].1 == Tok::Colons;
                let starts = ["crate", "super", "self"].contains(&head.as_str())
                    || (scope.is_empty() && children.contains(head));
                if !after_colons && starts && toks.get(i + 1).is_some_and(|t| t.1 == Tok::Colons) {
                    let reexport = in_use == Some(true);
                    let mut found = Vec::new();
                    let end = tree(&toks, i, vec![], &mut found);
                    let scope: Vec<String> = scope.iter().map(|(n, _)| n.clone()).collect();
                    out.extend(found.into_iter().map(|segments| PathRef {
                        line: *line,
                        scope: scope.clone(),
                        segments,
                        reexport,
                    }));
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads a path tree from `i` (an identifier), appending each full path to `found`;
/// returns the index after it.
fn tree(
    toks: &[(usize, Tok)],
    mut i: usize,
    mut prefix: Vec<String>,
    found: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match toks.get(i).map(|t| &t.1) {
            Some(Tok::Ident(name)) => {
                prefix.push(name.clone());
                i += 1;
            }
            Some(Tok::Open) => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| &t.1) {
                        Some(Tok::Close) => return i + 1,
                        Some(Tok::Comma) => i += 1,
                        Some(Tok::Ident(_)) => i = tree(toks, i, prefix.clone(), found),
                        Some(_) => i += 1,
                        None => return i,
                    }
                }
            }
            _ => {
                found.push(prefix);
                return i;
            }
        }
        if toks.get(i).map(|t| &t.1) == Some(&Tok::Colons) {
            i += 1;
        } else {
            found.push(prefix);
            return i;
        }
    }
}

/// The `mod name;` items of a file: the modules it keeps in files of their own.
pub fn declared_modules(src: &str) -> Vec<String> {
    let toks = lex(src);
    toks.windows(3)
        .filter_map(|w| match (&w[0].1, &w[1].1, &w[2].1) {
            (Tok::Ident(m), Tok::Ident(name), Tok::Semi) if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn lex(src: &str) -> Vec<(usize, Tok)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nest = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    nest += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1, 0, &mut line);
        } else if (c == 'r' || c == 'b') && raw_start(&chars, i).is_some() {
            let (hashes, body) = raw_start(&chars, i).unwrap_or_default();
            i = skip_string(&chars, body, hashes, &mut line);
        } else if c == 'b' && next == Some('"') {
            i = skip_string(&chars, i + 2, 0, &mut line);
        } else if c == '\'' {
            i = skip_quote(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((line, Tok::Ident(chars[start..i].iter().collect())));
        } else if c == ':' && next == Some(':') {
            out.push((line, Tok::Colons));
            i += 2;
        } else {
            out.push((
                line,
                match c {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ',' => Tok::Comma,
                    ';' => Tok::Semi,
                    other => Tok::Other(other),
                },
            ));
            i += 1;
        }
    }
    out
}

/// For `r"`, `r#"`, `br#"` at `i`: the number of `#` and the index after the opening quote.
fn raw_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i + usize::from(chars[i] == 'b');
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some((hashes, j + hashes + 1))
}

/// Skips a string body from `i` to after its closing quote (and `hashes` `#` for raw strings).
fn skip_string(chars: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    let raw = hashes > 0 || (i >= 2 && chars[i - 2] == 'r');
    while i < chars.len() {
        match chars[i] {
            '\\' if !raw => i += 2,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes =>
            {
                return i + 1 + hashes;
            }
            c => {
                *line += usize::from(c == '\n');
                i += 1;
            }
        }
    }
    i
}

/// Skips a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) or the quote of a lifetime.
fn skip_quote(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let close = chars[i + 2..].iter().position(|c| *c == '\'');
        return close.map_or(chars.len(), |p| i + 3 + p);
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(src: &str) -> Vec<String> {
        paths(src, &["child".to_string()])
            .into_iter()
            .map(|p| format!("{}:{}/{}", p.line, p.scope.join("/"), p.segments.join("::")))
            .collect()
    }

    #[test]
    fn use_trees_inline_paths_and_scopes() {
        let src = "use crate::{a::B, c::{self, D}};\n// crate::x::y\nfn f() { let s = \"crate::q\"; crate::e::f(); child::g(); }\nmod tests {\n use super::*;\n}\nfn z() { r#\"crate::r\"#; 'a'; super::h(); }\n";
        assert_eq!(
            written(src),
            [
                "1:/crate::a::B",
                "1:/crate::c::self",
                "1:/crate::c::D",
                "3:/crate::e::f",
                "3:/child::g",
                "5:tests/super",
                "7:/super::h"
            ]
        );
    }
}
