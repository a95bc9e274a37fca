//! XC122: a table or enum moves to another database schema (`@@schema`).

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC122",
    name: "table-moved",
    title: "Moved to another database schema: Prisma drops and recreates it",
    severity: Severity::Breaking,
    trigger: "`@@schema(\"...\")` of a model or enum changes (multi-schema).",
    why: "
Prisma does not move tables between schemas: it drops the table in the old schema (with its rows)
and creates an empty one in the new schema. `ALTER TABLE ... SET SCHEMA` would move it instantly,
but running code still qualifies the table with the old schema and fails until it is replaced.
",
    recipe: "
On PostgreSQL, `prisma-xc diff --name` plans it as expand and contract:
1. Expand: `ALTER TABLE \"old\".\"T\" SET SCHEMA \"new\"` (instant; indexes, constraints and
   owned sequences move with it) and a view under the old name
   (`CREATE VIEW \"old\".\"T\" AS SELECT * FROM \"new\".\"T\"`): automatically updatable, so old
   code keeps reading and writing the same rows through it.
2. Deploy the application built on the new schema everywhere.
3. Contract: drop the view.
An enum that moves is not planned: move it by hand with `ALTER TYPE ... SET SCHEMA`.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "the default schema".into());
    let reason = match &change.kind {
        ChangeKind::TableMoved { table, from, to } => format!(
            "table \"{table}\" moves from {} to {}: Prisma drops it (with its rows) and recreates it empty, and running code uses the old schema",
            show(from),
            show(to)
        ),
        ChangeKind::EnumMoved {
            enumeration,
            from,
            to,
        } => format!(
            "enum `{enumeration}` moves from {} to {}: Prisma recreates the type, converting every column that uses it",
            show(from),
            show(to)
        ),
        _ => return None,
    };
    Some(Verdict::new(Severity::Breaking, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn moving_a_table_is_breaking() {
        let c = change(ChangeKind::TableMoved {
            table: "User".into(),
            from: Some("public".into()),
            to: Some("auth".into()),
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
    }
}
