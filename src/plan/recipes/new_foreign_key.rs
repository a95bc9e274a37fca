//! A new foreign key: added by the expand, `NOT VALID` and validated in a migration of its own on
//! PostgreSQL.

use super::*;

pub(in crate::plan) struct NewForeignKey;

impl Recipe for NewForeignKey {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ForeignKeyAdded { foreign_key, .. } => {
                Ok(Decision::expand(if cx.flavour.builds_online() {
                    format!(
                        "expand adds \"{foreign_key}\" NOT VALID (new rows are checked at once) and validates it in a migration of its own"
                    )
                } else {
                    format!("expand adds \"{foreign_key}\"")
                }))
            }
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
    fn the_key_is_added_not_valid_then_validated_on_postgresql() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n}\nmodel Post {\n  id Int @id\n  authorId Int\n}\n",
            "model User {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n",
        );
        let d = p.decision("ForeignKeyAdded");
        assert_eq!(d.phase, MigrationPhase::Expand);
        assert!(d.recipe.text().contains("NOT VALID"), "{}", d.recipe);
    }
}
