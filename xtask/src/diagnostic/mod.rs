//! Mistakes in the user's files: a message anchored at `path:line:col`, rendered with the
//! offending line, a caret under the span and a hint.

mod span;

pub use span::{Named, Pos, Span};

use crate::style::Style;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Workspace-relative path as it is shown to the user.
    pub file: String,
    pub span: Option<Span>,
    /// The text of the line the span starts on, for the caret display.
    pub line_text: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    /// The rule that found it (`secrets/dsn-password`), for findings of a rule set.
    pub code: Option<String>,
}

impl Diagnostic {
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// `path:line:col`, or just the path when there is no position.
    pub fn location(&self) -> String {
        match self.span {
            Some(span) => format!("{}:{}:{}", self.file, span.start.line, span.start.col),
            None => self.file.clone(),
        }
    }

    pub fn render(&self, style: Style) -> String {
        let label = match self.severity {
            Severity::Error => style.red_bold("error"),
            Severity::Warning => style.yellow_bold("warning"),
        };
        let label = match &self.code {
            Some(code) => format!("{label}[{code}]"),
            None => label,
        };
        let mut out = format!("{label}: {}\n", style.bold(&self.message));
        let (Some(span), Some(text)) = (self.span, &self.line_text) else {
            let _ = writeln!(out, " --> {}", self.location());
            self.render_hint(&mut out, style);
            return out;
        };
        let number = span.start.line.to_string();
        let pad = " ".repeat(number.len());
        let _ = writeln!(out, "{pad}--> {}", self.location());
        let _ = writeln!(out, "{pad} {}", style.blue("|"));
        let _ = writeln!(out, "{} {} {text}", style.blue(&number), style.blue("|"));
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            style.blue("|"),
            " ".repeat(span.start.col.saturating_sub(1)),
            style.red_bold(&"^".repeat(caret_len(span, text)))
        );
        self.render_hint(&mut out, style);
        out
    }

    fn render_hint(&self, out: &mut String, style: Style) {
        if let Some(hint) = &self.hint {
            let pad = " ".repeat(
                self.span
                    .map_or(1, |span| span.start.line.to_string().len()),
            );
            let _ = writeln!(out, "{pad} = {}: {hint}", style.bold("hint"));
        }
    }
}

/// The caret covers the span on its first line, at least one character.
fn caret_len(span: Span, text: &str) -> usize {
    let line_chars = text.chars().count();
    let end = if span.end.line == span.start.line {
        span.end.col
    } else {
        line_chars + 1
    };
    end.saturating_sub(span.start.col)
        .min(line_chars.saturating_sub(span.start.col - 1))
        .max(1)
}

/// A file's text, kept so diagnostics can quote the offending line.
#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    pub fn error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        let span = self.clamp(span);
        Diagnostic {
            severity: Severity::Error,
            file: self.path.clone(),
            span: Some(span),
            line_text: self.line(span.start.line).map(str::to_owned),
            message: message.into(),
            hint: None,
            code: None,
        }
    }

    /// A span at the very end of the file (an unclosed bracket, say) is moved to the end of
    /// the last line with text, so there is a line to show.
    fn clamp(&self, span: Span) -> Span {
        if self
            .line(span.start.line)
            .is_some_and(|l| !l.trim().is_empty())
        {
            return span;
        }
        let last = self
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .last();
        match last {
            Some((i, l)) if i + 1 < span.start.line => {
                Span::at(i + 1, l.trim_end().chars().count() + 1)
            }
            _ => span,
        }
    }

    /// An error about the file as a whole.
    pub fn file_error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: self.path.clone(),
            span: None,
            line_text: None,
            message: message.into(),
            hint: None,
            code: None,
        }
    }

    pub fn line(&self, line: usize) -> Option<&str> {
        self.text
            .lines()
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let src = SourceFile::new("pipelines/ci.yaml", "steps:\n  - id: a\n    tiemout: 5m\n");
        let span = Span {
            start: Pos { line: 3, col: 5 },
            end: Pos { line: 3, col: 12 },
        };
        let diag = src
            .error(span, "unknown key `tiemout` in a step")
            .with_hint("did you mean `timeout`?");
        assert_eq!(
            diag.render(Style::plain()),
            "error: unknown key `tiemout` in a step\n \
             --> pipelines/ci.yaml:3:5\n  \
             |\n\
             3 |     tiemout: 5m\n  \
             |     ^^^^^^^\n  \
             = hint: did you mean `timeout`?\n"
        );
    }
}
