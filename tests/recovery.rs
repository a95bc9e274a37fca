//! Recovery as PLAN.md words it, on PostgreSQL with the real Prisma CLI: each test makes a
//! phase fail (or rolls an applied phase back), does what the plan's PLAN.md says for that case,
//! using the commands it prints, and deploys again:
//! - a unique index built CONCURRENTLY over duplicates: Prisma records the migration as failed
//!   and an INVALID index stays behind under its name;
//! - a migration whose `lock_timeout` expires behind a long transaction: nothing of it stays;
//! - the contract deployed before the backfill: its guard aborts;
//! - the expand and the contract rolled back once applied, `_prisma_migrations` included.
//!
//! `prisma-xc status` is asked where the database is along the way.
//!
//! `prisma migrate resolve` needs the native schema engine, which the harness does not have:
//! `resolve_rolled_back` records what it records.

mod common;

use std::path::Path;
use std::process::Command;

use common::plan::{CASES, Engine, Env};

/// A fresh work folder with the catalog case's old schema deployed and its seed written, plus
/// `extra_seed`, and its plan in `plan/`.
fn planned(harness: &Path, test: &str, case: &str, extra_seed: &str) -> Env {
    planned_on(harness, test, case, extra_seed, false)
}

/// The same, on PostgreSQL or on SQLite.
fn planned_on(harness: &Path, test: &str, case: &str, extra_seed: &str, sqlite: bool) -> Env {
    let c = CASES
        .iter()
        .find(|c| c.name == case)
        .expect("a catalog case");
    let env = Env::with_old_deployed(
        harness,
        &format!("recovery_{test}"),
        Engine::sqlite_if(sqlite),
        c.old,
        c.new,
    )
    .unwrap();
    env.psql(&["-c", c.seed]).unwrap();
    if !extra_seed.is_empty() {
        env.psql(&["-c", extra_seed]).unwrap();
    }
    env.plan("x", c.flags).unwrap();
    env
}

/// The section of PLAN.md whose heading holds `heading`.
fn section(env: &Env, heading: &str) -> String {
    let text = std::fs::read_to_string(env.dir.join("plan/PLAN.md")).unwrap();
    text.split("\n## ")
        .find(|s| s.lines().next().is_some_and(|h| h.contains(heading)))
        .unwrap_or_else(|| panic!("PLAN.md has no section {heading:?}"))
        .to_string()
}

