//! Classified changes -> the phased plan: expand, dual-write, backfill, contract.
//!
//! The planner decides, change by change, what each phase does (its recipe), writes the
//! intermediate schema (`schema.expand.prisma`, see [`crate::expand`]) and then lets the
//! migration differ produce each phase's SQL: the expand migration is the migration from the old
//! schema to the intermediate one, the contract migration the one from the intermediate schema
//! to the new one. That keeps every phase exactly what Prisma expects for its schema. On top of
//! that come what Prisma never writes: concurrent index builds in migrations of their own,
//! foreign keys added `NOT VALID` and validated later, `SET NOT NULL` through a validated
//! `CHECK`, the triggers that keep renamed columns in sync, the contract's guard, and a
//! `lock_timeout`.

use serde::Serialize;

use crate::changes::ChangeKind;
use crate::classify::Classification;
use crate::database::{ColumnType, Database, DbIndexKind, Table};
use crate::diagnostics::Sources;
use crate::expand::SchemaEdits;
use crate::migrate::{self, Step, TableChange, TableRef};
use crate::rules::Severity;
use crate::schema::{Model, Provider, Schema};
use crate::sql::{self, Dialect};

mod locks;
pub mod runbook;
mod table_copy;
mod table_rename;
use table_copy::TableCopy;
use table_rename::TableRename;

/// How rows written by old code reach the new columns while both versions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// A database trigger copies between old and new columns (PostgreSQL and SQLite).
    #[default]
    Trigger,
    /// Only the dual-write extension does: rows written by old code are caught by the backfill.
    App,
}

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub name: String,
    pub timestamp: String,
    /// PostgreSQL `lock_timeout` of every phase migration, e.g. `5s`.
    pub lock_timeout: String,
    pub sync: SyncMode,
}

/// One migration folder of a phase.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Migration {
    /// Folder name: `<timestamp>_<name>_expand`, `..._expand_02_index_...`.
    pub folder: String,
    /// Why it is a folder of its own.
    pub purpose: String,
    #[serde(skip)]
    pub sql: String,
    /// SQL to run before deploying it again when it failed half-way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_retry: Option<String>,
}

/// Where a backfilled column's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ValueSource {
    /// Another column of the same row, cast when the types differ (a rename).
    Column {
        column: String,
        cast: Option<String>,
    },
    /// A constant (the field's new default, an enum value).
    Constant { sql: String },
    /// Only the user knows: the backfill refuses to run until it is filled in.
    FillIn { hint: String },
}

/// One column the backfill fills, and which rows need it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub column: String,
    pub sql_type: String,
    pub source: ValueSource,
    /// Rows still to do: the guard of the contract checks the same condition.
    pub pending: String,
    /// Rows whose value would change in the conversion (a value too long for the new type, a
    /// fraction cast to an integer): the backfill leaves them and names them, and they stay
    /// pending, so the contract refuses to run until someone fixes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lossy: Option<String>,
    /// Rows where the column is right once done.
    pub done_when: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackfillTable {
    pub model: String,
    pub table: String,
    pub schema: Option<String>,
    /// Primary key columns with their SQL types: batches walk the key (keyset pagination).
    pub key: Vec<(String, String)>,
    pub assignments: Vec<Assignment>,
}

/// A renamed field both of whose names the application writes while the phases run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldPair {
    pub old_field: String,
    pub new_field: String,
    /// When the two fields' Prisma Client types differ (a type change): how a value of the old
    /// field becomes one of the new (`string`, `number`, `bigint`, `date`; `none` where no
    /// conversion is safe to guess, leaving that direction to the database's sync), and back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_new: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_old: Option<&'static str>,
}

impl FieldPair {
    /// Two names of one field, of the same type.
    pub fn renamed(old_field: &str, new_field: &str) -> FieldPair {
        FieldPair {
            old_field: old_field.to_string(),
            new_field: new_field.to_string(),
            to_new: None,
            to_old: None,
        }
    }
}

/// The JavaScript value Prisma Client takes for a field type, and the dual-write converter that
/// makes one (`None`: no conversion is safe to guess, e.g. to JSON or bytes).
fn client_value(field_type: &crate::schema::FieldType) -> (&'static str, Option<&'static str>) {
    use crate::schema::{FieldType, ScalarType};
    match field_type {
        FieldType::Scalar(ScalarType::String) | FieldType::Enum(_) => ("string", Some("string")),
        FieldType::Scalar(ScalarType::Int | ScalarType::Float) => ("number", Some("number")),
        FieldType::Scalar(ScalarType::BigInt) => ("bigint", Some("bigint")),
        // Prisma Client takes a decimal as a string too.
        FieldType::Scalar(ScalarType::Decimal) => ("decimal", Some("string")),
        FieldType::Scalar(ScalarType::DateTime) => ("date", Some("date")),
        FieldType::Scalar(ScalarType::Boolean) => ("boolean", None),
        _ => ("other", None),
    }
}

