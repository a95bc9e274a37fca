//! XC116: the primary key of an existing table changes.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC116",
    name: "primary-key-change",
    title: "Primary key changed: rebuilt under lock, and references break",
    severity: Severity::Breaking,
    trigger: "`@id` or `@@id` moves to other columns (or is added to or removed from an existing model).",
    why: "
Dropping and adding a primary key rebuilds its unique index under an `ACCESS EXCLUSIVE` lock on
PostgreSQL (MySQL and SQLite copy the table), and fails if the new key columns hold nulls or
duplicates. Foreign keys of other tables that reference the old key must be dropped first. Running
code that looks rows up by the old key (`findUnique({ where: { id } })`) breaks.
",
    recipe: "
1. Expand: add a unique index on the new key columns (`CONCURRENTLY` on PostgreSQL), filled and
   verified by a backfill.
2. Move code and referencing foreign keys to the new key.
3. Contract: swap the primary key (`ADD PRIMARY KEY USING INDEX` on PostgreSQL is quick once the
   unique index exists), then drop what is no longer used.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::PrimaryKeyChanged { table, from, to } = &change.kind else {
        return None;
    };
    let show = |c: &[String]| {
        if c.is_empty() {
            "none".to_string()
        } else {
            format!("({})", c.join(", "))
        }
    };
    Some(Verdict::new(
        Severity::Breaking,
        format!(
            "primary key of \"{table}\" changes from {} to {}: rebuilt under an exclusive lock, and code and foreign keys using the old key break",
            show(from),
            show(to)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn a_new_key_is_breaking() {
        let c = change(ChangeKind::PrimaryKeyChanged {
            table: "T".into(),
            from: vec!["id".into()],
            to: vec!["a".into(), "b".into()],
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Breaking);
        assert!(v.reason.contains("(id) to (a, b)"));
    }
}
