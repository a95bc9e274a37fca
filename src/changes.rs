//! Two schemas (and their databases) -> the typed list of what changed.
//!
//! Models, fields, enums and values are matched by name, through the declared renames; the
//! database model of each side ([`crate::database`]) then says what each change means for
//! tables, columns, indexes and constraints. Where two schemas look like a rename that was not
//! declared, a [`Suggestion`] says how to declare it.

use crate::hashing::{FastMap, FastSet};

use serde::Serialize;

use crate::database::{Column, ColumnType, Database, DbIndex, DbIndexKind, ForeignKey, Table};
use crate::diagnostics::Span;
use crate::directives::Target;
use crate::renames::{Origin, Renames};
use crate::schema::{
    Arity, DefaultKind, Enum, Field, FieldType, Model, ModelKind, Provider, RelationMode, Schema,
};

/// Which schema a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Old(Span),
    New(Span),
}

/// What the report lists a change under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "camelCase")]
pub enum Group {
    Datasource,
    Model(String),
    View(String),
    Enum(String),
    CompositeType(String),
    /// A table no model declares: the join table of an implicit many-to-many relation.
    Table(String),
}

/// A column as far as the rules care about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnFacts {
    pub name: String,
    /// SQL type as Prisma writes it; the Prisma type on MongoDB.
    pub sql_type: String,
    pub nullable: bool,
    /// The database default, as SQL.
    pub default: Option<String>,
    /// The default is computed per row by the database (`gen_random_uuid()`, a sequence).
    pub volatile_default: bool,
    /// The value comes from Prisma Client (`uuid()`, `cuid()`), not the database.
    pub client_default: bool,
    pub autoincrement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ChangeKind {
    ProviderChanged {
        from: Provider,
        to: Provider,
    },
    RelationModeChanged {
        from: RelationMode,
        to: RelationMode,
    },
    ModelAdded {
        model: String,
        table: String,
    },
    ModelRemoved {
        model: String,
        table: String,
    },
    ViewAdded {
        view: String,
    },
    ViewRemoved {
        view: String,
    },
    /// The model's name or its `@@map` changed; `table_from == table_to` when only Prisma's
    /// name changed.
    ModelRenamed {
        from: String,
        to: String,
        table_from: String,
        table_to: String,
        declared: bool,
    },
    TableMoved {
        table: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// A join table of an implicit many-to-many relation.
    RelationTableAdded {
        table: String,
    },
    RelationTableRemoved {
        table: String,
    },
    FieldAdded {
        model: String,
        field: String,
        table: String,
        column: ColumnFacts,
    },
    FieldRemoved {
        model: String,
        field: String,
        table: String,
        column: ColumnFacts,
    },
    /// The field's name or its `@map` changed; `column_from == column_to` when only Prisma's
    /// name changed.
    FieldRenamed {
        model: String,
        from: String,
        to: String,
        table: String,
        column_from: String,
        column_to: String,
        declared: bool,
    },
    ColumnTypeChanged {
        model: String,
        field: String,
        table: String,
        column: String,
        from: ChangedType,
        to: ChangedType,
        /// Whether Prisma's migration converts the values with a cast; `false` means it drops
        /// the column and adds it again, losing its data.
        #[serde(skip)]
        castable: bool,
    },
    ColumnMadeRequired {
        model: String,
        field: String,
        table: String,
        column: String,
        has_default: bool,
    },
    ColumnMadeOptional {
        model: String,
        field: String,
        table: String,
        column: String,
    },
    DefaultChanged {
        model: String,
        field: String,
        table: String,
        column: String,
        from: Option<String>,
        to: Option<String>,
        nullable: bool,
    },
    AutoincrementAdded {
        model: String,
        field: String,
        table: String,
        column: String,
    },
    AutoincrementRemoved {
        model: String,
        field: String,
        table: String,
        column: String,
    },
    PrimaryKeyChanged {
        table: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    IndexAdded {
        table: String,
        index: String,
        unique: bool,
        fulltext: bool,
        columns: Vec<String>,
    },
    IndexRemoved {
        table: String,
        index: String,
        unique: bool,
        columns: Vec<String>,
    },
    IndexRenamed {
        table: String,
        from: String,
        to: String,
    },
    ForeignKeyAdded {
        table: String,
        foreign_key: String,
        columns: Vec<String>,
        referenced_table: String,
    },
    ForeignKeyRemoved {
        table: String,
        foreign_key: String,
        columns: Vec<String>,
        referenced_table: String,
    },
    ForeignKeyActionsChanged {
        table: String,
        foreign_key: String,
        on_delete: (String, String),
        on_update: (String, String),
    },
    ForeignKeyRenamed {
        table: String,
        from: String,
        to: String,
    },
    EnumAdded {
        enumeration: String,
    },
    EnumRemoved {
        enumeration: String,
    },
    EnumRenamed {
        from: String,
        to: String,
        type_from: String,
        type_to: String,
        declared: bool,
    },
    EnumValueAdded {
        enumeration: String,
        value: String,
    },
    EnumValueRemoved {
        enumeration: String,
        value: String,
    },
    EnumValueRenamed {
        enumeration: String,
        from: String,
        to: String,
        db_from: String,
        db_to: String,
        declared: bool,
    },
    EnumMoved {
        enumeration: String,
        from: Option<String>,
        to: Option<String>,
    },
    CompositeTypeAdded {
        name: String,
    },
    CompositeTypeRemoved {
        name: String,
    },
    CompositeTypeChanged {
        name: String,
        fields_added: Vec<String>,
        fields_removed: Vec<String>,
    },
}

/// One side of a type change: the column's type, or on MongoDB (no columns) the field's
/// Prisma type. Reports show it as the database (or Prisma) writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangedType {
    Column(ColumnType),
    Prisma(String),
}

impl ChangedType {
    /// The column type, for the rules that judge what the database does.
    pub fn column(&self) -> Option<&ColumnType> {
        match self {
            ChangedType::Column(c) => Some(c),
            ChangedType::Prisma(_) => None,
        }
    }
}

impl std::fmt::Display for ChangedType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangedType::Column(c) => f.write_str(&c.sql()),
            ChangedType::Prisma(t) => f.write_str(t),
        }
    }
}

impl Serialize for ChangedType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub group: Group,
    pub kind: ChangeKind,
    pub location: Option<Location>,
    /// The element of the new schema whose `// prisma-xc: allow` directives apply.
    pub anchor: Target,
}

