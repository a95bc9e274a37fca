//! The plan's own operations, beside the differ's steps: what the phases do that a one-step
//! migration never does (indexes built concurrently, keys validated later, tables renamed
//! behind a view, columns swapped), each one statement rendered here with its names quoted.

use crate::database::{DbIndex, ForeignKey};
use crate::migrate::TableRef;
use crate::schema::Provider;

use super::{Dialect, create_index, foreign_key_clause};

#[derive(Debug, Clone)]
pub enum Operation<'a> {
    /// `CREATE [UNIQUE] INDEX CONCURRENTLY`: built without blocking writes. It cannot run
    /// inside a transaction, so it is the only statement of its migration.
    CreateIndexConcurrently {
        table: &'a TableRef,
        index: &'a DbIndex,
    },
    /// What a failed concurrent build leaves (an `INVALID` index under the name) removed.
    DropIndexConcurrentlyIfExists {
        schema: &'a Option<String>,
        index: &'a str,
    },
    DropIndex {
        table: &'a TableRef,
        index: &'a str,
    },
    /// A foreign key that checks new rows at once, and the rows already there only when
    /// validated.
    AddForeignKeyNotValid {
        table: &'a TableRef,
        foreign_key: &'a ForeignKey,
    },
    /// `CHECK (column IS NOT NULL)` added `NOT VALID`: instant; once validated, `SET NOT NULL`
    /// uses it instead of a scan under the table's lock.
    AddNotNullCheck {
        table: &'a TableRef,
        check: &'a str,
        column: &'a str,
    },
    /// Checks the rows already there without blocking writes.
    ValidateConstraint {
        table: &'a TableRef,
        name: &'a str,
    },
    DropConstraint {
        table: &'a TableRef,
        name: &'a str,
    },
    RenameConstraint {
        table: &'a TableRef,
        from: &'a str,
        to: &'a str,
    },
    /// `LOCK TABLE` in `mode` (`ACCESS EXCLUSIVE`, ...); `NOWAIT` fails at once when the table
    /// is busy instead of queueing.
    LockTable {
        table: &'a TableRef,
        mode: &'a str,
        nowait: bool,
    },
    CreateSchemaIfNotExists {
        schema: &'a str,
    },
    /// A table (its indexes and owned sequences with it) moved to another schema.
    SetSchema {
        table: &'a TableRef,
        schema: &'a str,
    },
    RenameTable {
        table: &'a TableRef,
        to: &'a str,
    },
    /// An index of a table in `schema` renamed.
    RenameIndex {
        schema: &'a Option<String>,
        from: &'a str,
        to: &'a str,
    },
    RenameSequenceIfExists {
        schema: &'a Option<String>,
        from: &'a str,
        to: &'a str,
    },
    /// `view` standing in for `table`: a single-table `SELECT *` view is updatable.
    CreateView {
        view: &'a TableRef,
        table: &'a TableRef,
    },
    DropViewIfExists {
        view: &'a TableRef,
    },
    /// An enum type renamed.
    RenameType {
        schema: &'a Option<String>,
        from: &'a str,
        to: &'a str,
    },
    /// A column of `sql_type` (already rendered for the database) added.
    AddColumn {
        table: &'a TableRef,
        column: &'a str,
        sql_type: &'a str,
    },
    DropColumn {
        table: &'a TableRef,
        column: &'a str,
    },
    RenameColumn {
        table: &'a TableRef,
        from: &'a str,
        to: &'a str,
    },
    SetNotNull {
        table: &'a TableRef,
        column: &'a str,
    },
    /// Every row's `column` set to `value`, an SQL expression over the row.
    SetEveryRow {
        table: &'a TableRef,
        column: &'a str,
        value: &'a str,
    },
}

