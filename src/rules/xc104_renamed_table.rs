//! XC104: a table gets a new name (a renamed model, or a changed `@@map`).

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC104",
    name: "renamed-table",
    title: "Table renamed: running code still queries the old name",
    severity: Severity::Breaking,
    trigger: "a declared model rename whose table name changes, or a model whose `@@map` changes.",
    why: "
Without a declaration Prisma drops the old table and creates an empty new one. With one, `ALTER
TABLE ... RENAME TO` is instant, but every application version still running the old Prisma Client
queries the old table name and fails until it is replaced. Foreign keys, indexes and the primary
key keep their old names unless they are renamed too (Prisma derives them from the table name, so
it will want to rename them).
",
    recipe: "
Either rename in Prisma only: `model User { ... @@map(\"Person\") }` keeps the table. No migration.

Or expand and contract:
1. Expand: create the new table (or, on PostgreSQL, rename the table and leave an updatable view
   under the old name so old code keeps working).
2. Dual-write and backfill as for a column rename, or rely on the view.
3. Contract: drop the view (or the old table) once no running version uses the old name.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    match &change.kind {
        ChangeKind::ModelRenamed {
            from,
            to,
            table_from,
            table_to,
            ..
        } if table_from != table_to => {
            let how = if from == to {
                format!("`@@map` of `{to}` changed")
            } else {
                format!("model `{from}` renamed to `{to}`")
            };
            Some(Verdict::new(
                Severity::Breaking,
                format!(
                    "{how}: table \"{table_from}\" becomes \"{table_to}\", and running code that queries the old name fails; to rename in Prisma only, keep `@@map(\"{table_from}\")`"
                ),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn a_table_rename_is_breaking() {
        let c = change(ChangeKind::ModelRenamed {
            from: "Person".into(),
            to: "User".into(),
            table_from: "Person".into(),
            table_to: "User".into(),
            declared: true,
        });
        assert_eq!(
            check(
                &c,
                &Context {
                    provider: Provider::PostgreSql
                }
            )
            .unwrap()
            .severity,
            Severity::Breaking
        );
        let mapped = change(ChangeKind::ModelRenamed {
            from: "Person".into(),
            to: "User".into(),
            table_from: "Person".into(),
            table_to: "Person".into(),
            declared: false,
        });
        assert!(
            check(
                &mapped,
                &Context {
                    provider: Provider::PostgreSql
                }
            )
            .is_none()
        );
    }
}
