//! XC100: new models, enums, join tables and fields that existing rows and running code can live with.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC100",
    name: "additive-change",
    title: "New model, enum, view or optional field",
    severity: Severity::Safe,
    trigger: "a new model (table), view, enum, implicit many-to-many join table or composite type; a new field that is optional, a list, or has a constant database default.",
    why: "
Adding structures nobody uses yet changes nothing for running code: old application versions never
read or write them. On PostgreSQL 11 and later, `ADD COLUMN` with no default or a constant default
only updates the catalog (a brief `ACCESS EXCLUSIVE` lock, no rewrite); MySQL 8 adds columns
`INSTANT`ly; SQLite appends the column to the table definition; SQL Server adds a nullable column
or one with a constant default as a metadata change.
",
    recipe: "
Ship it as it is, in the expand migration of a phased change or on its own. Creating an index on
the new table in the same migration is free: the table is empty.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let reason = match &change.kind {
        ChangeKind::ModelAdded { table, .. } => format!("new table \"{table}\""),
        ChangeKind::ViewAdded { view } => {
            format!("new view `{view}` (Prisma does not create views: add its SQL to a migration)")
        }
        ChangeKind::EnumAdded { enumeration } => format!("new enum `{enumeration}`"),
        ChangeKind::RelationTableAdded { table } => format!("new join table \"{table}\""),
        ChangeKind::CompositeTypeAdded { name } => format!("new composite type `{name}`"),
        ChangeKind::CompositeTypeChanged {
            name,
            fields_added,
            fields_removed,
        } if fields_removed.is_empty() => {
            format!("composite type `{name}` gains {}", fields_added.join(", "))
        }
        ChangeKind::FieldAdded { field, column, .. }
            if !column.autoincrement
                && (column.nullable || column.default.is_some())
                && !(column.volatile_default && context.provider == Provider::PostgreSql) =>
        {
            match &column.default {
                Some(d) if !column.nullable => {
                    format!("new field `{field}` with default {d}: existing rows get the default")
                }
                _ => format!("new optional field `{field}`"),
            }
        }
        _ => return None,
    };
    Some(Verdict::new(Severity::Safe, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{change, column};

    #[test]
    fn optional_and_defaulted_fields_are_safe_required_ones_are_not_mine() {
        let ctx = Context::on(Provider::PostgreSql);
        let added = |c| {
            change(ChangeKind::FieldAdded {
                model: "User".into(),
                field: "bio".into(),
                table: "User".into(),
                column: c,
            })
        };
        assert!(check(&added(column("bio", "TEXT", true, None)), &ctx).is_some());
        assert!(check(&added(column("n", "INTEGER", false, Some("0"))), &ctx).is_some());
        assert!(check(&added(column("n", "INTEGER", false, None)), &ctx).is_none());
        assert!(
            check(
                &added(column("id", "UUID", false, Some("gen_random_uuid()"))),
                &ctx
            )
            .is_none()
        );
        let mysql = Context::on(Provider::MySql);
        assert!(
            check(
                &added(column("id", "CHAR(36)", false, Some("(uuid())"))),
                &mysql
            )
            .is_some()
        );
    }
}