/// The converters between two fields' client values, `(to_new, to_old)`; none where the values
/// are of the same kind. A direction no converter covers is left to the database's sync.
fn conversions(
    old: &crate::schema::FieldType,
    new: &crate::schema::FieldType,
) -> (Option<&'static str>, Option<&'static str>) {
    let ((old_kind, to_old), (new_kind, to_new)) = (client_value(old), client_value(new));
    if old_kind == new_kind {
        (None, None)
    } else {
        (
            Some(to_new.unwrap_or("none")),
            Some(to_old.unwrap_or("none")),
        )
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DualWrite {
    pub model: String,
    pub pairs: Vec<FieldPair>,
}

/// A change of the diff and what the plan does with it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub rule: &'static str,
    pub severity: Severity,
    pub reason: String,
    /// Which phase makes the change in the database: `expand` or `contract`.
    pub phase: &'static str,
    pub recipe: String,
    /// What the rollout of the application needs for it.
    pub rollout: runbook::Rollout,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub name: String,
    pub timestamp: String,
    pub provider: Provider,
    pub sync: SyncMode,
    pub lock_timeout: String,
    pub changes: Vec<PlannedChange>,
    /// What a check compares a pull request's schemas with (`coverage`).
    pub schemas: crate::coverage::SchemaFingerprints,
    #[serde(skip)]
    pub expand_schema: String,
    pub expand: Vec<Migration>,
    #[serde(skip)]
    pub expand_down: String,
    pub dual_write: Vec<DualWrite>,
    pub backfill: Vec<BackfillTable>,
    pub contract: Vec<Migration>,
    #[serde(skip)]
    pub contract_down: String,
    /// The rollout, step by step: PLAN.md is this list in words.
    pub steps: Vec<runbook::Step>,
    /// Why some moment of the rollout cannot be free of errors; empty when none.
    pub not_zero_downtime: Vec<String>,
    /// Contract statements that hold a table's lock while they work through its rows.
    pub long_locks: Vec<String>,
}

impl Plan {
    pub fn needs_backfill(&self) -> bool {
        !self.backfill.is_empty()
    }

    pub fn has_fill_ins(&self) -> bool {
        self.backfill.iter().any(|t| {
            t.assignments
                .iter()
                .any(|a| matches!(a.source, ValueSource::FillIn { .. }))
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// Changes no recipe covers yet; planning them by hand is safer than a wrong plan.
    Unsupported(Vec<String>),
    NoDatabase(String),
    /// The intermediate schema did not come out valid: a bug, reported with its diagnostics.
    Internal(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Unsupported(what) => {
                writeln!(
                    f,
                    "prisma-xc cannot plan these changes yet, so it writes no plan:"
                )?;
                for w in what {
                    writeln!(f, "  - {w}")?;
                }
                write!(
                    f,
                    "  = help: split them into their own schema change and ship it by hand (`prisma-xc explain <ID>` has the recipe), or use `--direct` for Prisma's one-step migration"
                )
            }
            PlanError::NoDatabase(why) => write!(f, "{why}"),
            PlanError::Internal(why) => {
                write!(f, "internal error while planning (please report it): {why}")
            }
        }
    }
}

/// Everything the planner reads.
pub struct PlanInput<'a> {
    pub old: &'a Schema,
    pub old_sources: &'a Sources,
    pub new: &'a Schema,
    pub new_sources: &'a Sources,
    /// The two schemas' databases, as the classification lowered them.
    pub old_db: &'a Database,
    pub new_db: &'a Database,
    /// The new schema's syntax trees, one per file of `new_sources`, when the caller kept them:
    /// the intermediate schema shares most of its text and is parsed faster with them.
    pub new_syntax: &'a [crate::ast::SchemaAst],
    pub classification: &'a Classification,
}

/// The recipe of a change that needs no phases of its own.
pub const SHIPS_WITH_EXPAND: &str = "ships with the expand migration";

const GUARD_HINT: &str = "run the backfill (3-backfill) and deploy the contract again";

pub fn plan(input: &PlanInput, options: &PlanOptions) -> Result<Plan, PlanError> {
    let provider = input.classification.provider;
    if matches!(provider, Provider::MongoDb) {
        return Err(PlanError::NoDatabase(
            "MongoDB has no migrations to phase: Prisma applies MongoDB schemas with `prisma db push`".into(),
        ));
    }
    let lower =
        |s: &Schema| crate::database::lower(s).map_err(|e| PlanError::NoDatabase(e.to_string()));
    let (old_db, new_db) = (input.old_db, input.new_db);

    let mut recipes = Recipes {
        sync: options.sync,
        ..Recipes::default()
    };
    let mut edits = SchemaEdits::default();
    let mut unsupported = Vec::new();
    let mut changes = Vec::new();
    for f in &input.classification.findings {
        let (phase, recipe) = match decide(f, input, old_db, new_db, &mut edits, &mut recipes) {
            Ok(decision) => decision,
            Err(why) => {
                unsupported.push(format!("{} {}: {why}", f.rule.id, f.reason));
                continue;
            }
        };
        changes.push(PlannedChange {
            rule: f.rule.id,
            severity: f.severity,
            reason: f.reason.clone(),
            phase,
            recipe,
            rollout: runbook::rollout_of(f, options.sync),
        });
    }
    if !unsupported.is_empty() {
        return Err(PlanError::Unsupported(unsupported));
    }

    let expand_schema = edits
        .apply(input.new_sources)
        .map_err(|c| PlanError::Internal(format!("overlapping schema edits at {:?}", c.at)))?;
    let mut expand_sources = Sources::default();
    expand_sources.add(crate::diagnostics::SourceFile::new(
        "schema.expand.prisma",
        expand_schema.clone(),
    ));
    let earlier: Vec<(&str, &crate::ast::SchemaAst)> =
        if input.new_syntax.len() == input.new_sources.files.len() {
            (input.new_sources.files.iter())
                .map(|f| f.text.as_str())
                .zip(input.new_syntax)
                .collect()
        } else {
            Vec::new()
        };
    let mut expand_loaded = crate::load_reusing(&expand_sources, &earlier);
    if expand_loaded.has_errors() {
        return Err(PlanError::Internal(format!(
            "the intermediate schema is not valid:\n{}\n{expand_schema}",
            crate::diagnostics::render_all(&expand_loaded.diagnostics, &expand_sources)
        )));
    }
    // Its syntax trees are done with: their memory serves what comes next.
    drop(std::mem::take(&mut expand_loaded.syntax));
    let expand_db = lower(&expand_loaded.schema)?;
    drop(expand_loaded);
    // From here on the old database is seen with its tables already renamed: the differ then
    // compares each renamed table with itself.
    let renamed_old_db;
    let (old_db, table_renames) = if recipes.table_renames.is_empty() {
        (old_db, table_rename::RenameSql::default())
    } else {
        let mut db = old_db.clone();
        let sql = table_rename::apply(&mut db, new_db, &recipes.table_renames);
        renamed_old_db = db;
        (&renamed_old_db, sql)
    };
    let table_copies = table_copy::sql(&recipes.table_copies);

    let stamp = |suffix: &str| format!("{}_{}_{suffix}", options.timestamp, options.name);
    let postgres = provider == Provider::PostgreSql;
    let lock = |sql: String| {
        if sql.is_empty() {
            sql
        } else if postgres {
            // One statement, applied whole or not at all however it is sent: Prisma 6 sends a
            // migration as one script (one implicit transaction), Prisma 7 statement by
            // statement where its parser can split it, which would leave a failed deploy half
            // applied and the next one failing on what is already there. Column names win over
            // PL/pgSQL's own variables (`found`) in the statements.
            // Prisma's enum rebuild brings its own transaction, which the block already is.
            let sql: String = sql
                .lines()
                .filter(|line| !matches!(line.trim(), "BEGIN;" | "COMMIT;"))
                .map(|line| format!("{line}\n"))
                .collect();
            let tag = crate::escape::dollar_tag(&sql);
            format!(
                "-- One statement: a failed deploy applies nothing, and deploying again starts afresh.\n\
                 DO {tag}\n#variable_conflict use_column\nBEGIN\n\
                 -- Fail fast instead of queueing all traffic behind a blocked ALTER.\n\
                 SET lock_timeout = {};\n\n{}\nEND\n{tag};\n",
                crate::escape::sql_string(provider, &options.lock_timeout),
                sql.trim_end()
            )
        } else if provider == Provider::Sqlite {
            // Prisma runs a SQLite script statement by statement: without a transaction an
            // application write could land between a table's copy and its drop, and a failure
            // would leave half a migration applied.
            format!(
                "-- One transaction: running applications never see this migration half-done, and a failure\n\
                 -- applies nothing. Foreign keys are off for it, as for Prisma's own table redefinitions\n\
                 -- (the foreign_keys PRAGMAs inside it change nothing).\n\
                 PRAGMA foreign_keys=OFF;\nBEGIN IMMEDIATE;\n\n{}\n\nCOMMIT;\nPRAGMA foreign_keys=ON;\n",
                sql.trim_end()
            )
        } else {
            sql
        }
    };
    let triggers = if options.sync == SyncMode::Trigger {
        sync_triggers(provider, &recipes.renames, &options.name)
    } else {
        SyncTriggers::default()
    };

    // Expand: the old database to the intermediate one.
    // Each phase's migration and its way back, diffed side by side (on a large schema each
    // diff walks every table).
    let (expand_steps, expand_down_steps) = crate::both(
        || migrate::diff(old_db, &expand_db),
        || migrate::diff(&expand_db, old_db),
    );
    let mut expand = Vec::new();
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
                if postgres
                    && replaced
                        .iter()
                        .any(|(t, n)| t == table && *n == foreign_key.name) =>
            {
                not_valid(
                    &step,
                    table,
                    &foreign_key.name,
                    &mut replaced_foreign_keys,
                    &mut validate,
                );
            }
            Step::CreateIndex { table, index } if postgres && table_exists(old_db, table) => {
                concurrent.push((
                    index.name.clone(),
                    Dialect(provider).qualified(&table.schema, &index.name),
                    sql::create_index_concurrently(table, index),
                ));
            }
            Step::AddForeignKey { table, foreign_key }
                if postgres && table_exists(old_db, table) =>
            {
                // After the concurrent index builds: a key may reference a new unique index.
                not_valid(
                    &step,
                    table,
                    &foreign_key.name,
                    &mut foreign_keys,
                    &mut validate,
                );
            }
            // PostgreSQL refuses a new enum value in the transaction that adds it, and the
            // expand may use it (a default): the values come first, in a migration of their own.
            Step::AlterEnum(a) if postgres && a.removed.is_empty() => enum_values.push(step),
            _ => main_steps.push(step),
        }
    }
    let main_sql = sections(&[
        statements("RenameTable", &table_renames.rename),
        sql::render_script(&main_steps, provider),
        statements(
            "AddForeignKey (the same key with its new actions, checked for new rows at once)",
            &replaced_foreign_keys,
        ),
        statements("CopyRows (into the renamed table)", &table_copies.copy),
        statements(
            "CreateCopyTrigger (keeps the renamed table and the old one equal both ways)",
            &table_copies.create_triggers,
        ),
        triggers.create.clone(),
        statements(
            "CreateView (old code reads and writes the renamed table through it)",
            &table_renames.create_views,
        ),
    ]);
    let enum_sql = sql::render_script(&enum_values, provider);
    let main_purpose = "the expand migration: new structures beside the old ones";
    match (enum_sql.is_empty(), main_sql.is_empty()) {
        (false, false) => {
            // Folders sort in the order they run.
            expand.push(Migration {
                folder: stamp("expand_01_enum_values"),
                purpose: "adds the new enum values first: PostgreSQL cannot use a value in the transaction that adds it".into(),
                sql: lock(enum_sql),
                before_retry: None,
            });
            expand.push(Migration {
                folder: stamp("expand_02"),
                purpose: main_purpose.into(),
                sql: lock(main_sql),
                before_retry: None,
            });
        }
        (true, true) => {}
        (_, _) => expand.push(Migration {
            folder: stamp("expand"),
            purpose: main_purpose.into(),
            sql: lock(if main_sql.is_empty() {
                enum_sql
            } else {
                main_sql
            }),
            before_retry: None,
        }),
    }
    let mut n = expand.len() + 1;
    for (index, qualified, statement) in concurrent {
        expand.push(concurrent_index(
            stamp(&format!("expand_{n:02}_index")),
            format!("builds index \"{index}\" CONCURRENTLY, which cannot run inside a transaction"),
            &statement,
            &qualified,
        ));
        n += 1;
    }
    if !foreign_keys.is_empty() {
        expand.push(Migration {
            folder: stamp(&format!("expand_{n:02}_foreign_keys")),
            purpose:
                "adds the foreign keys NOT VALID: instant, and new rows are checked from then on"
                    .into(),
            sql: lock(sql::render_statements("AddForeignKey", &foreign_keys)),
            before_retry: None,
        });
        n += 1;
    }
    if !validate.is_empty() {
        expand.push(Migration {
            folder: stamp(&format!("expand_{n:02}_validate")),
            purpose: "validates the foreign keys added NOT VALID, without blocking writes".into(),
            sql: lock(sql::render_statements("ValidateForeignKey", &validate)),
            before_retry: None,
        });
    }
    let expand_down = sections(&[
        statements("DropView", &table_renames.drop_views),
        statements("DropCopyTrigger", &table_copies.drop_triggers),
        triggers.drop.clone(),
        sql::render_script(&expand_down_steps, provider),
        statements("RenameTable", &table_renames.rename_back),
    ]);
    let expand_down = lock(expand_down);

    // Contract: the intermediate database to the new one.
    // Type renames run first, as renames: the differ then compares like with like.
    let mut renamed_expand_db = expand_db.clone();
    let mut type_renames_sql = Vec::new();
    let mut type_renames_back = Vec::new();
    for (schema, from, to) in &recipes.type_renames {
        rename_enum_type(&mut renamed_expand_db, schema, from, to);
        let d = Dialect(provider);
        type_renames_sql.push(format!(
            "ALTER TYPE {} RENAME TO {}",
            d.qualified(schema, from),
            d.quote(to)
        ));
        type_renames_back.push(format!(
            "ALTER TYPE {} RENAME TO {}",
            d.qualified(schema, to),
            d.quote(from)
        ));
    }
    let mut swap_sql = Vec::new();
    for swap in &recipes.swaps {
        apply_swap(&mut renamed_expand_db, swap);
        let d = Dialect(provider);
        swap_sql.push(format!(
            "ALTER TABLE {} DROP COLUMN {}",
            d.table(&swap.table),
            d.quote(&swap.column)
        ));
        swap_sql.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            d.table(&swap.table),
            d.quote(&swap.temporary),
            d.quote(&swap.column)
        ));
    }
    // The database the contract's down.sql starts from: the new one with its renamed types
    // named back, and each swapped column back under its temporary name beside the old one.
    let mut renamed_new_db = new_db.clone();
    for (schema, from, to) in &recipes.type_renames {
        rename_enum_type(&mut renamed_new_db, schema, to, from);
    }
    for swap in &recipes.swaps {
        unswap_db(&mut renamed_new_db, swap, &expand_db);
    }
    let (contract_steps, contract_down_steps) = crate::both(
        || migrate::diff(&renamed_expand_db, new_db),
        || migrate::diff(&renamed_new_db, &expand_db),
    );
    let guard = format!(
        "{}{}",
        guard_sql(provider, &recipes.backfill),
        copies_guard_sql(&table_copies.out_of_sync)
    );
    let long_locks = locks::long_locks(provider, &contract_steps);
    let mut contract = Vec::new();
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
    let swapped = |table: &TableRef, column: &str| {
        recipes
            .swaps
            .iter()
            .find(|w| w.table == *table && w.column == column)
    };
    for step in contract_steps {
        match &step {
            Step::CreateIndex { table, index }
                if postgres
                    && table_exists(old_db, table)
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
                let d = Dialect(provider);
                index_renames.push(format!(
                    "ALTER INDEX {} RENAME TO {}",
                    d.qualified(&table.schema, &on_copy.name),
                    d.quote(&index.name)
                ));
                unique.push((
                    on_copy.name.clone(),
                    d.qualified(&table.schema, &on_copy.name),
                    on_copy.kind == DbIndexKind::Unique,
                    sql::create_index_concurrently(table, &on_copy),
                ));
            }
            Step::AddForeignKey { table, foreign_key }
                if postgres && table_exists(old_db, table) =>
            {
                not_valid(
                    &step,
                    table,
                    &foreign_key.name,
                    &mut contract_foreign_keys,
                    &mut contract_validate,
                );
            }
            Step::CreateIndex { table, index }
                if postgres && index.kind == DbIndexKind::Unique && table_exists(old_db, table) =>
            {
                unique.push((
                    index.name.clone(),
                    Dialect(provider).qualified(&table.schema, &index.name),
                    true,
                    sql::create_index_concurrently(table, index),
                ));
            }
            Step::AlterTable { table, changes } if postgres => {
                // A new primary key on a table with rows: its unique index built CONCURRENTLY
                // before the contract, then made the key under the lock in an instant.
                let mut step = step.clone();
                if table_exists(old_db, table)
                    && let Step::AlterTable { changes, .. } = &mut step
                {
                    for c in changes.iter_mut() {
                        if let TableChange::AddPrimaryKey { name, columns } = c {
                            let index = crate::database::owned_name(name, "xc_new", provider);
                            let d = Dialect(provider);
                            unique.push((
                                index.clone(),
                                d.qualified(&table.schema, &index),
                                true,
                                sql::create_index_concurrently(
                                    table,
                                    &crate::database::DbIndex {
                                        name: index.clone(),
                                        kind: DbIndexKind::Unique,
                                        columns: (columns.iter())
                                            .map(|c| crate::database::IndexColumn::named(c))
                                            .collect(),
                                        algorithm: None,
                                        clustered: None,
                                    },
                                ),
                            ));
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
    let mut n = 1;
    if !guard.is_empty() && !unique.is_empty() {
        // The index builds cannot share a migration with anything: the guard first, alone, so
        // that a contract deployed too early stops before it changes anything.
        contract.push(Migration {
            folder: stamp(&format!("contract_{n:02}_guard")),
            purpose: "checks every row is in sync before anything is built or dropped".into(),
            sql: lock(guard.clone()),
            before_retry: None,
        });
        n += 1;
    }
    for (index, qualified, is_unique, statement) in unique {
        // Built first: if duplicates make it fail, nothing has been dropped yet.
        contract.push(if is_unique {
            concurrent_index(
                stamp(&format!("contract_{n:02}_unique")),
                format!("builds unique index \"{index}\" CONCURRENTLY before anything is dropped; fails, changing nothing, if rows hold duplicates"),
                &statement,
                &qualified,
            )
        } else {
            concurrent_index(
                stamp(&format!("contract_{n:02}_index")),
                format!("builds index \"{index}\" CONCURRENTLY on the new-typed copy before the swap"),
                &statement,
                &qualified,
            )
        });
        n += 1;
    }
    let d = Dialect(provider);
    let check_name = |t: &TableRef, c: &str| {
        crate::database::owned_name(&format!("{}_{c}", t.name), "not_null", provider)
    };
    // `ALTER TABLE t VALIDATE|DROP CONSTRAINT <check>` for every NOT NULL check.
    let on_checks = |verb: &str| -> Vec<String> {
        not_null
            .iter()
            .map(|(t, c)| {
                format!(
                    "ALTER TABLE {} {verb} CONSTRAINT {}",
                    d.table(t),
                    d.quote(&check_name(t, c))
                )
            })
            .collect()
    };
    if !not_null.is_empty() {
        let adds: Vec<String> = not_null
            .iter()
            .map(|(t, c)| {
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                    d.table(t),
                    d.quote(&check_name(t, c)),
                    d.quote(c)
                )
            })
            .collect();
        contract.push(Migration {
            folder: stamp(&format!("contract_{n:02}_check")),
            purpose: "adds NOT NULL checks NOT VALID (instant), so that SET NOT NULL later needs no long lock".into(),
            sql: lock(format!(
                "{guard}{}{}",
                if guard.is_empty() { "" } else { "\n" },
                sql::render_statements("AddCheckNotValid", &adds)
            )),
            before_retry: None,
        });
        n += 1;
        let validates = on_checks("VALIDATE");
        contract.push(Migration {
            folder: stamp(&format!("contract_{n:02}_validate")),
            purpose: "validates the NOT NULL checks while reads and writes go on".into(),
            sql: lock(sql::render_statements("ValidateCheck", &validates)),
            before_retry: None,
        });
    }
    let mut main_sql = String::new();
    if !guard.is_empty() {
        // Again right before anything is dropped: rows may have changed since the first check.
        main_sql.push_str(&guard);
        main_sql.push('\n');
    }
    if !table_renames.drop_views.is_empty() {
        // Old code is gone: nothing reads or writes through the old names any more.
        main_sql.push_str(&sql::render_statements(
            "DropView",
            &table_renames.drop_views,
        ));
        main_sql.push('\n');
    }
    if !triggers.drop.is_empty() {
        main_sql.push_str(&triggers.drop);
        main_sql.push('\n');
    }
    if !table_copies.drop_triggers.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "DropCopyTrigger",
            &table_copies.drop_triggers,
        ));
        main_sql.push('\n');
    }
    if !type_renames_sql.is_empty() {
        main_sql.push_str(&sql::render_statements("RenameEnum", &type_renames_sql));
        main_sql.push('\n');
    }
    if !swap_sql.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "SwapColumn (the new-typed copy takes the old column's place)",
            &swap_sql,
        ));
        main_sql.push('\n');
    }
    if !index_renames.is_empty() {
        main_sql.push_str(&sql::render_statements(
            "RenameIndex (built on the copy before the swap)",
            &index_renames,
        ));
        main_sql.push('\n');
    }
    main_sql.push_str(&sql::render_script(&main_steps, provider));
    if !contract_foreign_keys.is_empty() {
        main_sql.push('\n');
        main_sql.push_str(&sql::render_statements(
            "AddForeignKey",
            &contract_foreign_keys,
        ));
    }
    if !not_null.is_empty() {
        let drops = on_checks("DROP");
        main_sql.push('\n');
        main_sql.push_str(&sql::render_statements(
            "DropCheck (SET NOT NULL above used it instead of a scan)",
            &drops,
        ));
    }
    // Nothing left to contract (every change shipped with the expand): no main migration.
    if !main_sql.trim().is_empty() {
        let purpose = if guard.is_empty() {
            "the contract migration: tightens and drops the old structures"
        } else {
            "the contract migration: checks every row is in sync, tightens, drops the old structures"
        };
        contract.push(Migration {
            folder: stamp("contract"),
            purpose: purpose.into(),
            sql: lock(main_sql),
            before_retry: None,
        });
        // Folder names sort in the order they run: the main contract comes after the index
        // and check migrations, and before the validation of its foreign keys.
        let main = contract.len() - 1;
        if !contract_validate.is_empty() {
            contract.push(Migration {
                folder: stamp(&format!("contract_{:02}_validate_foreign_keys", main + 2)),
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
            stamp("contract")
        } else {
            stamp(&format!("contract_{:02}", main + 1))
        };
    }
    let mut contract_down = String::from(
        "-- Restores the intermediate schema's structure. Data the contract dropped is not restored:\n-- take a backup before the contract if you may need to come back.\n",
    );
    // A renamed column's old column comes back filled from the new one, then tightened.
    // A swapped column goes back to being the copy, and the old column comes back from it.
    let mut unswap = Vec::new();
    for swap in &recipes.swaps {
        let dd = Dialect(provider);
        let t = dd.table(&swap.table);
        // The column's indexes would follow it to the copy's name, which has none in the
        // intermediate schema: they go, and the differ builds the old column's again.
        let new_table = new_db.tables.iter().find(|x| TableRef::of(x) == swap.table);
        for index in new_table.into_iter().flat_map(|x| &x.indexes) {
            if index.columns.iter().any(|c| c.name == swap.column) {
                unswap.push(format!(
                    "DROP INDEX {}",
                    dd.qualified(&swap.table.schema, &index.name)
                ));
            }
        }
        unswap.push(format!(
            "ALTER TABLE {t} RENAME COLUMN {} TO {}",
            dd.quote(&swap.column),
            dd.quote(&swap.temporary)
        ));
        unswap.push(format!(
            "ALTER TABLE {t} ADD COLUMN {} {}",
            dd.quote(&swap.column),
            swap.old_type
        ));
        let back = if swap.castable {
            format!("CAST({} AS {})", dd.quote(&swap.temporary), swap.old_type)
        } else {
            // Fails as an unknown column until replaced: nothing runs half-converted.
            format!(
                "FILL_IN_{}_{}_back /* <- FILL IN: {} */",
                crate::escape::token(&swap.table.name),
                crate::escape::token(&swap.column),
                crate::escape::block_comment(&format!(
                    "the {} value computed from {}",
                    swap.old_type,
                    dd.quote(&swap.temporary)
                ))
            )
        };
        unswap.push(format!(
            "UPDATE {t} SET {} = {back}",
            dd.quote(&swap.column)
        ));
    }
    if !unswap.is_empty() {
        contract_down.push_str(&sql::render_statements("UnswapColumn", &unswap));
        contract_down.push('\n');
    }
    if !type_renames_back.is_empty() {
        contract_down.push_str(&sql::render_statements("RenameEnum", &type_renames_back));
        contract_down.push('\n');
    }
    let mut down_steps = contract_down_steps;
    // The old column of a rename comes back empty: it is filled from the new one, before the
    // old code that reads it runs again. PostgreSQL adds it (nullable until filled), SQLite
    // redefines the table.
    let mut refill = Vec::new();
    let fill_back = |table: &TableRef, r: &ColumnRename, refill: &mut Vec<String>| {
        let source = d.quote(&r.new_column);
        if let Some(lossy) = changes_value(provider, &source, &r.new_type, &r.old_type) {
            refill.push(refuse_if_any(
                provider,
                &d.table(table),
                &lossy,
                &format!(
                    "prisma-xc: values of \"{}\".\"{}\" change when converted back to {}: fix them first",
                    table.name,
                    r.new_column,
                    r.old_type.sql()
                ),
            ));
        }
        let source = if r.converts() {
            cast(&source, &r.old_type)
        } else {
            source
        };
        refill.push(format!(
            "UPDATE {} SET {} = {source}",
            d.table(table),
            d.quote(&r.old_column)
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
                        refill.push(format!(
                            "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
                            d.table(table),
                            d.quote(&r.old_column)
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
    contract_down.push_str(&sql::render_script(&down_steps, provider));
    if !refill.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements("RefillRenamedColumn", &refill));
    }
    if !triggers.create.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&triggers.create);
    }
    if !table_copies.copy_back.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CopyRows (back into the old table)",
            &table_copies.copy_back,
        ));
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CreateCopyTrigger",
            &table_copies.create_triggers,
        ));
    }
    if !table_renames.create_views.is_empty() {
        contract_down.push('\n');
        contract_down.push_str(&sql::render_statements(
            "CreateView",
            &table_renames.create_views,
        ));
    }
    let contract_down = lock(contract_down);

    let rollouts: Vec<runbook::Rollout> = changes.iter().map(|c| c.rollout.clone()).collect();
    let dual_write_needed = !recipes.dual_write.is_empty()
        && (options.sync == SyncMode::App
            || rollouts
                .iter()
                .any(|r| !matches!(r, runbook::Rollout::NewDirectly)));
    let steps = runbook::steps(&runbook::Needs {
        rollouts: &rollouts,
        has_expand: !expand.is_empty(),
        has_backfill: !recipes.backfill.is_empty(),
        has_contract: !contract.is_empty(),
        has_dual_write: dual_write_needed,
    });
    let not_zero_downtime = rollouts
        .iter()
        .filter_map(|r| match r {
            runbook::Rollout::NotZeroDowntime { why, .. } => Some(why.clone()),
            _ => None,
        })
        .collect();
    Ok(Plan {
        name: options.name.clone(),
        timestamp: options.timestamp.clone(),
        provider,
        sync: options.sync,
        lock_timeout: options.lock_timeout.clone(),
        changes,
        schemas: crate::coverage::SchemaFingerprints {
            old: crate::coverage::fingerprint(
                input.old_sources.files.iter().map(|f| f.text.as_str()),
            ),
            expand: crate::coverage::fingerprint([expand_schema.as_str()]),
            new: crate::coverage::fingerprint(
                input.new_sources.files.iter().map(|f| f.text.as_str()),
            ),
        },
        expand_schema,
        expand,
        expand_down,
        // Without a version that needs it (a trigger keeps the columns in sync), no extension.
        dual_write: if dual_write_needed {
            recipes.dual_write
        } else {
            Vec::new()
        },
        backfill: recipes.backfill,
        contract,
        contract_down,
        steps,
        not_zero_downtime,
        long_locks,
    })
}

