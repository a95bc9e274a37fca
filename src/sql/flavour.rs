//! One flavour per database (like prisma-engines' `SqlFlavour`): what the database can do for a
//! phased plan, and the SQL of the plan's own operations there: the comparison of two values,
//! the sync triggers of a renamed column, the contract's guard, a migration applied whole or
//! not at all. A capability a database lacks is `false` or `None`, never an empty string: the
//! planner decides what the plan does instead (the application keeps the columns in sync, the
//! plan says its contract has no guard, the recipe refuses).

use crate::database::{ColumnType, Database};
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;

use super::Dialect;

/// A renamed column and the old one it is kept equal to, converting between their types.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSync<'a> {
    pub table: &'a TableRef,
    pub old_column: &'a str,
    pub new_column: &'a str,
    pub old_type: &'a ColumnType,
    pub new_type: &'a ColumnType,
}

impl ColumnSync<'_> {
    /// Whether values are cast between the two columns.
    pub fn converts(&self) -> bool {
        self.old_type.sql() != self.new_type.sql()
    }

    /// The message a sync trigger stops a write with when a value does not convert unchanged.
    pub(super) fn conversion_error(&self, to: &ColumnType) -> String {
        format!(
            "prisma-xc sync: a value of \"{}\".\"{}\" changes when converted to {}; the write is refused instead of storing another value",
            self.table.name,
            self.old_column,
            to.sql()
        )
    }

    /// The comment above a sync trigger: one line, whatever the names hold.
    pub(super) fn comment(&self, plan: &str) -> String {
        crate::escape::line_comment(&format!(
            "CreateSyncTrigger (plan {plan}: keeps \"{}\" and \"{}\" equal while old and new code run side by side)",
            self.new_column, self.old_column
        ))
    }

    /// The name the sync trigger (or its function) is derived from.
    pub(super) fn base_name(&self, provider: Provider) -> String {
        crate::database::owned_name(
            &format!("{}_{}", self.table.name, self.new_column),
            "xc_sync",
            provider,
        )
    }
}

/// The SQL of sync triggers: the expand creates them, the contract drops them, and the
/// contract's `down.sql` creates them again.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TriggerSql {
    pub create: String,
    pub drop: String,
    /// `create` as the database's shell runs it (`down.sql`): the `mysql` client splits a
    /// trigger's body at its `;` unless told another delimiter.
    pub recreate: String,
}

impl FromIterator<TriggerSql> for TriggerSql {
    fn from_iter<I: IntoIterator<Item = TriggerSql>>(iter: I) -> Self {
        let mut out = TriggerSql::default();
        for t in iter {
            out.create.push_str(&t.create);
            out.drop.push_str(&t.drop);
            out.recreate.push_str(&t.recreate);
        }
        out
    }
}

/// Rows of one table the contract must not find: each condition (SQL over the table's
/// columns) with why such a row is not done yet.
#[derive(Debug, Clone)]
pub struct PendingRows<'a> {
    pub table: TableRef,
    pub conditions: Vec<(&'a str, &'a str)>,
}

impl PendingRows<'_> {
    /// The condition of a pending row: any of the conditions.
    pub fn any(&self) -> String {
        let conditions: Vec<String> = (self.conditions.iter())
            .map(|(c, _)| format!("({c})"))
            .collect();
        conditions.join(" OR ")
    }
}

/// What the user does when the contract's guard stops it.
pub const GUARD_HINT: &str = "run the backfill (3-backfill) and deploy the contract again";

