//! XC124: the datasource provider changes.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC124",
    name: "provider-change",
    title: "Provider changed: this is a database migration, not a schema change",
    severity: Severity::Breaking,
    trigger: "`provider` in the datasource changes (e.g. sqlite to postgresql).",
    why: "
Prisma cannot migrate from one database to another: the existing migrations folder is locked to
the old provider (`migration_lock.toml`), and the new database starts empty, so `prisma migrate
deploy` has nothing to build on. The data has to be copied by other means, and every running
application version must switch databases at once.
",
    recipe: "
Create a fresh migrations folder for the new provider (`prisma migrate diff --from-empty`), copy
the data with a dedicated tool, and switch the application's `DATABASE_URL` in one coordinated
release. prisma-xc compares only the Prisma-level changes here.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::ProviderChanged { from, to } = &change.kind else {
        return None;
    };
    Some(Verdict::new(
        Severity::Breaking,
        format!(
            "provider {} -> {}: the migration history starts over on an empty database; the data must be copied by other means",
            from.name(),
            to.name()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn switching_provider_is_breaking() {
        let c = change(ChangeKind::ProviderChanged {
            from: Provider::Sqlite,
            to: Provider::PostgreSql,
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
    }
}
