//! Values as comparable text: `const`, `default` and `enum` values, `if` conditions and the
//! shapes of alternatives compare by it.

use crate::yaml::Node;

/// A value as comparable text: scalars as written, lists and mappings in document order.
pub(super) fn canon(node: &Node) -> String {
    fn write(node: &Node, out: &mut String) {
        match &node.value {
            crate::yaml::Value::Scalar { text, .. } => out.push_str(text),
            crate::yaml::Value::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(item, out);
                }
                out.push(']');
            }
            crate::yaml::Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(k, out);
                    out.push_str(": ");
                    write(v, out);
                }
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    write(node, &mut out);
    out
}
