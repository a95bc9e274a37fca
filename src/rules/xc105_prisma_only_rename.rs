//! XC105: a rename in Prisma's names only; the database keeps its names.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC105",
    name: "prisma-only-rename",
    title: "Renamed in Prisma only: the database does not change",
    severity: Severity::Safe,
    trigger: "a field, model, enum or enum value renamed while `@map`/`@@map` keeps its database name (or, on MySQL, SQLite and SQL Server, any enum rename: there enums have no type name).",
    why: "
Nothing in the database changes, so there is no migration and no lock. Only the generated Prisma
Client changes: code must use the new name from the release that ships this schema, which the
TypeScript compiler enforces.
",
    recipe: "
Ship it as it is. This is the recommended way to rename: `newName Type @map(\"old_name\")` on a
field, `@@map(\"OldName\")` on a model, `@map(\"OLD\")` on an enum value.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let enum_types = matches!(
        context.provider,
        Provider::PostgreSql | Provider::CockroachDb
    );
    let reason = match &change.kind {
        ChangeKind::FieldRenamed {
            from,
            to,
            column_from,
            column_to,
            ..
        } if column_from == column_to => {
            format!("field `{from}` renamed to `{to}`; its column stays \"{column_to}\"")
        }
        ChangeKind::ModelRenamed {
            from,
            to,
            table_from,
            table_to,
            ..
        } if table_from == table_to => {
            format!("model `{from}` renamed to `{to}`; its table stays \"{table_to}\"")
        }
        ChangeKind::EnumRenamed {
            from,
            to,
            type_from,
            type_to,
            ..
        } if type_from == type_to || !enum_types => {
            format!("enum `{from}` renamed to `{to}`; the database does not change")
        }
        ChangeKind::EnumValueRenamed {
            enumeration,
            from,
            to,
            db_from,
            db_to,
            ..
        } if db_from == db_to => {
            format!("value `{enumeration}.{from}` renamed to `{to}`; stored values stay '{db_to}'")
        }
        _ => return None,
    };
    Some(Verdict::new(Severity::Safe, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn renames_that_keep_database_names_are_safe() {
        let pg = Context::on(Provider::PostgreSql);
        let f = change(ChangeKind::FieldRenamed {
            model: "User".into(),
            from: "user_name".into(),
            to: "username".into(),
            table: "User".into(),
            column_from: "user_name".into(),
            column_to: "user_name".into(),
            declared: false,
        });
        assert_eq!(check(&f, &pg).unwrap().severity, Severity::Safe);
        let e = change(ChangeKind::EnumRenamed {
            from: "A".into(),
            to: "B".into(),
            type_from: "A".into(),
            type_to: "B".into(),
            declared: true,
        });
        assert!(check(&e, &pg).is_none());
        assert!(check(&e, &Context::on(Provider::MySql)).is_some());
    }
}
