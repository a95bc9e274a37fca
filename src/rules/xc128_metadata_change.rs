//! XC128: changes the database makes in its catalog only, with nothing for running code to trip on.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC128",
    name: "metadata-change",
    title: "Catalog-only change: renamed index or key, changed default, dropped foreign key or unused enum",
    severity: Severity::Safe,
    trigger: "an index or foreign key renamed, a default added or changed (or removed from an optional column), a foreign key dropped, an enum no column uses dropped, a view removed, a composite type removed.",
    why: "
These touch only the catalog (`ALTER INDEX ... RENAME`, `ALTER COLUMN ... SET DEFAULT`, `DROP
CONSTRAINT`, `DROP TYPE`) under a brief lock, rewrite nothing and lose no data. A changed default
applies to new rows only. A dropped foreign key stops enforcing the relation in the database
(Prisma Client keeps its own checks only with `relationMode = \"prisma\"`).
",
    recipe: "
Ship it as it is. On PostgreSQL a `lock_timeout` keeps the brief lock from queueing traffic behind
a long transaction.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let reason = match &change.kind {
        ChangeKind::IndexRenamed { from, to, .. } => {
            format!("index \"{from}\" renamed to \"{to}\"")
        }
        ChangeKind::ForeignKeyRenamed { from, to, .. } => {
            format!("foreign key \"{from}\" renamed to \"{to}\"")
        }
        ChangeKind::ForeignKeyRemoved {
            table, foreign_key, ..
        } => {
            format!(
                "foreign key \"{foreign_key}\" dropped from \"{table}\": the database no longer enforces that relation"
            )
        }
        // A required column losing its default is XC125's.
        ChangeKind::DefaultChanged {
            table,
            column,
            from,
            to,
            nullable,
            ..
        } if to.is_some() || from.is_none() || *nullable => {
            let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".into());
            format!(
                "default of \"{table}\".\"{column}\": {} -> {} (new rows only)",
                show(from),
                show(to)
            )
        }
        ChangeKind::EnumRemoved { enumeration } => format!(
            "enum `{enumeration}` removed (columns that used it are listed on their models)"
        ),
        ChangeKind::ViewRemoved { view } => {
            format!("view `{view}` removed from the schema (Prisma does not drop views)")
        }
        ChangeKind::CompositeTypeRemoved { name } => format!("composite type `{name}` removed"),
        _ => return None,
    };
    Some(Verdict::new(Severity::Safe, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn catalog_changes_are_safe() {
        let c = change(ChangeKind::IndexRenamed {
            table: "T".into(),
            from: "a".into(),
            to: "b".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Safe
        );
    }
}
