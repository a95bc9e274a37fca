//! XC121: a column switches between `json` and `jsonb`.

use super::{Context, Rule, Severity, TypeChange, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC121",
    name: "json-jsonb",
    title: "JSON <-> JSONB: every row is converted under an exclusive lock",
    severity: Severity::Breaking,
    trigger: "a `Json` field changes between `@db.Json` and `@db.JsonB` (PostgreSQL's default is `jsonb`).",
    why: "
The two types store values differently (`json` keeps the text, key order and duplicate keys;
`jsonb` a parsed binary form), so `ALTER COLUMN ... TYPE ... USING col::jsonb` parses and rewrites
every row, and the table's indexes, under an `ACCESS EXCLUSIVE` lock. Going to `jsonb` drops
duplicate keys and whitespace; queries that relied on `json`'s text form, or GIN indexes that need
`jsonb`, behave differently.
",
    recipe: "
Add a new column of the target type, dual-write, backfill in batches with the cast, then swap
(as for XC106).
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::ColumnTypeChanged {
        table,
        column,
        from,
        to,
        ..
    } = &change.kind
    else {
        return None;
    };
    (TypeChange::of(context.provider, from, to) == TypeChange::JsonSwitch).then(|| {
        Verdict::new(
            Severity::Breaking,
            format!("\"{table}\".\"{column}\" changes from {from} to {to}: every row is parsed and rewritten under an exclusive lock"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::ChangedType;
    use crate::database::{ColumnType, TypeFamily};
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn json_to_jsonb_is_breaking() {
        let j = |b: &str| ColumnType {
            base: b.to_string().into(),
            family: TypeFamily::Json,
            is_list: false,
        };
        let c = change(ChangeKind::ColumnTypeChanged {
            model: "E".into(),
            field: "data".into(),
            table: "E".into(),
            column: "data".into(),
            from: ChangedType::Column(j("JSON")),
            to: ChangedType::Column(j("JSONB")),
            castable: true,
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
    }
}
