//! Two database models -> the ordered steps that turn one into the other.
//!
//! Steps are typed and sorted in Prisma's own order (schema engine: `SqlMigrationStep`), so
//! that the rendered SQL reads like what `prisma migrate diff` writes, and so that every step
//! finds what it needs: foreign keys are dropped before their tables and added after them,
//! tables are dropped before indexes that reuse their names are created.

use crate::database::{
    Column, Database, DbEnum, DbExtension, DbIndex, DbIndexKind, ForeignKey, Table, TypeFamily,
};

use crate::schema::Provider;

/// Names a table: `(schema, name)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
}

impl TableRef {
    pub fn of(t: &Table) -> Self {
        TableRef {
            schema: t.schema.clone(),
            name: t.name.clone(),
        }
    }

    /// Whether `db` has this table.
    pub fn is_in(&self, db: &Database) -> bool {
        self.find_in(db).is_some()
    }

    /// The table of `db` this names.
    pub fn find_in<'a>(&self, db: &'a Database) -> Option<&'a crate::database::Table> {
        (db.tables.iter()).find(|t| t.name == self.name && t.schema == self.schema)
    }
}

/// One migration step. The variant order is the order steps run in.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    CreateSchema(String),
    DropExtension(DbExtension),
    CreateExtension(DbExtension),
    CreateEnum(DbEnum),
    AlterEnum(AlterEnum),
    DropForeignKey {
        table: TableRef,
        foreign_key: ForeignKey,
    },
    DropIndex {
        table: TableRef,
        index: DbIndex,
    },
    AlterTable {
        table: TableRef,
        changes: Vec<TableChange>,
    },
    DropTable(TableRef),
    DropEnum(DbEnum),
    CreateTable(Table),
    /// SQLite: rebuild a table whose change `ALTER TABLE` cannot make.
    RedefineTable {
        previous: Table,
        next: Table,
    },
    CreateIndex {
        table: TableRef,
        index: DbIndex,
    },
    RenameForeignKey {
        table: TableRef,
        previous: String,
        next: String,
    },
    AddForeignKey {
        table: TableRef,
        foreign_key: ForeignKey,
    },
    RenameIndex {
        table: TableRef,
        previous: String,
        next: String,
    },
}

impl Step {
    fn rank(&self) -> u8 {
        match self {
            Step::CreateSchema(_) => 0,
            Step::DropExtension(_) | Step::CreateExtension(_) => 1,
            // After the extensions, as Prisma orders them (a type may come from one).
            Step::CreateEnum(_) | Step::AlterEnum(_) => 2,
            Step::DropForeignKey { .. } => 3,
            Step::DropIndex { .. } => 4,
            Step::AlterTable { .. } => 5,
            Step::DropTable(_) => 6,
            Step::DropEnum(_) => 7,
            Step::CreateTable(_) => 8,
            Step::RedefineTable { .. } => 9,
            Step::CreateIndex { .. } => 10,
            Step::RenameForeignKey { .. } => 11,
            Step::AddForeignKey { .. } => 12,
            Step::RenameIndex { .. } => 13,
        }
    }

