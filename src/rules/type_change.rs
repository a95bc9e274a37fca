//! What a column type change does to the rows on a database. The three type-change rules take
//! one kind each (XC107 in place, XC121 the JSON switch, XC106 every other), so that none has to
//! know the others and their order in the list does not matter.

use crate::changes::ChangedType;
use crate::database::{ColumnType, TypeFamily};
use crate::schema::Provider;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    /// Widened in place: every row stays as it is (XC107).
    InPlace,
    /// `json` to `jsonb` or back: same Prisma type, every row parsed and rewritten (XC121).
    JsonSwitch,
    /// Anything else: the table is rewritten, or the column dropped and added (XC106).
    Rewrite,
}

impl TypeChange {
    pub fn of(provider: Provider, from: &ChangedType, to: &ChangedType) -> TypeChange {
        match (from.column(), to.column()) {
            (Some(a), Some(b)) if is_json_switch(a, b) => TypeChange::JsonSwitch,
            (Some(a), Some(b)) if in_place(provider, a, b) => TypeChange::InPlace,
            _ => TypeChange::Rewrite,
        }
    }
}

fn is_json_switch(a: &ColumnType, b: &ColumnType) -> bool {
    a.family == TypeFamily::Json
        && b.family == TypeFamily::Json
        && a.base != b.base
        && a.is_list == b.is_list
}

/// Whether changing `from` to `to` leaves every row as it is on this provider.
fn in_place(provider: Provider, from: &ColumnType, to: &ColumnType) -> bool {
    use TypeFamily::{Decimal, Text};
    if from.is_list != to.is_list {
        return false;
    }
    match (provider, &from.family, &to.family) {
        (
            Provider::PostgreSql | Provider::CockroachDb,
            Text {
                fixed: false,
                length: a,
            },
            Text {
                fixed: false,
                length: b,
            },
        ) => match (a, b) {
            (_, None) => true,
            (Some(a), Some(b)) => b >= a,
            (None, Some(_)) => false,
        },
        (
            Provider::PostgreSql | Provider::CockroachDb,
            Decimal {
                precision: Some(p1),
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => match p2 {
            None => s2.is_none(),
            Some(p2) => p2 >= p1 && s1.unwrap_or(0) == s2.unwrap_or(0),
        },
        (
            Provider::MySql | Provider::SqlServer,
            Text {
                fixed: false,
                length: Some(a),
            },
            Text {
                fixed: false,
                length: Some(b),
            },
        ) => b >= a && from.base.split('(').next() == to.base.split('(').next(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::column_type as ty;

    #[test]
    fn each_type_change_has_one_kind() {
        let text = |length| TypeFamily::Text {
            fixed: false,
            length,
        };
        let column = |base, family| ChangedType::Column(ty(base, family));
        let pg = Provider::PostgreSql;
        let cases = [
            (
                pg,
                column("VARCHAR(10)", text(Some(10))),
                column("TEXT", text(None)),
                TypeChange::InPlace,
            ),
            (
                pg,
                column("JSON", TypeFamily::Json),
                column("JSONB", TypeFamily::Json),
                TypeChange::JsonSwitch,
            ),
            (
                pg,
                column("TEXT", text(None)),
                column("VARCHAR(10)", text(Some(10))),
                TypeChange::Rewrite,
            ),
            (
                Provider::Sqlite,
                column("VARCHAR(10)", text(Some(10))),
                column("TEXT", text(None)),
                TypeChange::Rewrite,
            ),
            (
                Provider::MongoDb,
                ChangedType::Prisma("String".into()),
                ChangedType::Prisma("Int".into()),
                TypeChange::Rewrite,
            ),
        ];
        for (provider, from, to, kind) in cases {
            assert_eq!(TypeChange::of(provider, &from, &to), kind, "{from} -> {to}");
        }
    }
}
