//! A renamed table on SQLite: the new table beside the old one, every row copied, triggers
//! repeating each write on the other table; the contract drops the old one.

use super::*;

pub(in crate::plan) struct SqliteTableRename;

impl Recipe for SqliteTableRename {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ModelRenamed {
                to,
                table_from,
                table_to,
                ..
            } if table_from != table_to && cx.flavour.renames_table_by_copy() => (|| -> Outcome {
                copy_table(
                    cx.input,
                    cx.old_db,
                    cx.new_db,
                    cx.new_model(to)?,
                    cx.edits,
                    cx.recipes,
                )?;
                Ok(Decision::contract(format!(
                    "expand creates table \"{table_to}\" beside \"{table_from}\", copies every row, and keeps the two in sync both ways with triggers (old code writes the old table, new code the new one; relations stay on the old table); the contract checks they hold the same rows, drops \"{table_from}\" and moves the relations to \"{table_to}\""
                )))
            })(),
            _ => return None,
        };
        Some(outcome)
    }
}

/// The SQLite table rename: the new model's table comes beside the old one (see
/// [`table_copy`]). The intermediate schema has both models; the relations stay with the old
/// one until the contract moves them.
fn copy_table(
    input: &PlanInput,
    old_db: &Database,
    new_db: &Database,
    nm: &Model,
    edits: &mut SchemaEdits,
    recipes: &mut Recipes,
) -> Result<(), Refusal> {
    let om = old_model_of(input, nm)?;
    let old_table = find_table(old_db, om).ok_or(Refusal::bug("old table not found"))?;
    let new_table = find_table(new_db, nm).ok_or(Refusal::bug("new table not found"))?;
    if let Some(why) = crate::plan::table_rename::refusal(old_db, old_table) {
        return Err(Refusal::Unsupported(why));
    }
    let copy =
        crate::plan::table_copy::copy_of(old_table, new_table).map_err(Refusal::Unsupported)?;
    let points_at = |f: &crate::schema::Field, model: &str| matches!(&f.field_type, crate::schema::FieldType::Model(t) if t == model);
    // The new model's relations wait for the contract: its table has no foreign keys yet.
    for f in nm.fields.iter().filter(|f| f.is_relation()) {
        edits.remove(input.new_sources, f.span);
    }
    // Other models keep their relations to the old model (and the foreign keys to its table).
    for m in input.new.models.iter().filter(|m| m.name != nm.name) {
        for f in m.fields.iter().filter(|f| points_at(f, &nm.name)) {
            edits.remove(input.new_sources, f.span);
        }
        if let Ok(old) = old_model_of(input, m) {
            for of in old.fields.iter().filter(|f| points_at(f, &om.name)) {
                edits.insert_old_field(input.new_sources, m, input.old_sources, of, None, false);
            }
        }
    }
    edits.append(input.new_sources, input.old_sources.text(om.span));
    recipes.table_copies.push(copy);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn the_new_table_is_a_copy_kept_in_sync() {
        let p = plan(
            "sqlite",
            "model User {\n  id Int @id\n}\n",
            "model Person { // prisma-xc: renamed from User\n  id Int @id\n}\n",
        );
        let d = p.decision("ModelRenamed");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert_eq!(p.recipes.table_copies.len(), 1);
        assert!(
            p.expand.contains("model User {") && p.expand.contains("model Person {"),
            "{}",
            p.expand
        );
    }
}
