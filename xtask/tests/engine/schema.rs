//! A small JSON Schema validator for the keywords `docs/report.schema.json` uses (type,
//! const, enum, properties, required, additionalProperties, items, minimum, pattern with
//! anchors, classes, `\d` and `{n,m}`), so the report is checked against its documented
//! schema without a heavy dependency.

use serde_json::Value;

/// Every violation, as `pointer: problem`.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, value, "", &mut errors);
    errors
}

fn check(schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| has_type(value, t)) {
            errors.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    if let Some(expected) = schema.get("const").filter(|c| *c != value) {
        errors.push(format!("{at}: {value} is not {expected}"));
    }
    if let Some(Value::Array(options)) = schema.get("enum")
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n < min
    {
        errors.push(format!("{at}: {n} is below {min}"));
    }
    if let (Some(pattern), Some(text)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) && !matches(pattern, text)
    {
        errors.push(format!("{at}: {text:?} does not match {pattern}"));
    }
    if let Value::Object(map) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(name) {
                errors.push(format!("{at}: missing `{name}`"));
            }
        }
        for (name, item) in map {
            match properties.and_then(|p| p.get(name)) {
                Some(sub) => check(sub, item, &format!("{at}/{name}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: unexpected `{name}`"));
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(sub, item, &format!("{at}/{i}"), errors);
        }
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// One element of a pattern: the characters it accepts, and how often.
struct Atom {
    accepts: Box<dyn Fn(char) -> bool>,
    min: usize,
    max: usize,
}

/// Anchored patterns only (`^...$`), which is all the schema uses.
fn matches(pattern: &str, text: &str) -> bool {
    let body = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .expect("anchored pattern");
    let atoms = parse(body);
    fn go(atoms: &[Atom], text: &[char]) -> bool {
        let Some((atom, rest)) = atoms.split_first() else {
            return text.is_empty();
        };
        let mut n = 0;
        while n < atom.min {
            if !text.get(n).is_some_and(|c| (atom.accepts)(*c)) {
                return false;
            }
            n += 1;
        }
        loop {
            if go(rest, &text[n..]) {
                return true;
            }
            if n >= atom.max || !text.get(n).is_some_and(|c| (atom.accepts)(*c)) {
                return false;
            }
            n += 1;
        }
    }
    go(&atoms, &text.chars().collect::<Vec<_>>())
}

fn parse(body: &str) -> Vec<Atom> {
    let chars: Vec<char> = body.chars().collect();
    let mut atoms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let accepts: Box<dyn Fn(char) -> bool> = match chars[i] {
            '\\' if chars[i + 1] == 'd' => {
                i += 2;
                Box::new(|c: char| c.is_ascii_digit())
            }
            '\\' => {
                let lit = chars[i + 1];
                i += 2;
                Box::new(move |c| c == lit)
            }
            '[' => {
                let end = i + chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .expect("closed class");
                let class: Vec<char> = chars[i + 1..end].to_vec();
                i = end + 1;
                Box::new(move |c| {
                    class.chunks(3).any(|r| {
                        if r.len() == 3 && r[1] == '-' {
                            (r[0]..=r[2]).contains(&c)
                        } else {
                            r.contains(&c)
                        }
                    })
                })
            }
            lit => {
                i += 1;
                Box::new(move |c| c == lit)
            }
        };
        let (mut min, mut max) = (1, 1);
        if chars.get(i) == Some(&'{') {
            let end = i + chars[i..]
                .iter()
                .position(|c| *c == '}')
                .expect("closed count");
            let spec: String = chars[i + 1..end].iter().collect();
            let (a, b) = spec.split_once(',').unwrap_or((&spec, &spec));
            (min, max) = (a.parse().unwrap(), b.parse().unwrap());
            i = end + 1;
        }
        atoms.push(Atom { accepts, min, max });
    }
    atoms
}

#[test]
fn the_validator_itself_rejects_what_it_should() {
    let schema: Value = serde_json::json!({
        "type": "object", "additionalProperties": false, "required": ["a"],
        "properties": { "a": { "type": "string", "pattern": "^[0-9a-f]{2,3}-\\d{2}$" }, "b": { "enum": [1, 2] } }
    });
    assert!(validate(&schema, &serde_json::json!({ "a": "ab-12", "b": 2 })).is_empty());
    assert_eq!(
        validate(&schema, &serde_json::json!({ "a": "abcd-12" })).len(),
        1
    );
    assert_eq!(
        validate(
            &schema,
            &serde_json::json!({ "a": "ab-1x", "b": 3, "c": 0 })
        )
        .len(),
        3
    );
    assert_eq!(
        validate(&schema, &serde_json::json!({})),
        vec![": missing `a`".to_string()]
    );
}
