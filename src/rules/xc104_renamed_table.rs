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

A changed `@@map` under the same model name needs no declaration: prisma-xc sees the rename. It is
reported destructive all the same, because the migration Prisma writes for it drops the table.
",
    recipe: "
Either rename in Prisma only: `model User { ... @@map(\"Person\") }` keeps the table. No migration.

Or, on PostgreSQL, expand and contract (`prisma-xc diff --name`, with the rename declared):
1. Expand: `ALTER TABLE ... RENAME TO` the new name, with the key, indexes, foreign keys and
   sequences renamed to the names Prisma derives for the new table, and a view under the old
   name (`CREATE VIEW \"Person\" AS SELECT * FROM \"User\"`). The view is automatically
   updatable: old code keeps reading and writing the same rows through it. No row is copied.
2. Deploy the application built on the new schema everywhere.
3. Contract: drop the view.
On SQLite, where an insert through a view returns no generated key, the expand creates the new
table beside the old one, copies every row and installs triggers that repeat each write on the
other table; the relations stay on the old table until the contract, which checks both tables
hold the same rows, drops the old one and points the foreign keys at the new one.
An implicit many-to-many relation's join table is named after the model: give it an explicit
join model first. On other databases, keep `@@map`.
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
            declared,
        } if table_from != table_to => {
            if from == to && !declared {
                // Seen, not declared: what ships by default is Prisma's own migration.
                return Some(Verdict::new(
                    Severity::Destructive,
                    format!(
                        "`@@map` of `{to}` changed: table \"{table_from}\" becomes \"{table_to}\", which Prisma's migration does by dropping the table with all its rows and creating an empty one; plan it (`prisma-xc diff --name`) to rename it with its rows, or keep `@@map(\"{table_from}\")` to rename in Prisma only"
                    ),
                ));
            }
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
            check(&c, &Context::on(Provider::PostgreSql))
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
        assert!(check(&mapped, &Context::on(Provider::PostgreSql)).is_none());
    }

    #[test]
    fn a_changed_map_seen_without_a_declaration_is_destructive() {
        let seen = |declared| {
            change(ChangeKind::ModelRenamed {
                from: "User".into(),
                to: "User".into(),
                table_from: "User".into(),
                table_to: "users".into(),
                declared,
            })
        };
        let context = Context::on(Provider::PostgreSql);
        let v = check(&seen(false), &context).unwrap();
        assert_eq!(v.severity, Severity::Destructive);
        assert!(v.reason.contains("dropping the table"), "{}", v.reason);
        assert_eq!(
            check(&seen(true), &context).unwrap().severity,
            Severity::Breaking
        );
    }
}
