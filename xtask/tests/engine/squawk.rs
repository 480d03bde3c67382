//! `migrations/squawk` with the real squawk (installed by the engine from PyPI): the
//! repository's released migrations pass on their reasoned exceptions, a new migration must
//! be clean, and the exceptions file is checked (released only, a reason each, none stale).

use crate::support::{Ws, diag_at};

const MIGRATIONS: &str = "crates/bkg-db/migrations/postgres";
const EXCEPTIONS: &str = "crates/bkg-db/squawk-exceptions.yaml";

fn fixture() -> Ws {
    let ws = Ws::new();
    for rel in [
        "pipelines/migrations.yaml",
        "crates/bkg-db/migrations.lock",
        EXCEPTIONS,
        "crates/bkg-db/migrations/postgres/0001_init.sql",
        "crates/bkg-db/migrations/postgres/0002_key_usage.sql",
    ] {
        ws.copy_from_repo(rel);
    }
    // Only the squawk step of the real pipeline, with its tool.
    let real = std::fs::read_to_string(ws.path("pipelines/migrations.yaml")).unwrap();
    let tools = &real[real.find("tools:").unwrap()..real.find("steps:").unwrap()];
    let step = &real[real.find("  - id: squawk").unwrap()..real.find("  - id: sqlite").unwrap()];
    ws.pipeline(
        "lint-migrations",
        &format!("description: squawk\n{tools}steps:\n{step}"),
    );
    ws
}

#[test]
fn released_migrations_pass_on_their_exceptions_and_a_new_one_must_be_clean() {
    let ws = fixture();
    let out = ws.run(&["run", "lint-migrations"]);
    out.assert(0);
    assert!(
        out.stdout.contains(&format!(
            "squawk {MIGRATIONS} (2 migrations): 9 findings, 9 accepted as reasoned exceptions of released migrations\n"
        )),
        "{}",
        out.stdout
    );

    // A new migration is not released: its findings fail the step where they are.
    ws.file(
        &format!("{MIGRATIONS}/0003_namespace_index.sql"),
        "-- Lookups by namespace.\nCREATE INDEX api_keys_by_namespace ON api_keys (namespace_id);\n",
    );
    let out = ws.run(&["run", "lint-migrations"]);
    out.assert(1);
    assert!(
        diag_at(
            &out.stdout,
            "error[squawk/require-concurrent-index-creation]: During normal index creation, table updates are blocked, but reads are still allowed. (warning)",
            &format!("{MIGRATIONS}/0003_namespace_index.sql:2:1")
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("= hint: Use `concurrently` to avoid blocking writes. (see https://squawkhq.com/docs/require-concurrent-index-creation)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("error: squawk found 3 problems in the migrations\n"),
        "{}",
        out.stdout
    );

    // ... and it cannot be excused: only released migrations may carry exceptions.
    let text = std::fs::read_to_string(ws.path(EXCEPTIONS)).unwrap();
    let lines = text.lines().count();
    ws.file(
        EXCEPTIONS,
        &format!("{text}{MIGRATIONS}/0003_namespace_index.sql:\n  require-concurrent-index-creation: small table\n"),
    );
    let out = ws.run(&["run", "lint-migrations"]);
    out.assert(1);
    assert!(
        diag_at(
            &out.stdout,
            &format!(
                "error: {MIGRATIONS}/0003_namespace_index.sql is not a released migration (not in crates/bkg-db/migrations.lock)"
            ),
            &format!("{EXCEPTIONS}:{}:1", lines + 1)
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("error: 1 invalid exception in {EXCEPTIONS}\n")),
        "{}",
        out.stdout
    );
}

#[test]
fn an_exception_needs_a_reason_and_a_stale_one_is_a_warning() {
    let ws = fixture();
    let text = std::fs::read_to_string(ws.path(EXCEPTIONS)).unwrap();
    let stale = format!("{text}  ban-drop-database: 0002 drops nothing; this exception is stale\n");
    ws.file(EXCEPTIONS, &stale);
    let out = ws.run(&["run", "lint-migrations"]);
    out.assert(0);
    let line = stale.lines().count();
    assert!(
        diag_at(
            &out.stdout,
            &format!(
                "warning[squawk/stale-exception]: squawk no longer reports `ban-drop-database` in {MIGRATIONS}/0002_key_usage.sql"
            ),
            &format!("{EXCEPTIONS}:{line}:3")
        ),
        "{}",
        out.stdout
    );

    ws.file(EXCEPTIONS, &format!("{text}  ban-drop-database: \"\"\n"));
    let out = ws.run(&["run", "lint-migrations"]);
    out.assert(1);
    assert!(
        diag_at(
            &out.stdout,
            "error: the exception for `ban-drop-database` needs a reason",
            &format!("{EXCEPTIONS}:{line}:22")
        ),
        "{}",
        out.stdout
    );
}