    /// The `-- CreateTable`-style comment Prisma writes above a step.
    pub fn description(&self) -> &'static str {
        match self {
            Step::CreateSchema(_) => "CreateSchema",
            Step::DropExtension(_) => "DropExtension",
            Step::CreateExtension(_) => "CreateExtension",
            Step::CreateEnum(_) => "CreateEnum",
            Step::AlterEnum(_) => "AlterEnum",
            Step::DropForeignKey { .. } => "DropForeignKey",
            Step::DropIndex { .. } => "DropIndex",
            Step::AlterTable { .. } => "AlterTable",
            Step::DropTable(_) => "DropTable",
            Step::DropEnum(_) => "DropEnum",
            Step::CreateTable(_) => "CreateTable",
            Step::RedefineTable { .. } => "RedefineTables",
            Step::CreateIndex { .. } => "CreateIndex",
            Step::RenameForeignKey { .. } => "RenameForeignKey",
            Step::AddForeignKey { .. } => "AddForeignKey",
            Step::RenameIndex { .. } => "RenameIndex",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlterEnum {
    pub schema: Option<String>,
    pub name: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub next_values: Vec<String>,
    /// Columns of the next database that use the enum, for the PostgreSQL type swap.
    pub columns: Vec<EnumColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumColumn {
    pub table: TableRef,
    pub column: String,
    pub is_list: bool,
    /// Default before the change (dropped before the swap) and after (set again after it).
    pub previous_default: Option<String>,
    pub next_default: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    DropPrimaryKey {
        name: String,
    },
    DropColumn {
        name: String,
    },
    AddColumn(Column),
    AlterColumn {
        previous: Column,
        next: Column,
    },
    /// A type change with no cast: the column is dropped and added again (its data is lost).
    DropAndRecreateColumn {
        previous: Column,
        next: Column,
    },
    AddPrimaryKey {
        name: String,
        columns: Vec<String>,
    },
    RenamePrimaryKey {
        previous: String,
        next: String,
    },
    /// PostgreSQL: the primary key `name` made from a unique index built beforehand
    /// (`CONCURRENTLY`), which takes its name: no index build under the table's lock.
    AddPrimaryKeyUsingIndex {
        name: String,
        index: String,
    },
}

/// An empty database of `provider`: the starting point of an initial migration.
pub fn empty(provider: Provider) -> Database {
    Database {
        provider,
        namespaces: Vec::new(),
        extensions: Vec::new(),
        enums: Vec::new(),
        tables: Vec::new(),
    }
}

/// Tables by `(schema, name)`: schemas have thousands of tables, and every step looks some up.
struct Tables<'a> {
    db: &'a Database,
    by_name: crate::hashing::FastMap<(Option<&'a str>, &'a str), usize>,
}

impl<'a> Tables<'a> {
    fn new(db: &'a Database) -> Self {
        let by_name = db
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| ((t.schema.as_deref(), t.name.as_str()), i))
            .collect();
        Tables { db, by_name }
    }

    fn position(&self, schema: &Option<String>, name: &str) -> Option<usize> {
        self.by_name.get(&(schema.as_deref(), name)).copied()
    }

    fn get(&self, schema: &Option<String>, name: &str) -> Option<&'a Table> {
        self.position(schema, name).map(|i| &self.db.tables[i])
    }
}

/// The steps from `previous` to `next` (both of `next`'s provider).
pub fn diff(previous: &Database, next: &Database) -> Vec<Step> {
    let provider = next.provider;
    let previous_tables = Tables::new(previous);
    let next_tables = Tables::new(next);
    let mut steps = Vec::new();
    // Prisma creates a schema once a table or an enum lives in it: a listed schema that
    // holds nothing (or only views) is not created.
    let holds_something = |db: &Database, ns: &str| {
        let here = |schema: &Option<String>| schema.as_deref().unwrap_or("public") == ns;
        db.tables.iter().any(|t| here(&t.schema)) || db.enums.iter().any(|e| here(&e.schema))
    };
    for ns in &next.namespaces {
        if provider != Provider::Sqlite
            && holds_something(next, ns)
            && !(previous.namespaces.contains(ns) && holds_something(previous, ns))
        {
            steps.push(Step::CreateSchema(ns.clone()));
        }
    }
    for e in &previous.extensions {
        if !next.extensions.iter().any(|x| x.name == e.name) {
            steps.push(Step::DropExtension(e.clone()));
        }
    }
    for e in &next.extensions {
        if !previous.extensions.iter().any(|x| x.name == e.name) {
            steps.push(Step::CreateExtension(e.clone()));
        }
    }
    enums(&previous_tables, next, &mut steps);
    let mut recreated_columns: Vec<(TableRef, String)> = Vec::new();
    for nt in &next.tables {
        let Some(pt) = previous_tables.get(&nt.schema, &nt.name) else {
            steps.push(Step::CreateTable(nt.clone()));
            // MySQL declares indexes inside CREATE TABLE, SQL Server its unique constraints, and
            // SQLite its foreign keys.
            for index in &nt.indexes {
                let inline = match provider {
                    Provider::MySql => true,
                    Provider::SqlServer => index.kind == DbIndexKind::Unique,
                    _ => false,
                };
                if !inline {
                    steps.push(Step::CreateIndex {
                        table: TableRef::of(nt),
                        index: index.clone(),
                    });
                }
            }
            if provider != Provider::Sqlite {
                for fk in &nt.foreign_keys {
                    steps.push(Step::AddForeignKey {
                        table: TableRef::of(nt),
                        foreign_key: fk.clone(),
                    });
                }
            }
            continue;
        };
        if pt == nt {
            // Most tables of a large schema are untouched; comparing them part by part would
            // cost more than the rest of the diff.
            continue;
        }
        if provider == Provider::Sqlite {
            sqlite_table(pt, nt, &mut steps);
        } else {
            table_changes(provider, pt, nt, &mut steps, &mut recreated_columns);
        }
    }
    for pt in &previous.tables {
        if next_tables.get(&pt.schema, &pt.name).is_none() {
            if provider != Provider::Sqlite {
                for fk in &pt.foreign_keys {
                    steps.push(Step::DropForeignKey {
                        table: TableRef::of(pt),
                        foreign_key: fk.clone(),
                    });
                }
            }
            steps.push(Step::DropTable(TableRef::of(pt)));
        }
    }
    if provider != Provider::Sqlite {
        foreign_keys(&previous_tables, next, &recreated_columns, &mut steps);
    }
    // Within a kind, Prisma's `migrate dev` orders steps on existing tables as it describes the
    // database (tables by name) and steps on new tables as the schema lists them.
    steps.sort_by_cached_key(|step| sort_key(step, &previous_tables, &next_tables));
    steps
}

