//! The contract phase: the migrations from the intermediate database to the new one. What
//! would hold a lock while it works through a table's rows goes first, in migrations of its
//! own, behind the guard (a contract deployed before the backfill is done stops, changing
//! nothing): unique and swapped-column indexes built `CONCURRENTLY`, `NOT NULL` as a `CHECK`
//! added `NOT VALID` and validated. The main migration checks again, drops what old code used
//! and tightens; its foreign keys are validated after it.

use super::phase::{ConcurrentIndex, MigrationKind, PhaseWriter, TableLock};
use super::runbook::MigrationPhase;
use super::{
    Migration, Recipes, SideSql, apply_swap, concurrent_index, contract_down, locks, not_valid,
    rename_enum_type, unswap_db,
};
use crate::database::{Database, DbIndexKind};
use crate::migrate::{self, Step, TableChange, TableRef};
use crate::sql::flavour::PendingRows;
use crate::sql::{self, Dialect, Operation};

pub(super) struct Contract {
    /// In the order they run.
    pub migrations: Vec<Migration>,
    /// `down.sql`.
    pub down: String,
    /// `down.sql` holds a FILL IN: a swapped column goes back to a type no cast reaches.
    pub down_fill_ins: bool,
    /// Statements that hold a table's lock while they work through its rows.
    pub long_locks: Vec<String>,
    /// Rows must be backfilled before the contract, and the database has no guard for it.
    pub unguarded: bool,
}

pub(super) fn migrations(
    writer: &PhaseWriter,
    old_db: &Database,
    expand_db: &Database,
    new_db: &Database,
    recipes: &Recipes,
    side: &SideSql,
) -> Contract {
    let provider = writer.provider();
    let prepared = prepare(writer, expand_db, new_db, recipes);
    let (contract_steps, contract_down_steps) = crate::both(
        || migrate::diff(&prepared.renamed_expand_db, new_db),
        || migrate::diff(&prepared.renamed_new_db, expand_db),
    );
    let pending: Vec<PendingRows> = (recipes.backfill.iter())
        .map(|t| PendingRows {
            table: TableRef {
                schema: t.schema.clone(),
                name: t.table.clone(),
            },
            conditions: (t.assignments.iter())
                .map(|a| (a.pending.as_str(), a.why.as_str()))
                .collect(),
        })
        .collect();
    let backfill_guard = if pending.is_empty() {
        None
    } else {
        writer.flavour.contract_guard(&pending)
    };
    let unguarded = !pending.is_empty() && backfill_guard.is_none();
    let guard = format!(
        "{}{}",
        backfill_guard.unwrap_or_default(),
        side.table_copies.guard.as_deref().unwrap_or_default()
    );
    let long_locks = locks::long_locks(provider, &contract_steps, &recipes.swaps, expand_db);
    let sorted = sort_steps(writer, old_db, recipes, contract_steps);
    let migrations = assemble(writer, expand_db, side, &prepared, sorted, &guard);
    let down = contract_down::script(
        writer,
        recipes,
        new_db,
        side,
        &prepared.type_renames_back,
        contract_down_steps,
    );
    Contract {
        migrations,
        down,
        down_fill_ins: recipes.swaps.iter().any(|s| !s.castable),
        long_locks,
        unguarded,
    }
}

/// The databases the contract is diffed between, with its type renames and swaps done as
/// renames (the differ then compares like with like), and their SQL.
struct Prepared {
    /// The intermediate database with the types renamed and the copies swapped into place.
    renamed_expand_db: Database,
    /// The new database with its types named back and each swapped column back under its
    /// temporary name beside the old one: where the contract's down.sql starts from.
    renamed_new_db: Database,
    type_renames_sql: Vec<String>,
    type_renames_back: Vec<String>,
    swap_sql: Vec<String>,
}