/// A migration of one `CREATE [UNIQUE] INDEX CONCURRENTLY`: PostgreSQL refuses to run it inside
/// the transaction `migrate deploy` wraps a migration in with others.
fn concurrent_index(folder: String, purpose: String, statement: &str, index: &str) -> Migration {
    Migration {
        folder,
        purpose,
        sql: format!(
            "-- CreateIndex (CONCURRENTLY: writes go on while it builds; it must be alone in its migration)\n{statement};\n"
        ),
        // A failed concurrent build leaves an INVALID index under the name, and deploying
        // again would fail on "already exists".
        before_retry: Some(format!("DROP INDEX CONCURRENTLY IF EXISTS {index};")),
    }
}

/// Parts of a migration, each ending with a newline, one blank line between non-empty ones.
fn sections(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A PostgreSQL foreign key on a table that has rows: added `NOT VALID` (instant, and new rows
/// are checked at once), and validated later by a statement that does not block writes.
fn not_valid(
    step: &Step,
    table: &TableRef,
    name: &str,
    adds: &mut Vec<String>,
    validates: &mut Vec<String>,
) {
    let d = Dialect(Provider::PostgreSql);
    for s in sql::step_statements(step, Provider::PostgreSql) {
        adds.push(format!("{s} NOT VALID"));
    }
    validates.push(format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        d.table(table),
        d.quote(name)
    ));
}

/// `-- Step` and its statements; empty when there are none.
fn statements(step: &str, statements: &[String]) -> String {
    if statements.is_empty() {
        String::new()
    } else {
        sql::render_statements(step, statements)
    }
}

fn table_exists(db: &Database, t: &TableRef) -> bool {
    db.tables
        .iter()
        .any(|x| x.name == t.name && x.schema == t.schema)
}

/// A column rename the phases carry: old and new columns of one table, kept in sync.
#[derive(Debug, Clone, PartialEq)]
struct ColumnRename {
    table: TableRef,
    old_column: String,
    new_column: String,
    old_type: ColumnType,
    new_type: ColumnType,
}

impl ColumnRename {
    /// Whether values are cast between the two columns.
    fn converts(&self) -> bool {
        self.old_type.sql() != self.new_type.sql()
    }
}

/// PostgreSQL has no `=` for `json`, `xml` and the geometric types (and `box` and `circle`
/// compare areas): values of those, and of types prisma-xc does not know, compare as text.
fn has_equality(ty: &ColumnType) -> bool {
    use crate::database::TypeFamily;
    match &ty.family {
        TypeFamily::Json => !ty.base.eq_ignore_ascii_case("JSON"),
        TypeFamily::Other => {
            let name = ty.base.split('(').next().unwrap_or("").trim();
            [
                "UUID", "INET", "CIDR", "CITEXT", "BIT", "VARBIT", "MONEY", "OID", "TIME",
                "TIMETZ", "MACADDR", "MACADDR8", "XID8",
            ]
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
        }
        _ => true,
    }
}

/// `a` and `b` (values of `ty`) differ, NULL counting as a value.
fn distinct(provider: Provider, a: &str, b: &str, ty: &ColumnType) -> String {
    match provider {
        Provider::PostgreSql | Provider::CockroachDb if !has_equality(ty) => {
            format!("({a})::text IS DISTINCT FROM ({b})::text")
        }
        Provider::Sqlite => format!("{a} IS NOT {b}"),
        Provider::MySql => format!("NOT ({a} <=> {b})"),
        _ => format!("{a} IS DISTINCT FROM {b}"),
    }
}

/// `value` (of type `from`) as a value of type `to`.
fn cast(value: &str, to: &ColumnType) -> String {
    format!("CAST({value} AS {})", to.sql())
}

/// The condition under which converting `value` from `from` to `to` changes it: it does not
/// come back unchanged (PostgreSQL's `CAST` to `VARCHAR(8)` cuts, to `INTEGER` rounds, and
/// SQLite's turns text that is no number into 0). `None` where no cast happens, or where SQLite
/// stores the value as it is.
fn changes_value(
    provider: Provider,
    value: &str,
    from: &ColumnType,
    to: &ColumnType,
) -> Option<String> {
    use crate::database::TypeFamily;
    if from.sql() == to.sql() {
        return None;
    }
    if provider == Provider::Sqlite {
        let plain = |t: &ColumnType| {
            matches!(
                t.family,
                TypeFamily::Integer(_)
                    | TypeFamily::Float
                    | TypeFamily::Decimal { .. }
                    | TypeFamily::Text { .. }
            )
        };
        if !(plain(from) && plain(to)) {
            return None;
        }
    }
    Some(distinct(
        provider,
        &cast(&cast(value, to), from),
        value,
        from,
    ))
}

/// A type change through a new column: `column` (old type) is replaced by `temporary` (new
/// type), filled by sync and backfill, renamed to `column` by the contract.
#[derive(Debug, Clone, PartialEq)]
struct TypeSwap {
    table: TableRef,
    column: String,
    temporary: String,
    old_type: String,
    /// Whether the database casts between the two types; if not, the way back needs the
    /// user's reverse conversion.
    castable: bool,
}

#[derive(Debug, Default)]
struct Recipes {
    /// Tables the expand renames, leaving a view under the old name.
    table_renames: Vec<TableRename>,
    /// Tables renamed on SQLite: copied by the expand and kept in sync both ways.
    table_copies: Vec<TableCopy>,
    /// Columns the contract swaps for their new-typed copy.
    swaps: Vec<TypeSwap>,
    /// How old and new columns are kept in sync.
    sync: SyncMode,
    /// Enum types the contract renames: (schema, old name, new name).
    type_renames: Vec<(Option<String>, String, String)>,
    renames: Vec<ColumnRename>,
    backfill: Vec<BackfillTable>,
    dual_write: Vec<DualWrite>,
}

impl Recipes {
    fn backfill_table(&mut self, model: &Model, table: &Table) -> &mut BackfillTable {
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

    fn dual_write(&mut self, model: &str, pair: FieldPair) {
        match self.dual_write.iter_mut().find(|d| d.model == model) {
            Some(d) => d.pairs.push(pair),
            None => self.dual_write.push(DualWrite {
                model: model.to_string(),
                pairs: vec![pair],
            }),
        }
    }
}

/// The foreign keys, of any table of `db`, that reference `column` of `table`.
fn foreign_keys_to<'a>(
    db: &'a Database,
    table: &'a Table,
    column: &'a str,
) -> impl Iterator<Item = &'a crate::database::ForeignKey> {
    db.tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .filter(move |fk| {
            fk.referenced_table == table.name
                && fk.referenced_schema == table.schema
                && fk.referenced_columns.iter().any(|c| c == column)
        })
}

