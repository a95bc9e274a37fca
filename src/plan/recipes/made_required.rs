//! A field made required (XC110): relaxed in the intermediate schema, its nulls filled by the
//! backfill (with the default, else the value the user writes), `NOT NULL` in the contract.

use super::*;

pub(in crate::plan) struct MadeRequired;

impl Recipe for MadeRequired {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ColumnMadeRequired {
                model,
                field,
                column,
                ..
            } => (|| -> Outcome {
                let nm = cx.new_model(model)?;
                let nf = nm.field(field).ok_or(Refusal::bug("new field not found"))?;
                let table = find_table(cx.new_db, nm).ok_or(Refusal::bug("table not found"))?;
                relax(cx.edits, cx.input.new_sources, nm, nf);
                let default = table
                    .column(column)
                    .and_then(|c| c.default.as_ref())
                    .map(|d| d.sql.clone());
                let source = match default {
                    Some(sql) => ValueSource::Constant { sql },
                    None => ValueSource::FillIn {
                        hint: format!("the value of `{model}.{field}` for rows where it is null"),
                    },
                };
                let d = cx.dialect();
                cx.recipes
                    .backfill_table(nm, table)
                    .assignments
                    .push(Assignment {
                        column: column.clone(),
                        sql_type: table
                            .column(column)
                            .map(|c| c.column_type.sql())
                            .unwrap_or_default(),
                        source,
                        pending: condition::is_null(d, column),
                        lossy: None,
                        done_when: condition::is_not_null(d, column),
                        why: format!("`{field}` becomes required"),
                    });
                Ok(Decision::contract(format!(
                    "the application always writes `{field}`; the backfill fills the nulls; the contract makes \"{column}\" NOT NULL{}",
                    cx.online(" through a CHECK validated first")
                )))
            })(),
            _ => return None,
        };
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn nulls_are_filled_with_the_default_or_a_value_the_user_writes() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  name String?\n  role String?\n}\n",
            "model User {\n  id Int @id\n  name String\n  role String @default(\"reader\")\n}\n",
        );
        let d = p.decision("ColumnMadeRequired");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert!(
            d.recipe.text().contains("through a CHECK validated first"),
            "{}",
            d.recipe
        );
        assert!(p.expand.contains("name String?"), "{}", p.expand);
        let sources: Vec<&ValueSource> = p.recipes.backfill[0]
            .assignments
            .iter()
            .map(|a| &a.source)
            .collect();
        assert!(matches!(sources[0], ValueSource::FillIn { .. }));
        assert!(
            matches!(sources[1], ValueSource::Constant { sql } if sql == "'reader'"),
            "{sources:?}"
        );
    }
}
