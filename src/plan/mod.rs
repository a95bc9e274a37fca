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

use crate::classify::Classification;
use crate::database::{ColumnType, Database, DbIndexKind, Table};
use crate::diagnostics::Sources;
use crate::expand::SchemaEdits;
use crate::migrate::{Step, TableRef};
use crate::rules::Severity;
use crate::schema::{Model, Provider, Schema};
use crate::sql::{self, Dialect};

mod contract_down;
mod contract_phase;
mod expand_phase;
mod intermediate;
mod locks;
mod phase;
mod recipes;
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
    /// Which phase makes the change in the database.
    pub phase: runbook::MigrationPhase,
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
    let (old_db, new_db) = (input.old_db, input.new_db);

    let mut recipes = Recipes {
        sync: options.sync,
        ..Recipes::default()
    };
    let mut edits = SchemaEdits::default();
    let mut unsupported = Vec::new();
    let mut changes = Vec::new();
    let mut bugs = Vec::new();
    let mut cx = recipes::Context {
        input,
        old_db,
        new_db,
        provider,
        dialect: Dialect(provider),
        edits: &mut edits,
        recipes: &mut recipes,
    };
    for f in &input.classification.findings {
        let decision = match recipes::decide(f, &mut cx) {
            Ok(decision) => decision,
            Err(recipes::Refusal::Unsupported(why)) => {
                unsupported.push(format!("{} {}: {why}", f.rule.id, f.reason));
                continue;
            }
            Err(recipes::Refusal::Bug(what)) => {
                bugs.push(format!("{} {}: {what}", f.rule.id, f.reason));
                continue;
            }
        };
        changes.push(PlannedChange {
            rule: f.rule.id,
            severity: f.severity,
            reason: f.reason.clone(),
            phase: decision.phase,
            recipe: decision.recipe,
            rollout: runbook::rollout_of(f, options.sync),
        });
    }
    if !bugs.is_empty() {
        return Err(PlanError::Internal(bugs.join("; ")));
    }
    if !unsupported.is_empty() {
        return Err(PlanError::Unsupported(unsupported));
    }

    let (expand_schema, expand_db) = intermediate::schema(input, edits)?;
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

    let writer = phase::PhaseWriter { provider, options };
    let triggers = if options.sync == SyncMode::Trigger {
        sync_triggers(provider, &recipes.renames, &options.name)
    } else {
        SyncTriggers::default()
    };

    let side = SideSql {
        table_renames: &table_renames,
        table_copies: &table_copies,
        triggers: &triggers,
    };
    let (expand, expand_down) = expand_phase::migrations(&writer, old_db, &expand_db, &side);

    let contract = contract_phase::migrations(&writer, old_db, &expand_db, new_db, &recipes, &side);

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
        has_contract: !contract.migrations.is_empty(),
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
        contract: contract.migrations,
        contract_down: contract.down,
        steps,
        not_zero_downtime,
        long_locks: contract.long_locks,
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

/// The SQL of what the recipes keep beside the database the differ sees: table renames and
/// their views, table copies and their triggers, sync triggers. Each phase places its part.
struct SideSql<'a> {
    table_renames: &'a table_rename::RenameSql,
    table_copies: &'a table_copy::CopySql,
    triggers: &'a SyncTriggers,
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
