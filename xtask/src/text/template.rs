//! The tiny template language of pipeline files: `{{ name }}` replaced by a known value.

/// Template variables known in `run`, `env` and scripts (the planner fills them in).
pub const VARS: [&str; 5] = ["workspace", "target", "xtask", "pipeline", "step"];

/// Replaces every `{{ name }}` using `lookup`. Errors carry the character offset of the
/// placeholder and a message naming it.
pub fn render(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let offset = text.len() - rest.len() + open;
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err((
                char_offset(text, offset),
                "`{{` is not closed with `}}`".into(),
            ));
        };
        let name = after[..close].trim();
        match lookup(name) {
            Some(value) => out.push_str(&value),
            None => {
                return Err((
                    char_offset(text, offset),
                    format!("unknown template variable `{name}`"),
                ));
            }
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        (name == "workspace").then(|| "/w".to_string())
    }

    #[test]
    fn replaces_known_variables() {
        assert_eq!(render("{{ workspace }}/x", &vars).unwrap(), "/w/x");
        assert_eq!(render("a{{workspace}}b", &vars).unwrap(), "a/wb");
        assert_eq!(render("plain", &vars).unwrap(), "plain");
    }

    #[test]
    fn reports_unknown_and_unclosed() {
        assert_eq!(
            render("x {{ nope }}", &vars),
            Err((2, "unknown template variable `nope`".into()))
        );
        assert_eq!(
            render("{{ workspace", &vars),
            Err((0, "`{{` is not closed with `}}`".into()))
        );
    }
}
