//! The rule catalog: every kind of change, how dangerous it is, and the safe way to ship it.
//!
//! One file per rule, each a [`Rule`] value (its id, title, severity, explanation and recipe)
//! with its `check` and its tests beside it. [`RULES`] is the one registry: the classifier, the
//! `explain` command and `docs/rules.md` all read it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::changes::Change;
use crate::schema::Provider;

mod type_change;
mod xc100_additive_change;
mod xc101_dropped_field;
mod xc102_dropped_model;
mod xc103_renamed_column;
mod xc104_renamed_table;
mod xc105_prisma_only_rename;
mod xc106_column_type_change;
mod xc107_in_place_type_change;
mod xc108_required_field_without_default;
mod xc109_volatile_default;
mod xc110_optional_to_required;
mod xc111_required_to_optional;
mod xc112_new_index;
mod xc113_dropped_index;
mod xc114_new_unique;
mod xc115_new_foreign_key;
mod xc116_primary_key_change;
mod xc117_new_autoincrement;
mod xc118_enum_value_added;
mod xc119_enum_value_removed;
mod xc120_enum_value_renamed;
mod xc121_json_jsonb;
mod xc122_table_moved;
mod xc123_relation_mode_change;
mod xc124_provider_change;
mod xc125_default_removed;
mod xc126_foreign_key_actions;
mod xc127_enum_renamed;
mod xc128_metadata_change;

pub use type_change::TypeChange;

/// How a change can ship, from harmless to data-losing.
/// Also `--fail-on`'s values, by the same lowercase names.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Ship as is.
    Safe,
    /// Safe for running code, but it locks a table or can fail on existing data.
    Caution,
    /// Running code or the migration fails unless the change ships in phases.
    Breaking,
    /// Data is lost.
    Destructive,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Safe => "safe",
            Severity::Caution => "caution",
            Severity::Breaking => "breaking",
            Severity::Destructive => "destructive",
        }
    }

    /// Whether `--check` fails on it.
    pub fn blocks(self) -> bool {
        self >= Severity::Breaking
    }

    pub const ALL: [Severity; 4] = [
        Severity::Safe,
        Severity::Caution,
        Severity::Breaking,
        Severity::Destructive,
    ];
}

/// What a rule needs to know beyond the change itself.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub provider: Provider,
}

impl Context {
    /// The context of a schema on `provider`.
    pub fn on(provider: Provider) -> Context {
        Context { provider }
    }
}

/// A rule's judgement of one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub severity: Severity,
    /// One line: what happens, in this change's own names.
    pub reason: String,
}

impl Verdict {
    pub fn new(severity: Severity, reason: impl Into<String>) -> Self {
        Verdict {
            severity,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id)
    }
}

pub struct Rule {
    /// `XC103`.
    pub id: &'static str,
    /// `renamed-column`.
    pub name: &'static str,
    pub title: &'static str,
    /// The usual severity; a check may judge one change otherwise (e.g. per provider).
    pub severity: Severity,
    /// The change that triggers it.
    pub trigger: &'static str,
    /// Why it is dangerous, per provider: locks, rewrites, old code, lost data. Markdown.
    pub why: &'static str,
    /// The safe way to ship it. Markdown.
    pub recipe: &'static str,
    pub check: fn(&Change, &Context) -> Option<Verdict>,
}

/// The rules other stages of the pipeline tell apart (the planner's recipes, the rollout).
pub const RENAMED_TABLE: &Rule = &xc104_renamed_table::RULE;
pub const REQUIRED_FIELD_WITHOUT_DEFAULT: &Rule = &xc108_required_field_without_default::RULE;

impl Rule {
    /// Whether this is `rule`.
    pub fn is(&self, rule: &Rule) -> bool {
        self.id == rule.id
    }
}

