//! XC108: a new required field, with no default, on a table that already has rows.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC108",
    name: "required-field-without-default",
    title: "New required field without a default: the migration fails on a non-empty table",
    severity: Severity::Breaking,
    trigger: "a new required (non-list) field on an existing model with no database default (`uuid()`/`cuid()` are computed by Prisma Client, not the database, so they do not count).",
    why: "
`ALTER TABLE ... ADD COLUMN ... NOT NULL` with no default has no value for the rows already there:
PostgreSQL, MySQL (strict mode) and SQL Server reject it as soon as the table has one row, and
SQLite refuses it outright. `prisma migrate dev` warns about exactly this. Even on an empty table,
application versions still running the old Prisma Client insert rows without the column and fail.
On MongoDB existing documents lack the field, and Prisma Client fails to read them.
",
    recipe: "
1. Expand: add the column as optional (or with a temporary default).
2. Dual-write: code writes the new field on every insert and update.
3. Backfill: fill the existing rows in batches, with the value only you can define.
4. Contract: verify no row is null, then `SET NOT NULL` (on PostgreSQL through a `CHECK ... NOT
   VALID` constraint validated first, so the lock is brief).

Or, when one value fits every existing row, give the field `@default(...)`: that is XC100, safe.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::FieldAdded {
        field,
        table,
        column,
        ..
    } = &change.kind
    else {
        return None;
    };
    if column.nullable || column.default.is_some() || column.autoincrement {
        return None;
    }
    let client = if column.client_default {
        " (its `@default` is computed by Prisma Client, not the database)"
    } else {
        ""
    };
    let reason = match context.provider {
        Provider::MongoDb => format!(
            "new required field `{field}`{client}: existing documents of \"{table}\" lack it, and Prisma Client fails to read them"
        ),
        _ => format!(
            "new required column \"{table}\".\"{}\" without a default{client}: the migration fails if the table has rows, and running code inserts without it",
            column.name
        ),
    };
    Some(Verdict::new(Severity::Breaking, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{change, column};

    #[test]
    fn only_required_columns_without_database_default() {
        let pg = Context::on(Provider::PostgreSql);
        let added = |c| {
            change(ChangeKind::FieldAdded {
                model: "User".into(),
                field: "email".into(),
                table: "User".into(),
                column: c,
            })
        };
        assert_eq!(
            check(&added(column("email", "TEXT", false, None)), &pg)
                .unwrap()
                .severity,
            Severity::Breaking
        );
        assert!(check(&added(column("email", "TEXT", true, None)), &pg).is_none());
        assert!(check(&added(column("email", "TEXT", false, Some("''"))), &pg).is_none());
    }
}
