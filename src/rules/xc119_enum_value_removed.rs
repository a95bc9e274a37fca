//! XC119: a value is removed from an enum.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC119",
    name: "enum-value-removed",
    title: "Enum value removed: rows holding it make the migration fail, or lose the value",
    severity: Severity::Destructive,
    trigger: "a value of an enum is gone from the new schema and no rename was declared.",
    why: "
PostgreSQL cannot drop an enum value: Prisma creates a new type, converts every column that uses it
(`USING (col::text::\"Enum_new\")`, a full table rewrite under an `ACCESS EXCLUSIVE` lock) and
drops the old type. The conversion fails if any row holds the removed value. On MySQL the column is
redefined with `MODIFY`: in strict mode the migration fails, otherwise the value silently becomes
the empty string, lost. Old code keeps writing the value until it is replaced.
",
    recipe: "
1. Deploy code that no longer writes the value.
2. Backfill: move rows that hold it to another value (`UPDATE ... SET col = 'NEW' WHERE col = 'OLD'`).
3. Contract: remove the value once no row holds it.
If the value was renamed, declare it (`--rename Enum.OLD=NEW` or `// prisma-xc: renamed from OLD`),
or keep the stored value with `NEW @map(\"OLD\")`.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::EnumValueRemoved { enumeration, value } = &change.kind else {
        return None;
    };
    let reason = match context.provider {
        Provider::MongoDb => {
            return Some(Verdict::new(
                Severity::Breaking,
                format!(
                    "value `{value}` removed from enum `{enumeration}`: documents that hold it can no longer be read"
                ),
            ));
        }
        Provider::MySql => format!(
            "value `{value}` removed from enum `{enumeration}`: rows that hold it fail the migration or lose the value"
        ),
        _ => format!(
            "value `{value}` removed from enum `{enumeration}`: the conversion rewrites every table using it and fails if a row holds the value"
        ),
    };
    Some(Verdict::new(Severity::Destructive, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn removing_a_value_is_destructive() {
        let c = change(ChangeKind::EnumValueRemoved {
            enumeration: "Role".into(),
            value: "ADMIN".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Destructive
        );
    }
}
