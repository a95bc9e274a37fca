//! Golden files for rendered migrations: `testdata/migrate/<case>/` holds `new.prisma`, an
//! optional `old.prisma` (absent: from an empty database) and the expected `migration.sql`.
//! `UPDATE_EXPECT=1 cargo test --test migrate_golden` rewrites the expectations; review the
//! diff like code. PostgreSQL and SQLite cases are also applied by the real Prisma in
//! `tests/corpus_migrate.rs`; MySQL, SQL Server and CockroachDB have only these goldens.

use std::path::Path;

fn load(path: &Path) -> prisma_xc::schema::Schema {
    let sources = prisma_xc::input::read_schema(path).expect("readable");
    let loaded = prisma_xc::load(&sources);
    assert!(
        !loaded.has_errors(),
        "{}: {:?}",
        path.display(),
        loaded.diagnostics
    );
    loaded.schema
}

#[test]
fn rendered_migrations_match_their_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/migrate");
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    let mut mismatches = Vec::new();
    for case in &cases {
        let new = load(&case.join("new.prisma"));
        let old = case
            .join("old.prisma")
            .is_file()
            .then(|| load(&case.join("old.prisma")));
        let sql = prisma_xc::direct_migration(old.as_ref(), &new)
            .expect("SQL provider")
            .unwrap_or_default();
        let golden = case.join("migration.sql");
        if update {
            std::fs::write(&golden, &sql).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != sql {
            let diff = similar::TextDiff::from_lines(&expected, &sql)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            mismatches.push(format!("{}:\n{diff}", case.display()));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n(UPDATE_EXPECT=1 rewrites the golden files)",
        mismatches.join("\n")
    );
}

#[test]
fn mongodb_has_no_sql_migrations() {
    let src = "datasource db {\n  provider = \"mongodb\"\n  url = env(\"U\")\n}\nmodel A {\n  id String @id @default(auto()) @map(\"_id\") @db.ObjectId\n}\n";
    let mut sources = prisma_xc::diagnostics::Sources::default();
    sources.add(prisma_xc::diagnostics::SourceFile::new("m.prisma", src));
    let loaded = prisma_xc::load(&sources);
    let err = prisma_xc::direct_migration(None, &loaded.schema).unwrap_err();
    assert!(err.to_string().contains("MongoDB has no SQL migrations"));
}
