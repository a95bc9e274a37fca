//! Resolved schema -> the database Prisma builds for it, per provider.
//!
//! Tables, columns with their SQL types and defaults, primary keys, indexes and foreign keys,
//! with the names Prisma derives for them. This is what the migration differ compares, so two
//! schemas that Prisma maps to the same database give equal [`Database`] values.

use std::borrow::Cow;

use crate::schema::{
    self, Arity, DefaultKind, FieldType, IndexKind, Literal, Model, ModelKind, Provider,
    ReferentialAction, RelationKind, RelationMode, ScalarType, Schema, SortOrder,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub provider: Provider,
    /// Schemas the datasource lists (`schemas = [...]`), else PostgreSQL's default `public`:
    /// created when missing (Prisma starts a database from empty with `CREATE SCHEMA IF NOT
    /// EXISTS "public"`).
    pub namespaces: Vec<String>,
    /// PostgreSQL extensions Prisma manages (the `postgresqlExtensions` preview feature).
    pub extensions: Vec<DbExtension>,
    pub enums: Vec<DbEnum>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbExtension {
    pub name: String,
    pub schema: Option<String>,
    pub version: Option<String>,
}

/// A PostgreSQL enum type (on MySQL enums are inline column types; SQLite has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbEnum {
    pub schema: Option<String>,
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub schema: Option<String>,
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKeyConstraint>,
    pub indexes: Vec<DbIndex>,
    pub foreign_keys: Vec<ForeignKey>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub column_type: ColumnType,
    pub nullable: bool,
    pub default: Option<ColumnDefault>,
    /// SERIAL / AUTOINCREMENT / AUTO_INCREMENT.
    pub autoincrement: bool,
}

/// A column's SQL type as Prisma writes it, with what the differ needs to reason about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// Without list brackets: `VARCHAR(191)`, `"Role"`, `DOUBLE PRECISION`.
    pub base: Cow<'static, str>,
    pub family: TypeFamily,
    pub is_list: bool,
}

impl ColumnType {
    /// The full type: `TEXT[]` for a list.
    pub fn sql(&self) -> String {
        if self.is_list {
            format!("{}[]", self.base)
        } else {
            self.base.to_string()
        }
    }
}

