//! XC111: a required field becomes optional.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC111",
    name: "required-to-optional",
    title: "Required field made optional: old code may read nulls it does not expect",
    severity: Severity::Caution,
    trigger: "a field goes from `Type` to `Type?`.",
    why: "
`DROP NOT NULL` is a catalog change on PostgreSQL and SQL Server (brief lock, no scan); MySQL
rebuilds the table for `MODIFY`, SQLite copies it. Nothing fails at migration time. But once new
code writes nulls, application versions still running the old Prisma Client read them into a
field typed as never null, which breaks wherever the old code relied on it.
",
    recipe: "
Ship the migration first and let new code write nulls only after every old version is gone (or
make sure the old code tolerates them).
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::ColumnMadeOptional { table, column, .. } = &change.kind else {
        return None;
    };
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "\"{table}\".\"{column}\" made optional: old code does not expect the nulls new code may write"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn drop_not_null_is_caution() {
        let c = change(ChangeKind::ColumnMadeOptional {
            model: "User".into(),
            field: "name".into(),
            table: "User".into(),
            column: "name".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Caution
        );
    }
}
