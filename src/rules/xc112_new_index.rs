//! XC112: a new (non-unique) index on a table that already exists.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC112",
    name: "new-index",
    title: "New index on an existing table: writes are blocked while it builds",
    severity: Severity::Caution,
    trigger: "`@@index` (or a `@@fulltext` index) added to an existing model.",
    why: "
PostgreSQL's plain `CREATE INDEX` (what Prisma writes) takes a `SHARE` lock: reads go on, but every
`INSERT`, `UPDATE` and `DELETE` on the table waits until the index is built, which takes minutes on
a large table. MySQL/InnoDB builds secondary indexes online (`LOCK=NONE`), a full-text index
blocks writes. SQLite locks the whole database for writing while it builds. SQL Server blocks
writes unless built `WITH (ONLINE = ON)` (Enterprise). Running code is unaffected otherwise.
",
    recipe: "
On PostgreSQL build it with `CREATE INDEX CONCURRENTLY`, in a migration of its own (it cannot run
inside a transaction, and Prisma runs each migration file as one). If a concurrent build fails it leaves an `INVALID` index: drop it and run again.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::IndexAdded {
        table,
        index,
        unique: false,
        fulltext,
        columns,
    } = &change.kind
    else {
        return None;
    };
    let how = match context.provider {
        Provider::PostgreSql => "writes to the table wait while it builds; build it CONCURRENTLY",
        Provider::MySql if *fulltext => "a full-text index blocks writes while it builds",
        Provider::MySql => "built online, but it adds load while it builds",
        Provider::Sqlite => "the database is locked for writes while it builds",
        _ => "writes to the table wait while it builds",
    };
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "new index \"{index}\" on existing table \"{table}\" ({}): {how}",
            columns.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn an_index_on_an_existing_table_is_caution() {
        let c = change(ChangeKind::IndexAdded {
            table: "User".into(),
            index: "User_email_idx".into(),
            unique: false,
            fulltext: false,
            columns: vec!["email".into()],
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Caution);
        assert!(v.reason.contains("CONCURRENTLY"));
        let u = change(ChangeKind::IndexAdded {
            table: "User".into(),
            index: "User_email_key".into(),
            unique: true,
            fulltext: false,
            columns: vec!["email".into()],
        });
        assert!(
            check(&u, &Context::on(Provider::PostgreSql)).is_none(),
            "unique is XC114's"
        );
    }
}
