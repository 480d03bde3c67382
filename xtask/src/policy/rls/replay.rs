//! The DDL that decides row-level security (tables, columns, RLS switches, policies, views),
//! replayed statement by statement into a schema: not a SQL parser, the few forms that matter.

use super::At;
use super::lexer::{statements, tokens};
use crate::diagnostic::SourceFile;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub enabled: bool,
    pub forced: bool,
    pub policies: Vec<String>,
    pub at: At,
}

#[derive(Clone, Debug)]
pub struct View {
    pub name: String,
    /// The tables and views named after FROM and JOIN.
    pub reads: Vec<String>,
    /// Runs with the caller's rights (never true for a materialized view, which copies rows).
    pub security_invoker: bool,
    pub at: At,
}

#[derive(Debug, Default)]
pub struct Schema {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    /// Replays one migration file's statements.
    pub fn apply(&mut self, file: &SourceFile) {
        let file = Arc::new(SourceFile::new(file.path.clone(), file.text.clone()));
        for (line, text) in statements(&file.text) {
            let at = At {
                file: file.clone(),
                line,
            };
            self.statement(&tokens(&text), at);
        }
    }

    fn statement(&mut self, t: &[String], at: At) {
        let mut p = Cursor { t, i: 0 };
        if p.eat("create") {
            p.eat_seq(&["or", "replace"]);
            p.eat_any(&["temp", "temporary", "unlogged"]);
            if p.eat("table") {
                p.eat_seq(&["if", "not", "exists"]);
                if let Some(name) = p.name() {
                    let columns = if p.peek("(") { p.columns() } else { Vec::new() };
                    self.tables.retain(|t| t.name != name);
                    self.tables.push(Table {
                        name,
                        columns,
                        enabled: false,
                        forced: false,
                        policies: Vec::new(),
                        at,
                    });
                }
            } else if p.eat("policy") {
                let (Some(policy), true) = (p.name(), p.eat("on")) else {
                    return;
                };
                if let Some(table) = p.name().and_then(|n| self.table_mut(&n)) {
                    table.policies.push(policy);
                }
            } else {
                let materialized = p.eat("materialized");
                p.eat("recursive");
                if p.eat("view") {
                    p.eat_seq(&["if", "not", "exists"]);
                    let Some(name) = p.name() else { return };
                    let security_invoker = !materialized
                        && p.t[p.i..]
                            .iter()
                            .position(|w| w == "as")
                            .is_some_and(|end| invoker(&p.t[p.i..p.i + end]));
                    self.views.retain(|v| v.name != name);
                    self.views.push(View {
                        name,
                        reads: reads(t),
                        security_invoker,
                        at,
                    });
                }
            }
        } else if p.eat("alter") {
            if p.eat("table") {
                p.eat_seq(&["if", "exists"]);
                p.eat("only");
                let Some(name) = p.name() else { return };
                for action in split_top(&t[p.i..]) {
                    self.alter_table(&name, action);
                }
            } else if p.eat("view") {
                p.eat_seq(&["if", "exists"]);
                let Some(name) = p.name() else { return };
                let rest = &t[p.i..];
                if let Some(view) = self.views.iter_mut().find(|v| v.name == name) {
                    if rest.first().is_some_and(|w| w == "set")
                        && rest.iter().any(|w| w == "security_invoker")
                    {
                        view.security_invoker = invoker(rest);
                    } else if rest.first().is_some_and(|w| w == "reset")
                        && rest.iter().any(|w| w == "security_invoker")
                    {
                        view.security_invoker = false;
                    }
                }
            }
        } else if p.eat("drop") {
            let materialized = p.eat("materialized");
            let what = p.next().unwrap_or_default();
            p.eat_seq(&["if", "exists"]);
            match what.as_str() {
                "table" => {
                    let names = p.names();
                    self.tables.retain(|t| !names.contains(&t.name));
                }
                "view" => {
                    let names = p.names();
                    self.views.retain(|v| !names.contains(&v.name));
                }
                "policy" if !materialized => {
                    let (Some(policy), true) = (p.name(), p.eat("on")) else {
                        return;
                    };
                    if let Some(table) = p.name().and_then(|n| self.table_mut(&n)) {
                        table.policies.retain(|p| *p != policy);
                    }
                }
                _ => {}
            }
        }
    }

    fn alter_table(&mut self, name: &str, action: &[String]) {
        let words: Vec<&str> = action.iter().map(String::as_str).collect();
        let Some(table) = self.table_mut(name) else {
            return;
        };
        match words.as_slice() {
            ["enable", "row", "level", "security"] => table.enabled = true,
            ["disable", "row", "level", "security"] => table.enabled = false,
            ["force", "row", "level", "security"] => table.forced = true,
            ["no", "force", "row", "level", "security"] => table.forced = false,
            ["add", rest @ ..] => {
                let rest = rest.strip_prefix(&["column"]).unwrap_or(rest);
                let rest = rest.strip_prefix(&["if", "not", "exists"]).unwrap_or(rest);
                if let Some(column) = rest.first().filter(|c| !CONSTRAINTS.contains(c)) {
                    table.columns.push(column.to_string());
                }
            }
            ["drop", rest @ ..] => {
                let rest = rest.strip_prefix(&["column"]).unwrap_or(rest);
                let rest = rest.strip_prefix(&["if", "exists"]).unwrap_or(rest);
                if let Some(column) = rest.first() {
                    table.columns.retain(|c| c != column);
                }
            }
            ["rename", "to", new] => table.name = new.to_string(),
            ["rename", rest @ ..] => {
                let rest = rest.strip_prefix(&["column"]).unwrap_or(rest);
                if let [old, "to", new] = rest
                    && let Some(column) = table.columns.iter_mut().find(|c| c == old)
                {
                    *column = new.to_string();
                }
            }
            _ => {}
        }
    }
}

