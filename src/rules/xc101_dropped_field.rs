//! XC101: a field (column) disappears, and its data with it.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC101",
    name: "dropped-field",
    title: "Field removed: its column and every value in it are dropped",
    severity: Severity::Destructive,
    trigger: "a scalar field of an existing model is gone from the new schema and no rename was declared.",
    why: "
`DROP COLUMN` deletes the data for good. Application versions still running the old Prisma Client
select the column by name in every query of the model (Prisma lists columns explicitly), so they
fail with `The column ... does not exist` from the moment the migration runs until they are
replaced. On PostgreSQL the drop itself is quick (an `ACCESS EXCLUSIVE` lock, no rewrite); MySQL 8
may rebuild the table; SQLite rebuilds it through a copy. On MongoDB nothing is deleted: documents
keep the field, Prisma Client simply stops reading it.

If the field was renamed rather than dropped, declare it (`--rename Model.old=new` or
`// prisma-xc: renamed from old` on the new field) and prisma-xc treats it as a rename.
",
    recipe: "
1. Deploy application code that no longer reads or writes the field (keep the field in the schema;
   if it is required, make it optional or give it a default first so that new code's inserts work).
2. Once no running version uses it, deploy the migration that drops the column (the contract).
3. Back the data up first if it may be needed again.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let mongo = context.provider == Provider::MongoDb;
    match &change.kind {
        ChangeKind::FieldRemoved {
            field,
            table,
            column,
            ..
        } if mongo => Some(Verdict::new(
            Severity::Caution,
            format!(
                "field `{field}` removed: documents of \"{table}\" keep `{}`, Prisma Client no longer reads it",
                column.name
            ),
        )),
        ChangeKind::FieldRemoved {
            field,
            table,
            column,
            ..
        } => Some(Verdict::new(
            Severity::Destructive,
            format!(
                "field `{field}` removed: column \"{table}\".\"{}\" and its data are dropped, and running code that still selects it fails",
                column.name
            ),
        )),
        ChangeKind::CompositeTypeChanged {
            name,
            fields_removed,
            ..
        } if !fields_removed.is_empty() => Some(Verdict::new(
            Severity::Caution,
            format!(
                "composite type `{name}` loses {}: stored documents keep the values, Prisma Client no longer reads them",
                fields_removed.join(", ")
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{change, column};

    #[test]
    fn dropping_a_column_is_destructive_except_on_mongodb() {
        let c = change(ChangeKind::FieldRemoved {
            model: "User".into(),
            field: "name".into(),
            table: "User".into(),
            column: column("name", "TEXT", true, None),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Destructive
        );
        assert_eq!(
            check(&c, &Context::on(Provider::MongoDb)).unwrap().severity,
            Severity::Caution
        );
    }
}