impl Change {
    /// The table and column it is about, in database names, when there is one.
    pub fn table_column(&self) -> (Option<&str>, Option<&str>) {
        use ChangeKind::*;
        match &self.kind {
            ModelAdded { table, .. }
            | ModelRemoved { table, .. }
            | TableMoved { table, .. }
            | RelationTableAdded { table }
            | RelationTableRemoved { table }
            | PrimaryKeyChanged { table, .. }
            | IndexAdded { table, .. }
            | IndexRemoved { table, .. }
            | IndexRenamed { table, .. }
            | ForeignKeyAdded { table, .. }
            | ForeignKeyRemoved { table, .. }
            | ForeignKeyActionsChanged { table, .. }
            | ForeignKeyRenamed { table, .. } => (Some(table), None),
            ModelRenamed { table_to, .. } => (Some(table_to), None),
            FieldAdded { table, column, .. } | FieldRemoved { table, column, .. } => {
                (Some(table), Some(&column.name))
            }
            FieldRenamed {
                table, column_to, ..
            } => (Some(table), Some(column_to)),
            ColumnTypeChanged { table, column, .. }
            | ColumnMadeRequired { table, column, .. }
            | ColumnMadeOptional { table, column, .. }
            | DefaultChanged { table, column, .. }
            | AutoincrementAdded { table, column, .. }
            | AutoincrementRemoved { table, column, .. } => (Some(table), Some(column)),
            _ => (None, None),
        }
    }
}

/// A rename prisma-xc suspects but was not told about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub group: Group,
    /// `User.user_name` -> `User.username`, in Prisma names.
    pub from: String,
    pub to: String,
    /// The exact flag that declares it.
    pub flag: String,
    /// The exact comment that declares it, for the line of `to`.
    pub directive: String,
    #[serde(skip)]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub suggestions: Vec<Suggestion>,
}

/// The two sides to compare. The databases are `None` on MongoDB, which has none.
pub struct Sides<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub old_db: Option<&'a Database>,
    pub new_db: Option<&'a Database>,
}

type TableKey<'a> = (Option<&'a str>, &'a str);

fn table_index(db: Option<&Database>) -> FastMap<TableKey<'_>, &Table> {
    db.map(|db| {
        db.tables
            .iter()
            .map(|t| ((t.schema.as_deref(), t.name.as_str()), t))
            .collect()
    })
    .unwrap_or_default()
}

/// New model name -> old model. Undeclared, a model is the same model when its Prisma name or
/// its table name stayed: a new Prisma name on the old table (`@@map("old")`) renames in
/// Prisma only, and a new `@@map` under the old Prisma name renames the table (where Prisma
/// itself would drop the table and create an empty one). A model whose names both changed is
/// a dropped table and a new one, with a suggestion to declare the rename. Declared renames
/// match whatever the names. Also the names of the old models matched.
fn match_models<'a>(
    old: &'a Schema,
    new: &'a Schema,
    renames: &Renames,
) -> (FastMap<&'a str, &'a Model>, FastSet<&'a str>) {
    let new_models: FastMap<&str, &Model> =
        new.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut old_of_new: FastMap<&str, &Model> =
        FastMap::with_capacity_and_hasher(old.models.len(), Default::default());
    let mut matched_old: FastSet<&str> =
        FastSet::with_capacity_and_hasher(old.models.len(), Default::default());
    for m in &old.models {
        let new_name = renames.model(&m.name);
        let declared = renames.models.contains_key(&m.name);
        if new_models.get(new_name).is_some_and(|n| {
            declared
                || n.database_name() == m.database_name()
                || (n.kind == ModelKind::Model && m.kind == ModelKind::Model)
        }) {
            old_of_new.insert(new_models[new_name].name.as_str(), m);
            matched_old.insert(m.name.as_str());
        }
    }
    for m in &new.models {
        if old_of_new.contains_key(m.name.as_str()) {
            continue;
        }
        if let Some(o) = old.models.iter().find(|o| {
            !matched_old.contains(o.name.as_str())
                && !new_models.contains_key(o.name.as_str())
                && o.kind == m.kind
                && o.database_name() == m.database_name()
                && o.schema == m.schema
        }) {
            old_of_new.insert(m.name.as_str(), o);
            matched_old.insert(o.name.as_str());
        }
    }
    (old_of_new, matched_old)
}

/// Compare two schemas. Pure; the order of the result follows the new schema, then the old one.
pub fn diff(sides: &Sides, renames: &Renames) -> Diff {
    let mut out = Diff::default();
    let (old, new) = (sides.old, sides.new);
    let old_tables = table_index(sides.old_db);
    let new_tables = table_index(sides.new_db);
    let provider = new
        .provider()
        .or(old.provider())
        .unwrap_or(Provider::PostgreSql);

    datasource(old, new, &mut out);

    // Enums first: a column whose enum was renamed keeps its type.
    let enum_map = enums(old, new, renames, provider, &mut out);

    let (old_of_new, matched_old) = match_models(old, new, renames);

    // Tables renamed with their model: a foreign key that pointed at the old name is the same
    // key when it points at the new one (the database follows the table, not its name).
    let table_renames: FastMap<&str, &str> = new
        .models
        .iter()
        .filter_map(|nm| {
            let om = old_of_new.get(nm.name.as_str())?;
            (om.database_name() != nm.database_name())
                .then(|| (om.database_name(), nm.database_name()))
        })
        .collect();
    let mut handled_tables: FastSet<TableKey> =
        FastSet::with_capacity_and_hasher(2 * new.models.len(), Default::default());
    for nm in &new.models {
        // Built only for a change: on a large schema most models have none.
        let group = || match nm.kind {
            ModelKind::Model => Group::Model(nm.name.clone()),
            ModelKind::View => Group::View(nm.name.clone()),
        };
        let anchor = || Target::Model(nm.name.clone());
        let Some(om) = old_of_new.get(nm.name.as_str()).copied() else {
            let kind = match nm.kind {
                ModelKind::Model => ChangeKind::ModelAdded {
                    model: nm.name.clone(),
                    table: nm.database_name().to_string(),
                },
                ModelKind::View => ChangeKind::ViewAdded {
                    view: nm.name.clone(),
                },
            };
            out.changes.push(Change {
                group: group(),
                kind,
                location: Some(Location::New(nm.name_span)),
                anchor: anchor(),
            });
            continue;
        };
        if om.name != nm.name || om.database_name() != nm.database_name() {
            out.changes.push(Change {
                group: group(),
                kind: ChangeKind::ModelRenamed {
                    from: om.name.clone(),
                    to: nm.name.clone(),
                    table_from: om.database_name().to_string(),
                    table_to: nm.database_name().to_string(),
                    declared: renames.models.contains_key(&om.name),
                },
                location: Some(Location::New(nm.name_span)),
                anchor: anchor(),
            });
        }
        if nm.kind == ModelKind::View {
            // Prisma does not migrate views; only their Prisma Client shape changes.
            continue;
        }
        if om.schema != nm.schema {
            out.changes.push(Change {
                group: group(),
                kind: ChangeKind::TableMoved {
                    table: nm.database_name().to_string(),
                    from: om.schema.clone(),
                    to: nm.schema.clone(),
                },
                location: Some(Location::New(nm.name_span)),
                anchor: anchor(),
            });
        }
        let ot = old_tables
            .get(&(om.schema.as_deref(), om.database_name()))
            .copied();
        let nt = new_tables
            .get(&(nm.schema.as_deref(), nm.database_name()))
            .copied();
        handled_tables.insert((om.schema.as_deref(), om.database_name()));
        handled_tables.insert((nm.schema.as_deref(), nm.database_name()));
        let context = FieldContext {
            renames,
            enum_map: &enum_map,
            provider,
        };
        // Most models of a large schema do not change: the same table under the same field
        // names has nothing to report, and comparing it field by field would cost more than
        // everything else.
        if ot.is_some() && ot == nt && renames.fields.is_empty() && same_field_names(om, nm) {
            continue;
        }
        let (group, anchor) = (group(), anchor());
        let column_renames = model_fields(om, nm, ot, nt, &group, &context, &mut out);
        if let (Some(ot), Some(nt)) = (ot, nt) {
            let renamed = Renamed {
                columns: &column_renames,
                tables: &table_renames,
            };
            table_constraints(ot, nt, &renamed, &group, &anchor, nm, &mut out);
        }
    }
    removed_models(old, &matched_old, &mut out);
    relation_tables(sides, &handled_tables, &mut out);
    composite_types(old, new, &mut out);
    suggest(
        old,
        new,
        &old_of_new,
        &matched_old,
        renames,
        &out.changes,
        &mut out.suggestions,
    );
    out
}

