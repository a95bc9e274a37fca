//! XC126: `onDelete`/`onUpdate` of an existing relation change.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    id: "XC126",
    name: "foreign-key-actions",
    title: "Referential actions changed: the foreign key is dropped and re-checked",
    severity: Severity::Caution,
    trigger: "`onDelete` or `onUpdate` of a relation changes.",
    why: "
Prisma drops the foreign key and adds it again, which checks every row while writes to both tables
wait (PostgreSQL `SHARE ROW EXCLUSIVE`). Between the two statements nothing is enforced. The new
action also changes what deletes do: `Cascade` deletes rows old code expected to stay, `Restrict`
makes deletes fail that used to succeed.
",
    recipe: "
On PostgreSQL re-add the key `NOT VALID` and `VALIDATE` it in a second migration. Review every
delete path of the application against the new action before shipping.
",
    check,
};

fn check(change: &Change, _: &Context) -> Option<Verdict> {
    let ChangeKind::ForeignKeyActionsChanged {
        table,
        foreign_key,
        on_delete,
        on_update,
    } = &change.kind
    else {
        return None;
    };
    let mut what = Vec::new();
    if on_delete.0 != on_delete.1 {
        what.push(format!("onDelete {} -> {}", on_delete.0, on_delete.1));
    }
    if on_update.0 != on_update.1 {
        what.push(format!("onUpdate {} -> {}", on_update.0, on_update.1));
    }
    Some(Verdict::new(
        Severity::Caution,
        format!(
            "foreign key \"{foreign_key}\" on \"{table}\": {}; it is dropped and re-checked while writes wait",
            what.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;
    use crate::schema::Provider;

    #[test]
    fn changing_actions_is_caution() {
        let c = change(ChangeKind::ForeignKeyActionsChanged {
            table: "Post".into(),
            foreign_key: "fk".into(),
            on_delete: ("Restrict".into(), "Cascade".into()),
            on_update: ("Cascade".into(), "Cascade".into()),
        });
        let v = check(&c, &Context::on(Provider::PostgreSql)).unwrap();
        assert_eq!(v.severity, Severity::Caution);
        assert!(
            v.reason.contains("onDelete Restrict -> Cascade") && !v.reason.contains("onUpdate")
        );
    }
}
