//! A policy finding: a rule id and a positioned diagnostic, printed as
//! `path:line:col: rule-id: message`.

use crate::diagnostic::{Diagnostic, Severity};

#[derive(Clone, Debug)]
pub struct Finding {
    /// `secrets/literal-secret`, `rotation/overdue`, …
    pub rule: String,
    /// Boxed: findings travel in `Result`s and the diagnostic is large.
    pub diag: Box<Diagnostic>,
}

impl Finding {
    pub fn new(rule: &str, diag: Diagnostic) -> Finding {
        Finding {
            rule: rule.to_owned(),
            diag: Box::new(diag),
        }
    }

    pub fn is_error(&self) -> bool {
        self.diag.severity == Severity::Error
    }

    /// `path:line:col: rule-id: message` (warnings say so), and the hint on the next line.
    pub fn line(&self) -> String {
        let level = if self.is_error() { "" } else { "warning: " };
        let mut line = format!(
            "{}: {level}{}: {}",
            self.diag.location(),
            self.rule,
            self.diag.message
        );
        if let Some(hint) = &self.diag.hint {
            line.push_str(&format!("\n    hint: {hint}"));
        }
        line
    }

    /// The diagnostic carrying the rule id, for step findings, annotations and reports.
    pub fn annotated(&self) -> Diagnostic {
        (*self.diag).clone().with_code(&self.rule)
    }
}
