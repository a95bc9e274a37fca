//! The runbook as data: the ordered steps of a rollout (apply migrations, roll out an
//! application version, backfill, wait until no instance of a version is left), chosen so that
//! at every moment every application version that can be running works against the database.
//! PLAN.md is rendered from these steps, and tests play them in the same order.
//!
//! The versions: `old` (built against the old schema, running now), `expand` (built against
//! `schema.expand.prisma`), `new` (built against the new schema). Prisma Client names every
//! column it knows in its queries, so a version must be gone before the contract drops what its
//! client knows, and a version must not start before the database holds what its client reads.

use serde::{Deserialize, Serialize};

use crate::changes::ChangeKind;
use crate::classify::Finding;
use crate::rules::Severity;

use super::SyncMode;

/// An application version of the rollout, by the schema its Prisma Client is built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AppVersion {
    /// Built against the old schema: what runs before the plan starts.
    Old,
    /// Built against `schema.expand.prisma`, writing the old values of renamed enum values (or
    /// of fields that need the old form) while old instances still run.
    Expand,
    /// Built against `schema.expand.prisma`, writing the new enum values: only once no old
    /// instance is left.
    ExpandWritingNewValues,
    /// Built against the new schema.
    New,
}

impl AppVersion {
    /// The schema file the version's client is generated from, inside the plan folder or as
    /// the user named it.
    pub fn schema(self) -> &'static str {
        match self {
            AppVersion::Old => "old",
            AppVersion::Expand | AppVersion::ExpandWritingNewValues => "expand",
            AppVersion::New => "new",
        }
    }
}

/// What the rollout of the new version needs, per change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Rollout {
    /// The application built against the new schema runs on the expanded database beside the
    /// old one.
    NewDirectly,
    /// A version built against the intermediate schema must replace the old one first (`why`).
    Intermediate { why: String },
    /// Both values of a renamed enum value must be readable by every running version before
    /// any version writes the new one.
    EnumValueRenamed,
    /// No order of steps avoids every error: the plan says which moment fails and why.
    NotZeroDowntime {
        why: String,
        /// The contract swaps a new-typed column into place: the new version can only run
        /// after it, and the intermediate version runs until then.
        #[serde(skip)]
        new_after_contract: bool,
    },
}

/// How the rollout of one change must go.
pub fn rollout_of(f: &Finding, sync: SyncMode) -> Rollout {
    // Safe to migrate, not to write at once: an old client fails reading a value it does not
    // know.
    if let ChangeKind::EnumValueAdded { enumeration, value } = &f.change.kind {
        return Rollout::Intermediate {
            why: format!(
                "old instances fail reading `{enumeration}.{value}`, which they do not know: a version built on the new schema that reads `{value}` but does not write it yet replaces the old one; the new version, which writes it, follows once no old instance is left"
            ),
        };
    }
    if f.severity < Severity::Breaking {
        return Rollout::NewDirectly;
    }
    match &f.change.kind {
        ChangeKind::FieldRenamed { .. } if sync == SyncMode::App => Rollout::Intermediate {
            why: "with --sync app only the application keeps the old and the new column in sync: every instance must write both before the backfill".into(),
        },
        ChangeKind::FieldAdded { field, .. } if f.rule.is(crate::rules::REQUIRED_FIELD_WITHOUT_DEFAULT) => Rollout::Intermediate {
            why: format!(
                "old instances insert rows without `{field}` until they are gone, and a client built on the new schema fails reading such a row: a version that writes `{field}` but reads it as optional replaces the old one before the backfill"
            ),
        },
        ChangeKind::ColumnMadeRequired { field, .. } => Rollout::Intermediate {
            why: format!(
                "old instances may write null into `{field}` until they are gone, and a client built on the new schema fails reading such a row: a version that always writes `{field}` but reads it as optional replaces the old one before the backfill"
            ),
        },
        ChangeKind::EnumValueRemoved { enumeration, value } => Rollout::Intermediate {
            why: format!(
                "old instances write `{enumeration}.{value}` until they are gone, and a client built on the new schema fails reading it: a version that reads `{value}` but no longer writes it replaces the old one before the backfill"
            ),
        },
        ChangeKind::EnumValueRenamed { db_from, db_to, .. } if db_from != db_to => {
            Rollout::EnumValueRenamed
        }
        ChangeKind::ColumnTypeChanged { field, .. } => Rollout::NotZeroDowntime {
            new_after_contract: true,
            why: format!(
                "the contract swaps the new-typed copy of `{field}` into place: instances built on schema.expand.prisma name the copy and fail from the contract until the application built on the new schema has replaced them (roll it out right after the contract)"
            ),
        },
        ChangeKind::EnumRenamed { type_from, type_to, .. } if type_from != type_to => {
            Rollout::NotZeroDowntime {
                new_after_contract: false,
                why: format!(
                    "the contract renames type \"{type_from}\" to \"{type_to}\" in place, and Prisma Client casts enum values to its type's name: from the contract until the application built on the new schema has replaced the running one, queries of the other name fail"
                ),
            }
        }
        _ => Rollout::NewDirectly,
    }
}

