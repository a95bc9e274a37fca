//! Migration steps -> SQL text, in the layout `prisma migrate diff --script` writes: each step
//! under its `-- CreateTable`-style comment, statements ending with `;`.
//!
//! Every identifier goes through [`Dialect::quote`], which doubles embedded quote characters,
//! so a table named `a"b` is still one identifier.

use crate::database::{
    Column, Database, DbIndex, DbIndexKind, ForeignKey, IndexColumn, Table, TypeFamily, quote_pg,
};
use crate::migrate::{AlterEnum, Step, TableChange, TableRef};
use crate::schema::{Provider, ReferentialAction, SortOrder};

pub mod backfill;
pub mod condition;
pub mod flavour;
mod mssql;
pub mod mysql;
mod operation;
mod postgres;
pub mod sqlite;

pub use flavour::Flavour;
pub use operation::{Operation, operation};
pub use postgres::set_lock_timeout;

/// How one provider spells things.
#[derive(Debug, Clone, Copy)]
pub struct Dialect(pub Provider);

impl Dialect {
    pub fn quote(self, name: &str) -> String {
        match self.0 {
            Provider::MySql => format!("`{}`", name.replace('`', "``")),
            Provider::SqlServer => format!("[{}]", name.replace(']', "]]")),
            _ => quote_pg(name),
        }
    }

    pub fn qualified(self, schema: &Option<String>, name: &str) -> String {
        match (schema, self.0) {
            (_, Provider::Sqlite | Provider::MySql) => self.quote(name),
            // Prisma leaves the default schema to the search path, in a multi-schema datasource
            // too: `"User"`, not `"public"."User"` (a `?schema=` in the URL names another).
            (Some(s), Provider::PostgreSql) if s == "public" => self.quote(name),
            (Some(s), _) => format!("{}.{}", self.quote(s), self.quote(name)),
            // SQL Server names every object with its schema; Prisma's default is dbo.
            (None, Provider::SqlServer) => format!("{}.{}", self.quote("dbo"), self.quote(name)),
            (None, _) => self.quote(name),
        }
    }

    /// A name as `prisma migrate dev` writes it where it reads the object back from the
    /// database (the steps that rebuild an enum): on PostgreSQL always with its schema,
    /// `public` too.
    pub fn qualified_as_described(self, schema: &Option<String>, name: &str) -> String {
        match self.0 {
            Provider::PostgreSql => format!(
                "{}.{}",
                self.quote(schema.as_deref().unwrap_or("public")),
                self.quote(name)
            ),
            _ => self.qualified(schema, name),
        }
    }

    pub fn table(self, t: &TableRef) -> String {
        self.qualified(&t.schema, &t.name)
    }

    /// An expression a user might fill a FILL IN with, in this database's own syntax: what
    /// the backfill's comments show (MySQL's `||` is OR, its `"..."` a string).
    pub fn fill_in_example(self) -> String {
        let name = self.quote("name");
        match self.0 {
            Provider::MySql => format!("CONCAT(LOWER({name}), '@example.com')"),
            Provider::SqlServer => format!("LOWER({name}) + '@example.com'"),
            _ => format!("lower({name}) || '@example.com'"),
        }
    }

    fn is_postgres(self) -> bool {
        matches!(self.0, Provider::PostgreSql | Provider::CockroachDb)
    }
}

/// `FROM <table> WHERE (a) OR (b) ...`: the rows of a table that match any of `conditions`
/// (the backfill's counts, `prisma-xc status`).
pub fn rows_matching_any(
    d: Dialect,
    schema: &Option<String>,
    table: &str,
    conditions: &[&str],
) -> String {
    let conditions: Vec<String> = conditions.iter().map(|c| format!("({c})")).collect();
    format!(
        "FROM {} WHERE {}",
        d.qualified(schema, table),
        conditions.join(" OR ")
    )
}

/// A value only the user can write: an identifier that fails as an unknown column until it is
/// replaced (nothing runs half-converted), named `FILL_IN_<name>`, and a comment saying what
/// goes there.
pub fn fill_in(name: &str, what: &str) -> String {
    format!(
        "FILL_IN_{} /* <- FILL IN: {} */",
        crate::escape::token(name),
        crate::escape::block_comment(what)
    )
}

