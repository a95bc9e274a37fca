//! How a phase's migrations are written: their folder names, and each one applied whole or not
//! at all.

use super::{Migration, PlanOptions};
use crate::database::Database;
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;
use crate::sql::{self, Dialect, Operation};

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
    /// `lock_timeout`) or one transaction (SQLite), taking no lock up front: for migrations
    /// that lock nothing an application writes with (new enum values, validations, reads).
    pub fn atomic(&self, sql: String) -> String {
        self.atomic_locking("", sql, None)
    }

    /// [`Self::atomic`] for a migration that changes tables: on PostgreSQL, after `unlocked`
    /// (the guard's reads, which must not hold a write lock while they scan), every table of
    /// `before` (the database the migration starts from) that `sql` names is locked in `lock`
    /// mode, all together or none, before the first change. A migration that waited for one
    /// table while holding another could deadlock with an application's write: an insert
    /// holds its table and then checks the row it references in the other, and PostgreSQL
    /// would cancel one of the two, perhaps the application's.
    pub fn atomic_locking(
        &self,
        unlocked: &str,
        sql: String,
        lock: Option<(TableLock, &Database)>,
    ) -> String {
        if unlocked.is_empty() && sql.is_empty() {
            String::new()
        } else if self.postgres() {
            // One statement, applied whole or not at all however it is sent: Prisma 6 sends a
            // migration as one script (one implicit transaction), Prisma 7 statement by
            // statement where its parser can split it, which would leave a failed deploy half
            // applied and the next one failing on what is already there. Column names win over
            // PL/pgSQL's own variables (`found`) in the statements.
            // Prisma's enum rebuild brings its own transaction, which the block already is.
            let strip = |sql: &str| -> String {
                sql.lines()
                    .filter(|line| !matches!(line.trim(), "BEGIN;" | "COMMIT;"))
                    .map(|line| format!("{line}\n"))
                    .collect()
            };
            let (unlocked, locked) = (strip(unlocked), strip(&sql));
            let tables =
                lock.and_then(|(mode, before)| Some((mode, tables_named(before, &locked)?)));
            let (declare, body) = match tables {
                // One table: locked at once in the strongest mode the migration takes, so that
                // it never waits to strengthen a lock it holds.
                Some((mode, tables)) if tables.len() == 1 => (
                    "",
                    join(
                        &unlocked,
                        &format!(
                            "-- LockTable (before its first change: the migration never waits to take a stronger lock)\n\
                             {};\n\n{locked}",
                            lock_table(&tables[0], mode, false)
                        ),
                    ),
                ),
                Some((mode, tables)) => (
                    "DECLARE\n  xc_lock_deadline timestamptz;\n",
                    join(&unlocked, &lock_together(mode, &tables, &locked)),
                ),
                None => ("", join(&unlocked, &locked)),
            };
            let tag = crate::escape::dollar_tag(&body);
            format!(
                "-- One statement: a failed deploy applies nothing, and deploying again starts afresh.\n\
                 DO {tag}\n#variable_conflict use_column\n{declare}BEGIN\n\
                 -- Fail fast instead of queueing all traffic behind a blocked ALTER.\n\
                 SET lock_timeout = {};\n\n{}\nEND\n{tag};\n",
                crate::escape::sql_string(self.provider, &self.options.lock_timeout),
                body.trim_end()
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
                join(unlocked, &sql).trim_end()
            )
        } else {
            join(unlocked, &sql)
        }
    }
}

/// Two parts of a migration, a blank line between them when both have statements.
fn join(first: &str, second: &str) -> String {
    if first.is_empty() || second.is_empty() {
        format!("{first}{second}")
    } else {
        format!("{first}\n{second}")
    }
}

