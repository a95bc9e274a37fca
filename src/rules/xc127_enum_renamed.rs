//! XC127: an enum type is renamed in the database.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC127",
    name: "enum-renamed",
    title: "Enum type renamed: old code casts to the old type name",
    severity: Severity::Breaking,
    trigger: "on PostgreSQL or CockroachDB, a declared enum rename whose type name changes, or an enum whose `@@map` changes.",
    why: "
Undeclared, Prisma drops the old type and creates a new one, converting every column (XC119's
rewrite). Declared, `ALTER TYPE ... RENAME TO` is instant, but the old Prisma Client casts
parameters to the old type name (`$1::\"Role\"`), so its queries fail until it is replaced.
",
    recipe: "
Rename in Prisma only: `enum NewName { ... @@map(\"OldName\") }` keeps the type. No migration.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::EnumRenamed {
        from,
        to,
        type_from,
        type_to,
        ..
    } = &change.kind
    else {
        return None;
    };
    if type_from == type_to
        || !matches!(
            context.provider,
            Provider::PostgreSql | Provider::CockroachDb
        )
    {
        return None;
    }
    Some(Verdict::new(
        Severity::Breaking,
        format!(
            "enum `{from}` renamed to `{to}`: type \"{type_from}\" becomes \"{type_to}\", and running code casts to the old name; to rename in Prisma only, keep `@@map(\"{type_from}\")`"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn renaming_a_type_is_breaking_on_postgres_only() {
        let c = change(ChangeKind::EnumRenamed {
            from: "A".into(),
            to: "B".into(),
            type_from: "A".into(),
            type_to: "B".into(),
            declared: true,
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
        assert!(check(&c, &Context::on(Provider::MySql)).is_none());
    }
}