/// The backfill of a column copied from another one of the same row (a renamed column, or the
/// new-typed copy of a column): rows where it differs from the converted source are pending,
/// and rows whose value the conversion would change are left for the user, never cut.
fn copy_assignment(provider: Provider, rename: &ColumnRename, why: String) -> Assignment {
    let d = Dialect(provider);
    let (source, target) = (d.quote(&rename.old_column), d.quote(&rename.new_column));
    let converted = if rename.converts() {
        cast(&source, &rename.new_type)
    } else {
        source.clone()
    };
    let lossy = changes_value(provider, &source, &rename.old_type, &rename.new_type);
    let differs = distinct(provider, &target, &converted, &rename.new_type);
    Assignment {
        column: rename.new_column.clone(),
        sql_type: rename.new_type.sql(),
        source: ValueSource::Column {
            column: rename.old_column.clone(),
            cast: rename.converts().then(|| rename.new_type.sql()),
        },
        pending: match &lossy {
            Some(lossy) => format!("{differs} OR {lossy}"),
            None => differs.clone(),
        },
        done_when: format!("NOT ({differs})"),
        lossy,
        why,
    }
}

fn find_table<'a>(db: &'a Database, model: &Model) -> Option<&'a Table> {
    db.tables
        .iter()
        .find(|t| t.name == model.database_name() && t.schema == model.schema)
}