fn prepare(
    writer: &PhaseWriter,
    expand_db: &Database,
    new_db: &Database,
    recipes: &Recipes,
) -> Prepared {
    // Type renames run first, as renames: the differ then compares like with like.
    let mut renamed_expand_db = expand_db.clone();
    let mut type_renames_sql = Vec::new();
    let mut type_renames_back = Vec::new();
    let d = writer.flavour.dialect();
    for (schema, from, to) in &recipes.type_renames {
        rename_enum_type(&mut renamed_expand_db, schema, from, to);
        type_renames_sql.push(sql::operation(
            d,
            &Operation::RenameType { schema, from, to },
        ));
        type_renames_back.push(sql::operation(
            d,
            &Operation::RenameType {
                schema,
                from: to,
                to: from,
            },
        ));
    }
    let mut swap_sql = Vec::new();
    for swap in &recipes.swaps {
        let table = &swap.table;
        if writer.flavour.swaps_with_table_locked()
            && let Some(old_table) = table.find_in(expand_db)
        {
            swap_sql.extend(super::swap::drop_what_stands_on(d, old_table, &swap.column));
        }
        apply_swap(&mut renamed_expand_db, swap);
        swap_sql.push(sql::operation(
            d,
            &Operation::DropColumn {
                table,
                column: &swap.column,
            },
        ));
        swap_sql.push(sql::operation(
            d,
            &Operation::RenameColumn {
                table,
                from: &swap.temporary,
                to: &swap.column,
            },
        ));
    }
    // The database the contract's down.sql starts from: the new one with its renamed types
    // named back, and each swapped column back under its temporary name beside the old one.
    let mut renamed_new_db = new_db.clone();
    for (schema, from, to) in &recipes.type_renames {
        rename_enum_type(&mut renamed_new_db, schema, to, from);
    }
    for swap in &recipes.swaps {
        unswap_db(&mut renamed_new_db, swap, expand_db);
    }
    Prepared {
        renamed_expand_db,
        renamed_new_db,
        type_renames_sql,
        type_renames_back,
        swap_sql,
    }
}

/// The contract's steps, sorted by where they run.
struct Sorted {
    /// Indexes built CONCURRENTLY before the main contract, and whether each is unique.
    unique: Vec<(ConcurrentIndex, bool)>,
    main_steps: Vec<Step>,
    /// Columns made NOT NULL through a CHECK: (table, column).
    not_null: Vec<(TableRef, String)>,
    /// Foreign keys added NOT VALID in the main migration, and their validation.
    contract_foreign_keys: Vec<String>,
    contract_validate: Vec<String>,
    /// `ALTER INDEX ... RENAME` of indexes built on a swapped column's copy.
    index_renames: Vec<String>,
    /// Where the swap runs under a table lock: the copies' final definitions and indexes,
    /// before it, while writes go on.
    copy_columns: Vec<Step>,
    copy_indexes: Vec<Step>,
}

