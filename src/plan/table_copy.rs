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
//! new one. The SQL of all this is SQLite's flavour's (`crate::sql::sqlite::table_copies`).

use crate::database::Table;
use crate::migrate::TableRef;
use crate::sql::sqlite::TableCopy;

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
    fn a_copy_takes_the_columns_both_tables_have_matched_by_the_key() {
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
        assert_eq!(copy.key, ["id"]);
        // A new required column without a default cannot be copied into.
        let strict = table(
            &format!("{DS}model User {{\n  id Int @id\n  email String\n  nick String\n}}\n"),
            "User",
        );
        assert!(copy_of(&old, &strict).unwrap_err().contains("nick"));
    }
}