/// The lock a migration takes up front on the tables it changes: the strongest its statements
/// take, so that it never waits to strengthen a lock it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableLock {
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`, on both tables: writes wait, reads go
    /// on.
    ShareRowExclusive,
    /// Every other `ALTER TABLE`, `DROP`, `CREATE TRIGGER` on a table the application uses.
    AccessExclusive,
}

impl TableLock {
    pub fn mode(self) -> &'static str {
        match self {
            TableLock::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            TableLock::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }
}

/// A migration to apply whole or not at all.
#[derive(Debug, Clone, Copy)]
pub struct AtomicMigration<'a> {
    /// Runs first, holding no lock up front (the guard's reads, which scan tables).
    pub unlocked: &'a str,
    /// The migration's changes.
    pub sql: &'a str,
    /// The tables `sql` changes and the lock it takes on them before its first change.
    pub locks: Option<(TableLock, &'a [TableRef])>,
    /// How long a statement waits for a lock before the migration fails, e.g. `5s`.
    pub lock_timeout: &'a str,
    /// No application write may land between its statements (a column swapped while the
    /// versions that run still write the old one): where the migration does not apply whole,
    /// its tables are locked against reads and writes while it runs.
    pub exclusive: bool,
    /// Where the tables are locked for `sql` alone ([`Flavour::swaps_with_table_locked`]):
    /// what runs once the lock is released, each statement as online as it can be. Elsewhere
    /// empty: the writer puts it in `sql`.
    pub after_unlock: &'a str,
}

pub trait Flavour: Sync {
    fn provider(&self) -> Provider;

    fn dialect(&self) -> Dialect {
        Dialect(self.provider())
    }

    /// Indexes built while writes go on (`CREATE INDEX CONCURRENTLY`), each alone in its
    /// migration; foreign keys and `NOT NULL` checks added `NOT VALID` and validated without
    /// blocking writes.
    fn builds_online(&self) -> bool {
        false
    }

    /// A column swap runs with its table locked against reads and writes (MySQL commits each
    /// statement): what works through the table's rows, the copy's indexes and its `NOT NULL`,
    /// is done before, while writes go on, and the old column's indexes are dropped by name
    /// (MySQL would keep what is left of an index that loses one of its columns).
    fn swaps_with_table_locked(&self) -> bool {
        false
    }

    /// A new enum value cannot be used in the transaction that adds it: values are added in a
    /// migration of their own, before the migration that uses them.
    fn adds_enum_values_apart(&self) -> bool {
        false
    }

    /// A table renamed in place with an updatable view under its old name, so that old code
    /// keeps reading and writing the same rows.
    fn renames_table_behind_view(&self) -> bool {
        false
    }

    /// Sync triggers keep a renamed column and its old one equal ([`Self::sync_trigger`]).
    fn syncs_columns(&self) -> bool {
        false
    }

    /// A table renamed as a copy kept in sync both ways by triggers.
    fn renames_table_by_copy(&self) -> bool {
        false
    }

    /// An enum value as text, to compare with a string literal.
    fn as_text(&self, value: &str) -> String {
        value.to_string()
    }

    /// `value` converted to `sql_type` (the type as the database spells it), to store in a
    /// column of that type.
    fn convert(&self, value: &str, sql_type: &str) -> String {
        cast_to(value, sql_type)
    }

    /// `a` and `b` (values of `ty`) differ, NULL counting as a value.
    fn distinct(&self, a: &str, b: &str, ty: &ColumnType) -> String;

    /// Whether casting a value from `from` to `to` (two different types) can change it.
    fn cast_can_change(&self, _from: &ColumnType, _to: &ColumnType) -> bool {
        true
    }

    /// The condition under which converting `value` from `from` to `to` changes it: it does
    /// not come back unchanged. `None` where no cast happens, or none can change it.
    fn changes_value(&self, value: &str, from: &ColumnType, to: &ColumnType) -> Option<String> {
        if from.sql() == to.sql() || !self.cast_can_change(from, to) {
            return None;
        }
        Some(self.distinct(&cast(&cast(value, to), from), value, from))
    }

    /// Triggers that keep `sync`'s two columns equal, whichever one a row's writer set (old
    /// code writes only the old column). `None`: the database cannot; the application must.
    fn sync_trigger(&self, _sync: &ColumnSync, _plan: &str) -> Option<TriggerSql> {
        None
    }

    /// The contract's first statement: it aborts the migration, changing nothing, while any
    /// row of `pending` is found. `None`: the database cannot stop a migration on a condition.
    fn contract_guard(&self, _pending: &[PendingRows]) -> Option<String> {
        None
    }

    /// One statement that fails, naming `message`, when any row of `table` matches
    /// `condition`: a script stops there before it changes a value it cannot keep. `None`:
    /// the database cannot.
    fn refuse_if_any(&self, _table: &TableRef, _condition: &str, _message: &str) -> Option<String> {
        None
    }

    /// A step's statements as a phase migration runs them while the application works on
    /// `before` (the database the migration starts from): MySQL names the algorithm that keeps
    /// writes going, so that a statement fails instead of copying the table under a lock.
    fn online(&self, _step: &Step, statements: Vec<String>, _before: &Database) -> Vec<String> {
        statements
    }

    /// `m` as a migration that applies whole or not at all, however `migrate deploy` sends
    /// it, where the database can; as it is where it cannot.
    fn atomic_migration(&self, m: &AtomicMigration) -> String {
        join(m.unlocked, m.sql)
    }
}

/// The flavour of `provider`'s databases.
pub fn of(provider: Provider) -> &'static dyn Flavour {
    match provider {
        Provider::PostgreSql => &super::postgres::Postgres,
        Provider::CockroachDb => &super::postgres::Cockroach,
        Provider::Sqlite => &super::sqlite::Sqlite,
        Provider::MySql => &super::mysql::MySql,
        // MongoDB has no SQL migrations; the planner refuses it before asking.
        Provider::SqlServer | Provider::MongoDb => &super::mssql::SqlServer,
    }
}

/// `value` as a value of type `to`.
pub fn cast(value: &str, to: &ColumnType) -> String {
    cast_to(value, &to.sql())
}

/// `value` as a value of `sql_type`, the type as the database spells it.
pub fn cast_to(value: &str, sql_type: &str) -> String {
    format!("CAST({value} AS {sql_type})")
}

/// Two parts of a migration, a blank line between them when both have statements.
pub(super) fn join(first: &str, second: &str) -> String {
    if first.is_empty() || second.is_empty() {
        format!("{first}{second}")
    } else {
        format!("{first}\n{second}")
    }
}
