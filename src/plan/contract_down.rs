//! The contract's way back (`4-contract/down.sql`): the intermediate schema's structure again. A
//! renamed column's old column comes back filled from the new one; a swapped column goes back
//! to being the copy beside the old one; renamed types, sync triggers, table copies and views
//! come back. Data the contract dropped does not.

use super::phase::{PhaseWriter, TableLock};
use super::{ColumnRename, Recipes, SideSql};
use crate::database::Database;
use crate::migrate::{Step, TableChange, TableRef};
use crate::sql::flavour::Flavour;
use crate::sql::{self, Dialect, Operation};

/// `down.sql` of the contract. `type_renames_back` renames each enum type back;
/// `down_steps` is the differ's way from the new database (its types named back, its swapped
/// columns under their temporary names) to the intermediate one.
pub(super) fn script(
    writer: &PhaseWriter,
    recipes: &Recipes,
    new_db: &Database,
    side: &SideSql,
    type_renames_back: &[String],
    down_steps: Vec<Step>,
) -> String {
    let flavour = writer.flavour;
    let provider = flavour.provider();
    let d = Dialect(provider);
    let mut contract_down = String::from(
        "-- Restores the intermediate schema's structure. Data the contract dropped is not restored:\n-- take a backup before the contract if you may need to come back.\n",
    );
    // A renamed column's old column comes back filled from the new one, then tightened.
    // A swapped column goes back to being the copy, and the old column comes back from it.
    let unswap = unswap(flavour, recipes, new_db);
    if !unswap.is_empty() {
        contract_down.push_str(&sql::render_statements("UnswapColumn", &unswap));
        contract_down.push('\n');
    }
    if !type_renames_back.is_empty() {
        contract_down.push_str(&sql::render_statements("RenameEnum", type_renames_back));
        contract_down.push('\n');
    }
    let mut down_steps = down_steps;
    // The old column of a rename comes back empty: it is filled from the new one, before the
    // old code that reads it runs again. PostgreSQL adds it (nullable until filled), SQLite
    // redefines the table.
    let mut refill = Vec::new();
    let fill_back = |table: &TableRef, r: &ColumnRename, refill: &mut Vec<String>| {
        refill.extend(refuse_lossy_refill(flavour, table, r));
        let source = d.quote(&r.new_column);
        let source = if r.converts() {
            flavour.convert(&source, &r.old_type.sql())
        } else {
            source
        };
        refill.push(sql::operation(
            d,
            &Operation::SetEveryRow {
                table,
                column: &r.old_column,
                value: &source,
            },
        ));
    };
    let rename_of = |table: &TableRef, column: &str| {
        recipes
            .renames
            .iter()
            .find(|r| r.table == *table && r.old_column == column)
    };
    for step in &mut down_steps {
        match step {
            Step::AlterTable { table, changes } => {
                for change in changes.iter_mut() {
                    let TableChange::AddColumn(column) = change else {
                        continue;
                    };
                    let Some(r) = rename_of(table, &column.name) else {
                        continue;
                    };
                    fill_back(table, r, &mut refill);
                    if !column.nullable {
                        column.nullable = true;
                        refill.push(sql::operation(
                            d,
                            &Operation::SetNotNull {
                                table,
                                column: &r.old_column,
                            },
                        ));
                    }
                }
            }
            Step::RedefineTable { previous, next } => {
                let table = TableRef {
                    schema: next.schema.clone(),
                    name: next.name.clone(),
                };
                for column in &next.columns {
                    if previous.column(&column.name).is_some() {
                        continue;
                    }
                    if let Some(r) = rename_of(&table, &column.name) {
                        fill_back(&table, r, &mut refill);
                    }
                }
            }
            _ => {}
        }
    }
    contract_down.push_str(&writer.render(&down_steps, new_db));
    if !refill.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements("RefillRenamedColumn", &refill));
    }
    if !side.triggers.recreate.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&side.triggers.recreate);
    }
    if !side.table_copies.copy_back.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CopyRows (back into the old table)",
            &side.table_copies.copy_back,
        ));
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CreateCopyTrigger",
            &side.table_copies.create_triggers,
        ));
    }
    if !side.table_renames.create_views.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CreateView",
            &side.table_renames.create_views,
        ));
    }
    writer.atomic_locking(
        "",
        contract_down,
        Some((TableLock::AccessExclusive, new_db)),
    )
}

/// Before a renamed column's old column is filled back from the new one: a statement that
/// stops the way back while a value would change on the way (a cast that cuts or rounds). A
/// database that cannot stop a script gets the check as a comment to run first.
fn refuse_lossy_refill(flavour: &dyn Flavour, table: &TableRef, r: &ColumnRename) -> Vec<String> {
    let d = flavour.dialect();
    let source = d.quote(&r.new_column);
    let Some(lossy) = flavour.changes_value(&source, &r.new_type, &r.old_type) else {
        return Vec::new();
    };
    let message = format!(
        "prisma-xc: values of \"{}\".\"{}\" change when converted back to {}: fix them first",
        table.name,
        r.new_column,
        r.old_type.sql()
    );
    match flavour.refuse_if_any(table, &lossy, &message) {
        Some(refusal) => vec![refusal],
        None => vec![sql::check_first(d, &message, table, &lossy)],
    }
}

/// A swapped column goes back to being the copy, and the old column comes back from it (cast
/// back, or through the conversion the user fills in where no cast exists).
fn unswap(flavour: &dyn Flavour, recipes: &Recipes, new_db: &Database) -> Vec<String> {
    let d = flavour.dialect();
    let mut unswap = Vec::new();
    for swap in &recipes.swaps {
        let table = &swap.table;
        // The column's foreign keys and indexes would follow it to the copy's name, which
        // has none in the intermediate schema: they go, and the differ makes the old column's
        // again.
        if let Some(t) = table.find_in(new_db) {
            unswap.extend(super::swap::drop_what_stands_on(d, t, &swap.column));
        }
        unswap.push(sql::operation(
            d,
            &Operation::RenameColumn {
                table,
                from: &swap.column,
                to: &swap.temporary,
            },
        ));
        unswap.push(sql::operation(
            d,
            &Operation::AddColumn {
                table,
                column: &swap.column,
                sql_type: &swap.old_type,
            },
        ));
        let back = if swap.castable {
            flavour.convert(&d.quote(&swap.temporary), &swap.old_type)
        } else {
            sql::fill_in(
                &format!("{}_{}_back", swap.table.name, swap.column),
                &format!(
                    "the {} value computed from {}",
                    swap.old_type,
                    d.quote(&swap.temporary)
                ),
            )
        };
        unswap.push(sql::operation(
            d,
            &Operation::SetEveryRow {
                table,
                column: &swap.column,
                value: &back,
            },
        ));
    }
    unswap
}