/// For a database that cannot stop a script on a condition: comment lines that say why, and the
/// count to run first, which must be 0.
pub fn check_first(d: Dialect, why: &str, table: &TableRef, condition: &str) -> String {
    format!(
        "-- {}\n-- Check first that this counts 0: SELECT COUNT(*) FROM {} WHERE {}",
        crate::escape::line_comment(why),
        crate::escape::line_comment(&d.table(table)),
        crate::escape::line_comment(condition)
    )
}

/// One statement with its terminator.
pub fn terminated(statement: &str) -> String {
    format!("{statement};")
}

/// Deletes the rows `migrate deploy` wrote for a plan's phase, whatever timestamp `promote` gave
/// its folders: the plan's name and the phase are in every folder name. `\` escapes LIKE's `_`,
/// as in PostgreSQL by default and in SQLite once named.
pub fn forget_migrations(provider: Provider, plan: &str, phase: &str) -> String {
    let pattern = crate::escape::sql_string(
        provider,
        &format!("%\\_{}\\_{phase}%", plan.replace('_', "\\_")),
    );
    let escape_clause = match provider {
        Provider::Sqlite => format!(" ESCAPE {}", crate::escape::sql_string(provider, "\\")),
        _ => String::new(),
    };
    format!("DELETE FROM _prisma_migrations WHERE migration_name LIKE {pattern}{escape_clause}")
}

/// Prisma's words above a step that adds several values to one enum.
const SEVERAL_ENUM_VALUES_WARNING: &str = "-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


";

/// Render steps as one migration script.
pub fn render_script(steps: &[Step], provider: Provider) -> String {
    render_script_with(steps, provider, |_, statements| statements)
}

/// Render steps as a phase migration: as [`render_script`], each statement as the flavour
/// runs it while the application works ([`Flavour::online`]) on `before`, the database the
/// migration starts from.
pub fn render_online(steps: &[Step], flavour: &dyn Flavour, before: &Database) -> String {
    render_script_with(steps, flavour.provider(), |step, statements| {
        flavour.online(step, statements, before)
    })
}

fn render_script_with(
    steps: &[Step],
    provider: Provider,
    online: impl Fn(&Step, Vec<String>) -> Vec<String>,
) -> String {
    let d = Dialect(provider);
    let mut out = String::new();
    // SQLite rebuilds all changed tables in one step, as Prisma does.
    let mut redefines: Vec<(&Table, &Table)> = Vec::new();
    for step in steps {
        if let Step::RedefineTable { previous, next } = step {
            redefines.push((previous, next));
        }
    }
    let mut redefines_done = false;
    for step in steps {
        let statements = match step {
            Step::RedefineTable { .. } if redefines_done => continue,
            Step::RedefineTable { .. } => {
                redefines_done = true;
                render_redefine(d, &redefines)
            }
            other => online(other, render_step(d, other)),
        };
        if statements.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("-- ");
        out.push_str(step.description());
        out.push('\n');
        if matches!(step, Step::AlterEnum(_))
            && provider == Provider::PostgreSql
            && statements.len() > 1
            && statements.iter().all(|s| s.contains(" ADD VALUE "))
        {
            out.push_str(SEVERAL_ENUM_VALUES_WARNING);
        }
        for s in statements {
            out.push_str(&s);
            out.push_str(";\n");
        }
    }
    if provider == Provider::SqlServer && !out.is_empty() {
        // Prisma runs SQL Server migrations in one transaction that rolls back on any error.
        out = format!(
            "BEGIN TRY\n\nBEGIN TRAN;\n\n{out}\nCOMMIT TRAN;\n\nEND TRY\nBEGIN CATCH\n\nIF @@TRANCOUNT > 0\nBEGIN\n    ROLLBACK TRAN;\nEND;\nTHROW\n\nEND CATCH\n"
        );
    }
    out
}

/// The statements of one step (without the trailing `;`), for callers that place steps in
/// migrations of their own (the phased plan).
pub fn step_statements(step: &Step, provider: Provider) -> Vec<String> {
    render_step(Dialect(provider), step)
}

/// Render groups of steps the way [`render_script`] renders them, one `-- Step` comment each.
pub fn render_statements(description: &str, statements: &[String]) -> String {
    let mut out = format!("-- {description}\n");
    for s in statements {
        out.push_str(s);
        out.push_str(";\n");
    }
    out
}

