//! Conditions over a row, as the backfill, its verification and the contract's guard test them:
//! written here so that every column name is quoted for its database.

use super::Dialect;

/// `column IS NULL`.
pub fn is_null(d: Dialect, column: &str) -> String {
    format!("{} IS NULL", d.quote(column))
}

/// `column IS NOT NULL`.
pub fn is_not_null(d: Dialect, column: &str) -> String {
    format!("{} IS NOT NULL", d.quote(column))
}

/// `a = b`, of two SQL expressions.
pub fn equals(a: &str, b: &str) -> String {
    format!("{a} = {b}")
}

/// `a <> b`, of two SQL expressions.
pub fn not_equals(a: &str, b: &str) -> String {
    format!("{a} <> {b}")
}

/// Both conditions (SQL's `AND` binds before `OR`: `a` and `b` must not be bare `OR`s).
pub fn and(a: &str, b: &str) -> String {
    format!("{a} AND {b}")
}

/// Either condition.
pub fn or(a: &str, b: &str) -> String {
    format!("{a} OR {b}")
}

/// The condition does not hold.
pub fn not(a: &str) -> String {
    format!("NOT ({a})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Provider;

    #[test]
    fn names_are_quoted_for_their_database() {
        assert_eq!(
            is_null(Dialect(Provider::PostgreSql), "a\"b"),
            "\"a\"\"b\" IS NULL"
        );
        assert_eq!(
            is_not_null(Dialect(Provider::MySql), "a`b"),
            "`a``b` IS NOT NULL"
        );
        assert_eq!(not(&or("x", "y")), "NOT (x OR y)");
    }
}