/// Models and views of the old schema that no model of the new one continues.
fn removed_models(old: &Schema, matched_old: &FastSet<&str>, out: &mut Diff) {
    for om in &old.models {
        if matched_old.contains(om.name.as_str()) {
            continue;
        }
        let (group, kind) = match om.kind {
            ModelKind::Model => (
                Group::Model(om.name.clone()),
                ChangeKind::ModelRemoved {
                    model: om.name.clone(),
                    table: om.database_name().to_string(),
                },
            ),
            ModelKind::View => (
                Group::View(om.name.clone()),
                ChangeKind::ViewRemoved {
                    view: om.name.clone(),
                },
            ),
        };
        out.changes.push(Change {
            group,
            kind,
            location: Some(Location::Old(om.name_span)),
            anchor: Target::Schema,
        });
    }
}

fn datasource(old: &Schema, new: &Schema, out: &mut Diff) {
    let (Some(od), Some(nd)) = (&old.datasource, &new.datasource) else {
        return;
    };
    if od.provider != nd.provider {
        out.changes.push(Change {
            group: Group::Datasource,
            kind: ChangeKind::ProviderChanged {
                from: od.provider,
                to: nd.provider,
            },
            location: Some(Location::New(nd.span)),
            anchor: Target::Schema,
        });
    } else if old.relation_mode() != new.relation_mode() {
        out.changes.push(Change {
            group: Group::Datasource,
            kind: ChangeKind::RelationModeChanged {
                from: old.relation_mode(),
                to: new.relation_mode(),
            },
            location: Some(Location::New(nd.span)),
            anchor: Target::Schema,
        });
    }
}

/// Returns old enum name -> new enum name for every enum that is still there.
fn enums(
    old: &Schema,
    new: &Schema,
    renames: &Renames,
    provider: Provider,
    out: &mut Diff,
) -> FastMap<String, String> {
    let mut map = FastMap::default();
    // Only PostgreSQL and CockroachDB have enum types; elsewhere an enum lives in its columns.
    let has_types = matches!(provider, Provider::PostgreSql | Provider::CockroachDb);
    let mut matched_old = FastSet::default();
    for ne in &new.enums {
        let group = Group::Enum(ne.name.clone());
        let anchor = Target::Enum(ne.name.clone());
        let oe = old
            .enums
            .iter()
            .find(|oe| {
                renames.enumeration(&oe.name) == ne.name
                    && (renames.enums.contains_key(&oe.name)
                        || !has_types
                        || oe.database_name() == ne.database_name())
            })
            .or_else(|| {
                // Same database type under a new Prisma name (`@@map("old")`).
                old.enums.iter().find(|oe| {
                    new.enum_by_name(&oe.name).is_none()
                        && !renames.enums.contains_key(&oe.name)
                        && oe.database_name() == ne.database_name()
                })
            });
        let Some(oe) = oe else {
            out.changes.push(Change {
                group,
                kind: ChangeKind::EnumAdded {
                    enumeration: ne.name.clone(),
                },
                location: Some(Location::New(ne.span)),
                anchor,
            });
            continue;
        };
        matched_old.insert(oe.name.as_str());
        map.insert(oe.name.clone(), ne.name.clone());
        if oe.name != ne.name || (has_types && oe.database_name() != ne.database_name()) {
            out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::EnumRenamed {
                    from: oe.name.clone(),
                    to: ne.name.clone(),
                    type_from: oe.database_name().to_string(),
                    type_to: ne.database_name().to_string(),
                    declared: renames.enums.contains_key(&oe.name),
                },
                location: Some(Location::New(ne.span)),
                anchor: anchor.clone(),
            });
        }
        if has_types && oe.schema != ne.schema {
            out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::EnumMoved {
                    enumeration: ne.name.clone(),
                    from: oe.schema.clone(),
                    to: ne.schema.clone(),
                },
                location: Some(Location::New(ne.span)),
                anchor: anchor.clone(),
            });
        }
        enum_values(oe, ne, &group, renames, out);
    }
    for oe in &old.enums {
        if !matched_old.contains(oe.name.as_str()) {
            out.changes.push(Change {
                group: Group::Enum(oe.name.clone()),
                kind: ChangeKind::EnumRemoved {
                    enumeration: oe.name.clone(),
                },
                location: Some(Location::Old(oe.span)),
                anchor: Target::Schema,
            });
        }
    }
    map
}

fn enum_values(oe: &Enum, ne: &Enum, group: &Group, renames: &Renames, out: &mut Diff) {
    let mut matched = FastSet::default();
    for nv in &ne.values {
        let anchor = Target::EnumValue {
            enumeration: ne.name.clone(),
            value: nv.name.clone(),
        };
        let ov = oe
            .values
            .iter()
            .find(|ov| {
                renames.enum_value(&oe.name, &ov.name) == nv.name
                    && (renames
                        .enum_values
                        .contains_key(&(oe.name.clone(), ov.name.clone()))
                        || ov.database_name() == nv.database_name())
            })
            .or_else(|| {
                // `OWNER @map("ADMIN")` keeps the stored value: the same value, renamed in Prisma.
                oe.values.iter().find(|ov| {
                    !ne.values.iter().any(|x| x.name == ov.name)
                        && ov.database_name() == nv.database_name()
                })
            });
        match ov {
            None => out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::EnumValueAdded {
                    enumeration: ne.name.clone(),
                    value: nv.name.clone(),
                },
                location: Some(Location::New(nv.span)),
                anchor,
            }),
            Some(ov) => {
                matched.insert(ov.name.as_str());
                if ov.name != nv.name || ov.database_name() != nv.database_name() {
                    out.changes.push(Change {
                        group: group.clone(),
                        kind: ChangeKind::EnumValueRenamed {
                            enumeration: ne.name.clone(),
                            from: ov.name.clone(),
                            to: nv.name.clone(),
                            db_from: ov.database_name().to_string(),
                            db_to: nv.database_name().to_string(),
                            declared: renames
                                .enum_values
                                .contains_key(&(oe.name.clone(), ov.name.clone())),
                        },
                        location: Some(Location::New(nv.span)),
                        anchor,
                    });
                }
            }
        }
    }
    for ov in &oe.values {
        if !matched.contains(ov.name.as_str()) {
            out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::EnumValueRemoved {
                    enumeration: ne.name.clone(),
                    value: ov.name.clone(),
                },
                location: Some(Location::Old(ov.span)),
                anchor: Target::Enum(ne.name.clone()),
            });
        }
    }
}

