//! SQLite's flavour. No procedural blocks: sync triggers are `UPDATE`s of the row just written,
//! a guard or a refusal is a count inserted into a temporary table whose `CHECK` accepts only
//! 0, and a migration is one transaction. A renamed table is a copy kept in sync both ways.

use crate::database::{ColumnType, TypeFamily};
use crate::migrate::TableRef;
use crate::schema::Provider;

use super::Dialect;
use super::flavour::{
    AtomicMigration, ColumnSync, Flavour, GUARD_HINT, PendingRows, TriggerSql, join,
};

pub struct Sqlite;

const D: Dialect = Dialect(Provider::Sqlite);

impl Flavour for Sqlite {
    fn provider(&self) -> Provider {
        Provider::Sqlite
    }

    fn renames_table_by_copy(&self) -> bool {
        true
    }

    fn syncs_columns(&self) -> bool {
        true
    }

    fn distinct(&self, a: &str, b: &str, _ty: &ColumnType) -> String {
        format!("{a} IS NOT {b}")
    }

    /// SQLite stores a value as it is, whatever the column's type, except between numbers and
    /// text: its `CAST` turns text that is no number into 0.
    fn cast_can_change(&self, from: &ColumnType, to: &ColumnType) -> bool {
        let plain = |t: &ColumnType| {
            matches!(
                t.family,
                TypeFamily::Integer(_)
                    | TypeFamily::Float
                    | TypeFamily::Decimal { .. }
                    | TypeFamily::Text { .. }
            )
        };
        plain(from) && plain(to)
    }

    fn sync_trigger(&self, r: &ColumnSync, plan: &str) -> Option<TriggerSql> {
        Some(sync_trigger(self, r, plan))
    }

    /// The guard inserts the count of pending rows into a temporary table whose CHECK only
    /// accepts 0, so the migration stops at its first statement, naming the reason.
    fn contract_guard(&self, pending: &[PendingRows]) -> Option<String> {
        let counts: Vec<String> = pending
            .iter()
            .map(|t| {
                format!(
                    "(SELECT COUNT(*) FROM {} WHERE {})",
                    D.table(&t.table),
                    t.any()
                )
            })
            .collect();
        Some(format!(
            "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\n\
CREATE TEMP TABLE \"prisma_xc_guard\" (\"pending\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: rows are not backfilled yet; {GUARD_HINT}\" CHECK (\"pending\" = 0));\n\
INSERT INTO \"prisma_xc_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_guard\";\n",
            counts.join(" + ")
        ))
    }

    fn refuse_if_any(&self, table: &TableRef, condition: &str, message: &str) -> Option<String> {
        Some(format!(
            "CREATE TEMP TABLE \"prisma_xc_refuse\" (\"rows\" INTEGER NOT NULL CHECK (\"rows\" = 0));\nINSERT INTO \"prisma_xc_refuse\" SELECT COUNT(*) FROM {} WHERE {condition};\nDROP TABLE \"prisma_xc_refuse\"; -- {}",
            D.table(table),
            crate::escape::line_comment(message)
        ))
    }

    /// Prisma runs a SQLite script statement by statement: without a transaction an
    /// application write could land between a table's copy and its drop, and a failure would
    /// leave half a migration applied. SQLite takes no table locks; the transaction's write
    /// lock is the whole database's.
    fn atomic_migration(&self, m: &AtomicMigration) -> String {
        format!(
            "-- One transaction: running applications never see this migration half-done, and a failure\n\
             -- applies nothing. Foreign keys are off for it, as for Prisma's own table redefinitions\n\
             -- (the foreign_keys PRAGMAs inside it change nothing).\n\
             PRAGMA foreign_keys=OFF;\nBEGIN IMMEDIATE;\n\n{}\n\nCOMMIT;\nPRAGMA foreign_keys=ON;\n",
            join(m.unlocked, m.sql).trim_end()
        )
    }
}