fn sort_steps(
    writer: &PhaseWriter,
    old_db: &Database,
    recipes: &Recipes,
    contract_steps: Vec<Step>,
) -> Sorted {
    let provider = writer.provider();
    let online = writer.flavour.builds_online();
    // Indexes built CONCURRENTLY before the main contract: (name, unique, statement).
    let mut unique = Vec::new();
    let mut main_steps = Vec::new();
    let mut not_null = Vec::new();
    // A foreign key the contract adds to a table that has rows: NOT VALID in the main contract
    // migration (instant), validated in a migration of its own after it, without blocking writes.
    let mut contract_foreign_keys = Vec::new();
    let mut contract_validate = Vec::new();
    // An index on a swapped column: built CONCURRENTLY on the new-typed copy under a temporary
    // name before anything is dropped, and given its name once the copy takes the column's place
    // (the old column's index, which may hold that name, goes with the old column).
    let mut index_renames = Vec::new();
    let locked_swap = writer.flavour.swaps_with_table_locked();
    let mut copy_columns = Vec::new();
    let mut copy_indexes = Vec::new();
    let swapped = |table: &TableRef, column: &str| {
        recipes
            .swaps
            .iter()
            .find(|w| w.table == *table && w.column == column)
    };
    for step in contract_steps {
        match &step {
            Step::CreateIndex { table, index }
                if (online || locked_swap)
                    && table.is_in(old_db)
                    && index
                        .columns
                        .iter()
                        .any(|c| swapped(table, &c.name).is_some()) =>
            {
                let mut on_copy = index.clone();
                on_copy.name = crate::database::owned_name(&index.name, "xc_new", provider);
                for c in &mut on_copy.columns {
                    if let Some(w) = swapped(table, &c.name) {
                        c.name = w.temporary.clone();
                    }
                }
                index_renames.extend(sql::step_statements(
                    &Step::RenameIndex {
                        table: table.clone(),
                        previous: on_copy.name.clone(),
                        next: index.name.clone(),
                    },
                    provider,
                ));
                if !online {
                    copy_indexes.push(Step::CreateIndex {
                        table: table.clone(),
                        index: on_copy,
                    });
                    continue;
                }
                let is_unique = on_copy.kind == DbIndexKind::Unique;
                let built = ConcurrentIndex {
                    table: table.clone(),
                    index: on_copy,
                };
                unique.push((built, is_unique));
            }
            Step::AlterTable { table, changes } if locked_swap => {
                // A swapped column's new definition goes to its copy, before the swap.
                let (mut on_copy, mut rest) = (Vec::new(), Vec::new());
                for change in changes {
                    match change {
                        TableChange::AlterColumn { previous, next } => {
                            match swapped(table, &next.name) {
                                Some(w) => on_copy.push(TableChange::AlterColumn {
                                    previous: crate::database::Column {
                                        name: w.temporary.clone(),
                                        ..previous.clone()
                                    },
                                    next: crate::database::Column {
                                        name: w.temporary.clone(),
                                        ..next.clone()
                                    },
                                }),
                                None => rest.push(change.clone()),
                            }
                        }
                        _ => rest.push(change.clone()),
                    }
                }
                if !on_copy.is_empty() {
                    copy_columns.push(Step::AlterTable {
                        table: table.clone(),
                        changes: on_copy,
                    });
                }
                if !rest.is_empty() {
                    main_steps.push(Step::AlterTable {
                        table: table.clone(),
                        changes: rest,
                    });
                }
            }
            Step::AddForeignKey { table, .. } if online && table.is_in(old_db) => {
                not_valid(&step, &mut contract_foreign_keys, &mut contract_validate);
            }
            Step::CreateIndex { table, index }
                if online && index.kind == DbIndexKind::Unique && table.is_in(old_db) =>
            {
                let built = ConcurrentIndex {
                    table: table.clone(),
                    index: index.clone(),
                };
                unique.push((built, true));
            }
            Step::AlterTable { table, changes } if online => {
                // A new primary key on a table with rows: its unique index built CONCURRENTLY
                // before the contract, then made the key under the lock in an instant.
                let mut step = step.clone();
                if table.is_in(old_db)
                    && let Step::AlterTable { changes, .. } = &mut step
                {
                    for c in changes.iter_mut() {
                        if let TableChange::AddPrimaryKey { name, columns } = c {
                            let index = crate::database::owned_name(name, "xc_new", provider);
                            let built = ConcurrentIndex {
                                table: table.clone(),
                                index: crate::database::DbIndex {
                                    name: index.clone(),
                                    kind: DbIndexKind::Unique,
                                    columns: (columns.iter())
                                        .map(|c| crate::database::IndexColumn::named(c))
                                        .collect(),
                                    algorithm: None,
                                    clustered: None,
                                },
                            };
                            unique.push((built, true));
                            *c = TableChange::AddPrimaryKeyUsingIndex {
                                name: name.clone(),
                                index,
                            };
                        }
                    }
                }
                for c in changes {
                    if let TableChange::AlterColumn { previous, next } = c
                        && previous.nullable
                        && !next.nullable
                    {
                        // A swapped column is checked before the swap, under its temporary
                        // name: the check follows it through the rename.
                        let column = recipes
                            .swaps
                            .iter()
                            .find(|w| w.table == *table && w.column == next.name)
                            .map_or(next.name.clone(), |w| w.temporary.clone());
                        not_null.push((table.clone(), column));
                    }
                }
                main_steps.push(step);
            }
            _ => main_steps.push(step),
        }
    }
    Sorted {
        unique,
        main_steps,
        not_null,
        contract_foreign_keys,
        contract_validate,
        index_renames,
        copy_columns,
        copy_indexes,
    }
}

