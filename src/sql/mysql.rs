//! MySQL's (and MariaDB's) flavour. MySQL commits each DDL statement as it goes, so a phase
//! migration cannot apply whole; instead every statement says how it runs beside the
//! application (`ALGORITHM=INSTANT`, or `INPLACE` with `LOCK=NONE`), and MySQL refuses it
//! rather than copying the table under a lock where it cannot. A migration waits at most
//! `lock_wait_timeout` for a table's metadata lock, behind which all traffic would queue. Sync
//! triggers are `BEFORE INSERT` and `BEFORE UPDATE` triggers that set `NEW` columns; the
//! contract's guard inserts the count of pending rows into a temporary table whose `CHECK`
//! accepts only 0 (MySQL 8 has no anonymous block to `SIGNAL` from, and a procedure created
//! for it would stay behind when it fires), so it stops the migration before its first change.

use crate::database::{ColumnType, Database, ForeignKey, TypeFamily};
use crate::migrate::{Step, TableChange, TableRef};
use crate::schema::{Provider, ReferentialAction};

use super::Dialect;
use super::flavour::{AtomicMigration, ColumnSync, Flavour, PendingRows, TriggerSql, join};

pub struct MySql;

const D: Dialect = Dialect(Provider::MySql);

/// The name of the guard's `CHECK`: the text MySQL's error quotes (an identifier, at most 64
/// characters).
const GUARD_CHECK: &str = "prisma-xc guard: rows not backfilled; run 3-backfill first";
const REFUSE_CHECK: &str = "prisma-xc refused this step: read the comment above it";

impl Flavour for MySql {
    fn provider(&self) -> Provider {
        Provider::MySql
    }

    fn syncs_columns(&self) -> bool {
        true
    }

    fn swaps_with_table_locked(&self) -> bool {
        true
    }

    fn distinct(&self, a: &str, b: &str, _ty: &ColumnType) -> String {
        format!("NOT ({a} <=> {b})")
    }

    /// MySQL's `CAST` has its own short list of target types; a value stored in a column is
    /// converted to the column's type anyway (and refused in strict mode where it does not fit).
    fn convert(&self, value: &str, _sql_type: &str) -> String {
        value.to_string()
    }

    /// MySQL's `CAST` knows only a few target types: a value converts unchanged when its text
    /// comes back the same from the column type it is stored as.
    fn changes_value(&self, value: &str, from: &ColumnType, to: &ColumnType) -> Option<String> {
        if from.sql() == to.sql() {
            return None;
        }
        let target = cast_target(to)?;
        Some(format!(
            "NOT (CAST(CAST({value} AS {target}) AS CHAR) <=> CAST({value} AS CHAR))"
        ))
    }

    fn sync_trigger(&self, r: &ColumnSync, plan: &str) -> Option<TriggerSql> {
        Some(sync_trigger(r, plan))
    }

    fn contract_guard(&self, pending: &[PendingRows]) -> Option<String> {
        let counts: Vec<String> = (pending.iter())
            .map(|t| {
                format!(
                    "EXISTS (SELECT 1 FROM {} WHERE {})",
                    D.table(&t.table),
                    t.any()
                )
            })
            .collect();
        let reasons: String = (pending.iter())
            .flat_map(|t| {
                t.conditions.iter().map(|(_, why)| {
                    format!(
                        "--   {}\n",
                        crate::escape::line_comment(&format!("{}: {why}", t.table.name))
                    )
                })
            })
            .collect();
        Some(format!(
            "-- ContractGuard (stops this migration before its first change while any row is out of sync:\n\
             -- the INSERT fails on the CHECK, whose name says what to do). Rows it looks for:\n{reasons}{}",
            refusal("xc_contract_guard", GUARD_CHECK, &counts.join(" + "))
                .iter()
                .map(|s| format!("{s};\n"))
                .collect::<String>()
        ))
    }

    fn refuse_if_any(&self, table: &TableRef, condition: &str, message: &str) -> Option<String> {
        Some(format!(
            "-- {}\n{}",
            crate::escape::line_comment(message),
            refusal(
                "xc_refuse",
                REFUSE_CHECK,
                &format!(
                    "EXISTS (SELECT 1 FROM {} WHERE {condition})",
                    D.table(table)
                )
            )
            // The caller ends the last statement.
            .join(";\n")
        ))
    }