/// Three triggers per renamed column, each an `UPDATE` of the row just written. Triggers do not
/// fire themselves again (`recursive_triggers` is off), so the copy stops after one step. A
/// value the conversion would change stops the write (`RAISE(ABORT)`), as on PostgreSQL.
fn sync_trigger(flavour: &Sqlite, r: &ColumnSync, plan: &str) -> TriggerSql {
    let base = r.base_name(Provider::Sqlite);
    let table = D.table(r.table);
    let (old, new) = (D.quote(r.old_column), D.quote(r.new_column));
    let (new_old, new_new) = (format!("NEW.{old}"), format!("NEW.{new}"));
    // `when`: the write that copies this way (on insert, only into a column left empty).
    let refuse = |source: &str, from: &ColumnType, to: &ColumnType, when: &str| -> String {
        match flavour.changes_value(source, from, to) {
            Some(lossy) => format!(
                "  SELECT RAISE(ABORT, {}) WHERE {when}({lossy});\n",
                crate::escape::sql_string(
                    Provider::Sqlite,
                    &crate::escape::one_line(&r.conversion_error(to))
                )
            ),
            None => String::new(),
        }
    };
    let to_new = refuse(&new_old, r.old_type, r.new_type, "");
    let to_old = refuse(&new_new, r.new_type, r.old_type, "");
    let insert_to_new = refuse(
        &new_old,
        r.old_type,
        r.new_type,
        &format!("{new_new} IS NULL AND "),
    );
    let insert_to_old = refuse(
        &new_new,
        r.new_type,
        r.old_type,
        &format!("{new_old} IS NULL AND "),
    );
    let names = [
        format!("{base}_insert"),
        format!("{base}_old"),
        format!("{base}_new"),
    ];
    let create = format!(
        "-- {}\n\
CREATE TRIGGER {} AFTER INSERT ON {table} FOR EACH ROW WHEN {new_new} IS NULL OR {new_old} IS NULL\n\
BEGIN\n{insert_to_new}{insert_to_old}  UPDATE {table} SET {new} = coalesce({new_new}, {new_old}), {old} = coalesce({new_old}, {new_new}) WHERE rowid = NEW.rowid;\nEND;\n\
CREATE TRIGGER {} AFTER UPDATE OF {old} ON {table} FOR EACH ROW WHEN {new_old} IS NOT OLD.{old} AND {new_new} IS OLD.{new}\n\
BEGIN\n{to_new}  UPDATE {table} SET {new} = {new_old} WHERE rowid = NEW.rowid;\nEND;\n\
CREATE TRIGGER {} AFTER UPDATE OF {new} ON {table} FOR EACH ROW WHEN {new_new} IS NOT OLD.{new} AND {new_old} IS OLD.{old}\n\
BEGIN\n{to_old}  UPDATE {table} SET {old} = {new_new} WHERE rowid = NEW.rowid;\nEND;\n",
        r.comment(plan),
        D.quote(&names[0]),
        D.quote(&names[1]),
        D.quote(&names[2]),
    );
    let mut drop = String::from("-- DropSyncTrigger\n");
    for n in &names {
        drop.push_str(&format!("DROP TRIGGER IF EXISTS {};\n", D.quote(n)));
    }
    TriggerSql {
        recreate: create.clone(),
        create,
        drop,
    }
}

/// One table copied, and kept in sync, by a plan: the renamed-model recipe on SQLite, where a
/// view cannot stand in for the old table (an insert through a view returns no generated key).
#[derive(Debug, Clone)]
pub struct TableCopy {
    pub from: TableRef,
    pub to: TableRef,
    /// The columns both tables have, in the new table's order.
    pub columns: Vec<String>,
    /// The new table's primary key: how a row of one table finds itself in the other.
    pub key: Vec<String>,
}

/// The SQL of a set of table copies.
#[derive(Debug, Default)]
pub struct CopySql {
    /// Fills the new tables; runs in the expand, after they are created.
    pub copy: Vec<String>,
    /// Fills the old tables again from the new ones; the contract's way back.
    pub copy_back: Vec<String>,
    /// The sync triggers, each a whole `CREATE TRIGGER ... END` statement.
    pub create_triggers: Vec<String>,
    pub drop_triggers: Vec<String>,
    /// The contract's guard: it stops the contract while the two tables of a copy differ.
    pub guard: Option<String>,
}

