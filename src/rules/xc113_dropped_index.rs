//! XC113: an index or unique constraint is dropped from a table that stays.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC113",
    name: "dropped-index",
    title: "Index dropped: queries that used it slow down",
    severity: Severity::Caution,
    trigger: "`@@index`, `@@unique` or `@unique` removed from a model that stays (indexes that go with a dropped column or table are part of that change).",
    why: "
No data is lost, but queries that used the index fall back to scanning the table, which can take a
database down under load. A dropped unique constraint also stops protecting against duplicates,
and old code that relied on `findUnique` or on a unique violation to detect duplicates behaves
differently. On PostgreSQL `DROP INDEX` takes an `ACCESS EXCLUSIVE` lock, briefly.
",
    recipe: "
Check the query plans that use the index first. On PostgreSQL prefer `DROP INDEX CONCURRENTLY` in
a migration of its own, and ship it after the code that no longer needs it.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::IndexRemoved {
        table,
        index,
        unique,
        ..
    } = &change.kind
    else {
        return None;
    };
    let what = if *unique { "unique index" } else { "index" };
    Some(Verdict::new(
        Severity::Caution,
        format!("{what} \"{index}\" dropped from \"{table}\": queries that used it scan the table"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn dropping_an_index_is_caution() {
        let c = change(ChangeKind::IndexRemoved {
            table: "User".into(),
            index: "i".into(),
            unique: true,
            columns: vec![],
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Caution
        );
    }
}
