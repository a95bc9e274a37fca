//! XC110: an optional field becomes required.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC110",
    name: "optional-to-required",
    title: "Optional field made required: fails on existing nulls, and old code writes nulls",
    severity: Severity::Breaking,
    trigger: "a field goes from `Type?` to `Type`.",
    why: "
`ALTER COLUMN ... SET NOT NULL` scans the whole table under an `ACCESS EXCLUSIVE` lock on
PostgreSQL (no reads or writes meanwhile) and fails if any row is null; then nothing is migrated.
MySQL rebuilds the table (`MODIFY`), and SQLite copies it. Application versions still running the
old Prisma Client may write null (or omit the field) and fail once the constraint is there.
",
    recipe: "
1. Dual-write: deploy code that always writes the field.
2. Backfill: fill the rows that are null.
3. Contract: on PostgreSQL add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` (which
   does not block writes), then `SET NOT NULL` (which uses the validated check and skips the scan),
   and drop the check.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::ColumnMadeRequired {
        field,
        table,
        column,
        has_default,
        ..
    } = &change.kind
    else {
        return None;
    };
    let default = if *has_default {
        " (the new default does not fill existing nulls)"
    } else {
        ""
    };
    let reason = match context.provider {
        Provider::MongoDb => format!(
            "field `{field}` made required: documents where it is missing or null can no longer be read"
        ),
        _ => format!(
            "\"{table}\".\"{column}\" made required: the migration fails if any row is null{default}, and running code that writes null fails"
        ),
    };
    Some(Verdict::new(Severity::Breaking, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn set_not_null_is_breaking() {
        let c = change(ChangeKind::ColumnMadeRequired {
            model: "User".into(),
            field: "name".into(),
            table: "User".into(),
            column: "name".into(),
            has_default: true,
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Breaking);
        assert!(v.reason.contains("existing nulls"));
    }
}
