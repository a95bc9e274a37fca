//! Type swaps and type renames as the contract sees the database: the new-typed copy of a
//! column takes the old column's place, an enum type takes its new name.

use super::TypeSwap;
use crate::database::{Database, Table};
use crate::migrate::{Step, TableRef};
use crate::schema::Provider;
use crate::sql::{self, Dialect, Operation};

/// Rename an enum type in a database model, with every column that uses it.
pub(super) fn rename_enum_type(db: &mut Database, schema: &Option<String>, from: &str, to: &str) {
    let quoted = |name: &str| match schema {
        Some(s) => format!(
            "{}.{}",
            crate::database::quote_pg(s),
            crate::database::quote_pg(name)
        ),
        None => crate::database::quote_pg(name),
    };
    for e in &mut db.enums {
        if e.name == from && &e.schema == schema {
            e.name = to.to_string();
        }
    }
    for t in &mut db.tables {
        for c in &mut t.columns {
            if c.column_type.family == crate::database::TypeFamily::Enum(from.to_string())
                && c.column_type.base == quoted(from)
            {
                c.column_type.base = quoted(to).into();
                c.column_type.family = crate::database::TypeFamily::Enum(to.to_string());
            }
        }
    }
}

/// The database after a swap: the old column gone (with the indexes and keys on it), the
/// temporary one under its name.
pub(super) fn apply_swap(db: &mut Database, swap: &TypeSwap) {
    let Some(t) = db
        .tables
        .iter_mut()
        .find(|t| t.name == swap.table.name && t.schema == swap.table.schema)
    else {
        return;
    };
    t.columns.retain(|c| c.name != swap.column);
    t.indexes
        .retain(|i| !i.columns.iter().any(|c| c.name == swap.column));
    t.foreign_keys.retain(|f| !f.columns.contains(&swap.column));
    for c in &mut t.columns {
        if c.name == swap.temporary {
            c.name = swap.column.clone();
        }
    }
    for i in &mut t.indexes {
        for c in &mut i.columns {
            if c.name == swap.temporary {
                c.name = swap.column.clone();
            }
        }
    }
    for f in &mut t.foreign_keys {
        for c in &mut f.columns {
            if *c == swap.temporary {
                *c = swap.column.clone();
            }
        }
    }
}

/// The new database after the contract's down.sql has unswapped: the column renamed back to the
/// temporary one, and the old column added again (nullable, as `ADD COLUMN` leaves it).
pub(super) fn unswap_db(db: &mut Database, swap: &TypeSwap, expand_db: &Database) {
    let Some(t) = db
        .tables
        .iter_mut()
        .find(|t| t.name == swap.table.name && t.schema == swap.table.schema)
    else {
        return;
    };
    t.indexes
        .retain(|i| !i.columns.iter().any(|c| c.name == swap.column));
    t.foreign_keys.retain(|f| !f.columns.contains(&swap.column));
    for c in &mut t.columns {
        if c.name == swap.column {
            c.name = swap.temporary.clone();
        }
    }
    let old = expand_db
        .tables
        .iter()
        .find(|x| x.name == swap.table.name && x.schema == swap.table.schema)
        .and_then(|x| x.column(&swap.column));
    if let Some(old) = old {
        let mut added = old.clone();
        added.nullable = true;
        added.default = None;
        added.autoincrement = false;
        t.columns.push(added);
    }
}

/// The statements that drop, by name, what of `table` stands on `column` before the column
/// moves: its foreign keys (with the index MySQL made for one that had none to use; SQLite
/// cannot drop a key, and swaps no column), then its indexes. MySQL refuses to drop a column
/// a key needs and keeps what is left of an index that loses a column; a renamed column takes
/// both along.
pub(super) fn drop_what_stands_on(d: Dialect, table: &Table, column: &str) -> Vec<String> {
    let table_ref = TableRef::of(table);
    let mut out = Vec::new();
    let drops_foreign_keys = d.0 != Provider::Sqlite;
    for foreign_key in (table.foreign_keys.iter())
        .filter(|f| drops_foreign_keys && f.columns.iter().any(|c| c == column))
    {
        out.extend(sql::step_statements(
            &Step::DropForeignKey {
                table: table_ref.clone(),
                foreign_key: foreign_key.clone(),
            },
            d.0,
        ));
        if d.0 == Provider::MySql && !has_index_for(table, &foreign_key.columns) {
            out.push(sql::operation(
                d,
                &Operation::DropIndex {
                    table: &table_ref,
                    index: &foreign_key.name,
                },
            ));
        }
    }
    for index in (table.indexes.iter()).filter(|i| i.columns.iter().any(|c| c.name == column)) {
        out.push(sql::operation(
            d,
            &Operation::DropIndex {
                table: &table_ref,
                index: &index.name,
            },
        ));
    }
    out
}

/// Whether an index or the primary key of `table` starts with `columns`: else MySQL made an
/// index for a foreign key on them, under the key's name.
fn has_index_for(table: &Table, columns: &[String]) -> bool {
    let starts = |names: Vec<&str>| {
        names.len() >= columns.len() && names.iter().zip(columns).all(|(a, b)| a == b)
    };
    (table.primary_key.iter())
        .any(|pk| starts(pk.columns.iter().map(|c| c.name.as_str()).collect()))
        || (table.indexes.iter())
            .any(|i| starts(i.columns.iter().map(|c| c.name.as_str()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::{DbIndex, DbIndexKind, ForeignKey, IndexColumn};
    use crate::schema::ReferentialAction;

    #[test]
    fn a_mysql_swap_drops_keys_then_indexes_and_the_index_mysql_made_for_a_key() {
        let foreign_key = ForeignKey {
            name: "Website_share_id_fkey".into(),
            columns: vec!["share_id".into()],
            referenced_schema: None,
            referenced_table: "Share".into(),
            referenced_columns: vec!["code".into()],
            on_delete: ReferentialAction::SetNull,
            on_update: ReferentialAction::Cascade,
        };
        let index = |name: &str, columns: &[&str]| DbIndex {
            name: name.into(),
            kind: DbIndexKind::Normal,
            columns: columns.iter().map(|c| IndexColumn::named(c)).collect(),
            algorithm: None,
            clustered: None,
        };
        let table = |indexes: Vec<DbIndex>| Table {
            schema: None,
            name: "Website".into(),
            columns: Vec::new(),
            primary_key: None,
            indexes,
            foreign_keys: vec![foreign_key.clone()],
        };
        let mysql = Dialect(Provider::MySql);
        // No index starts with the key's column: MySQL made one under the key's name.
        assert_eq!(
            drop_what_stands_on(
                mysql,
                &table(vec![index("W_id_share_idx", &["id", "share_id"])]),
                "share_id"
            ),
            [
                "ALTER TABLE `Website` DROP FOREIGN KEY `Website_share_id_fkey`",
                "DROP INDEX `Website_share_id_fkey` ON `Website`",
                "DROP INDEX `W_id_share_idx` ON `Website`",
            ]
        );
        // An index the key can use: MySQL made none.
        assert_eq!(
            drop_what_stands_on(
                mysql,
                &table(vec![index("W_share_idx", &["share_id", "id"])]),
                "share_id"
            ),
            [
                "ALTER TABLE `Website` DROP FOREIGN KEY `Website_share_id_fkey`",
                "DROP INDEX `W_share_idx` ON `Website`",
            ]
        );
        // Another column's keys and indexes stay.
        assert!(
            drop_what_stands_on(
                mysql,
                &table(vec![index("W_share_idx", &["share_id"])]),
                "id"
            )
            .is_empty()
        );
    }
}
