//! Phased plans on a real MariaDB (Prisma's `mysql` provider), one case per recipe, phase by
//! phase as `tests/plan_postgres.rs` runs them on PostgreSQL: the old database, the expand and
//! its way back, old and new code's writes side by side, the contract before the backfill
//! (its guard must stop it, changing nothing), the backfill, the contract and its way back.
//!
//! Prisma's WebAssembly schema engine has no MySQL connector, so here `migrate deploy` is the
//! harness's stand-in (`tests/harness/mysql-deploy.cjs`, the native engine's steps), and each
//! drift check compares `information_schema` of two databases: the one under test, and one
//! built from prisma-xc's from-empty migration of the schema (which `tests/corpus_mysql.rs`
//! checks against Prisma's own SQL on the same server).

mod common;

use common::plan::{CASES, Case, Engine, MYSQL_CASES, PlanCase, run_catalog};

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_mariadb),
    ignore = "needs Node.js and npm, MariaDB server binaries"
)]
fn every_recipe_mysql_can_do_online_deploys_phase_by_phase_on_mariadb() {
    for case in MYSQL_CASES {
        let base = case.name.trim_start_matches("mysql_");
        let pg = CASES
            .iter()
            .find(|c| c.name == base)
            .expect("a case to borrow from");
        assert_eq!((case.old, case.new), (pg.old, pg.new), "{}", case.name);
    }
    let Some(harness) = common::harness_with_mariadb() else {
        return;
    };
    let cases: Vec<PlanCase> = MYSQL_CASES.iter().map(PlanCase::from).collect();
    run_catalog(&harness, &cases, Engine::MariaDb);
}

/// A swapped column that a foreign key and a composite index use: MySQL refuses to drop a
/// column a foreign key needs and keeps what is left of an index that loses a column, so the
/// swap drops both by name first, and the key comes back on the new-typed column.
const SWAPPED_FOREIGN_KEY_COLUMN: Case = Case {
    name: "mysql_swapped_foreign_key_column",
    old: "model Share {\n  code     String    @id @db.VarChar(64)\n  websites Website[]\n}\n\nmodel Website {\n  id      Int     @id\n  shareId String? @map(\"share_id\") @db.VarChar(64)\n  share   Share?  @relation(fields: [shareId], references: [code])\n\n  @@index([id, shareId])\n}\n",
    new: "model Share {\n  code     String    @id @db.VarChar(64)\n  websites Website[]\n}\n\nmodel Website {\n  id      Int     @id\n  shareId String? @map(\"share_id\") @db.VarChar(50)\n  share   Share?  @relation(fields: [shareId], references: [code])\n\n  @@index([id, shareId])\n}\n",
    flags: &[],
    seed: "INSERT INTO \"Share\" (code) VALUES ('a'), ('c'), ('d'); INSERT INTO \"Website\" (id, share_id) VALUES (1, 'a'), (2, NULL);",
    mixed: "INSERT INTO \"Website\" (id, share_id) VALUES (3, 'c'); INSERT INTO \"Website\" (id, share_id_xc_new) VALUES (4, 'd');",
    fill_in: &[],
    check: (
        "SELECT GROUP_CONCAT(id || '=' || COALESCE(share_id, '-') ORDER BY id SEPARATOR ',') FROM \"Website\"",
        "1=a,2=-,3=c,4=d",
    ),
    guarded: true,
};

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_mariadb),
    ignore = "needs Node.js and npm, MariaDB server binaries"
)]
fn a_swapped_column_with_a_foreign_key_deploys_phase_by_phase_on_mariadb() {
    let Some(harness) = common::harness_with_mariadb() else {
        return;
    };
    run_catalog(
        &harness,
        &[PlanCase::from(&SWAPPED_FOREIGN_KEY_COLUMN)],
        Engine::MariaDb,
    );
}

/// What MySQL cannot do online is refused with the reason, never planned as if it could: a
/// renamed table (a view would be renamed in a separate, committed statement, and MySQL's
/// triggers cannot keep two tables equal both ways).
#[test]
fn a_renamed_table_is_refused_on_mysql_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("prisma-xc-mysql-refused-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let renamed = CASES.iter().find(|c| c.name == "renamed_model").unwrap();
    std::fs::write(
        dir.join("old.prisma"),
        common::plan::mysql_schema(renamed.old),
    )
    .unwrap();
    std::fs::write(
        dir.join("new.prisma"),
        common::plan::mysql_schema(renamed.new),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args([
            "diff",
            "old.prisma",
            "new.prisma",
            "--name",
            "r",
            "--out",
            "plan",
        ])
        .args(renamed.flags)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("XC104") && stderr.contains("PostgreSQL"),
        "{stderr}"
    );
    assert!(!dir.join("plan").exists(), "no plan is written");
    let _ = std::fs::remove_dir_all(&dir);
}