/// The contract's migrations, in the order they run.
fn assemble(
    writer: &PhaseWriter,
    expand_db: &Database,
    side: &SideSql,
    prepared: &Prepared,
    sorted: Sorted,
    guard: &str,
) -> Vec<Migration> {
    let provider = writer.provider();
    let stamp = |place, kind| writer.folder(MigrationPhase::Contract, place, kind);
    let lock = |sql: String| writer.atomic(sql);
    // The guard reads before the tables are locked: it scans them.
    // `sql`, then `then`, which no write needs kept out of (see `atomic_exclusive`).
    let lock_tables = |sql: String, then: String| {
        let lock = Some((TableLock::AccessExclusive, expand_db));
        // A swapped column: versions that write the old column still run, and the sync
        // triggers are dropped before the swap.
        if prepared.swap_sql.is_empty() {
            writer.atomic_locking(guard, sql + &then, lock)
        } else {
            writer.atomic_exclusive(guard, sql, then, lock)
        }
    };
    let Sorted {
        unique,
        main_steps,
        not_null,
        contract_foreign_keys,
        contract_validate,
        index_renames,
        copy_columns,
        copy_indexes,
    } = sorted;
    let mut contract = Vec::new();
    let mut n = 1;
    let builds_first = !unique.is_empty() || !copy_columns.is_empty() || !copy_indexes.is_empty();
    if !guard.is_empty() && builds_first {
        // The index builds cannot share a migration with anything: the guard first, alone, so
        // that a contract deployed too early stops before it changes anything.
        contract.push(Migration {
            folder: stamp(Some(n), MigrationKind::Guard),
            purpose: "checks every row is in sync before anything is built or dropped".into(),
            sql: lock(guard.to_string()),
            before_retry: None,
        });
        n += 1;
    }
    for (built, is_unique) in unique {
        // Built first: if duplicates make it fail, nothing has been dropped yet.
        let index = &built.index.name;
        contract.push(if is_unique {
            concurrent_index(
                stamp(Some(n), MigrationKind::UniqueIndex),
                format!("builds unique index \"{index}\" CONCURRENTLY before anything is dropped; fails, changing nothing, if rows hold duplicates"),
                &built,
            )
        } else {
            concurrent_index(
                stamp(Some(n), MigrationKind::Index),
                format!("builds index \"{index}\" CONCURRENTLY on the new-typed copy before the swap"),
                &built,
            )
        });
        n += 1;
    }
    if !copy_columns.is_empty() {
        // Re-runnable: a column already so defined is defined so again.
        contract.push(Migration {
            folder: stamp(Some(n), MigrationKind::Copies),
            purpose: "gives the new-typed copies their final definition (NOT NULL) while reads and writes go on, before the swap locks their tables".into(),
            sql: lock(writer.render(&copy_columns, expand_db)),
            before_retry: None,
        });
        n += 1;
    }
    for step in &copy_indexes {
        // One per migration: MySQL commits each, and one that fails leaves nothing behind.
        let Step::CreateIndex { index, .. } = step else {
            continue;
        };
        contract.push(Migration {
            folder: stamp(Some(n), if index.kind == DbIndexKind::Unique { MigrationKind::UniqueIndex } else { MigrationKind::Index }),
            purpose: format!("builds index \"{}\" on the new-typed copy while reads and writes go on, before the swap; fails, changing nothing, if rows hold duplicates", index.name),
            sql: lock(writer.render(std::slice::from_ref(step), expand_db)),
            before_retry: None,
        });
        n += 1;
    }
    if !not_null.is_empty() {
        let adds = on_checks(provider, &not_null, CheckVerb::Add);
        contract.push(Migration {
            folder: stamp(Some(n), MigrationKind::Check),
            purpose: "adds NOT NULL checks NOT VALID (instant), so that SET NOT NULL later needs no long lock".into(),
            sql: lock_tables(
                sql::render_statements("AddCheckNotValid", &adds),
                String::new(),
            ),
            before_retry: None,
        });
        n += 1;
        let validates = on_checks(provider, &not_null, CheckVerb::Validate);
        contract.push(Migration {
            folder: stamp(Some(n), MigrationKind::Validate),
            purpose: "validates the NOT NULL checks while reads and writes go on".into(),
            sql: lock(sql::render_statements("ValidateCheck", &validates)),
            before_retry: None,
        });
    }
    let (main_sql, main_then) = main_sql(
        writer,
        expand_db,
        side,
        prepared,
        &MainParts {
            index_renames: &index_renames,
            main_steps: &main_steps,
            foreign_keys: &contract_foreign_keys,
            not_null: &not_null,
        },
    );
    // Nothing left to contract (every change shipped with the expand): no main migration. A
    // guard alone is one: it keeps the new version from writing before the rows are ready.
    if !main_sql.trim().is_empty() || !main_then.trim().is_empty() || !guard.is_empty() {
        let purpose = if guard.is_empty() {
            "the contract migration: tightens and drops the old structures"
        } else {
            "the contract migration: checks every row is in sync, tightens, drops the old structures"
        };
        contract.push(Migration {
            folder: stamp(None, MigrationKind::Main),
            purpose: purpose.into(),
            sql: lock_tables(main_sql, main_then),
            before_retry: None,
        });
        // Folder names sort in the order they run: the main contract comes after the index
        // and check migrations, and before the validation of its foreign keys.
        let main = contract.len() - 1;
        if !contract_validate.is_empty() {
            contract.push(Migration {
                folder: stamp(Some(main + 2), MigrationKind::ValidateForeignKeys),
                purpose:
                    "validates the foreign keys the contract added NOT VALID, without blocking writes"
                        .into(),
                sql: lock(sql::render_statements(
                    "ValidateForeignKey",
                    &contract_validate,
                )),
                before_retry: None,
            });
        }
        contract[main].folder = if contract.len() == 1 {
            stamp(None, MigrationKind::Main)
        } else {
            stamp(Some(main + 1), MigrationKind::Main)
        };
    }
    contract
}