/// `(kind, on an existing table?, existing table name, position in the next database, item)`.
type SortKey = (u8, bool, String, usize, usize, String);

fn sort_key(step: &Step, previous: &Tables, next_tables: &Tables) -> SortKey {
    let next = next_tables.db;
    let position = |t: &TableRef| {
        next_tables
            .position(&t.schema, &t.name)
            .unwrap_or(usize::MAX)
    };
    let existing = |t: &TableRef| previous.position(&t.schema, &t.name).is_some();
    let rank = step.rank();
    let on_table = |t: &TableRef, item: usize, name: &str| -> SortKey {
        if existing(t) {
            (
                rank,
                true,
                t.name.clone(),
                position(t),
                item,
                name.to_string(),
            )
        } else {
            (
                rank,
                false,
                String::new(),
                position(t),
                item,
                name.to_string(),
            )
        }
    };
    let index_position = |t: &TableRef, name: &str| {
        next.tables
            .get(position(t))
            .and_then(|nt| nt.indexes.iter().position(|i| i.name == name))
            .unwrap_or(0)
    };
    match step {
        Step::CreateTable(t) => (
            rank,
            false,
            String::new(),
            position(&TableRef::of(t)),
            0,
            String::new(),
        ),
        Step::CreateIndex { table, index } => {
            on_table(table, index_position(table, &index.name), "")
        }
        // Foreign keys to add are numbered in the next database: tables in schema order.
        Step::AddForeignKey { table, foreign_key } => {
            let item = next
                .tables
                .get(position(table))
                .and_then(|nt| {
                    nt.foreign_keys
                        .iter()
                        .position(|f| f.name == foreign_key.name)
                })
                .unwrap_or(0);
            (
                rank,
                false,
                String::new(),
                position(table),
                item,
                String::new(),
            )
        }
        Step::AlterTable { table, .. } | Step::DropTable(table) => {
            (rank, true, table.name.clone(), 0, 0, String::new())
        }
        Step::DropIndex { table, index } => {
            (rank, true, table.name.clone(), 0, 0, index.name.clone())
        }
        Step::DropForeignKey { table, foreign_key } => (
            rank,
            true,
            table.name.clone(),
            0,
            0,
            foreign_key.name.clone(),
        ),
        Step::RenameIndex {
            table, previous, ..
        }
        | Step::RenameForeignKey {
            table, previous, ..
        } => (rank, true, table.name.clone(), 0, 0, previous.clone()),
        Step::RedefineTable { next: t, .. } => (rank, true, t.name.clone(), 0, 0, String::new()),
        Step::CreateEnum(e) => (
            rank,
            false,
            String::new(),
            next.enums.iter().position(|x| x == e).unwrap_or(0),
            0,
            String::new(),
        ),
        Step::AlterEnum(a) => (rank, true, a.name.clone(), 0, 0, String::new()),
        Step::DropEnum(e) => (rank, true, e.name.clone(), 0, 0, String::new()),
        Step::CreateSchema(n) => (rank, false, n.clone(), 0, 0, String::new()),
        Step::CreateExtension(e) | Step::DropExtension(e) => {
            (rank, false, e.name.clone(), 0, 0, String::new())
        }
    }
}

