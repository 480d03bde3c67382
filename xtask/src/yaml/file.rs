//! Reading a whole YAML file into a typed value: parse, read with a `Reader`, collect every
//! mistake.

use super::{Node, Reader};
use crate::diagnostic::{Diagnostic, SourceFile};
use std::path::Path;

/// Reads the YAML file `rel` of `root` with `parse`, adding its mistakes to `diags`; `None`
/// when the file does not exist or has mistakes.
pub fn read_file<T>(
    root: &Path,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> anyhow::Result<Option<T>> {
    let text = match std::fs::read_to_string(root.join(rel)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("cannot read {rel}: {e}"),
    };
    Ok(read_collecting(&SourceFile::new(rel, text), diags, parse))
}

/// `read_source`, with the mistakes added to `diags`.
pub fn read_collecting<T>(
    src: &SourceFile,
    diags: &mut Vec<Diagnostic>,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> Option<T> {
    match read_source(src, parse) {
        Ok(value) => Some(value),
        Err(mut found) => {
            diags.append(&mut found);
            None
        }
    }
}

/// A YAML document read with `parse`: what it describes, or every mistake in it.
pub fn read_source<T>(
    src: &SourceFile,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> Result<T, Vec<Diagnostic>> {
    let node = super::parse(src).map_err(|d| vec![*d])?;
    let mut r = Reader::new(src);
    match parse(&mut r, &node) {
        Some(policy) if r.diags.is_empty() => Ok(policy),
        _ => Err(r.diags),
    }
}