fn render_step(d: Dialect, step: &Step) -> Vec<String> {
    match step {
        Step::CreateSchema(name) => vec![format!("CREATE SCHEMA IF NOT EXISTS {}", d.quote(name))],
        Step::CreateExtension(e) => {
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", d.quote(&e.name));
            if e.schema.is_some() || e.version.is_some() {
                sql.push_str(" WITH");
            }
            if let Some(schema) = &e.schema {
                sql.push_str(&format!(" SCHEMA {}", d.quote(schema)));
            }
            if let Some(version) = &e.version {
                sql.push_str(&format!(" VERSION {}", d.quote(version)));
            }
            vec![sql]
        }
        Step::DropExtension(e) => vec![format!("DROP EXTENSION {}", d.quote(&e.name))],
        Step::CreateEnum(e) if d.is_postgres() => vec![format!(
            "CREATE TYPE {} AS ENUM ({})",
            d.qualified(&e.schema, &e.name),
            e.values
                .iter()
                .map(|v| crate::escape::sql_string(d.0, v))
                .collect::<Vec<_>>()
                .join(", ")
        )],
        Step::DropEnum(e) if d.is_postgres() => {
            vec![format!("DROP TYPE {}", d.qualified(&e.schema, &e.name))]
        }
        Step::CreateEnum(_) | Step::DropEnum(_) => Vec::new(),
        Step::AlterEnum(a) if d.is_postgres() => render_alter_enum(d, a),
        Step::AlterEnum(_) => Vec::new(),
        Step::DropForeignKey { table, foreign_key } => match d.0 {
            Provider::MySql => vec![format!(
                "ALTER TABLE {} DROP FOREIGN KEY {}",
                d.table(table),
                d.quote(&foreign_key.name)
            )],
            _ => vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                d.table(table),
                d.quote(&foreign_key.name)
            )],
        },
        Step::DropIndex { table, index } => match d.0 {
            Provider::MySql => vec![format!(
                "DROP INDEX {} ON {}",
                d.quote(&index.name),
                d.table(table)
            )],
            Provider::SqlServer => vec![format!(
                "DROP INDEX {} ON {}",
                d.quote(&index.name),
                d.table(table)
            )],
            _ => vec![format!(
                "DROP INDEX {}",
                d.qualified(&table.schema, &index.name)
            )],
        },
        Step::AlterTable { table, changes } => render_alter_table(d, table, changes),
        Step::DropTable(t) => match d.0 {
            Provider::Sqlite => vec![
                "PRAGMA foreign_keys=off".to_string(),
                format!("DROP TABLE {}", d.table(t)),
                "PRAGMA foreign_keys=on".to_string(),
            ],
            _ => vec![format!("DROP TABLE {}", d.table(t))],
        },
        Step::CreateTable(t) => vec![create_table(d, t, &t.name)],
        Step::RedefineTable { .. } => Vec::new(),
        Step::CreateIndex { table, index } => vec![create_index(d, table, index, false)],
        Step::RenameForeignKey {
            table,
            previous,
            next,
        } => {
            vec![format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                d.table(table),
                d.quote(previous),
                d.quote(next)
            )]
        }
        Step::AddForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} ADD {}",
            d.table(table),
            foreign_key_clause(d, foreign_key)
        )],
        Step::RenameIndex {
            table,
            previous,
            next,
        } => match d.0 {
            Provider::MySql => vec![format!(
                "ALTER TABLE {} RENAME INDEX {} TO {}",
                d.table(table),
                d.quote(previous),
                d.quote(next)
            )],
            Provider::SqlServer => vec![format!(
                "EXEC SP_RENAME N{}, N{}, N'INDEX'",
                crate::escape::sql_string(d.0, &format!("{}.{previous}", table.name)),
                crate::escape::sql_string(d.0, next)
            )],
            _ => vec![format!(
                "ALTER INDEX {} RENAME TO {}",
                d.qualified(&table.schema, previous),
                d.quote(next)
            )],
        },
    }
}

fn action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

fn column_list(d: Dialect, columns: &[String], sep: &str) -> String {
    columns
        .iter()
        .map(|c| d.quote(c))
        .collect::<Vec<_>>()
        .join(sep)
}