/// Broad kinds of SQL types, for deciding whether a type change can be done in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeFamily {
    /// Integer types, with their size in bytes.
    Integer(u8),
    Decimal {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Float,
    /// Text types; `length` is the declared maximum, `None` for unbounded.
    Text {
        fixed: bool,
        length: Option<u32>,
    },
    Boolean,
    DateTime,
    Json,
    Bytes,
    /// A database enum (PostgreSQL type name, or MySQL inline values).
    Enum(String),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDefault {
    /// The SQL expression as Prisma renders it: `'x'`, `CURRENT_TIMESTAMP`, `gen_random_uuid()`.
    pub sql: String,
    /// SQL Server names its default constraints.
    pub constraint_name: Option<String>,
    /// Evaluated per row (a sequence, `gen_random_uuid()`): PostgreSQL fills every existing
    /// row when a column with it is added, rewriting the table.
    pub volatile: bool,
}

impl ColumnDefault {
    fn volatile(kind: &DefaultKind) -> bool {
        match kind {
            DefaultKind::Autoincrement | DefaultKind::Sequence(_) => true,
            DefaultKind::DbGenerated(Some(expression)) => calls_volatile_function(expression),
            _ => false,
        }
    }
}

/// Whether SQL the user wrote (`dbgenerated("...")`) calls a function PostgreSQL evaluates per
/// row. Only its text says: the names of PostgreSQL's and CockroachDB's volatile functions a
/// default uses. A constant or `CURRENT_TIMESTAMP` (stable within a statement) is stored once.
pub fn calls_volatile_function(expression: &str) -> bool {
    let lower = expression.to_ascii_lowercase();
    [
        "random(",
        "uuid",
        "nextval(",
        "clock_timestamp(",
        "timeofday(",
        "unique_rowid(",
    ]
    .iter()
    .any(|f| lower.contains(f))
        && !lower.starts_with('\'')
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexColumn {
    pub name: String,
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
    pub ops: Option<String>,
}

impl IndexColumn {
    /// The column as it is: no sort order, prefix length or operator class.
    pub fn named(name: &str) -> IndexColumn {
        IndexColumn {
            name: name.to_string(),
            sort: None,
            length: None,
            ops: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKeyConstraint {
    pub name: String,
    pub columns: Vec<IndexColumn>,
    pub clustered: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbIndexKind {
    Unique,
    Normal,
    Fulltext,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbIndex {
    pub name: String,
    pub kind: DbIndexKind,
    pub columns: Vec<IndexColumn>,
    /// PostgreSQL access method (`GIN`, `HASH`, ...); `None` is the default B-tree.
    pub algorithm: Option<String>,
    pub clustered: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_schema: Option<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
}

/// Why a schema has no SQL database model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LowerError {
    NoDatasource,
    MongoDb,
}

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LowerError::NoDatasource => write!(
                f,
                "the schema has no datasource block, so its database provider is unknown; add `datasource db {{ provider = \"postgresql\" ... }}`"
            ),
            LowerError::MongoDb => write!(
                f,
                "MongoDB has no SQL migrations: Prisma applies MongoDB schemas with `prisma db push`, and prisma-xc has no migration to write for them"
            ),
        }
    }
}

/// Longest identifier each database accepts; Prisma truncates derived names to fit.
pub fn max_identifier_length(provider: Provider) -> usize {
    match provider {
        Provider::PostgreSql | Provider::CockroachDb => 63,
        Provider::MySql => 64,
        Provider::SqlServer => 128,
        Provider::Sqlite | Provider::MongoDb => 10_000,
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `{table}_pkey`, the table name cut so the whole fits the provider's limit.
pub fn primary_key_name(table: &str, provider: Provider) -> String {
    let limit = max_identifier_length(provider);
    let table = if table.len() >= limit - 5 {
        &table[..floor_boundary(table, limit - 5)]
    } else {
        table
    };
    format!("{table}_pkey")
}

/// `{table}_{columns}_{suffix}` for `key` (unique), `idx` (index) and `fkey` (foreign key),
/// the `{table}_{columns}` part cut so the whole fits the provider's limit.
pub fn constraint_name(table: &str, columns: &[&str], suffix: &str, provider: Provider) -> String {
    suffixed_name(&format!("{table}_{}", columns.join("_")), suffix, provider)
}

/// `{base}_{suffix}`, `base` cut so the whole fits the provider's limit.
pub fn suffixed_name(base: &str, suffix: &str, provider: Provider) -> String {
    let keep = max_identifier_length(provider) - suffix.len() - 1;
    let base = if base.len() > keep {
        &base[..floor_boundary(base, keep)]
    } else {
        base
    };
    format!("{base}_{suffix}")
}

/// The name of an object prisma-xc itself creates (a sync trigger, a NOT NULL check, a
/// new-typed copy of a column): `{base}_{suffix}`, and when that is too long for the database,
/// `base` cut and followed by a hash of the whole name, so that two long names that share their
/// first bytes still get two objects. (Prisma's own names are cut without a hash, as Prisma does:
/// see [`suffixed_name`].)
pub fn owned_name(base: &str, suffix: &str, provider: Provider) -> String {
    let limit = max_identifier_length(provider);
    if base.len() + 1 + suffix.len() <= limit {
        return format!("{base}_{suffix}");
    }
    let hash = format!("{:08x}", fnv1a(base.as_bytes()) as u32);
    let keep = limit - suffix.len() - hash.len() - 2;
    format!("{}_{hash}_{suffix}", &base[..floor_boundary(base, keep)])
}

/// FNV-1a: a stable hash, the same on every machine and in every version (names built from it
/// are part of deployed databases).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Schemas with fewer models are lowered on one thread.
const PARALLEL_MIN_TABLES: usize = 2048;

/// Lower a resolved schema to the database Prisma builds for it.
pub fn lower(schema: &Schema) -> Result<Database, LowerError> {
    let ds = schema.datasource.as_ref().ok_or(LowerError::NoDatasource)?;
    if ds.provider == Provider::MongoDb {
        return Err(LowerError::MongoDb);
    }
    let provider = ds.provider;
    let mut db = Database {
        provider,
        namespaces: if ds.schemas.is_empty() && provider == Provider::PostgreSql {
            vec!["public".to_string()]
        } else {
            ds.schemas.clone()
        },
        extensions: if schema.generators.iter().any(|g| {
            g.preview_features
                .iter()
                .any(|(f, _)| f == "postgresqlExtensions")
        }) {
            ds.extensions
                .iter()
                .map(|e| DbExtension {
                    name: e.db_name.clone().unwrap_or_else(|| e.name.clone()),
                    schema: e.schema.clone(),
                    version: e.version.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        enums: Vec::new(),
        tables: Vec::with_capacity(schema.models.len()),
    };
    if matches!(provider, Provider::PostgreSql | Provider::CockroachDb) {
        for e in &schema.enums {
            db.enums.push(DbEnum {
                schema: e.schema.clone(),
                name: e.database_name().to_string(),
                values: e
                    .values
                    .iter()
                    .map(|v| v.database_name().to_string())
                    .collect(),
            });
        }
    }
    // Each model's own relations, found once: a search of every relation per model would take
    // time that grows with the square of the schema.
    let mut own_relations: Vec<Vec<&schema::Relation>> = vec![Vec::new(); schema.models.len()];
    for r in &schema.relations {
        if r.kind != RelationKind::ManyToMany && r.referencing.model < own_relations.len() {
            own_relations[r.referencing.model].push(r);
        }
    }
    // `@@ignore` and `@ignore` hide models and fields from Prisma Client, not from migrations.
    let tables_of = |models: &[Model], own: Vec<Vec<&schema::Relation>>| -> Vec<Table> {
        models
            .iter()
            .zip(own)
            .filter(|(model, _)| model.kind != ModelKind::View)
            .map(|(model, own)| table(schema, own, model, provider))
            .collect()
    };
    if schema.models.len() >= PARALLEL_MIN_TABLES {
        // Two halves side by side: on a large schema lowering is a good part of a run.
        let half = schema.models.len() / 2;
        let second_own = own_relations.split_off(half);
        let (first, second) = crate::both(
            || tables_of(&schema.models[..half], own_relations),
            || tables_of(&schema.models[half..], second_own),
        );
        db.tables = first;
        db.tables.extend(second);
    } else {
        db.tables = tables_of(&schema.models, own_relations);
    }
    join_tables(schema, provider, &mut db);
    Ok(db)
}

fn table(
    schema: &Schema,
    mut own: Vec<&schema::Relation>,
    model: &Model,
    provider: Provider,
) -> Table {
    let table_name = model.database_name().to_string();
    let columns: Vec<Column> = model
        .scalar_fields()
        .map(|f| column(schema, model, f, provider))
        .collect();
    let index_column = |f: &schema::IndexField| IndexColumn {
        name: db_column_name(model, &f.name),
        sort: f.sort,
        length: f.length,
        ops: f.ops.as_ref().map(|o| match o {
            schema::OperatorClass::Named(n) => operator_class_sql(n),
            schema::OperatorClass::Raw(r) => r.clone(),
        }),
    };
    let primary_key = model.primary_key.as_ref().map(|pk| PrimaryKeyConstraint {
        name: pk
            .map
            .clone()
            .unwrap_or_else(|| primary_key_name(&table_name, provider)),
        columns: pk.fields.iter().map(index_column).collect(),
        clustered: pk.clustered,
    });
    // Prisma's order: field-level uniques, then @@index/@@fulltext, then @@unique.
    let rank = |i: &schema::Index| match (i.from_field, i.kind) {
        (true, _) => 0,
        (false, IndexKind::Normal | IndexKind::Fulltext) => 1,
        (false, IndexKind::Unique) => 2,
    };
    let mut ordered: Vec<&schema::Index> = model.indexes.iter().collect();
    ordered.sort_by_key(|i| rank(i));
    let mut indexes = Vec::new();
    for i in ordered {
        let columns: Vec<IndexColumn> = i.fields.iter().map(index_column).collect();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let (kind, suffix) = match i.kind {
            IndexKind::Unique => (DbIndexKind::Unique, "key"),
            IndexKind::Normal => (DbIndexKind::Normal, "idx"),
            IndexKind::Fulltext => (DbIndexKind::Fulltext, "idx"),
        };
        indexes.push(DbIndex {
            name: i
                .map
                .clone()
                .unwrap_or_else(|| constraint_name(&table_name, &names, suffix, provider)),
            kind,
            columns,
            algorithm: i.algorithm.as_ref().map(|a| a.to_ascii_uppercase()),
            clustered: i.clustered,
        });
    }
    let mut foreign_keys = Vec::new();
    if schema.relation_mode() == RelationMode::ForeignKeys {
        // In the order of the relation fields in the model, as Prisma lists them.
        own.sort_by_key(|r| r.referencing.field);
        for r in own {
            let field = schema.field(r.referencing);
            let target = &schema.models[r.referenced.model];
            if target.kind == ModelKind::View {
                continue;
            }
            let Some(rel) = &field.relation else { continue };
            let columns: Vec<String> = rel
                .fields
                .iter()
                .map(|f| db_column_name(model, f))
                .collect();
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            // SET NULL only when every foreign key column can be null.
            let optional = rel
                .fields
                .iter()
                .all(|f| model.field(f).is_some_and(|x| x.arity == Arity::Optional));
            let default_delete = if optional {
                ReferentialAction::SetNull
            } else {
                ReferentialAction::Restrict
            };
            // SQL Server has no RESTRICT: Prisma's default there is NO ACTION.
            let restrict = |a: ReferentialAction| {
                if provider == Provider::SqlServer && a == ReferentialAction::Restrict {
                    ReferentialAction::NoAction
                } else {
                    a
                }
            };
            foreign_keys.push(ForeignKey {
                name: rel
                    .map
                    .clone()
                    .unwrap_or_else(|| constraint_name(&table_name, &names, "fkey", provider)),
                columns,
                referenced_schema: target.schema.clone(),
                referenced_table: target.database_name().to_string(),
                referenced_columns: rel
                    .references
                    .iter()
                    .map(|f| db_column_name(target, f))
                    .collect(),
                on_delete: restrict(rel.on_delete.unwrap_or(default_delete)),
                on_update: restrict(rel.on_update.unwrap_or(ReferentialAction::Cascade)),
            });
        }
    }
    Table {
        schema: model.schema.clone(),
        name: table_name,
        columns,
        primary_key,
        indexes,
        foreign_keys,
    }
}

fn db_column_name(model: &Model, field: &str) -> String {
    model
        .field(field)
        .map(|f| f.database_name().to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Prisma's operator class names (`JsonbPathOps`) in SQL (`jsonb_path_ops`).
fn operator_class_sql(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            // `MinMaxMultiOps` -> `minmax_multi_ops`: "MinMax" is one word in PostgreSQL's names.
            let prev_is_min = i >= 3 && chars[i - 3..i].iter().collect::<String>() == "Min";
            if !prev_is_min {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn column(schema: &Schema, model: &Model, field: &schema::Field, provider: Provider) -> Column {
    let column_type = column_type(schema, field, provider);
    let autoincrement = matches!(
        field.default.as_ref().map(|d| &d.kind),
        Some(DefaultKind::Autoincrement)
    );
    let default = field.default.as_ref().and_then(|d| {
        let sql = default_sql(schema, field, &d.kind, &column_type, provider)?;
        let constraint_name = (provider == Provider::SqlServer).then(|| {
            d.map.clone().unwrap_or_else(|| {
                constraint_name(
                    model.database_name(),
                    &[field.database_name()],
                    "df",
                    provider,
                )
            })
        });
        Some(ColumnDefault {
            sql,
            constraint_name,
            volatile: ColumnDefault::volatile(&d.kind),
        })
    });
    Column {
        name: field.database_name().to_string(),
        nullable: field.arity == Arity::Optional
            // Lists are nullable columns on PostgreSQL and CockroachDB: Prisma writes no NOT NULL.
            || (field.arity == Arity::List),
        column_type,
        default,
        autoincrement,
    }
}

fn native_args(field: &schema::Field) -> Vec<u32> {
    field
        .native_type
        .as_ref()
        .map(|n| n.args.iter().filter_map(|a| a.parse().ok()).collect())
        .unwrap_or_default()
}

fn column_type(schema: &Schema, field: &schema::Field, provider: Provider) -> ColumnType {
    let is_list = field.arity == Arity::List;
    let (base, family) = match &field.field_type {
        FieldType::Enum(name) => {
            let e = schema.enum_by_name(name);
            let db_name = e
                .map(|e| e.database_name().to_string())
                .unwrap_or_else(|| name.clone());
            match provider {
                Provider::PostgreSql | Provider::CockroachDb => {
                    let qualified = match e.and_then(|e| e.schema.as_ref()) {
                        Some(s) => format!("{}.{}", quote_pg(s), quote_pg(&db_name)),
                        None => quote_pg(&db_name),
                    };
                    (qualified.into(), TypeFamily::Enum(db_name))
                }
                Provider::MySql => {
                    let values: Vec<String> = e
                        .map(|e| {
                            e.values
                                .iter()
                                .map(|v| {
                                    crate::escape::sql_string(Provider::MySql, v.database_name())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (
                        format!("ENUM({})", values.join(", ")).into(),
                        TypeFamily::Enum(db_name),
                    )
                }
                Provider::SqlServer => (
                    "NVARCHAR(1000)".into(),
                    TypeFamily::Text {
                        fixed: false,
                        length: Some(1000),
                    },
                ),
                _ => (
                    "TEXT".into(),
                    TypeFamily::Text {
                        fixed: false,
                        length: None,
                    },
                ),
            }
        }
        FieldType::Unsupported(raw) => (raw.clone().into(), TypeFamily::Other),
        FieldType::Scalar(s) => match &field.native_type {
            Some(native) => native_type_sql(*s, &native.name, &native_args(field), provider),
            None => default_type_sql(*s, provider),
        },
        FieldType::Composite(_) | FieldType::Model(_) => ("JSONB".into(), TypeFamily::Json),
    };
    ColumnType {
        base,
        family,
        is_list,
    }
}

fn text(length: Option<u32>) -> TypeFamily {
    TypeFamily::Text {
        fixed: false,
        length,
    }
}

fn default_type_sql(s: ScalarType, provider: Provider) -> (Cow<'static, str>, TypeFamily) {
    use Provider::*;
    use ScalarType as S;
    let (sql, family): (&'static str, TypeFamily) = match (provider, s) {
        (PostgreSql | CockroachDb, S::String) => ("TEXT", text(None)),
        (PostgreSql | CockroachDb, S::Boolean) => ("BOOLEAN", TypeFamily::Boolean),
        (PostgreSql, S::Int) => ("INTEGER", TypeFamily::Integer(4)),
        (CockroachDb, S::Int) => ("INT4", TypeFamily::Integer(4)),
        (PostgreSql | CockroachDb, S::BigInt) => ("BIGINT", TypeFamily::Integer(8)),
        (PostgreSql | CockroachDb, S::Float) => ("DOUBLE PRECISION", TypeFamily::Float),
        (PostgreSql | CockroachDb, S::Decimal) => (
            "DECIMAL(65,30)",
            TypeFamily::Decimal {
                precision: Some(65),
                scale: Some(30),
            },
        ),
        (PostgreSql | CockroachDb, S::DateTime) => ("TIMESTAMP(3)", TypeFamily::DateTime),
        (PostgreSql | CockroachDb, S::Json) => ("JSONB", TypeFamily::Json),
        (PostgreSql | CockroachDb, S::Bytes) => ("BYTEA", TypeFamily::Bytes),
        (Sqlite, S::String) => ("TEXT", text(None)),
        (Sqlite, S::Boolean) => ("BOOLEAN", TypeFamily::Boolean),
        (Sqlite, S::Int) => ("INTEGER", TypeFamily::Integer(8)),
        (Sqlite, S::BigInt) => ("BIGINT", TypeFamily::Integer(8)),
        (Sqlite, S::Float) => ("REAL", TypeFamily::Float),
        (Sqlite, S::Decimal) => (
            "DECIMAL",
            TypeFamily::Decimal {
                precision: None,
                scale: None,
            },
        ),
        (Sqlite, S::DateTime) => ("DATETIME", TypeFamily::DateTime),
        (Sqlite, S::Json) => ("JSONB", TypeFamily::Json),
        (Sqlite, S::Bytes) => ("BLOB", TypeFamily::Bytes),
        (MySql, S::String) => ("VARCHAR(191)", text(Some(191))),
        (MySql, S::Boolean) => ("BOOLEAN", TypeFamily::Boolean),
        (MySql, S::Int) => ("INTEGER", TypeFamily::Integer(4)),
        (MySql, S::BigInt) => ("BIGINT", TypeFamily::Integer(8)),
        (MySql, S::Float) => ("DOUBLE", TypeFamily::Float),
        (MySql, S::Decimal) => (
            "DECIMAL(65, 30)",
            TypeFamily::Decimal {
                precision: Some(65),
                scale: Some(30),
            },
        ),
        (MySql, S::DateTime) => ("DATETIME(3)", TypeFamily::DateTime),
        (MySql, S::Json) => ("JSON", TypeFamily::Json),
        (MySql, S::Bytes) => ("LONGBLOB", TypeFamily::Bytes),
        (SqlServer, S::String) => ("NVARCHAR(1000)", text(Some(1000))),
        (SqlServer, S::Boolean) => ("BIT", TypeFamily::Boolean),
        (SqlServer, S::Int) => ("INT", TypeFamily::Integer(4)),
        (SqlServer, S::BigInt) => ("BIGINT", TypeFamily::Integer(8)),
        (SqlServer, S::Float) => ("FLOAT", TypeFamily::Float),
        (SqlServer, S::Decimal) => (
            "DECIMAL(32,16)",
            TypeFamily::Decimal {
                precision: Some(32),
                scale: Some(16),
            },
        ),
        (SqlServer, S::DateTime) => ("DATETIME2", TypeFamily::DateTime),
        (SqlServer, S::Json) => ("NVARCHAR(1000)", text(Some(1000))),
        (SqlServer, S::Bytes) => ("VARBINARY(MAX)", TypeFamily::Bytes),
        (MongoDb, _) => ("", TypeFamily::Other),
    };
    (Cow::Borrowed(sql), family)
}

/// `@db.X(args)` in SQL. Names follow Prisma's native type names for each provider.
fn native_type_sql(
    s: ScalarType,
    name: &str,
    args: &[u32],
    provider: Provider,
) -> (Cow<'static, str>, TypeFamily) {
    // Most columns have a type without arguments: no allocation then.
    let with_args = |base: Cow<'static, str>| -> Cow<'static, str> {
        if args.is_empty() {
            base
        } else {
            Cow::Owned(format!(
                "{base}({})",
                args.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ))
        }
    };
    let with = |base: &'static str| with_args(Cow::Borrowed(base));
    let first = args.first().copied();
    let dec = TypeFamily::Decimal {
        precision: first,
        scale: args.get(1).copied(),
    };
    let upper = name.to_ascii_uppercase();
    match provider {
        Provider::PostgreSql | Provider::CockroachDb => match name {
            "VarChar" | "String" => (with("VARCHAR"), text(first)),
            "Char" => (
                with("CHAR"),
                TypeFamily::Text {
                    fixed: true,
                    length: first,
                },
            ),
            "Text" => ("TEXT".into(), text(None)),
            "Citext" => ("CITEXT".into(), text(None)),
            "Uuid" => ("UUID".into(), TypeFamily::Other),
            "SmallInt" | "Int2" => ("SMALLINT".into(), TypeFamily::Integer(2)),
            "Integer" | "Int4" => ("INTEGER".into(), TypeFamily::Integer(4)),
            "BigInt" | "Int8" => ("BIGINT".into(), TypeFamily::Integer(8)),
            "Oid" => ("OID".into(), TypeFamily::Other),
            "Real" | "Float4" => ("REAL".into(), TypeFamily::Float),
            "DoublePrecision" | "Float8" => ("DOUBLE PRECISION".into(), TypeFamily::Float),
            "Decimal" => (with("DECIMAL"), dec),
            "Money" => ("MONEY".into(), TypeFamily::Other),
            "Timestamp" => (with("TIMESTAMP"), TypeFamily::DateTime),
            "Timestamptz" => (with("TIMESTAMPTZ"), TypeFamily::DateTime),
            "Date" => ("DATE".into(), TypeFamily::DateTime),
            "Time" => (with("TIME"), TypeFamily::DateTime),
            "Timetz" => (with("TIMETZ"), TypeFamily::DateTime),
            "Json" => ("JSON".into(), TypeFamily::Json),
            "JsonB" => ("JSONB".into(), TypeFamily::Json),
            "ByteA" | "Bytes" => ("BYTEA".into(), TypeFamily::Bytes),
            "Boolean" | "Bool" => ("BOOLEAN".into(), TypeFamily::Boolean),
            "Bit" => (with("BIT"), TypeFamily::Other),
            "VarBit" => (with("VARBIT"), TypeFamily::Other),
            "Inet" => ("INET".into(), TypeFamily::Other),
            "Xml" => ("XML".into(), TypeFamily::Other),
            _ => (with_args(Cow::Owned(upper.clone())), TypeFamily::Other),
        },
        Provider::MySql => match name {
            "VarChar" => (with("VARCHAR"), text(first)),
            "Char" => (
                with("CHAR"),
                TypeFamily::Text {
                    fixed: true,
                    length: first,
                },
            ),
            "Text" | "TinyText" | "MediumText" | "LongText" => (upper.into(), text(None)),
            "Int" => (with("INTEGER"), TypeFamily::Integer(4)),
            "UnsignedInt" => ("INTEGER UNSIGNED".into(), TypeFamily::Integer(4)),
            "SmallInt" => ("SMALLINT".into(), TypeFamily::Integer(2)),
            "UnsignedSmallInt" => ("SMALLINT UNSIGNED".into(), TypeFamily::Integer(2)),
            "TinyInt" => ("TINYINT".into(), TypeFamily::Integer(1)),
            "UnsignedTinyInt" => ("TINYINT UNSIGNED".into(), TypeFamily::Integer(1)),
            "MediumInt" => ("MEDIUMINT".into(), TypeFamily::Integer(3)),
            "UnsignedMediumInt" => ("MEDIUMINT UNSIGNED".into(), TypeFamily::Integer(3)),
            "BigInt" => ("BIGINT".into(), TypeFamily::Integer(8)),
            "UnsignedBigInt" => ("BIGINT UNSIGNED".into(), TypeFamily::Integer(8)),
            "Decimal" => (
                format!(
                    "DECIMAL({})",
                    args.iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .into(),
                dec,
            ),
            "Float" => ("FLOAT".into(), TypeFamily::Float),
            "Double" => ("DOUBLE".into(), TypeFamily::Float),
            "DateTime" => (with("DATETIME"), TypeFamily::DateTime),
            "Timestamp" => (with("TIMESTAMP"), TypeFamily::DateTime),
            "Date" => ("DATE".into(), TypeFamily::DateTime),
            "Time" => (with("TIME"), TypeFamily::DateTime),
            "Json" => ("JSON".into(), TypeFamily::Json),
            "Bit" => (
                with("BIT"),
                if s == ScalarType::Boolean {
                    TypeFamily::Boolean
                } else {
                    TypeFamily::Other
                },
            ),
            _ => (with_args(Cow::Owned(upper.clone())), TypeFamily::Other),
        },
        Provider::SqlServer => match name {
            "VarChar" | "NVarChar" => {
                let arg = args
                    .first()
                    .map(u32::to_string)
                    .unwrap_or_else(|| "MAX".into());
                (format!("{upper}({arg})").into(), text(first))
            }
            _ => (with_args(Cow::Owned(upper.clone())), TypeFamily::Other),
        },
        _ => (with_args(Cow::Owned(upper.clone())), TypeFamily::Other),
    }
}

/// Double-quoted PostgreSQL/SQLite identifier, embedded quotes doubled.
pub fn quote_pg(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn default_sql(
    schema: &Schema,
    field: &schema::Field,
    kind: &DefaultKind,
    column_type: &ColumnType,
    provider: Provider,
) -> Option<String> {
    let enum_value_sql = |value: &str| -> String {
        let db_value = match &field.field_type {
            FieldType::Enum(e) => schema
                .enum_by_name(e)
                .and_then(|e| e.values.iter().find(|v| v.name == value))
                .map(|v| v.database_name().to_string())
                .unwrap_or_else(|| value.to_string()),
            _ => value.to_string(),
        };
        crate::escape::sql_string(provider, &db_value)
    };
    let scalar = |lit: &Literal| -> String {
        match lit {
            Literal::String(s) => match &field.field_type {
                FieldType::Scalar(ScalarType::DateTime) => {
                    crate::escape::sql_string(provider, &datetime_literal(s))
                }
                FieldType::Scalar(ScalarType::Bytes) if provider == Provider::PostgreSql => {
                    format!("'\\x{}'", base64_to_hex(s))
                }
                // `@default("2.00")` on a Decimal: Prisma writes the number (only a plain
                // decimal goes unquoted).
                FieldType::Scalar(ScalarType::Decimal) if is_plain_decimal(s) => s.clone(),
                _ => crate::escape::sql_string(provider, s),
            },
            Literal::Number(n) => n.clone(),
            Literal::Boolean(b) => match provider {
                Provider::SqlServer => if *b { "1" } else { "0" }.to_string(),
                _ => b.to_string(),
            },
            Literal::EnumValue(v) => enum_value_sql(v),
            Literal::List(_) => String::new(),
        }
    };
    Some(match kind {
        DefaultKind::Autoincrement
        | DefaultKind::Uuid(_)
        | DefaultKind::Cuid(_)
        | DefaultKind::Nanoid(_)
        | DefaultKind::Ulid
        | DefaultKind::Auto
        | DefaultKind::Sequence(_) => return None,
        DefaultKind::DbGenerated(None) => return None,
        DefaultKind::DbGenerated(Some(expr)) => expr.clone(),
        DefaultKind::Now => match provider {
            Provider::MySql => {
                let precision = match &column_type.base {
                    b if b.starts_with("DATETIME(") || b.starts_with("TIMESTAMP(") => {
                        b[b.find('(').unwrap_or(0)..].to_string()
                    }
                    _ => String::new(),
                };
                format!("CURRENT_TIMESTAMP{precision}")
            }
            _ => "CURRENT_TIMESTAMP".to_string(),
        },
        DefaultKind::Value(Literal::List(items)) => {
            let values: Vec<String> = items.iter().map(scalar).collect();
            format!("ARRAY[{}]::{}", values.join(", "), column_type.sql())
        }
        DefaultKind::Value(lit) => scalar(lit),
    })
}

/// `-12.50`, `3`: digits with an optional sign and one decimal point between digits.
fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Prisma renders DateTime defaults as `YYYY-MM-DD HH:MM:SS +00:00`.
fn datetime_literal(s: &str) -> String {
    // `2020-01-01T00:00:00Z` or `2020-01-01T00:00:00.123+02:00`
    let Some((date, rest)) = s.split_once('T') else {
        return s.to_string();
    };
    let (time, offset) = if let Some(t) = rest.strip_suffix('Z') {
        (t, "+00:00".to_string())
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], rest[i..].to_string())
    } else {
        (rest, "+00:00".to_string())
    };
    format!("{date} {time} {offset}")
}

fn base64_to_hex(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = String::new();
    for b in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push_str(&format!("{:02x}", (bits >> nbits) & 0xff));
        }
    }
    out
}

/// Implicit many-to-many relations: Prisma's `_AToB` tables.
fn join_tables(schema: &Schema, provider: Provider, db: &mut Database) {
    // Ordered by the model of column A, then its field: Prisma's order of join tables.
    let mut many: Vec<&schema::Relation> = schema
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::ManyToMany)
        .collect();
    many.sort_by_key(|r| (r.referencing.model, r.referencing.field));
    for r in many {
        let a_model = &schema.models[r.referencing.model];
        let b_model = &schema.models[r.referenced.model];
        let name = format!("_{}", r.name);
        let id_column = |m: &Model| -> Option<Column> {
            let pk = m.primary_key.as_ref()?;
            let f = m.field(&pk.fields.first()?.name)?;
            let mut t = column_type(schema, f, provider);
            t.is_list = false;
            Some(Column {
                name: String::new(),
                column_type: t,
                nullable: false,
                default: None,
                autoincrement: false,
            })
        };
        let (Some(mut a), Some(mut b)) = (id_column(a_model), id_column(b_model)) else {
            continue;
        };
        a.name = "A".into();
        b.name = "B".into();
        let col = IndexColumn::named;
        let fk = |col_name: &str, m: &Model| ForeignKey {
            name: constraint_name(&name, &[col_name], "fkey", provider),
            columns: vec![col_name.into()],
            referenced_schema: m.schema.clone(),
            referenced_table: m.database_name().to_string(),
            referenced_columns: m
                .primary_key
                .as_ref()
                .map(|pk| {
                    pk.fields
                        .iter()
                        .map(|f| db_column_name(m, &f.name))
                        .collect()
                })
                .unwrap_or_default(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::Cascade,
        };
        // PostgreSQL join tables have a primary key (Prisma 5+); the others a unique index.
        let (primary_key, mut indexes) =
            if matches!(provider, Provider::PostgreSql | Provider::CockroachDb) {
                (
                    Some(PrimaryKeyConstraint {
                        name: format!("{name}_AB_pkey"),
                        columns: vec![col("A"), col("B")],
                        clustered: None,
                    }),
                    Vec::new(),
                )
            } else {
                (
                    None,
                    vec![DbIndex {
                        name: format!("{name}_AB_unique"),
                        kind: DbIndexKind::Unique,
                        columns: vec![col("A"), col("B")],
                        algorithm: None,
                        clustered: None,
                    }],
                )
            };
        indexes.push(DbIndex {
            name: format!("{name}_B_index"),
            kind: DbIndexKind::Normal,
            columns: vec![col("B")],
            algorithm: None,
            clustered: None,
        });
        let foreign_keys = if schema.relation_mode() == RelationMode::ForeignKeys {
            vec![fk("A", a_model), fk("B", b_model)]
        } else {
            Vec::new()
        };
        db.tables.push(Table {
            // The join table lives in the schema of the first model.
            schema: a_model.schema.clone(),
            name,
            columns: vec![a, b],
            primary_key,
            indexes,
            foreign_keys,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_decimals_go_unquoted() {
        for (text, plain) in [
            ("2.00", true),
            ("-12.5", true),
            ("3", true),
            ("1e5", false),
            (".5", false),
            ("5.", false),
            ("2.0; DROP TABLE x", false),
            ("", false),
            ("-", false),
        ] {
            assert_eq!(super::is_plain_decimal(text), plain, "{text}");
        }
    }

    use super::*;

    #[test]
    fn names_are_truncated_like_prisma() {
        let t = "VeryLongTableNameThatGoesOnAndOnAndOnForeverAndEver";
        let cols = [
            "aVeryLongColumnNameNumberOneForTestingTruncation",
            "aVeryLongColumnNameNumberTwoForTestingTruncation",
        ];
        assert_eq!(
            constraint_name(t, &cols, "idx", Provider::PostgreSql),
            "VeryLongTableNameThatGoesOnAndOnAndOnForeverAndEver_aVeryLo_idx"
        );
        assert_eq!(
            constraint_name("User", &["email"], "key", Provider::PostgreSql),
            "User_email_key"
        );
        assert_eq!(primary_key_name("User", Provider::PostgreSql), "User_pkey");
        // prisma-xc's own names stay distinct when cut, and within the limit.
        let (a, b) = (
            format!("{}_a", "t".repeat(60)),
            format!("{}_b", "t".repeat(60)),
        );
        let (na, nb) = (
            owned_name(&a, "xc_sync", Provider::PostgreSql),
            owned_name(&b, "xc_sync", Provider::PostgreSql),
        );
        assert_ne!(na, nb);
        assert!(na.len() <= 63 && nb.len() <= 63, "{na} {nb}");
        let column = "c".repeat(63);
        assert_ne!(owned_name(&column, "xc_new", Provider::PostgreSql), column);
        assert_eq!(owned_name("v", "xc_new", Provider::PostgreSql), "v_xc_new");
        assert_eq!(operator_class_sql("JsonbPathOps"), "jsonb_path_ops");
        assert_eq!(
            datetime_literal("2020-01-01T00:00:00Z"),
            "2020-01-01 00:00:00 +00:00"
        );
    }
}
