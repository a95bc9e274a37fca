//! The expand phase: the migrations from the old database to the intermediate one, and its way
//! back. On PostgreSQL what would lock a table with rows goes in migrations of its own: new
//! enum values first (a value cannot be used in the transaction that adds it), indexes built
//! `CONCURRENTLY`, foreign keys added `NOT VALID` and validated without blocking writes.

use super::phase::{ConcurrentIndex, MigrationKind, PhaseWriter, TableLock};
use super::runbook::MigrationPhase;
use super::{Migration, SideSql, concurrent_index, not_valid, sections, statements};
use crate::database::Database;
use crate::migrate::{self, Step, TableRef};
use crate::sql;

/// The expand's migrations, in the order they run, and its `down.sql`. `deployed` is the old
/// database as it is; `old_db` the same with the plan's table renames applied, which the
/// differ compares.
pub(super) fn migrations(
    writer: &PhaseWriter,
    deployed: &Database,
    old_db: &Database,
    expand_db: &Database,
    side: &SideSql,
) -> Expand {
    let provider = writer.provider();
    let stamp = |place, kind| writer.folder(MigrationPhase::Expand, place, kind);
    let lock = |sql: String| writer.atomic(sql);
    // The main migration starts from the database as it is; the later ones from it with the
    // tables renamed.
    let lock_tables = |sql: String, mode| writer.atomic_locking("", sql, Some((mode, deployed)));
    let lock_renamed_tables =
        |sql: String, mode| writer.atomic_locking("", sql, Some((mode, old_db)));
    // Each phase's migration and its way back, diffed side by side (on a large schema each
    // diff walks every table).
    let (expand_steps, expand_down_steps) = crate::both(
        || migrate::diff(old_db, expand_db),
        || migrate::diff(expand_db, old_db),
    );
    let mut expand = Vec::new();
    let Sorted {
        concurrent,
        validate,
        foreign_keys,
        enum_values,
        main_steps,
        replaced_foreign_keys,
    } = sort_steps(writer, old_db, expand_steps);
    let long_locks = if provider == crate::schema::Provider::MySql {
        super::locks::mysql_long_locks("expand", &main_steps, old_db)
    } else {
        Vec::new()
    };
    let main_sql = sections(&[
        statements("RenameTable", &side.table_renames.rename),
        writer.render(&main_steps, old_db),
        statements(
            "AddForeignKey (the same key with its new actions, checked for new rows at once)",
            &replaced_foreign_keys,
        ),
        statements("CopyRows (into the renamed table)", &side.table_copies.copy),
        statements(
            "CreateCopyTrigger (keeps the renamed table and the old one equal both ways)",
            &side.table_copies.create_triggers,
        ),
        side.triggers.create.clone(),
        statements(
            "CreateView (old code reads and writes the renamed table through it)",
            &side.table_renames.create_views,
        ),
    ]);
    let enum_sql = sql::render_script(&enum_values, provider);
    let main_purpose = "the expand migration: new structures beside the old ones";
    match (enum_sql.is_empty(), main_sql.is_empty()) {
        (false, false) => {
            // Folders sort in the order they run.
            expand.push(Migration {
                folder: stamp(Some(1), MigrationKind::EnumValues),
                purpose: "adds the new enum values first: PostgreSQL cannot use a value in the transaction that adds it".into(),
                sql: lock(enum_sql),
                before_retry: None,
            });
            expand.push(Migration {
                folder: stamp(Some(2), MigrationKind::Main),
                purpose: main_purpose.into(),
                sql: lock_tables(main_sql, TableLock::AccessExclusive),
                before_retry: None,
            });
        }
        (true, true) => {}
        (_, _) => expand.push(Migration {
            folder: stamp(None, MigrationKind::Main),
            purpose: main_purpose.into(),
            sql: if main_sql.is_empty() {
                lock(enum_sql)
            } else {
                lock_tables(main_sql, TableLock::AccessExclusive)
            },
            before_retry: None,
        }),
    }
    let mut n = expand.len() + 1;
    for built in concurrent {
        expand.push(concurrent_index(
            stamp(Some(n), MigrationKind::Index),
            format!(
                "builds index \"{}\" CONCURRENTLY, which cannot run inside a transaction",
                built.index.name
            ),
            &built,
        ));
        n += 1;
    }
    if !foreign_keys.is_empty() {
        expand.push(Migration {
            folder: stamp(Some(n), MigrationKind::ForeignKeys),
            purpose:
                "adds the foreign keys NOT VALID: instant, and new rows are checked from then on"
                    .into(),
            sql: lock_renamed_tables(
                sql::render_statements("AddForeignKey", &foreign_keys),
                TableLock::ShareRowExclusive,
            ),
            before_retry: None,
        });
        n += 1;
    }
    if !validate.is_empty() {
        expand.push(Migration {
            folder: stamp(Some(n), MigrationKind::Validate),
            purpose: "validates the foreign keys added NOT VALID, without blocking writes".into(),
            sql: lock(sql::render_statements("ValidateForeignKey", &validate)),
            before_retry: None,
        });
    }
    let expand_down = sections(&[
        statements("DropView", &side.table_renames.drop_views),
        statements("DropCopyTrigger", &side.table_copies.drop_triggers),
        side.triggers.drop.clone(),
        writer.render(&expand_down_steps, expand_db),
        statements("RenameTable", &side.table_renames.rename_back),
    ]);
    let expand_down = writer.atomic_locking(
        "",
        expand_down,
        Some((TableLock::AccessExclusive, expand_db)),
    );
    Expand {
        migrations: expand,
        down: expand_down,
        long_locks,
    }
}

