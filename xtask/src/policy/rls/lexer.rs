//! Just enough SQL lexing for the rls policy: statements split at `;` outside strings,
//! comments and dollar-quoted bodies, and the words of one statement.

/// Statements and the line each starts on; comments are dropped, string and dollar-quoted
/// bodies kept whole so their `;` do not split.
pub fn statements(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut current, mut start_line, mut line, mut i) = (String::new(), None, 1, 0);
    while i < chars.len() {
        let c = chars[i];
        let rest = &chars[i..];
        let take = |n: usize, current: &mut String, line: &mut usize| {
            for &ch in &chars[i..(i + n).min(chars.len())] {
                current.push(ch);
                *line += usize::from(ch == '\n');
            }
            n
        };
        if rest.starts_with(&['-', '-']) {
            let n = rest.iter().position(|&ch| ch == '\n').unwrap_or(rest.len());
            i += n;
            continue;
        }
        if rest.starts_with(&['/', '*']) {
            let n = (2..rest.len())
                .find(|&k| rest[k - 1] == '*' && rest[k] == '/' && k > 2)
                .map_or(rest.len(), |k| k + 1);
            line += rest[..n].iter().filter(|&&ch| ch == '\n').count();
            current.push(' ');
            i += n;
            continue;
        }
        if start_line.is_none() && !c.is_whitespace() && c != ';' {
            start_line = Some(line);
        }
        let n = match c {
            '\'' | '"' => {
                let close = (1..rest.len())
                    .find(|&k| rest[k] == c)
                    .map_or(rest.len(), |k| k + 1);
                take(close, &mut current, &mut line)
            }
            '$' => match rest[1..].iter().position(|&ch| ch == '$').filter(|&k| {
                rest[1..=k]
                    .iter()
                    .all(|ch| ch.is_alphanumeric() || *ch == '_')
            }) {
                Some(k) => {
                    let tag: Vec<char> = rest[..k + 2].to_vec();
                    let close = (k + 2..rest.len())
                        .find(|&j| rest[j..].starts_with(&tag))
                        .map_or(rest.len(), |j| j + tag.len());
                    take(close, &mut current, &mut line)
                }
                None => take(1, &mut current, &mut line),
            },
            ';' => {
                if let Some(start) = start_line.take() {
                    out.push((start, std::mem::take(&mut current)));
                }
                current.clear();
                1
            }
            _ => take(1, &mut current, &mut line),
        };
        i += n;
    }
    if let Some(start) = start_line
        && !current.trim().is_empty()
    {
        out.push((start, current));
    }
    out
}

/// Words (lower-cased unless quoted), strings as `'text'`, and single punctuation characters.
pub fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let n = chars[i..]
                .iter()
                .position(|ch| !(ch.is_alphanumeric() || *ch == '_' || *ch == '$'))
                .unwrap_or(chars.len() - i);
            out.push(chars[i..i + n].iter().collect::<String>().to_lowercase());
            i += n;
        } else if c == '"' || c == '\'' {
            let n = chars[i + 1..]
                .iter()
                .position(|&ch| ch == c)
                .map_or(chars.len() - i, |k| k + 2);
            let inner: String = chars[i + 1..(i + n - 1).max(i + 1).min(chars.len())]
                .iter()
                .collect();
            out.push(if c == '"' {
                inner
            } else {
                format!("'{}'", inner.to_lowercase())
            });
            i += n;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_outside_strings_comments_and_dollar_bodies() {
        let sql = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');\n/* b; */ DO $$ BEGIN; END $$;\n\nSELECT 1";
        let lines: Vec<usize> = statements(sql).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert!(statements(sql)[1].1.contains("BEGIN; END"));
    }
}