/// What the main migration holds besides the differ's steps.
struct MainParts<'a> {
    index_renames: &'a [String],
    main_steps: &'a [Step],
    foreign_keys: &'a [String],
    not_null: &'a [(TableRef, String)],
}

/// The main contract migration after the guard (checked again right before anything is
/// dropped: rows may have changed since the first check): the drops of what old code used and
/// the renames into place, which no write may come between; then the differ's steps, the
/// foreign keys NOT VALID and the checks' drops.
fn main_sql(
    writer: &PhaseWriter,
    expand_db: &Database,
    side: &SideSql,
    prepared: &Prepared,
    parts: &MainParts,
) -> (String, String) {
    let mut main_sql = String::new();
    if !side.table_renames.drop_views.is_empty() {
        // Old code is gone: nothing reads or writes through the old names any more.
        main_sql.push_str(&sql::render_statements(
            "DropView",
            &side.table_renames.drop_views,
        ));
        main_sql.push('\n');
    }
    if !side.triggers.drop.is_empty() {
        main_sql.push_str(&side.triggers.drop);
        main_sql.push('\n');
    }
    if !side.table_copies.drop_triggers.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "DropCopyTrigger",
            &side.table_copies.drop_triggers,
        ));
        main_sql.push('\n');
    }
    if !prepared.type_renames_sql.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "RenameEnum",
            &prepared.type_renames_sql,
        ));
        main_sql.push('\n');
    }
    if !prepared.swap_sql.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "SwapColumn (the new-typed copy takes the old column's place)",
            &prepared.swap_sql,
        ));
        main_sql.push('\n');
    }
    if !parts.index_renames.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "RenameIndex (built on the copy before the swap)",
            parts.index_renames,
        ));
        main_sql.push('\n');
    }
    let mut then = writer.render(parts.main_steps, expand_db);
    if !parts.foreign_keys.is_empty() {
        then.push('\n');
        then.push_str(&sql::render_statements("AddForeignKey", parts.foreign_keys));
    }
    if !parts.not_null.is_empty() {
        let drops = on_checks(writer.provider(), parts.not_null, CheckVerb::Drop);
        then.push('\n');
        then.push_str(&sql::render_statements(
            "DropCheck (SET NOT NULL above used it instead of a scan)",
            &drops,
        ));
    }
    (main_sql, then)
}

/// What the contract does with the NOT NULL checks.
#[derive(Debug, Clone, Copy)]
enum CheckVerb {
    Add,
    Validate,
    Drop,
}

/// The statements that add (`NOT VALID`), validate or drop every NOT NULL check.
fn on_checks(
    provider: crate::schema::Provider,
    not_null: &[(TableRef, String)],
    verb: CheckVerb,
) -> Vec<String> {
    let d = Dialect(provider);
    not_null
        .iter()
        .map(|(table, column)| {
            let name = &crate::database::owned_name(
                &format!("{}_{column}", table.name),
                "not_null",
                provider,
            );
            sql::operation(
                d,
                &match verb {
                    CheckVerb::Add => Operation::AddNotNullCheck {
                        table,
                        check: name,
                        column,
                    },
                    CheckVerb::Validate => Operation::ValidateConstraint { table, name },
                    CheckVerb::Drop => Operation::DropConstraint { table, name },
                },
            )
        })
        .collect()
}