/// The recipe of one finding: which phase applies it, in words, and the edits and steps it
/// needs. `Err` says why no recipe covers it yet.
fn decide(
    f: &crate::classify::Finding,
    input: &PlanInput,
    old_db: &Database,
    new_db: &Database,
    edits: &mut SchemaEdits,
    recipes: &mut Recipes,
) -> Result<(&'static str, String), String> {
    let provider = input.classification.provider;
    let d = Dialect(provider);
    let new_model = |name: &str| {
        input
            .new
            .model(name)
            .ok_or_else(|| format!("model `{name}` not found"))
    };
    match &f.change.kind {
        ChangeKind::FieldRenamed { model, from, to, column_from, column_to, .. } if column_from != column_to => {
            let nm = new_model(model)?;
            let om = old_model_of(input, nm)?;
            let of = om.field(from).ok_or("old field not found")?;
            let nf = nm.field(to).ok_or("new field not found")?;
            let table = find_table(new_db, nm).ok_or("table not found")?;
            // Foreign keys would have to move from the old column to the new one, which has no
            // unique key until the contract: the intermediate schema cannot express that yet.
            let old_table = find_table(old_db, om);
            if let Some(fk) = foreign_keys_to(new_db, table, column_to)
                .chain(old_table.into_iter().flat_map(|t| foreign_keys_to(old_db, t, column_from)))
                .next()
            {
                return Err(format!(
                    "foreign key \"{}\" references the renamed column, and prisma-xc cannot move foreign keys to a new column yet: keep the column with `@map(\"{column_from}\")` (XC105), or rename it by hand",
                    fk.name
                ));
            }
            relax(edits, input.new_sources, nm, nf);
            // A renamed key column: the expand keeps the key on the old column (the new one
            // starts empty); the contract moves it.
            if let Some(pk) = &nm.primary_key
                && pk.fields.iter().any(|k| k.name == nf.name)
            {
                if !pk.from_field {
                    return Err("a column of a composite primary key is renamed".into());
                }
                edits.remove(input.new_sources, pk.span);
            }
            // The old field keeps its name unless the new schema reuses it (an `@map` change).
            let old_name = if nm.field(&of.name).is_some() {
                format!("{}Old", of.name)
            } else {
                of.name.clone()
            };
            let rename = (old_name != of.name).then_some(old_name.as_str());
            // Optional too: code built on the intermediate schema may name only the new field
            // (the extension and the trigger fill the old one).
            let in_old_key = om
                .primary_key
                .as_ref()
                .is_some_and(|pk| pk.fields.iter().any(|k| k.name == of.name));
            edits.insert_old_field(input.new_sources, nm, input.old_sources, of, rename, !in_old_key);
            let new_type = table
                .column(column_to)
                .map(|c| c.column_type.clone())
                .ok_or("new column not found")?;
            let old_type = find_table(old_db, om)
                .and_then(|t| t.column(column_from))
                .map_or_else(|| new_type.clone(), |c| c.column_type.clone());
            let rename = ColumnRename {
                table: TableRef::of(table),
                old_column: column_from.clone(),
                new_column: column_to.clone(),
                old_type,
                new_type,
            };
            recipes.backfill_table(nm, table).assignments.push(copy_assignment(provider, &rename, format!("`{to}` is the renamed `{from}`")));
            recipes.renames.push(rename);
            recipes.dual_write(model, FieldPair::renamed(&old_name, to));
            let sync = match recipes.sync {
                SyncMode::Trigger if matches!(provider, Provider::PostgreSql | Provider::Sqlite) => "a trigger keeps the two equal while old and new code run",
                _ => "the application writes both (the dual-write extension) while old and new code run",
            };
            Ok(("contract", format!(
                "expand adds column \"{column_to}\" (nullable) beside \"{column_from}\"; {sync}; the backfill copies the rest; the contract drops \"{column_from}\"{}",
                if nf.is_required() { " and makes the new column NOT NULL" } else { "" }
            )))
        }
        ChangeKind::FieldAdded { model, field, column, .. } if f.rule.id == "XC108" => {
            let nm = new_model(model)?;
            let nf = nm.field(field).ok_or("new field not found")?;
            let table = find_table(new_db, nm).ok_or("table not found")?;
            relax(edits, input.new_sources, nm, nf);
            recipes.backfill_table(nm, table).assignments.push(Assignment {
                column: column.name.clone(),
                sql_type: column.sql_type.clone(),
                source: ValueSource::FillIn {
                    hint: format!("the value of the new required field `{model}.{field}` for existing rows"),
                },
                pending: format!("{} IS NULL", d.quote(&column.name)),
                lossy: None,
                done_when: format!("{} IS NOT NULL", d.quote(&column.name)),
                why: format!("`{field}` is a new required field without a default"),
            });
            Ok(("contract", format!(
                "expand adds \"{}\" as nullable; the application writes it on every create; the backfill fills existing rows (you write the value); the contract makes it NOT NULL",
                column.name
            )))
        }
        ChangeKind::ColumnMadeRequired { model, field, column, .. } => {
            let nm = new_model(model)?;
            let nf = nm.field(field).ok_or("new field not found")?;
            let table = find_table(new_db, nm).ok_or("table not found")?;
            relax(edits, input.new_sources, nm, nf);
            let default = table.column(column).and_then(|c| c.default.as_ref()).map(|d| d.sql.clone());
            let source = match default {
                Some(sql) => ValueSource::Constant { sql },
                None => ValueSource::FillIn {
                    hint: format!("the value of `{model}.{field}` for rows where it is null"),
                },
            };
            recipes.backfill_table(nm, table).assignments.push(Assignment {
                column: column.clone(),
                sql_type: table.column(column).map(|c| c.column_type.sql()).unwrap_or_default(),
                source,
                pending: format!("{} IS NULL", d.quote(column)),
                lossy: None,
                done_when: format!("{} IS NOT NULL", d.quote(column)),
                why: format!("`{field}` becomes required"),
            });
            Ok(("contract", format!(
                "the application always writes `{field}`; the backfill fills the nulls; the contract makes \"{column}\" NOT NULL{}",
                if provider == Provider::PostgreSql { " through a CHECK validated first" } else { "" }
            )))
        }
        ChangeKind::FieldRemoved { model, field, .. } => {
            let nm = new_model(model)?;
            let om = old_model_of(input, nm)?;
            let of = om.field(field).ok_or("old field not found")?;
            let relax = of.is_required() && of.default.is_none();
            let rename = nm.field(field).is_some().then(|| format!("{field}Old"));
            edits.insert_old_field(input.new_sources, nm, input.old_sources, of, rename.as_deref(), relax);
            Ok(("contract", format!(
                "expand keeps `{field}`{}; deploy code that no longer uses it; the contract drops its column",
                if relax { " but makes it optional, so code that stops writing it keeps working" } else { "" }
            )))
        }
        ChangeKind::EnumRemoved { enumeration } => {
            let oe = input.old.enum_by_name(enumeration).ok_or("old enum not found")?;
            // Old code may still write its values, and fields kept until the contract use it.
            edits.append(input.new_sources, input.old_sources.text(oe.span));
            Ok(("contract", format!(
                "expand keeps enum `{enumeration}` while old code and the fields kept until the contract use it; the contract drops its type"
            )))
        }
        ChangeKind::ModelRemoved { model, .. } => {
            let om = input.old.model(model).ok_or("old model not found")?;
            // Kept beside a new model of the same name, it could not be told apart: the same
            // model on a new table is a rename the user has to declare.
            if let Some(nm) = input.new.model(model) {
                return Err(format!(
                    "model `{model}` is dropped and created again on table \"{}\": if it is the same model, declare the rename (`--rename {model}={model}`, or `// prisma-xc: renamed from {model}` on its line) and the plan moves the table instead; otherwise give the new model another name",
                    nm.database_name()
                ));
            }
            edits.append(input.new_sources, input.old_sources.text(om.span));
            // Relation fields that pointed at it from models that stay come back too.
            for nm in &input.new.models {
                let Ok(old) = old_model_of(input, nm) else { continue };
                for of in &old.fields {
                    let points_here = matches!(&of.field_type, crate::schema::FieldType::Model(t) if t == model);
                    if points_here {
                        // The new schema may reuse the name for another relation. Optional: its
                        // scalar fields, dropped too, come back relaxed.
                        let rename = nm.field(&of.name).is_some().then(|| format!("{}Old", of.name));
                        edits.insert_old_field(input.new_sources, nm, input.old_sources, of, rename.as_deref(), true);
                    }
                }
            }
            Ok(("contract", format!(
                "expand keeps model `{model}`; deploy code that no longer uses it; the contract drops its table"
            )))
        }
        ChangeKind::IndexAdded {
            index,
            unique: true,
            ..
        } => {
            // In the expand, not the contract: the new version's client relies on it from its
            // first query (an upsert on these fields is `ON CONFLICT`, which needs the index),
            // and so do relations that reference these fields.
            Ok(("expand", format!(
                "expand builds \"{index}\"{} before any version that relies on it runs; it fails, changing nothing, if rows hold duplicates (remove them and deploy again)",
                if provider == Provider::PostgreSql { " CONCURRENTLY in a migration of its own" } else { "" }
            )))
        }
        ChangeKind::IndexAdded { index, .. } => Ok(("expand", if provider == Provider::PostgreSql {
            format!("expand builds \"{index}\" CONCURRENTLY in a migration of its own")
        } else {
            format!("expand creates \"{index}\"")
        })),
        ChangeKind::ForeignKeyAdded { table, foreign_key, columns, referenced_table }
            if refers_to_dropped_table(input, old_db, table, foreign_key) =>
        {
            // The key of the same name still points at a table the plan keeps until the
            // contract, where the rows are. The expand leaves the key there: the new relation
            // waits (its field, and the opposite one on the new model, are left out), the old
            // one comes back with the dropped model, and the contract moves the key.
            let (nm, field) = relation_of_foreign_key(input.new, table, columns, referenced_table)
                .ok_or_else(|| format!("the relation of foreign key \"{foreign_key}\" was not found"))?;
            edits.remove(input.new_sources, field.span);
            for relation in &input.new.relations {
                let sides = [relation.referencing, relation.referenced];
                let this = |r: &crate::schema::FieldRef| {
                    std::ptr::eq(&input.new.models[r.model].fields[r.field], field)
                };
                if let Some(other) = sides.iter().find(|r| !this(r)).filter(|_| sides.iter().any(this)) {
                    edits.remove(input.new_sources, input.new.models[other.model].fields[other.field].span);
                }
            }
            Ok(("contract", format!(
                "expand keeps foreign key \"{foreign_key}\" on the table it pointed at, and `{}.{}` waits; the contract moves the key to \"{referenced_table}\", whose rows must hold every value by then",
                nm.name, field.name
            )))
        }
        ChangeKind::ForeignKeyAdded { foreign_key, .. } => Ok(("expand", if provider == Provider::PostgreSql {
            format!("expand adds \"{foreign_key}\" NOT VALID (new rows are checked at once) and validates it in a migration of its own")
        } else {
            format!("expand adds \"{foreign_key}\"")
        })),
        ChangeKind::EnumValueRemoved { enumeration, value } => {
            let ne = input.new.enum_by_name(enumeration).ok_or("enum not found")?;
            let oe = input
                .old
                .enums
                .iter()
                .find(|e| e.values.iter().any(|v| &v.name == value) && (e.name == ne.name || e.database_name() == ne.database_name()))
                .ok_or("old enum not found")?;
            let ov = oe.values.iter().find(|v| &v.name == value).ok_or("old value not found")?;
            insert_enum_value(edits, input, ne, input.old_sources.text(ov.span));
            for (model, table, column) in enum_columns(input.new, new_db, ne) {
                let literal = crate::escape::sql_string(provider, ov.database_name());
                recipes.backfill_table(model, table).assignments.push(Assignment {
                    column: column.clone(),
                    sql_type: table.column(&column).map(|c| c.column_type.sql()).unwrap_or_default(),
                    source: ValueSource::FillIn {
                        hint: format!("the value that replaces `{enumeration}.{value}` in \"{}\".\"{column}\"", table.name),
                    },
                    pending: format!("{} = {literal}", as_text(provider, &column)),
                    lossy: None,
                    done_when: format!("{} <> {literal}", as_text(provider, &column)),
                    why: format!("value `{value}` is removed from enum `{enumeration}`"),
                });
            }
            Ok(("contract", format!(
                "expand keeps `{value}`; deploy code that no longer writes it; the backfill moves rows off it (you choose the new value); the contract removes it"
            )))
        }
        ChangeKind::EnumValueRenamed { enumeration, from, to, db_from, db_to, .. } if db_from != db_to => {
            let ne = input.new.enum_by_name(enumeration).ok_or("enum not found")?;
            let oe = input
                .old
                .enums
                .iter()
                .find(|e| e.values.iter().any(|v| &v.name == from))
                .ok_or("old enum not found")?;
            let ov = oe.values.iter().find(|v| &v.name == from).ok_or("old value not found")?;
            insert_enum_value(edits, input, ne, input.old_sources.text(ov.span));
            for (model, table, column) in enum_columns(input.new, new_db, ne) {
                let (old_lit, new_lit) = (crate::escape::sql_string(provider, db_from), crate::escape::sql_string(provider, db_to));
                recipes.backfill_table(model, table).assignments.push(Assignment {
                    column: column.clone(),
                    sql_type: table.column(&column).map(|c| c.column_type.sql()).unwrap_or_default(),
                    source: ValueSource::Constant { sql: new_lit.clone() },
                    pending: format!("{} = {old_lit}", as_text(provider, &column)),
                    lossy: None,
                    done_when: format!("{} <> {old_lit}", as_text(provider, &column)),
                    why: format!("value `{from}` of enum `{enumeration}` is renamed to `{to}`"),
                });
            }
            Ok(("contract", format!(
                "expand adds `{to}` beside `{from}`; deploy code that writes `{to}` and reads both; the backfill moves rows from '{db_from}' to '{db_to}'; the contract removes `{from}`"
            )))
        }
        ChangeKind::ColumnTypeChanged { model, field, change, .. }
            if f.severity >= Severity::Breaking =>
        {
            type_swap(f, input, new_db, edits, recipes, model, field, change)?;
            Ok(("contract", if change.castable {
                "expand adds a column of the new type beside the old one, kept in sync (casting) while old and new code run; the backfill converts the rest (a value that does not convert stops it, naming the row); the contract drops the old column and renames the new one into its place".into()
            } else {
                format!("expand adds a column of the new type beside the old one (`{field}XcNew`); no cast exists, so the application writes both fields with its own conversion, and the backfill converts the rest with the SQL expression you fill in; the contract drops the old column and renames the new one into its place")
            }))
        }
        ChangeKind::DefaultChanged { model, field, .. } | ChangeKind::AutoincrementRemoved { model, field, .. }
            if f.severity >= Severity::Breaking =>
        {
            revert_field(input, edits, model, field)?;
            Ok(("contract", "the contract removes the default, once the application always sets the field".into()))
        }
        ChangeKind::AutoincrementAdded { .. } if f.severity >= Severity::Breaking => {
            Err("moving an existing column to a sequence needs `setval` past the existing ids, which prisma-xc does not write yet".into())
        }
        ChangeKind::EnumRenamed { from, to, type_from, type_to, .. } if type_from != type_to => {
            let ne = input.new.enum_by_name(to).ok_or("enum not found")?;
            // The intermediate schema already uses the new name, on the old type: its own
            // `@@map`, if it has one, makes way.
            if ne.mapped_name.is_some() {
                let span = block_attribute_line(input.new_sources, ne.span, "@@map(")
                    .ok_or("the new enum's `@@map` was not found in its text")?;
                edits.remove(input.new_sources, span);
            }
            let line = format!("@@map({})", crate::escape::prisma_string(type_from));
            insert_enum_value(edits, input, ne, &line);
            recipes.type_renames.push((ne.schema.clone(), type_from.clone(), type_to.clone()));
            Ok(("contract", format!(
                "expand keeps type \"{type_from}\" under the new name `{to}` (`@@map`); the contract renames the type to \"{type_to}\" in place: deploy the application built on the new schema right after it, since until then queries that cast to \"{type_from}\" fail (to avoid that moment, keep `@@map(\"{type_from}\")` in the new schema)"
            )))
        }
        ChangeKind::PrimaryKeyChanged { table, .. } => {
            let nm = input
                .new
                .models
                .iter()
                .find(|m| m.database_name() == table)
                .ok_or("model not found")?;
            let om = old_model_of(input, nm)?;
            let Some(old_pk) = &om.primary_key else {
                return Err("a new primary key on a table without one: add it by hand".into());
            };
            // The expand keeps the old key; the contract swaps it.
            if old_pk.from_field {
                let name = &old_pk.fields[0].name;
                // A key field the new schema drops comes back whole, `@id` included, with the
                // dropped-field recipe; one it keeps gets its old definition back.
                if let Some(nf) = nm.field(name) {
                    // Same name, other column: undeclared, a dropped key and a new one, whose
                    // expand no intermediate schema can express (both would be `name`).
                    if let Some(of) = om.field(name)
                        && of.database_name() != nf.database_name()
                    {
                        return Err(format!(
                            "key field `{name}` is dropped and added again on column \"{}\" (it was \"{}\"): if it is the same field, declare the rename (`--rename {}.{name}={name}`, or `// prisma-xc: renamed from {name}` on its line)",
                            nf.database_name(),
                            of.database_name(),
                            nm.name
                        ));
                    }
                    revert_field(input, edits, &nm.name, name)?;
                }
            } else {
                if old_pk.fields.iter().any(|f| nm.field(&f.name).is_none()) {
                    return Err("a field of the old key is gone".into());
                }
                edits.insert_line_after_fields(input.new_sources, nm, input.old_sources.text(old_pk.span));
            }
            if let Some(new_pk) = &nm.primary_key {
                // The same field, reverted above, already lost its new key.
                let same_field = old_pk.from_field
                    && new_pk.from_field
                    && new_pk.fields[0].name == old_pk.fields[0].name;
                if !same_field {
                    edits.remove(input.new_sources, new_pk.span);
                }
            }
            Ok(("contract", format!(
                "expand keeps the old primary key of \"{table}\"; the contract swaps it (the unique index of the new key is built first, where there is one)"
            )))
        }
        ChangeKind::RelationTableRemoved { table } => {
            restore_join_table(input, edits, table)?;
            Ok(("contract", format!("expand keeps join table \"{table}\"; the contract drops it")))
        }
        ChangeKind::ModelRenamed { to, table_from, table_to, .. }
            if table_from != table_to && provider == Provider::Sqlite =>
        {
            copy_table(input, old_db, new_db, new_model(to)?, edits, recipes)?;
            Ok(("contract", format!(
                "expand creates table \"{table_to}\" beside \"{table_from}\", copies every row, and keeps the two in sync both ways with triggers (old code writes the old table, new code the new one; relations stay on the old table); the contract checks they hold the same rows, drops \"{table_from}\" and moves the relations to \"{table_to}\""
            )))
        }
        ChangeKind::ModelRenamed { to, table_from, table_to, .. } if table_from != table_to => {
            let (from, to) = move_table(input, old_db, new_db, new_model(to)?, recipes)?;
            Ok(("expand", format!(
                "expand renames table {} to {} and leaves a view {} in its place, through which old code reads and writes the same rows; the contract drops the view",
                d.table(&from), d.table(&to), d.table(&from)
            )))
        }
        ChangeKind::TableMoved { table, to, .. } => {
            let nm = input
                .new
                .models
                .iter()
                .find(|m| m.database_name() == table && m.schema == *to)
                .ok_or("moved model not found")?;
            let (from, to) = move_table(input, old_db, new_db, nm, recipes)?;
            Ok(("expand", format!(
                "expand moves table {} to {} (`SET SCHEMA`) and leaves a view {} in its place, through which old code reads and writes the same rows; the contract drops the view",
                d.table(&from), d.table(&to), d.table(&from)
            )))
        }
        _ if f.severity >= Severity::Breaking => Err(match f.rule.id {
            "XC104" => "a table rename: keep the table with `@@map(\"Old\")`, which is safe (XC105)".into(),
            _ => "no phased recipe covers this change yet".into(),
        }),
        _ => Ok(("expand", SHIPS_WITH_EXPAND.into())),
    }
}

