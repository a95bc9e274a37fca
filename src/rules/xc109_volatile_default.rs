//! XC109: a new column whose default PostgreSQL computes per row.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC109",
    name: "volatile-default",
    title: "New column with a volatile default: PostgreSQL rewrites the table",
    severity: Severity::Caution,
    trigger: "on PostgreSQL, a new field on an existing model whose database default is volatile, e.g. `@default(dbgenerated(\"gen_random_uuid()\"))`.",
    why: "
Since PostgreSQL 11, `ADD COLUMN ... DEFAULT <constant>` (including `now()` and
`CURRENT_TIMESTAMP`, which are stable within a statement) only updates the catalog. A volatile
default (`gen_random_uuid()`, `random()`, `clock_timestamp()`, `nextval(...)`) must be computed for
every existing row, so the table is rewritten under an `ACCESS EXCLUSIVE` lock that blocks every
read and write until it finishes: minutes on a large table. Running code is not affected otherwise.
",
    recipe: "
1. Expand: add the column without a default (nullable), then set the default in a separate
   statement (`ALTER COLUMN ... SET DEFAULT`, which affects only new rows).
2. Backfill existing rows in batches.
3. Contract: `SET NOT NULL` once no row is null (validated through a `CHECK ... NOT VALID`
   constraint first).
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::FieldAdded { table, column, .. } = &change.kind else {
        return None;
    };
    if context.provider != Provider::PostgreSql || !column.volatile_default || column.autoincrement
    {
        return None;
    }
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "new column \"{table}\".\"{}\" with volatile default {}: PostgreSQL rewrites the whole table under an exclusive lock",
            column.name,
            column.default.as_deref().unwrap_or("")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{change, column};

    #[test]
    fn volatile_defaults_on_postgres_only() {
        let added = |c| {
            change(ChangeKind::FieldAdded {
                model: "User".into(),
                field: "id2".into(),
                table: "User".into(),
                column: c,
            })
        };
        let uuid = added(column("id2", "UUID", false, Some("gen_random_uuid()")));
        assert!(check(&uuid, &Context::on(Provider::PostgreSql)).is_some());
        assert!(check(&uuid, &Context::on(Provider::MySql)).is_none());
        let now = added(column(
            "at",
            "TIMESTAMP(3)",
            false,
            Some("CURRENT_TIMESTAMP"),
        ));
        assert!(check(&now, &Context::on(Provider::PostgreSql)).is_none());
    }
}
