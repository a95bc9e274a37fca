//! A dropped implicit many-to-many join table: kept until the contract.

use super::*;

pub(in crate::plan) struct DroppedJoinTable;

impl Recipe for DroppedJoinTable {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::RelationTableRemoved { table } => (|| -> Outcome {
                restore_join_table(cx.input, cx.edits, table)?;
                Ok(Decision::contract(format!(
                    "expand keeps join table \"{table}\"; the contract drops it"
                )))
            })(),
            _ => return None,
        };
        Some(outcome)
    }
}

/// Bring back the list fields of an implicit many-to-many relation whose join table goes.
fn restore_join_table(
    input: &PlanInput,
    edits: &mut SchemaEdits,
    table: &str,
) -> Result<(), Refusal> {
    let relation = input
        .old
        .relations
        .iter()
        .find(|r| {
            r.kind == crate::schema::RelationKind::ManyToMany && format!("_{}", r.name) == table
        })
        .ok_or(Refusal::bug("relation not found"))?;
    for side in [relation.referencing, relation.referenced] {
        let om = &input.old.models[side.model];
        let of = &om.fields[side.field];
        // A side whose model is gone, or that points at a model that is gone, comes back with
        // that model (the dropped-model recipe restores it and the fields pointing at it).
        let Some(nm) = input.new.model(&om.name) else {
            continue;
        };
        let target_gone = matches!(&of.field_type, crate::schema::FieldType::Model(t) if input.new.model(t).is_none());
        if !target_gone && nm.field(&of.name).is_none() {
            edits.insert_old_field(input.new_sources, nm, input.old_sources, of, None, false);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn the_join_table_stays_until_the_contract() {
        let p = plan(
            "postgresql",
            "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n",
            "model A {\n  id Int @id\n}\nmodel B {\n  id Int @id\n}\n",
        );
        assert_eq!(
            p.decision("RelationTableRemoved").phase,
            MigrationPhase::Contract
        );
        assert!(
            p.expand.contains("bs B[]") && p.expand.contains("as A[]"),
            "{}",
            p.expand
        );
    }
}
