//! A new index (XC112): built by the expand, CONCURRENTLY in a migration of its own on PostgreSQL.

use super::*;

pub(in crate::plan) struct NewIndex;

impl Recipe for NewIndex {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::IndexAdded { index, .. } => {
                Ok(Decision::expand(if cx.flavour.builds_online() {
                    format!("expand builds \"{index}\" CONCURRENTLY in a migration of its own")
                } else {
                    format!("expand creates \"{index}\"")
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
    fn the_index_is_built_by_the_expand_concurrently_on_postgresql() {
        let (old, new) = (
            "model User {\n  id Int @id\n  name String\n}\n",
            "model User {\n  id Int @id\n  name String\n  @@index([name])\n}\n",
        );
        let d = plan("postgresql", old, new).decision("IndexAdded").clone();
        assert_eq!(d.phase, MigrationPhase::Expand);
        assert!(d.recipe.text().contains("CONCURRENTLY"), "{}", d.recipe);
        let d = plan("sqlite", old, new).decision("IndexAdded").clone();
        assert_eq!(d.recipe.text(), "expand creates \"User_name_idx\"");
    }
}
