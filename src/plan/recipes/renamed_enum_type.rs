//! A renamed enum type: the intermediate schema keeps the old type under the new name (`@@map`),
//! the contract renames the type in place.

use super::*;

pub(in crate::plan) struct RenamedEnumType;

impl Recipe for RenamedEnumType {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::EnumRenamed {
                from,
                to,
                type_from,
                type_to,
                ..
            } if type_from != type_to => (|| -> Outcome {
                let ne = cx
                    .input
                    .new
                    .enum_by_name(to)
                    .ok_or(Refusal::bug("enum not found"))?;
                // The intermediate schema already uses the new name, on the old type: its own
                // `@@map`, if it has one, makes way.
                if ne.mapped_name.is_some() {
                    let span = block_attribute_line(cx.input.new_sources, ne.span, "@@map(")
                        .ok_or(Refusal::bug(
                            "the new enum's `@@map` was not found in its text",
                        ))?;
                    cx.edits.remove(cx.input.new_sources, span);
                }
                let line = format!("@@map({})", crate::escape::prisma_string(type_from));
                insert_enum_value(cx.edits, cx.input, ne, &line);
                cx.recipes.type_renames.push((
                    ne.schema.clone(),
                    type_from.clone(),
                    type_to.clone(),
                ));
                Ok(Decision::contract(format!(
                    "expand keeps type \"{type_from}\" under the new name `{to}` (`@@map`); the contract renames the type to \"{type_to}\" in place: deploy the application built on the new schema right after it, since until then queries that cast to \"{type_from}\" fail (to avoid that moment, keep `@@map(\"{type_from}\")` in the new schema)"
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
    fn the_old_type_stays_under_the_new_name_until_the_contract() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n}\n",
            "model User {\n  id Int @id\n  role Kind\n}\nenum Kind { // prisma-xc: renamed from Role\n  A\n}\n",
        );
        assert_eq!(p.decision("EnumRenamed").phase, MigrationPhase::Contract);
        assert!(p.expand.contains("@@map(\"Role\")"), "{}", p.expand);
        assert_eq!(p.recipes.type_renames.len(), 1);
    }
}