/// The SQLite table rename: the new model's table comes beside the old one (see
/// [`table_copy`]). The intermediate schema has both models; the relations stay with the old
/// one until the contract moves them.
fn copy_table(
    input: &PlanInput,
    old_db: &Database,
    new_db: &Database,
    nm: &Model,
    edits: &mut SchemaEdits,
    recipes: &mut Recipes,
) -> Result<(), String> {
    let om = old_model_of(input, nm)?;
    let old_table = find_table(old_db, om).ok_or("old table not found")?;
    let new_table = find_table(new_db, nm).ok_or("new table not found")?;
    if let Some(why) = table_rename::refusal(old_db, old_table) {
        return Err(why);
    }
    let copy = table_copy::copy_of(old_table, new_table)?;
    let points_at = |f: &crate::schema::Field, model: &str| matches!(&f.field_type, crate::schema::FieldType::Model(t) if t == model);
    // The new model's relations wait for the contract: its table has no foreign keys yet.
    for f in nm.fields.iter().filter(|f| f.is_relation()) {
        edits.remove(input.new_sources, f.span);
    }
    // Other models keep their relations to the old model (and the foreign keys to its table).
    for m in input.new.models.iter().filter(|m| m.name != nm.name) {
        for f in m.fields.iter().filter(|f| points_at(f, &nm.name)) {
            edits.remove(input.new_sources, f.span);
        }
        if let Ok(old) = old_model_of(input, m) {
            for of in old.fields.iter().filter(|f| points_at(f, &om.name)) {
                edits.insert_old_field(input.new_sources, m, input.old_sources, of, None, false);
            }
        }
    }
    edits.append(input.new_sources, input.old_sources.text(om.span));
    recipes.table_copies.push(copy);
    Ok(())
}

