//! XC120: an enum value is renamed in the database.

use super::{Context, Rule, Severity, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC120",
    name: "enum-value-renamed",
    title: "Enum value renamed: old code writes and reads the old value",
    severity: Severity::Breaking,
    trigger: "a declared enum value rename whose stored value changes, or a value whose `@map` changes.",
    why: "
Prisma cannot see a value rename: it drops the old value and adds the new one, which fails on
rows holding the old value (XC119). Declared, it is `ALTER TYPE ... RENAME VALUE` on PostgreSQL:
instant, every row keeps its data. Either way, application versions still running the old Prisma
Client write the old value, which no longer exists, and fail to read rows with the new one. MySQL
must redefine the column (`MODIFY`, a table copy) and then update the rows.
",
    recipe: "
Either rename in Prisma only: `OWNER @map(\"ADMIN\")` keeps the stored value. No migration.

Or expand and contract: add the new value (XC118), deploy code that writes the new value and reads
both, backfill rows from the old value to the new one, then remove the old value (XC119).
",
    check,
};

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::EnumValueRenamed {
        enumeration,
        from,
        to,
        db_from,
        db_to,
        ..
    } = &change.kind
    else {
        return None;
    };
    if db_from == db_to {
        return None;
    }
    let how = match context.provider {
        Provider::MySql => "the column is redefined and every row rewritten",
        _ => "stored rows are renamed in place",
    };
    Some(Verdict::new(
        Severity::Breaking,
        format!(
            "value `{enumeration}.{from}` renamed to `{to}` ('{db_from}' -> '{db_to}'): {how}, and running code still writes '{db_from}'; to rename in Prisma only, keep `@map(\"{db_from}\")`"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::change;

    #[test]
    fn renaming_a_stored_value_is_breaking() {
        let c = change(ChangeKind::EnumValueRenamed {
            enumeration: "Role".into(),
            from: "ADMIN".into(),
            to: "OWNER".into(),
            db_from: "ADMIN".into(),
            db_to: "OWNER".into(),
            declared: true,
        });
        assert_eq!(
            check(&c, &Context::on(Provider::PostgreSql))
                .unwrap()
                .severity,
            Severity::Breaking
        );
    }
}
