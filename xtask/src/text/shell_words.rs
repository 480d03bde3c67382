//! Splits a `run:` string into an argv the way a POSIX shell would quote it, without running
//! a shell: no expansion, no pipes, no redirections.

/// A splitting error: the character offset it points at and what is wrong.
pub type SplitError = (usize, String);

pub fn split(text: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                // A template placeholder stays one piece of a word, spaces and all.
                let w = word.get_or_insert_with(String::new);
                w.push('{');
                let mut previous = '{';
                for (_, c) in chars.by_ref() {
                    w.push(c);
                    if previous == '}' && c == '}' && w.len() > 3 {
                        break;
                    }
                    previous = c;
                }
            }
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => w.push(c),
                        None => return Err((at, "this single quote is never closed".into())),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, c @ ('"' | '\\' | '$' | '`'))) => w.push(c),
                            Some((_, '\n')) => {}
                            Some((_, c)) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err((at, "this double quote is never closed".into())),
                        },
                        Some((_, c)) => w.push(c),
                        None => return Err((at, "this double quote is never closed".into())),
                    }
                }
            }
            '\\' => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, c)) => word.get_or_insert_with(String::new).push(c),
                None => return Err((at, "a trailing backslash escapes nothing".into())),
            },
            '|' | '&' | ';' | '<' | '>' | '`' => {
                return Err((
                    at,
                    format!("`{c}` is shell syntax, but `run` does not use a shell"),
                ));
            }
            '$' if chars
                .peek()
                .is_some_and(|(_, n)| *n == '(' || *n == '{' || n.is_alphabetic() || *n == '_') =>
            {
                return Err((
                    at,
                    "`$` expansion needs a shell, but `run` does not use a shell".into(),
                ));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split("cargo fmt --all -- --check").unwrap(),
            ["cargo", "fmt", "--all", "--", "--check"]
        );
        assert_eq!(
            split(r#"echo 'a b' "c \"d\"" e\ f"#).unwrap(),
            ["echo", "a b", "c \"d\"", "e f"]
        );
        assert_eq!(split("x ''").unwrap(), ["x", ""]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("echo '$HOME|x'").unwrap(), ["echo", "$HOME|x"]);
        assert_eq!(split("echo 5$").unwrap(), ["echo", "5$"]);
        assert_eq!(
            split("ls {{ workspace }}/x y").unwrap(),
            ["ls", "{{ workspace }}/x", "y"]
        );
    }

    #[test]
    fn reports_unclosed_quotes_and_shell_syntax() {
        assert_eq!(split("echo 'oops").unwrap_err().0, 5);
        assert_eq!(split("echo \"oops").unwrap_err().0, 5);
        let (at, msg) = split("ls | wc -l").unwrap_err();
        assert_eq!(
            (at, msg.as_str()),
            (3, "`|` is shell syntax, but `run` does not use a shell")
        );
        assert_eq!(split("echo $HOME").unwrap_err().0, 5);
    }
}
