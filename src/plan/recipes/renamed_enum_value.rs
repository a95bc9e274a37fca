//! A renamed enum value: the new value beside the old one, rows moved by the backfill, the old
//! value removed by the contract.

use super::*;

pub(in crate::plan) struct RenamedEnumValue;

impl Recipe for RenamedEnumValue {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::EnumValueRenamed {
                enumeration,
                from,
                to,
                db_from,
                db_to,
                ..
            } if db_from != db_to => (|| -> Outcome {
                let new_literal = crate::escape::sql_string(cx.provider(), db_to);
                move_rows_off_value(
                    cx,
                    enumeration,
                    from,
                    |_| true,
                    |_, _| ValueSource::Constant {
                        sql: new_literal.clone(),
                    },
                    &format!("value `{from}` of enum `{enumeration}` is renamed to `{to}`"),
                )?;
                Ok(Decision::contract(format!(
                    "expand adds `{to}` beside `{from}`; deploy code that writes `{to}` and reads both; the backfill moves rows from '{db_from}' to '{db_to}'; the contract removes `{from}`"
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

    /// Two enums, each with a renamed value: each is placed once.
    #[test]
    fn on_mysql_two_enums_are_each_ordered_once() {
        let p = plan(
            "mysql",
            "model User {\n  id Int @id\n  role Role\n  size Size\n}\nenum Role {\n  A\n  B\n}\nenum Size {\n  S\n  M\n}\n",
            "model User {\n  id Int @id\n  role Role\n  size Size\n}\nenum Role {\n  C // prisma-xc: renamed from A\n  B\n}\nenum Size {\n  L // prisma-xc: renamed from M\n  S\n}\n",
        );
        assert!(
            p.expand.contains("enum Role {\n  A\n  B\n  C"),
            "{}",
            p.expand
        );
        assert!(
            p.expand.contains("enum Size {\n  S\n  M\n  L"),
            "{}",
            p.expand
        );
    }

    /// MySQL adds enum values in place only at the end of the column's type.
    #[test]
    fn on_mysql_the_old_values_come_first_in_their_order() {
        let p = plan(
            "mysql",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n  B\n}\n",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  C // prisma-xc: renamed from A\n  B\n}\n",
        );
        assert!(
            p.expand
                .contains("enum Role {\n  A\n  B\n  C // prisma-xc: renamed from A\n}"),
            "{}",
            p.expand
        );
    }

    #[test]
    fn rows_move_from_the_old_value_to_the_new_one() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n  B\n}\n",
            "model User {\n  id Int @id\n  role Role\n}\nenum Role {\n  A\n  C // prisma-xc: renamed from B\n}\n",
        );
        assert_eq!(
            p.decision("EnumValueRenamed").phase,
            MigrationPhase::Contract
        );
        assert!(
            p.expand.contains("  B\n") && p.expand.contains("  C"),
            "{}",
            p.expand
        );
        let a = &p.recipes.backfill[0].assignments[0];
        assert!(matches!(&a.source, ValueSource::Constant { sql } if sql == "'C'"));
    }
}
