//! Phased plans against a real PostgreSQL and the real Prisma CLI, one case per recipe.
//!
//! Each case builds the old database with `prisma migrate deploy`, seeds it, writes the plan,
//! promotes and deploys the expand, checks that Prisma sees no difference between the
//! migrations and `schema.expand.prisma`, applies the expand's down.sql (the live database must
//! be the old schema again) and the expand again (the live database must be the intermediate
//! schema), runs writes of old and new application code side by side, deploys the contract once
//! before the backfill (it must abort and change nothing), runs the backfill, deploys the
//! contract, checks the migrations against `new.prisma` and that every seeded value arrived
//! where it belongs, and finally applies the contract's down.sql (the live database must be the
//! intermediate schema again).
//!
//! `tests/plan_hostile.rs` runs every case that way under hostile names; this file runs the
//! cases whose check reads the catalog by plain names, and all of them with
//! `XC_PLAN_CATALOG=all`.

mod common;

use std::path::Path;

use common::plan::{CASES, Engine, Env, SQLITE_CASES, plain_cases, run_catalog};

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn every_recipe_deploys_phase_by_phase_on_postgres() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    run_catalog(&harness, &plain_cases(CASES), Engine::Postgres);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn every_recipe_deploys_phase_by_phase_on_sqlite() {
    // Each SQLite case borrows its schemas from the PostgreSQL case of the same name.
    for case in SQLITE_CASES {
        let base = case.name.trim_start_matches("sqlite_");
        let pg = CASES
            .iter()
            .find(|c| c.name == base)
            .expect("a case to borrow from");
        assert_eq!((case.old, case.new), (pg.old, pg.new), "{}", case.name);
    }
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    run_catalog(&harness, &plain_cases(SQLITE_CASES), Engine::Sqlite);
}

/// Old and new application versions write at the same time while the expand is deployed (old
/// code names only `user_name`, new code only `username`), with the backfill running beside
/// them; after the contract no write is lost.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn mixed_fleet_rename_loses_no_value() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    mixed_fleet(&harness, false);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn mixed_fleet_rename_loses_no_value_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    mixed_fleet(&harness, true);
}

