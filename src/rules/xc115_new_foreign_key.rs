//! XC115: a new foreign key on a table that already exists.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC115",
    name: "new-foreign-key",
    title: "New foreign key: checks every row while both tables are locked",
    severity: Severity::Caution,
    trigger: "a new relation (its `@relation(fields: ..., references: ...)`) from an existing model, with `relationMode = \"foreignKeys\"`.",
    why: "
`ADD CONSTRAINT ... FOREIGN KEY` checks every existing row. On PostgreSQL it holds a `SHARE ROW
EXCLUSIVE` lock on both the table and the referenced table for the whole check, blocking their
writes, and it fails if any row points at nothing. MySQL copies the table when `foreign_key_checks`
is on. SQLite rebuilds the table.
",
    recipe: "
On PostgreSQL: `ADD CONSTRAINT ... NOT VALID` (instant; new rows are checked from then on), clean
up orphans, then `VALIDATE CONSTRAINT` in a later migration, which only takes a `SHARE UPDATE
EXCLUSIVE` lock and lets writes through.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::ForeignKeyAdded {
        table,
        foreign_key,
        columns,
        referenced_table,
    } = &change.kind
    else {
        return None;
    };
    let how = match context.provider {
        Provider::PostgreSql => "; add it NOT VALID, then VALIDATE it",
        _ => "",
    };
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "new foreign key \"{foreign_key}\" ({}) from existing table \"{table}\" to \"{referenced_table}\": every row is checked while both tables' writes wait, and it fails on orphans{how}",
            columns.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn a_foreign_key_is_caution() {
        let c = change(ChangeKind::ForeignKeyAdded {
            table: "Post".into(),
            foreign_key: "Post_authorId_fkey".into(),
            columns: vec!["authorId".into()],
            referenced_table: "User".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Caution
        );
    }
}