/// What a column is, from the database model when there is one, else from the Prisma field.
fn column_facts(field: &Field, table: Option<&Table>) -> ColumnFacts {
    let default_kind = field.default.as_ref().map(|d| &d.kind);
    let client_default = default_kind.is_some_and(DefaultKind::is_client_side);
    match table.and_then(|t| t.column(field.database_name())) {
        Some(c) => ColumnFacts {
            name: c.name.clone(),
            sql_type: c.column_type.sql(),
            nullable: c.nullable,
            default: c.default.as_ref().map(|d| d.sql.clone()),
            volatile_default: c.default.as_ref().is_some_and(|d| d.volatile),
            client_default,
            autoincrement: c.autoincrement,
        },
        None => ColumnFacts {
            name: field.database_name().to_string(),
            sql_type: prisma_type(field),
            nullable: field.arity != Arity::Required,
            default: default_kind.map(prisma_default),
            volatile_default: false,
            client_default,
            autoincrement: matches!(default_kind, Some(DefaultKind::Autoincrement)),
        },
    }
}

/// A default as written in the schema, for providers without SQL (MongoDB).
fn prisma_default(kind: &DefaultKind) -> String {
    use crate::schema::Literal;
    fn literal(l: &Literal) -> String {
        match l {
            Literal::String(s) => format!("{s:?}"),
            Literal::Number(n) => n.clone(),
            Literal::Boolean(b) => b.to_string(),
            Literal::EnumValue(v) => v.clone(),
            Literal::List(items) => {
                format!(
                    "[{}]",
                    items.iter().map(literal).collect::<Vec<_>>().join(", ")
                )
            }
        }
    }
    match kind {
        DefaultKind::Autoincrement => "autoincrement()".into(),
        DefaultKind::Now => "now()".into(),
        DefaultKind::Uuid(_) => "uuid()".into(),
        DefaultKind::Cuid(_) => "cuid()".into(),
        DefaultKind::Nanoid(_) => "nanoid()".into(),
        DefaultKind::Ulid => "ulid()".into(),
        DefaultKind::DbGenerated(e) => format!(
            "dbgenerated({})",
            e.as_deref().map(|e| format!("{e:?}")).unwrap_or_default()
        ),
        DefaultKind::Sequence(_) => "sequence()".into(),
        DefaultKind::Auto => "auto()".into(),
        DefaultKind::Value(l) => literal(l),
    }
}

fn prisma_type(field: &Field) -> String {
    let base = match &field.field_type {
        FieldType::Scalar(s) => s.name().to_string(),
        FieldType::Enum(n) | FieldType::Composite(n) | FieldType::Model(n) => n.clone(),
        FieldType::Unsupported(u) => format!("Unsupported(\"{u}\")"),
    };
    let native = field
        .native_type
        .as_ref()
        .map(|n| {
            if n.args.is_empty() {
                format!(" @db.{}", n.name)
            } else {
                format!(" @db.{}({})", n.name, n.args.join(", "))
            }
        })
        .unwrap_or_default();
    let suffix = match field.arity {
        Arity::Required => "",
        Arity::Optional => "?",
        Arity::List => "[]",
    };
    format!("{base}{suffix}{native}")
}

/// Compare the fields of one model; returns old column name -> new column name for every
/// column that was renamed, so that constraints on it are compared under its new name.
fn model_fields(
    om: &Model,
    nm: &Model,
    ot: Option<&Table>,
    nt: Option<&Table>,
    group: &Group,
    context: &FieldContext,
    out: &mut Diff,
) -> FastMap<String, String> {
    let renames = context.renames;
    let mut column_renames = FastMap::default();
    let table = nm.database_name().to_string();
    let mut matched_old = FastSet::default();
    // Virtual relation fields have no column: only their foreign keys (compared on the tables)
    // reach the database.
    let has_column = |f: &Field| !f.is_relation();
    for nf in nm.fields.iter().filter(|f| has_column(f)) {
        // Built only for a change: most fields do not change, and a large schema has many.
        let anchor = || Target::Field {
            model: nm.name.clone(),
            field: nf.name.clone(),
        };
        let at = Some(Location::New(nf.span));
        let of = om
            .fields
            .iter()
            .filter(|f| has_column(f))
            // Declared, or under the same Prisma name: a changed `@map` renames the column.
            .find(|of| renames.field(&om.name, &of.name) == nf.name)
            .or_else(|| {
                // A field renamed in Prisma only (`username String @map("user_name")`) keeps its
                // column: that is the same field, declared or not.
                om.fields.iter().filter(|f| has_column(f)).find(|of| {
                    nm.field(&of.name).is_none()
                        && renames.origin_of_field(&om.name, &of.name).is_none()
                        && of.database_name() == nf.database_name()
                })
            });
        let Some(of) = of else {
            out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::FieldAdded {
                    model: nm.name.clone(),
                    field: nf.name.clone(),
                    table: table.clone(),
                    column: column_facts(nf, nt),
                },
                location: at,
                anchor: anchor(),
            });
            continue;
        };
        matched_old.insert(of.name.as_str());
        if of.name != nf.name || of.database_name() != nf.database_name() {
            let column = nf.database_name().to_string();
            column_renames.insert(of.database_name().to_string(), column.clone());
            out.changes.push(Change {
                group: group.clone(),
                kind: ChangeKind::FieldRenamed {
                    model: nm.name.clone(),
                    from: of.name.clone(),
                    to: nf.name.clone(),
                    table: table.clone(),
                    column_from: of.database_name().to_string(),
                    column_to: column.clone(),
                    declared: matches!(
                        renames.origin_of_field(&om.name, &of.name),
                        Some(Origin::Flag | Origin::Directive(_))
                    ),
                },
                location: at,
                anchor: anchor(),
            });
        }
        let oc = ot.and_then(|t| t.column(of.database_name()));
        let nc = nt.and_then(|t| t.column(nf.database_name()));
        let mut push = |kind: ChangeKind| {
            out.changes.push(Change {
                group: group.clone(),
                kind,
                location: at,
                anchor: anchor(),
            })
        };
        let names = ColumnNames {
            model: &nm.name,
            field: &nf.name,
            table: &table,
        };
        match (oc, nc) {
            (Some(oc), Some(nc)) => {
                let same_enum = match (&of.field_type, &nf.field_type) {
                    (FieldType::Enum(a), FieldType::Enum(b)) => context.enum_map.get(a) == Some(b),
                    _ => false,
                };
                column_changes(oc, nc, &names, same_enum, context.provider, &mut push)
            }
            _ => {
                // MongoDB: compare the Prisma types.
                let (pt, nt_) = (prisma_type(of), prisma_type(nf));
                if pt != nt_ {
                    push(ChangeKind::ColumnTypeChanged {
                        model: nm.name.clone(),
                        field: nf.name.clone(),
                        table: table.clone(),
                        column: nf.database_name().to_string(),
                        from: ChangedType::Prisma(pt),
                        to: ChangedType::Prisma(nt_),
                        castable: true,
                    });
                }
            }
        }
    }
    for of in om.fields.iter().filter(|f| has_column(f)) {
        if matched_old.contains(of.name.as_str()) {
            continue;
        }
        out.changes.push(Change {
            group: group.clone(),
            kind: ChangeKind::FieldRemoved {
                model: nm.name.clone(),
                field: of.name.clone(),
                table: table.clone(),
                column: column_facts(of, ot),
            },
            location: Some(Location::Old(of.span)),
            anchor: Target::Model(nm.name.clone()),
        });
    }
    column_renames
}

