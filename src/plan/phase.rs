//! How a phase's migrations are written: their folder names, and each one applied whole or not
//! at all.

use super::{Migration, PlanOptions};
use crate::database::Database;
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;
use crate::sql::{self, Dialect};

pub(super) struct PhaseWriter<'a> {
    pub provider: Provider,
    pub options: &'a PlanOptions,
}

impl PhaseWriter<'_> {
    /// A migration folder's name: the plan's timestamp and name, then the phase's `suffix`.
    /// Folder names sort in the order the migrations run.
    pub fn folder(&self, suffix: &str) -> String {
        format!("{}_{}_{suffix}", self.options.timestamp, self.options.name)
    }

    pub fn postgres(&self) -> bool {
        self.provider == Provider::PostgreSql
    }

    /// A migration's SQL made one statement (PostgreSQL: a `DO` block that first sets the
    /// `lock_timeout`) or one transaction (SQLite).
    pub fn atomic(&self, sql: String) -> String {
        if sql.is_empty() {
            sql
        } else if self.postgres() {
            // One statement, applied whole or not at all however it is sent: Prisma 6 sends a
            // migration as one script (one implicit transaction), Prisma 7 statement by
            // statement where its parser can split it, which would leave a failed deploy half
            // applied and the next one failing on what is already there. Column names win over
            // PL/pgSQL's own variables (`found`) in the statements.
            // Prisma's enum rebuild brings its own transaction, which the block already is.
            let sql: String = sql
                .lines()
                .filter(|line| !matches!(line.trim(), "BEGIN;" | "COMMIT;"))
                .map(|line| format!("{line}\n"))
                .collect();
            let tag = crate::escape::dollar_tag(&sql);
            format!(
                "-- One statement: a failed deploy applies nothing, and deploying again starts afresh.\n\
                 DO {tag}\n#variable_conflict use_column\nBEGIN\n\
                 -- Fail fast instead of queueing all traffic behind a blocked ALTER.\n\
                 SET lock_timeout = {};\n\n{}\nEND\n{tag};\n",
                crate::escape::sql_string(self.provider, &self.options.lock_timeout),
                sql.trim_end()
            )
        } else if self.provider == Provider::Sqlite {
            // Prisma runs a SQLite script statement by statement: without a transaction an
            // application write could land between a table's copy and its drop, and a failure
            // would leave half a migration applied.
            format!(
                "-- One transaction: running applications never see this migration half-done, and a failure\n\
                 -- applies nothing. Foreign keys are off for it, as for Prisma's own table redefinitions\n\
                 -- (the foreign_keys PRAGMAs inside it change nothing).\n\
                 PRAGMA foreign_keys=OFF;\nBEGIN IMMEDIATE;\n\n{}\n\nCOMMIT;\nPRAGMA foreign_keys=ON;\n",
                sql.trim_end()
            )
        } else {
            sql
        }
    }
}

/// A migration of one `CREATE [UNIQUE] INDEX CONCURRENTLY`: PostgreSQL refuses to run it inside
/// the transaction `migrate deploy` wraps a migration in with others.
pub(super) fn concurrent_index(
    folder: String,
    purpose: String,
    statement: &str,
    index: &str,
) -> Migration {
    Migration {
        folder,
        purpose,
        sql: format!(
            "-- CreateIndex (CONCURRENTLY: writes go on while it builds; it must be alone in its migration)\n{statement};\n"
        ),
        // A failed concurrent build leaves an INVALID index under the name, and deploying
        // again would fail on "already exists".
        before_retry: Some(format!("DROP INDEX CONCURRENTLY IF EXISTS {index};")),
    }
}

/// Parts of a migration, each ending with a newline, one blank line between non-empty ones.
pub(super) fn sections(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A PostgreSQL foreign key on a table that has rows: added `NOT VALID` (instant, and new rows
/// are checked at once), and validated later by a statement that does not block writes.
pub(super) fn not_valid(step: &Step, adds: &mut Vec<String>, validates: &mut Vec<String>) {
    let Step::AddForeignKey { table, foreign_key } = step else {
        return;
    };
    let name = &foreign_key.name;
    let d = Dialect(Provider::PostgreSql);
    for s in sql::step_statements(step, Provider::PostgreSql) {
        adds.push(format!("{s} NOT VALID"));
    }
    validates.push(format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        d.table(table),
        d.quote(name)
    ));
}

/// `-- Step` and its statements; empty when there are none.
pub(super) fn statements(step: &str, statements: &[String]) -> String {
    if statements.is_empty() {
        String::new()
    } else {
        sql::render_statements(step, statements)
    }
}

pub(super) fn table_exists(db: &Database, t: &TableRef) -> bool {
    db.tables
        .iter()
        .any(|x| x.name == t.name && x.schema == t.schema)
}
