//! What the planner produces: the plan, its migrations, its backfill and dual-write
//! descriptions and the decision on each change. Serialized, it is plan.json
//! (docs/plan-format.md).

use serde::{Deserialize, Serialize};

use super::SyncMode;
use super::runbook;
use crate::rules::Severity;
use crate::schema::Provider;

/// One migration folder of a phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Migration {
    /// Folder name: `<timestamp>_<name>_expand`, `..._expand_02_index_...`.
    pub folder: String,
    /// Why it is a folder of its own.
    #[serde(default)]
    pub purpose: String,
    #[serde(skip)]
    pub sql: String,
    /// SQL to run before deploying it again when it failed half-way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_retry: Option<String>,
}

/// Where a backfilled column's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lossy: Option<String>,
    /// Rows where the column is right once done.
    pub done_when: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldPair {
    pub old_field: String,
    pub new_field: String,
    /// When the two fields' Prisma Client types differ (a type change): how a value of the old
    /// field becomes one of the new (`string`, `number`, `bigint`, `date`; `none` where no
    /// conversion is safe to guess, leaving that direction to the database's sync), and back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_new: Option<ClientConversion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_old: Option<ClientConversion>,
}

/// How dual-write.ts turns a value Prisma Client takes for one field into one for the other
/// (its `as.*` converters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientConversion {
    String,
    Number,
    BigInt,
    Date,
    /// No conversion is safe to guess: that direction is left to the database's sync.
    None,
}

impl ClientConversion {
    /// The converter's name in dual-write.ts.
    pub fn name(self) -> &'static str {
        match self {
            ClientConversion::String => "string",
            ClientConversion::Number => "number",
            ClientConversion::BigInt => "bigint",
            ClientConversion::Date => "date",
            ClientConversion::None => "none",
        }
    }
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DualWrite {
    pub model: String,
    pub pairs: Vec<FieldPair>,
}

/// What the plan does for one change, in words (plan.json keeps the words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRecipe {
    /// A safe change: the expand migration makes it as Prisma would.
    ShipsWithExpand,
    /// A recipe's phases, as the recipe tells them.
    Phased(String),
}

impl ChangeRecipe {
    const SHIPS_WITH_EXPAND: &str = "ships with the expand migration";

    pub fn text(&self) -> &str {
        match self {
            ChangeRecipe::ShipsWithExpand => Self::SHIPS_WITH_EXPAND,
            ChangeRecipe::Phased(text) => text,
        }
    }
}

impl std::fmt::Display for ChangeRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl Serialize for ChangeRecipe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for ChangeRecipe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(if text == Self::SHIPS_WITH_EXPAND {
            ChangeRecipe::ShipsWithExpand
        } else {
            ChangeRecipe::Phased(text)
        })
    }
}

/// A change of the diff and what the plan does with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub rule: String,
    pub severity: Severity,
    pub reason: String,
    /// Which phase makes the change in the database.
    pub phase: runbook::MigrationPhase,
    pub recipe: ChangeRecipe,
    /// What the rollout of the application needs for it.
    pub rollout: runbook::Rollout,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub name: String,
    #[serde(default)]
    pub timestamp: String,
    pub provider: Provider,
    #[serde(default)]
    pub sync: SyncMode,
    #[serde(default)]
    pub lock_timeout: String,
    #[serde(default)]
    pub changes: Vec<PlannedChange>,
    /// What a check compares a pull request's schemas with (`coverage`); empty, matching no
    /// schema, in plans written before checks read them.
    #[serde(default)]
    pub schemas: crate::coverage::SchemaFingerprints,
    #[serde(skip)]
    pub expand_schema: String,
    #[serde(default)]
    pub expand: Vec<Migration>,
    #[serde(skip)]
    pub expand_down: String,
    #[serde(default)]
    pub dual_write: Vec<DualWrite>,
    #[serde(default)]
    pub backfill: Vec<BackfillTable>,
    #[serde(default)]
    pub contract: Vec<Migration>,
    #[serde(skip)]
    pub contract_down: String,
    /// The contract's `down.sql` needs a conversion only the user knows (a swapped column
    /// whose old type no cast reaches).
    #[serde(skip)]
    pub contract_down_fill_ins: bool,
    /// The rollout, step by step: PLAN.md is this list in words.
    #[serde(default)]
    pub steps: Vec<runbook::Step>,
    /// Why some moment of the rollout cannot be free of errors; empty when none.
    #[serde(default)]
    pub not_zero_downtime: Vec<String>,
    /// Contract statements that hold a table's lock while they work through its rows.
    #[serde(default)]
    pub long_locks: Vec<String>,
    /// The contract drops what old code used, but the database cannot stop it while rows
    /// are not backfilled (no guard): the user checks the backfill's count first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unguarded_contract: bool,
    /// Why the application keeps renamed columns in sync whatever `--sync` asked (no sync
    /// triggers there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_forced: Option<String>,
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

/// The version of plan.json's shape this prisma-xc writes and reads.
pub const PLAN_FILE_VERSION: u32 = 1;