fn enums(previous_tables: &Tables, next: &Database, steps: &mut Vec<Step>) {
    let previous = previous_tables.db;
    for ne in &next.enums {
        match previous
            .enums
            .iter()
            .find(|e| e.name == ne.name && e.schema == ne.schema)
        {
            None => steps.push(Step::CreateEnum(ne.clone())),
            Some(pe) => {
                let added: Vec<String> = ne
                    .values
                    .iter()
                    .filter(|v| !pe.values.contains(v))
                    .cloned()
                    .collect();
                let removed: Vec<String> = pe
                    .values
                    .iter()
                    .filter(|v| !ne.values.contains(v))
                    .cloned()
                    .collect();
                if added.is_empty() && removed.is_empty() {
                    continue;
                }
                let mut columns = Vec::new();
                for t in &next.tables {
                    for c in &t.columns {
                        if c.column_type.family != TypeFamily::Enum(ne.name.clone()) {
                            continue;
                        }
                        let previous_default = previous_tables
                            .get(&t.schema, &t.name)
                            .and_then(|pt| pt.column(&c.name))
                            .filter(|pc| pc.column_type.family == TypeFamily::Enum(pe.name.clone()))
                            .and_then(|pc| pc.default.as_ref())
                            .map(|d| d.sql.clone());
                        columns.push(EnumColumn {
                            table: TableRef::of(t),
                            column: c.name.clone(),
                            is_list: c.column_type.is_list,
                            previous_default,
                            next_default: c.default.as_ref().map(|d| d.sql.clone()),
                        });
                    }
                }
                steps.push(Step::AlterEnum(AlterEnum {
                    schema: ne.schema.clone(),
                    name: ne.name.clone(),
                    added,
                    removed,
                    next_values: ne.values.clone(),
                    columns,
                }));
            }
        }
    }
    for pe in &previous.enums {
        if !next
            .enums
            .iter()
            .any(|e| e.name == pe.name && e.schema == pe.schema)
        {
            steps.push(Step::DropEnum(pe.clone()));
        }
    }
}

/// Whether PostgreSQL can change a column's type in place without a USING clause; otherwise Prisma
/// drops the column and adds it again.
pub fn castable(previous: &Column, next: &Column) -> bool {
    types_cast(&previous.column_type, &next.column_type)
}

/// Whether a value of type `p` converts to `n` by a cast that keeps what it means (see
/// [`castable`]).
pub fn types_cast(p: &crate::database::ColumnType, n: &crate::database::ColumnType) -> bool {
    use TypeFamily::*;
    if p.is_list != n.is_list {
        // Scalar <-> list needs an explicit conversion.
        return false;
    }
    match (&p.family, &n.family) {
        (Enum(a), Enum(b)) => a == b,
        // Every type has an assignment cast to the string types.
        (_, Text { .. }) => true,
        (Integer(_), Integer(_) | Decimal { .. } | Float) => true,
        (Decimal { .. } | Float, Decimal { .. } | Float | Integer(_)) => true,
        (DateTime, DateTime) => true,
        (Json, Json) => true,
        (Bytes, Bytes) => true,
        (Boolean, Boolean) => true,
        (Other, Other) => p.base == n.base,
        _ => false,
    }
}

