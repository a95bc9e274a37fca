//! What the planner produces: the plan, its migrations, its backfill and dual-write
//! descriptions and the decision on each change. Serialized, it is plan.json
//! (docs/plan-format.md).

use serde::Serialize;

use super::SyncMode;
use super::runbook;
use crate::rules::Severity;
use crate::schema::Provider;

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
