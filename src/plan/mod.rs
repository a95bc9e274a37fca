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
use crate::database::Database;
use crate::diagnostics::Sources;
use crate::expand::SchemaEdits;

use crate::schema::{Provider, Schema};
use crate::sql::flavour::TriggerSql;

mod contract_down;
mod contract_phase;
mod expand_phase;
mod gathered;
mod intermediate;
mod locks;
mod output;
mod phase;
mod recipes;
pub mod runbook;
mod swap;
mod table_copy;
mod table_rename;
mod values;

use gathered::{ColumnRename, Recipes, SideSql, TypeSwap};
pub use output::*;
use phase::{concurrent_index, not_valid, sections, statements};
use swap::{apply_swap, rename_enum_type, unswap_db};
use table_rename::TableRename;
use values::conversions;

/// How rows written by old code reach the new columns while both versions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
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

pub fn plan(input: &PlanInput, options: &PlanOptions) -> Result<Plan, PlanError> {
    let provider = input.classification.provider;
    if matches!(provider, Provider::MongoDb) {
        return Err(PlanError::NoDatabase(
            "MongoDB has no migrations to phase: Prisma applies MongoDB schemas with `prisma db push`".into(),
        ));
    }
    let (old_db, new_db) = (input.old_db, input.new_db);
    let flavour = crate::sql::flavour::of(provider);
    // A database without sync triggers leaves the syncing to the application: the dual-write
    // extension writes both columns, and the backfill catches what old code wrote.
    let sync_forced = if !flavour.syncs_columns() {
        Some(format!(
            "prisma-xc writes no sync triggers for {} yet",
            provider.name()
        ))
    } else if provider == Provider::MySql
        && input.new.relation_mode() == crate::schema::RelationMode::Prisma
    {
        Some(
            "relationMode = \"prisma\" is how Prisma runs on PlanetScale and Vitess, which allow no triggers"
                .to_string(),
        )
    } else {
        None
    };
    let sync = if sync_forced.is_some() {
        SyncMode::App
    } else {
        options.sync
    };

    let mut recipes = Recipes {
        sync,
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
        flavour,
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
            rule: f.rule.id.to_string(),
            severity: f.severity,
            reason: f.reason.clone(),
            phase: decision.phase,
            recipe: decision.recipe,
            rollout: runbook::rollout_of(f, sync),
        });
    }
    recipes::finish(&mut cx);
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
    let table_copies = crate::sql::sqlite::table_copies(&recipes.table_copies);

    let writer = phase::PhaseWriter { flavour, options };
    let triggers: TriggerSql = if sync == SyncMode::Trigger {
        (recipes.renames.iter())
            .filter_map(|r| flavour.sync_trigger(&r.sync(), &options.name))
            .collect()
    } else {
        TriggerSql::default()
    };

    let side = SideSql {
        table_renames: &table_renames,
        table_copies: &table_copies,
        triggers: &triggers,
    };
    let expand_phase::Expand {
        migrations: expand,
        down: expand_down,
        long_locks: expand_long_locks,
    } = expand_phase::migrations(&writer, input.old_db, old_db, &expand_db, &side);

    let contract = contract_phase::migrations(&writer, old_db, &expand_db, new_db, &recipes, &side);

    let rollouts: Vec<runbook::Rollout> = changes.iter().map(|c| c.rollout.clone()).collect();
    let dual_write_needed = !recipes.dual_write.is_empty()
        && (sync == SyncMode::App
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
        sync,
        lock_timeout: options.lock_timeout.clone(),
        changes,
        schemas: crate::coverage::SchemaFingerprints {
            old: crate::coverage::fingerprint_of(input.old_sources),
            expand: crate::coverage::fingerprint([expand_schema.as_str()]),
            new: crate::coverage::fingerprint_of(input.new_sources),
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
        contract_down_fill_ins: contract.down_fill_ins,
        steps,
        not_zero_downtime,
        long_locks: [expand_long_locks, contract.long_locks].concat(),
        unguarded_contract: contract.unguarded,
        // Said only where it overrides what `--sync` asked.
        sync_forced: sync_forced.filter(|_| options.sync == SyncMode::Trigger),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A renamed column on each database: where the database has sync triggers they keep the
    /// columns equal and the contract is guarded; elsewhere the application writes both
    /// (forced, whatever `--sync` says) and the plan says its contract has no guard.
    #[test]
    fn planetscale_schemas_sync_in_the_application() {
        let old = "datasource db {\n  provider = \"mysql\"\n  relationMode = \"prisma\"\n}\nmodel User {\n  id Int @id\n  name String\n}\n";
        let new = old.replace(
            "  name String",
            "  fullName String // prisma-xc: renamed from name",
        );
        let plan = crate::test_support::plan_with_datasource(old, &new);
        assert_eq!(plan.sync, SyncMode::App);
        assert!(plan.sync_forced.as_deref().unwrap().contains("PlanetScale"));
        let expand: String = plan.expand.iter().map(|m| m.sql.as_str()).collect();
        assert!(!expand.contains("CREATE TRIGGER"), "{expand}");
        assert!(!plan.dual_write.is_empty());
    }

    #[test]
    fn each_database_syncs_and_guards_what_it_can() {
        let old = "model User {\n  id Int @id\n  name String\n}\n";
        let new =
            "model User {\n  id Int @id\n  fullName String // prisma-xc: renamed from name\n}\n";
        // (provider, sync, dual-write extension, guarded, trigger in the expand)
        let cases = [
            (
                "postgresql",
                SyncMode::Trigger,
                false,
                true,
                "CREATE TRIGGER",
            ),
            ("sqlite", SyncMode::Trigger, false, true, "CREATE TRIGGER"),
            ("mysql", SyncMode::Trigger, false, true, "CREATE TRIGGER"),
            ("sqlserver", SyncMode::App, true, false, ""),
        ];
        for (provider, sync, dual_write, guarded, trigger) in cases {
            let plan = crate::test_support::plan(provider, old, new);
            assert_eq!(plan.sync, sync, "{provider}");
            assert_eq!(!plan.dual_write.is_empty(), dual_write, "{provider}");
            assert_eq!(plan.unguarded_contract, !guarded, "{provider}");
            let expand: String = plan.expand.iter().map(|m| m.sql.as_str()).collect();
            assert_eq!(
                expand.contains("CREATE TRIGGER"),
                !trigger.is_empty(),
                "{provider}: {expand}"
            );
            let contract: String = plan.contract.iter().map(|m| m.sql.as_str()).collect();
            assert_eq!(
                contract.contains("ContractGuard"),
                guarded,
                "{provider}: {contract}"
            );
        }
    }
}