fn foreign_key_clause(d: Dialect, fk: &ForeignKey) -> String {
    let space = if d.0 == Provider::Sqlite { " " } else { "" };
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}{space}({}) ON DELETE {} ON UPDATE {}",
        d.quote(&fk.name),
        column_list(d, &fk.columns, ", "),
        d.qualified(&fk.referenced_schema, &fk.referenced_table),
        column_list(d, &fk.referenced_columns, ", "),
        action(fk.on_delete),
        action(fk.on_update)
    )
}

fn index_column(d: Dialect, c: &IndexColumn) -> String {
    let mut s = d.quote(&c.name);
    if let Some(len) = c.length {
        s.push_str(&format!("({len})"));
    }
    if let Some(ops) = &c.ops {
        s.push(' ');
        s.push_str(ops);
    }
    if c.sort == Some(SortOrder::Desc) {
        s.push_str(" DESC");
    } else if c.sort == Some(SortOrder::Asc) && d.0 == Provider::MySql {
        s.push_str(" ASC");
    }
    s
}

fn index_columns(d: Dialect, index: &DbIndex) -> String {
    let columns: Vec<String> = index.columns.iter().map(|c| index_column(d, c)).collect();
    columns.join(", ")
}

fn create_index(d: Dialect, table: &TableRef, index: &DbIndex, concurrently: bool) -> String {
    let unique = match index.kind {
        DbIndexKind::Unique => "UNIQUE ",
        DbIndexKind::Fulltext => "FULLTEXT ",
        DbIndexKind::Normal => "",
    };
    let columns = index_columns(d, index);
    let using = match index.algorithm.as_deref() {
        Some(a) if d.is_postgres() && a != "BTREE" => format!(" USING {a} "),
        _ => String::new(),
    };
    let clustered = match (d.0, index.clustered) {
        (Provider::SqlServer, Some(true)) => "CLUSTERED ",
        (Provider::SqlServer, _) => "NONCLUSTERED ",
        _ => "",
    };
    let name = d.quote(&index.name);
    let concurrently = if concurrently { "CONCURRENTLY " } else { "" };
    if using.is_empty() {
        format!(
            "CREATE {unique}{clustered}INDEX {concurrently}{name} ON {}({columns})",
            d.table(table)
        )
    } else {
        format!(
            "CREATE {unique}INDEX {concurrently}{name} ON {}{using}({columns})",
            d.table(table)
        )
    }
}

/// The column's type for a CREATE/ADD: SERIAL types stand in for autoincrement on PostgreSQL.
fn column_type_sql(d: Dialect, c: &Column) -> String {
    if c.autoincrement && d.0 == Provider::PostgreSql && !c.column_type.is_list {
        let serial = match &*c.column_type.base {
            "SMALLINT" => Some("SMALLSERIAL"),
            "INTEGER" => Some("SERIAL"),
            "BIGINT" => Some("BIGSERIAL"),
            _ => None,
        };
        if let Some(s) = serial {
            return s.to_string();
        }
    }
    c.column_type.sql()
}

fn render_column(d: Dialect, c: &Column, inline_primary_key: bool) -> String {
    let mut s = format!("    {} {}", d.quote(&c.name), column_type_sql(d, c));
    if !c.nullable {
        s.push_str(" NOT NULL");
    } else if d.0 == Provider::MySql {
        s.push_str(" NULL");
    }
    if inline_primary_key {
        s.push_str(" PRIMARY KEY");
        if c.column_type.base == "INTEGER" {
            // SQLite: an INTEGER primary key is the rowid; Prisma always declares AUTOINCREMENT.
            s.push_str(" AUTOINCREMENT");
        }
    }
    if let Some(default) = &c.default {
        if let Some(name) = &default.constraint_name {
            s.push_str(&format!(" CONSTRAINT {}", d.quote(name)));
        }
        s.push_str(" DEFAULT ");
        s.push_str(&default.sql);
    }
    if c.autoincrement && d.0 == Provider::MySql {
        s.push_str(" AUTO_INCREMENT");
    }
    if c.autoincrement && d.0 == Provider::SqlServer {
        s.push_str(" IDENTITY(1,1)");
    }
    if c.autoincrement && d.0 == Provider::CockroachDb {
        s.push_str(" DEFAULT unique_rowid()");
    }
    s
}