fn table_changes(
    provider: Provider,
    pt: &Table,
    nt: &Table,
    steps: &mut Vec<Step>,
    recreated: &mut Vec<(TableRef, String)>,
) {
    let table = TableRef::of(nt);
    let mut drops = Vec::new();
    let mut adds = Vec::new();
    let mut alters = Vec::new();
    for pc in &pt.columns {
        if nt.column(&pc.name).is_none() {
            drops.push(TableChange::DropColumn {
                name: pc.name.clone(),
            });
        }
    }
    for nc in &nt.columns {
        if pt.column(&nc.name).is_none() {
            adds.push(TableChange::AddColumn(nc.clone()));
        }
    }
    // Prisma pairs the columns of the two tables by name: dropped and added ones come in the
    // order of their names.
    let column_name = |c: &TableChange| match c {
        TableChange::DropColumn { name } => name.clone(),
        TableChange::AddColumn(column) => column.name.clone(),
        _ => String::new(),
    };
    drops.sort_by_key(column_name);
    adds.sort_by_key(column_name);
    // Changed columns in the previous table's order: the order Prisma describes them in.
    for pc in &pt.columns {
        match nt.column(&pc.name) {
            None => {}
            Some(nc) if pc == nc => {}
            Some(nc) => {
                let type_changed = pc.column_type != nc.column_type;
                // MySQL's MODIFY converts between any two types (with data loss where it must).
                if type_changed && provider != Provider::MySql && !castable(pc, nc) {
                    recreated.push((table.clone(), nc.name.clone()));
                    alters.push(TableChange::DropAndRecreateColumn {
                        previous: pc.clone(),
                        next: nc.clone(),
                    });
                } else {
                    alters.push(TableChange::AlterColumn {
                        previous: pc.clone(),
                        next: nc.clone(),
                    });
                }
            }
        }
    }
    let mut changes = Vec::new();
    // Primary key: same columns and name -> nothing; same columns -> rename; else drop and add.
    let pk_columns = |t: &Table| {
        t.primary_key.as_ref().map(|pk| {
            pk.columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let pk_touched = pt.primary_key.as_ref().is_some_and(|pk| {
        pk.columns
            .iter()
            .any(|c| recreated.iter().any(|(t, n)| *t == table && *n == c.name))
    });
    match (&pt.primary_key, &nt.primary_key) {
        (Some(p), Some(n)) if pk_columns(pt) == pk_columns(nt) && !pk_touched => {
            if p.name != n.name {
                changes.push(TableChange::RenamePrimaryKey {
                    previous: p.name.clone(),
                    next: n.name.clone(),
                });
            }
        }
        (p, n) => {
            if let Some(p) = p {
                changes.insert(
                    0,
                    TableChange::DropPrimaryKey {
                        name: p.name.clone(),
                    },
                );
            }
            if let Some(n) = n {
                changes.push(TableChange::AddPrimaryKey {
                    name: n.name.clone(),
                    columns: n.columns.iter().map(|c| c.name.clone()).collect(),
                });
            }
        }
    }
    let pk_first: Vec<TableChange> = changes
        .iter()
        .filter(|c| matches!(c, TableChange::DropPrimaryKey { .. }))
        .cloned()
        .collect();
    let pk_last: Vec<TableChange> = changes
        .into_iter()
        .filter(|c| !matches!(c, TableChange::DropPrimaryKey { .. }))
        .collect();
    let all: Vec<TableChange> = pk_first
        .into_iter()
        .chain(drops)
        .chain(adds)
        .chain(alters)
        .chain(pk_last)
        .collect();
    if !all.is_empty() {
        steps.push(Step::AlterTable {
            table: table.clone(),
            changes: all,
        });
    }
    index_steps(pt, nt, &table, recreated, steps);
}

/// A table's indexes: unchanged when an identical definition exists, renamed when only the
/// name differs, otherwise dropped and created; one on a `recreated` column is recreated.
fn index_steps(
    pt: &Table,
    nt: &Table,
    table: &TableRef,
    recreated: &[(TableRef, String)],
    steps: &mut Vec<Step>,
) {
    let touches_recreated = |i: &DbIndex| {
        i.columns
            .iter()
            .any(|c| recreated.iter().any(|(t, n)| t == table && *n == c.name))
    };
    let mut matched_previous = vec![false; pt.indexes.len()];
    for ni in &nt.indexes {
        let same_def = |pi: &DbIndex| {
            pi.kind == ni.kind && pi.columns == ni.columns && pi.algorithm == ni.algorithm
        };
        let exact = pt
            .indexes
            .iter()
            .enumerate()
            .find(|(i, pi)| !matched_previous[*i] && pi.name == ni.name && same_def(pi));
        let renamed = pt.indexes.iter().enumerate().find(|(i, pi)| {
            !matched_previous[*i] && same_def(pi) && !nt.indexes.iter().any(|x| x.name == pi.name)
        });
        match exact.or(renamed) {
            Some((i, pi)) if !touches_recreated(ni) => {
                matched_previous[i] = true;
                if pi.name != ni.name {
                    steps.push(Step::RenameIndex {
                        table: table.clone(),
                        previous: pi.name.clone(),
                        next: ni.name.clone(),
                    });
                }
            }
            _ => steps.push(Step::CreateIndex {
                table: table.clone(),
                index: ni.clone(),
            }),
        }
    }
    for (i, pi) in pt.indexes.iter().enumerate() {
        if !matched_previous[i] {
            steps.push(Step::DropIndex {
                table: table.clone(),
                index: pi.clone(),
            });
        }
    }
}

fn foreign_keys(
    previous: &Tables,
    next: &Database,
    recreated: &[(TableRef, String)],
    steps: &mut Vec<Step>,
) {
    for nt in &next.tables {
        let Some(pt) = previous.get(&nt.schema, &nt.name) else {
            continue;
        };
        let table = TableRef::of(nt);
        let touched = |fk: &ForeignKey| {
            fk.columns
                .iter()
                .any(|c| recreated.iter().any(|(t, n)| *t == table && n == c))
                || fk.referenced_columns.iter().any(|c| {
                    recreated.iter().any(|(t, n)| {
                        t.name == fk.referenced_table && t.schema == fk.referenced_schema && n == c
                    })
                })
        };
        let mut matched = vec![false; pt.foreign_keys.len()];
        for nf in &nt.foreign_keys {
            let same_shape = |pf: &ForeignKey| {
                pf.columns == nf.columns
                    && pf.referenced_table == nf.referenced_table
                    && pf.referenced_schema == nf.referenced_schema
                    && pf.referenced_columns == nf.referenced_columns
                    && pf.on_delete == nf.on_delete
                    && pf.on_update == nf.on_update
            };
            let found = pt
                .foreign_keys
                .iter()
                .enumerate()
                .find(|(i, pf)| !matched[*i] && same_shape(pf) && pf.name == nf.name)
                .or_else(|| {
                    pt.foreign_keys
                        .iter()
                        .enumerate()
                        .find(|(i, pf)| !matched[*i] && same_shape(pf))
                });
            match found {
                Some((i, pf)) if !touched(nf) => {
                    matched[i] = true;
                    if pf.name != nf.name {
                        steps.push(Step::RenameForeignKey {
                            table: table.clone(),
                            previous: pf.name.clone(),
                            next: nf.name.clone(),
                        });
                    }
                }
                _ => steps.push(Step::AddForeignKey {
                    table: table.clone(),
                    foreign_key: nf.clone(),
                }),
            }
        }
        for (i, pf) in pt.foreign_keys.iter().enumerate() {
            if !matched[i] {
                steps.push(Step::DropForeignKey {
                    table: table.clone(),
                    foreign_key: pf.clone(),
                });
            }
        }
    }
}

/// SQLite: index changes are made in place; any change to columns or keys rebuilds the
/// table, as Prisma does (SQLite's ALTER TABLE cannot change a column or a constraint).
fn sqlite_table(pt: &Table, nt: &Table, steps: &mut Vec<Step>) {
    let table = TableRef::of(nt);
    let structure_same = pt.columns == nt.columns
        && pt.primary_key == nt.primary_key
        && pt.foreign_keys == nt.foreign_keys;
    if structure_same {
        let mut matched = vec![false; pt.indexes.len()];
        for ni in &nt.indexes {
            match pt
                .indexes
                .iter()
                .enumerate()
                .find(|(i, pi)| !matched[*i] && *pi == ni)
            {
                Some((i, _)) => matched[i] = true,
                None => steps.push(Step::CreateIndex {
                    table: table.clone(),
                    index: ni.clone(),
                }),
            }
        }
        for (i, pi) in pt.indexes.iter().enumerate() {
            if !matched[i] {
                steps.push(Step::DropIndex {
                    table: table.clone(),
                    index: pi.clone(),
                });
            }
        }
        return;
    }
    steps.push(Step::RedefineTable {
        previous: pt.clone(),
        next: nt.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::database;

    /// Each step as `Description table`, in the order the migration runs them.
    fn steps(provider: &str, old: &str, new: &str) -> Vec<String> {
        diff(&database(provider, old), &database(provider, new))
            .iter()
            .map(|step| {
                let table = match step {
                    Step::CreateTable(t) => t.name.clone(),
                    Step::DropTable(t) => t.name.clone(),
                    Step::DropForeignKey { table, .. }
                    | Step::DropIndex { table, .. }
                    | Step::AlterTable { table, .. }
                    | Step::CreateIndex { table, .. }
                    | Step::AddForeignKey { table, .. }
                    | Step::RenameIndex { table, .. }
                    | Step::RenameForeignKey { table, .. } => table.name.clone(),
                    Step::CreateEnum(e) | Step::DropEnum(e) => e.name.clone(),
                    Step::AlterEnum(a) => a.name.clone(),
                    Step::RedefineTable { next, .. } => next.name.clone(),
                    Step::CreateSchema(s) => s.clone(),
                    Step::DropExtension(e) | Step::CreateExtension(e) => e.name.clone(),
                };
                format!("{} {table}", step.description())
            })
            .collect()
    }

    const TEAM: &str = "model Team {\n  id Int @id\n}\n";
    const TEAM_WITH_MEMBERS: &str = "model Team {\n  id      Int      @id\n  members Member[]\n}\n\nmodel Member {\n  id     Int  @id\n  teamId Int\n  team   Team @relation(fields: [teamId], references: [id])\n\n  @@index([teamId])\n}\n";

    #[test]
    fn steps_run_in_the_order_prisma_writes_them() {
        let cases: &[(&str, &str, &str, &str, &[&str])] = &[
            (
                "a new table with a key to an old one: the table, its index, then the key",
                "postgresql",
                TEAM,
                TEAM_WITH_MEMBERS,
                &[
                    "CreateTable Member",
                    "CreateIndex Member",
                    "AddForeignKey Member",
                ],
            ),
            (
                "the same table dropped: the key first, then the table",
                "postgresql",
                TEAM_WITH_MEMBERS,
                TEAM,
                &["DropForeignKey Member", "DropTable Member"],
            ),
            (
                "MySQL declares the index inside CREATE TABLE",
                "mysql",
                TEAM,
                TEAM_WITH_MEMBERS,
                &["CreateTable Member", "AddForeignKey Member"],
            ),
            (
                "SQLite declares the key inside CREATE TABLE",
                "sqlite",
                TEAM,
                TEAM_WITH_MEMBERS,
                &["CreateTable Member", "CreateIndex Member"],
            ),
            (
                "an enum before the table that uses it, a dropped enum after the table",
                "postgresql",
                TEAM,
                "enum Tier {\n  FREE\n}\n\nmodel Team {\n  id   Int  @id\n  tier Tier\n}\n",
                &["CreateEnum Tier", "AlterTable Team"],
            ),
            (
                "an enum dropped with its column",
                "postgresql",
                "enum Tier {\n  FREE\n}\n\nmodel Team {\n  id   Int  @id\n  tier Tier\n}\n",
                TEAM,
                &["AlterTable Team", "DropEnum Tier"],
            ),
            (
                "no change, no step",
                "postgresql",
                TEAM_WITH_MEMBERS,
                TEAM_WITH_MEMBERS,
                &[],
            ),
        ];
        for (what, provider, old, new, expected) in cases {
            assert_eq!(steps(provider, old, new), *expected, "{what}");
        }
    }

    #[test]
    fn a_column_of_another_type_is_cast_where_the_database_can() {
        let column = |provider: &str, field: &str| {
            let db = database(
                provider,
                &format!("model T {{\n  id Int @id\n  v  {field}\n}}\n"),
            );
            db.tables[0].columns[1].clone()
        };
        for (provider, from, to, cast) in [
            ("postgresql", "Int", "BigInt", true),
            ("postgresql", "Int", "String", true),
            ("postgresql", "String", "Int", false),
            ("postgresql", "String @db.VarChar(10)", "String", true),
            ("postgresql", "Json", "String", true),
            ("sqlite", "String", "Int", false),
        ] {
            assert_eq!(
                castable(&column(provider, from), &column(provider, to)),
                cast,
                "{provider}: {from} -> {to}"
            );
        }
    }

    #[test]
    fn a_type_change_without_a_cast_drops_and_adds_the_column() {
        let old = database("postgresql", "model T {\n  id Int    @id\n  v  String\n}\n");
        let new = database("postgresql", "model T {\n  id Int @id\n  v  Int\n}\n");
        let steps = diff(&old, &new);
        let [Step::AlterTable { changes, .. }] = steps.as_slice() else {
            panic!("{steps:?}");
        };
        assert!(
            matches!(
                changes.as_slice(),
                [TableChange::DropAndRecreateColumn { .. }]
            ),
            "{changes:?}"
        );
    }
}