/// A shell command from PLAN.md, run as written from the project's folder.
fn shell(env: &Env, command: &str) {
    let out = Command::new("bash")
        .args(["-c", command])
        .env("DATABASE_URL", &env.url)
        .env(
            "DATABASE_FILE",
            env.sqlite.as_deref().unwrap_or(Path::new("")),
        )
        .current_dir(&env.dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The migration Prisma recorded as failed.
fn failed_migration(env: &Env) -> String {
    env.psql(&["-c", "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL"])
        .unwrap()
}

/// What `npx prisma migrate resolve --rolled-back <folder>` records.
fn resolve_rolled_back(env: &Env, folder: &str) {
    assert!(!folder.is_empty(), "no failed migration to resolve");
    env.psql(&["-c", &format!("UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE migration_name = '{folder}' AND finished_at IS NULL")])
        .unwrap();
}

/// `prisma-xc status plan`: its exit code and report.
fn status(env: &Env) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(["status", "plan"])
        .env("DATABASE_URL", &env.url)
        .current_dir(&env.dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap_or(-1),
        report + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Between the expand and the backfill of `renamed_field`: its three seeded rows are left.
fn status_says_backfill_next(env: &Env) {
    let (code, report) = status(env);
    assert!(
        code == 0 && report.contains("3 rows left to fill"),
        "{report}"
    );
    assert!(report.ends_with("next: step 2: backfill\n"), "{report}");
}

/// What PLAN.md's section `heading` says in its paragraph starting with `paragraph` once the
/// cause is fixed: `npx prisma migrate resolve --rolled-back <folder>`, for the failed
/// migration.
fn resolve_as_plan_md_says(env: &Env, heading: &str, paragraph: &str) {
    let text = section(env, heading);
    assert!(
        common::code_spans(&text, paragraph)
            .iter()
            .any(|s| s == "npx prisma migrate resolve --rolled-back <folder>"),
        "{text}"
    );
    resolve_rolled_back(env, &failed_migration(env));
}

fn harness() -> Option<std::path::PathBuf> {
    common::harness_with_postgres()
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn a_failed_concurrent_unique_index_is_dropped_and_built_again() {
    let Some(harness) = harness() else { return };
    let env = planned(
        &harness,
        "unique",
        "index_unique_foreign_key",
        "INSERT INTO \"Member\" (id, email, \"teamId\") VALUES (10, 'a@x.org', 1);",
    );
    env.promote("expand", "20300101000001").unwrap();
    let error = env
        .deploy()
        .expect_err("the unique index builds over duplicates");
    // The native engine words it "could not create unique index", the adapter this way.
    assert!(error.contains("Unique constraint failed"), "{error}");
    let folder = failed_migration(&env);
    let invalid =
        "SELECT count(*) FROM pg_index WHERE NOT indisvalid AND indrelid = '\"Member\"'::regclass";
    assert_eq!(env.psql(&["-c", invalid]).unwrap(), "1");

    // PLAN.md: fix the cause, drop the INVALID index, resolve, deploy again.
    let expand = section(&env, "apply the expand");
    let name = prisma_xc::write::name_after_timestamp(&folder);
    let line = (expand.lines())
        .find(|l| l.starts_with(&format!("- `*_{name}`: ")))
        .unwrap_or_else(|| panic!("PLAN.md says nothing to do for {folder}:\n{expand}"));
    let drop = line.split('`').nth(3).unwrap();
    env.psql(&["-c", drop]).unwrap();
    env.psql(&["-c", "DELETE FROM \"Member\" WHERE id = 10"])
        .unwrap();
    resolve_as_plan_md_says(&env, "apply the expand", "If a migration fails half-way");
    env.deploy().unwrap();
    env.migrations_match(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();
    assert_eq!(env.psql(&["-c", invalid]).unwrap(), "0");
}

/// A session of `application` running `transaction` (stopping at its first error), once it
/// holds a lock on `table`.
fn holding(env: &Env, application: &str, transaction: &str, table: &str) -> std::process::Child {
    let child = Command::new("psql")
        .arg(&env.url)
        .args(["-v", "ON_ERROR_STOP=1", "-c", transaction])
        .env("PGAPPNAME", application)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let held = format!(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = '{application}' AND l.relation = '\"{table}\"'::regclass AND l.granted"
    );
    while env.psql(&["-c", &held]).unwrap() != "1" {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn a_lock_timeout_leaves_nothing_half_applied() {
    let Some(harness) = harness() else { return };
    let env = planned(&harness, "lock_timeout", "renamed_field", "");
    env.promote("expand", "20300101000001").unwrap();
    // A long transaction that read the table: the expand's ALTER waits for it, past its
    // lock_timeout. The deploy starts once the lock is held, and the transaction ends after.
    let mut reader = holding(
        &env,
        "xc-long-reader",
        "BEGIN; LOCK TABLE \"User\" IN ACCESS SHARE MODE; SELECT pg_sleep(120); COMMIT;",
        "User",
    );
    let error = env
        .deploy()
        .expect_err("the expand waits past its lock_timeout");
    env.psql(&["-c", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'xc-long-reader'"])
        .unwrap();
    let _ = reader.wait();
    assert!(error.contains("lock timeout"), "{error}");
    // Nothing of the failed migration is left: the database is the old schema's.
    env.database_matches(&env.dir.join("old.prisma")).unwrap();

    // PLAN.md: deploy again when traffic is lower, after resolving the failed migration.
    resolve_as_plan_md_says(&env, "apply the expand", "If a migration fails half-way");
    env.deploy().unwrap();
    env.migrations_match(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn an_application_write_across_two_tables_does_not_deadlock_with_the_expand() {
    let Some(harness) = harness() else { return };
    // The expand drops Member's foreign key and adds it back with new actions: it changes
    // Member and locks Team. The application's transaction holds Team (an update), then
    // writes Member. A migration that took Member and then waited for Team would deadlock
    // with it, and PostgreSQL would cancel one of the two.
    let env = planned(&harness, "deadlock", "foreign_key_actions", "");
    env.promote("expand", "20300101000001").unwrap();
    let application = holding(
        &env,
        "xc-application",
        "BEGIN; UPDATE \"Team\" SET id = id WHERE id = 2; SELECT pg_sleep(2); \
         INSERT INTO \"Member\" (id, \"teamId\") VALUES (10, 2); COMMIT;",
        "Team",
    );
    let deployed = env.deploy();
    let application = application.wait_with_output().unwrap();
    assert!(
        application.status.success(),
        "the application's transaction failed: {}",
        String::from_utf8_lossy(&application.stderr)
    );
    deployed.unwrap();
    assert_eq!(
        env.psql(&["-c", "SELECT count(*) FROM \"Member\" WHERE id = 10"])
            .unwrap(),
        "1"
    );
    env.migrations_match(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn a_contract_before_the_backfill_aborts_and_deploys_after_it() {
    let Some(harness) = harness() else { return };
    contract_before_the_backfill(&harness, false);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn a_contract_before_the_backfill_aborts_and_deploys_after_it_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    contract_before_the_backfill(&harness, true);
}

/// The contract deployed before the backfill: its guard aborts it with nothing applied
/// (PostgreSQL's transaction, the plan's own on SQLite), and PLAN.md's way out deploys it.
fn contract_before_the_backfill(harness: &Path, sqlite: bool) {
    let env = planned_on(harness, "guard", "renamed_field", "", sqlite);
    let (code, report) = status(&env);
    assert!(
        code == 0 && report.ends_with("next: step 1: apply the expand\n"),
        "{report}"
    );
    env.promote("expand", "20300101000001").unwrap();
    env.deploy().unwrap();
    status_says_backfill_next(&env);
    // Written by the old version after the expand: kept in sync by the trigger. Rows from
    // before the expand are the backfill's.
    env.promote("contract", "20300101000002").unwrap();
    std::fs::copy(
        env.dir.join("new.prisma"),
        env.dir.join("prisma/schema.prisma"),
    )
    .unwrap();
    env.deploy().expect_err("the contract's guard aborts");
    let (code, report) = status(&env);
    assert!(
        code == 1 && report.contains("FAILED   step 5: apply the contract"),
        "{report}"
    );
    env.database_matches(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();

    // PLAN.md: run the backfill, then resolve and deploy again.
    env.psql(&["-f", "plan/3-backfill/backfill.sql"]).unwrap();
    resolve_as_plan_md_says(
        &env,
        "apply the contract",
        "The contract starts with a guard",
    );
    env.deploy().unwrap();
    env.migrations_match(&env.dir.join("new.prisma")).unwrap();
    let (code, report) = status(&env);
    assert!(
        code == 0 && report.ends_with("every step is done\n"),
        "{report}"
    );
    let rows = if sqlite {
        "SELECT group_concat(x, ',') FROM (SELECT id || '=' || username AS x FROM \"User\" ORDER BY id)"
    } else {
        "SELECT string_agg(id || '=' || username, ',' ORDER BY id) FROM \"User\""
    };
    assert_eq!(
        env.psql(&["-c", rows]).unwrap(),
        "1=ada,2=grace,5=untouched"
    );
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn applied_phases_roll_back_as_plan_md_says_and_deploy_again() {
    let Some(harness) = harness() else { return };
    roll_back_and_deploy_again(&harness, false);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn applied_phases_roll_back_as_plan_md_says_and_deploy_again_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    roll_back_and_deploy_again(&harness, true);
}

fn roll_back_and_deploy_again(harness: &Path, sqlite: bool) {
    let env = planned_on(harness, "roll_back", "renamed_field", "", sqlite);
    let migrations = env.dir.join("prisma/migrations");
    let promoted = |phase: &str| -> Vec<std::path::PathBuf> {
        let mut folders: Vec<_> = std::fs::read_dir(&migrations)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains(&format!("_x_{phase}")))
            .collect();
        folders.sort();
        folders
    };
    // Runs a section's "Roll back (once applied)" commands as written, then deletes the
    // phase's folders from prisma/migrations, as it says.
    let roll_back = |heading: &str, phase: &str| {
        let commands = common::code_spans(&section(&env, heading), "Roll back (once applied)");
        let shell_of_the_database = if sqlite { "sqlite3 " } else { "psql " };
        let commands: Vec<&String> = commands
            .iter()
            .filter(|c| c.starts_with(shell_of_the_database))
            .collect();
        assert_eq!(commands.len(), 2, "{commands:?}");
        for command in commands {
            shell(&env, command);
        }
        for folder in promoted(phase) {
            std::fs::remove_dir_all(folder).unwrap();
        }
        let left = env
            .psql(&[
                "-c",
                &format!(
                    "SELECT count(*) FROM _prisma_migrations WHERE migration_name LIKE '%\\_x\\_{phase}%' ESCAPE '\\'"
                ),
            ])
            .unwrap();
        assert_eq!(left, "0", "{phase}'s rows of _prisma_migrations");
    };

    // The expand, back to the old schema, and again.
    env.promote("expand", "20300101000001").unwrap();
    env.deploy().unwrap();
    roll_back("apply the expand", "expand");
    env.database_matches(&env.dir.join("old.prisma")).unwrap();
    env.promote("expand", "20300101000001").unwrap();
    env.deploy().unwrap();
    env.migrations_match(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();

    // The contract, back to the expand's structure, and again.
    env.psql(&["-f", "plan/3-backfill/backfill.sql"]).unwrap();
    env.promote("contract", "20300101000002").unwrap();
    env.deploy().unwrap();
    roll_back("apply the contract", "contract");
    env.database_matches(&env.dir.join("plan/schema.expand.prisma"))
        .unwrap();
    env.promote("contract", "20300101000002").unwrap();
    env.deploy().unwrap();
    env.migrations_match(&env.dir.join("new.prisma")).unwrap();
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn status_reads_a_sqlite_database_too() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    let c = &CASES[0];
    let env =
        Env::with_old_deployed(&harness, "recovery_status", Engine::Sqlite, c.old, c.new).unwrap();
    env.psql(&["-c", c.seed]).unwrap();
    env.plan("x", &[]).unwrap();
    env.promote("expand", "20300101000001").unwrap();
    env.deploy().unwrap();
    status_says_backfill_next(&env);
}