fn create_table(d: Dialect, t: &Table, name: &str) -> String {
    let single_pk = match (&t.primary_key, d.0) {
        (Some(pk), Provider::Sqlite) if pk.columns.len() == 1 => Some(pk.columns[0].name.clone()),
        _ => None,
    };
    let lines: Vec<String> = t
        .columns
        .iter()
        .map(|c| render_column(d, c, single_pk.as_deref() == Some(c.name.as_str())))
        .collect();
    let mut trailing: Vec<String> = Vec::new();
    if d.0 == Provider::MySql {
        for i in &t.indexes {
            let kind = match i.kind {
                DbIndexKind::Unique => "UNIQUE INDEX",
                DbIndexKind::Normal => "INDEX",
                DbIndexKind::Fulltext => "FULLTEXT INDEX",
            };
            let cols = index_columns(d, i);
            trailing.push(format!("    {kind} {}({cols})", d.quote(&i.name)));
        }
    }
    if let Some(pk) = &t.primary_key
        && single_pk.is_none()
    {
        let columns = if d.0 == Provider::MySql {
            // MySQL keeps a key's prefix lengths (`title`(100)), as Prisma writes them.
            let cols: Vec<String> = (pk.columns.iter())
                .map(|c| {
                    let mut s = d.quote(&c.name);
                    if let Some(len) = c.length {
                        s.push_str(&format!("({len})"));
                    }
                    if c.sort == Some(SortOrder::Desc) {
                        s.push_str(" DESC");
                    }
                    s
                })
                .collect();
            cols.join(", ")
        } else {
            let sep = if d.is_postgres() { "," } else { ", " };
            let cols: Vec<String> = pk.columns.iter().map(|c| c.name.clone()).collect();
            column_list(d, &cols, sep)
        };
        let named = match d.0 {
            Provider::Sqlite | Provider::MySql => String::new(),
            _ => format!("CONSTRAINT {} ", d.quote(&pk.name)),
        };
        let clustered = match (d.0, pk.clustered) {
            (Provider::SqlServer, Some(false)) => "NONCLUSTERED ",
            (Provider::SqlServer, _) => "CLUSTERED ",
            _ => "",
        };
        trailing.push(format!("    {named}PRIMARY KEY {clustered}({columns})"));
    }
    if d.0 == Provider::SqlServer {
        // Unique constraints are declared with the table on SQL Server.
        for i in t.indexes.iter().filter(|i| i.kind == DbIndexKind::Unique) {
            let cols = index_columns(d, i);
            let clustered = if i.clustered == Some(true) {
                "CLUSTERED"
            } else {
                "NONCLUSTERED"
            };
            trailing.push(format!(
                "    CONSTRAINT {} UNIQUE {clustered} ({cols})",
                d.quote(&i.name)
            ));
        }
    }
    // SQLite's foreign keys follow without a blank line (after the primary key, if any).
    let mut constraints: Vec<String> = Vec::new();
    if d.0 == Provider::Sqlite {
        for fk in &t.foreign_keys {
            constraints.push(format!("    {}", foreign_key_clause(d, fk)));
        }
    }
    let mut body = lines.join(",\n");
    if !trailing.is_empty() {
        // SQL Server's layout has no blank line before the constraints.
        body.push_str(if d.0 == Provider::SqlServer {
            ",\n"
        } else {
            ",\n\n"
        });
        body.push_str(&trailing.join(",\n"));
    }
    if !constraints.is_empty() {
        body.push_str(",\n");
        body.push_str(&constraints.join(",\n"));
    }
    let suffix = if d.0 == Provider::MySql {
        " DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    } else {
        ""
    };
    format!(
        "CREATE TABLE {} (\n{body}\n){suffix}",
        d.qualified(&t.schema, name)
    )
}

