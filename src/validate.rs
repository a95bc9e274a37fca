//! Whole-schema rules checked after resolution: the ones that need every model, relation and
//! the provider at once (database name clashes, provider capabilities, view restrictions).

use crate::hashing::{FastMap, FastSet};

use crate::diagnostics::Diagnostic;
use crate::schema::*;

pub fn validate(schema: &Schema) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let provider = schema.provider();
    database_name_clashes(schema, &mut out);
    required_relations_over_optional_scalars(schema, &mut out);
    one_to_one_without_unique(schema, &mut out);
    generator_names(schema, &mut out);
    datasource_rules(schema, &mut out);
    let views_enabled = schema
        .generators
        .iter()
        .any(|g| g.preview_features.iter().any(|(f, _)| f == "views"));
    for m in &schema.models {
        if starts_with_digit(&m.name) {
            let noun = if m.kind == ModelKind::View {
                "view"
            } else {
                "model"
            };
            out.push(
                Diagnostic::error(
                    m.name_span,
                    format!("The name of a {noun} must not start with a number."),
                )
                .with_help("Rename it; `@@map` can keep the database name."),
            );
        }
        for f in &m.fields {
            if starts_with_digit(&f.name) {
                out.push(
                    Diagnostic::error(
                        f.name_span,
                        "The name of a field must not start with a number.",
                    )
                    .with_help("Rename it; `@map` can keep the column name."),
                );
            }
            if provider == Some(Provider::MongoDb)
                && matches!(
                    f.default.as_ref().map(|d| &d.kind),
                    Some(DefaultKind::Autoincrement)
                )
            {
                out.push(Diagnostic::error(f.span, "The `autoincrement()` default value is used with a datasource that does not support it.").with_help("MongoDB ids are `@default(auto()) @db.ObjectId`."));
            }
        }
        if m.kind == ModelKind::View {
            if !views_enabled {
                out.push(
                    Diagnostic::error(
                        m.name_span,
                        "View definitions are only available with the `views` preview feature.",
                    )
                    .with_help("Add `previewFeatures = [\"views\"]` to the generator."),
                );
            }
            if let Some(pk) = &m.primary_key {
                out.push(
                    Diagnostic::error(pk.span, "Views cannot have primary keys.")
                        .with_help("Use `@unique` on the view's identifying field instead."),
                );
            }
        }
        let keys = m
            .primary_key
            .iter()
            .map(|k| (k.clustered, k.span, &k.fields))
            .chain(m.indexes.iter().map(|i| (i.clustered, i.span, &i.fields)));
        for (clustered, span, fields) in keys {
            if clustered.is_some() && provider.is_some_and(|p| p != Provider::SqlServer) {
                out.push(
                    Diagnostic::error(
                        span,
                        "Defining clustering is not supported in the current connector.",
                    )
                    .with_help("`clustered:` is for SQL Server only; remove it."),
                );
            }
            if fields.iter().any(|f| f.length.is_some())
                && matches!(provider, Some(Provider::Sqlite | Provider::SqlServer))
            {
                out.push(Diagnostic::error(span, "The length argument is not supported in an index definition with the current connector.").with_help("Remove `length:`; it is for MySQL prefix indexes."));
            }
        }
    }
    for r in &schema.relations {
        let a = &schema.models[r.referencing.model];
        let b = &schema.models[r.referenced.model];
        if r.kind == RelationKind::ManyToMany
            && (a.kind == ModelKind::View || b.kind == ModelKind::View)
        {
            out.push(
                Diagnostic::error(
                    schema.field(r.referencing).span,
                    "Implicit many-to-many relations are not supported for views.",
                )
                .with_help("Declare the join table as a model, or relate the view one-to-many."),
            );
        }
        let field = schema.field(r.referencing);
        if let Some(rel) = &field.relation {
            let required = rel
                .fields
                .iter()
                .any(|f| a.field(f).is_some_and(|x| x.is_required()));
            for (action, name) in [(rel.on_delete, "onDelete"), (rel.on_update, "onUpdate")] {
                if action == Some(ReferentialAction::SetNull) && required {
                    // PostgreSQL rejects the SET NULL at run time only, so Prisma just warns there.
                    let postgres_fk = provider == Some(Provider::PostgreSql)
                        && schema.relation_mode() == RelationMode::ForeignKeys;
                    let message = format!(
                        "The `{name}` referential action of a relation must not be set to `SetNull` when a referenced field is required."
                    );
                    let d = if postgres_fk {
                        Diagnostic::warning(field.span, message)
                    } else {
                        Diagnostic::error(field.span, message)
                    };
                    out.push(d.with_help(
                        "Make the foreign key fields optional (`Type?`), or pick another action.",
                    ));
                }
            }
        }
    }
    out
}

