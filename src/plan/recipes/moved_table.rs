//! A table moved to another database schema: moved by the expand (`SET SCHEMA`), with an
//! updatable view in its place until the contract.

use super::*;

pub(in crate::plan) struct MovedTable;

impl Recipe for MovedTable {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::TableMoved { table, to, .. } => (|| -> Outcome {
                let nm = cx
                    .input
                    .new
                    .models
                    .iter()
                    .find(|m| m.database_name() == table && m.schema == *to)
                    .ok_or(Refusal::bug("moved model not found"))?;
                move_table(cx, nm, |from, to| {
                    format!("moves table {from} to {to} (`SET SCHEMA`)")
                })
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
    fn the_table_moves_with_a_view_in_its_place() {
        let head =
            "datasource db {\n  provider = \"postgresql\"\n  schemas  = [\"a\", \"b\"]\n}\n\n";
        let p = plan_after(
            head,
            "model User {\n  id Int @id\n  @@schema(\"a\")\n}\n",
            "model User {\n  id Int @id\n  @@schema(\"b\")\n}\n",
        );
        let d = p.decision("TableMoved");
        assert_eq!(d.phase, MigrationPhase::Expand);
        assert!(d.recipe.text().contains("`SET SCHEMA`"), "{}", d.recipe);
    }
}
