//! `migrations/guard`: released migrations never change. A committed lock file records the
//! SHA-384 (what sqlx records) of every migration; an edited or deleted released migration
//! fails the step with its name and the advice to add a new migration instead. With
//! `update: true` (the `migrations-lock` pipeline) new migrations are added to the lock.

use crate::diagnostic::{SourceFile, Span};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::relpath;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use sha2::{Digest, Sha384};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const GUARD: Registration = Registration {
    name: "migrations/guard",
    summary: "fail when a released migration changed (checksums in a committed lock)",
    required: &["lock", "dirs"],
    optional: &["update"],
    parse,
};

#[derive(Debug)]
struct Guard {
    lock: String,
    dirs: Vec<String>,
    update: bool,
}

const HEADER: &str = "# SHA-384 of every released migration, as sqlx records it. `cargo xtask run migrations`\n\
# fails when a released migration changes: add a new migration instead. After adding one:\n\
#   cargo xtask run migrations-lock\n";

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let (lock, dirs) = (fields.get("lock")?, fields.get("dirs")?);
    let lock_path = r.string(lock, "lock")?;
    let dirs: Vec<String> = r.names(dirs, "dirs")?.into_iter().map(|n| n.name).collect();
    if relpath::escapes(&lock_path) || dirs.iter().any(|d| relpath::escapes(d)) {
        r.error(
            fields.span,
            "`lock` and `dirs` must be inside the workspace",
        );
        return None;
    }
    let update = fields
        .get("update")
        .and_then(|v| r.boolean(v, "update"))
        .unwrap_or(false);
    Some(Arc::new(Guard {
        lock: lock_path,
        dirs,
        update,
    }))
}

impl Builtin for Guard {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let current = self.checksums(ctx)?;
        let lock_path = ctx.root.join(&self.lock);
        let lock_text = std::fs::read_to_string(&lock_path).unwrap_or_default();
        let src = SourceFile::new(self.lock.clone(), lock_text.clone());
        let locked = read_lock(&lock_text);
        let mut problems = 0;
        for (line, (file, sum)) in &locked {
            match current.get(file) {
                None => {
                    problems += 1;
                    ctx.finding(
                        src.error(
                            Span::at(*line, 1),
                            format!("released migration {file} was deleted"),
                        )
                        .with_hint("restore it; a released migration stays"),
                    );
                }
                Some(now) if now != sum => {
                    problems += 1;
                    let message = format!(
                        "{file} changed after it was released (its SHA-384 is not the one in {})",
                        self.lock
                    );
                    ctx.finding(src.error(Span::at(*line, 1), message).with_hint("undo the edit and put the change in a new migration, e.g. the next version number"));
                }
                Some(_) => {}
            }
        }
        let new: Vec<&String> = current
            .keys()
            .filter(|f| !locked.values().any(|(l, _)| l == *f))
            .collect();
        if problems > 0 {
            bail!(
                "{problems} released migrations changed; add new migrations instead of editing old ones"
            );
        }
        if new.is_empty() {
            writeln!(ctx.out, "{} migrations match {}", current.len(), self.lock)?;
            return Ok(());
        }
        if !self.update {
            for file in &new {
                writeln!(ctx.out, "not in the lock yet: {file}")?;
            }
            bail!(
                "{} new migrations are not in {}; record them with: cargo xtask run migrations-lock",
                new.len(),
                self.lock
            );
        }
        let mut text = String::from(HEADER);
        for (file, sum) in &current {
            text.push_str(&format!("{sum}  {file}\n"));
        }
        xtask_inputs::fsutil::write_atomic(&lock_path, text.as_bytes())?;
        for file in &new {
            writeln!(ctx.out, "locked {file}")?;
        }
        Ok(())
    }
}

impl Guard {
    /// Workspace-relative path → SHA-384 hex of every `.sql` file of the directories.
    fn checksums(&self, ctx: &StepContext<'_>) -> anyhow::Result<BTreeMap<String, String>> {
        let mut sums = BTreeMap::new();
        for dir in &self.dirs {
            let entries = std::fs::read_dir(ctx.root.join(dir))
                .with_context(|| format!("cannot list {dir}"))?;
            for entry in entries {
                let name = entry?.file_name().to_string_lossy().into_owned();
                if name.ends_with(".sql") {
                    let rel = format!("{dir}/{name}");
                    let bytes = std::fs::read(ctx.root.join(&rel))
                        .with_context(|| format!("cannot read {rel}"))?;
                    sums.insert(rel, xtask_inputs::digest::hex(&Sha384::digest(&bytes)));
                }
            }
        }
        Ok(sums)
    }
}

/// line number → (file, checksum) of each entry (`<sha384>  <path>`).
fn read_lock(text: &str) -> BTreeMap<usize, (String, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|(i, l)| {
            let (sum, file) = l.split_once("  ")?;
            Some((i + 1, (file.trim().to_owned(), sum.trim().to_owned())))
        })
        .collect()
}
