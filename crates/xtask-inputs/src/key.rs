//! The parts of a step's cache key, kept apart so a miss can say which part changed.

use crate::digest::sha256;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    /// sha256 of what the step runs: its label, command or built-in arguments, and cwd.
    pub definition: String,
    /// `linux-x86_64`: results are not shared across operating systems or architectures.
    #[serde(default)]
    pub platform: String,
    /// Declared variables: name → sha256 of the value. Secrets: name → `set` or `unset`
    /// (their values never reach the key).
    pub env: BTreeMap<String, String>,
    /// Tool name → pinned version, or the `--version` output of an unpinned tool.
    pub tools: BTreeMap<String, String>,
    /// Label → key of each step this one needs.
    pub deps: BTreeMap<String, String>,
    /// Input path → sha256 of its content.
    pub inputs: BTreeMap<String, String>,
}

impl Components {
    /// sha256 over every part, each field length-prefixed so no two different sets of
    /// parts hash the same.
    pub fn key(&self) -> String {
        // One buffer, hashed at once: thousands of small updates cost more than the copy.
        let mut bytes = Vec::with_capacity(self.inputs.len() * 120 + 1024);
        let mut field = |text: &str| {
            bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        };
        field(&self.definition);
        field(&self.platform);
        for map in [&self.env, &self.tools, &self.deps, &self.inputs] {
            field(&map.len().to_string());
            for (k, v) in map {
                field(k);
                field(v);
            }
        }
        sha256(&bytes)
    }

    /// Why `self` differs from the `old` run, in the words the plan shows.
    pub fn why_changed(&self, old: &Components) -> Option<String> {
        if self.definition != old.definition {
            return Some("the step's command changed".into());
        }
        if self.platform != old.platform {
            return Some(format!(
                "the platform changed ({} → {})",
                old.platform, self.platform
            ));
        }
        if let Some(why) = first_difference(&old.env, &self.env, "env") {
            return Some(why);
        }
        if let Some(why) = first_difference(&old.tools, &self.tools, "tool") {
            return Some(why);
        }
        if let Some(label) = diff_names(&old.deps, &self.deps).next() {
            return Some(format!("dependency {label} changed"));
        }
        first_difference(&old.inputs, &self.inputs, "input")
    }
}

fn first_difference(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    what: &str,
) -> Option<String> {
    let name = diff_names(old, new).next()?;
    Some(match (old.get(name), new.get(name)) {
        (Some(_), None) => format!("{what} {name} was removed"),
        (None, Some(_)) => format!("{what} {name} was added"),
        (Some(o), Some(n)) if what == "env" && (o == "set" || n == "set") => {
            format!("secret {name} is now {n}")
        }
        _ => format!("{what} {name} changed"),
    })
}

fn diff_names<'a>(
    old: &'a BTreeMap<String, String>,
    new: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = &'a String> {
    let mut names: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|k| old.get(*k) != new.get(*k))
        .collect();
    names.sort();
    names.dedup();
    names.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(inputs: &[(&str, &str)]) -> Components {
        Components {
            definition: "d".into(),
            inputs: inputs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Components::default()
        }
    }

    #[test]
    fn names_the_changed_input() {
        let old = parts(&[("a.rs", "1"), ("b.rs", "2")]);
        assert_eq!(
            parts(&[("a.rs", "1"), ("b.rs", "3")])
                .why_changed(&old)
                .unwrap(),
            "input b.rs changed"
        );
        assert_eq!(
            parts(&[("a.rs", "1")]).why_changed(&old).unwrap(),
            "input b.rs was removed"
        );
        assert_eq!(
            parts(&[("a.rs", "1"), ("b.rs", "2"), ("c.rs", "4")])
                .why_changed(&old)
                .unwrap(),
            "input c.rs was added"
        );
        assert_eq!(old.why_changed(&old), None);
        assert_ne!(old.key(), parts(&[("a.rs", "1")]).key());
    }
}
