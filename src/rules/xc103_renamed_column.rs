//! XC103: a column gets a new name (a renamed field, or a changed `@map`).

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC103",
    name: "renamed-column",
    title: "Column renamed: running code still uses the old name",
    severity: Severity::Breaking,
    trigger: "a declared field rename whose column name changes, or a field whose `@map` changes.",
    why: "
Prisma itself cannot see a rename: without a declaration it drops the old column and adds an
empty new one. With one, `ALTER TABLE ... RENAME COLUMN` is instant on every database (PostgreSQL
and MySQL change the catalog; SQLite 3.25+ rewrites the schema text), but every application version
still running the old Prisma Client selects the old name and fails from that moment until it is
replaced. A rolling deploy always has such a moment.

A changed `@map` under the same field name needs no declaration: prisma-xc sees the rename. It is
reported destructive all the same, because the migration Prisma writes for it drops the column.
",
    recipe: "
Either keep the column and rename only in Prisma: `username String @map(\"user_name\")`. No
migration, no risk; the database keeps the old name.

Or expand and contract:
1. Expand: add the new column (nullable), and on PostgreSQL/SQLite a trigger that copies writes
   between the two columns while old and new code run side by side.
2. Dual-write: deploy code that writes both columns and reads the new one.
3. Backfill: copy the old column into the new one in batches.
4. Contract: once no running version uses the old column, make the new one required if it must be,
   then drop the old column and the trigger.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    match &change.kind {
        ChangeKind::FieldRenamed {
            from,
            to,
            table,
            column_from,
            column_to,
            declared,
            ..
        } if column_from != column_to => {
            if from == to && !declared {
                // Seen, not declared: what ships by default is Prisma's own migration.
                return Some(Verdict::new(
                    Severity::Destructive,
                    format!(
                        "`@map` of `{to}` changed: column \"{table}\".\"{column_from}\" becomes \"{column_to}\", which Prisma's migration does by dropping the column with its data and adding an empty one; plan it (`prisma-xc diff --name`) to rename it with its data, or keep `@map(\"{column_from}\")` to rename in Prisma only"
                    ),
                ));
            }
            let how = if from == to {
                format!("`@map` of `{to}` changed")
            } else {
                format!("field `{from}` renamed to `{to}`")
            };
            Some(Verdict::new(
                Severity::Breaking,
                format!(
                    "{how}: column \"{table}\".\"{column_from}\" becomes \"{column_to}\", and running code that uses the old name fails; to rename in Prisma only, keep `@map(\"{column_from}\")`"
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
    fn a_column_rename_is_breaking_and_recommends_map() {
        let c = change(ChangeKind::FieldRenamed {
            model: "User".into(),
            from: "user_name".into(),
            to: "username".into(),
            table: "User".into(),
            column_from: "user_name".into(),
            column_to: "username".into(),
            declared: true,
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Breaking);
        assert!(v.reason.contains("@map(\"user_name\")"), "{}", v.reason);
        let same = change(ChangeKind::FieldRenamed {
            model: "User".into(),
            from: "user_name".into(),
            to: "username".into(),
            table: "User".into(),
            column_from: "user_name".into(),
            column_to: "user_name".into(),
            declared: false,
        });
        assert!(check(&same, &Context::on(Provider::PostgreSql)).is_none());
    }

    #[test]
    fn a_changed_map_seen_without_a_declaration_is_destructive() {
        let seen = |declared| {
            change(ChangeKind::FieldRenamed {
                model: "User".into(),
                from: "createdAt".into(),
                to: "createdAt".into(),
                table: "User".into(),
                column_from: "createdAt".into(),
                column_to: "created_at".into(),
                declared,
            })
        };
        let context = Context::on(Provider::PostgreSql);
        let v = check(&seen(false), &context).unwrap();
        assert_eq!(v.severity, Severity::Destructive);
        assert!(v.reason.contains("dropping the column"), "{}", v.reason);
        assert_eq!(
            check(&seen(true), &context).unwrap().severity,
            Severity::Breaking
        );
    }
}
