//! Values crossing between two columns (a rename, a type change): the SQL comparison that
//! finds rows out of sync, the cast, the test that a cast would change a value, and how the
//! dual-write extension converts a value in TypeScript.

use super::ClientConversion;
use crate::database::ColumnType;
use crate::schema::Provider;

/// PostgreSQL has no `=` for `json`, `xml` and the geometric types (and `box` and `circle`
/// compare areas): values of those, and of types prisma-xc does not know, compare as text.
pub(super) fn has_equality(ty: &ColumnType) -> bool {
    use crate::database::TypeFamily;
    match &ty.family {
        TypeFamily::Json => !ty.base.eq_ignore_ascii_case("JSON"),
        TypeFamily::Other => {
            let name = ty.base.split('(').next().unwrap_or("").trim();
            [
                "UUID", "INET", "CIDR", "CITEXT", "BIT", "VARBIT", "MONEY", "OID", "TIME",
                "TIMETZ", "MACADDR", "MACADDR8", "XID8",
            ]
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
        }
        _ => true,
    }
}

/// `a` and `b` (values of `ty`) differ, NULL counting as a value.
pub(super) fn distinct(provider: Provider, a: &str, b: &str, ty: &ColumnType) -> String {
    match provider {
        Provider::PostgreSql | Provider::CockroachDb if !has_equality(ty) => {
            format!("({a})::text IS DISTINCT FROM ({b})::text")
        }
        Provider::Sqlite => format!("{a} IS NOT {b}"),
        Provider::MySql => format!("NOT ({a} <=> {b})"),
        _ => format!("{a} IS DISTINCT FROM {b}"),
    }
}

/// `value` (of type `from`) as a value of type `to`.
pub(super) fn cast(value: &str, to: &ColumnType) -> String {
    format!("CAST({value} AS {})", to.sql())
}

/// The condition under which converting `value` from `from` to `to` changes it: it does not
/// come back unchanged (PostgreSQL's `CAST` to `VARCHAR(8)` cuts, to `INTEGER` rounds, and
/// SQLite's turns text that is no number into 0). `None` where no cast happens, or where SQLite
/// stores the value as it is.
pub(super) fn changes_value(
    provider: Provider,
    value: &str,
    from: &ColumnType,
    to: &ColumnType,
) -> Option<String> {
    use crate::database::TypeFamily;
    if from.sql() == to.sql() {
        return None;
    }
    if provider == Provider::Sqlite {
        let plain = |t: &ColumnType| {
            matches!(
                t.family,
                TypeFamily::Integer(_)
                    | TypeFamily::Float
                    | TypeFamily::Decimal { .. }
                    | TypeFamily::Text { .. }
            )
        };
        if !(plain(from) && plain(to)) {
            return None;
        }
    }
    Some(distinct(
        provider,
        &cast(&cast(value, to), from),
        value,
        from,
    ))
}

/// The JavaScript value Prisma Client takes for a field type (a kind that tells two apart),
/// and the dual-write converter that makes one (`None`: no conversion is safe to guess, e.g.
/// to JSON or bytes).
pub(super) fn client_value(
    field_type: &crate::schema::FieldType,
) -> (&'static str, Option<ClientConversion>) {
    use crate::schema::{FieldType, ScalarType};
    match field_type {
        FieldType::Scalar(ScalarType::String) | FieldType::Enum(_) => {
            ("string", Some(ClientConversion::String))
        }
        FieldType::Scalar(ScalarType::Int | ScalarType::Float) => {
            ("number", Some(ClientConversion::Number))
        }
        FieldType::Scalar(ScalarType::BigInt) => ("bigint", Some(ClientConversion::BigInt)),
        // Prisma Client takes a decimal as a string too.
        FieldType::Scalar(ScalarType::Decimal) => ("decimal", Some(ClientConversion::String)),
        FieldType::Scalar(ScalarType::DateTime) => ("date", Some(ClientConversion::Date)),
        FieldType::Scalar(ScalarType::Boolean) => ("boolean", None),
        _ => ("other", None),
    }
}

/// The converters between two fields' client values, `(to_new, to_old)`; none where the values
/// are of the same kind. A direction no converter covers is left to the database's sync.
pub(super) fn conversions(
    old: &crate::schema::FieldType,
    new: &crate::schema::FieldType,
) -> (Option<ClientConversion>, Option<ClientConversion>) {
    let ((old_kind, to_old), (new_kind, to_new)) = (client_value(old), client_value(new));
    if old_kind == new_kind {
        (None, None)
    } else {
        (
            Some(to_new.unwrap_or(ClientConversion::None)),
            Some(to_old.unwrap_or(ClientConversion::None)),
        )
    }
}