pub(super) struct Expand {
    /// In the order they run.
    pub migrations: Vec<Migration>,
    /// `down.sql`.
    pub down: String,
    /// Statements that stop writes while they rebuild a table (MySQL).
    pub long_locks: Vec<String>,
}

/// The expand's steps, sorted by where they run.
struct Sorted {
    /// Indexes built CONCURRENTLY, each in a migration of its own.
    concurrent: Vec<ConcurrentIndex>,
    /// Foreign keys added NOT VALID, and their validation.
    foreign_keys: Vec<String>,
    validate: Vec<String>,
    /// New enum values, in a migration before the rest (PostgreSQL).
    enum_values: Vec<Step>,
    main_steps: Vec<Step>,
    /// Foreign keys dropped and added again with new actions, added back NOT VALID.
    replaced_foreign_keys: Vec<String>,
}

fn sort_steps(writer: &PhaseWriter, old_db: &Database, expand_steps: Vec<Step>) -> Sorted {
    let online = writer.flavour.builds_online();
    let enum_values_apart = writer.flavour.adds_enum_values_apart();
    let mut concurrent = Vec::new();
    let mut validate = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut enum_values = Vec::new();
    let mut main_steps = Vec::new();
    // A foreign key dropped and added again (its actions change): added back NOT VALID in the
    // same migration, so that no write goes unchecked in between.
    let replaced: Vec<(TableRef, String)> = expand_steps
        .iter()
        .filter_map(|s| match s {
            Step::DropForeignKey { table, foreign_key } => {
                Some((table.clone(), foreign_key.name.clone()))
            }
            _ => None,
        })
        .collect();
    let mut replaced_foreign_keys = Vec::new();
    for step in expand_steps {
        match &step {
            Step::AddForeignKey { table, foreign_key }
                if online
                    && replaced
                        .iter()
                        .any(|(t, n)| t == table && *n == foreign_key.name) =>
            {
                not_valid(&step, &mut replaced_foreign_keys, &mut validate);
            }
            Step::CreateIndex { table, index } if online && table.is_in(old_db) => {
                concurrent.push(ConcurrentIndex {
                    table: table.clone(),
                    index: index.clone(),
                });
            }
            Step::AddForeignKey { table, .. } if online && table.is_in(old_db) => {
                // After the concurrent index builds: a key may reference a new unique index.
                not_valid(&step, &mut foreign_keys, &mut validate);
            }
            // PostgreSQL refuses a new enum value in the transaction that adds it, and the
            // expand may use it (a default): the values come first, in a migration of their own.
            Step::AlterEnum(a) if enum_values_apart && a.removed.is_empty() => {
                enum_values.push(step)
            }
            _ => main_steps.push(step),
        }
    }
    Sorted {
        concurrent,
        foreign_keys,
        validate,
        enum_values,
        main_steps,
        replaced_foreign_keys,
    }
}
