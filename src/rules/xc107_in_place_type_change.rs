//! XC107: a type change the database makes without touching the rows.

use super::{Context, Rule, Severity, TypeChange, Verdict};
use crate::changes::{Change, ChangeKind};
use crate::database::{ColumnType, TypeFamily};
use crate::schema::Provider;

pub const RULE: Rule = Rule {
    id: "XC107",
    name: "in-place-type-change",
    title: "Type widened in place: no rewrite",
    severity: Severity::Safe,
    trigger: "`VARCHAR(n)` to a longer `VARCHAR(m)` or to `TEXT`, and `DECIMAL(p,s)` to a larger precision with the same scale (or to unconstrained `DECIMAL`).",
    why: "
PostgreSQL and CockroachDB treat these as binary-compatible: only the catalog changes, under a
brief `ACCESS EXCLUSIVE` lock, with no table rewrite and no index rebuild, and every existing value
still fits. Old code keeps working, since every value it writes fits the wider type.

MySQL widens a `VARCHAR` in place only while the length prefix stays the same size (up to 255
bytes, or both above it); otherwise it copies the table, so prisma-xc calls that caution. SQL Server
widens `NVARCHAR` as a metadata change. SQLite has no such thing: Prisma rebuilds the table for any
type change, so XC106 applies there.
",
    recipe: "
Ship it as it is. On PostgreSQL set a `lock_timeout` (`SET lock_timeout = '5s';` at the top of the migration) so
that a long-running transaction holding the table cannot make the brief lock queue all traffic behind it.
",
    check,
};

/// MySQL keeps a one-byte length prefix up to 255 bytes (utf8mb4: 63 characters).
fn mysql_same_prefix(from: &ColumnType, to: &ColumnType) -> bool {
    let bytes = |t: &ColumnType| match t.family {
        TypeFamily::Text {
            length: Some(n), ..
        } => n * 4,
        _ => u32::MAX,
    };
    (bytes(from) <= 255) == (bytes(to) <= 255)
}

fn check(change: &Change, context: &Context) -> Option<Verdict> {
    let ChangeKind::ColumnTypeChanged {
        table,
        column,
        from,
        to,
        ..
    } = &change.kind
    else {
        return None;
    };
    if TypeChange::of(context.provider, from, to) != TypeChange::InPlace {
        return None;
    }
    let (Some(a), Some(b)) = (from.column(), to.column()) else {
        return None;
    };
    Some(match context.provider {
        Provider::MySql if !mysql_same_prefix(a, b) => Verdict::new(
            Severity::Caution,
            format!(
                "\"{table}\".\"{column}\" widens from {from} to {to}: every value fits, but MySQL copies the table to grow the length prefix"
            ),
        ),
        Provider::MySql | Provider::SqlServer => Verdict::new(
            Severity::Caution,
            format!(
                "\"{table}\".\"{column}\" widens from {from} to {to}: every value fits; done in place, with a brief table lock"
            ),
        ),
        _ => Verdict::new(
            Severity::Safe,
            format!(
                "\"{table}\".\"{column}\" widens from {from} to {to}: catalog change only, no rewrite"
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::ChangedType;

    fn ty(base: &str, family: TypeFamily) -> ColumnType {
        ColumnType {
            base: base.to_string().into(),
            family,
            is_list: false,
        }
    }

    #[test]
    fn widening_cases_per_provider() {
        let v = |n| {
            ty(
                &format!("VARCHAR({n})"),
                TypeFamily::Text {
                    fixed: false,
                    length: Some(n),
                },
            )
        };
        let text = ty(
            "TEXT",
            TypeFamily::Text {
                fixed: false,
                length: None,
            },
        );
        let dec = |p, s| {
            ty(
                "DECIMAL",
                TypeFamily::Decimal {
                    precision: Some(p),
                    scale: Some(s),
                },
            )
        };
        let pg = Provider::PostgreSql;
        let cases = [
            (pg, v(10), v(20), true),
            (pg, v(20), v(10), false),
            (pg, v(10), text.clone(), true),
            (pg, text.clone(), v(10), false),
            (pg, dec(10, 2), dec(12, 2), true),
            (pg, dec(10, 2), dec(12, 3), false),
            (pg, dec(10, 2), dec(8, 2), false),
            (Provider::MySql, v(10), v(20), true),
            (Provider::Sqlite, v(10), v(20), false),
        ];
        for (provider, from, to, expected) in cases {
            assert_eq!(
                TypeChange::of(
                    provider,
                    &ChangedType::Column(from.clone()),
                    &ChangedType::Column(to.clone())
                ) == TypeChange::InPlace,
                expected,
                "{provider:?} {} -> {}",
                from.base,
                to.base
            );
        }
        assert!(mysql_same_prefix(&v(10), &v(60)));
        assert!(!mysql_same_prefix(&v(60), &v(100)));
    }
}
