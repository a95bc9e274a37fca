//! XC118: a value is added to an existing enum.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC118",
    name: "enum-value-added",
    title: "Enum value added: old code cannot read rows that use it",
    severity: Severity::Caution,
    trigger: "a new value in an enum that already exists.",
    why: "
The migration itself is cheap: `ALTER TYPE ... ADD VALUE` on PostgreSQL (it cannot be used in the
same transaction that adds it, which Prisma's migration respects); MySQL changes the column's
`ENUM(...)` definition, which is in place when the value is appended at the end and copies the
table otherwise. But application versions still running the old Prisma Client fail on every row
that holds the new value (`Value 'X' not found in enum`), so new code must not write it before every
old version is gone.
",
    recipe: "
Ship the migration (and code that can read the value) first; write the value only after the
deploy is complete everywhere. On MySQL add new values at the end of the enum.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::EnumValueAdded { enumeration, value } = &change.kind else {
        return None;
    };
    let mysql = if context.provider == Provider::MySql {
        "; MySQL copies the table unless the value is last"
    } else {
        ""
    };
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "value `{value}` added to enum `{enumeration}`: running old code fails to read rows that hold it{mysql}"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn adding_a_value_is_caution() {
        let c = change(ChangeKind::EnumValueAdded {
            enumeration: "Role".into(),
            value: "OWNER".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Caution
        );
    }
}
