//! A dropped enum: kept while old code and the fields kept until the contract use it.

use super::*;

pub(in crate::plan) struct DroppedEnum;

impl Recipe for DroppedEnum {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::EnumRemoved { enumeration } => (|| -> Outcome {
                let oe = cx
                    .input
                    .old
                    .enum_by_name(enumeration)
                    .ok_or(Refusal::bug("old enum not found"))?;
                // Old code may still write its values, and fields kept until the contract use it.
                cx.edits
                    .append(cx.input.new_sources, cx.input.old_sources.text(oe.span));
                Ok(Decision::contract(format!(
                    "expand keeps enum `{enumeration}` while old code and the fields kept until the contract use it; the contract drops its type"
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
    fn the_enum_stays_until_the_contract() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n}\nenum Role {\n  A\n}\n",
            "model User {\n  id Int @id\n}\n",
        );
        assert_eq!(p.decision("EnumRemoved").phase, MigrationPhase::Contract);
        assert!(p.expand.contains("enum Role {\n  A\n}"), "{}", p.expand);
    }
}
