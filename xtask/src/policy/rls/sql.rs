//! Just enough SQL for the rls policy: statements split at `;` outside strings, comments and
//! dollar-quoted bodies; the DDL that decides row-level security replayed into a schema; and
//! the catalog query of the live check.

use super::At;
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

/// One tenant table as the live catalog sees it.
pub struct LiveTable {
    pub name: String,
    pub enabled: bool,
    pub forced: bool,
    pub policies: u64,
}

/// The tenant tables of the `public` schema with their RLS flags and policy count, via psql.
pub fn query_live(
    columns: &[String],
    tables: &[String],
    dsn: &str,
) -> Result<Vec<LiveTable>, String> {
    let array = |items: &[String]| {
        format!(
            "ARRAY[{}]::text[]",
            items
                .iter()
                .map(|s| format!("'{}'", s.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let query = format!(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, \
         (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' AND (c.relname = ANY({}) OR EXISTS \
         (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attname = ANY({}))) \
         ORDER BY c.relname",
        array(tables),
        array(columns)
    );
    let psql = crate::builtins::psql()
        .ok_or("psql is not installed (neither on PATH nor in /usr/lib/postgresql/*/bin)")?;
    let output = std::process::Command::new(psql)
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "|",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &query,
            "--dbname",
        ])
        .arg(dsn)
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "psql failed: {}",
            stderr.trim().replace(dsn, "***")
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(
            |line| match line.split('|').collect::<Vec<_>>().as_slice() {
                [name, enabled, forced, count] => Ok(LiveTable {
                    name: name.to_string(),
                    enabled: *enabled == "t",
                    forced: *forced == "t",
                    policies: count.parse().unwrap_or(0),
                }),
                _ => Err(format!("psql printed an unexpected line: {line}")),
            },
        )
        .collect()
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
    fn splits_statements_outside_strings_comments_and_dollar_bodies() {
        let sql = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');\n/* b; */ DO $$ BEGIN; END $$;\n\nSELECT 1";
        let lines: Vec<usize> = statements(sql).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert!(statements(sql)[1].1.contains("BEGIN; END"));
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
