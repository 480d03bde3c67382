//! A tool a pipeline needs on PATH, with an optional pinned version and install command.

use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    pub name: String,
    pub span: Span,
    /// Expected to appear in the output of `<name> <version_args>`.
    pub version: Option<String>,
    pub version_args: Vec<String>,
    /// Command that installs the tool into `{{ prefix }}`.
    pub install: Option<Vec<String>>,
    /// Directory under the prefix that holds the executables (`bin` by default).
    pub bin: String,
}

impl Tool {
    /// What to tell a user whose machine lacks the tool.
    pub fn hint(&self) -> String {
        match &self.install {
            Some(argv) => format!("install it with: {}", argv.join(" ")),
            None => format!("install `{}` and make sure it is on PATH", self.name),
        }
    }

    pub fn dir_name(&self) -> String {
        format!("{}-{}", self.name, self.version.as_deref().unwrap_or("any"))
    }
}
