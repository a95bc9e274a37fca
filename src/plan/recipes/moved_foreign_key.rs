//! A foreign key of a relation that moves from a dropped model to a new one: kept on the table
//! the plan keeps until the contract, which moves it.

use super::*;

pub(in crate::plan) struct MovedForeignKey;

impl Recipe for MovedForeignKey {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ForeignKeyAdded {
                table,
                foreign_key,
                columns,
                referenced_table,
            } if refers_to_dropped_table(cx.input, cx.old_db, table, foreign_key) => {
                (|| -> Outcome {
                    // The key of the same name still points at a table the plan keeps until the
                    // contract, where the rows are. The expand leaves the key there: the new relation
                    // waits (its field, and the opposite one on the new model, are left out), the old
                    // one comes back with the dropped model, and the contract moves the key.
                    let (nm, field) =
                        relation_of_foreign_key(cx.input.new, table, columns, referenced_table)
                            .ok_or_else(|| {
                                Refusal::bug(format!(
                                    "the relation of foreign key \"{foreign_key}\" was not found"
                                ))
                            })?;
                    cx.edits.remove(cx.input.new_sources, field.span);
                    for relation in &cx.input.new.relations {
                        let sides = [relation.referencing, relation.referenced];
                        let this = |r: &crate::schema::FieldRef| {
                            std::ptr::eq(&cx.input.new.models[r.model].fields[r.field], field)
                        };
                        if let Some(other) = sides
                            .iter()
                            .find(|r| !this(r))
                            .filter(|_| sides.iter().any(this))
                        {
                            cx.edits.remove(
                                cx.input.new_sources,
                                cx.input.new.models[other.model].fields[other.field].span,
                            );
                        }
                    }
                    Ok(Decision::contract(format!(
                        "expand keeps foreign key \"{foreign_key}\" on the table it pointed at, and `{}.{}` waits; the contract moves the key to \"{referenced_table}\", whose rows must hold every value by then",
                        nm.name, field.name
                    )))
                })()
            }
            _ => return None,
        };
        Some(outcome)
    }
}

/// Whether `table` already has a foreign key named `foreign_key` that references a table the new
/// schema drops (the same key retargeted, as an undeclared table rename looks).
fn refers_to_dropped_table(
    input: &PlanInput,
    old_db: &Database,
    table: &str,
    foreign_key: &str,
) -> bool {
    let kept = |name: &str| input.new.models.iter().any(|m| m.database_name() == name);
    old_db
        .tables
        .iter()
        .filter(|t| t.name == table)
        .flat_map(|t| &t.foreign_keys)
        .any(|fk| fk.name == foreign_key && !kept(&fk.referenced_table))
}

/// The model holding a foreign key and its relation field, found by the key's columns and the
/// table it references.
fn relation_of_foreign_key<'a>(
    schema: &'a crate::schema::Schema,
    table: &str,
    columns: &[String],
    referenced_table: &str,
) -> Option<(&'a Model, &'a crate::schema::Field)> {
    let model = schema.models.iter().find(|m| m.database_name() == table)?;
    let field = model.fields.iter().find(|f| {
        let (Some(relation), crate::schema::FieldType::Model(target)) =
            (&f.relation, &f.field_type)
        else {
            return false;
        };
        schema
            .model(target)
            .is_some_and(|t| t.database_name() == referenced_table)
            && relation.fields.len() == columns.len()
            && relation.fields.iter().zip(columns).all(|(name, column)| {
                model
                    .field(name)
                    .is_some_and(|f| f.database_name() == column)
            })
    })?;
    Some((model, field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn a_key_that_moves_off_a_dropped_table_waits_for_the_contract() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n",
            "model Person {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author Person @relation(fields: [authorId], references: [id])\n}\n",
        );
        let d = p.decision("ForeignKeyAdded");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert!(
            d.recipe
                .text()
                .contains("the contract moves the key to \"Person\""),
            "{}",
            d.recipe
        );
        assert!(!p.expand.contains("author Person"), "{}", p.expand);
    }
}