/// One step of the rollout (plan.json's `steps`: `prisma-xc status` reads them back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Step {
    /// `prisma-xc promote` then `prisma migrate deploy` of a phase's migration folders.
    ApplyMigrations { phase: MigrationPhase },
    /// Replace the running instances with `version`, gradually (both run side by side for a
    /// while); `dual_write`: with the extension of `2-dual-write/` installed.
    RollOut {
        version: AppVersion,
        #[serde(rename = "dualWrite")]
        dual_write: bool,
        why: String,
    },
    /// Run `3-backfill/` until it verifies every row.
    Backfill,
    /// Go on only once no instance of `version` (and none older) is left.
    WaitUntilGone { version: AppVersion },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MigrationPhase {
    Expand,
    Contract,
}

impl AppVersion {
    /// How PLAN.md names the version.
    pub fn label(self) -> &'static str {
        match self {
            AppVersion::Old => "the old version",
            AppVersion::Expand => "the expand version",
            AppVersion::ExpandWritingNewValues => {
                "the expand version that writes the new enum values"
            }
            AppVersion::New => "the new version",
        }
    }
}

impl Step {
    /// The step's heading in PLAN.md (after "Step N: ").
    pub fn title(&self) -> String {
        match self {
            Step::ApplyMigrations {
                phase: MigrationPhase::Expand,
            } => "apply the expand".into(),
            Step::ApplyMigrations {
                phase: MigrationPhase::Contract,
            } => "apply the contract".into(),
            Step::RollOut { version, .. } => format!("roll out {}", version.label()),
            Step::Backfill => "backfill".into(),
            Step::WaitUntilGone { version } => {
                format!("wait until no instance of {} is left", version.label())
            }
        }
    }
}

/// What the steps depend on.
pub struct Needs<'a> {
    pub rollouts: &'a [Rollout],
    pub has_expand: bool,
    pub has_backfill: bool,
    pub has_contract: bool,
    pub has_dual_write: bool,
}

