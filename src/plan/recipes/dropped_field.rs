//! A dropped field (XC101): kept by the expand (relaxed when required without a default, so that
//! code that stops writing it works), dropped by the contract.

use super::*;

pub(in crate::plan) struct DroppedField;

impl Recipe for DroppedField {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::FieldRemoved { model, field, .. } => (|| -> Outcome {
                let nm = cx.new_model(model)?;
                let om = old_model_of(cx.input, nm)?;
                let of = om.field(field).ok_or(Refusal::bug("old field not found"))?;
                let relax = of.is_required() && of.default.is_none();
                keep_old_field(cx, nm, of, relax);
                keep_old_indexes(cx, om, nm, &of.name);
                Ok(Decision::contract(format!(
                    "expand keeps `{field}`{}; deploy code that no longer uses it; the contract drops its column",
                    if relax {
                        " but makes it optional, so code that stops writing it keeps working"
                    } else {
                        ""
                    }
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
    fn the_field_stays_until_the_contract_relaxed_when_required() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  bio String\n}\n",
            "model User {\n  id Int @id\n}\n",
        );
        let d = p.decision("FieldRemoved");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert!(
            d.recipe.text().contains("makes it optional"),
            "{}",
            d.recipe
        );
        assert!(p.expand.contains("bio String?"), "{}", p.expand);
    }

    #[test]
    fn the_dropped_columns_indexes_stay_until_the_contract() {
        let p = plan(
            "mysql",
            "model Link {\n  id Int @id\n  projectId Int\n  url String @db.Text\n\n  @@index([projectId, url(length: 500)])\n}\n",
            "model Link {\n  id Int @id\n  projectId Int\n}\n",
        );
        assert_eq!(
            p.expand
                .matches("@@index([projectId, url(length: 500)])")
                .count(),
            1,
            "{}",
            p.expand
        );
    }
}
