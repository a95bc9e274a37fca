//! XC102: a model (table) or a many-to-many join table disappears.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC102",
    name: "dropped-model",
    title: "Model removed: its table and all its rows are dropped",
    severity: Severity::Destructive,
    trigger: "a model of the old schema is gone from the new one and no rename was declared; or an implicit many-to-many relation (its `_AToB` join table) is gone.",
    why: "
`DROP TABLE` deletes every row, and with a join table every link of the relation. Application
versions still running the old Prisma Client query the table and fail with `The table ... does not
exist` until they are replaced. Foreign keys that other tables had to it are dropped first. On
MongoDB the collection stays; Prisma Client no longer knows it.

If the model was renamed, declare it (`--rename Old=New` or `// prisma-xc: renamed from Old` on
the new model's line); if only the Prisma name changed, keep the table with `@@map(\"Old\")`.
",
    recipe: "
1. Deploy code that no longer uses the model (remove its queries; keep the model in the schema).
2. Once no running version uses it, deploy the migration that drops the table (the contract).
3. Export the rows first if they may be needed again.
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let mongo = context.provider == Provider::MongoDb;
    match &change.kind {
        ChangeKind::ModelRemoved { model, table } if mongo => Some(Verdict::new(
            Severity::Caution,
            format!(
                "model `{model}` removed: collection \"{table}\" stays, Prisma Client no longer reads it"
            ),
        )),
        ChangeKind::ModelRemoved { model, table } => Some(Verdict::new(
            Severity::Destructive,
            format!("model `{model}` removed: table \"{table}\" and all its rows are dropped"),
        )),
        ChangeKind::RelationTableRemoved { table } => Some(Verdict::new(
            Severity::Destructive,
            format!(
                "join table \"{table}\" dropped: every link of that many-to-many relation is lost"
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
    fn dropping_tables_is_destructive() {
        let pg = Context::on(Provider::PostgreSql);
        let m = change(ChangeKind::ModelRemoved {
            model: "Post".into(),
            table: "posts".into(),
        });
        assert_eq!(check(&m, &pg).unwrap().severity, Severity::Destructive);
        let j = change(ChangeKind::RelationTableRemoved {
            table: "_PostToTag".into(),
        });
        assert_eq!(check(&j, &pg).unwrap().severity, Severity::Destructive);
        assert_eq!(
            check(&m, &Context::on(Provider::MongoDb)).unwrap().severity,
            Severity::Caution
        );
    }
}