    fn online(&self, step: &Step, statements: Vec<String>, before: &Database) -> Vec<String> {
        match step {
            Step::AlterTable { table, changes } if table.is_in(before) => {
                let clause = match table_lock(changes) {
                    Some(BlockingAlter::Copy) => "ALGORITHM=COPY, LOCK=SHARED",
                    Some(BlockingAlter::Rebuild) => "ALGORITHM=INPLACE, LOCK=SHARED",
                    None if changes
                        .iter()
                        .all(|c| matches!(c, TableChange::AddColumn(_))) =>
                    {
                        "ALGORITHM=INSTANT"
                    }
                    None => INPLACE,
                };
                statements
                    .into_iter()
                    .map(|s| format!("{s},\n    {clause}"))
                    .collect()
            }
            Step::CreateIndex { table, .. } if table.is_in(before) => statements
                .into_iter()
                .map(|s| format!("{s} ALGORITHM=INPLACE LOCK=NONE"))
                .collect(),
            // `DROP INDEX ... ON` takes no algorithm in MariaDB: the same as an `ALTER TABLE`.
            Step::DropIndex { table, index } if table.is_in(before) => vec![format!(
                "ALTER TABLE {} DROP INDEX {},\n    {INPLACE}",
                D.table(table),
                D.quote(&index.name)
            )],
            Step::DropForeignKey { table, .. } | Step::RenameIndex { table, .. }
                if table.is_in(before) =>
            {
                (statements.into_iter())
                    .map(|s| format!("{s},\n    {INPLACE}"))
                    .collect()
            }
            Step::AddForeignKey { table, foreign_key }
                if table.is_in(before) && copies_foreign_key(foreign_key) =>
            {
                (statements.into_iter())
                    .map(|s| format!("{s},\n    ALGORITHM=COPY, LOCK=SHARED"))
                    .collect()
            }
            // Checked without a lock first, then added in place, which MySQL does only with
            // its checks off; the check cannot see rows written between the two.
            Step::AddForeignKey { table, foreign_key } if table.is_in(before) => {
                let parent = TableRef {
                    schema: foreign_key.referenced_schema.clone(),
                    name: foreign_key.referenced_table.clone(),
                };
                let matches: Vec<String> = (foreign_key.columns.iter())
                    .zip(&foreign_key.referenced_columns)
                    .map(|(c, r)| {
                        format!(
                            "xc_parent.{} = {}.{}",
                            D.quote(r),
                            D.table(table),
                            D.quote(c)
                        )
                    })
                    .collect();
                let set: Vec<String> = (foreign_key.columns.iter())
                    .map(|c| format!("{}.{} IS NOT NULL", D.table(table), D.quote(c)))
                    .collect();
                let orphans = format!(
                    "{} AND NOT EXISTS (SELECT 1 FROM {} AS xc_parent WHERE {})",
                    set.join(" AND "),
                    D.table(&parent),
                    matches.join(" AND ")
                );
                let check = self
                    .refuse_if_any(
                        table,
                        &orphans,
                        &format!(
                            "AddForeignKey {}: rows of {} reference no row of {}; fix them and deploy again",
                            foreign_key.name, table.name, parent.name
                        ),
                    )
                    .expect("MySQL refuses");
                let mut out = vec![check, "SET foreign_key_checks = 0".to_string()];
                out.extend(
                    statements
                        .into_iter()
                        .map(|s| format!("{s},\n    {INPLACE}")),
                );
                out.push("SET foreign_key_checks = 1".to_string());
                out
            }
            _ => statements,
        }
    }

    /// MySQL commits each DDL statement: the migration cannot apply whole. Each statement
    /// waits at most the lock timeout for its table.
    fn atomic_migration(&self, m: &AtomicMigration) -> String {
        let sql = match m.locks {
            Some((_, tables)) if m.exclusive && !tables.is_empty() => {
                let locks: Vec<String> = (tables.iter())
                    .map(|t| format!("{} WRITE", D.table(t)))
                    .collect();
                let unlocked = format!(
                    "-- LockTables (no write may land between these statements: MySQL commits each one)\n\
                     LOCK TABLES {};\n\n{}\nUNLOCK TABLES;\n",
                    locks.join(", "),
                    m.sql.trim_end()
                );
                join(&unlocked, m.after_unlock)
            }
            _ => join(m.sql, m.after_unlock),
        };
        format!(
            "-- Fail fast instead of queueing all traffic behind an ALTER waiting for its table.\n\
             SET SESSION lock_wait_timeout = {};\n\n{}",
            lock_wait_seconds(m.lock_timeout),
            join(m.unlocked, &sql)
        )
    }
}

