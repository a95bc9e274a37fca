//! The resolved schema: what a Prisma schema means, independent of how it was written.
//!
//! Built from the syntax trees of all files of one schema by [`crate::resolve`]. Names are
//! Prisma's own: models, fields, relations, enums; database names (`@map`, `@@map`) sit beside
//! the Prisma names so later stages never need the syntax tree.

use serde::Serialize;

use crate::diagnostics::Span;

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub datasource: Option<Datasource>,
    pub generators: Vec<Generator>,
    /// Models and views, in source order (files in the order they were read).
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    pub composite_types: Vec<CompositeType>,
    pub relations: Vec<Relation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    PostgreSql,
    CockroachDb,
    MySql,
    Sqlite,
    SqlServer,
    MongoDb,
}

impl Provider {
    /// Accepts Prisma's spellings, including the `postgres` alias.
    pub fn from_name(name: &str) -> Option<Provider> {
        Some(match name {
            "postgresql" | "postgres" => Provider::PostgreSql,
            "cockroachdb" => Provider::CockroachDb,
            "mysql" => Provider::MySql,
            "sqlite" => Provider::Sqlite,
            "sqlserver" => Provider::SqlServer,
            "mongodb" => Provider::MongoDb,
            _ => return None,
        })
    }

    /// The name `migration_lock.toml` and Prisma's messages use.
    pub fn name(self) -> &'static str {
        match self {
            Provider::PostgreSql => "postgresql",
            Provider::CockroachDb => "cockroachdb",
            Provider::MySql => "mysql",
            Provider::Sqlite => "sqlite",
            Provider::SqlServer => "sqlserver",
            Provider::MongoDb => "mongodb",
        }
    }

    pub const ALL: [Provider; 6] = [
        Provider::PostgreSql,
        Provider::CockroachDb,
        Provider::MySql,
        Provider::Sqlite,
        Provider::SqlServer,
        Provider::MongoDb,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationMode {
    ForeignKeys,
    Prisma,
}

#[derive(Debug, Clone)]
pub struct Datasource {
    pub name: String,
    pub provider: Provider,
    /// As written, e.g. `postgres` for the alias.
    pub provider_name: String,
    pub relation_mode: RelationMode,
    /// Whether `relationMode` was written, or is the provider's default.
    pub relation_mode_explicit: bool,
    /// `schemas = ["public", "auth"]` (multi-schema).
    pub schemas: Vec<String>,
    pub extensions: Vec<Extension>,
    /// `url`, `directUrl` and `shadowDatabaseUrl` as written: Prisma 6 needs `url`, Prisma 7
    /// rejects all three (they moved to prisma.config.ts).
    pub connection_urls: Vec<(String, Span)>,
    pub span: Span,
}

/// `extensions = [pgvector(map: "vector", schema: "ext", version: "0.5")]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    pub db_name: Option<String>,
    pub schema: Option<String>,
    pub version: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Generator {
    pub name: String,
    pub provider: Option<String>,
    pub preview_features: Vec<(String, Span)>,
    /// `output`, relative to the folder of the file that declares the generator.
    pub output: Option<String>,
    /// `moduleFormat` and `importFileExtension` of the `prisma-client` generator.
    pub module_format: Option<String>,
    pub import_file_extension: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Model,
    View,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub kind: ModelKind,
    /// `@@map("users")`, if any.
    pub mapped_name: Option<String>,
    /// `@@schema("auth")`, if any.
    pub schema: Option<String>,
    pub fields: Vec<Field>,
    pub primary_key: Option<PrimaryKey>,
    /// `@unique`, `@@unique`, `@@index` and `@@fulltext`, in source order (field-level first).
    pub indexes: Vec<Index>,
    pub is_ignored: bool,
    pub documentation: Option<String>,
    /// Some line of the model failed to parse: checks of the whole model are skipped.
    pub is_incomplete: bool,
    pub span: Span,
    pub name_span: Span,
}

impl Model {
    /// The table (or view) name in the database.
    pub fn database_name(&self) -> &str {
        self.mapped_name.as_deref().unwrap_or(&self.name)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn scalar_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.is_relation())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arity {
    Required,
    Optional,
    List,
}

impl From<crate::ast::Arity> for Arity {
    fn from(a: crate::ast::Arity) -> Self {
        match a {
            crate::ast::Arity::Required => Arity::Required,
            crate::ast::Arity::Optional => Arity::Optional,
            crate::ast::Arity::List => Arity::List,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ScalarType {
    String,
    Boolean,
    Int,
    BigInt,
    Float,
    Decimal,
    DateTime,
    Json,
    Bytes,
}

impl ScalarType {
    pub fn from_name(name: &str) -> Option<ScalarType> {
        Some(match name {
            "String" => ScalarType::String,
            "Boolean" => ScalarType::Boolean,
            "Int" => ScalarType::Int,
            "BigInt" => ScalarType::BigInt,
            "Float" => ScalarType::Float,
            "Decimal" => ScalarType::Decimal,
            "DateTime" => ScalarType::DateTime,
            "Json" => ScalarType::Json,
            "Bytes" => ScalarType::Bytes,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ScalarType::String => "String",
            ScalarType::Boolean => "Boolean",
            ScalarType::Int => "Int",
            ScalarType::BigInt => "BigInt",
            ScalarType::Float => "Float",
            ScalarType::Decimal => "Decimal",
            ScalarType::DateTime => "DateTime",
            ScalarType::Json => "Json",
            ScalarType::Bytes => "Bytes",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    Scalar(ScalarType),
    Enum(String),
    Composite(String),
    /// A relation field: its details are in [`Field::relation`].
    Model(String),
    Unsupported(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// `@map("user_name")`, if any.
    pub mapped_name: Option<String>,
    pub field_type: FieldType,
    pub arity: Arity,
    /// `@db.VarChar(191)`.
    pub native_type: Option<Box<NativeType>>,
    pub default: Option<DefaultValue>,
    pub is_updated_at: bool,
    pub is_ignored: bool,
    /// The `@relation(...)` arguments of a relation field.
    pub relation: Option<Box<RelationAttribute>>,
    pub documentation: Option<String>,
    /// Text of a trailing `//` comment.
    pub comment: Option<String>,
    pub span: Span,
    pub name_span: Span,
}

impl Field {
    pub fn database_name(&self) -> &str {
        self.mapped_name.as_deref().unwrap_or(&self.name)
    }

    pub fn is_relation(&self) -> bool {
        matches!(self.field_type, FieldType::Model(_))
    }

    pub fn is_required(&self) -> bool {
        self.arity == Arity::Required
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeType {
    /// `VarChar`, `Timestamptz`, ...
    pub name: String,
    /// Arguments as written: `191`, `Max`, `6`.
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DefaultValue {
    pub kind: DefaultKind,
    /// `@default(..., map: "DF_x")` (SQL Server constraint name).
    pub map: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultKind {
    Autoincrement,
    Now,
    /// `uuid()` is version 4.
    Uuid(u8),
    /// `cuid()` is version 1.
    Cuid(u8),
    Nanoid(Option<u8>),
    Ulid,
    /// `dbgenerated("gen_random_uuid()")`; `None` for a bare `dbgenerated()`.
    DbGenerated(Option<String>),
    /// CockroachDB `sequence(...)`, arguments as written.
    Sequence(Vec<(String, String)>),
    /// MongoDB `auto()`.
    Auto,
    Value(Literal),
}

impl DefaultKind {
    /// Computed by Prisma Client, not by the database.
    pub fn is_client_side(&self) -> bool {
        matches!(
            self,
            DefaultKind::Uuid(_)
                | DefaultKind::Cuid(_)
                | DefaultKind::Nanoid(_)
                | DefaultKind::Ulid
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    /// Kept as written, so `1.50` stays `1.50`.
    Number(String),
    Boolean(bool),
    EnumValue(String),
    List(Vec<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// One column of a key or index, with its per-column options.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexField {
    pub name: String,
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
    /// PostgreSQL operator class, e.g. `JsonbPathOps` or `raw("text_pattern_ops")`.
    pub ops: Option<OperatorClass>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorClass {
    Named(String),
    Raw(String),
}

#[derive(Debug, Clone)]
pub struct PrimaryKey {
    pub fields: Vec<IndexField>,
    /// `@@id(name: ...)`: the Prisma Client name of a compound id.
    pub name: Option<String>,
    /// `map:`: the constraint name in the database.
    pub map: Option<String>,
    pub clustered: Option<bool>,
    /// Whether it came from `@id` on one field.
    pub from_field: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexKind {
    Unique,
    Normal,
    Fulltext,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub kind: IndexKind,
    pub fields: Vec<IndexField>,
    /// Client name of a compound unique (`name:`).
    pub name: Option<String>,
    /// Database name (`map:`).
    pub map: Option<String>,
    /// `type: Gin` and friends (PostgreSQL access method).
    pub algorithm: Option<String>,
    pub clustered: Option<bool>,
    /// Whether it came from `@unique` on one field.
    pub from_field: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReferentialAction {
    Cascade,
    Restrict,
    NoAction,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Cascade" => ReferentialAction::Cascade,
            "Restrict" => ReferentialAction::Restrict,
            "NoAction" => ReferentialAction::NoAction,
            "SetNull" => ReferentialAction::SetNull,
            "SetDefault" => ReferentialAction::SetDefault,
            _ => return None,
        })
    }
}

/// The arguments of `@relation(...)` on one relation field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelationAttribute {
    pub name: Option<String>,
    pub fields: Vec<String>,
    pub references: Vec<String>,
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    /// Foreign key constraint name.
    pub map: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationKind {
    OneToOne,
    OneToMany,
    /// Implicit many-to-many: a join table `_Name` that no model declares.
    ManyToMany,
}

/// Points at one relation field: `models[model].fields[field]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef {
    pub model: usize,
    pub field: usize,
}

/// A relation resolved to both of its sides.
#[derive(Debug, Clone)]
pub struct Relation {
    /// The explicit name, or Prisma's default (`AToB`, model names sorted).
    pub name: String,
    pub kind: RelationKind,
    /// The side holding `fields`/`references` (the foreign key side); for many-to-many, the
    /// side whose model name sorts first (column `A` of the join table).
    pub referencing: FieldRef,
    /// The other side.
    pub referenced: FieldRef,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    pub mapped_name: Option<String>,
    pub schema: Option<String>,
    pub values: Vec<EnumValue>,
    pub documentation: Option<String>,
    pub span: Span,
}

impl Enum {
    pub fn database_name(&self) -> &str {
        self.mapped_name.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub name: String,
    pub mapped_name: Option<String>,
    pub comment: Option<String>,
    pub span: Span,
}

impl EnumValue {
    pub fn database_name(&self) -> &str {
        self.mapped_name.as_deref().unwrap_or(&self.name)
    }
}

/// MongoDB composite type (`type Address { ... }`).
#[derive(Debug, Clone)]
pub struct CompositeType {
    pub name: String,
    pub fields: Vec<Field>,
    pub span: Span,
}

impl Schema {
    pub fn provider(&self) -> Option<Provider> {
        self.datasource.as_ref().map(|d| d.provider)
    }

    pub fn relation_mode(&self) -> RelationMode {
        self.datasource
            .as_ref()
            .map(|d| d.relation_mode)
            .unwrap_or(RelationMode::ForeignKeys)
    }

    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }

    pub fn enum_by_name(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }

    pub fn field(&self, r: FieldRef) -> &Field {
        &self.models[r.model].fields[r.field]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::schema;

    #[test]
    fn a_provider_is_named_alike_in_the_schema_in_plan_json_and_in_messages() {
        use Provider::*;
        for provider in [PostgreSql, CockroachDb, MySql, Sqlite, SqlServer, MongoDb] {
            assert_eq!(Provider::from_name(provider.name()), Some(provider));
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{}\"", provider.name()));
            assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), provider);
        }
        assert_eq!(Provider::from_name("postgres"), Some(PostgreSql));
        assert_eq!(Provider::from_name("oracle"), None);
    }

    #[test]
    fn database_names_follow_map_and_defaults_their_kind() {
        let s = schema(
            "postgresql",
            "enum Tier {\n  FREE @map(\"free\")\n  PRO\n\n  @@map(\"tier\")\n}\n\n\
             model User {\n  id    String @id @default(uuid())\n  email String @map(\"mail\")\n  tier  Tier   @default(FREE)\n  at    DateTime @default(now())\n  posts Post[]\n\n  @@map(\"users\")\n}\n\n\
             model Post {\n  id       Int    @id @default(autoincrement())\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n",
        );
        assert_eq!(s.provider(), Some(Provider::PostgreSql));
        assert_eq!(s.relation_mode(), RelationMode::ForeignKeys);
        let user = s.model("User").unwrap();
        assert_eq!(user.database_name(), "users");
        let names: Vec<&str> = user.scalar_fields().map(Field::database_name).collect();
        assert_eq!(names, ["id", "mail", "tier", "at"]);
        assert!(user.field("posts").unwrap().is_relation());
        assert!(user.field("email").unwrap().is_required());
        let tier = s.enum_by_name("Tier").unwrap();
        assert_eq!(tier.database_name(), "tier");
        let values: Vec<&str> = tier.values.iter().map(EnumValue::database_name).collect();
        assert_eq!(values, ["free", "PRO"]);
        let default = |model: &str, field: &str| {
            let f = s.model(model).unwrap().field(field).unwrap();
            f.default.as_ref().map(|d| d.kind.is_client_side())
        };
        assert_eq!(
            default("User", "id"),
            Some(true),
            "uuid() is Prisma Client's"
        );
        assert_eq!(
            default("User", "at"),
            Some(false),
            "now() is the database's"
        );
        assert_eq!(default("Post", "id"), Some(false));
        assert_eq!(default("User", "email"), None);
    }
}