/// Each copy's rows copied, and triggers on both tables that repeat each insert, update and
/// delete on the other. SQLite runs one writer at a time and a trigger inside its statement's
/// transaction, so the two tables never differ between statements, and an id one side
/// generates is the id the other side stores. Each trigger acts only where the other table
/// differs, so the echo of a write stops after one round.
pub fn table_copies(copies: &[TableCopy]) -> CopySql {
    let mut out = CopySql::default();
    let mut out_of_sync = Vec::new();
    for c in copies {
        let (from, to) = (D.table(&c.from), D.table(&c.to));
        let columns: Vec<String> = c.columns.iter().map(|n| D.quote(n)).collect();
        let list = columns.join(", ");
        out.copy.push(format!(
            "INSERT INTO {to} ({list}) SELECT {list} FROM {from}"
        ));
        out.copy_back.push(format!(
            "INSERT INTO {from} ({list}) SELECT {list} FROM {to}"
        ));
        let same_key = |a: &str, b: &str| -> String {
            c.key
                .iter()
                .map(|k| format!("{a}.{k} = {b}.{k}", k = D.quote(k)))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        for (source, target, source_ref, target_ref) in
            [(&from, &to, &c.from, &c.to), (&to, &from, &c.to, &c.from)]
        {
            let name = |event: &str| {
                D.quote(&crate::database::constraint_name(
                    &source_ref.name,
                    &[&target_ref.name],
                    &format!("xc_copy_{event}"),
                    Provider::Sqlite,
                ))
            };
            let values: Vec<String> = columns.iter().map(|c| format!("NEW.{c}")).collect();
            let differs: Vec<String> = columns
                .iter()
                .map(|col| format!("{target}.{col} IS NOT NEW.{col}"))
                .collect();
            let sets: Vec<String> = columns
                .iter()
                .map(|col| format!("{col} = NEW.{col}"))
                .collect();
            out.create_triggers.push(format!(
                "CREATE TRIGGER {} AFTER INSERT ON {source}\nWHEN NOT EXISTS (SELECT 1 FROM {target} WHERE {})\nBEGIN\n  INSERT INTO {target} ({list}) VALUES ({});\nEND",
                name("insert"),
                same_key(target, "NEW"),
                values.join(", ")
            ));
            out.create_triggers.push(format!(
                "CREATE TRIGGER {} AFTER UPDATE ON {source}\nBEGIN\n  UPDATE {target} SET {} WHERE {} AND ({});\nEND",
                name("update"),
                sets.join(", "),
                same_key(target, "OLD"),
                differs.join(" OR ")
            ));
            out.create_triggers.push(format!(
                "CREATE TRIGGER {} AFTER DELETE ON {source}\nBEGIN\n  DELETE FROM {target} WHERE {};\nEND",
                name("delete"),
                same_key(target, "OLD")
            ));
            for event in ["insert", "update", "delete"] {
                out.drop_triggers
                    .push(format!("DROP TRIGGER IF EXISTS {}", name(event)));
            }
            out_of_sync.push(format!(
                "(SELECT COUNT(*) FROM {source} AS a WHERE NOT EXISTS (SELECT 1 FROM {target} AS b WHERE {}))",
                same_key("b", "a")
            ));
        }
    }
    if !out_of_sync.is_empty() {
        out.guard = Some(format!(
            "-- ContractGuard (aborts this migration, changing nothing, while the copied tables differ)\n\
CREATE TEMP TABLE \"prisma_xc_copy_guard\" (\"missing\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: the renamed table and the old one do not hold the same rows; check the copy triggers are in place\" CHECK (\"missing\" = 0));\n\
INSERT INTO \"prisma_xc_copy_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_copy_guard\";\n",
            out_of_sync.join(" + ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::table_ref as table;

    #[test]
    fn copy_triggers_echo_each_write_once_and_the_guard_counts_both_ways() {
        let sql = table_copies(&[TableCopy {
            from: table("Person"),
            to: table("User"),
            columns: vec!["id".into(), "email".into()],
            key: vec!["id".into()],
        }]);
        assert_eq!(
            sql.copy,
            ["INSERT INTO \"User\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"Person\""]
        );
        assert_eq!(sql.create_triggers.len(), 6);
        assert_eq!(sql.drop_triggers.len(), 6);
        // An insert is repeated only where the row is missing: the echo stops there.
        assert!(
            sql.create_triggers[0].contains(
                "WHEN NOT EXISTS (SELECT 1 FROM \"User\" WHERE \"User\".\"id\" = NEW.\"id\")"
            ),
            "{}",
            sql.create_triggers[0]
        );
        // An update only where something differs.
        assert!(
            sql.create_triggers[1].contains("\"User\".\"email\" IS NOT NEW.\"email\""),
            "{}",
            sql.create_triggers[1]
        );
        let guard = sql.guard.unwrap();
        assert_eq!(guard.matches("SELECT COUNT(*)").count(), 2, "{guard}");
        assert!(table_copies(&[]).guard.is_none());
    }

    #[test]
    fn a_refusal_is_a_count_a_check_accepts_only_at_zero() {
        let sql = Sqlite
            .refuse_if_any(&table("a\"b"), "x > 1", "no\nnewline")
            .unwrap();
        assert!(sql.contains("FROM \"a\"\"b\" WHERE x > 1"), "{sql}");
        assert!(!sql.contains("no\nnewline"), "{sql}");
    }
}
