//! The renamed-model recipe (XC104) and the moved-table recipe (XC122) on PostgreSQL: the
//! expand renames the table in place (`SET SCHEMA` to move it), with its key, indexes, foreign
//! keys and sequences under the names Prisma derives for the new table, and leaves a view under
//! the old name. A single-table `SELECT *` view is
//! automatically updatable, so old code keeps reading and writing through it (inserts take the
//! table's defaults) while new code uses the table; no row is copied and no column is synced.
//! Prisma's migrations ignore views, so the drift check sees only the renamed table. The
//! contract drops the view.

use crate::database::{Database, Table};
use crate::migrate::TableRef;
use crate::schema::Provider;
use crate::sql::{self, Dialect, Operation};

/// One table renamed or moved (or both) by the plan.
#[derive(Debug, Clone)]
pub(super) struct TableRename {
    pub from: TableRef,
    pub to: TableRef,
}

/// The SQL of a set of table renames, forward and back.
#[derive(Debug, Default)]
pub(super) struct RenameSql {
    /// Renames the tables and their constraints; runs first in the expand.
    pub rename: Vec<String>,
    /// The views under the old names; run last in the expand, after the table has its final
    /// columns.
    pub create_views: Vec<String>,
    /// Drops the views; runs first in the contract and in the expand's way back.
    pub drop_views: Vec<String>,
    /// Renames everything back; runs last in the expand's way back.
    pub rename_back: Vec<String>,
}

/// Why a table rename cannot be phased this way, if it cannot.
pub(super) fn refusal(old_db: &Database, old_table: &Table) -> Option<String> {
    // An implicit many-to-many join table is named after its models (`_PostToTag`) and orders
    // its columns by their names: a rename changes both, which a view cannot bridge.
    let join = old_db.tables.iter().find(|t| {
        t.name.starts_with('_')
            && t.foreign_keys.iter().any(|fk| {
                fk.referenced_table == old_table.name && fk.referenced_schema == old_table.schema
            })
            && t.column("A").is_some()
            && t.column("B").is_some()
    });
    join.map(|j| {
        format!(
            "the model's implicit many-to-many join table \"{}\" is named after it: give the relation an explicit join model first, or keep the table with `@@map(\"{}\")` (XC105)",
            j.name, old_table.name
        )
    })
}

/// Renames the tables in `db` as the expand does, and returns the SQL that does it and undoes
/// it. Constraint names come from `new_db` where the new table has one on the same columns;
/// others keep their names (the differ then drops or keeps them by those names).
pub(super) fn apply(db: &mut Database, new_db: &Database, renames: &[TableRename]) -> RenameSql {
    let mut out = RenameSql::default();
    for r in renames {
        let Some(new_table) = new_db.tables.iter().find(|t| TableRef::of(t) == r.to) else {
            continue;
        };
        let Some(table) = db.tables.iter_mut().find(|t| TableRef::of(t) == r.from) else {
            continue;
        };
        rename_table(table, new_table, r, &mut out);
    }
    // Keys of other tables point at the table by its identity, not its name: they follow.
    for table in &mut db.tables {
        for fk in &mut table.foreign_keys {
            if let Some(r) = renames.iter().find(|r| {
                fk.referenced_table == r.from.name && fk.referenced_schema == r.from.schema
            }) {
                fk.referenced_table = r.to.name.clone();
                fk.referenced_schema = r.to.schema.clone();
            }
        }
    }
    out
}

