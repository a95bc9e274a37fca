//! XC117: `@default(autoincrement())` on a column that has rows.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC117",
    name: "new-autoincrement",
    title: "New autoincrement: the sequence starts at 1 among existing ids",
    severity: Severity::Breaking,
    trigger: "`@default(autoincrement())` added to an existing field, or a new autoincrement field on an existing model.",
    why: "
On an existing column, Prisma's PostgreSQL migration creates a sequence and sets it as the default,
but the sequence starts at 1: the first inserts collide with ids already in the table and fail with
unique violations until the sequence passes the largest id. (MySQL's `AUTO_INCREMENT` starts after
the largest value, but `MODIFY` copies the table.)

A new `SERIAL` column fills every existing row with a number, so PostgreSQL rewrites the table
under an `ACCESS EXCLUSIVE` lock.
",
    recipe: "
Existing column: in the same migration, move the sequence past the existing ids:
`SELECT setval(pg_get_serial_sequence('\"Table\"', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM \"Table\";`.

New column: add it as a plain nullable integer, fill it in batches from a sequence, then set the
default and `NOT NULL` in the contract.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    match &change.kind {
        ChangeKind::AutoincrementAdded { table, column, .. } => Some(match context.provider {
            Provider::PostgreSql | Provider::CockroachDb => Verdict::new(
                Severity::Breaking,
                format!(
                    "\"{table}\".\"{column}\" becomes autoincrement: the new sequence starts at 1, so inserts collide with existing ids; `setval` it past MAX({column})"
                ),
            ),
            _ => Verdict::new(
                Severity::Caution,
                format!(
                    "\"{table}\".\"{column}\" becomes autoincrement: the table is copied to change the column"
                ),
            ),
        }),
        ChangeKind::FieldAdded { table, column, .. } if column.autoincrement => Some(Verdict::new(
            Severity::Caution,
            format!(
                "new autoincrement column \"{table}\".\"{}\": every existing row is numbered, rewriting the table under an exclusive lock",
                column.name
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn a_sequence_on_an_existing_column_is_breaking_on_postgres() {
        let c = change(ChangeKind::AutoincrementAdded {
            model: "T".into(),
            field: "id".into(),
            table: "T".into(),
            column: "id".into(),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
        assert_eq!(
            check(&c, &Context::on(Provider::MySql)).unwrap().severity,
            Severity::Caution
        );
    }
}