fn same_field_names(om: &Model, nm: &Model) -> bool {
    om.fields.len() == nm.fields.len()
        && om
            .fields
            .iter()
            .zip(&nm.fields)
            .all(|(a, b)| a.name == b.name)
}

/// What [`model_fields`] needs besides the two models.
struct FieldContext<'a> {
    renames: &'a Renames,
    enum_map: &'a FastMap<String, String>,
    provider: Provider,
}

struct ColumnNames<'a> {
    model: &'a str,
    field: &'a str,
    table: &'a str,
}

fn default_sql(c: &Column) -> Option<&str> {
    c.default.as_ref().map(|d| d.sql.as_str())
}

fn column_changes(
    oc: &Column,
    nc: &Column,
    names: &ColumnNames,
    same_enum: bool,
    provider: Provider,
    push: &mut impl FnMut(ChangeKind),
) {
    if oc.column_type == nc.column_type
        && oc.nullable == nc.nullable
        && oc.autoincrement == nc.autoincrement
        && default_sql(oc) == default_sql(nc)
    {
        return;
    }
    let (m, f, t, c) = (
        names.model.to_string(),
        names.field.to_string(),
        names.table.to_string(),
        nc.name.clone(),
    );
    // A renamed enum, or one whose values changed, is still the column's type: those changes
    // are reported on the enum.
    let same_type = oc.column_type == nc.column_type
        || (same_enum && oc.column_type.is_list == nc.column_type.is_list);
    if !same_type {
        push(ChangeKind::ColumnTypeChanged {
            model: m.clone(),
            field: f.clone(),
            table: t.clone(),
            column: c.clone(),
            from: ChangedType::Column(oc.column_type.clone()),
            to: ChangedType::Column(nc.column_type.clone()),
            castable: provider == Provider::MySql || crate::migrate::castable(oc, nc),
        });
    }
    // List columns are nullable in the database whatever the field says; a change between a
    // scalar and a list is a type change, not a nullability change.
    let same_shape = oc.column_type.is_list == nc.column_type.is_list;
    if same_shape && oc.nullable && !nc.nullable {
        push(ChangeKind::ColumnMadeRequired {
            model: m.clone(),
            field: f.clone(),
            table: t.clone(),
            column: c.clone(),
            has_default: nc.default.is_some(),
        });
    } else if same_shape && !oc.nullable && nc.nullable {
        push(ChangeKind::ColumnMadeOptional {
            model: m.clone(),
            field: f.clone(),
            table: t.clone(),
            column: c.clone(),
        });
    }
    if oc.autoincrement != nc.autoincrement {
        let (model, field, table, column) = (m.clone(), f.clone(), t.clone(), c.clone());
        push(if nc.autoincrement {
            ChangeKind::AutoincrementAdded {
                model,
                field,
                table,
                column,
            }
        } else {
            ChangeKind::AutoincrementRemoved {
                model,
                field,
                table,
                column,
            }
        });
    } else {
        let (od, nd) = (
            oc.default.as_ref().map(|d| d.sql.clone()),
            nc.default.as_ref().map(|d| d.sql.clone()),
        );
        if od != nd {
            push(ChangeKind::DefaultChanged {
                model: m,
                field: f,
                table: t,
                column: c,
                from: od,
                to: nd,
                nullable: nc.nullable,
            });
        }
    }
}

fn index_columns(index: &DbIndex, renames: &FastMap<String, String>) -> Vec<String> {
    index
        .columns
        .iter()
        .map(|c| {
            renames
                .get(&c.name)
                .cloned()
                .unwrap_or_else(|| c.name.clone())
        })
        .collect()
}

/// Indexes are the same when they cover the same columns the same way; names may differ.
fn same_index(o: &DbIndex, n: &DbIndex, renames: &FastMap<String, String>) -> bool {
    o.kind == n.kind
        && o.algorithm == n.algorithm
        && index_columns(o, renames) == n.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
        && o.columns
            .iter()
            .zip(&n.columns)
            .all(|(a, b)| a.sort == b.sort && a.length == b.length && a.ops == b.ops)
}

fn fk_columns(fk: &ForeignKey, renames: &FastMap<String, String>) -> Vec<String> {
    fk.columns
        .iter()
        .map(|c| renames.get(c).cloned().unwrap_or_else(|| c.clone()))
        .collect()
}

/// What was renamed around a table being compared: its columns (old -> new) and other tables
/// (old -> new names).
struct Renamed<'a> {
    columns: &'a FastMap<String, String>,
    tables: &'a FastMap<&'a str, &'a str>,
}

