//! A dropped model (XC102): kept, with the relation fields that point at it, until the contract.

use super::*;

pub(in crate::plan) struct DroppedModel;

impl Recipe for DroppedModel {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ModelRemoved { model, .. } => (|| -> Outcome {
                let om = cx
                    .input
                    .old
                    .model(model)
                    .ok_or(Refusal::bug("old model not found"))?;
                // Kept beside a new model of the same name, it could not be told apart: the same
                // model on a new table is a rename the user has to declare.
                if let Some(nm) = cx.input.new.model(model) {
                    return Err(Refusal::Unsupported(format!(
                        "model `{model}` is dropped and created again on table \"{}\": if it is the same model, declare the rename (`--rename {model}={model}`, or `// prisma-xc: renamed from {model}` on its line) and the plan moves the table instead; otherwise give the new model another name",
                        nm.database_name()
                    )));
                }
                cx.edits
                    .append(cx.input.new_sources, cx.input.old_sources.text(om.span));
                // Relation fields that pointed at it from models that stay come back too.
                for nm in &cx.input.new.models {
                    let Ok(old) = old_model_of(cx.input, nm) else {
                        continue;
                    };
                    for of in &old.fields {
                        let points_here = matches!(&of.field_type, crate::schema::FieldType::Model(t) if t == model);
                        if points_here {
                            // The new schema may reuse the name for another relation. Optional: its
                            // scalar fields, dropped too, come back relaxed.
                            keep_old_field(cx, nm, of, true);
                        }
                    }
                }
                Ok(Decision::contract(format!(
                    "expand keeps model `{model}`; deploy code that no longer uses it; the contract drops its table"
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
    fn the_model_and_the_relations_to_it_stay_until_the_contract() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n",
            "model User {\n  id Int @id\n}\n",
        );
        assert_eq!(p.decision("ModelRemoved").phase, MigrationPhase::Contract);
        assert!(p.expand.contains("model Post {"), "{}", p.expand);
        assert!(p.expand.contains("posts Post[]"), "{}", p.expand);
    }
}