/// One table renamed (or moved to another schema): its statements and their undoing in `out`,
/// its key, indexes, foreign keys and sequences renamed in `table` as the expand leaves them.
fn rename_table(table: &mut Table, new_table: &Table, r: &TableRename, out: &mut RenameSql) {
    let d = Dialect(Provider::PostgreSql);
    let op = |op: Operation| sql::operation(d, &op);
    // Indexes and owned sequences move with their table.
    let moved = TableRef {
        schema: r.to.schema.clone(),
        name: r.from.name.clone(),
    };
    let mut forward = Vec::new();
    // Undone last, in reverse order.
    let mut undo_table = Vec::new();
    if moved.schema != r.from.schema {
        let schema = |s: &Option<String>| s.clone().unwrap_or_else(|| "public".into());
        let (to_schema, from_schema) = (schema(&r.to.schema), schema(&r.from.schema));
        // Prisma creates a listed schema only once a table or an enum lives in it: the
        // table may be the first.
        forward.push(op(Operation::CreateSchemaIfNotExists {
            schema: &to_schema,
        }));
        forward.push(op(Operation::SetSchema {
            table: &r.from,
            schema: &to_schema,
        }));
        undo_table.push(op(Operation::SetSchema {
            table: &moved,
            schema: &from_schema,
        }));
    }
    if moved.name != r.to.name {
        forward.push(op(Operation::RenameTable {
            table: &moved,
            to: &r.to.name,
        }));
        undo_table.insert(
            0,
            op(Operation::RenameTable {
                table: &r.to,
                to: &moved.name,
            }),
        );
    }
    let mut back = Vec::new();
    // One renaming statement from `from` to `to` in `forward`, its mirror in `back`.
    let mut both_ways = |statement: &dyn Fn(&str, &str) -> String, from: &str, to: &str| {
        forward.push(statement(from, to));
        back.push(statement(to, from));
    };
    let schema = &r.to.schema;
    let rename_index = |from: &str, to: &str| op(Operation::RenameIndex { schema, from, to });
    let rename_constraint = |from: &str, to: &str| {
        op(Operation::RenameConstraint {
            table: &r.to,
            from,
            to,
        })
    };
    let rename_sequence =
        |from: &str, to: &str| op(Operation::RenameSequenceIfExists { schema, from, to });
    let mut constraint = |from: &mut String, to: &str, index: bool| {
        if from == to {
            return;
        }
        let statement: &dyn Fn(&str, &str) -> String = if index {
            &rename_index
        } else {
            &rename_constraint
        };
        both_ways(statement, from, to);
        *from = to.to_string();
    };
    if let (Some(pk), Some(new_pk)) = (&mut table.primary_key, &new_table.primary_key)
        && same_columns(&pk.columns, &new_pk.columns)
    {
        constraint(&mut pk.name, &new_pk.name, false);
    }
    for index in &mut table.indexes {
        if let Some(new_index) = new_table
            .indexes
            .iter()
            .find(|n| n.kind == index.kind && same_columns(&n.columns, &index.columns))
        {
            constraint(&mut index.name, &new_index.name, true);
        }
    }
    for fk in &mut table.foreign_keys {
        // A key of the renamed table onto itself follows the rename.
        let onto_itself =
            fk.referenced_table == r.from.name && fk.referenced_schema == r.from.schema;
        let target = if onto_itself {
            &r.to.name
        } else {
            &fk.referenced_table
        };
        if let Some(new_fk) = new_table
            .foreign_keys
            .iter()
            .find(|n| n.columns == fk.columns && n.referenced_table == *target)
        {
            constraint(&mut fk.name, &new_fk.name, false);
        }
    }
    // `SERIAL` made a sequence named after the table; PostgreSQL does not rename it with
    // the table. Renamed, it is the one Prisma's own migration would have made.
    for column in table.columns.iter().filter(|c| c.autoincrement) {
        let (from, to) = (
            sequence(&r.from.name, &column.name),
            sequence(&r.to.name, &column.name),
        );
        if let (Some(from), Some(to)) = (from, to)
            && from != to
        {
            both_ways(&rename_sequence, &from, &to);
        }
    }
    table.name = r.to.name.clone();
    table.schema = r.to.schema.clone();
    back.reverse();
    back.extend(undo_table);
    out.rename.extend(forward);
    out.rename_back.splice(0..0, back);
    out.create_views.push(op(Operation::CreateView {
        view: &r.from,
        table: &r.to,
    }));
    out.drop_views
        .push(op(Operation::DropViewIfExists { view: &r.from }));
}

