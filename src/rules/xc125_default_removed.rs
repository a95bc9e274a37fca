//! XC125: a required column loses its database default.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC125",
    name: "default-removed",
    title: "Default removed from a required column: old code's inserts fail",
    severity: Severity::Breaking,
    trigger: "`@default(...)` (including `autoincrement()`) removed from a required field.",
    why: "
`ALTER COLUMN ... DROP DEFAULT` is a catalog change, but application versions still running the
old Prisma Client treat the field as optional on create and leave it out of their `INSERT`s, which
now fail with a not-null violation. Removing `autoincrement()` also drops the sequence.
",
    recipe: "
1. Deploy code that always sets the field on create.
2. Then remove the default in a later migration.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    match &change.kind {
        ChangeKind::DefaultChanged {
            table,
            column,
            from: Some(from),
            to: None,
            nullable: false,
            ..
        } => Some(Verdict::new(
            Severity::Breaking,
            format!(
                "default {from} removed from required column \"{table}\".\"{column}\": running code that omits it on create fails"
            ),
        )),
        ChangeKind::AutoincrementRemoved { table, column, .. } => Some(Verdict::new(
            Severity::Breaking,
            format!(
                "autoincrement removed from \"{table}\".\"{column}\": running code that omits it on create fails, and the sequence is dropped"
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn only_removals_on_required_columns() {
        let pg = Context::on(Provider::PostgreSql);
        let d = |to: Option<&str>, nullable| {
            change(ChangeKind::DefaultChanged {
                model: "T".into(),
                field: "n".into(),
                table: "T".into(),
                column: "n".into(),
                from: Some("0".into()),
                to: to.map(str::to_string),
                nullable,
            })
        };
        assert_eq!(
            check(&d(None, false), &pg).unwrap().severity,
            Severity::Breaking
        );
        assert!(check(&d(None, true), &pg).is_none());
        assert!(check(&d(Some("1"), false), &pg).is_none());
    }
}
