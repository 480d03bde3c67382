//! `when:` conditions, evaluated against the facts of the machine, each result with a reason.

/// What a condition can ask about the machine it runs on.
pub trait Facts {
    /// The variable is set and not empty.
    fn env_set(&self, name: &str) -> bool;
    /// The workspace-relative path exists.
    fn file_exists(&self, path: &str) -> bool;
    fn tool_found(&self, name: &str) -> bool;
    fn in_ci(&self) -> bool;
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Env(String),
    File(String),
    Tool(String),
    Ci(bool),
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