/// The clause of a statement that runs beside writes, or fails.
const INPLACE: &str = "ALGORITHM=INPLACE, LOCK=NONE";

/// An `ALTER TABLE` MySQL cannot run beside writes: reads go on (`LOCK=SHARED`), writes wait
/// until the table is rebuilt. The statement says so instead of letting MySQL choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockingAlter {
    /// A column's type changes (or an enum loses or reorders values): the rows are copied
    /// into a new table.
    Copy,
    /// A new `AUTO_INCREMENT` column: rebuilt in place, but with writes stopped.
    Rebuild,
}

/// Whether a foreign key is added by copying its table: MariaDB records a `RESTRICT` action
/// of a key added in place as `NO ACTION` (what Prisma would then see as drift), and Prisma's
/// default `onDelete` on MySQL is `Restrict`.
pub fn copies_foreign_key(foreign_key: &ForeignKey) -> bool {
    [foreign_key.on_delete, foreign_key.on_update].contains(&ReferentialAction::Restrict)
}

/// Whether MySQL must stop writes to make `changes` (see [`BlockingAlter`]).
pub fn table_lock(changes: &[TableChange]) -> Option<BlockingAlter> {
    let mut lock = None;
    for change in changes {
        match change {
            TableChange::AlterColumn { previous, next }
                if !type_changes_in_place(&previous.column_type, &next.column_type) =>
            {
                return Some(BlockingAlter::Copy);
            }
            TableChange::AddColumn(c) if c.autoincrement => lock = Some(BlockingAlter::Rebuild),
            _ => {}
        }
    }
    lock
}

/// The type changes MySQL and MariaDB make without copying the table: none, an enum that
/// gains values at its end, a `VARCHAR` that grows within the same length prefix (up to 255
/// bytes, 63 characters of utf8mb4, or beyond).
fn type_changes_in_place(from: &ColumnType, to: &ColumnType) -> bool {
    let (from_sql, to_sql) = (from.sql(), to.sql());
    if from_sql == to_sql {
        return true;
    }
    match (&from.family, &to.family) {
        (TypeFamily::Enum(_), TypeFamily::Enum(_)) => {
            let kept = from_sql.trim_end_matches(')');
            to_sql.starts_with(kept) && to_sql[kept.len()..].starts_with(", ")
        }
        (
            TypeFamily::Text {
                fixed: false,
                length: Some(a),
            },
            TypeFamily::Text {
                fixed: false,
                length: Some(b),
            },
        ) => {
            let varchar = |t: &str| t.to_ascii_uppercase().starts_with("VARCHAR(");
            varchar(&from_sql) && varchar(&to_sql) && b >= a && ((*b <= 63) == (*a <= 63))
        }
        _ => false,
    }
}

/// The statements (unterminated) that fail, naming `check`, when `count` (an SQL expression)
/// is not 0. A temporary table leaves nothing behind, even when it fires. The count is read
/// first, as a plain (non-locking) read: `INSERT ... SELECT` would lock the rows it reads
/// against writes.
fn refusal(table: &str, check: &str, count: &str) -> [String; 5] {
    let table = D.quote(table);
    [
        format!("SET @xc_pending = {count}"),
        format!("DROP TEMPORARY TABLE IF EXISTS {table}"),
        format!(
            "CREATE TEMPORARY TABLE {table} (`pending` INTEGER NOT NULL, CONSTRAINT {} CHECK (`pending` = 0))",
            D.quote(check)
        ),
        format!("INSERT INTO {table} (`pending`) VALUES (@xc_pending)"),
        format!("DROP TEMPORARY TABLE {table}"),
    ]
}

/// `lock_timeout` (PostgreSQL's spelling: `5s`, `500ms`, `1min`) in whole seconds, at least
/// one: MySQL's `lock_wait_timeout` counts seconds.
pub fn lock_wait_seconds(lock_timeout: &str) -> u64 {
    let split = lock_timeout
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(lock_timeout.len());
    let number: f64 = lock_timeout[..split].parse().unwrap_or(5.0);
    let seconds = match &lock_timeout[split..] {
        "us" => number / 1_000_000.0,
        "ms" | "" => number / 1000.0,
        "min" => number * 60.0,
        "h" => number * 3600.0,
        "d" => number * 86_400.0,
        _ => number,
    };
    (seconds.ceil() as u64).max(1)
}

