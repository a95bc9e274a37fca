//! A new required field without a default (XC108): added nullable, written by the application,
//! filled by the backfill with the value the user writes, made `NOT NULL` by the contract.

use super::*;

pub(in crate::plan) struct NewRequiredField;

impl Recipe for NewRequiredField {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::FieldAdded {
                model,
                field,
                column,
                ..
            } if f.rule.is(crate::rules::REQUIRED_FIELD_WITHOUT_DEFAULT) => (|| -> Outcome {
                let nm = cx.new_model(model)?;
                let nf = nm.field(field).ok_or(Refusal::bug("new field not found"))?;
                let table = find_table(cx.new_db, nm).ok_or(Refusal::bug("table not found"))?;
                relax(cx.edits, cx.input.new_sources, nm, nf);
                let d = cx.dialect();
                cx.recipes.backfill_table(nm, table).assignments.push(Assignment {
                column: column.name.clone(),
                sql_type: column.sql_type.clone(),
                source: ValueSource::FillIn {
                    hint: format!("the value of the new required field `{model}.{field}` for existing rows"),
                },
                pending: condition::is_null(d, &column.name),
                lossy: None,
                done_when: condition::is_not_null(d, &column.name),
                why: format!("`{field}` is a new required field without a default"),
            });
                Ok(Decision::contract(format!(
                    "expand adds \"{}\" as nullable; the application writes it on every create; the backfill fills existing rows (you write the value); the contract makes it NOT NULL",
                    column.name
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
    fn the_field_is_added_optional_and_the_user_writes_its_value() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n}\n",
            "model User {\n  id Int @id\n  email String\n}\n",
        );
        assert_eq!(p.decision("FieldAdded").phase, MigrationPhase::Contract);
        assert!(p.expand.contains("email String?"), "{}", p.expand);
        let a = &p.recipes.backfill[0].assignments[0];
        assert!(matches!(a.source, ValueSource::FillIn { .. }));
        assert_eq!(a.pending, "\"email\" IS NULL");
    }
}