fn table_constraints(
    ot: &Table,
    nt: &Table,
    renamed: &Renamed,
    group: &Group,
    anchor: &Target,
    model: &Model,
    out: &mut Diff,
) {
    let column_renames = renamed.columns;
    let table = nt.name.clone();
    let mut push = |kind: ChangeKind| {
        // A new or renamed index is where its `@@index`/`@unique` is; the rest, at the model.
        let span = match &kind {
            ChangeKind::IndexAdded { columns, .. } => index_span(model, columns),
            ChangeKind::IndexRenamed { to, .. } => {
                nt.indexes.iter().find(|i| &i.name == to).and_then(|i| {
                    let columns: Vec<String> = i.columns.iter().map(|c| c.name.clone()).collect();
                    index_span(model, &columns)
                })
            }
            _ => None,
        };
        out.changes.push(Change {
            group: group.clone(),
            kind,
            location: Some(Location::New(span.unwrap_or(model.name_span))),
            anchor: anchor.clone(),
        })
    };
    // Constraints on a dropped column go with it: the dropped column is what the user must
    // hear about.
    let dropped: FastSet<&str> = ot
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|c| {
            let now = column_renames.get(*c).map_or(*c, |s| s.as_str());
            nt.column(now).is_none()
        })
        .collect();

    let pk_cols = |pk: &crate::database::PrimaryKeyConstraint,
                   r: Option<&FastMap<String, String>>|
     -> Vec<String> {
        pk.columns
            .iter()
            .map(|c| {
                r.and_then(|r| r.get(&c.name))
                    .cloned()
                    .unwrap_or_else(|| c.name.clone())
            })
            .collect()
    };
    let opk = ot
        .primary_key
        .as_ref()
        .map(|pk| pk_cols(pk, Some(column_renames)));
    let npk = nt.primary_key.as_ref().map(|pk| pk_cols(pk, None));
    if opk != npk {
        push(ChangeKind::PrimaryKeyChanged {
            table: table.clone(),
            from: opk.unwrap_or_default(),
            to: npk.unwrap_or_default(),
        });
    }

    let mut matched = FastSet::default();
    for ni in &nt.indexes {
        let found = ot
            .indexes
            .iter()
            .enumerate()
            .find(|(i, oi)| {
                !matched.contains(i) && oi.name == ni.name && same_index(oi, ni, column_renames)
            })
            .or_else(|| {
                ot.indexes
                    .iter()
                    .enumerate()
                    .find(|(i, oi)| !matched.contains(i) && same_index(oi, ni, column_renames))
            });
        match found {
            Some((i, oi)) => {
                matched.insert(i);
                if oi.name != ni.name {
                    push(ChangeKind::IndexRenamed {
                        table: table.clone(),
                        from: oi.name.clone(),
                        to: ni.name.clone(),
                    });
                }
            }
            None => push(ChangeKind::IndexAdded {
                table: table.clone(),
                index: ni.name.clone(),
                unique: ni.kind == DbIndexKind::Unique,
                fulltext: ni.kind == DbIndexKind::Fulltext,
                columns: ni.columns.iter().map(|c| c.name.clone()).collect(),
            }),
        }
    }
    for (i, oi) in ot.indexes.iter().enumerate() {
        if matched.contains(&i) || oi.columns.iter().any(|c| dropped.contains(c.name.as_str())) {
            continue;
        }
        push(ChangeKind::IndexRemoved {
            table: table.clone(),
            index: oi.name.clone(),
            unique: oi.kind == DbIndexKind::Unique,
            columns: oi.columns.iter().map(|c| c.name.clone()).collect(),
        });
    }

    foreign_key_changes(ot, nt, renamed, &dropped, &mut push);
}

/// The foreign keys of a table in both schemas: added, removed, renamed, with new actions. A
/// key is the same when it joins the same columns to the same table, whatever its name; one on
/// a `dropped` column goes with the column.
fn foreign_key_changes(
    ot: &Table,
    nt: &Table,
    renamed: &Renamed,
    dropped: &FastSet<&str>,
    push: &mut dyn FnMut(ChangeKind),
) {
    let (column_renames, table_renames) = (renamed.columns, renamed.tables);
    let table = nt.name.clone();
    let mut matched = FastSet::default();
    for nf in &nt.foreign_keys {
        let same_target = |of: &ForeignKey| {
            fk_columns(of, column_renames) == nf.columns
                && table_renames
                    .get(of.referenced_table.as_str())
                    .copied()
                    .unwrap_or(&of.referenced_table)
                    == nf.referenced_table
                && of.referenced_schema == nf.referenced_schema
                && of.referenced_columns == nf.referenced_columns
        };
        let found = ot
            .foreign_keys
            .iter()
            .enumerate()
            .find(|(i, of)| !matched.contains(i) && of.name == nf.name && same_target(of))
            .or_else(|| {
                ot.foreign_keys
                    .iter()
                    .enumerate()
                    .find(|(i, of)| !matched.contains(i) && same_target(of))
            });
        let Some((i, of)) = found else {
            push(ChangeKind::ForeignKeyAdded {
                table: table.clone(),
                foreign_key: nf.name.clone(),
                columns: nf.columns.clone(),
                referenced_table: nf.referenced_table.clone(),
            });
            continue;
        };
        matched.insert(i);
        if of.on_delete != nf.on_delete || of.on_update != nf.on_update {
            push(ChangeKind::ForeignKeyActionsChanged {
                table: table.clone(),
                foreign_key: nf.name.clone(),
                on_delete: (format!("{:?}", of.on_delete), format!("{:?}", nf.on_delete)),
                on_update: (format!("{:?}", of.on_update), format!("{:?}", nf.on_update)),
            });
        } else if of.name != nf.name {
            push(ChangeKind::ForeignKeyRenamed {
                table: table.clone(),
                from: of.name.clone(),
                to: nf.name.clone(),
            });
        }
    }
    for (i, of) in ot.foreign_keys.iter().enumerate() {
        if matched.contains(&i) || of.columns.iter().any(|c| dropped.contains(c.as_str())) {
            continue;
        }
        push(ChangeKind::ForeignKeyRemoved {
            table: table.clone(),
            foreign_key: of.name.clone(),
            columns: of.columns.clone(),
            referenced_table: of.referenced_table.clone(),
        });
    }
}

/// Join tables of implicit many-to-many relations: no model declares them.
fn relation_tables(sides: &Sides, handled: &FastSet<TableKey>, out: &mut Diff) {
    let (Some(old_db), Some(new_db)) = (sides.old_db, sides.new_db) else {
        return;
    };
    let free = |db: &'_ Database| -> Vec<(Option<String>, String)> {
        db.tables
            .iter()
            .filter(|t| !handled.contains(&(t.schema.as_deref(), t.name.as_str())))
            .filter(|t| !is_model_table(sides, t))
            .map(|t| (t.schema.clone(), t.name.clone()))
            .collect()
    };
    let (old_free, new_free) = (free(old_db), free(new_db));
    for t in &new_free {
        if !old_free.contains(t) {
            out.changes.push(Change {
                group: Group::Table(t.1.clone()),
                kind: ChangeKind::RelationTableAdded { table: t.1.clone() },
                location: relation_field(sides.new, &t.1).map(Location::New),
                anchor: Target::Schema,
            });
        }
    }
    for t in &old_free {
        if !new_free.contains(t) {
            out.changes.push(Change {
                group: Group::Table(t.1.clone()),
                kind: ChangeKind::RelationTableRemoved { table: t.1.clone() },
                location: relation_field(sides.old, &t.1).map(Location::Old),
                anchor: Target::Schema,
            });
        }
    }
}

