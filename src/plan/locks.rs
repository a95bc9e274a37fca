//! The contract statements that hold a table's exclusive lock for as long as they work through
//! its rows, which no order of steps avoids (a new primary key does not: its index is built
//! `CONCURRENTLY` first): PLAN.md and the report name each, with why, so the
//! moment can be chosen (`scripts/lock-bench` measures them on 1,000,000 rows).

use super::gathered::TypeSwap;
use crate::database::Database;
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;

/// One sentence per such statement of `steps` (a contract's, starting from `before`, with
/// its column `swaps`), on `provider`.
pub fn long_locks(
    provider: Provider,
    steps: &[Step],
    swaps: &[TypeSwap],
    before: &Database,
) -> Vec<String> {
    if provider == Provider::MySql {
        let mut out = mysql_long_locks("contract", steps, before);
        // The swap runs under `LOCK TABLES` (see `AtomicMigration::exclusive`).
        out.extend(swaps.iter().map(|swap| format!(
            "the contract swaps the new-typed copy of `{}`.`{}` into place with its table locked (`LOCK TABLES ... WRITE`): MySQL cannot drop the sync triggers, drop the old column and rename the copy in one transaction, and a write between them would be lost; reads and writes wait while it drops the old column (instant on MariaDB 10.4 and MySQL 8.0.29 or later, a rebuild before)",
            swap.table.name, swap.column
        )));
        return out;
    }
    if !matches!(provider, Provider::PostgreSql | Provider::CockroachDb) {
        return Vec::new();
    }
    let table = |t: &TableRef| match &t.schema {
        Some(s) => format!("{s}.{}", t.name),
        None => t.name.clone(),
    };
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::AlterEnum(a) if !a.removed.is_empty() && !a.columns.is_empty() => {
                let columns: Vec<String> = (a.columns.iter())
                    .map(|c| format!("`{}.{}`", table(&c.table), c.column))
                    .collect();
                out.push(format!(
                    "the contract rebuilds enum `{}` without {}: PostgreSQL cannot remove an enum value in place, so {} {} rewritten, indexes included, under an exclusive lock; queries on {} wait while it runs (about 0.8 s per 1,000,000 rows)",
                    a.name,
                    (a.removed.iter()).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
                    columns.join(", "),
                    if columns.len() == 1 { "is" } else { "are" },
                    if columns.len() == 1 { "that table" } else { "those tables" },
                ));
            }
            _ => {}
        }
    }
    out
}

/// MySQL's: every `ALTER TABLE` of `steps` (a `phase`'s) that stops writes while it rebuilds
/// or copies its table, with the tools MySQL users run such a change with instead.
pub fn mysql_long_locks(phase: &str, steps: &[Step], before: &Database) -> Vec<String> {
    use crate::migrate::TableChange;
    use crate::sql::mysql::{BlockingAlter, copies_foreign_key, table_lock};
    let mut out = Vec::new();
    for step in steps {
        if let Step::AddForeignKey { table, foreign_key } = step
            && copies_foreign_key(foreign_key)
            && table.is_in(before)
        {
            out.push(format!(
                "the {phase} adds foreign key `{}` to table `{}` by copying the table (`ALGORITHM=COPY, LOCK=SHARED`): MySQL adds a key in place only unchecked, and MariaDB then records its `Restrict` action as `NoAction`; reads go on and writes wait until it is done. On a large, busy table add it with gh-ost or pt-online-schema-change instead",
                foreign_key.name, table.name
            ));
            continue;
        }
        let Step::AlterTable { table, changes } = step else {
            continue;
        };
        let Some(lock) = table_lock(changes) else {
            continue;
        };
        let columns: Vec<String> = (changes.iter())
            .filter_map(|c| match c {
                TableChange::AlterColumn { previous, next }
                    if previous.column_type.sql() != next.column_type.sql() =>
                {
                    Some(format!(
                        "`{}` from `{}` to `{}`",
                        next.name,
                        previous.column_type.sql(),
                        next.column_type.sql()
                    ))
                }
                TableChange::AddColumn(c) if c.autoincrement => {
                    Some(format!("new `AUTO_INCREMENT` column `{}`", c.name))
                }
                _ => None,
            })
            .collect();
        let how = match lock {
            BlockingAlter::Copy => {
                "copies the table's rows into a new table (`ALGORITHM=COPY, LOCK=SHARED`)"
            }
            BlockingAlter::Rebuild => "rebuilds the table (`ALGORITHM=INPLACE, LOCK=SHARED`)",
        };
        out.push(format!(
            "the {phase} changes table `{}` ({}), which MySQL cannot do beside writes: it {how}; reads go on and writes wait until it is done. On a large, busy table run that statement with gh-ost or pt-online-schema-change instead",
            table.name,
            columns.join(", ")
        ));
    }
    out
}
