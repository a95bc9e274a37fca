//! A one-paragraph description of a resolved schema, for `prisma-xc diff` before it diffs.

use std::fmt::Write as _;

use crate::schema::{ModelKind, RelationKind, RelationMode, Schema};

pub fn summarize(label: &str, schema: &Schema) -> String {
    let models = schema
        .models
        .iter()
        .filter(|m| m.kind == ModelKind::Model)
        .count();
    let views = schema.models.len() - models;
    let fields: usize = schema.models.iter().map(|m| m.fields.len()).sum();
    let indexes: usize = schema.models.iter().map(|m| m.indexes.len()).sum();
    let m2m = schema
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::ManyToMany)
        .count();
    let mut out = String::new();
    let provider = match &schema.datasource {
        Some(ds) => {
            let mode = match (ds.relation_mode, ds.relation_mode_explicit) {
                (RelationMode::Prisma, _) => ", relationMode = \"prisma\"",
                (RelationMode::ForeignKeys, true) => ", relationMode = \"foreignKeys\"",
                _ => "",
            };
            let schemas = if ds.schemas.is_empty() {
                String::new()
            } else {
                format!(", schemas {}", ds.schemas.join(", "))
            };
            format!("{}{mode}{schemas}", ds.provider.name())
        }
        None => "no datasource".to_string(),
    };
    let _ = writeln!(out, "{label}: {provider}");
    let _ = writeln!(
        out,
        "  {models} models, {views} views, {} enums, {} composite types, {fields} fields",
        schema.enums.len(),
        schema.composite_types.len()
    );
    let _ = writeln!(
        out,
        "  {} relations ({m2m} implicit many-to-many), {indexes} indexes and unique constraints",
        schema.relations.len()
    );
    out
}
