//! Values crossing between two fields (a rename, a type change): how the dual-write extension
//! converts a value in TypeScript. Their SQL (comparison, cast) is the database flavour's.

use super::ClientConversion;

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
