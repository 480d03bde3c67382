//! `when:` conditions, evaluated against the facts of the machine, each result with a reason.

/// What a condition can ask about the machine it runs on.
pub trait Facts {
    /// The variable is set and not empty.
    fn env_set(&self, name: &str) -> bool;
    /// The workspace-relative path exists.
    fn file_exists(&self, path: &str) -> bool;
    fn tool_found(&self, name: &str) -> bool;
    fn in_ci(&self) -> bool;
    /// The branch or tag being built.
    fn git_ref(&self) -> crate::git::RefName;
    /// A policy switch (`signature-required`) and the sentence that says why it has its value.
    fn policy(&self, switch: &str) -> (bool, String);
    /// Workspace-relative paths staged for commit (the index differs from HEAD there).
    fn staged(&self) -> Vec<String>;
}

/// Policy switches a `policy:` condition can ask about.
pub const POLICY_SWITCHES: [&str; 1] = ["signature-required"];

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Env(String),
    File(String),
    Tool(String),
    Ci(bool),
    /// The build is on a branch whose name matches the glob.
    Branch(glob::Pattern),
    /// HEAD is exactly a tag whose name matches the glob.
    Tag(glob::Pattern),
    /// A switch of `policies/*.yaml` is on for this build.
    Policy(String),
    /// A path staged for commit matches the glob.
    Staged(glob::Pattern),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// The condition's value and the facts that decided it, phrased for a skip line
    /// (`COSIGN_KEY_B64 is not set and cosign.key does not exist`).
    pub fn eval(&self, facts: &dyn Facts) -> (bool, String) {
        match self {
            Condition::Env(name) => fact(facts.env_set(name), name, "is set", "is not set"),
            Condition::File(path) => {
                fact(facts.file_exists(path), path, "exists", "does not exist")
            }
            Condition::Tool(name) => fact(
                facts.tool_found(name),
                &format!("tool `{name}`"),
                "is on PATH",
                "is not on PATH",
            ),
            Condition::Ci(want) => {
                let ci = facts.in_ci();
                let why = if ci {
                    "running in CI"
                } else {
                    "not running in CI"
                };
                (ci == *want, why.to_string())
            }
            Condition::Branch(pattern) | Condition::Tag(pattern) => {
                let head = facts.git_ref();
                let (wanted, name) = match (self, &head) {
                    (Condition::Branch(_), crate::git::RefName::Branch(n)) => ("branch", Some(n)),
                    (Condition::Tag(_), crate::git::RefName::Tag(n)) => ("tag", Some(n)),
                    (Condition::Branch(_), _) => ("branch", None),
                    _ => ("tag", None),
                };
                let value = name.is_some_and(|n| pattern.matches(n));
                let verdict = if value { "matches" } else { "does not match" };
                (
                    value,
                    format!("{head} {verdict} {wanted} pattern `{}`", pattern.as_str()),
                )
            }
            Condition::Policy(switch) => facts.policy(switch),
            Condition::Staged(pattern) => {
                let staged = facts.staged();
                match staged.iter().find(|p| pattern.matches(p)) {
                    Some(path) => (true, format!("{path} is staged")),
                    None => (
                        false,
                        format!("nothing staged matches `{}`", pattern.as_str()),
                    ),
                }
            }
            Condition::All(all) => {
                let mut reasons = Vec::new();
                for c in all {
                    let (value, why) = c.eval(facts);
                    if !value {
                        return (false, why);
                    }
                    reasons.push(why);
                }
                (true, reasons.join(" and "))
            }
            Condition::Any(any) => {
                let mut reasons = Vec::new();
                for c in any {
                    let (value, why) = c.eval(facts);
                    if value {
                        return (true, why);
                    }
                    reasons.push(why);
                }
                (false, reasons.join(" and "))
            }
            Condition::Not(inner) => {
                let (value, why) = inner.eval(facts);
                (!value, why)
            }
        }
    }
}

fn fact(value: bool, subject: &str, yes: &str, no: &str) -> (bool, String) {
    (value, format!("{subject} {}", if value { yes } else { no }))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Machine {
        env: &'static [&'static str],
        files: &'static [&'static str],
        ci: bool,
    }

    impl Facts for Machine {
        fn env_set(&self, name: &str) -> bool {
            self.env.contains(&name)
        }
        fn file_exists(&self, path: &str) -> bool {
            self.files.contains(&path)
        }
        fn tool_found(&self, name: &str) -> bool {
            name == "git"
        }
        fn in_ci(&self) -> bool {
            self.ci
        }
        fn git_ref(&self) -> crate::git::RefName {
            crate::git::RefName::Branch("main".into())
        }
        fn policy(&self, _: &str) -> (bool, String) {
            (false, "no policy".into())
        }
        fn staged(&self) -> Vec<String> {
            vec!["crates/api/src/routes.rs".into()]
        }
    }

    const BARE: Machine = Machine {
        env: &[],
        files: &[],
        ci: false,
    };

    fn signing_key() -> Condition {
        Condition::Any(vec![
            Condition::Env("COSIGN_KEY_B64".into()),
            Condition::File("cosign.key".into()),
        ])
    }

    #[test]
    fn any_explains_every_missing_alternative() {
        assert_eq!(
            signing_key().eval(&BARE),
            (
                false,
                "COSIGN_KEY_B64 is not set and cosign.key does not exist".into()
            )
        );
        let keyed = Machine {
            env: &[],
            files: &["cosign.key"],
            ci: false,
        };
        assert_eq!(
            signing_key().eval(&keyed),
            (true, "cosign.key exists".into())
        );
    }

    #[test]
    fn branch_and_tag_patterns() {
        let release = Condition::Branch(glob::Pattern::new("release/*").unwrap());
        assert_eq!(
            release.eval(&BARE),
            (
                false,
                "branch main does not match branch pattern `release/*`".into()
            )
        );
        let main = Condition::Branch(glob::Pattern::new("ma*").unwrap());
        assert_eq!(
            main.eval(&BARE),
            (true, "branch main matches branch pattern `ma*`".into())
        );
        let tag = Condition::Tag(glob::Pattern::new("v*").unwrap());
        assert_eq!(
            tag.eval(&BARE),
            (false, "branch main does not match tag pattern `v*`".into())
        );
    }

    #[test]
    fn staged_paths_match_globs() {
        let staged = |glob: &str| Condition::Staged(glob::Pattern::new(glob).unwrap()).eval(&BARE);
        assert_eq!(
            staged("crates/api/**"),
            (true, "crates/api/src/routes.rs is staged".into())
        );
        assert_eq!(
            staged("docs/**"),
            (false, "nothing staged matches `docs/**`".into())
        );
    }

    #[test]
    fn all_not_ci_and_tool() {
        let c = Condition::All(vec![
            Condition::Tool("git".into()),
            Condition::Not(Box::new(Condition::Ci(true))),
        ]);
        assert_eq!(
            c.eval(&BARE),
            (true, "tool `git` is on PATH and not running in CI".into())
        );
        let ci = Machine {
            env: &[],
            files: &[],
            ci: true,
        };
        assert_eq!(c.eval(&ci), (false, "running in CI".into()));
        assert_eq!(
            Condition::Tool("node".into()).eval(&BARE),
            (false, "tool `node` is not on PATH".into())
        );
    }
}