/// The type MySQL's `CAST` converts to that keeps what the column type keeps. `None` where
/// there is none (enums, JSON): such a value is compared as it is stored.
fn cast_target(ty: &ColumnType) -> Option<String> {
    let unsigned = ty.base.to_ascii_uppercase().contains("UNSIGNED");
    Some(match &ty.family {
        TypeFamily::Integer(_) if unsigned => "UNSIGNED".into(),
        TypeFamily::Integer(_) => "SIGNED".into(),
        TypeFamily::Decimal {
            precision: Some(p),
            scale,
        } => format!("DECIMAL({p},{})", scale.unwrap_or(0)),
        TypeFamily::Decimal { .. } => "DECIMAL(65,30)".into(),
        TypeFamily::Float => "DOUBLE".into(),
        TypeFamily::Text {
            length: Some(n), ..
        } => format!("CHAR({n})"),
        TypeFamily::Text { length: None, .. } => "CHAR".into(),
        TypeFamily::DateTime => ty.base.replace("TIMESTAMP", "DATETIME"),
        TypeFamily::Boolean => "SIGNED".into(),
        TypeFamily::Bytes => "BINARY".into(),
        TypeFamily::Json | TypeFamily::Enum(_) | TypeFamily::Other => return None,
    })
}

/// Two triggers per renamed column. On insert each column the writer left empty takes the
/// other's value; on update the column that changed is copied to the one that did not. A
/// value the conversion between the two types would change stops the write (`SIGNAL`), as on
/// PostgreSQL.
fn sync_trigger(r: &ColumnSync, plan: &str) -> TriggerSql {
    let table = D.table(r.table);
    let (old, new) = (
        format!("NEW.{}", D.quote(r.old_column)),
        format!("NEW.{}", D.quote(r.new_column)),
    );
    let (was_old, was_new) = (
        format!("OLD.{}", D.quote(r.old_column)),
        format!("OLD.{}", D.quote(r.new_column)),
    );
    // MySQL converts a value assigned to a column to the column's type; where the types differ
    // the value must read back the same.
    let assign = |target: &str, source: &str, to: &ColumnType| -> String {
        let set = format!("SET {target} = {source};");
        if !r.converts() {
            return set;
        }
        format!(
            "{set}\n      IF NOT (CAST({target} AS CHAR) <=> CAST({source} AS CHAR)) THEN\n        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {};\n      END IF;",
            crate::escape::sql_string(
                Provider::MySql,
                &signal_text(&crate::escape::one_line(&r.conversion_error(to)))
            )
        )
    };
    let to_new = assign(&new, &old, r.new_type);
    let to_old = assign(&old, &new, r.old_type);
    let name = |suffix: &str| {
        crate::database::owned_name(
            &format!("{}_{}", r.table.name, r.new_column),
            suffix,
            Provider::MySql,
        )
    };
    let (on_insert, on_update) = (name("xc_sync_ins"), name("xc_sync_upd"));
    let insert = format!(
        "CREATE TRIGGER {} BEFORE INSERT ON {table} FOR EACH ROW\nBEGIN\n  IF {new} IS NULL THEN\n      {to_new}\n  END IF;\n  IF {old} IS NULL THEN\n      {to_old}\n  END IF;\nEND",
        D.quote(&on_insert)
    );
    let update = format!(
        "CREATE TRIGGER {} BEFORE UPDATE ON {table} FOR EACH ROW\nBEGIN\n  IF NOT ({old} <=> {was_old}) AND ({new} <=> {was_new}) THEN\n      {to_new}\n  ELSEIF NOT ({new} <=> {was_new}) AND ({old} <=> {was_old}) THEN\n      {to_old}\n  END IF;\nEND",
        D.quote(&on_update)
    );
    let comment = r.comment(plan);
    TriggerSql {
        create: format!("-- {comment}\n{insert};\n{update};\n"),
        // The `mysql` client ends a statement at `;` unless told another delimiter.
        recreate: format!("-- {comment}\nDELIMITER //\n{insert}//\n{update}//\nDELIMITER ;\n"),
        drop: format!(
            "-- DropSyncTrigger\nDROP TRIGGER IF EXISTS {};\nDROP TRIGGER IF EXISTS {};\n",
            D.quote(&on_insert),
            D.quote(&on_update)
        ),
    }
}

