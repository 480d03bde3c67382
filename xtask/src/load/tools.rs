//! Reads a pipeline's `tools:` mapping.

use crate::model::Tool;
use crate::text::{shell_words, template};
use crate::yaml::{Node, Reader};

const KEYS: [&str; 4] = ["version", "install", "bin", "version-args"];

pub fn tools(r: &mut Reader, node: &Node) -> Vec<Tool> {
    let Some(map) = node.map() else {
        r.type_error(node, "tools", "a mapping of tool names to their settings");
        return Vec::new();
    };
    let mut tools: Vec<Tool> = Vec::new();
    for (key, value) in map {
        let Some(name) = r.string(key, "tools") else {
            continue;
        };
        if tools.iter().any(|t| t.name == name) {
            r.error(key.span, format!("tool `{name}` is listed twice"));
            continue;
        }
        if let Some(tool) = tool(r, name, key, value) {
            tools.push(tool);
        }
    }
    tools
}

fn tool(r: &mut Reader, name: String, key: &Node, node: &Node) -> Option<Tool> {
    let mut tool = Tool {
        name,
        span: key.span,
        version: None,
        version_args: vec!["--version".into()],
        install: None,
        bin: "bin".into(),
    };
    if node.is_null() {
        return Some(tool);
    }
    let what = format!("tool `{}`", tool.name);
    let fields = r.fields(node, &what, &KEYS)?;
    if let Some(v) = fields.get("version") {
        tool.version = r.string(v, "version");
    }
    if let Some(v) = fields.get("bin") {
        tool.bin = r.string(v, "bin")?;
    }
    if let Some(v) = fields.get("version-args") {
        tool.version_args = argv(r, v, "version-args")?;
    }
    if let Some(v) = fields.get("install") {
        let install = argv(r, v, "install")?;
        for word in &install {
            if let Err((_, message)) =
                template::render(word, &|n| (n == "prefix").then(String::new))
            {
                r.error(v.span, message).hint =
                    Some("`install` knows `{{ prefix }}`: the directory to install into".into());
            }
        }
        if tool.version.is_none() {
            r.error(
                v.span,
                format!(
                    "tool `{}` has an `install` command but no `version`",
                    tool.name
                ),
            )
            .hint = Some("pin the version the command installs, e.g. `version: \"1.18.1\"`".into());
        }
        tool.install = Some(install);
    }
    Some(tool)
}

/// A command: a list of strings, or a string split like a shell.
pub fn argv(r: &mut Reader, node: &Node, key: &str) -> Option<Vec<String>> {
    let argv = if let Some(items) = node.seq() {
        let words: Vec<Option<String>> = items.iter().map(|i| r.string(i, key)).collect();
        words.into_iter().collect::<Option<Vec<String>>>()?
    } else if let (Some(text), None) = (node.string(), node.map()) {
        match shell_words::split(text) {
            Ok(words) => words,
            Err((at, message)) => {
                let span = r.span_in(node, at);
                r.error(span, message).hint = Some(if key == "run" {
                    "add `shell: bash` to run it with a shell, or quote the character".into()
                } else {
                    "write the command as a list, or quote the character".into()
                });
                return None;
            }
        }
    } else {
        r.type_error(node, key, "a command (a string or a list of strings)");
        return None;
    };
    if argv.is_empty() {
        r.error(node.span, format!("`{key}` is an empty command"));
        return None;
    }
    Some(argv)
}
