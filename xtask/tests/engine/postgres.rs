//! `postgres/ephemeral` with the system's Postgres: a real throwaway cluster whose DSN later
//! steps (and conditions) see, removed at the end of the run however it ends; an unreachable
//! BKG_DB_DSN; no Postgres installed. And `migrations/guard` on edited, new and deleted files.

use crate::support::{Ws, alive};
use std::time::Duration;

const PIPELINE: &str = "secrets: [BKG_DB_DSN]
steps:
  - id: pg
    uses: postgres/ephemeral
  - id: query
    when: { env: BKG_DB_DSN }
    shell: bash
    run: |
      psql \"$BKG_DB_DSN\" -Atc 'select 40 + 2'
      [ \"$DATABASE_URL\" = \"$BKG_DB_DSN\" ] && echo same-url
      echo \"${BKG_DB_DSN#*host=}\" > cluster-dir
";

/// The cluster directory the run used (the step wrote it down).
fn cluster_dir(ws: &Ws) -> std::path::PathBuf {
    std::fs::read_to_string(ws.path("cluster-dir"))
        .unwrap()
        .trim()
        .into()
}

#[test]
fn a_throwaway_cluster_serves_later_steps_and_is_removed_afterwards() {
    let ws = Ws::new();
    ws.pipeline("db", PIPELINE);
    let out = ws.run(&["run", "db"]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("started a throwaway Postgres in /tmp/xtask-pg-"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\n42\nsame-url\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("⌫ postgres/ephemeral: stopped and removed the throwaway cluster in "),
        "{}",
        out.stdout
    );
    let dir = cluster_dir(&ws);
    assert!(
        dir.to_string_lossy().starts_with("/tmp/xtask-pg-") && !dir.exists(),
        "{} was removed",
        dir.display()
    );
}

#[test]
fn the_cluster_is_removed_after_a_failure_and_after_ctrl_c() {
    let ws = Ws::new();
    ws.pipeline(
        "db",
        &format!("{PIPELINE}  - id: fail\n    run: \"false\"\n"),
    );
    ws.run(&["run", "db"]).assert(1);
    assert!(!cluster_dir(&ws).exists());

    std::fs::remove_file(ws.path("cluster-dir")).unwrap();
    ws.pipeline(
        "db",
        &format!("{PIPELINE}  - id: wait\n    run: sleep 300\n"),
    );
    let child = ws.spawn(&["run", "db"]);
    let dir = crate::support::wait_for_file(&ws.path("cluster-dir"));
    let pid_file = std::path::Path::new(dir.trim()).join("data/postmaster.pid");
    let postmaster: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: plain syscall on the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = crate::support::Out::from(child.wait_with_output().unwrap());
    out.assert(130);
    assert!(
        out.stdout
            .contains("⌫ postgres/ephemeral: stopped and removed the throwaway cluster"),
        "{}",
        out.stdout
    );
    assert!(!std::path::Path::new(dir.trim()).exists());
    assert!(!alive(postmaster), "the postmaster {postmaster} is gone");
}

#[test]
fn an_unreachable_dsn_fails_fast_with_the_host_and_no_password() {
    let ws = Ws::new();
    ws.pipeline("db", PIPELINE);
    let start = std::time::Instant::now();
    let out = ws.run_with(
        &["run", "db"],
        &[(
            "BKG_DB_DSN",
            "postgres://app:hunter2-secret@127.0.0.1:9/bkg",
        )],
    );
    out.assert(1);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        out.stdout
            .contains(": BKG_DB_DSN: cannot reach 127.0.0.1:9 within "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("(postgres://app:***@127.0.0.1:9/bkg)\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"));
}

#[test]
fn without_postgres_the_step_says_so_or_skips_when_allowed() {
    let ws = Ws::new();
    let empty = tempfile::tempdir().unwrap();
    let env = [
        ("XTASK_POSTGRES_ROOT", empty.path().to_str().unwrap()),
        ("PATH", "/usr/bin:/bin"),
    ];
    ws.pipeline("db", PIPELINE);
    let out = ws.run_with(&["run", "db"], &env);
    out.assert(1);
    assert!(
        out.stdout.contains(": no Postgres installed (initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin); install the postgresql package or set BKG_DB_DSN\n"),
        "{}",
        out.stdout
    );
    ws.pipeline(
        "db",
        &PIPELINE.replace(
            "uses: postgres/ephemeral",
            "uses: postgres/ephemeral\n    with: { if-missing: skip }",
        ),
    );
    let skipped = ws.run_with(&["run", "db"], &env);
    skipped.assert(0);
    assert!(
        skipped
            .stdout
            .contains("↷ db/query skipped: BKG_DB_DSN is not set\n"),
        "{}",
        skipped.stdout
    );
}

const GUARD: &str =
    "steps:\n  - id: guard\n    uses: migrations/guard\n    with: { lock: m.lock, dirs: [m] }\n";

#[test]
fn the_guard_refuses_edited_deleted_and_unlocked_migrations() {
    let ws = Ws::new();
    ws.file("m/0001_init.sql", "CREATE TABLE t (id INT);\n");
    ws.pipeline("guard", GUARD);
    ws.pipeline(
        "lock",
        &GUARD.replace("dirs: [m] }", "dirs: [m], update: true }"),
    );
    let unlocked = ws.run(&["run", "guard"]);
    unlocked.assert(1);
    assert!(unlocked.stdout.contains(": 1 new migrations are not in m.lock; record them with: cargo xtask run migrations-lock\n"), "{}", unlocked.stdout);
    ws.run(&["run", "lock"]).assert(0);
    ws.run(&["run", "guard"]).assert(0);

    ws.file("m/0001_init.sql", "CREATE TABLE t (id BIGINT);\n");
    let edited = ws.run(&["run", "guard"]);
    edited.assert(1);
    assert!(edited.stdout.contains("error: m/0001_init.sql changed after it was released (its SHA-384 is not the one in m.lock)\n --> m.lock:4:1\n"), "{}", edited.stdout);
    assert!(
        edited.stdout.contains(
            ": 1 released migrations changed; add new migrations instead of editing old ones\n"
        ),
        "{}",
        edited.stdout
    );
    let relock = ws.run(&["run", "lock"]);
    relock.assert(1);

    std::fs::remove_file(ws.path("m/0001_init.sql")).unwrap();
    let deleted = ws.run(&["run", "guard"]);
    deleted.assert(1);
    assert!(
        deleted
            .stdout
            .contains("error: released migration m/0001_init.sql was deleted\n"),
        "{}",
        deleted.stdout
    );
}

/// A service that starts in a run is a new, empty server: the steps that use it run again,
/// even those whose own inputs did not change, or they would find nothing of their earlier
/// work. And the restore drill dumps, restores and compares what they left.
#[test]
fn a_started_service_reruns_its_users_and_the_restore_drill_compares_the_copy() {
    let ws = Ws::new();
    ws.pipeline(
        "db",
        "secrets: [BKG_DB_DSN]
steps:
  - id: pg
    uses: postgres/ephemeral
    service: true
  - id: schema
    shell: bash
    run: psql \"$BKG_DB_DSN\" -X -q -v ON_ERROR_STOP=1 -c 'create table marker (n int)' -c 'insert into marker values (1), (2)'
    inputs: [schema.txt]
  - id: drill
    uses: postgres/restore-drill
    inputs: [schema.txt]
  - id: count
    shell: bash
    run: psql \"$BKG_DB_DSN\" -X -Atc 'select count(*) from marker'
    inputs: [count.txt]
",
    );
    ws.file("schema.txt", "1").file("count.txt", "1");
    let out = ws.run(&["run", "db"]);
    out.assert(0);
    assert!(
        out.stdout.contains("; pg_restore into bkg_restore_drill: ")
            && out.stdout.contains(
                " ms; schema identical, 1 tables with 2 rows identical; bkg_restore_drill dropped again\n"
            ),
        "{}",
        out.stdout
    );
    let out = ws.run(&["run", "db"]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("↷ db/pg skipped: not started: the 3 steps that need it are cached"),
        "{}",
        out.stdout
    );
    // Only `count`'s input changed, but the server is new: `schema` runs again first, and
    // the plan says so.
    ws.file("count.txt", "2");
    let plan = ws.run(&["plan", "db"]);
    plan.assert(0);
    assert!(
        plan.stdout.contains(
            "db/schema will run (why: db/pg started a new server, which holds nothing of its earlier runs)"
        ) && plan.stdout.contains("db/pg will run (why: db/count will run)"),
        "{}",
        plan.stdout
    );
    let out = ws.run(&["run", "db", "-v"]);
    out.assert(0);
    assert!(out.stdout.contains("✓ db/schema "), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("db/pg started a new server, which holds nothing of its earlier runs"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\n2\n"), "{}", out.stdout);
}

#[test]
fn the_restore_drill_needs_a_database() {
    let ws = Ws::new();
    ws.pipeline(
        "db",
        "steps:\n  - id: drill\n    uses: postgres/restore-drill\n",
    );
    let out = ws.run_with(&["run", "db"], &[("BKG_DB_DSN", "")]);
    out.assert(1);
    assert!(
        out.stdout.starts_with("✗ db/drill ")
            && out.stdout.contains(
                "ms: BKG_DB_DSN is not set: run a postgres/ephemeral step before the drill\n"
            ),
        "{}",
        out.stdout
    );
}
