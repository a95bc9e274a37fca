//! How a phase's migrations are written: their folder names, and each one applied whole or not
//! at all.

use super::runbook::MigrationPhase;
use super::{Migration, PlanOptions};
use crate::database::Database;
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;
pub(super) use crate::sql::flavour::TableLock;
use crate::sql::flavour::{AtomicMigration, Flavour};
use crate::sql::{self, Dialect, Operation};

pub(super) struct PhaseWriter<'a> {
    pub flavour: &'static dyn Flavour,
    pub options: &'a PlanOptions,
}

/// What one migration of a phase does, as the end of its folder name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MigrationKind {
    /// The phase's main migration.
    Main,
    /// New enum values, before the migration that uses them.
    EnumValues,
    /// One index built `CONCURRENTLY`.
    Index,
    /// One unique index built `CONCURRENTLY`.
    UniqueIndex,
    /// Foreign keys added `NOT VALID`.
    ForeignKeys,
    /// Constraints validated.
    Validate,
    /// The contract's guard, alone before the index builds.
    Guard,
    /// `NOT NULL` checks added `NOT VALID`.
    Check,
    /// The contract's foreign keys validated, after it.
    ValidateForeignKeys,
    /// New-typed copies given their final definition (`NOT NULL`) before a swap under a
    /// table lock.
    Copies,
}

impl MigrationKind {
    fn suffix(self) -> &'static str {
        match self {
            MigrationKind::Main => "",
            MigrationKind::EnumValues => "_enum_values",
            MigrationKind::Index => "_index",
            MigrationKind::UniqueIndex => "_unique",
            MigrationKind::ForeignKeys => "_foreign_keys",
            MigrationKind::Validate => "_validate",
            MigrationKind::Guard => "_guard",
            MigrationKind::Check => "_check",
            MigrationKind::ValidateForeignKeys => "_validate_foreign_keys",
            MigrationKind::Copies => "_copies",
        }
    }
}

impl PhaseWriter<'_> {
    /// A migration folder's name: the plan's timestamp and name, the phase, then the
    /// migration's place (`_01`, when the phase has several) and kind. Folder names sort in the
    /// order the migrations run.
    pub fn folder(
        &self,
        phase: MigrationPhase,
        place: Option<usize>,
        kind: MigrationKind,
    ) -> String {
        let phase = match phase {
            MigrationPhase::Expand => "expand",
            MigrationPhase::Contract => "contract",
        };
        let place = place.map(|n| format!("_{n:02}")).unwrap_or_default();
        format!(
            "{}_{}_{phase}{place}{}",
            self.options.timestamp,
            self.options.name,
            kind.suffix()
        )
    }

    pub fn provider(&self) -> Provider {
        self.flavour.provider()
    }

    /// Steps as a phase migration runs them beside the application, starting from `before`.
    pub fn render(&self, steps: &[crate::migrate::Step], before: &Database) -> String {
        crate::sql::render_online(steps, self.flavour, before)
    }

    /// A migration's SQL applied whole or not at all (see [`Flavour::atomic_migration`]),
    /// taking no lock up front: for migrations that lock nothing an application writes with
    /// (new enum values, validations, reads).
    pub fn atomic(&self, sql: String) -> String {
        self.atomic_locking("", sql, None)
    }

    /// [`Self::atomic`] for a migration that changes tables: after `unlocked` (the guard's
    /// reads, which must not hold a write lock while they scan), every table of `before` (the
    /// database the migration starts from) that `sql` names is locked in `lock` mode, all
    /// together or none, before the first change. A migration that waited for one table while
    /// holding another could deadlock with an application's write: an insert holds its table
    /// and then checks the row it references in the other, and PostgreSQL would cancel one of
    /// the two, perhaps the application's.
    pub fn atomic_locking(
        &self,
        unlocked: &str,
        sql: String,
        lock: Option<(TableLock, &Database)>,
    ) -> String {
        self.atomic_with(unlocked, sql, "", lock, false)
    }

    /// [`Self::atomic_locking`] for a migration no application write may interleave with
    /// (see [`AtomicMigration::exclusive`]).
    /// `then`: what follows `sql` and may interleave with writes; where the tables are locked
    /// for `sql` alone (MySQL), it runs after the lock is released.
    pub fn atomic_exclusive(
        &self,
        unlocked: &str,
        sql: String,
        then: String,
        lock: Option<(TableLock, &Database)>,
    ) -> String {
        if self.flavour.swaps_with_table_locked() {
            self.atomic_with(unlocked, sql, &then, lock, true)
        } else {
            self.atomic_with(unlocked, sql + &then, "", lock, true)
        }
    }

    fn atomic_with(
        &self,
        unlocked: &str,
        sql: String,
        after_unlock: &str,
        lock: Option<(TableLock, &Database)>,
        exclusive: bool,
    ) -> String {
        if unlocked.is_empty() && sql.is_empty() && after_unlock.is_empty() {
            return String::new();
        }
        let tables = lock.map(|(mode, before)| (mode, tables_named(before, &sql)));
        self.flavour.atomic_migration(&AtomicMigration {
            unlocked,
            sql: &sql,
            locks: tables.as_ref().map(|(mode, t)| (*mode, t.as_slice())),
            lock_timeout: &self.options.lock_timeout,
            exclusive,
            after_unlock,
        })
    }
}

/// The tables of `before` that `sql` names, in `before`'s order. Every statement a phase
/// writes names its tables as [`Dialect::table`] quotes them, which makes the search exact for
/// this SQL; a table named like a column is locked too, which costs nothing the migration's
/// own statements would not.
fn tables_named(before: &Database, sql: &str) -> Vec<TableRef> {
    let d = Dialect(before.provider);
    (before.tables.iter())
        .map(TableRef::of)
        .filter(|t| sql.contains(d.table(t).as_str()))
        .collect()
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
        sql: sql::render_statements(
            "CreateIndex (CONCURRENTLY: writes go on while it builds; it must be alone in its migration)",
            &[statement],
        ),
        before_retry: Some(sql::terminated(&drop)),
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