/// One plan operation as a statement, without its `;`.
pub fn operation(d: Dialect, op: &Operation) -> String {
    match op {
        Operation::CreateIndexConcurrently { table, index } => create_index(d, table, index, true),
        Operation::DropIndexConcurrentlyIfExists { schema, index } => {
            format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                d.qualified(schema, index)
            )
        }
        Operation::DropIndex { table, index } => match d.0 {
            Provider::MySql | Provider::SqlServer => {
                format!("DROP INDEX {} ON {}", d.quote(index), d.table(table))
            }
            _ => format!("DROP INDEX {}", d.qualified(&table.schema, index)),
        },
        Operation::AddForeignKeyNotValid { table, foreign_key } => format!(
            "ALTER TABLE {} ADD {} NOT VALID",
            d.table(table),
            foreign_key_clause(d, foreign_key)
        ),
        Operation::AddNotNullCheck {
            table,
            check,
            column,
        } => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
            d.table(table),
            d.quote(check),
            d.quote(column)
        ),
        Operation::ValidateConstraint { table, name } => format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            d.table(table),
            d.quote(name)
        ),
        Operation::DropConstraint { table, name } => format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            d.table(table),
            d.quote(name)
        ),
        Operation::RenameConstraint { table, from, to } => format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            d.table(table),
            d.quote(from),
            d.quote(to)
        ),
        Operation::LockTable {
            table,
            mode,
            nowait,
        } => format!(
            "LOCK TABLE {} IN {mode} MODE{}",
            d.table(table),
            if *nowait { " NOWAIT" } else { "" }
        ),
        Operation::CreateSchemaIfNotExists { schema } => {
            format!("CREATE SCHEMA IF NOT EXISTS {}", d.quote(schema))
        }
        Operation::SetSchema { table, schema } => format!(
            "ALTER TABLE {} SET SCHEMA {}",
            d.table(table),
            d.quote(schema)
        ),
        Operation::RenameTable { table, to } => {
            format!("ALTER TABLE {} RENAME TO {}", d.table(table), d.quote(to))
        }
        Operation::RenameIndex { schema, from, to } => format!(
            "ALTER INDEX {} RENAME TO {}",
            d.qualified(schema, from),
            d.quote(to)
        ),
        Operation::RenameSequenceIfExists { schema, from, to } => format!(
            "ALTER SEQUENCE IF EXISTS {} RENAME TO {}",
            d.qualified(schema, from),
            d.quote(to)
        ),
        Operation::CreateView { view, table } => format!(
            "CREATE VIEW {} AS SELECT * FROM {}",
            d.table(view),
            d.table(table)
        ),
        Operation::DropViewIfExists { view } => format!("DROP VIEW IF EXISTS {}", d.table(view)),
        Operation::RenameType { schema, from, to } => format!(
            "ALTER TYPE {} RENAME TO {}",
            d.qualified(schema, from),
            d.quote(to)
        ),
        Operation::AddColumn {
            table,
            column,
            sql_type,
        } => format!(
            "ALTER TABLE {} ADD COLUMN {} {sql_type}",
            d.table(table),
            d.quote(column)
        ),
        Operation::DropColumn { table, column } => format!(
            "ALTER TABLE {} DROP COLUMN {}",
            d.table(table),
            d.quote(column)
        ),
        Operation::RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            d.table(table),
            d.quote(from),
            d.quote(to)
        ),
        Operation::SetNotNull { table, column } => format!(
            "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
            d.table(table),
            d.quote(column)
        ),
        Operation::SetEveryRow {
            table,
            column,
            value,
        } => format!(
            "UPDATE {} SET {} = {value}",
            d.table(table),
            d.quote(column)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Provider;

    #[test]
    fn every_name_is_quoted_for_its_database() {
        let table = TableRef {
            schema: Some("s\"x".into()),
            name: "a\"b".into(),
        };
        let view = TableRef {
            schema: None,
            name: "old".into(),
        };
        let cases: &[(Provider, Operation, &str)] = &[
            (
                Provider::PostgreSql,
                Operation::RenameColumn {
                    table: &table,
                    from: "c\"d",
                    to: "e",
                },
                r#"ALTER TABLE "s""x"."a""b" RENAME COLUMN "c""d" TO "e""#,
            ),
            (
                Provider::PostgreSql,
                Operation::CreateView {
                    view: &view,
                    table: &table,
                },
                r#"CREATE VIEW "old" AS SELECT * FROM "s""x"."a""b""#,
            ),
            (
                Provider::MySql,
                Operation::DropColumn {
                    table: &view,
                    column: "x`y",
                },
                "ALTER TABLE `old` DROP COLUMN `x``y`",
            ),
            (
                Provider::PostgreSql,
                Operation::LockTable {
                    table: &view,
                    mode: "ACCESS EXCLUSIVE",
                    nowait: true,
                },
                r#"LOCK TABLE "old" IN ACCESS EXCLUSIVE MODE NOWAIT"#,
            ),
        ];
        for (provider, op, sql) in cases {
            assert_eq!(operation(Dialect(*provider), op), *sql);
        }
    }
}