/// The table of `nm` renamed or moved in place by the expand, a view standing in for the old
/// one: recorded once, however many findings (rename, move) lead here.
fn move_table(
    input: &PlanInput,
    old_db: &Database,
    new_db: &Database,
    nm: &Model,
    recipes: &mut Recipes,
) -> Result<(TableRef, TableRef), String> {
    if input.classification.provider != Provider::PostgreSql {
        return Err(
            "a table rename is phased on PostgreSQL (a view stands in for the old table) and SQLite (the table is copied and kept in sync), a move between schemas on PostgreSQL only".into(),
        );
    }
    let om = old_model_of(input, nm)?;
    let old_table = find_table(old_db, om).ok_or("old table not found")?;
    let new_table = find_table(new_db, nm).ok_or("new table not found")?;
    if let Some(why) = table_rename::refusal(old_db, old_table) {
        return Err(why);
    }
    let (from, to) = (TableRef::of(old_table), TableRef::of(new_table));
    if !recipes.table_renames.iter().any(|r| r.to == to) {
        recipes.table_renames.push(TableRename {
            from: from.clone(),
            to: to.clone(),
        });
    }
    Ok((from, to))
}

/// Whether `table` already has a foreign key named `foreign_key` that references a table the new
/// schema drops (the same key retargeted, as an undeclared table rename looks).
fn refers_to_dropped_table(
    input: &PlanInput,
    old_db: &Database,
    table: &str,
    foreign_key: &str,
) -> bool {
    let kept = |name: &str| input.new.models.iter().any(|m| m.database_name() == name);
    old_db
        .tables
        .iter()
        .filter(|t| t.name == table)
        .flat_map(|t| &t.foreign_keys)
        .any(|fk| fk.name == foreign_key && !kept(&fk.referenced_table))
}

/// The model holding a foreign key and its relation field, found by the key's columns and the
/// table it references.
fn relation_of_foreign_key<'a>(
    schema: &'a crate::schema::Schema,
    table: &str,
    columns: &[String],
    referenced_table: &str,
) -> Option<(&'a Model, &'a crate::schema::Field)> {
    let model = schema.models.iter().find(|m| m.database_name() == table)?;
    let field = model.fields.iter().find(|f| {
        let (Some(relation), crate::schema::FieldType::Model(target)) =
            (&f.relation, &f.field_type)
        else {
            return false;
        };
        schema
            .model(target)
            .is_some_and(|t| t.database_name() == referenced_table)
            && relation.fields.len() == columns.len()
            && relation.fields.iter().zip(columns).all(|(name, column)| {
                model
                    .field(name)
                    .is_some_and(|f| f.database_name() == column)
            })
    })?;
    Some((model, field))
}

fn old_model_of<'a>(input: &'a PlanInput, nm: &Model) -> Result<&'a Model, String> {
    input
        .classification
        .findings
        .iter()
        .find_map(|f| match &f.change.kind {
            ChangeKind::ModelRenamed { from, to, .. } if to == &nm.name => input.old.model(from),
            _ => None,
        })
        .or_else(|| input.old.model(&nm.name))
        .ok_or_else(|| format!("model `{}` is not in the old schema", nm.name))
}

/// Replace the new field's line with the old one: the change waits for the contract.
fn revert_field(
    input: &PlanInput,
    edits: &mut SchemaEdits,
    model: &str,
    field: &str,
) -> Result<(), String> {
    let nm = input.new.model(model).ok_or("model not found")?;
    let om = old_model_of(input, nm)?;
    let nf = nm.field(field).ok_or("new field not found")?;
    let of = om
        .field(field)
        .ok_or("the field has another name in the old schema")?;
    edits.replace_field(nf, input.old_sources.text(of.span));
    Ok(())
}

/// The span of a block's attribute line that starts with `start` (`@@map(`), inside `block`.
fn block_attribute_line(
    sources: &Sources,
    block: crate::diagnostics::Span,
    start: &str,
) -> Option<crate::diagnostics::Span> {
    let text = &sources.file(block.file).text;
    let mut at = block.start;
    for line in text[block.start..block.end].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(start) {
            let begin = at + (line.len() - trimmed.len());
            let end = at + line.trim_end().len();
            return Some(crate::diagnostics::Span::new(block.file, begin, end));
        }
        at += line.len();
    }
    None
}

fn insert_enum_value(
    edits: &mut SchemaEdits,
    input: &PlanInput,
    ne: &crate::schema::Enum,
    line: &str,
) {
    let sources = input.new_sources;
    let (at, file) = match ne.values.last() {
        Some(v) => (v.span.end, v.span.file),
        None => (ne.span.start, ne.span.file),
    };
    let text = &sources.file(file).text;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let at = text[at..].find('\n').map_or(text.len(), |i| at + i);
    edits.insert_text(file, at, format!("\n{indent}{line}"));
}

/// Every column of type `e`: (model, table, column).
fn enum_columns<'a>(
    schema: &'a Schema,
    db: &'a Database,
    e: &crate::schema::Enum,
) -> Vec<(&'a Model, &'a Table, String)> {
    let mut out = Vec::new();
    for m in &schema.models {
        let Some(t) = find_table(db, m) else { continue };
        for f in m.scalar_fields() {
            if matches!(&f.field_type, crate::schema::FieldType::Enum(n) if *n == e.name)
                && f.arity != crate::schema::Arity::List
            {
                out.push((m, t, f.database_name().to_string()));
            }
        }
    }
    out
}

/// Bring back the list fields of an implicit many-to-many relation whose join table goes.
fn restore_join_table(
    input: &PlanInput,
    edits: &mut SchemaEdits,
    table: &str,
) -> Result<(), String> {
    let relation = input
        .old
        .relations
        .iter()
        .find(|r| {
            r.kind == crate::schema::RelationKind::ManyToMany && format!("_{}", r.name) == table
        })
        .ok_or("relation not found")?;
    for side in [relation.referencing, relation.referenced] {
        let om = &input.old.models[side.model];
        let of = &om.fields[side.field];
        // A side whose model is gone, or that points at a model that is gone, comes back with
        // that model (the dropped-model recipe restores it and the fields pointing at it).
        let Some(nm) = input.new.model(&om.name) else {
            continue;
        };
        let target_gone = matches!(&of.field_type, crate::schema::FieldType::Model(t) if input.new.model(t).is_none());
        if !target_gone && nm.field(&of.name).is_none() {
            edits.insert_old_field(input.new_sources, nm, input.old_sources, of, None, false);
        }
    }
    Ok(())
}

#[derive(Debug, Default)]
struct SyncTriggers {
    create: String,
    drop: String,
}

/// Triggers that keep each renamed column and its old column equal, whichever one a row's
/// writer set: old code writes only the old column, new code both.
fn sync_triggers(provider: Provider, renames: &[ColumnRename], plan: &str) -> SyncTriggers {
    match provider {
        Provider::PostgreSql => renames
            .iter()
            .map(|r| postgres_sync_trigger(r, plan))
            .collect(),
        Provider::Sqlite => renames
            .iter()
            .map(|r| sqlite_sync_trigger(r, plan))
            .collect(),
        _ => SyncTriggers::default(),
    }
}

impl FromIterator<SyncTriggers> for SyncTriggers {
    fn from_iter<I: IntoIterator<Item = SyncTriggers>>(iter: I) -> Self {
        let mut out = SyncTriggers::default();
        for t in iter {
            out.create.push_str(&t.create);
            out.drop.push_str(&t.drop);
        }
        out
    }
}

/// The comment above a sync trigger: one line, whatever the names hold.
fn sync_comment(r: &ColumnRename, plan: &str) -> String {
    crate::escape::line_comment(&format!(
        "CreateSyncTrigger (plan {plan}: keeps \"{}\" and \"{}\" equal while old and new code run side by side)",
        r.new_column, r.old_column
    ))
}

/// The message a sync trigger stops a write with when a value does not convert unchanged.
fn conversion_error(r: &ColumnRename, to: &ColumnType) -> String {
    format!(
        "prisma-xc sync: a value of \"{}\".\"{}\" changes when converted to {}; the write is refused instead of storing another value",
        r.table.name,
        r.old_column,
        to.sql()
    )
}

fn postgres_sync_trigger(r: &ColumnRename, plan: &str) -> SyncTriggers {
    let provider = Provider::PostgreSql;
    let d = Dialect(provider);
    let base = crate::database::owned_name(
        &format!("{}_{}", r.table.name, r.new_column),
        "xc_sync",
        provider,
    );
    let function = d.qualified(&r.table.schema, &base);
    let (old, new) = (
        format!("NEW.{}", d.quote(&r.old_column)),
        format!("NEW.{}", d.quote(&r.new_column)),
    );
    let (was_old, was_new) = (
        format!("OLD.{}", d.quote(&r.old_column)),
        format!("OLD.{}", d.quote(&r.new_column)),
    );
    // `target := source`, cast when the types differ, refusing a value the cast would change.
    let assign = |target: &str, source: &str, from: &ColumnType, to: &ColumnType| -> String {
        if !r.converts() {
            return format!("{target} := {source};");
        }
        let check = distinct(provider, &cast(target, from), source, from);
        format!(
            "{target} := {};\n      IF {check} THEN RAISE EXCEPTION {}; END IF;",
            cast(source, to),
            crate::escape::raise_message(&conversion_error(r, to))
        )
    };
    let to_new = assign(&new, &old, &r.old_type, &r.new_type);
    let to_old = assign(&old, &new, &r.new_type, &r.old_type);
    let old_changed = distinct(provider, &old, &was_old, &r.old_type);
    let new_changed = distinct(provider, &new, &was_new, &r.new_type);
    let body = format!(
        "\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    IF {new} IS NULL THEN\n      {to_new}\n    END IF;\n    IF {old} IS NULL THEN\n      {to_old}\n    END IF;\n  ELSIF {old_changed} AND NOT ({new_changed}) THEN\n      {to_new}\n  ELSIF {new_changed} AND NOT ({old_changed}) THEN\n      {to_old}\n  END IF;\n  RETURN NEW;\nEND\n"
    );
    SyncTriggers {
        create: format!(
            "-- {}\nCREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {};\nCREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {function}();\n",
            sync_comment(r, plan),
            crate::escape::dollar_quoted(&body),
            d.quote(&base),
            d.table(&r.table)
        ),
        drop: format!(
            "-- DropSyncTrigger\nDROP TRIGGER IF EXISTS {} ON {};\nDROP FUNCTION IF EXISTS {function}();\n",
            d.quote(&base),
            d.table(&r.table)
        ),
    }
}

/// The contract's first statement: abort, changing nothing, while rows are out of sync.
fn guard_sql(provider: Provider, backfill: &[BackfillTable]) -> String {
    if provider == Provider::Sqlite && !backfill.is_empty() {
        return sqlite_guard_sql(backfill);
    }
    if provider != Provider::PostgreSql || backfill.is_empty() {
        return String::new();
    }
    let d = Dialect(provider);
    let mut checks = String::new();
    for t in backfill {
        let table = d.qualified(&t.schema, &t.table);
        for a in &t.assignments {
            let message = crate::escape::raise_message(&format!(
                "prisma-xc contract guard: rows of {} are not backfilled yet ({}); {GUARD_HINT}",
                t.table, a.why
            ));
            checks.push_str(&format!(
                "  IF EXISTS (SELECT 1 FROM {table} WHERE {}) THEN\n    RAISE EXCEPTION {message};\n  END IF;\n",
                a.pending
            ));
        }
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\nDO {};\n",
        crate::escape::dollar_quoted(&format!("\nBEGIN\n{checks}END\n"))
    )
}