fn same_columns(a: &[crate::database::IndexColumn], b: &[crate::database::IndexColumn]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name)
}

/// The name PostgreSQL gives a `SERIAL` column's sequence, when it needs no truncation (a
/// truncated one is left as it is: nothing in Prisma depends on the name).
fn sequence(table: &str, column: &str) -> Option<String> {
    let name = format!("{table}_{column}_seq");
    (name.len() <= 63).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(schema: &str) -> Database {
        let mut sources = crate::diagnostics::Sources::default();
        sources.add(crate::diagnostics::SourceFile::new(
            "s.prisma",
            schema.to_string(),
        ));
        let loaded = crate::load(&sources);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        crate::database::lower(&loaded.schema).unwrap()
    }

    const HEAD: &str = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"U\")\n}\n";

    #[test]
    fn renames_the_table_its_names_and_what_points_at_it() {
        let old = db(&format!(
            "{HEAD}model Person {{\n  id Int @id @default(autoincrement())\n  email String @unique\n  boss Int?\n  manager Person? @relation(\"boss\", fields: [boss], references: [id])\n  reports Person[] @relation(\"boss\")\n  posts Post[]\n}}\nmodel Post {{\n  id Int @id\n  by Int\n  author Person @relation(fields: [by], references: [id])\n}}\n"
        ));
        let new = db(&format!(
            "{HEAD}model User {{\n  id Int @id @default(autoincrement())\n  email String @unique\n  boss Int?\n  manager User? @relation(\"boss\", fields: [boss], references: [id])\n  reports User[] @relation(\"boss\")\n  posts Post[]\n}}\nmodel Post {{\n  id Int @id\n  by Int\n  author User @relation(fields: [by], references: [id])\n}}\n"
        ));
        let mut renamed = old.clone();
        let rename = TableRename {
            from: TableRef {
                schema: None,
                name: "Person".into(),
            },
            to: TableRef {
                schema: None,
                name: "User".into(),
            },
        };
        let sql = apply(&mut renamed, &new, &[rename]);
        assert_eq!(
            sql.rename,
            [
                r#"ALTER TABLE "Person" RENAME TO "User""#,
                r#"ALTER TABLE "User" RENAME CONSTRAINT "Person_pkey" TO "User_pkey""#,
                r#"ALTER INDEX "Person_email_key" RENAME TO "User_email_key""#,
                r#"ALTER TABLE "User" RENAME CONSTRAINT "Person_boss_fkey" TO "User_boss_fkey""#,
                r#"ALTER SEQUENCE IF EXISTS "Person_id_seq" RENAME TO "User_id_seq""#,
            ]
        );
        assert_eq!(
            sql.rename_back.last().unwrap(),
            r#"ALTER TABLE "User" RENAME TO "Person""#
        );
        assert_eq!(
            sql.rename_back[0],
            r#"ALTER SEQUENCE IF EXISTS "User_id_seq" RENAME TO "Person_id_seq""#
        );
        assert_eq!(
            sql.create_views,
            [r#"CREATE VIEW "Person" AS SELECT * FROM "User""#]
        );
        // After the renames the old database is the new one: nothing left for the differ.
        assert!(
            crate::migrate::diff(&renamed, &new).is_empty(),
            "{:?}",
            crate::migrate::diff(&renamed, &new)
        );
    }

    #[test]
    fn refuses_what_a_view_cannot_bridge() {
        let old = db(&format!(
            "{HEAD}model Person {{\n  id Int @id\n  tags Tag[]\n}}\nmodel Tag {{\n  id Int @id\n  people Person[]\n}}\n"
        ));
        let o = old.tables.iter().find(|t| t.name == "Person").unwrap();
        assert!(refusal(&old, o).unwrap().contains("\"_PersonToTag\""));
    }
}
