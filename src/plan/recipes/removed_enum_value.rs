//! A value removed from an enum: kept until the backfill has moved rows off it (to the value the
//! user chooses), then removed by the contract.

use super::*;

pub(in crate::plan) struct RemovedEnumValue;

impl Recipe for RemovedEnumValue {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::EnumValueRemoved { enumeration, value } => (|| -> Outcome {
                let new_name = cx
                    .input
                    .new
                    .enum_by_name(enumeration)
                    .map(|e| (e.name.clone(), e.database_name().to_string()));
                move_rows_off_value(
                    cx,
                    enumeration,
                    value,
                    // The old enum under its own name, or under its database name.
                    |e| {
                        new_name
                            .as_ref()
                            .is_some_and(|(n, db)| &e.name == n || e.database_name() == db)
                    },
                    |table, column| ValueSource::FillIn {
                        hint: format!(
                            "the value that replaces `{enumeration}.{value}` in \"{}\".\"{column}\"",
                            table.name
                        ),
                    },
                    &format!("value `{value}` is removed from enum `{enumeration}`"),
                )?;
                Ok(Decision::contract(format!(
                    "expand keeps `{value}`; deploy code that no longer writes it; the backfill moves rows off it (you choose the new value); the contract removes it"
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
    fn the_value_stays_until_rows_are_moved_off_it() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n  B\n}\n",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n}\n",
        );
        assert_eq!(
            p.decision("EnumValueRemoved").phase,
            MigrationPhase::Contract
        );
        assert!(p.expand.contains("  B\n"), "{}", p.expand);
        let a = &p.recipes.backfill[0].assignments[0];
        assert!(matches!(a.source, ValueSource::FillIn { .. }));
        assert_eq!(a.pending, "\"role\"::text = 'B'");
    }
}
