//! XC123: `relationMode` switches between `foreignKeys` and `prisma`.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::RelationMode;

pub const RULE: Rule = Rule {
    id: "XC123",
    name: "relation-mode-change",
    title: "relationMode changed: who enforces relations moves between database and client",
    severity: Severity::Caution,
    trigger: "`relationMode` in the datasource changes.",
    why: "
To `prisma`: every foreign key is dropped; referential integrity and actions (`onDelete: Cascade`)
are emulated by Prisma Client, so old clients and anything else writing to the database (scripts,
other services) are no longer checked, and orphans can appear. Prisma also stops creating the
indexes foreign keys had on MySQL; add `@@index` on relation scalars.

To `foreignKeys`: every foreign key is created, each checking all rows under lock (XC115), and the
migration fails on existing orphans.
",
    recipe: "
To `foreignKeys`: clean orphans first, then add the keys `NOT VALID` and validate them (PostgreSQL).
To `prisma`: add `@@index` for each relation scalar in the same release, and make sure every writer
goes through the new Prisma Client.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::RelationModeChanged { from, to } = &change.kind else {
        return None;
    };
    let what = match to {
        RelationMode::Prisma => {
            "every foreign key is dropped and Prisma Client emulates them; other writers are no longer checked"
        }
        RelationMode::ForeignKeys => {
            "every foreign key is created, each checking all rows under lock; orphans make it fail"
        }
    };
    Some(Verdict::new(
        Severity::Caution,
        format!("relationMode {from:?} -> {to:?}: {what}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn switching_relation_mode_is_caution() {
        let c = change(ChangeKind::RelationModeChanged {
            from: RelationMode::ForeignKeys,
            to: RelationMode::Prisma,
        });
        assert_eq!(
            check(&c, &Context::on(Provider::MySql)).unwrap().severity,
            Severity::Caution
        );
    }
}