/// Every rule, in id order.
pub const RULES: &[&Rule] = &[
    &xc100_additive_change::RULE,
    &xc101_dropped_field::RULE,
    &xc102_dropped_model::RULE,
    &xc103_renamed_column::RULE,
    &xc104_renamed_table::RULE,
    &xc105_prisma_only_rename::RULE,
    &xc106_column_type_change::RULE,
    &xc107_in_place_type_change::RULE,
    &xc108_required_field_without_default::RULE,
    &xc109_volatile_default::RULE,
    &xc110_optional_to_required::RULE,
    &xc111_required_to_optional::RULE,
    &xc112_new_index::RULE,
    &xc113_dropped_index::RULE,
    &xc114_new_unique::RULE,
    &xc115_new_foreign_key::RULE,
    &xc116_primary_key_change::RULE,
    &xc117_new_autoincrement::RULE,
    &xc118_enum_value_added::RULE,
    &xc119_enum_value_removed::RULE,
    &xc120_enum_value_renamed::RULE,
    &xc121_json_jsonb::RULE,
    &xc122_table_moved::RULE,
    &xc123_relation_mode_change::RULE,
    &xc124_provider_change::RULE,
    &xc125_default_removed::RULE,
    &xc126_foreign_key_actions::RULE,
    &xc127_enum_renamed::RULE,
    &xc128_metadata_change::RULE,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

/// The rule that judges `change` and its verdict. Every change kind has exactly one rule (a
/// test holds the catalog to that); a change no rule claims would be a bug, reported as
/// breaking rather than hidden.
pub fn judge(change: &Change, context: &Context) -> (&'static Rule, Verdict) {
    for rule in RULES {
        if let Some(verdict) = (rule.check)(change, context) {
            return (rule, verdict);
        }
    }
    (
        &xc128_metadata_change::RULE,
        Verdict::new(
            Severity::Breaking,
            format!(
                "prisma-xc has no rule for this change ({:?}); review it by hand",
                change.kind
            ),
        ),
    )
}

/// The full text of one rule, as `prisma-xc explain` prints it and `docs/rules.md` holds it.
pub fn explain(rule: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## {} {}: {}\n", rule.id, rule.name, rule.title);
    let _ = writeln!(s, "Severity: **{}**\n", rule.severity.name());
    let _ = writeln!(s, "Triggered by: {}\n", rule.trigger);
    let _ = writeln!(s, "### Why\n\n{}\n", rule.why.trim());
    let _ = writeln!(s, "### Safe recipe\n\n{}", rule.recipe.trim());
    s
}

/// `docs/rules.md`: generated from [`RULES`], checked by a test.
pub fn catalog_markdown() -> String {
    let mut s = String::from(
        "# prisma-xc rules\n\n<!-- Generated from src/rules/ by `prisma-xc explain --all`; do not edit by hand. -->\n\n",
    );
    s.push_str("Severities: **safe** (ship as is), **caution** (safe for running code, but it locks a table or can fail on existing data), **breaking** (running code or the migration fails unless shipped in phases), **destructive** (data is lost). `prisma-xc diff --check` fails on breaking and destructive changes that are not allowed.\n\n");
    s.push_str("| id | name | severity | title |\n|---|---|---|---|\n");
    for r in RULES {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.id,
            r.name,
            r.severity.name(),
            r.title
        );
    }
    for r in RULES {
        s.push('\n');
        s.push_str(&explain(r));
    }
    s
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::changes::{Change, ChangeKind, ColumnFacts, Group};
    use crate::directives::Target;

    pub fn change(kind: ChangeKind) -> Change {
        Change {
            group: Group::Model("User".into()),
            kind,
            location: None,
            anchor: Target::Schema,
        }
    }

    pub fn column(
        name: &str,
        sql_type: &str,
        nullable: bool,
        default: Option<&str>,
    ) -> ColumnFacts {
        ColumnFacts {
            name: name.into(),
            sql_type: sql_type.into(),
            nullable,
            default: default.map(str::to_string),
            volatile_default: default.is_some_and(crate::database::calls_volatile_function),
            client_default: false,
            autoincrement: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_ordered_and_match_their_files() {
        let mut previous = "";
        for r in RULES {
            assert!(r.id > previous, "{} out of order", r.id);
            previous = r.id;
            assert!(r.id.starts_with("XC1") && r.id.len() == 5);
            assert!(!r.title.is_empty() && !r.why.trim().is_empty() && !r.recipe.trim().is_empty());
            assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }

    /// One sample of every change kind, in the shapes the rules tell apart.
    fn samples() -> Vec<crate::changes::ChangeKind> {
        use crate::changes::{ChangeKind::*, ChangedType};
        use crate::database::{ColumnType, TypeFamily};
        use test_support::column;
        let s = |x: &str| x.to_string();
        let ty = |base: &str, family: TypeFamily| ColumnType {
            base: s(base).into(),
            family,
            is_list: false,
        };
        let text = |n: Option<u32>| TypeFamily::Text {
            fixed: false,
            length: n,
        };
        let type_change = |from: ColumnType, to: ColumnType, castable: bool| ColumnTypeChanged {
            model: s("M"),
            field: s("f"),
            table: s("M"),
            column: s("f"),
            from: ChangedType::Column(from),
            to: ChangedType::Column(to),
            castable,
        };
        let added = |c| FieldAdded {
            model: s("M"),
            field: s("f"),
            table: s("M"),
            column: c,
        };
        let mut auto = column("n", "SERIAL", false, None);
        auto.autoincrement = true;
        vec![
            added(column("f", "TEXT", true, None)),
            added(column("f", "TEXT", false, None)),
            added(column("f", "TEXT", false, Some("'x'"))),
            added(column("f", "UUID", false, Some("gen_random_uuid()"))),
            added(auto),
            FieldRemoved {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: column("f", "TEXT", true, None),
            },
            FieldRenamed {
                model: s("M"),
                from: s("a"),
                to: s("b"),
                table: s("M"),
                column_from: s("a"),
                column_to: s("b"),
                declared: true,
            },
            FieldRenamed {
                model: s("M"),
                from: s("a"),
                to: s("b"),
                table: s("M"),
                column_from: s("a"),
                column_to: s("a"),
                declared: false,
            },
            type_change(
                ty("VARCHAR(10)", text(Some(10))),
                ty("VARCHAR(20)", text(Some(20))),
                true,
            ),
            type_change(
                ty("INTEGER", TypeFamily::Integer(4)),
                ty("BIGINT", TypeFamily::Integer(8)),
                true,
            ),
            type_change(
                ty("TEXT", text(None)),
                ty("INTEGER", TypeFamily::Integer(4)),
                false,
            ),
            type_change(
                ty("JSON", TypeFamily::Json),
                ty("JSONB", TypeFamily::Json),
                true,
            ),
            ColumnTypeChanged {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
                from: ChangedType::Prisma(s("Int")),
                to: ChangedType::Prisma(s("String")),
                castable: false,
            },
            ColumnMadeRequired {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
                has_default: false,
            },
            ColumnMadeOptional {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
            },
            DefaultChanged {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
                from: Some(s("1")),
                to: None,
                nullable: false,
            },
            DefaultChanged {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
                from: Some(s("1")),
                to: None,
                nullable: true,
            },
            DefaultChanged {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
                from: None,
                to: Some(s("1")),
                nullable: false,
            },
        ]
        .into_iter()
        .chain(schema_level_samples())
        .chain(constraint_and_enum_samples())
        .collect()
    }

    /// One sample of every change kind of the datasource, models, views and tables.
    fn schema_level_samples() -> Vec<crate::changes::ChangeKind> {
        use crate::changes::ChangeKind::*;
        use crate::schema::RelationMode;
        let s = |x: &str| x.to_string();
        vec![
            ProviderChanged {
                from: Provider::Sqlite,
                to: Provider::PostgreSql,
            },
            RelationModeChanged {
                from: RelationMode::ForeignKeys,
                to: RelationMode::Prisma,
            },
            ModelAdded {
                model: s("M"),
                table: s("M"),
            },
            ModelRemoved {
                model: s("M"),
                table: s("M"),
            },
            ViewAdded { view: s("V") },
            ViewRemoved { view: s("V") },
            ModelRenamed {
                from: s("A"),
                to: s("B"),
                table_from: s("A"),
                table_to: s("B"),
                declared: true,
            },
            ModelRenamed {
                from: s("A"),
                to: s("B"),
                table_from: s("A"),
                table_to: s("A"),
                declared: false,
            },
            TableMoved {
                table: s("M"),
                from: None,
                to: Some(s("auth")),
            },
            RelationTableAdded { table: s("_AToB") },
            RelationTableRemoved { table: s("_AToB") },
        ]
    }

    /// One sample of every change kind of sequences, keys, indexes, enums and composite types.
    fn constraint_and_enum_samples() -> Vec<crate::changes::ChangeKind> {
        use crate::changes::ChangeKind::*;
        let s = |x: &str| x.to_string();
        vec![
            AutoincrementAdded {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
            },
            AutoincrementRemoved {
                model: s("M"),
                field: s("f"),
                table: s("M"),
                column: s("f"),
            },
            PrimaryKeyChanged {
                table: s("M"),
                from: vec![s("a")],
                to: vec![s("b")],
            },
            IndexAdded {
                table: s("M"),
                index: s("i"),
                unique: false,
                fulltext: false,
                columns: vec![s("a")],
            },
            IndexAdded {
                table: s("M"),
                index: s("i"),
                unique: true,
                fulltext: false,
                columns: vec![s("a")],
            },
            IndexRemoved {
                table: s("M"),
                index: s("i"),
                unique: false,
                columns: vec![s("a")],
            },
            IndexRenamed {
                table: s("M"),
                from: s("i"),
                to: s("j"),
            },
            ForeignKeyAdded {
                table: s("M"),
                foreign_key: s("fk"),
                columns: vec![s("a")],
                referenced_table: s("N"),
            },
            ForeignKeyRemoved {
                table: s("M"),
                foreign_key: s("fk"),
                columns: vec![s("a")],
                referenced_table: s("N"),
            },
            ForeignKeyActionsChanged {
                table: s("M"),
                foreign_key: s("fk"),
                on_delete: (s("Restrict"), s("Cascade")),
                on_update: (s("Cascade"), s("Cascade")),
            },
            ForeignKeyRenamed {
                table: s("M"),
                from: s("a"),
                to: s("b"),
            },
            EnumAdded {
                enumeration: s("E"),
            },
            EnumRemoved {
                enumeration: s("E"),
            },
            EnumRenamed {
                from: s("A"),
                to: s("B"),
                type_from: s("A"),
                type_to: s("B"),
                declared: true,
            },
            EnumRenamed {
                from: s("A"),
                to: s("B"),
                type_from: s("A"),
                type_to: s("A"),
                declared: false,
            },
            EnumValueAdded {
                enumeration: s("E"),
                value: s("V"),
            },
            EnumValueRemoved {
                enumeration: s("E"),
                value: s("V"),
            },
            EnumValueRenamed {
                enumeration: s("E"),
                from: s("A"),
                to: s("B"),
                db_from: s("A"),
                db_to: s("B"),
                declared: true,
            },
            EnumValueRenamed {
                enumeration: s("E"),
                from: s("A"),
                to: s("B"),
                db_from: s("A"),
                db_to: s("A"),
                declared: false,
            },
            EnumMoved {
                enumeration: s("E"),
                from: None,
                to: Some(s("auth")),
            },
            CompositeTypeAdded { name: s("T") },
            CompositeTypeRemoved { name: s("T") },
            CompositeTypeChanged {
                name: s("T"),
                fields_added: vec![s("a")],
                fields_removed: vec![],
            },
            CompositeTypeChanged {
                name: s("T"),
                fields_added: vec![],
                fields_removed: vec![s("a")],
            },
        ]
    }

    #[test]
    fn every_change_kind_has_exactly_one_rule_on_every_provider() {
        let samples = samples();
        // Every variant is sampled: the serde tag names them.
        let kinds: std::collections::BTreeSet<String> = samples
            .iter()
            .map(|k| {
                serde_json::to_value(k).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(kinds.len(), 37, "a change kind was added: sample it here");
        for provider in Provider::ALL {
            for kind in &samples {
                let change = test_support::change(kind.clone());
                let claimed: Vec<&str> = RULES
                    .iter()
                    .filter(|r| (r.check)(&change, &Context { provider }).is_some())
                    .map(|r| r.id)
                    .collect();
                assert_eq!(
                    claimed.len(),
                    1,
                    "{provider:?} {kind:?}: claimed by {claimed:?}"
                );
            }
        }
    }

    #[test]
    fn find_takes_ids_in_any_case_and_names() {
        assert_eq!(find("xc103").map(|r| r.id), Some("XC103"));
        assert_eq!(find("renamed-column").map(|r| r.id), Some("XC103"));
        assert!(find("XC999").is_none());
    }
}