fn render_alter_table(d: Dialect, table: &TableRef, changes: &[TableChange]) -> Vec<String> {
    let mut before = Vec::new();
    let mut clauses = Vec::new();
    let mut after = Vec::new();
    for change in changes {
        match change {
            TableChange::DropPrimaryKey { name } => match d.0 {
                Provider::MySql => clauses.push("DROP PRIMARY KEY".to_string()),
                _ => clauses.push(format!("DROP CONSTRAINT {}", d.quote(name))),
            },
            TableChange::DropColumn { name } => {
                clauses.push(format!("DROP COLUMN {}", d.quote(name)))
            }
            TableChange::AddColumn(c) => clauses.push(add_column(d, c)),
            TableChange::AlterColumn { previous, next } => {
                if d.0 == Provider::MySql {
                    clauses.push(format!(
                        "MODIFY {}",
                        render_column(d, next, false).trim_start()
                    ));
                } else {
                    alter_column(
                        d,
                        table,
                        previous,
                        next,
                        &mut before,
                        &mut clauses,
                        &mut after,
                    );
                }
            }
            TableChange::DropAndRecreateColumn { previous, next } => {
                clauses.push(format!("DROP COLUMN {}", d.quote(&previous.name)));
                clauses.push(add_column(d, next));
            }
            TableChange::AddPrimaryKey { name, columns } => match d.0 {
                Provider::MySql => clauses.push(format!(
                    "ADD PRIMARY KEY ({})",
                    column_list(d, columns, ", ")
                )),
                _ => clauses.push(format!(
                    "ADD CONSTRAINT {} PRIMARY KEY ({})",
                    d.quote(name),
                    column_list(d, columns, ", ")
                )),
            },
            TableChange::AddPrimaryKeyUsingIndex { name, index } => clauses.push(format!(
                "ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
                d.quote(name),
                d.quote(index)
            )),
            TableChange::RenamePrimaryKey { previous, next } => clauses.push(format!(
                "RENAME CONSTRAINT {} TO {}",
                d.quote(previous),
                d.quote(next)
            )),
        }
    }
    if clauses.is_empty() {
        return Vec::new();
    }
    let mut out = before;
    if d.0 == Provider::Sqlite {
        // SQLite takes one clause per ALTER TABLE.
        for c in clauses {
            out.push(format!("ALTER TABLE {} {c}", d.table(table)));
        }
    } else {
        // MySQL's layout indents the clauses after the first.
        let separator = if d.0 == Provider::MySql {
            ",\n    "
        } else {
            ",\n"
        };
        out.push(format!(
            "ALTER TABLE {} {}",
            d.table(table),
            clauses.join(separator)
        ));
    }
    out.extend(after);
    out
}

/// `ADD COLUMN` as each provider writes it. PostgreSQL keeps the column's indentation
/// (`ADD COLUMN     "x" TEXT`, as Prisma prints it); SQL Server has no COLUMN keyword.
fn add_column(d: Dialect, c: &Column) -> String {
    let column = render_column(d, c, false);
    match d.0 {
        Provider::PostgreSql | Provider::CockroachDb => format!("ADD COLUMN {column}"),
        Provider::SqlServer => format!("ADD {}", column.trim_start()),
        _ => format!("ADD COLUMN {}", column.trim_start()),
    }
}

fn alter_column(
    d: Dialect,
    table: &TableRef,
    previous: &Column,
    next: &Column,
    before: &mut Vec<String>,
    clauses: &mut Vec<String>,
    after: &mut Vec<String>,
) {
    let prefix = format!("ALTER COLUMN {}", d.quote(&next.name));
    if previous.default != next.default && !(previous.autoincrement && next.autoincrement) {
        match &next.default {
            Some(def) => clauses.push(format!("{prefix} SET DEFAULT {}", def.sql)),
            None if previous.default.is_some() => clauses.push(format!("{prefix} DROP DEFAULT")),
            None => {}
        }
    }
    if previous.nullable != next.nullable {
        clauses.push(format!(
            "{prefix} {}",
            if next.nullable {
                "DROP NOT NULL"
            } else {
                "SET NOT NULL"
            }
        ));
    }
    if previous.autoincrement != next.autoincrement {
        let sequence = format!("{}_{}_seq", table.name, next.name);
        if next.autoincrement {
            before.push(format!(
                "CREATE SEQUENCE {}",
                d.qualified(&table.schema, &sequence)
            ));
            clauses.push(format!(
                "{prefix} SET DEFAULT nextval({})",
                crate::escape::sql_string(d.0, &d.qualified(&table.schema, &sequence))
            ));
            after.push(format!(
                "ALTER SEQUENCE {} OWNED BY {}.{}",
                d.qualified(&table.schema, &sequence),
                d.table(table),
                d.quote(&next.name)
            ));
        } else {
            clauses.push(format!("{prefix} DROP DEFAULT"));
            after.push(format!(
                "DROP SEQUENCE {}",
                d.qualified(&table.schema, &sequence)
            ));
        }
    }
    if previous.column_type != next.column_type {
        let using = match (&previous.column_type.family, &next.column_type.family) {
            // Casts PostgreSQL has only as explicit ones.
            (TypeFamily::Json, TypeFamily::Json)
                if previous.column_type.base != next.column_type.base =>
            {
                format!(" USING {}::{}", d.quote(&next.name), next.column_type.sql())
            }
            // Between TIMESTAMP and TIMESTAMPTZ Prisma (6.19, 7.10) writes the plain cast,
            // which reads the stored instants in the session's time zone.
            _ => String::new(),
        };
        clauses.push(format!(
            "{prefix} SET DATA TYPE {}{using}",
            next.column_type.sql()
        ));
    }
}

