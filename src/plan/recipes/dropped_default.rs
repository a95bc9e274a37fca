//! A default (or autoincrement) removed: the contract removes it, once the application always
//! sets the field.

use super::*;

pub(in crate::plan) struct DroppedDefault;

impl Recipe for DroppedDefault {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::DefaultChanged { model, field, .. }
            | ChangeKind::AutoincrementRemoved { model, field, .. }
                if f.severity >= Severity::Breaking =>
            {
                (|| -> Outcome {
                    revert_field(cx.input, cx.edits, model, field)?;
                    Ok(Decision::contract(
                        "the contract removes the default, once the application always sets the field",
                    ))
                })()
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
    fn the_default_goes_with_the_contract() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  role String @default(\"reader\")\n}\n",
            "model User {\n  id Int @id\n  role String\n}\n",
        );
        let d = p.decision("DefaultChanged");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert!(p.expand.contains("@default(\"reader\")"), "{}", p.expand);
    }
}
