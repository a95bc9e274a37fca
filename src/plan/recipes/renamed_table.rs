//! A renamed table (XC104) on PostgreSQL: renamed by the expand, with an updatable view under the
//! old name for old code until the contract.

use super::*;

pub(in crate::plan) struct RenamedTable;

impl Recipe for RenamedTable {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ModelRenamed {
                to,
                table_from,
                table_to,
                ..
            } if table_from != table_to => (|| -> Outcome {
                let nm = cx.new_model(to)?;
                move_table(cx, nm, |from, to| format!("renames table {from} to {to}"))
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
    fn the_table_is_renamed_with_a_view_in_its_place() {
        let (old, new) = (
            "model User {\n  id Int @id\n}\n",
            "model Person { // prisma-xc: renamed from User\n  id Int @id\n}\n",
        );
        let p = plan("postgresql", old, new);
        let d = p.decision("ModelRenamed");
        assert_eq!(d.phase, MigrationPhase::Expand);
        assert!(
            d.recipe.text().contains("leaves a view \"User\""),
            "{}",
            d.recipe
        );
        assert_eq!(p.recipes.table_renames.len(), 1);
        let why = plan("mysql", old, new).refusal("ModelRenamed").to_string();
        assert!(why.contains("phased on PostgreSQL"), "{why}");
    }
}
