//! The renamed-model recipe (XC104) on SQLite, where a view cannot stand in for the old table
//! (an insert through a view returns no generated key, so old code's creates would break).
//!
//! The expand creates the new table beside the old one, copies every row into it, and installs
//! triggers on both tables that repeat each insert, update and delete on the other: old code
//! keeps writing the old table, new code the new one, and both see every row. SQLite runs one
//! writer at a time and a trigger inside its statement's transaction, so the two tables never
//! differ between statements, and an id one side generates is the id the other side stores.
//! Each trigger acts only where the other table differs, so the echo of a write stops after one
//! round. The relations stay on the old table until the contract, which checks the two tables
//! hold the same rows, drops the triggers and the old table, and points the foreign keys at the
//! new one.

use crate::database::Table;
use crate::migrate::TableRef;
use crate::schema::Provider;
use crate::sql::Dialect;

/// One table copied, and kept in sync, by the plan.
#[derive(Debug, Clone)]
pub(super) struct TableCopy {
    pub from: TableRef,
    pub to: TableRef,
    /// The columns both tables have, in the new table's order.
    pub columns: Vec<String>,
    /// The new table's primary key: how a row of one table finds itself in the other.
    pub key: Vec<String>,
}

/// What a new table needs to be a copy of the old one, or why it cannot be.
pub(super) fn copy_of(old: &Table, new: &Table) -> Result<TableCopy, String> {
    let key: Vec<String> = new
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    if key.is_empty() || key.iter().any(|k| old.column(k).is_none()) {
        return Err(format!(
            "table \"{}\" has no primary key that the old table \"{}\" has too, to match the rows of the two by",
            new.name, old.name
        ));
    }
    if let Some(c) = new.columns.iter().find(|c| {
        old.column(&c.name).is_none() && !c.nullable && c.default.is_none() && !c.autoincrement
    }) {
        return Err(format!(
            "column \"{}\" of the renamed table is new and required without a default: rename first, add it in a plan of its own",
            c.name
        ));
    }
    Ok(TableCopy {
        from: TableRef::of(old),
        to: TableRef::of(new),
        columns: new
            .columns
            .iter()
            .filter(|c| old.column(&c.name).is_some())
            .map(|c| c.name.clone())
            .collect(),
        key,
    })
}

/// The SQL of a set of table copies.
#[derive(Debug, Default)]
pub(super) struct CopySql {
    /// Fills the new tables; runs in the expand, after they are created.
    pub copy: Vec<String>,
    /// Fills the old tables again from the new ones; the contract's way back.
    pub copy_back: Vec<String>,
    /// The sync triggers, each a whole `CREATE TRIGGER ... END` statement.
    pub create_triggers: Vec<String>,
    pub drop_triggers: Vec<String>,
    /// Counts the rows one table has and the other lacks; the contract's guard wants 0.
    pub out_of_sync: Vec<String>,
}

pub(super) fn sql(copies: &[TableCopy]) -> CopySql {
    let d = Dialect(Provider::Sqlite);
    let mut out = CopySql::default();
    for c in copies {
        let (from, to) = (d.table(&c.from), d.table(&c.to));
        let columns: Vec<String> = c.columns.iter().map(|n| d.quote(n)).collect();
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
                .map(|k| format!("{a}.{k} = {b}.{k}", k = d.quote(k)))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        for (source, target, source_ref, target_ref) in
            [(&from, &to, &c.from, &c.to), (&to, &from, &c.to, &c.from)]
        {
            let name = |event: &str| {
                d.quote(&crate::database::constraint_name(
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
            out.out_of_sync.push(format!(
                "(SELECT COUNT(*) FROM {source} AS a WHERE NOT EXISTS (SELECT 1 FROM {target} AS b WHERE {}))",
                same_key("b", "a")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn table(src: &str, name: &str) -> Table {
        let mut sources = crate::diagnostics::Sources::default();
        sources.add(crate::diagnostics::SourceFile::new(
            "schema.prisma",
            src.to_string(),
        ));
        let loaded = crate::load(&sources);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let schema: &Schema = &loaded.schema;
        crate::database::lower(schema)
            .unwrap()
            .tables
            .into_iter()
            .find(|t| t.name == name)
            .unwrap()
    }

    const DS: &str = "datasource db {\n  provider = \"sqlite\"\n  url = \"file:dev.db\"\n}\n";

    #[test]
    fn triggers_echo_each_write_once_and_the_guard_counts_both_ways() {
        let old = table(
            &format!(
                "{DS}model Person {{\n  id Int @id @default(autoincrement())\n  email String @unique\n}}\n"
            ),
            "Person",
        );
        let new = table(
            &format!(
                "{DS}model User {{\n  id Int @id @default(autoincrement())\n  email String @unique\n  nick String?\n}}\n"
            ),
            "User",
        );
        let copy = copy_of(&old, &new).unwrap();
        assert_eq!(copy.columns, ["id", "email"]);
        let sql = sql(&[copy]);
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
        assert_eq!(sql.out_of_sync.len(), 2);
        // A new required column without a default cannot be copied into.
        let strict = table(
            &format!("{DS}model User {{\n  id Int @id\n  email String\n  nick String\n}}\n"),
            "User",
        );
        assert!(copy_of(&old, &strict).unwrap_err().contains("nick"));
    }
}
