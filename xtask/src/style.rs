//! Colour, decided once per run and passed around as a value.

use std::io::IsTerminal;
use xtask_cli::ColorChoice;

/// Whether to write ANSI colour codes. Never used for files, `$GITHUB_OUTPUT` or summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn plain() -> Style {
        Style { color: false }
    }

    /// `--color always|never` wins; `auto` honours NO_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM=dumb,
    /// keeps colour on under GitHub Actions (its log renders ANSI), and otherwise asks the terminal.
    pub fn detect(
        choice: ColorChoice,
        env: &dyn Fn(&str) -> Option<String>,
        is_tty: bool,
    ) -> Style {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto
                if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") =>
            {
                true
            }
            ColorChoice::Auto if env("CLICOLOR").as_deref() == Some("0") => false,
            ColorChoice::Auto if env("TERM").as_deref() == Some("dumb") => false,
            ColorChoice::Auto if env("GITHUB_ACTIONS").as_deref() == Some("true") => true,
            ColorChoice::Auto => is_tty,
        };
        Style { color }
    }

    pub fn from_process(choice: ColorChoice) -> Style {
        Style::detect(
            choice,
            &|name| std::env::var(name).ok(),
            std::io::stdout().is_terminal(),
        )
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    pub fn red_bold(&self, text: &str) -> String {
        self.paint("1;31", text)
    }
    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }
    pub fn yellow_bold(&self, text: &str) -> String {
        self.paint("1;33", text)
    }
    pub fn blue(&self, text: &str) -> String {
        self.paint("34", text)
    }
    pub fn cyan(&self, text: &str) -> String {
        self.paint("36", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(choice: ColorChoice, vars: &[(&str, &str)], tty: bool) -> bool {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        Style::detect(choice, &env, tty).color
    }

    #[test]
    fn auto_follows_the_conventions() {
        assert!(detect(ColorChoice::Auto, &[], true));
        assert!(!detect(ColorChoice::Auto, &[], false));
        assert!(!detect(ColorChoice::Auto, &[("NO_COLOR", "1")], true));
        assert!(detect(ColorChoice::Auto, &[("NO_COLOR", "")], true));
        assert!(detect(ColorChoice::Auto, &[("CLICOLOR_FORCE", "1")], false));
        assert!(!detect(
            ColorChoice::Auto,
            &[("CLICOLOR_FORCE", "0")],
            false
        ));
        assert!(!detect(ColorChoice::Auto, &[("CLICOLOR", "0")], true));
        assert!(!detect(ColorChoice::Auto, &[("TERM", "dumb")], true));
        assert!(detect(
            ColorChoice::Auto,
            &[("GITHUB_ACTIONS", "true")],
            false
        ));
        assert!(!detect(
            ColorChoice::Auto,
            &[("GITHUB_ACTIONS", "true"), ("NO_COLOR", "1")],
            false
        ));
    }

    #[test]
    fn flag_wins_over_environment() {
        assert!(detect(ColorChoice::Always, &[("NO_COLOR", "1")], false));
        assert!(!detect(
            ColorChoice::Never,
            &[("CLICOLOR_FORCE", "1")],
            true
        ));
    }
}
