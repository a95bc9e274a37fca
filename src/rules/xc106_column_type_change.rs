//! XC106: a column's type changes in a way the database cannot do in place.

use super::{Context, Rule, Severity, TypeChange, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC106",
    name: "column-type-change",
    title: "Column type changed: the table is rewritten and the cast can fail",
    severity: Severity::Breaking,
    trigger: "a field's type, native type or list-ness changes, other than the in-place cases of XC107 and the JSON/JSONB switch of XC121.",
    why: "
PostgreSQL's `ALTER COLUMN ... TYPE` rewrites the whole table and its indexes under an `ACCESS
EXCLUSIVE` lock: no reads or writes until it is done. The cast fails on the first value that does
not fit (text that is not a number, a value too long), and then nothing is migrated. When there is
no cast at all (e.g. text to a list), Prisma drops the column and adds it again: every value is
lost. MySQL copies the table (`ALGORITHM=COPY`, writes blocked); SQLite rebuilds it by copying
every row. Running code keeps sending values of the old type until it is replaced.
",
    recipe: "
1. Expand: add a new column of the new type, nullable, next to the old one (plus a sync trigger
   on PostgreSQL/SQLite that converts values written by old code).
2. Dual-write: code writes both columns, reads the new one.
3. Backfill: convert existing values in batches; rows that do not convert show up in the
   verification query instead of failing the migration.
4. Contract: make the new column required if needed, drop the old column, and (optionally) rename
   in Prisma only with `@map`.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::ColumnTypeChanged {
        field,
        table,
        column,
        from,
        to,
        castable,
        ..
    } = &change.kind
    else {
        return None;
    };
    if TypeChange::of(context.provider, from, to) != TypeChange::Rewrite {
        return None;
    }
    if context.provider == Provider::MongoDb {
        return Some(Verdict::new(
            Severity::Breaking,
            format!(
                "field `{field}` changes from {from} to {to}: existing documents keep the old type, and Prisma Client fails to read them"
            ),
        ));
    }
    if !castable {
        return Some(Verdict::new(
            Severity::Destructive,
            format!(
                "\"{table}\".\"{column}\" changes from {from} to {to}, which has no cast: Prisma drops the column and adds it again, losing every value"
            ),
        ));
    }
    let rewrite = match context.provider {
        Provider::MySql => "MySQL copies the table while writes wait",
        Provider::Sqlite => {
            "Prisma rebuilds the table, copying every row while the database is locked"
        }
        Provider::SqlServer => "the column is rewritten under a table lock",
        _ => "the table is rewritten under an exclusive lock",
    };
    Some(Verdict::new(
        Severity::Breaking,
        format!(
            "\"{table}\".\"{column}\" changes from {from} to {to}: {rewrite}, and the conversion fails on any value that does not fit"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::ChangedType;
    use crate::database::{ColumnType, TypeFamily};
    use crate::rules::test_support::change;

    use crate::test_support::column_type as ty;

    fn type_change(from: ColumnType, to: ColumnType, castable: bool) -> Change {
        change(ChangeKind::ColumnTypeChanged {
            model: "User".into(),
            field: "age".into(),
            table: "User".into(),
            column: "age".into(),
            from: ChangedType::Column(from),
            to: ChangedType::Column(to),
            castable,
        })
    }

    #[test]
    fn rewrites_are_breaking_and_drops_destructive() {
        let pg = Context::on(Provider::PostgreSql);
        let int = ty("INTEGER", TypeFamily::Integer(4));
        let big = ty("BIGINT", TypeFamily::Integer(8));
        assert_eq!(
            check(&type_change(int.clone(), big, true), &pg)
                .unwrap()
                .severity,
            Severity::Breaking
        );
        let bool_ = ty("BOOLEAN", TypeFamily::Boolean);
        assert_eq!(
            check(&type_change(int, bool_, false), &pg)
                .unwrap()
                .severity,
            Severity::Destructive
        );
        let v10 = ty(
            "VARCHAR(10)",
            TypeFamily::Text {
                fixed: false,
                length: Some(10),
            },
        );
        let v20 = ty(
            "VARCHAR(20)",
            TypeFamily::Text {
                fixed: false,
                length: Some(20),
            },
        );
        assert!(
            check(&type_change(v10, v20, true), &pg).is_none(),
            "widening is XC107's"
        );
    }
}
