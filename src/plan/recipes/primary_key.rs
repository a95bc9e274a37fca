//! A primary key change: the expand keeps the old key, the contract swaps it (the new key's unique
//! index built first).

use super::*;

pub(in crate::plan) struct PrimaryKey;

impl Recipe for PrimaryKey {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::PrimaryKeyChanged { table, .. } => (|| -> Outcome {
                let nm = cx
                    .input
                    .new
                    .models
                    .iter()
                    .find(|m| m.database_name() == table)
                    .ok_or(Refusal::bug("model not found"))?;
                let om = old_model_of(cx.input, nm)?;
                let Some(old_pk) = &om.primary_key else {
                    return Err(Refusal::Unsupported(
                        "a new primary key on a table without one: add it by hand".into(),
                    ));
                };
                // The expand keeps the old key; the contract swaps it.
                if old_pk.from_field {
                    let name = &old_pk.fields[0].name;
                    // A key field the new schema drops comes back whole, `@id` included, with the
                    // dropped-field recipe; one it keeps gets its old definition back.
                    if let Some(nf) = nm.field(name) {
                        // Same name, other column: undeclared, a dropped key and a new one, whose
                        // expand no intermediate schema can express (both would be `name`).
                        if let Some(of) = om.field(name)
                            && of.database_name() != nf.database_name()
                        {
                            return Err(Refusal::Unsupported(format!(
                                "key field `{name}` is dropped and added again on column \"{}\" (it was \"{}\"): if it is the same field, declare the rename (`--rename {}.{name}={name}`, or `// prisma-xc: renamed from {name}` on its line)",
                                nf.database_name(),
                                of.database_name(),
                                nm.name
                            )));
                        }
                        revert_field(cx.input, cx.edits, &nm.name, name)?;
                    }
                } else {
                    if old_pk.fields.iter().any(|f| nm.field(&f.name).is_none()) {
                        return Err(Refusal::Unsupported(
                            "a field of the old key is gone".into(),
                        ));
                    }
                    cx.edits.insert_line_after_fields(
                        cx.input.new_sources,
                        nm,
                        cx.input.old_sources.text(old_pk.span),
                    );
                }
                if let Some(new_pk) = &nm.primary_key {
                    // The same field, reverted above, already lost its new key.
                    let same_field = old_pk.from_field
                        && new_pk.from_field
                        && new_pk.fields[0].name == old_pk.fields[0].name;
                    if !same_field {
                        cx.edits.remove(cx.input.new_sources, new_pk.span);
                    }
                }
                Ok(Decision::contract(format!(
                    "expand keeps the old primary key of \"{table}\"; the contract swaps it (the unique index of the new key is built first, where there is one)"
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
    fn the_old_key_stays_until_the_contract() {
        let p = plan(
            "postgresql",
            "model T {\n  a Int @id\n  b Int @unique\n}\n",
            "model T {\n  a Int\n  b Int @id\n}\n",
        );
        assert_eq!(
            p.decision("PrimaryKeyChanged").phase,
            MigrationPhase::Contract
        );
        assert!(p.expand.contains("a Int @id"), "{}", p.expand);
        assert!(!p.expand.contains("b Int @id"), "{}", p.expand);
    }
}
