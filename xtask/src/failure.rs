//! Why a command did not succeed, and the one place that maps that to an exit code.

use crate::diagnostic::Diagnostic;
use crate::style::Style;

#[derive(Debug)]
pub enum Failure {
    /// The command line was wrong (exit 2).
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// Pipeline or policy files are invalid (exit 2).
    Invalid(Vec<Diagnostic>),
    /// One or more steps failed; the run report already said which (exit 1).
    StepsFailed,
    /// Ctrl-C or SIGTERM stopped the run (exit 130).
    Interrupted,
    /// Anything else that went wrong, with context (exit 1).
    Error(anyhow::Error),
}

impl Failure {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage { .. } | Failure::Invalid(_) => 2,
            Failure::StepsFailed | Failure::Error(_) => 1,
            Failure::Interrupted => 130,
        }
    }

    /// What to print on stderr; empty when the run report has said it already.
    pub fn render(&self, style: Style) -> String {
        let error = style.red_bold("error");
        match self {
            Failure::Usage { message, hint } => {
                let hint = hint
                    .as_ref()
                    .map(|h| format!("  {}: {h}\n", style.bold("hint")))
                    .unwrap_or_default();
                format!("{error}: {message}\n{hint}")
            }
            Failure::Invalid(diags) => {
                let errors = diags
                    .iter()
                    .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                    .count();
                let mut out: String = diags.iter().map(|d| d.render(style) + "\n").collect();
                let noun = if errors == 1 { "error" } else { "errors" };
                let in_dir = |dir: &str| diags.iter().all(|d| d.file.starts_with(dir));
                let files = if in_dir("pipelines/") {
                    "pipeline files"
                } else if in_dir("policies/") {
                    "policy files"
                } else if diags
                    .iter()
                    .all(|d| d.file.starts_with("pipelines/") || d.file.starts_with("policies/"))
                {
                    "pipeline and policy files"
                } else {
                    let mut files: Vec<&str> = diags.iter().map(|d| d.file.as_str()).collect();
                    files.dedup();
                    &files.join(", ")
                };
                out.push_str(&format!("{error}: {errors} {noun} in {files}\n"));
                out
            }
            Failure::StepsFailed | Failure::Interrupted => String::new(),
            Failure::Error(e) => {
                let mut out = format!("{error}: {e}\n");
                for cause in e.chain().skip(1) {
                    out.push_str(&format!("  caused by: {cause}\n"));
                }
                out
            }
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Error(e)
    }
}