/// The PostgreSQL lock a migration takes up front on the tables it changes: the strongest its
/// statements take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TableLock {
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`, on both tables: writes wait, reads go
    /// on.
    ShareRowExclusive,
    /// Every other `ALTER TABLE`, `DROP`, `CREATE TRIGGER` on a table the application uses.
    AccessExclusive,
}

impl TableLock {
    fn mode(self) -> &'static str {
        match self {
            TableLock::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            TableLock::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }
}

/// The tables of `before` that `sql` names, in `before`'s order; None when it names none.
/// Every statement a phase writes names its tables as [`Dialect::table`] quotes them, which
/// makes the search exact for this SQL; a table named like a column is locked too, which
/// costs nothing the migration's own statements would not.
fn tables_named(before: &Database, sql: &str) -> Option<Vec<TableRef>> {
    let d = Dialect(before.provider);
    let tables: Vec<TableRef> = (before.tables.iter())
        .map(TableRef::of)
        .filter(|t| sql.contains(d.table(t).as_str()))
        .collect();
    (!tables.is_empty()).then_some(tables)
}

/// `LOCK TABLE` of `table` in `mode`.
fn lock_table(table: &TableRef, mode: TableLock, nowait: bool) -> String {
    let d = Dialect(Provider::PostgreSql);
    let mode = mode.mode();
    sql::operation(
        d,
        &Operation::LockTable {
            table,
            mode,
            nowait,
        },
    )
}

/// `sql` after a loop that locks every table of `tables`, the first waiting (up to the
/// `lock_timeout`, holding nothing) and the others `NOWAIT`: when one is busy, every lock is
/// given back and the loop tries again, so that the migration never waits while it holds a
/// table. Past the `lock_timeout` it fails, having changed nothing.
fn lock_together(mode: TableLock, tables: &[TableRef], sql: &str) -> String {
    let locks: String = (tables.iter().enumerate())
        .map(|(i, table)| format!("    {};\n", lock_table(table, mode, i > 0)))
        .collect();
    format!(
        "-- LockTables: all together or none, so that this migration never waits for a table while\n\
         -- it holds another (an application's write could be waiting for that one).\n\
         xc_lock_deadline := CASE current_setting('lock_timeout') WHEN '0' THEN 'infinity'::timestamptz\n\
         \x20 ELSE clock_timestamp() + current_setting('lock_timeout')::interval END;\n\
         LOOP\n\
         \x20 BEGIN\n\
         {locks}\
         \x20   EXIT;\n\
         \x20 EXCEPTION WHEN lock_not_available THEN\n\
         \x20   IF clock_timestamp() >= xc_lock_deadline THEN\n\
         \x20     RAISE EXCEPTION 'lock timeout: a table this migration changes stayed busy for longer than lock_timeout; nothing was applied'\n\
         \x20       USING ERRCODE = 'lock_not_available',\n\
         \x20       HINT = 'Mark the migration rolled back (prisma migrate resolve --rolled-back) and deploy again when traffic is lighter.';\n\
         \x20   END IF;\n\
         \x20   PERFORM pg_sleep(0.01);\n\
         \x20 END;\n\
         END LOOP;\n\n{sql}"
    )
}

/// An index built `CONCURRENTLY` in a migration of its own.
#[derive(Debug, Clone)]
pub(super) struct ConcurrentIndex {
    pub table: TableRef,
    pub index: crate::database::DbIndex,
}

/// A migration of one `CREATE [UNIQUE] INDEX CONCURRENTLY`: PostgreSQL refuses to run it inside
/// the transaction `migrate deploy` wraps a migration in with others.
pub(super) fn concurrent_index(
    folder: String,
    purpose: String,
    built: &ConcurrentIndex,
) -> Migration {
    let d = Dialect(Provider::PostgreSql);
    let statement = sql::operation(
        d,
        &Operation::CreateIndexConcurrently {
            table: &built.table,
            index: &built.index,
        },
    );
    // A failed concurrent build leaves an INVALID index under the name, and deploying again
    // would fail on "already exists".
    let drop = sql::operation(
        d,
        &Operation::DropIndexConcurrentlyIfExists {
            schema: &built.table.schema,
            index: &built.index.name,
        },
    );
    Migration {
        folder,
        purpose,
        sql: format!(
            "-- CreateIndex (CONCURRENTLY: writes go on while it builds; it must be alone in its migration)\n{statement};\n"
        ),
        before_retry: Some(format!("{drop};")),
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
    let d = Dialect(Provider::PostgreSql);
    adds.push(sql::operation(
        d,
        &Operation::AddForeignKeyNotValid { table, foreign_key },
    ));
    validates.push(sql::operation(
        d,
        &Operation::ValidateConstraint {
            table,
            name: &foreign_key.name,
        },
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
