//! The contract's guard: it aborts, changing nothing, while any row is still out of sync (the
//! backfill has not finished), so that a contract deployed too early drops nothing.

use super::{BackfillTable, GUARD_HINT};
use crate::schema::Provider;
use crate::sql::Dialect;

/// The contract's first statement: abort, changing nothing, while rows are out of sync.
pub(super) fn guard_sql(provider: Provider, backfill: &[BackfillTable]) -> String {
    if provider == Provider::Sqlite && !backfill.is_empty() {
        return sqlite_guard_sql(backfill);
    }
    if provider != Provider::PostgreSql || backfill.is_empty() {
        return String::new();
    }
    let d = Dialect(provider);
    let mut checks = String::new();
    for t in backfill {
        let table = d.qualified(&t.schema, &t.table);
        for a in &t.assignments {
            let message = crate::escape::raise_message(&format!(
                "prisma-xc contract guard: rows of {} are not backfilled yet ({}); {GUARD_HINT}",
                t.table, a.why
            ));
            checks.push_str(&format!(
                "  IF EXISTS (SELECT 1 FROM {table} WHERE {}) THEN\n    RAISE EXCEPTION {message};\n  END IF;\n",
                a.pending
            ));
        }
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\nDO {};\n",
        crate::escape::dollar_quoted(&format!("\nBEGIN\n{checks}END\n"))
    )
}

/// One statement that fails, naming `message`, when any row of `table` matches `condition`:
/// a script stops there before it changes a value it cannot keep.
pub(super) fn refuse_if_any(
    provider: Provider,
    table: &str,
    condition: &str,
    message: &str,
) -> String {
    if provider == Provider::Sqlite {
        // No procedural blocks: a temporary table whose CHECK accepts only 0 takes the count.
        return format!(
            "CREATE TEMP TABLE \"prisma_xc_refuse\" (\"rows\" INTEGER NOT NULL CHECK (\"rows\" = 0));\nINSERT INTO \"prisma_xc_refuse\" SELECT COUNT(*) FROM {table} WHERE {condition};\nDROP TABLE \"prisma_xc_refuse\"; -- {}",
            crate::escape::line_comment(message)
        );
    }
    format!(
        "DO {}",
        crate::escape::dollar_quoted(&format!(
            "\nBEGIN\n  IF EXISTS (SELECT 1 FROM {table} WHERE {condition}) THEN\n    RAISE EXCEPTION {};\n  END IF;\nEND\n",
            crate::escape::raise_message(message)
        ))
    )
}

/// The guard of the SQLite table copies: every row of each table is in the other.
pub(super) fn copies_guard_sql(out_of_sync: &[String]) -> String {
    if out_of_sync.is_empty() {
        return String::new();
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while the copied tables differ)\n\
CREATE TEMP TABLE \"prisma_xc_copy_guard\" (\"missing\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: the renamed table and the old one do not hold the same rows; check the copy triggers are in place\" CHECK (\"missing\" = 0));\n\
INSERT INTO \"prisma_xc_copy_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_copy_guard\";\n",
        out_of_sync.join(" + ")
    )
}

/// SQLite has no procedural blocks: the guard inserts the count of pending rows into a
/// temporary table whose CHECK only accepts 0, so the migration stops at its first statement,
/// naming the reason.
pub(super) fn sqlite_guard_sql(backfill: &[BackfillTable]) -> String {
    let d = Dialect(Provider::Sqlite);
    let mut pending = Vec::new();
    for t in backfill {
        let conditions: Vec<String> = t
            .assignments
            .iter()
            .map(|a| format!("({})", a.pending))
            .collect();
        pending.push(format!(
            "(SELECT COUNT(*) FROM {} WHERE {})",
            d.qualified(&t.schema, &t.table),
            conditions.join(" OR ")
        ));
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\n\
CREATE TEMP TABLE \"prisma_xc_guard\" (\"pending\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: rows are not backfilled yet; {GUARD_HINT}\" CHECK (\"pending\" = 0));\n\
INSERT INTO \"prisma_xc_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_guard\";\n",
        pending.join(" + ")
    )
}