/// The datasource's own rules: `schemas` on a database that has them, each once; `extensions`
/// on PostgreSQL only.
fn datasource_rules(schema: &Schema, out: &mut Vec<Diagnostic>) {
    let Some(ds) = &schema.datasource else {
        return;
    };
    let multi_schema = matches!(
        ds.provider,
        Provider::PostgreSql | Provider::CockroachDb | Provider::SqlServer
    );
    if !ds.schemas.is_empty() && !multi_schema {
        out.push(
            Diagnostic::error(ds.span, format!("The `schemas` property is not supported on {}.", ds.provider.name()))
                .with_help("Only PostgreSQL, CockroachDB and SQL Server have multiple schemas; remove `schemas` and `@@schema`."),
        );
    }
    let mut seen = Vec::new();
    for s in &ds.schemas {
        if seen.contains(&s) {
            out.push(
                Diagnostic::error(
                    ds.span,
                    format!("Duplicated schema name \"{s}\" in `schemas`."),
                )
                .with_help("List each schema once."),
            );
        }
        seen.push(s);
    }
    if !ds.extensions.is_empty() && ds.provider != Provider::PostgreSql {
        out.push(
            Diagnostic::error(
                ds.span,
                format!(
                    "Property not known: \"extensions\" ({} has no extensions).",
                    ds.provider.name()
                ),
            )
            .with_help("`extensions` is for PostgreSQL only; remove it."),
        );
    }
}

fn starts_with_digit(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_digit())
}

fn database_name_clashes(schema: &Schema, out: &mut Vec<Diagnostic>) {
    let mut tables: FastMap<(Option<&str>, &str), &Model> =
        FastMap::with_capacity_and_hasher(schema.models.len(), Default::default());
    for m in &schema.models {
        let key = (m.schema.as_deref(), m.database_name());
        if let Some(first) = tables.get(&key) {
            out.push(
                Diagnostic::error(m.name_span, format!("The model with database name \"{}\" could not be defined because another model or view with this name exists: \"{}\".", m.database_name(), first.name))
                    .with_help("Give one of them another `@@map` name (or another `@@schema`)."),
            );
        } else {
            tables.insert(key, m);
        }
    }
    let mut enums: FastSet<(Option<&str>, &str)> = FastSet::default();
    for e in &schema.enums {
        let key = (e.schema.as_deref(), e.database_name());
        if !enums.insert(key) {
            out.push(
                Diagnostic::error(
                    e.span,
                    format!(
                        "An enum with the database name \"{}\" is already defined.",
                        e.database_name()
                    ),
                )
                .with_help("Give one of them another `@@map` name."),
            );
        }
    }
}

fn generator_names(schema: &Schema, out: &mut Vec<Diagnostic>) {
    for (i, g) in schema.generators.iter().enumerate() {
        if schema.generators[..i].iter().any(|x| x.name == g.name) {
            out.push(Diagnostic::error(g.span, format!("The generator \"{}\" cannot be defined because a generator with that name already exists.", g.name)).with_help("Rename one of the generators."));
        }
    }
}

