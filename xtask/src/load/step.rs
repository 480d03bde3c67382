//! Reads one entry of a pipeline's `steps:` list.

use super::condition::condition;
use super::tools::argv;
use crate::model::{Action, Registration, Shell, Step};
use crate::text::suggest::did_you_mean;
use crate::text::{duration, relpath, template};
use crate::yaml::{Node, Reader};

const KEYS: [&str; 15] = [
    "id",
    "run",
    "shell",
    "uses",
    "with",
    "needs",
    "when",
    "env",
    "cwd",
    "timeout",
    "inputs",
    "outputs",
    "continue-on-error",
    "service",
    "cache",
];

pub fn step(r: &mut Reader, registry: &[Registration], node: &Node) -> Option<Step> {
    let fields = r.fields(node, "a step", &KEYS)?;
    let id = match fields.get("id") {
        Some(v) => step_id(r, v),
        None => {
            r.error(node.span, "this step has no `id`").hint =
                Some("add `id: <name>`; other steps refer to it in `needs`".into());
            None
        }
    };
    let name = id.clone().unwrap_or_else(|| "?".into());
    let action = action(r, registry, &fields, &name);
    if let (Some(Action::Run(words)), Some(node)) = (&action, fields.get("run")) {
        check_templates(r, node, words.iter().map(String::as_str));
    }
    if let (Some(Action::Shell(_, script)), Some(node)) = (&action, fields.get("run")) {
        check_templates(r, node, [script.as_str()]);
    }
    let needs = fields.get("needs").and_then(|v| r.names(v, "needs"));
    let when = fields.get("when").and_then(|v| condition(r, v));
    let env = fields.get("env").map(|v| r.env(v)).unwrap_or_default();
    if let Some(node) = fields.get("env") {
        check_templates(r, node, env.iter().map(|(_, v)| v.as_str()));
    }
    let cwd = fields.get("cwd").and_then(|v| workspace_path(r, v, "cwd"));
    let timeout = fields.get("timeout").and_then(|v| timeout(r, v));
    let inputs = fields
        .get("inputs")
        .map(|v| globs(r, v, "inputs"))
        .unwrap_or_default();
    let outputs = fields
        .get("outputs")
        .map(|v| globs(r, v, "outputs"))
        .unwrap_or_default();
    let continue_on_error = fields
        .get("continue-on-error")
        .and_then(|v| r.boolean(v, "continue-on-error"))
        .unwrap_or(false);
    let service = fields
        .get("service")
        .and_then(|v| r.boolean(v, "service"))
        .unwrap_or(false);
    let local_cache = fields.get("cache").is_some_and(|v| cache_scope(r, v));
    Some(Step {
        id: id?,
        span: node.span,
        action: action?,
        needs,
        when,
        env,
        cwd,
        timeout,
        inputs,
        outputs,
        continue_on_error,
        service,
        local_cache,
    })
}

/// `cache: local` keeps a step's results off the remote cache (`shared`, the default,
/// lets them go there when one is configured).
fn cache_scope(r: &mut Reader, node: &Node) -> bool {
    match r.string(node, "cache").as_deref() {
        Some("local") => true,
        Some("shared") | None => false,
        Some(other) => {
            r.error(node.span, format!("`cache: {other}` is not a cache scope"))
                .hint =
                Some("use `cache: local` (never uploaded) or `cache: shared` (the default)".into());
            false
        }
    }
}

fn step_id(r: &mut Reader, node: &Node) -> Option<String> {
    let id = r.string(node, "id")?;
    if !crate::text::ident::is_step_id(&id) {
        r.error(node.span, format!("`{id}` is not a valid step id"))
            .hint =
            Some("use letters, digits, `-`, `_` and `.`, starting with a letter or digit".into());
        return None;
    }
    Some(id)
}