/// The `@@index`, `@@unique` or `@unique` of a model over these columns.
fn index_span(model: &Model, columns: &[String]) -> Option<Span> {
    model
        .indexes
        .iter()
        .find(|index| {
            index.fields.len() == columns.len()
                && index.fields.iter().zip(columns).all(|(f, c)| {
                    model
                        .field(&f.name)
                        .is_some_and(|field| field.database_name() == c)
                })
        })
        .map(|index| index.span)
}

/// The field that declares an implicit many-to-many relation, so that its join table's change
/// points somewhere in the schema: the side of column `A`.
fn relation_field(schema: &Schema, join_table: &str) -> Option<Span> {
    let r = schema.relations.iter().find(|r| {
        r.kind == crate::schema::RelationKind::ManyToMany
            && join_table.strip_prefix('_') == Some(r.name.as_str())
    })?;
    let field = schema
        .models
        .get(r.referencing.model)?
        .fields
        .get(r.referencing.field)?;
    Some(field.span)
}

fn is_model_table(sides: &Sides, t: &Table) -> bool {
    [sides.old, sides.new].iter().any(|s| {
        s.models
            .iter()
            .any(|m| m.database_name() == t.name && m.schema == t.schema)
    })
}

fn composite_types(old: &Schema, new: &Schema, out: &mut Diff) {
    for nc in &new.composite_types {
        let group = Group::CompositeType(nc.name.clone());
        let anchor = Target::Model(nc.name.clone());
        match old.composite_types.iter().find(|o| o.name == nc.name) {
            None => out.changes.push(Change {
                group,
                kind: ChangeKind::CompositeTypeAdded {
                    name: nc.name.clone(),
                },
                location: Some(Location::New(nc.span)),
                anchor,
            }),
            Some(oc) => {
                let names = |fs: &[Field]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
                let (on, nn) = (names(&oc.fields), names(&nc.fields));
                let added: Vec<String> = nn.iter().filter(|n| !on.contains(n)).cloned().collect();
                let removed: Vec<String> = on.iter().filter(|n| !nn.contains(n)).cloned().collect();
                if !added.is_empty() || !removed.is_empty() {
                    out.changes.push(Change {
                        group,
                        kind: ChangeKind::CompositeTypeChanged {
                            name: nc.name.clone(),
                            fields_added: added,
                            fields_removed: removed,
                        },
                        location: Some(Location::New(nc.span)),
                        anchor,
                    });
                }
            }
        }
    }
    for oc in &old.composite_types {
        if !new.composite_types.iter().any(|n| n.name == oc.name) {
            out.changes.push(Change {
                group: Group::CompositeType(oc.name.clone()),
                kind: ChangeKind::CompositeTypeRemoved {
                    name: oc.name.clone(),
                },
                location: Some(Location::Old(oc.span)),
                anchor: Target::Schema,
            });
        }
    }
}

/// How alike two names are, 0 to 1, by the characters they share in order.
fn similarity(a: &str, b: &str) -> f32 {
    similar::TextDiff::from_chars(a.to_lowercase().as_str(), b.to_lowercase().as_str()).ratio()
}

/// Undeclared renames that look likely: a field dropped and a field of the same type added in
/// one model, a model dropped and a model with mostly the same fields added, an enum likewise.
fn suggest(
    old: &Schema,
    new: &Schema,
    old_of_new: &FastMap<&str, &Model>,
    matched_old: &FastSet<&str>,
    renames: &Renames,
    changes: &[Change],
    out: &mut Vec<Suggestion>,
) {
    suggest_fields(new, old_of_new, changes, out);
    suggest_models(old, new, old_of_new, matched_old, out);
    suggest_enums(old, new, renames, changes, out);
}

/// Fields removed and added in the same model that look like one renamed.
fn suggest_fields(
    new: &Schema,
    old_of_new: &FastMap<&str, &Model>,
    changes: &[Change],
    out: &mut Vec<Suggestion>,
) {
    for nm in &new.models {
        let Some(om) = old_of_new.get(nm.name.as_str()) else {
            continue;
        };
        let removed: Vec<&Field> = changes
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::FieldRemoved { model, field, .. } if model == &nm.name => {
                    om.field(field)
                }
                _ => None,
            })
            .collect();
        let added: Vec<&Field> = changes
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::FieldAdded { model, field, .. } if model == &nm.name => nm.field(field),
                _ => None,
            })
            .collect();
        let mut pairs: Vec<(f32, &Field, &Field)> = Vec::new();
        for of in &removed {
            for nf in &added {
                if of.field_type == nf.field_type || compatible_scalars(of, nf) {
                    // The same type weighs more than a similar name.
                    let score = similarity(&of.name, &nf.name)
                        + if of.field_type == nf.field_type {
                            0.5
                        } else {
                            0.0
                        };
                    pairs.push((score, of, nf));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut used_old = FastSet::default();
        let mut used_new = FastSet::default();
        for (_, of, nf) in pairs {
            if used_old.contains(&of.name) || used_new.contains(&nf.name) {
                continue;
            }
            used_old.insert(of.name.clone());
            used_new.insert(nf.name.clone());
            out.push(Suggestion {
                group: Group::Model(nm.name.clone()),
                from: format!("{}.{}", om.name, of.name),
                to: format!("{}.{}", nm.name, nf.name),
                flag: format!("--rename {}.{}={}", om.name, of.name, nf.name),
                directive: format!("// prisma-xc: renamed from {}", of.name),
                location: Some(Location::New(nf.span)),
            });
        }
    }
}

/// Models removed and added that look like one renamed.
fn suggest_models(
    old: &Schema,
    new: &Schema,
    old_of_new: &FastMap<&str, &Model>,
    matched_old: &FastSet<&str>,
    out: &mut Vec<Suggestion>,
) {
    let field_names =
        |m: &Model| -> FastSet<String> { m.scalar_fields().map(|f| f.name.clone()).collect() };
    let removed: Vec<&Model> = old
        .models
        .iter()
        .filter(|m| !matched_old.contains(m.name.as_str()))
        .collect();
    let added: Vec<&Model> = new
        .models
        .iter()
        .filter(|m| !old_of_new.contains_key(m.name.as_str()))
        .collect();
    let mut pairs: Vec<(f32, &Model, &Model)> = Vec::new();
    for om in &removed {
        let of = field_names(om);
        for nm in &added {
            if om.kind != nm.kind {
                continue;
            }
            let nf = field_names(nm);
            let union = of.union(&nf).count().max(1) as f32;
            let overlap = of.intersection(&nf).count() as f32 / union;
            if overlap >= 0.5 {
                pairs.push((overlap + similarity(&om.name, &nm.name) / 4.0, om, nm));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut used = FastSet::default();
    for (_, om, nm) in pairs {
        if used.contains(&om.name) || used.contains(&nm.name) {
            continue;
        }
        used.insert(om.name.clone());
        used.insert(nm.name.clone());
        out.push(Suggestion {
            group: Group::Model(nm.name.clone()),
            from: om.name.clone(),
            to: nm.name.clone(),
            flag: format!("--rename {}={}", om.name, nm.name),
            directive: format!("// prisma-xc: renamed from {}", om.name),
            location: Some(Location::New(nm.name_span)),
        });
    }
}

/// Enums and enum values removed and added that look like one renamed.
fn suggest_enums(
    old: &Schema,
    new: &Schema,
    renames: &Renames,
    changes: &[Change],
    out: &mut Vec<Suggestion>,
) {
    let removed: Vec<&Enum> = changes
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::EnumRemoved { enumeration } => old.enum_by_name(enumeration),
            _ => None,
        })
        .collect();
    for ne in changes.iter().filter_map(|c| match &c.kind {
        ChangeKind::EnumAdded { enumeration } => new.enum_by_name(enumeration),
        _ => None,
    }) {
        let values = |e: &Enum| {
            e.values
                .iter()
                .map(|v| v.name.clone())
                .collect::<FastSet<_>>()
        };
        if let Some(oe) = removed.iter().find(|oe| {
            let (a, b) = (values(oe), values(ne));
            a.intersection(&b).count() * 2 >= a.union(&b).count()
        }) {
            out.push(Suggestion {
                group: Group::Enum(ne.name.clone()),
                from: oe.name.clone(),
                to: ne.name.clone(),
                flag: format!("--rename {}={}", oe.name, ne.name),
                directive: format!("// prisma-xc: renamed from {}", oe.name),
                location: Some(Location::New(ne.span)),
            });
        }
    }
    for ne in &new.enums {
        let added: Vec<&str> = changes
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::EnumValueAdded { enumeration, value } if enumeration == &ne.name => {
                    Some(value.as_str())
                }
                _ => None,
            })
            .collect();
        let removed: Vec<&str> = changes
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::EnumValueRemoved { enumeration, value } if enumeration == &ne.name => {
                    Some(value.as_str())
                }
                _ => None,
            })
            .collect();
        // One out, one in: the likeliest reading is a rename.
        if let ([from], [to]) = (removed.as_slice(), added.as_slice()) {
            let old_enum = old
                .enums
                .iter()
                .find(|e| renames.enumeration(&e.name) == ne.name)
                .map_or(ne.name.as_str(), |e| e.name.as_str());
            out.push(Suggestion {
                group: Group::Enum(ne.name.clone()),
                from: format!("{old_enum}.{from}"),
                to: format!("{}.{to}", ne.name),
                flag: format!("--rename {old_enum}.{from}={to}"),
                directive: format!("// prisma-xc: renamed from {from}"),
                location: ne
                    .values
                    .iter()
                    .find(|v| v.name == *to)
                    .map(|v| Location::New(v.span)),
            });
        }
    }
}

