//! Security requirements: alternatives, each a set of schemes. A client that met a base
//! alternative must still meet one of the revision's; a new alternative only adds a way in.

use super::Compare;
use super::doc::{Doc, entries};
use super::walk::key_loc;
use crate::yaml::Node;
use std::collections::BTreeSet;

impl<'d> Compare<'d> {
    /// Security requirements are alternatives, each a set of schemes. A client that met a
    /// base alternative must still meet one of the revision's with the same schemes.
    pub(super) fn security(
        &mut self,
        op: &str,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let alternatives = |doc: &Doc, op: &Node| -> Vec<BTreeSet<String>> {
            let list = op.get("security").or_else(|| doc.root.get("security"));
            match list.and_then(Node::seq) {
                None => vec![BTreeSet::new()],
                Some([]) => vec![BTreeSet::new()],
                Some(items) => items
                    .iter()
                    .map(|req| entries(req).map(|(name, _, _)| name.to_owned()).collect())
                    .collect(),
            }
        };
        let (base, rev) = (alternatives(self.base, b_op), alternatives(self.rev, r_op));
        let b_loc = key_loc(b_op, "security", &b_ptr);
        let r_loc = key_loc(r_op, "security", &r_ptr);
        let show = |alt: &BTreeSet<String>| {
            if alt.is_empty() {
                "no authentication".to_owned()
            } else {
                alt.iter().cloned().collect::<Vec<_>>().join(" + ")
            }
        };
        for alt in &base {
            if !rev.iter().any(|r| r.is_subset(alt)) {
                let now: Vec<String> = rev.iter().map(show).collect();
                self.emit(
                    "security-requirement-added",
                    format!(
                        "{op}: clients using {} must now use {}",
                        show(alt),
                        now.join(" or ")
                    ),
                    Some(b_loc.clone()),
                    Some(r_loc.clone()),
                );
            }
        }
        // A new alternative accepts more clients, unless it only adds schemes to an old one.
        for alt in &rev {
            if !base.contains(alt) && !base.iter().any(|b| b.is_subset(alt)) {
                self.emit(
                    "security-requirement-removed",
                    format!("{op}: {} is accepted now", show(alt)),
                    Some(b_loc.clone()),
                    Some(r_loc.clone()),
                );
            }
        }
    }
}