fn action(
    r: &mut Reader,
    registry: &[Registration],
    fields: &crate::yaml::Fields,
    id: &str,
) -> Option<Action> {
    let run = fields.get("run");
    let uses = fields.get("uses");
    let shell = fields.get("shell");
    let with = fields.get("with");
    match (run, uses) {
        (Some(_), Some(_)) => {
            let span = fields.key_span("uses").expect("uses is present");
            r.error(span, format!("step `{id}` has both `run` and `uses`"))
                .hint = Some(
                "a step runs a command or uses a built-in, not both; split it into two steps"
                    .into(),
            );
            None
        }
        (None, None) => {
            r.error(
                fields.node.span,
                format!("step `{id}` has neither `run` nor `uses`"),
            )
            .hint = Some("add `run: <command>` or `uses: <built-in>`".into());
            None
        }
        (Some(run), None) => {
            if let Some(span) = fields.key_span("with") {
                r.error(span, "`with` only applies to `uses` steps").hint =
                    Some("pass arguments to a command in `run` itself".into());
            }
            match shell {
                Some(shell) => shell_action(r, shell, run),
                None => argv(r, run, "run").map(Action::Run),
            }
        }
        (None, Some(uses)) => {
            if let Some(span) = fields.key_span("shell") {
                r.error(span, "`shell` only applies to `run` steps");
            }
            uses_action(r, registry, uses, with)
        }
    }
}

fn shell_action(r: &mut Reader, shell: &Node, run: &Node) -> Option<Action> {
    let name = r.string(shell, "shell")?;
    let Some(kind) = Shell::from_name(&name) else {
        let hint = match did_you_mean(&name, Shell::NAMES) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("supported shells: {}", Shell::NAMES.join(", ")),
        };
        r.error(shell.span, format!("unknown shell `{name}`")).hint = Some(hint);
        return None;
    };
    if run.seq().is_some() {
        r.type_error(run, "run", "a script (a string) when `shell` is set");
        return None;
    }
    let script = r.string(run, "run")?;
    Some(Action::Shell(kind, script))
}

fn uses_action(
    r: &mut Reader,
    registry: &[Registration],
    uses: &Node,
    with: Option<&Node>,
) -> Option<Action> {
    let name = r.string(uses, "uses")?;
    let Some(builtin) = registry.iter().find(|b| b.name == name) else {
        let names = registry.iter().map(|b| b.name);
        let hint = match did_you_mean(&name, names.clone()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "available built-ins: {}",
                names.collect::<Vec<_>>().join(", ")
            ),
        };
        r.error(uses.span, format!("unknown built-in `{name}`"))
            .hint = Some(hint);
        return None;
    };
    let parsed = builtin.read(r, with, uses.span)?;
    Some(Action::Uses(name, parsed))
}

fn timeout(r: &mut Reader, node: &Node) -> Option<std::time::Duration> {
    let text = r.string(node, "timeout")?;
    match duration::parse(&text) {
        Ok(d) => Some(d),
        Err(message) => {
            r.error(node.span, format!("bad `timeout`: {message}")).hint =
                Some("write a duration like `90s`, `5m` or `1h30m`".into());
            None
        }
    }
}

/// A relative path that stays inside the workspace.
pub fn workspace_path(r: &mut Reader, node: &Node, key: &str) -> Option<String> {
    let path = r.string(node, key)?;
    if relpath::escapes(&path) {
        escape_error(r, node, key, &path);
        return None;
    }
    Some(path)
}

fn escape_error(r: &mut Reader, node: &Node, key: &str, path: &str) {
    r.error(
        node.span,
        format!("`{key}` path `{path}` leaves the workspace"),
    )
    .hint = Some("use a path relative to the workspace root, without leading `..`".into());
}

fn globs(r: &mut Reader, node: &Node, key: &str) -> Vec<String> {
    let Some(items) = node.seq() else {
        r.type_error(node, key, "a list of glob patterns");
        return Vec::new();
    };
    let mut globs = Vec::new();
    for item in items {
        let Some(pattern) = r.string(item, key) else {
            continue;
        };
        if let Err(e) = glob::Pattern::new(&pattern) {
            let span = r.span_in(item, e.pos);
            r.error(span, format!("invalid glob in `{key}`: {}", e.msg))
                .hint = Some(
                "globs use `*`, `**`, `?` and `[...]`; `**` must be a whole path component".into(),
            );
            continue;
        }
        if relpath::escapes(&pattern) && (key == "outputs" || pattern.starts_with('/')) {
            escape_error(r, item, key, &pattern);
            continue;
        }
        globs.push(pattern);
    }
    globs
}

/// Reports `{{ name }}` placeholders that are not template variables.
pub fn check_templates<'t>(r: &mut Reader, node: &Node, texts: impl IntoIterator<Item = &'t str>) {
    let known = |name: &str| template::VARS.contains(&name).then(String::new);
    for text in texts {
        if let Err((_, message)) = template::render(text, &known) {
            r.error(node.span, message).hint = Some(format!(
                "template variables: {}",
                template::VARS.map(|v| format!("{{{{ {v} }}}}")).join(", ")
            ));
        }
    }
}
