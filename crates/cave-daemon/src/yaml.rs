//! A deterministic YAML rendering of a JSON value, for the committed `openapi.yaml`: keys
//! sorted (top-level keys in the order OpenAPI documents use), strings quoted only when
//! plain YAML would read them as something else, two-space indentation, LF line ends.
//! Going through `serde_json::Value` also orders `x-` extensions, which utoipa keeps in hash
//! maps.

use serde_json::Value;
use std::fmt::Write as _;

/// Top-level keys in the conventional order; others follow sorted.
const TOP: [&str; 8] = [
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "tags",
    "paths",
    "webhooks",
    "components",
];

pub fn render(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| {
                (
                    TOP.iter().position(|t| t == k).unwrap_or(TOP.len()),
                    k.as_str(),
                )
            });
            for key in keys {
                entry(&mut out, 0, key, &map[key.as_str()]);
            }
        }
        other => out.push_str(&format!("{}\n", scalar(other))),
    }
    out
}

fn mapping(out: &mut String, indent: usize, map: &serde_json::Map<String, Value>) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        entry(out, indent, key, &map[key.as_str()]);
    }
}

fn entry(out: &mut String, indent: usize, key: &str, value: &Value) {
    let _ = write!(out, "{}{}:", " ".repeat(indent), string(key));
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, indent + 2, map);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, indent, items);
        }
        other => {
            let _ = writeln!(out, " {}", scalar(other));
        }
    }
}

fn sequence(out: &mut String, indent: usize, items: &[Value]) {
    for item in items {
        match item {
            Value::Object(map) if !map.is_empty() => {
                // Render the mapping two deeper, then put the dash where its indent begins.
                let mut nested = String::new();
                mapping(&mut nested, indent + 2, map);
                let _ = write!(out, "{}- {}", " ".repeat(indent), &nested[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let _ = writeln!(out, "{}-", " ".repeat(indent));
                sequence(out, indent + 2, inner);
            }
            other => {
                let _ = writeln!(out, "{}- {}", " ".repeat(indent), scalar(other));
            }
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Plain when unambiguous, else a double-quoted (JSON-escaped) string.
fn string(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./(){}".contains(c))
        && !s.ends_with(' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if safe {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("strings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_nested_values_deterministically() {
        let doc = json!({
            "paths": {"/b": {"get": {"x-z": 1, "x-a": [1, {"k": "v", "a": true}]}}},
            "openapi": "3.1.0",
            "info": {"title": "t: colon", "version": "1.0.0", "empty": {}, "none": []},
            "tags": ["yes", "plain", "", "#hash", "multi\nline"]
        });
        assert_eq!(
            render(&doc),
            "openapi: \"3.1.0\"\n\
             info:\n  empty: {}\n  none: []\n  title: \"t: colon\"\n  version: \"1.0.0\"\n\
             tags:\n- \"yes\"\n- plain\n- \"\"\n- \"#hash\"\n- \"multi\\nline\"\n\
             paths:\n  /b:\n    get:\n      x-a:\n      - 1\n      - a: true\n        k: v\n      x-z: 1\n"
        );
    }
}