/// Words that start a table constraint rather than a column.
const CONSTRAINTS: [&str; 7] = [
    "constraint",
    "primary",
    "unique",
    "check",
    "foreign",
    "exclude",
    "like",
];

/// `security_invoker` set to true (`= true`, `= on`, `= 1`, or alone) in a WITH/SET list.
fn invoker(t: &[String]) -> bool {
    let Some(i) = t.iter().position(|w| w == "security_invoker") else {
        return false;
    };
    match (
        t.get(i + 1).map(String::as_str),
        t.get(i + 2).map(String::as_str),
    ) {
        (Some("="), Some(value)) => matches!(value, "true" | "on" | "1" | "'true'" | "'on'"),
        _ => true,
    }
}

/// The relations named after FROM and JOIN (comma lists included, subqueries looked into).
fn reads(t: &[String]) -> Vec<String> {
    const STOP: [&str; 16] = [
        "where", "join", "inner", "left", "right", "full", "cross", "on", "group", "order",
        "limit", "union", "natural", "lateral", "having", "window",
    ];
    let mut names = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == "from" || t[i] == "join" {
            let mut p = Cursor { t, i: i + 1 };
            while let Some(name) = p.name() {
                names.push(name);
                p.eat("as");
                if p.t
                    .get(p.i)
                    .is_some_and(|w| is_word(w) && !STOP.contains(&w.as_str()))
                {
                    p.i += 1;
                }
                if !p.eat(",") {
                    break;
                }
            }
            i = p.i.max(i + 1);
        } else {
            i += 1;
        }
    }
    names
}

fn is_word(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Splits a token list at commas outside parentheses.
fn split_top(t: &[String]) -> Vec<&[String]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, w) in t.iter().enumerate() {
        match w.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                parts.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&t[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

struct Cursor<'t> {
    t: &'t [String],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self, word: &str) -> bool {
        self.t.get(self.i).is_some_and(|w| w == word)
    }

    fn next(&mut self) -> Option<String> {
        let word = self.t.get(self.i)?.clone();
        self.i += 1;
        Some(word)
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.peek(word);
        self.i += usize::from(found);
        found
    }

    fn eat_any(&mut self, words: &[&str]) -> bool {
        words.iter().any(|w| self.eat(w))
    }

    fn eat_seq(&mut self, words: &[&str]) -> bool {
        let found = self.t[self.i.min(self.t.len())..]
            .starts_with(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        if found {
            self.i += words.len();
        }
        found
    }

    /// A possibly schema-qualified name; `public.` is the default schema and dropped.
    fn name(&mut self) -> Option<String> {
        let first = self.t.get(self.i).filter(|w| is_word(w))?.clone();
        self.i += 1;
        if self.peek(".") && self.t.get(self.i + 1).is_some_and(|w| is_word(w)) {
            let second = self.t[self.i + 1].clone();
            self.i += 2;
            return Some(if first == "public" {
                second
            } else {
                format!("{first}.{second}")
            });
        }
        Some(first)
    }

    fn names(&mut self) -> Vec<String> {
        let mut names = Vec::new();
        while let Some(name) = self.name() {
            names.push(name);
            if !self.eat(",") {
                break;
            }
        }
        names
    }

    /// The column names of a `( ... )` table body.
    fn columns(&mut self) -> Vec<String> {
        let start = self.i + 1;
        let mut depth = 0usize;
        let mut end = self.t.len();
        for (i, w) in self.t.iter().enumerate().skip(self.i) {
            match w.as_str() {
                "(" => depth += 1,
                ")" => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        self.i = (end + 1).min(self.t.len());
        split_top(&self.t[start.min(end)..end])
            .into_iter()
            .filter_map(|item| item.first())
            .filter(|w| is_word(w) && !CONSTRAINTS.contains(&w.as_str()))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(sql: &str) -> Schema {
        let mut schema = Schema::default();
        schema.apply(&SourceFile::new("m.sql", sql));
        schema
    }

    #[test]
    fn replays_tables_columns_rls_and_policies() {
        let s = schema(
            "CREATE TABLE IF NOT EXISTS public.\"Docs\" (id TEXT, CONSTRAINT c CHECK (id <> ''), body TEXT);\n\
             ALTER TABLE ONLY \"Docs\" ADD COLUMN IF NOT EXISTS namespace_id TEXT, ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY p ON public.\"Docs\" USING (true);\nCREATE POLICY q ON \"Docs\" USING (true);\nDROP POLICY IF EXISTS q ON \"Docs\";",
        );
        let t = s.table("Docs").unwrap();
        assert_eq!(t.columns, ["id", "body", "namespace_id"]);
        assert!(t.enabled && !t.forced);
        assert_eq!(t.policies, ["p"]);
        assert_eq!(t.at.line, 1);
    }

    #[test]
    fn views_record_what_they_read_and_their_rights() {
        let s = schema(
            "CREATE VIEW a AS SELECT * FROM t1 x, t3 AS y JOIN public.t2 ON true;\n\
             CREATE VIEW b WITH (security_invoker = true) AS SELECT 1 FROM t1;\n\
             CREATE MATERIALIZED VIEW c WITH (security_invoker) AS SELECT 1 FROM t1;\n\
             CREATE VIEW d AS SELECT 1 FROM t1; ALTER VIEW d SET (security_invoker = on);",
        );
        let v = |n: &str| s.views.iter().find(|v| v.name == n).unwrap();
        assert_eq!(v("a").reads, ["t1", "t3", "t2"]);
        assert!(
            !v("a").security_invoker
                && v("b").security_invoker
                && !v("c").security_invoker
                && v("d").security_invoker
        );
    }
}