fn render_alter_enum(d: Dialect, a: &AlterEnum) -> Vec<String> {
    let name = d.qualified(&a.schema, &a.name);
    if a.removed.is_empty() {
        return a
            .added
            .iter()
            .map(|v| {
                format!(
                    "ALTER TYPE {name} ADD VALUE {}",
                    crate::escape::sql_string(d.0, v)
                )
            })
            .collect();
    }
    // PostgreSQL cannot drop an enum value: build the new type, move every column, swap names.
    let new_name = d.qualified(&a.schema, &format!("{}_new", a.name));
    let old_name = format!("{}_old", a.name);
    let mut out = vec!["BEGIN".to_string()];
    out.push(format!(
        "CREATE TYPE {new_name} AS ENUM ({})",
        a.next_values
            .iter()
            .map(|v| crate::escape::sql_string(d.0, v))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for c in &a.columns {
        if c.previous_default.is_some() {
            out.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                d.qualified_as_described(&c.table.schema, &c.table.name),
                d.quote(&c.column)
            ));
        }
    }
    for c in &a.columns {
        let array = if c.is_list { "[]" } else { "" };
        out.push(format!(
            "ALTER TABLE {} ALTER COLUMN {col} TYPE {new_name}{array} USING ({col}::text::{new_name}{array})",
            d.table(&c.table),
            col = d.quote(&c.column)
        ));
    }
    out.push(format!(
        "ALTER TYPE {name} RENAME TO {}",
        d.quote(&old_name)
    ));
    out.push(format!(
        "ALTER TYPE {new_name} RENAME TO {}",
        d.quote(&a.name)
    ));
    out.push(format!(
        "DROP TYPE {}",
        d.qualified_as_described(&a.schema, &old_name)
    ));
    for c in &a.columns {
        if let (Some(_), Some(def)) = (&c.previous_default, &c.next_default) {
            out.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {def}",
                d.table(&c.table),
                d.quote(&c.column)
            ));
        }
    }
    out.push("COMMIT".to_string());
    out
}

fn render_redefine(d: Dialect, tables: &[(&Table, &Table)]) -> Vec<String> {
    let mut out = vec![
        "PRAGMA defer_foreign_keys=ON".to_string(),
        "PRAGMA foreign_keys=OFF".to_string(),
    ];
    for (previous, next) in tables {
        let temp = format!("new_{}", next.name);
        out.push(create_table(d, next, &temp));
        let shared: Vec<String> = next
            .columns
            .iter()
            .filter(|c| previous.column(&c.name).is_some())
            .map(|c| c.name.clone())
            .collect();
        if !shared.is_empty() {
            let cols = column_list(d, &shared, ", ");
            out.push(format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
                d.quote(&temp),
                d.quote(&previous.name)
            ));
        }
        out.push(format!("DROP TABLE {}", d.quote(&previous.name)));
        out.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            d.quote(&temp),
            d.quote(&next.name)
        ));
        for i in &next.indexes {
            out.push(create_index(
                d,
                &TableRef {
                    schema: None,
                    name: next.name.clone(),
                },
                i,
                false,
            ));
        }
    }
    out.push("PRAGMA foreign_keys=ON".to_string());
    out.push("PRAGMA defer_foreign_keys=OFF".to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_the_quote_character() {
        assert_eq!(Dialect(Provider::PostgreSql).quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect(Provider::MySql).quote("a`b"), "`a``b`");
        assert_eq!(Dialect(Provider::SqlServer).quote("a]b"), "[a]]b]");
        assert_eq!(
            crate::escape::sql_string(Provider::PostgreSql, "it's"),
            "'it''s'"
        );
    }
}
