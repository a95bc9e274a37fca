//! The rule catalog: every kind of change, how dangerous it is, and the safe way to ship it.
//!
//! One file per rule, each a [`Rule`] value (its id, title, severity, explanation and recipe)
//! with its `check` and its tests beside it. [`RULES`] is the one registry: the classifier, the
//! `explain` command and `docs/rules.md` all read it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::changes::Change;
use crate::schema::Provider;

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

pub use xc107_in_place_type_change::in_place;

/// How a change can ship, from harmless to data-losing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
            volatile_default: default.is_some_and(crate::changes::is_volatile),
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

    #[test]
    fn find_takes_ids_in_any_case_and_names() {
        assert_eq!(find("xc103").map(|r| r.id), Some("XC103"));
        assert_eq!(find("renamed-column").map(|r| r.id), Some("XC103"));
        assert!(find("XC999").is_none());
    }
}
