//! An existing column moved to a sequence: refused (it needs `setval` past the existing ids).

use super::*;

pub(in crate::plan) struct NewAutoincrement;

impl Recipe for NewAutoincrement {
    fn plan(&self, f: &Finding, _cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::AutoincrementAdded { .. } if f.severity >= Severity::Breaking => {
                {
                    Err(Refusal::Unsupported("moving an existing column to a sequence needs `setval` past the existing ids, which prisma-xc does not write yet".into()))
                }
            }
            _ => return None,
        };
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::recipes::test_support::*;

    #[test]
    fn a_sequence_on_an_existing_column_is_refused() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n}\n",
            "model User {\n  id Int @id @default(autoincrement())\n}\n",
        );
        assert!(p.refusal("AutoincrementAdded").contains("setval"));
    }
}