/// One statement that fails, naming `message`, when any row of `table` matches `condition`:
/// a script stops there before it changes a value it cannot keep.
fn refuse_if_any(provider: Provider, table: &str, condition: &str, message: &str) -> String {
    if provider == Provider::Sqlite {
        // No procedural blocks: a temporary table whose CHECK accepts only 0 takes the count.
        return format!(
            "CREATE TEMP TABLE \"prisma_xc_refuse\" (\"rows\" INTEGER NOT NULL CHECK (\"rows\" = 0));\nINSERT INTO \"prisma_xc_refuse\" SELECT COUNT(*) FROM {table} WHERE {condition};\nDROP TABLE \"prisma_xc_refuse\"; -- {}",
            crate::escape::line_comment(message)
        );
    }
    format!(
        "DO {}",
        crate::escape::dollar_quoted(&format!(
            "\nBEGIN\n  IF EXISTS (SELECT 1 FROM {table} WHERE {condition}) THEN\n    RAISE EXCEPTION {};\n  END IF;\nEND\n",
            crate::escape::raise_message(message)
        ))
    )
}

/// Rename an enum type in a database model, with every column that uses it.
fn rename_enum_type(db: &mut Database, schema: &Option<String>, from: &str, to: &str) {
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

/// An enum column compared with a string literal: PostgreSQL compares the enum's text.
fn as_text(provider: Provider, column: &str) -> String {
    let d = Dialect(provider);
    match provider {
        Provider::PostgreSql | Provider::CockroachDb => format!("{}::text", d.quote(column)),
        _ => d.quote(column),
    }
}

/// SQLite has no trigger functions: three triggers per renamed column, each an `UPDATE` of the
/// row just written. Triggers do not fire themselves again (`recursive_triggers` is off), so the
/// copy stops after one step. A value the conversion would change stops the write
/// (`RAISE(ABORT)`), as on PostgreSQL.
fn sqlite_sync_trigger(r: &ColumnRename, plan: &str) -> SyncTriggers {
    let provider = Provider::Sqlite;
    let d = Dialect(provider);
    let base = crate::database::owned_name(
        &format!("{}_{}", r.table.name, r.new_column),
        "xc_sync",
        provider,
    );
    let table = d.table(&r.table);
    let (old, new) = (d.quote(&r.old_column), d.quote(&r.new_column));
    let (new_old, new_new) = (format!("NEW.{old}"), format!("NEW.{new}"));
    // `when`: the write that copies this way (on insert, only into a column left empty).
    let refuse = |source: &str, from: &ColumnType, to: &ColumnType, when: &str| -> String {
        match changes_value(provider, source, from, to) {
            Some(lossy) => format!(
                "  SELECT RAISE(ABORT, {}) WHERE {when}({lossy});\n",
                crate::escape::sql_string(
                    provider,
                    &crate::escape::one_line(&conversion_error(r, to))
                )
            ),
            None => String::new(),
        }
    };
    let to_new = refuse(&new_old, &r.old_type, &r.new_type, "");
    let to_old = refuse(&new_new, &r.new_type, &r.old_type, "");
    let insert_to_new = refuse(
        &new_old,
        &r.old_type,
        &r.new_type,
        &format!("{new_new} IS NULL AND "),
    );
    let insert_to_old = refuse(
        &new_new,
        &r.new_type,
        &r.old_type,
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
        sync_comment(r, plan),
        d.quote(&names[0]),
        d.quote(&names[1]),
        d.quote(&names[2]),
    );
    let mut drop = String::from("-- DropSyncTrigger\n");
    for n in &names {
        drop.push_str(&format!("DROP TRIGGER IF EXISTS {};\n", d.quote(n)));
    }
    SyncTriggers { create, drop }
}

/// The guard of the SQLite table copies: every row of each table is in the other.
fn copies_guard_sql(out_of_sync: &[String]) -> String {
    if out_of_sync.is_empty() {
        return String::new();
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while the copied tables differ)\n\
CREATE TEMP TABLE \"prisma_xc_copy_guard\" (\"missing\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: the renamed table and the old one do not hold the same rows; check the copy triggers are in place\" CHECK (\"missing\" = 0));\n\
INSERT INTO \"prisma_xc_copy_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_copy_guard\";\n",
        out_of_sync.join(" + ")
    )
}

/// SQLite has no procedural blocks: the guard inserts the count of pending rows into a
/// temporary table whose CHECK only accepts 0, so the migration stops at its first statement,
/// naming the reason.
fn sqlite_guard_sql(backfill: &[BackfillTable]) -> String {
    let d = Dialect(Provider::Sqlite);
    let mut pending = Vec::new();
    for t in backfill {
        let conditions: Vec<String> = t
            .assignments
            .iter()
            .map(|a| format!("({})", a.pending))
            .collect();
        pending.push(format!(
            "(SELECT COUNT(*) FROM {} WHERE {})",
            d.qualified(&t.schema, &t.table),
            conditions.join(" OR ")
        ));
    }
    format!(
        "-- ContractGuard (aborts this migration, changing nothing, while any row is out of sync)\n\
CREATE TEMP TABLE \"prisma_xc_guard\" (\"pending\" INTEGER NOT NULL CONSTRAINT \"prisma-xc contract guard: rows are not backfilled yet; {GUARD_HINT}\" CHECK (\"pending\" = 0));\n\
INSERT INTO \"prisma_xc_guard\" SELECT {};\n\
DROP TABLE \"prisma_xc_guard\";\n",
        pending.join(" + ")
    )
}

/// Make a field optional, and the relation fields built on it too: Prisma rejects a required
/// relation over an optional scalar.
fn relax(edits: &mut SchemaEdits, sources: &Sources, model: &Model, field: &crate::schema::Field) {
    edits.make_optional(sources, field);
    for relation_field in &model.fields {
        if relation_field
            .relation
            .as_ref()
            .is_some_and(|r| r.fields.contains(&field.name))
        {
            edits.make_optional(sources, relation_field);
        }
    }
}

/// A type change as a new column: the expand keeps the old field and adds a copy of the new one
/// under a temporary name and column; triggers and the backfill fill it, casting.
#[allow(clippy::too_many_arguments)]
fn type_swap(
    f: &crate::classify::Finding,
    input: &PlanInput,
    new_db: &Database,
    edits: &mut SchemaEdits,
    recipes: &mut Recipes,
    model: &str,
    field: &str,
    change: &crate::changes::TypeChange,
) -> Result<(), String> {
    let provider = input.classification.provider;
    let d = Dialect(provider);
    let nm = input.new.model(model).ok_or("model not found")?;
    let om = old_model_of(input, nm)?;
    let nf = nm.field(field).ok_or("new field not found")?;
    let of = om
        .field(field)
        .ok_or("the field has another name in the old schema")?;
    if nf.database_name() != of.database_name() {
        return Err("the field is renamed and retyped at once: do one, then the other".into());
    }
    let table = find_table(new_db, nm).ok_or("table not found")?;
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c.name == nf.database_name()))
    {
        return Err("the field is part of the primary key".into());
    }
    let (Some(old_type), Some(new_type)) = (&change.from, &change.to) else {
        return Err(format!("{}: no SQL types to convert between", f.rule.id));
    };
    let column = nf.database_name().to_string();
    let temporary = crate::database::owned_name(&column, "xc_new", provider);
    let temporary_field = format!("{field}XcNew");
    // The expand: the old field as it was, and the new one under its temporary name.
    edits.replace_field(nf, input.old_sources.text(of.span));
    let mut line = input.new_sources.text(nf.span).to_string();
    line.replace_range(..nf.name.len(), &temporary_field);
    let type_at = crate::expand::type_end(&line, temporary_field.len());
    if nf.arity == crate::schema::Arity::Required {
        line.insert(type_at, '?');
    }
    // Its own column; unique and id attributes belong to the final column, which the contract
    // creates.
    for attribute in ["@map", "@unique", "@id"] {
        line = crate::expand::without_attribute(&line, attribute);
    }
    let comment = crate::expand::comment_start(&line).unwrap_or(line.len());
    let end = line[..comment].trim_end().len();
    line.insert_str(
        end,
        &format!(" @map({})", crate::escape::prisma_string(&temporary)),
    );
    edits.insert_line_after_fields(input.new_sources, nm, &line);
    let (old_sql, new_sql) = (old_type.sql(), new_type.sql());
    let (new_col, old_col) = (d.quote(&temporary), d.quote(&column));
    let assignment = if change.castable {
        let rename = ColumnRename {
            table: TableRef::of(table),
            old_column: column.clone(),
            new_column: temporary.clone(),
            old_type: old_type.clone(),
            new_type: new_type.clone(),
        };
        let assignment = copy_assignment(
            provider,
            &rename,
            format!("`{field}` changes type from {old_sql} to {new_sql}"),
        );
        recipes.renames.push(rename);
        assignment
    } else {
        // No cast between the two types: only the user knows the conversion. The backfill is
        // a skeleton for it; no trigger or extension can convert in the meantime, so the
        // application writes both fields itself, and the contract's guard waits for every
        // row that has an old value to have a new one.
        Assignment {
            column: temporary.clone(),
            sql_type: new_sql.clone(),
            source: ValueSource::FillIn {
                hint: format!(
                    "the {new_sql} value of `{field}` computed from the {old_sql} column {old_col} of the same row (a SQL expression)"
                ),
            },
            pending: format!("{new_col} IS NULL AND {old_col} IS NOT NULL"),
            lossy: None,
            done_when: format!("{new_col} IS NOT NULL OR {old_col} IS NULL"),
            why: format!("`{field}` changes type from {old_sql} to {new_sql}, which has no cast"),
        }
    };
    recipes
        .backfill_table(nm, table)
        .assignments
        .push(assignment);
    recipes.swaps.push(TypeSwap {
        table: TableRef::of(table),
        column,
        temporary,
        old_type: old_sql,
        castable: change.castable,
    });
    if change.castable {
        let (to_new, to_old) = conversions(&of.field_type, &nf.field_type);
        recipes.dual_write(
            model,
            FieldPair {
                to_new,
                to_old,
                ..FieldPair::renamed(field, &temporary_field)
            },
        );
    }
    Ok(())
}

/// The database after a swap: the old column gone (with the indexes and keys on it), the
/// temporary one under its name.
fn apply_swap(db: &mut Database, swap: &TypeSwap) {
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
fn unswap_db(db: &mut Database, swap: &TypeSwap, expand_db: &Database) {
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