/// While the expand of a column rename is deployed, 300 writes of old code (old column only),
/// 300 of new code (new column only) and the backfill run at the same time on 3,000 rows;
/// after the contract every value must be where it belongs.
fn mixed_fleet(harness: &Path, sqlite: bool) {
    let env = Env::with_old_deployed(
        harness,
        "mixed_fleet",
        Engine::sqlite_if(sqlite),
        "model User {\n  id        Int    @id\n  user_name String\n}\n",
        "model User {\n  id       Int    @id\n  username String // prisma-xc: renamed from user_name\n}\n",
    )
    .unwrap();
    let dir = env.dir.clone();
    // A recursive CTE: the same statement for PostgreSQL and SQLite.
    env.psql(&["-c", "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000) INSERT INTO \"User\" (id, user_name) SELECT n, 'seed-' || n FROM g"]).unwrap();
    env.plan("mixed", &[]).unwrap();
    env.xc(&[
        "promote",
        "plan",
        "expand",
        "--migrations",
        "prisma/migrations",
    ])
    .unwrap();
    env.deploy().unwrap();

    // One statement per transaction, as application requests are.
    let mut old_code = String::new();
    let mut new_code = String::new();
    for i in 1..=300 {
        old_code.push_str(&format!("INSERT INTO \"User\" (id, user_name) VALUES ({}, 'old-{i}');\nUPDATE \"User\" SET user_name = 'old-upd-{i}' WHERE id = {i};\n", 10_000 + i));
        new_code.push_str(&format!("INSERT INTO \"User\" (id, username) VALUES ({}, 'new-{i}');\nUPDATE \"User\" SET username = 'new-upd-{i}' WHERE id = {};\n", 20_000 + i, 300 + i));
    }
    std::fs::write(dir.join("old-code.sql"), old_code).unwrap();
    std::fs::write(dir.join("new-code.sql"), new_code).unwrap();
    let backfill = plan_file(&dir, "3-backfill/backfill.sql");
    std::thread::scope(|s| {
        let writers: Vec<_> = ["old-code.sql", "new-code.sql", backfill.as_str()]
            .into_iter()
            .map(|file| {
                let env = &env;
                s.spawn(move || env.psql(&["-f", file]))
            })
            .collect();
        for w in writers {
            w.join().unwrap().unwrap();
        }
    });
    // backfill.sql does one batch per table on SQLite (no loops in its SQL): run it until its
    // verification says nothing is pending, as its header says.
    let mut runs = 0;
    while env.psql(&["-f", &backfill]).unwrap().lines().last() != Some("0") {
        runs += 1;
        assert!(runs < 50, "the backfill never finished");
    }
    env.xc(&[
        "promote",
        "plan",
        "contract",
        "--expand-deployed",
        "--migrations",
        "prisma/migrations",
    ])
    .unwrap();
    env.deploy().unwrap();
    env.database_matches(&dir.join("new.prisma")).unwrap();
    let wrong = env
        .psql(&[
            "-c",
            "SELECT count(*) FROM \"User\" WHERE COALESCE(username, '') <> CASE \
            WHEN id <= 300 THEN 'old-upd-' || id \
            WHEN id <= 600 THEN 'new-upd-' || (id - 300) \
            WHEN id <= 3000 THEN 'seed-' || id \
            WHEN id BETWEEN 10001 AND 10300 THEN 'old-' || (id - 10000) \
            ELSE 'new-' || (id - 20000) END",
        ])
        .unwrap();
    let total = env.psql(&["-c", "SELECT count(*) FROM \"User\""]).unwrap();
    assert_eq!(
        (wrong.as_str(), total.as_str()),
        ("0", "3600"),
        "values lost or wrong after the contract"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn plan_file(dir: &Path, path: &str) -> String {
    dir.join("plan").join(path).display().to_string()
}

/// A type change that can change a value (a narrower text, a fraction to an integer, a smaller
/// scale): the sync trigger refuses such a write from old code, the backfill leaves such a row
/// and names it, the contract's guard stops, changing nothing, until someone fixes the row;
/// then it deploys and no value was cut or rounded.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn conversions_that_would_change_a_value_fail_loudly() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    // (name, old type, new type, a value that fits, one that does not, a fix for it)
    let cases: &[(&str, &str, &str, &str, &str, &str)] = &[
        (
            "varchar",
            "String @db.VarChar(64)",
            "String @db.VarChar(8)",
            "'short'",
            "'abcdefghijklmnop'",
            "'abcdefgh'",
        ),
        ("float_to_int", "Float", "Int", "2", "1.5", "2"),
        (
            "decimal_scale",
            "Decimal @db.Decimal(10, 2)",
            "Decimal @db.Decimal(10, 1)",
            "1.5",
            "1.25",
            "1.3",
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            narrowing(&harness, c, false)
                .err()
                .map(|e| format!("{}: {e}", c.0))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn conversions_that_would_change_a_value_fail_loudly_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    narrowing(
        &harness,
        &("sqlite_float_to_int", "Float", "Int", "2", "1.5", "2"),
        true,
    )
    .unwrap();
}

fn narrowing(
    harness: &Path,
    &(name, old_type, new_type, fits, too_wide, fix): &(&str, &str, &str, &str, &str, &str),
    sqlite: bool,
) -> Result<(), String> {
    let env = Env::with_old_deployed(
        harness,
        &format!("narrowing_{name}"),
        Engine::sqlite_if(sqlite),
        &format!("model Item {{\n  id    Int @id\n  value {old_type}\n}}\n"),
        &format!("model Item {{\n  id    Int @id\n  value {new_type}\n}}\n"),
    )?;
    env.psql(&[
        "-c",
        &format!("INSERT INTO \"Item\" (id, value) VALUES (1, {fits}), (2, {too_wide})"),
    ])?;
    env.plan("narrow", &[])?;
    env.promote("expand", "20300101000001")?;
    env.deploy().map_err(|e| format!("deploy expand: {e}"))?;
    // Old code writes a value the new type cannot hold: refused, not cut.
    if env
        .psql(&[
            "-c",
            &format!("INSERT INTO \"Item\" (id, value) VALUES (3, {too_wide})"),
        ])
        .is_ok()
    {
        return Err("the sync trigger stored a value the new type cannot hold".into());
    }
    env.psql(&[
        "-c",
        &format!("INSERT INTO \"Item\" (id, value) VALUES (4, {fits})"),
    ])?;
    let backfill = env
        .dir
        .join("plan/3-backfill/backfill.sql")
        .display()
        .to_string();
    let pending = env.psql(&["-f", &backfill])?;
    if pending.lines().last() != Some("1") {
        return Err(format!(
            "the backfill should leave the one row that does not fit: {pending}"
        ));
    }
    env.promote("contract", "20300101000002")?;
    if env.deploy().is_ok() {
        return Err("the contract ran while a value did not fit".into());
    }
    env.database_matches(&env.dir.join("plan/schema.expand.prisma"))
        .map_err(|e| format!("after the aborted contract: {e}"))?;
    env.psql(&["-c", "UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE finished_at IS NULL AND rolled_back_at IS NULL"])?;
    // Someone fixes the row; the backfill and the contract go through.
    env.psql(&[
        "-c",
        &format!("UPDATE \"Item\" SET value = {fix} WHERE id = 2"),
    ])?;
    let pending = env.psql(&["-f", &backfill])?;
    if pending.lines().last() != Some("0") {
        return Err(format!("the backfill left rows after the fix: {pending}"));
    }
    env.deploy().map_err(|e| format!("deploy contract: {e}"))?;
    env.migrations_match(&env.dir.join("new.prisma"))?;
    let values = env.psql(&["-c", "SELECT id || '=' || value FROM \"Item\" ORDER BY id"])?;
    let expected = format!(
        "1={}\n2={}\n4={}",
        fits.trim_matches('\''),
        fix.trim_matches('\''),
        fits.trim_matches('\'')
    );
    if values != expected {
        return Err(format!(
            "values after the contract: {values:?}, expected {expected:?}"
        ));
    }
    let _ = std::fs::remove_dir_all(&env.dir);
    Ok(())
}
