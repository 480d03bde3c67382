//! The metric names a PromQL expression selects: identifiers that are not functions,
//! aggregations, keywords, label names in `by (...)`/`on (...)` lists, label matchers,
//! strings, numbers or durations. Enough of PromQL's lexer to check alert rules against
//! the metrics a service exposes, with each name's byte offset in the expression.

const KEYWORDS: [&str; 9] = [
    "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start",
];
/// Aggregation operators, which may take `by (...)`/`without (...)` before their argument.
const AGGREGATIONS: [&str; 14] = [
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
];
/// Keywords followed by a parenthesised list of label names.
const LABEL_LISTS: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// (offset, name) of every metric selected in `expr`, in order.
pub fn metric_names(expr: &str) -> Vec<(usize, &str)> {
    let bytes = expr.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'\'' | b'`' => i = skip_string(bytes, i),
            b'{' => i = skip_until(bytes, i, b'}'),
            b'[' => i = skip_until(bytes, i, b']'),
            b'#' => {
                i = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |n| i + n)
            }
            b'0'..=b'9' | b'.' => {
                // A number or a duration (5m, 1e3, 0x1f): never a name.
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                let word = &expr[start..i];
                let next = expr[i..].trim_start();
                let lower = word.to_ascii_lowercase();
                if LABEL_LISTS.contains(&lower.as_str()) {
                    if next.starts_with('(') {
                        let open = i + (expr[i..].len() - next.len());
                        i = skip_until(bytes, open, b')');
                    }
                } else if lower == "offset" {
                    // `offset 5m`: the duration is skipped as a number.
                } else if next.starts_with('(')
                    || KEYWORDS.contains(&lower.as_str())
                    || AGGREGATIONS.contains(&lower.as_str())
                {
                    // A function or aggregation call, or an operator.
                } else {
                    names.push((start, word));
                }
            }
            _ => i += 1,
        }
    }
    names
}

/// The index after the string starting at `i` (escapes honoured, except in backticks).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != quote {
        if bytes[j] == b'\\' && quote != b'`' {
            j += 1;
        }
        j += 1;
    }
    j + 1
}

/// The index after the `close` that ends the group opened at `i`, skipping strings.
fn skip_until(bytes: &[u8], i: usize, close: u8) -> usize {
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != close {
        if matches!(bytes[j], b'"' | b'\'' | b'`') {
            j = skip_string(bytes, j);
        } else {
            j += 1;
        }
    }
    j + 1
}

#[cfg(test)]
mod tests {
    use super::metric_names;

    fn names(expr: &str) -> Vec<&str> {
        metric_names(expr).into_iter().map(|(_, n)| n).collect()
    }

    #[test]
    fn selects_metrics_and_nothing_else() {
        assert_eq!(
            names(
                r#"sum by (reason) (increase(cave_webhook_deliveries_total{outcome="rejected",reason=~"a|b"}[15m])) > 0"#
            ),
            ["cave_webhook_deliveries_total"]
        );
        assert_eq!(
            names(
                "(time() - cave_key_rotation_last_accepted_timestamp_seconds{key_class=\"admin\"}) > 90 * 86400\n  or on (key_class) up offset 5m"
            ),
            ["cave_key_rotation_last_accepted_timestamp_seconds", "up"]
        );
        assert_eq!(
            names("a / ignoring(code) group_left (x) b unless bool c # d is a comment"),
            ["a", "b", "c"]
        );
        assert_eq!(names(r#"x{label="}{"} and 1e3 < 0x1f"#), ["x"]);
        let expr = "rate(foo[5m]) + bar";
        assert_eq!(metric_names(expr), [(5, "foo"), (16, "bar")]);
    }
}
