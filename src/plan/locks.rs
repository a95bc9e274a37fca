//! The contract statements that hold a table's exclusive lock for as long as they work through
//! its rows, which no order of steps avoids (a new primary key does not: its index is built
//! `CONCURRENTLY` first): PLAN.md and the report name each, with why, so the
//! moment can be chosen (`scripts/lock-bench` measures them on 1,000,000 rows).

use crate::migrate::{Step, TableRef};
use crate::schema::Provider;

/// One sentence per such statement of `steps` (a contract's), on `provider`.
pub fn long_locks(provider: Provider, steps: &[Step]) -> Vec<String> {
    if !matches!(provider, Provider::PostgreSql | Provider::CockroachDb) {
        return Vec::new();
    }
    let table = |t: &TableRef| match &t.schema {
        Some(s) => format!("{s}.{}", t.name),
        None => t.name.clone(),
    };
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::AlterEnum(a) if !a.removed.is_empty() && !a.columns.is_empty() => {
                let columns: Vec<String> = (a.columns.iter())
                    .map(|c| format!("`{}.{}`", table(&c.table), c.column))
                    .collect();
                out.push(format!(
                    "the contract rebuilds enum `{}` without {}: PostgreSQL cannot remove an enum value in place, so {} {} rewritten, indexes included, under an exclusive lock; queries on {} wait while it runs (about 0.8 s per 1,000,000 rows)",
                    a.name,
                    (a.removed.iter()).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
                    columns.join(", "),
                    if columns.len() == 1 { "is" } else { "are" },
                    if columns.len() == 1 { "that table" } else { "those tables" },
                ));
            }
            _ => {}
        }
    }
    out
}