/// The steps, in the order they run.
pub fn steps(needs: &Needs) -> Vec<Step> {
    let intermediate = needs.rollouts.iter().find_map(|r| match r {
        Rollout::Intermediate { why } => Some(why.clone()),
        _ => None,
    });
    let enum_renamed = needs.rollouts.contains(&Rollout::EnumValueRenamed);
    // A type swap: the intermediate version is the one the contract breaks, and the new one
    // comes right after the contract.
    let swap = needs.rollouts.iter().any(|r| {
        matches!(
            r,
            Rollout::NotZeroDowntime {
                new_after_contract: true,
                ..
            }
        )
    });
    let mut out = Vec::new();
    if needs.has_expand {
        out.push(Step::ApplyMigrations {
            phase: MigrationPhase::Expand,
        });
    }
    let mut running = AppVersion::Old;
    if intermediate.is_some() || enum_renamed || swap {
        let why = intermediate.clone().unwrap_or_else(|| {
            if enum_renamed {
                "a renamed enum value: every running version must read both values before any writes the new one; this version reads both and still writes the old one".into()
            } else {
                "the column keeps its name but not its type: this version writes the old column and its new-typed copy together".into()
            }
        });
        out.push(Step::RollOut {
            version: AppVersion::Expand,
            dual_write: needs.has_dual_write,
            why,
        });
        out.push(Step::WaitUntilGone {
            version: AppVersion::Old,
        });
        running = AppVersion::Expand;
        if enum_renamed {
            out.push(Step::RollOut {
                version: AppVersion::ExpandWritingNewValues,
                dual_write: needs.has_dual_write,
                why: "no old instance is left, so every running version reads the new enum values: this version writes them".into(),
            });
            out.push(Step::WaitUntilGone {
                version: AppVersion::Expand,
            });
            running = AppVersion::ExpandWritingNewValues;
        }
    }
    if needs.has_backfill {
        out.push(Step::Backfill);
    }
    if !swap {
        out.push(Step::RollOut {
            version: AppVersion::New,
            dual_write: false,
            why: if needs.has_backfill {
                "the backfill is verified: every row holds what the new schema's client reads"
                    .into()
            } else {
                "the expanded database holds everything the new schema's client reads and writes"
                    .into()
            },
        });
        // The version the new one replaced must be gone before the contract removes what
        // its client names.
        if needs.has_contract {
            out.push(Step::WaitUntilGone { version: running });
        }
    }
    if needs.has_contract {
        out.push(Step::ApplyMigrations {
            phase: MigrationPhase::Contract,
        });
    }
    if swap {
        out.push(Step::RollOut {
            version: AppVersion::New,
            dual_write: false,
            why: "the contract has swapped the new-typed column into place".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::ApplyMigrations { phase } => format!("apply {phase:?}"),
                Step::RollOut { version, .. } => format!("roll out {version:?}"),
                Step::Backfill => "backfill".into(),
                Step::WaitUntilGone { version } => format!("no {version:?} left"),
            })
            .collect()
    }

    fn needs(rollouts: &[Rollout]) -> Needs<'_> {
        Needs {
            rollouts,
            has_expand: true,
            has_backfill: true,
            has_contract: true,
            has_dual_write: false,
        }
    }

    #[test]
    fn every_version_runs_only_where_the_database_serves_it() {
        let intermediate = Rollout::Intermediate { why: "x".into() };
        let swap = Rollout::NotZeroDowntime {
            why: "the contract swaps ...".into(),
            new_after_contract: true,
        };
        let cases: &[(&str, Vec<Rollout>, &[&str])] = &[
            (
                // A rename kept in sync by a trigger: the new version reads the backfilled
                // column, and the old column goes once the old version is gone.
                "rename",
                vec![Rollout::NewDirectly],
                &[
                    "apply Expand",
                    "backfill",
                    "roll out New",
                    "no Old left",
                    "apply Contract",
                ],
            ),
            (
                "new required field",
                vec![intermediate.clone()],
                &[
                    "apply Expand",
                    "roll out Expand",
                    "no Old left",
                    "backfill",
                    "roll out New",
                    "no Expand left",
                    "apply Contract",
                ],
            ),
            (
                "enum value renamed",
                vec![Rollout::EnumValueRenamed],
                &[
                    "apply Expand",
                    "roll out Expand",
                    "no Old left",
                    "roll out ExpandWritingNewValues",
                    "no Expand left",
                    "backfill",
                    "roll out New",
                    "no ExpandWritingNewValues left",
                    "apply Contract",
                ],
            ),
            (
                "type swap",
                vec![swap],
                &[
                    "apply Expand",
                    "roll out Expand",
                    "no Old left",
                    "backfill",
                    "apply Contract",
                    "roll out New",
                ],
            ),
        ];
        for (name, rollouts, want) in cases {
            assert_eq!(kinds(&steps(&needs(rollouts))), *want, "{name}");
        }
        // An index only: nothing to backfill or contract, no version to wait for.
        let index_only = Needs {
            rollouts: &[Rollout::NewDirectly],
            has_expand: true,
            has_backfill: false,
            has_contract: false,
            has_dual_write: false,
        };
        assert_eq!(kinds(&steps(&index_only)), ["apply Expand", "roll out New"]);
    }
}
