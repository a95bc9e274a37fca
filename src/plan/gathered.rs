//! What the recipes gather for the phases, over every change: column renames to keep in sync,
//! type swaps, table renames and copies, enum type renames, backfill assignments, dual-write
//! pairs; and the SQL of what stands beside the database the differ sees.

use super::{BackfillTable, DualWrite, FieldPair, SyncMode, table_rename};
use crate::database::{ColumnType, DbIndexKind, Table};
use crate::migrate::TableRef;
use crate::schema::Model;
use crate::sql::flavour::{ColumnSync, TriggerSql};
use crate::sql::sqlite::{CopySql, TableCopy};
use table_rename::TableRename;

/// A column rename the phases carry: old and new columns of one table, kept in sync.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ColumnRename {
    pub table: TableRef,
    pub old_column: String,
    pub new_column: String,
    pub old_type: ColumnType,
    pub new_type: ColumnType,
}

impl ColumnRename {
    /// Whether values are cast between the two columns.
    pub fn converts(&self) -> bool {
        self.sync().converts()
    }

    /// The two columns as the database's sync trigger sees them.
    pub fn sync(&self) -> ColumnSync<'_> {
        ColumnSync {
            table: &self.table,
            old_column: &self.old_column,
            new_column: &self.new_column,
            old_type: &self.old_type,
            new_type: &self.new_type,
        }
    }
}

/// A type change through a new column: `column` (old type) is replaced by `temporary` (new
/// type), filled by sync and backfill, renamed to `column` by the contract.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TypeSwap {
    pub table: TableRef,
    pub column: String,
    pub temporary: String,
    pub old_type: String,
    /// Whether the database casts between the two types; if not, the way back needs the
    /// user's reverse conversion.
    pub castable: bool,
}

#[derive(Debug, Default)]
pub(super) struct Recipes {
    /// Tables the expand renames, leaving a view under the old name.
    pub table_renames: Vec<TableRename>,
    /// Tables renamed on SQLite: copied by the expand and kept in sync both ways.
    pub table_copies: Vec<TableCopy>,
    /// Columns the contract swaps for their new-typed copy.
    pub swaps: Vec<TypeSwap>,
    /// How old and new columns are kept in sync.
    pub sync: SyncMode,
    /// Enum types the contract renames: (schema, old name, new name).
    pub type_renames: Vec<(Option<String>, String, String)>,
    pub renames: Vec<ColumnRename>,
    pub backfill: Vec<BackfillTable>,
    pub dual_write: Vec<DualWrite>,
    /// Old `@@index`/`@@unique` lines the intermediate schema keeps (their spans in the old
    /// schema), each once.
    pub kept_indexes: Vec<crate::diagnostics::Span>,
    /// Old enum values the intermediate schema keeps, on MySQL: (new enum, old enum, value),
    /// placed once every recipe has run (see `recipes::order_mysql_enums`).
    pub kept_enum_values: Vec<(String, String, String)>,
}

impl Recipes {
    pub fn backfill_table(&mut self, model: &Model, table: &Table) -> &mut BackfillTable {
        if let Some(i) = self
            .backfill
            .iter()
            .position(|t| t.table == table.name && t.schema == table.schema)
        {
            return &mut self.backfill[i];
        }
        // Prisma models have a primary key or, failing that, a unique constraint of required
        // fields: either identifies a row for keyset batches.
        let key_columns = table
            .primary_key
            .as_ref()
            .map(|pk| &pk.columns)
            .or_else(|| {
                table
                    .indexes
                    .iter()
                    .find(|i| {
                        i.kind == DbIndexKind::Unique
                            && i.columns
                                .iter()
                                .all(|c| table.column(&c.name).is_some_and(|c| !c.nullable))
                    })
                    .map(|i| &i.columns)
            });
        let key = key_columns
            .map(|columns| {
                columns
                    .iter()
                    .map(|c| {
                        let ty = table
                            .column(&c.name)
                            .map(|c| c.column_type.sql())
                            .unwrap_or_default();
                        (c.name.clone(), ty)
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.backfill.push(BackfillTable {
            model: model.name.clone(),
            table: table.name.clone(),
            schema: table.schema.clone(),
            key,
            assignments: Vec::new(),
        });
        self.backfill.last_mut().expect("just pushed")
    }

    pub fn dual_write(&mut self, model: &str, pair: FieldPair) {
        match self.dual_write.iter_mut().find(|d| d.model == model) {
            Some(d) => d.pairs.push(pair),
            None => self.dual_write.push(DualWrite {
                model: model.to_string(),
                pairs: vec![pair],
            }),
        }
    }
}

/// The SQL of what the recipes keep beside the database the differ sees: table renames and
/// their views, table copies and their triggers, sync triggers. Each phase places its part.
pub(super) struct SideSql<'a> {
    pub table_renames: &'a table_rename::RenameSql,
    pub table_copies: &'a CopySql,
    pub triggers: &'a TriggerSql,
}