/// A required relation field needs required scalar fields: an optional one could hold null.
fn required_relations_over_optional_scalars(schema: &Schema, out: &mut Vec<Diagnostic>) {
    for model in &schema.models {
        for field in &model.fields {
            let Some(relation) = &field.relation else {
                continue;
            };
            if field.arity != crate::schema::Arity::Required || relation.fields.is_empty() {
                continue;
            }
            let optional: Vec<&str> = relation
                .fields
                .iter()
                .filter(|f| {
                    model
                        .field(f)
                        .is_some_and(|s| s.arity == crate::schema::Arity::Optional)
                })
                .map(String::as_str)
                .collect();
            if optional.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::error(
                    field.span,
                    format!(
                        "Error validating: The relation field `{}` uses the scalar fields {}. At least one of those fields is optional. Hence the relation field must be optional as well.",
                        field.name,
                        relation.fields.join(", ")
                    ),
                )
                .with_help(format!("Make `{}` optional (`{}?`), or make {} required.", field.name, match &field.field_type { crate::schema::FieldType::Model(m) => m.as_str(), _ => "" }, optional.join(", "))),
            );
        }
    }
}

/// The defining side of a one-to-one relation must be unique: only that makes it one-to-one in
/// the database (Prisma rejects the schema otherwise).
fn one_to_one_without_unique(schema: &Schema, out: &mut Vec<Diagnostic>) {
    for relation in &schema.relations {
        if relation.kind != RelationKind::OneToOne {
            continue;
        }
        let model = &schema.models[relation.referencing.model];
        let field = schema.field(relation.referencing);
        let Some(fields) = field.relation.as_ref().map(|r| &r.fields) else {
            continue;
        };
        if fields.is_empty() {
            continue;
        }
        let covers = |keys: &[IndexField]| {
            keys.len() == fields.len() && keys.iter().all(|k| fields.contains(&k.name))
        };
        let unique = model
            .primary_key
            .as_ref()
            .is_some_and(|pk| covers(&pk.fields))
            || model
                .indexes
                .iter()
                .any(|i| i.kind == IndexKind::Unique && covers(&i.fields));
        if unique {
            continue;
        }
        let fix = match fields.as_slice() {
            [one] => format!("add an `@unique` attribute to the field `{one}`"),
            many => format!(
                "add an `@@unique([{}])` attribute to the model",
                many.join(", ")
            ),
        };
        out.push(
            Diagnostic::error(
                field.span,
                format!("Error parsing attribute \"@relation\": A one-to-one relation must use unique fields on the defining side. Either {fix}, or change the relation to one-to-many."),
            )
            .with_help(format!("Make it one-to-one in the database: {fix}.")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{SourceFile, Sources};

    fn errors(body: &str) -> Vec<String> {
        let mut sources = Sources::default();
        sources.add(SourceFile::new(
            "s.prisma",
            format!(
                "datasource db {{\n  provider = \"postgresql\"\n  url = env(\"U\")\n}}\n{body}"
            ),
        ));
        crate::load(&sources)
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn relation_rules_prisma_enforces() {
        let one_to_one = |unique: &str| {
            format!(
                "model User {{\n  id Int @id\n  profile Profile?\n}}\nmodel Profile {{\n  id Int @id\n  userId Int{unique}\n  user User @relation(fields: [userId], references: [id])\n}}\n"
            )
        };
        assert!(errors(&one_to_one(" @unique")).is_empty());
        let e = errors(&one_to_one(""));
        assert!(
            e.len() == 1 && e[0].contains("A one-to-one relation must use unique fields"),
            "{e:?}"
        );
        // One-to-many needs no unique.
        let many = one_to_one("").replace("profile Profile?", "profiles Profile[]");
        assert!(errors(&many).is_empty());
        // A required relation over an optional scalar.
        let e = errors(&many.replace("userId Int", "userId Int?"));
        assert!(
            e.len() == 1 && e[0].contains("At least one of those fields is optional"),
            "{e:?}"
        );
    }
}