/// plan.json: the plan without its files' contents (those are the files beside it), written by
/// `diff` and read back by `status`, `promote` and the plan-aware check (docs/plan-format.md).
/// Written from a borrowed plan (`PlanJson<&Plan>`), read into an owned one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanJson<P = Plan> {
    pub version: u32,
    #[serde(flatten)]
    pub plan: P,
    /// The migrations folder the plan was written for, from the plan folder.
    #[serde(default)]
    pub migrations: Option<String>,
    #[serde(default)]
    pub files: PlanJsonFiles,
}

/// plan.json's `files`: the plan folder's files, from the plan folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanJsonFiles {
    pub schema: String,
    pub expand_migrations: Vec<String>,
    pub expand_down: Option<String>,
    pub dual_write: Option<String>,
    pub backfill: Vec<String>,
    pub contract_migrations: Vec<String>,
    pub contract_down: Option<String>,
}

impl<'a> PlanJson<&'a Plan> {
    /// The file of `plan`, whose migrations folder is `migrations` from the plan folder.
    pub fn of(plan: &'a Plan, migrations: &str) -> PlanJson<&'a Plan> {
        let in_folder = |folder: PlanPath, migrations: &[Migration]| -> Vec<String> {
            (migrations.iter())
                .map(|m| format!("{}/{}", folder.path(), m.folder))
                .collect()
        };
        let path = |present: bool, path: PlanPath| present.then(|| path.path().to_string());
        PlanJson {
            version: PLAN_FILE_VERSION,
            plan,
            migrations: Some(migrations.to_string()),
            files: PlanJsonFiles {
                schema: PlanPath::ExpandSchema.path().into(),
                expand_migrations: in_folder(PlanPath::ExpandMigrations, &plan.expand),
                expand_down: path(!plan.expand.is_empty(), PlanPath::ExpandDown),
                dual_write: path(!plan.dual_write.is_empty(), PlanPath::DualWrite),
                backfill: if plan.needs_backfill() {
                    vec![
                        PlanPath::BackfillTs.path().into(),
                        PlanPath::BackfillSql.path().into(),
                    ]
                } else {
                    Vec::new()
                },
                contract_migrations: in_folder(PlanPath::ContractMigrations, &plan.contract),
                contract_down: path(!plan.contract.is_empty(), PlanPath::ContractDown),
            },
        }
    }
}

impl<P: Serialize> PlanJson<P> {
    /// plan.json's text: keys sorted, so that a plan's diff in review shows what changed.
    pub fn to_json(&self) -> String {
        // Through a Value: serde_json's maps sort their keys.
        let value = serde_json::to_value(self).expect("the plan serializes");
        serde_json::to_string_pretty(&value).expect("a value serializes") + "\n"
    }
}

impl PlanJson {
    /// A plan.json's text read back; a plan of another version is refused with what to do.
    pub fn from_json(text: &str) -> Result<PlanJson, String> {
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        let version = serde_json::from_str::<Version>(text).map_err(|e| e.to_string())?;
        match version.version {
            Some(PLAN_FILE_VERSION) => serde_json::from_str(text).map_err(|e| e.to_string()),
            Some(v) if v > PLAN_FILE_VERSION => Err(format!(
                "plan.json version {v} is newer than this prisma-xc reads ({PLAN_FILE_VERSION}): upgrade prisma-xc"
            )),
            Some(v) => Err(format!(
                "plan.json version {v} is not one this prisma-xc reads ({PLAN_FILE_VERSION}): write the plan again with `prisma-xc diff`"
            )),
            None => {
                Err("plan.json has no `version`: write the plan again with `prisma-xc diff`".into())
            }
        }
    }
}

/// The files and folders of a plan folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPath {
    ExpandSchema,
    ExpandMigrations,
    ExpandDown,
    DualWriteFolder,
    DualWrite,
    BackfillFolder,
    BackfillTs,
    BackfillSql,
    ContractMigrations,
    ContractDown,
    PlanMd,
    PlanJson,
}

impl PlanPath {
    /// Its path from the plan folder.
    pub const fn path(self) -> &'static str {
        match self {
            PlanPath::ExpandSchema => "schema.expand.prisma",
            PlanPath::ExpandMigrations => "1-expand/migrations",
            PlanPath::ExpandDown => "1-expand/down.sql",
            PlanPath::DualWriteFolder => "2-dual-write",
            PlanPath::DualWrite => "2-dual-write/dual-write.ts",
            PlanPath::BackfillFolder => "3-backfill",
            PlanPath::BackfillTs => "3-backfill/backfill.ts",
            PlanPath::BackfillSql => "3-backfill/backfill.sql",
            PlanPath::ContractMigrations => "4-contract/migrations",
            PlanPath::ContractDown => "4-contract/down.sql",
            PlanPath::PlanMd => "PLAN.md",
            PlanPath::PlanJson => "plan.json",
        }
    }

    /// The folder of a phase's migrations.
    pub const fn migrations(phase: runbook::MigrationPhase) -> PlanPath {
        match phase {
            runbook::MigrationPhase::Expand => PlanPath::ExpandMigrations,
            runbook::MigrationPhase::Contract => PlanPath::ContractMigrations,
        }
    }
}
