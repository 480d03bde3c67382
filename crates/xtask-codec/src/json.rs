//! A small JSON writer for the documents the engine emits (the run report): objects and
//! arrays written in order, pretty-printed exactly as `serde_json::to_string_pretty` does
//! (two-space indent, `"key": value`, `[]` and `{}` when empty).
//!
//! The engine runs as a debug build under `cargo xtask`, where serde's generic layers were
//! compiled unoptimised inside the engine: serialising the report of 100 steps took a
//! quarter of the whole run's instructions. The work here is in plain functions of this
//! crate (escaping, indenting); what the engine instantiates are thin generic wrappers.

use std::fmt::Write as _;

/// Writes one JSON document into a string.
pub struct Writer {
    out: String,
    depth: usize,
}

/// The members of an object being written.
pub struct Object<'w> {
    w: &'w mut Writer,
    empty: bool,
}

/// The elements of an array being written.
pub struct Array<'w> {
    w: &'w mut Writer,
    empty: bool,
}

/// A value that can stand in a document: strings, numbers, booleans, and `None` as null.
pub trait Value {
    fn write(&self, out: &mut String);
}

impl Writer {
    /// The document whose top level is the object `body` writes.
    pub fn object(body: impl FnOnce(&mut Object<'_>)) -> String {
        let mut w = Writer {
            out: String::with_capacity(4096),
            depth: 0,
        };
        w.nested_object(body);
        w.out
    }

    fn nested_object(&mut self, body: impl FnOnce(&mut Object<'_>)) {
        self.out.push('{');
        self.depth += 1;
        let mut object = Object {
            w: self,
            empty: true,
        };
        body(&mut object);
        let empty = object.empty;
        self.close(empty, '}');
    }

    fn nested_array(&mut self, body: impl FnOnce(&mut Array<'_>)) {
        self.out.push('[');
        self.depth += 1;
        let mut array = Array {
            w: self,
            empty: true,
        };
        body(&mut array);
        let empty = array.empty;
        self.close(empty, ']');
    }

    fn close(&mut self, empty: bool, bracket: char) {
        self.depth -= 1;
        if !empty {
            self.newline();
        }
        self.out.push(bracket);
    }

    /// Starts the next member or element: a comma after the one before, a new line, indent.
    fn next(&mut self, empty: &mut bool) {
        if !*empty {
            self.out.push(',');
        }
        *empty = false;
        self.newline();
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

impl Object<'_> {
    fn key(&mut self, key: &str) {
        self.w.next(&mut self.empty);
        string(&mut self.w.out, key);
        self.w.out.push_str(": ");
    }

    /// `"key": value`.
    pub fn field(&mut self, key: &str, value: impl Value) -> &mut Self {
        self.key(key);
        value.write(&mut self.w.out);
        self
    }

    /// `"key": { … }`.
    pub fn object(&mut self, key: &str, body: impl FnOnce(&mut Object<'_>)) -> &mut Self {
        self.key(key);
        self.w.nested_object(body);
        self
    }

    /// `"key": [ … ]`.
    pub fn array(&mut self, key: &str, body: impl FnOnce(&mut Array<'_>)) -> &mut Self {
        self.key(key);
        self.w.nested_array(body);
        self
    }
}

impl Array<'_> {
    /// One element.
    pub fn value(&mut self, value: impl Value) -> &mut Self {
        self.w.next(&mut self.empty);
        value.write(&mut self.w.out);
        self
    }

    /// One object element.
    pub fn object(&mut self, body: impl FnOnce(&mut Object<'_>)) -> &mut Self {
        self.w.next(&mut self.empty);
        self.w.nested_object(body);
        self
    }
}

impl Value for &str {
    fn write(&self, out: &mut String) {
        string(out, self);
    }
}

impl Value for &String {
    fn write(&self, out: &mut String) {
        string(out, self);
    }
}

impl Value for bool {
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn write(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
number!(u32, u64, usize, i32);

impl<T: Value> Value for Option<T> {
    fn write(&self, out: &mut String) {
        match self {
            Some(value) => value.write(out),
            None => out.push_str("null"),
        }
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped (the short
/// forms where JSON has them, else `\u00xx`), everything else as it is.
fn string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every byte escaped is ASCII, so the slices before it end on a character boundary.
        out.push_str(&text[plain..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_is_what_serde_json_prints_for_the_same_document() {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} ü 💡 \u{1f}";
        let ours = Writer::object(|o| {
            o.field("a", tricky)
                .array("b", |a| {
                    a.value(1u64).value(Some("x")).value(None::<&str>);
                })
                .array("c", |_| {})
                .object("d", |o| {
                    o.field("e", true).field("f", -3i32);
                })
                .object("g", |_| {})
                .array("h", |a| {
                    a.object(|o| {
                        o.field("i", 0usize);
                    });
                });
        });
        let theirs = serde_json::to_string_pretty(&serde_json::json!({
            "a": tricky,
            "b": [1, "x", null],
            "c": [],
            "d": { "e": true, "f": -3 },
            "g": {},
            "h": [{ "i": 0 }],
        }))
        .unwrap();
        assert_eq!(ours, theirs);
    }
}
