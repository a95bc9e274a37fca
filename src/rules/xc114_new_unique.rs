//! XC114: a new unique constraint on a table that already exists.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC114",
    name: "new-unique",
    title: "New unique constraint: fails on duplicates, and blocks writes while it builds",
    severity: Severity::Caution,
    trigger: "`@unique` or `@@unique` added to an existing model.",
    why: "
Prisma creates a unique index. It fails, and the migration with it, if existing rows hold
duplicates. On PostgreSQL the plain `CREATE UNIQUE INDEX` blocks writes to the table while it
builds (a `SHARE` lock); SQLite locks the database; MySQL builds it online but fails on
duplicates just the same. Old code may keep inserting duplicates up to the moment it exists, and
then gets unique violations it does not handle.
",
    recipe: "
1. Find and resolve duplicates first (`SELECT col, count(*) FROM t GROUP BY col HAVING count(*) > 1`).
2. On PostgreSQL build the index with `CREATE UNIQUE INDEX CONCURRENTLY` in a migration of its own,
   then (for a constraint) `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX`.
3. Deploy code that handles the unique violation before the index exists.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::IndexAdded {
        table,
        index,
        unique: true,
        columns,
        ..
    } = &change.kind
    else {
        return None;
    };
    let lock = match context.provider {
        Provider::PostgreSql => "; writes wait while it builds unless built CONCURRENTLY",
        Provider::Sqlite => "; the database is locked for writes while it builds",
        _ => "",
    };
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "new unique index \"{index}\" on existing table \"{table}\" ({}): fails if rows hold duplicates{lock}",
            columns.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn a_unique_index_is_caution() {
        let c = change(ChangeKind::IndexAdded {
            table: "User".into(),
            index: "User_email_key".into(),
            unique: true,
            fulltext: false,
            columns: vec!["email".into()],
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Caution);
        assert!(v.reason.contains("duplicates"));
    }
}
