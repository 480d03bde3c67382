//! `policies/rls.yaml`: every Postgres table with a tenant column has row-level security
//! enabled and forced and at least one policy, and no view over such a table bypasses it —
//! checked statically on the migrations and, when a live database is configured, against
//! `pg_class` and `pg_policies`.

mod lexer;
mod live;
mod replay;

use super::{Context, Finding, Policy, Rule, load_policy};
use crate::diagnostic::{SourceFile, Span};
use crate::yaml::{Node, Reader};
use replay::{Schema, Table};

pub const RULE: Rule = Rule {
    id: "rls",
    files: &["policies/rls.yaml"],
    summary: "row-level security on every tenant table of the Postgres migrations",
    load: |files| load_policy(files, RULE.file(), parse),
};

#[derive(Clone, Debug)]
pub struct Rls {
    /// The directory of the Postgres migrations, applied in file-name order.
    pub migrations: String,
    pub tenant_columns: Vec<String>,
    /// Tables that are tenants themselves (`namespaces`), checked like tenant tables.
    pub tenant_tables: Vec<String>,
    /// The variable holding the live database's DSN.
    pub live: Option<String>,
}

pub fn parse(r: &mut Reader, root: &Node) -> Option<Rls> {
    let fields = r.fields(
        root,
        "the rls policy",
        &["migrations", "tenant-columns", "tenant-tables", "live-dsn"],
    )?;
    let (Some(migrations), Some(columns)) =
        (fields.get("migrations"), fields.get("tenant-columns"))
    else {
        r.error(
            root.span,
            "the rls policy needs `migrations` (a directory) and `tenant-columns`",
        );
        return None;
    };
    let migrations = r.string(migrations, "migrations")?;
    let tenant_columns: Vec<String> = r
        .names(columns, "tenant-columns")?
        .into_iter()
        .map(|n| n.name.to_lowercase())
        .collect();
    if tenant_columns.is_empty() {
        r.error(
            columns.span,
            "`tenant-columns` is empty, so no table would be checked",
        );
    }
    let tenant_tables = fields
        .get("tenant-tables")
        .and_then(|n| r.names(n, "tenant-tables"))
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.name.to_lowercase())
        .collect();
    let live = match fields.get("live-dsn") {
        Some(n) => Some(r.env_name(n, "live-dsn")?),
        None => None,
    };
    Some(Rls {
        migrations,
        tenant_columns,
        tenant_tables,
        live,
    })
}

impl Policy for Rls {
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let (schema, mut findings) = match self.schema(ctx) {
            Ok(schema) => (schema, Vec::new()),
            Err(finding) => return vec![*finding],
        };
        for table in schema.tables.iter().filter(|t| self.is_tenant(t)) {
            findings.extend(self.static_findings(table));
        }
        for view in &schema.views {
            let over: Vec<&str> = view
                .reads
                .iter()
                .filter(|name| schema.table(name).is_some_and(|t| self.is_tenant(t)))
                .map(String::as_str)
                .collect();
            if !over.is_empty() && !view.security_invoker {
                let message = format!(
                    "view {} reads the tenant table {} with its owner's rights, bypassing row-level security",
                    view.name,
                    over.join(", ")
                );
                let diag = view
                    .at
                    .error(message)
                    .with_hint("create it WITH (security_invoker = true)");
                findings.push(Finding::new("rls/view-bypass", diag));
            }
        }
        if let Some(dsn) = self
            .live
            .as_deref()
            .and_then(|name| (ctx.env)(name).filter(|v| !v.is_empty()))
        {
            findings.extend(self.live_findings(ctx, &schema, &dsn));
        }
        findings
    }
}

impl Rls {
    fn is_tenant(&self, table: &Table) -> bool {
        self.tenant_tables.contains(&table.name)
            || table
                .columns
                .iter()
                .any(|c| self.tenant_columns.contains(c))
    }

    /// The schema the migrations build, in file-name order.
    fn schema(&self, ctx: &Context) -> Result<Schema, Box<Finding>> {
        let policy = SourceFile::new(RULE.file(), "");
        let dir = ctx.root.join(&self.migrations);
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect(),
            Err(e) => {
                return Err(Box::new(Finding::new(
                    "rls/migrations",
                    policy.file_error(format!(
                        "cannot read the migrations in {}: {e}",
                        self.migrations
                    )),
                )));
            }
        };
        files.sort();
        let mut schema = Schema::default();
        for file in files {
            let rel = file
                .strip_prefix(ctx.root)
                .unwrap_or(&file)
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&file).map_err(|e| {
                Box::new(Finding::new(
                    "rls/migrations",
                    policy.file_error(format!("cannot read {rel}: {e}")),
                ))
            })?;
            schema.apply(&SourceFile::new(rel, text));
        }
        Ok(schema)
    }

    fn static_findings(&self, table: &Table) -> Vec<Finding> {
        let why = match table
            .columns
            .iter()
            .find(|c| self.tenant_columns.contains(c))
        {
            Some(column) => format!("has the tenant column {column}"),
            None => "is a tenant table".to_owned(),
        };
        let mut findings = Vec::new();
        let mut add = |rule: &str, problem: &str, hint: String| {
            let diag = table
                .at
                .error(format!("table {} {why} but {problem}", table.name))
                .with_hint(hint);
            findings.push(Finding::new(rule, diag));
        };
        if !table.enabled {
            add(
                "rls/not-enabled",
                "row-level security is not enabled",
                format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", table.name),
            );
        }
        if !table.forced {
            add(
                "rls/not-forced",
                "row-level security is not forced (the owner bypasses it)",
                format!("ALTER TABLE {} FORCE ROW LEVEL SECURITY;", table.name),
            );
        }
        if table.policies.is_empty() {
            add(
                "rls/no-policy",
                "it has no policy",
                format!(
                    "CREATE POLICY tenant_isolation ON {} USING (...);",
                    table.name
                ),
            );
        }
        findings
    }

    /// What the live database says of each tenant table, at the migration that created it.
    fn live_findings(&self, ctx: &Context, schema: &Schema, dsn: &str) -> Vec<Finding> {
        let policy = SourceFile::new(RULE.file(), "");
        let rows = match live::query(
            ctx.launcher,
            ctx.root,
            &self.tenant_columns,
            &self.tenant_tables,
            dsn,
        ) {
            Ok(rows) => rows,
            Err(why) => {
                return vec![Finding::new(
                    "rls/live",
                    policy.file_error(format!(
                        "cannot check the live database (${}): {why}",
                        self.live.as_deref().unwrap_or_default()
                    )),
                )];
            }
        };
        let mut findings = Vec::new();
        for row in rows {
            let at = |message: String| match schema.table(&row.name) {
                Some(table) => table.at.error(message),
                None => policy.file_error(message),
            };
            let mut problems = Vec::new();
            if !row.enabled {
                problems.push("row-level security is not enabled");
            }
            if !row.forced {
                problems.push("row-level security is not forced");
            }
            if row.policies == 0 {
                problems.push("it has no policy");
            }
            if !problems.is_empty() {
                let message = format!(
                    "in the live database, table {}: {}",
                    row.name,
                    problems.join(", ")
                );
                findings.push(Finding::new("rls/live", at(message).with_hint("a migration or a manual change left the table unprotected; compare with the migrations")));
            }
        }
        findings
    }
}

/// Where a statement starts.
#[derive(Clone, Debug)]
pub struct At {
    file: std::sync::Arc<SourceFile>,
    line: usize,
}

impl At {
    fn error(&self, message: String) -> crate::diagnostic::Diagnostic {
        self.file.error(Span::at(self.line, 1), message)
    }
}
