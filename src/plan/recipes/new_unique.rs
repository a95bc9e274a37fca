//! A new unique constraint: built by the expand (CONCURRENTLY on PostgreSQL), before any version
//! whose upserts and relations rely on it runs.

use super::*;

pub(in crate::plan) struct NewUnique;

impl Recipe for NewUnique {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::IndexAdded {
                index,
                unique: true,
                ..
            } => {
                // In the expand, not the contract: the new version's client relies on it from its
                // first query (an upsert on these fields is `ON CONFLICT`, which needs the index),
                // and so do relations that reference these fields.
                Ok(Decision::expand(format!(
                    "expand builds \"{index}\"{} before any version that relies on it runs; it fails, changing nothing, if rows hold duplicates (remove them and deploy again)",
                    cx.online(" CONCURRENTLY in a migration of its own")
                )))
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
    fn the_unique_index_is_built_by_the_expand() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  email String\n}\n",
            "model User {\n  id Int @id\n  email String @unique\n}\n",
        );
        let d = p.decision("IndexAdded");
        assert_eq!(d.phase, MigrationPhase::Expand);
        assert!(
            d.recipe.text().contains("\"User_email_key\" CONCURRENTLY"),
            "{}",
            d.recipe
        );
    }
}
