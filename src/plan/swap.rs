//! Type swaps and type renames as the contract sees the database: the new-typed copy of a
//! column takes the old column's place, an enum type takes its new name.

use super::TypeSwap;
use crate::database::Database;

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