/// A `SIGNAL`'s `MESSAGE_TEXT`: at most 128 characters.
fn signal_text(message: &str) -> String {
    match message.char_indices().nth(125) {
        Some((at, _)) => format!("{}...", &message[..at]),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{column_type as ty, table_ref as table};

    #[test]
    fn lock_timeouts_become_whole_seconds() {
        for (timeout, seconds) in [
            ("5s", 5),
            ("500ms", 1),
            ("1min", 60),
            ("2500", 3),
            ("0.2s", 1),
        ] {
            assert_eq!(lock_wait_seconds(timeout), seconds, "{timeout}");
        }
    }

    #[test]
    fn the_guard_names_its_check_and_leaves_nothing_behind() {
        let guard = MySql
            .contract_guard(&[PendingRows {
                table: table("User"),
                conditions: vec![("`b` IS NULL", "it's\nnew")],
            }])
            .unwrap();
        assert!(
            guard.contains("CREATE TEMPORARY TABLE `xc_contract_guard`"),
            "{guard}"
        );
        assert!(
            guard.contains("SET @xc_pending = EXISTS (SELECT 1 FROM `User` WHERE (`b` IS NULL));"),
            "{guard}"
        );
        assert!(guard.contains("--   User: it's\\nnew\n"), "{guard}");
        assert!(
            guard.ends_with("DROP TEMPORARY TABLE `xc_contract_guard`;\n"),
            "{guard}"
        );
        assert!(GUARD_CHECK.len() <= 64 && REFUSE_CHECK.len() <= 64);
    }

    #[test]
    fn statements_name_an_online_algorithm_on_existing_tables_only() {
        let existing = crate::test_support::database_with_table(Provider::MySql, "User");
        let add = Step::AlterTable {
            table: table("User"),
            changes: vec![TableChange::DropColumn { name: "a".into() }],
        };
        let got = MySql.online(
            &add,
            vec!["ALTER TABLE `User` DROP COLUMN `a`".into()],
            &existing,
        );
        assert_eq!(
            got,
            ["ALTER TABLE `User` DROP COLUMN `a`,\n    ALGORITHM=INPLACE, LOCK=NONE"]
        );
        let elsewhere = Step::AlterTable {
            table: table("New"),
            changes: vec![TableChange::DropColumn { name: "a".into() }],
        };
        let got = MySql.online(&elsewhere, vec!["X".into()], &existing);
        assert_eq!(got, ["X"]);
        // A new AUTO_INCREMENT column stops writes, whatever else the statement does: it says
        // so, as the plan's report does.
        let serial = crate::database::Column {
            name: "n".into(),
            column_type: ty("INTEGER", TypeFamily::Integer(4)),
            nullable: false,
            default: None,
            autoincrement: true,
        };
        let add = Step::AlterTable {
            table: table("User"),
            changes: vec![TableChange::AddColumn(serial)],
        };
        let got = MySql.online(&add, vec!["ALTER".into()], &existing);
        assert_eq!(got, ["ALTER,\n    ALGORITHM=INPLACE, LOCK=SHARED"]);
    }

    #[test]
    fn sync_triggers_compare_null_safely_and_signal_a_changed_value() {
        let (int, text) = (
            ty("INTEGER", TypeFamily::Integer(4)),
            ty(
                "VARCHAR(191)",
                TypeFamily::Text {
                    fixed: false,
                    length: Some(191),
                },
            ),
        );
        let t = table("User");
        let sync = ColumnSync {
            table: &t,
            old_column: "a",
            new_column: "b",
            old_type: &text,
            new_type: &int,
        };
        let sql = MySql.sync_trigger(&sync, "p").unwrap();
        assert!(
            sql.create.contains("BEFORE INSERT ON `User`"),
            "{}",
            sql.create
        );
        assert!(
            sql.create
                .contains("NOT (NEW.`a` <=> OLD.`a`) AND (NEW.`b` <=> OLD.`b`)")
        );
        assert!(sql.create.contains("SIGNAL SQLSTATE '45000'"));
        assert!(sql.recreate.starts_with("-- ") && sql.recreate.contains("DELIMITER //\n"));
        assert_eq!(sql.drop.matches("DROP TRIGGER IF EXISTS").count(), 2);
    }
}