/// Scalar types whose values convert without loss: a rename that also widened the type.
fn compatible_scalars(a: &Field, b: &Field) -> bool {
    use crate::schema::ScalarType::*;
    match (&a.field_type, &b.field_type) {
        (FieldType::Scalar(x), FieldType::Scalar(y)) => matches!(
            (x, y),
            (Int, BigInt) | (Int, Float) | (Int, Decimal) | (Float, Decimal) | (Decimal, Float)
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::schema;

    /// The diff of two schema bodies, no rename declared.
    fn changes_of(provider: &str, old: &str, new: &str) -> Vec<Change> {
        let (old, new) = (schema(provider, old), schema(provider, new));
        let (old_db, new_db) = (
            crate::database::lower(&old).ok(),
            crate::database::lower(&new).ok(),
        );
        let sides = Sides {
            old: &old,
            new: &new,
            old_db: old_db.as_ref(),
            new_db: new_db.as_ref(),
        };
        diff(&sides, &Renames::default()).changes
    }

    /// Each change as `kind name`: the field, index, foreign key, enum value, model or table
    /// it is about.
    fn changes(provider: &str, old: &str, new: &str) -> Vec<String> {
        changes_of(provider, old, new)
            .iter()
            .map(|c| {
                let v = serde_json::to_value(&c.kind).unwrap();
                let name = [
                    "field",
                    "index",
                    "foreignKey",
                    "value",
                    "enumeration",
                    "from",
                    "model",
                    "table",
                ]
                .iter()
                .find_map(|k| v.get(*k).and_then(|n| n.as_str()))
                .unwrap_or("");
                format!("{} {name}", v["kind"].as_str().unwrap())
            })
            .collect()
    }

    const USER: &str = "model User {\n  id    Int    @id\n  email String\n}\n";

    #[test]
    fn each_change_of_a_schema_is_found_once() {
        let user =
            |extra: &str| format!("model User {{\n  id    Int    @id\n  email String\n{extra}}}\n");
        let cases: Vec<(&str, &str, String, &[&str])> = vec![
            ("nothing", "postgresql", USER.into(), &[]),
            (
                "an optional field",
                "postgresql",
                user("  name String?\n"),
                &["fieldAdded name"],
            ),
            (
                "a field removed",
                "postgresql",
                "model User {\n  id Int @id\n}\n".into(),
                &["fieldRemoved email"],
            ),
            (
                "a new name on the same column is Prisma's only",
                "postgresql",
                "model User {\n  id   Int    @id\n  mail String @map(\"email\")\n}\n".into(),
                &["fieldRenamed email"],
            ),
            (
                "a type change",
                "postgresql",
                "model User {\n  id    Int @id\n  email Int\n}\n".into(),
                &["columnTypeChanged email"],
            ),
            (
                "a unique index",
                "postgresql",
                "model User {\n  id    Int    @id\n  email String @unique\n}\n".into(),
                &["indexAdded User_email_key"],
            ),
            (
                "a new model",
                "postgresql",
                format!("{USER}\nmodel Post {{\n  id Int @id\n}}\n"),
                &["modelAdded Post"],
            ),
            (
                "a new @@map renames the table",
                "postgresql",
                "model User {\n  id    Int    @id\n  email String\n\n  @@map(\"users\")\n}\n"
                    .into(),
                &["modelRenamed User"],
            ),
        ];
        for (what, provider, new, expected) in cases {
            assert_eq!(changes(provider, USER, &new), expected, "{what}");
        }
    }

    #[test]
    fn a_default_the_database_computes_per_row_is_volatile() {
        let added = |default: &str| {
            let new = format!(
                "model User {{\n  id    Int    @id\n  email String\n  at    String {default}\n}}\n"
            );
            match &changes_of("postgresql", USER, &new)[0].kind {
                ChangeKind::FieldAdded { column, .. } => {
                    (column.volatile_default, column.client_default)
                }
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(added("@default(\"uuid\")"), (false, false), "a constant");
        assert_eq!(added("@default(uuid())"), (false, true), "Prisma Client's");
        assert_eq!(
            added("@default(dbgenerated(\"gen_random_uuid()\"))"),
            (true, false),
            "the database's, per row"
        );
        assert_eq!(
            added("@default(dbgenerated(\"'x'\"))"),
            (false, false),
            "the database's, a constant"
        );
    }
}
