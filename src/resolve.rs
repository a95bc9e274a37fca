//! Syntax trees -> resolved [`Schema`], with the semantic errors that would make a diff
//! meaningless: unknown types, duplicates, relations that cannot be resolved, missing or
//! conflicting providers, malformed attributes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::hashing::{FastMap, FastSet};

use crate::ast::{self, Attribute, ConfigKeyword, Expr, ModelKeyword, SchemaAst, Top, TypeName};
use crate::diagnostics::{Diagnostic, Span};
use crate::schema::*;

pub struct Resolved {
    pub schema: Schema,
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolve the parsed files of one schema (several for a schema folder) into one schema.
pub fn resolve(files: &[&SchemaAst]) -> Resolved {
    let mut r = Resolver::default();
    let tops: Vec<&Top> = files.iter().flat_map(|f| f.tops.iter()).collect();
    r.config(&tops);
    r.declare_names(&tops);
    for top in &tops {
        match top {
            Top::Enum(e) => r.enum_block(e),
            Top::Model(m) if m.keyword == ModelKeyword::Type => r.composite(m),
            _ => {}
        }
    }
    let models: Vec<&ast::ModelBlock> = tops
        .iter()
        .filter_map(|t| match t {
            Top::Model(m) if m.keyword != ModelKeyword::Type => Some(m),
            _ => None,
        })
        .collect();
    r.models(&models);
    r.relations();
    r.model_checks();
    Resolved {
        schema: r.schema,
        diagnostics: r.diagnostics,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TopKind {
    Model,
    View,
    Enum,
    Composite,
}

impl TopKind {
    fn noun(self) -> &'static str {
        match self {
            TopKind::Model => "model",
            TopKind::View => "view",
            TopKind::Enum => "enum",
            TopKind::Composite => "composite type",
        }
    }
}

#[derive(Default)]
struct Resolver {
    schema: Schema,
    diagnostics: Vec<Diagnostic>,
    /// Shared with the forks that resolve models side by side: filled before they start.
    names: Arc<FastMap<String, TopKind>>,
    /// Blocks whose name was already taken: skipped, so one duplicate gives one error.
    shadowed: Arc<FastSet<Span>>,
    /// Name of the datasource block: native types are written `@<name>.Type`.
    datasource_name: Option<String>,
    /// "Did you mean" answers already found: a typo repeated on thousands of fields is looked
    /// up once.
    type_suggestions: FastMap<String, Option<String>>,
}

const FIELD_ATTRIBUTES: &[&str] = &[
    "id",
    "unique",
    "default",
    "map",
    "relation",
    "updatedAt",
    "ignore",
    "shardKey",
];
const MODEL_ATTRIBUTES: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "ignore", "schema", "shardKey",
];

/// Schemas with fewer models are resolved on one thread: spawning costs more than it saves.
const PARALLEL_MIN_MODELS: usize = 512;

impl Resolver {
    /// A resolver for more models of the same schema: names, enums and the datasource are
    /// known; models and diagnostics start empty.
    fn fork(&self) -> Resolver {
        Resolver {
            schema: Schema {
                datasource: self.schema.datasource.clone(),
                enums: self.schema.enums.clone(),
                composite_types: self.schema.composite_types.clone(),
                ..Schema::default()
            },
            diagnostics: Vec::new(),
            names: self.names.clone(),
            shadowed: self.shadowed.clone(),
            datasource_name: self.datasource_name.clone(),
            type_suggestions: FastMap::default(),
        }
    }

    /// Resolve every model and view. A model needs only the names declared before, so a large
    /// schema's models are split in two halves resolved side by side, then joined in order.
    fn models(&mut self, models: &[&ast::ModelBlock]) {
        self.schema.models.reserve(models.len());
        if models.len() < PARALLEL_MIN_MODELS {
            for m in models {
                self.model(m);
            }
            return;
        }
        let (first, second) = models.split_at(models.len() / 2);
        let mut worker = self.fork();
        let joined = std::thread::scope(|scope| {
            let handle = scope.spawn(move || {
                worker.schema.models.reserve(second.len());
                for m in second {
                    worker.model(m);
                }
                worker
            });
            for m in first {
                self.model(m);
            }
            handle.join().ok()
        });
        match joined {
            Some(worker) => {
                self.schema.models.extend(worker.schema.models);
                self.diagnostics.extend(worker.diagnostics);
            }
            // The worker cannot fail short of a bug; if it did, do its half here.
            None => {
                for m in second {
                    self.model(m);
                }
            }
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::error(span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn help(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(span, message).with_help(help));
    }

    // -----------------------------------------------------------------------------------------
    // datasource and generators

    fn config(&mut self, tops: &[&Top]) {
        let mut first: Option<Span> = None;
        for top in tops {
            let Top::Config(block) = top else { continue };
            match block.keyword {
                ConfigKeyword::Generator => self.generator(block),
                ConfigKeyword::Datasource => {
                    if first.is_some() {
                        self.help(
                            block.name.span,
                            format!(
                                "A schema has one datasource; \"{}\" is a second one.",
                                block.name.name
                            ),
                            "Keep one datasource block; in a schema folder, declare it in one file only.",
                        );
                        continue;
                    }
                    first = Some(block.span);
                    self.datasource(block);
                }
            }
        }
    }

    fn generator(&mut self, block: &ast::ConfigBlock) {
        let mut g = Generator {
            name: block.name.name.clone(),
            provider: None,
            preview_features: Vec::new(),
            output: None,
            module_format: None,
            import_file_extension: None,
            span: block.span,
        };
        for p in &block.properties {
            match p.name.name.as_str() {
                "provider" => g.provider = self.string_or_env(&p.value),
                "output" => g.output = p.value.as_str().map(str::to_string),
                "moduleFormat" => g.module_format = p.value.as_str().map(str::to_string),
                "importFileExtension" => {
                    g.import_file_extension = p.value.as_str().map(str::to_string)
                }
                "previewFeatures" => {
                    if let Expr::Array(items, _) = &p.value {
                        g.preview_features = items
                            .iter()
                            .filter_map(|i| i.as_str().map(|f| (f.to_string(), i.span())))
                            .collect();
                    }
                }
                _ => {}
            }
        }
        if g.provider.is_none() {
            self.help(
                block.name.span,
                format!("The generator \"{}\" has no provider.", g.name),
                "Add `provider = \"prisma-client-js\"` (or the generator you use).",
            );
        }
        self.schema.generators.push(g);
    }

    /// A string value, or `env("X")` (whose value is not known here).
    fn string_or_env(&mut self, e: &Expr) -> Option<String> {
        match e {
            Expr::String(s, _) => Some(s.clone()),
            Expr::Function(f) if f.name == "env" => Some(String::new()),
            other => {
                self.error(
                    other.span(),
                    format!("Expected a string value, but found {}.", other.describe()),
                );
                None
            }
        }
    }

    fn datasource(&mut self, block: &ast::ConfigBlock) {
        self.datasource_name = Some(block.name.name.clone());
        let mut provider = None;
        let mut relation_mode = None;
        let mut schemas = Vec::new();
        let mut extensions = Vec::new();
        let mut connection_urls = Vec::new();
        let mut seen = HashSet::new();
        let both_modes = ["relationMode", "referentialIntegrity"]
            .iter()
            .all(|k| block.properties.iter().any(|p| p.name.name == *k));
        if both_modes {
            self.help(
                block.name.span,
                "The `referentialIntegrity` and `relationMode` attributes cannot be used together.",
                "Keep `relationMode` only.",
            );
        }
        for p in &block.properties {
            let key = p.name.name.as_str();
            if !seen.insert(key) {
                self.help(
                    p.name.span,
                    format!(
                        "Property \"{key}\" is defined twice in datasource \"{}\".",
                        block.name.name
                    ),
                    "Remove one of the two lines.",
                );
                continue;
            }
            match key {
                "provider" => match &p.value {
                    Expr::String(name, span) => match Provider::from_name(name) {
                        Some(pr) => provider = Some((pr, name.clone())),
                        None => self.help(
                            *span,
                            format!("Datasource provider not known: \"{name}\"."),
                            "Use one of \"postgresql\", \"mysql\", \"sqlite\", \"sqlserver\", \"cockroachdb\" or \"mongodb\".",
                        ),
                    },
                    Expr::Function(f) if f.name == "env" => self.help(
                        f.span,
                        "A datasource must not use the env() function in the provider argument.",
                        "Write the provider as a string, e.g. `provider = \"postgresql\"`.",
                    ),
                    other => {
                        let s = other.span();
                        let d = other.describe();
                        self.help(
                            s,
                            format!("Expected a string value for the provider, but found {d}."),
                            "Write the provider as a string, e.g. `provider = \"postgresql\"`.",
                        )
                    }
                },
                "relationMode" | "referentialIntegrity" => match p.value.as_str() {
                    Some("prisma") => relation_mode = Some(RelationMode::Prisma),
                    Some("foreignKeys") => relation_mode = Some(RelationMode::ForeignKeys),
                    _ => self.help(
                        p.value.span(),
                        "Invalid relation mode setting.",
                        "Use `relationMode = \"foreignKeys\"` or `relationMode = \"prisma\"`.",
                    ),
                },
                "schemas" => match &p.value {
                    Expr::Array(items, _) => {
                        for i in items {
                            match i.as_str() {
                                Some(s) => schemas.push(s.to_string()),
                                None => {
                                    self.error(i.span(), "Each entry of `schemas` must be a string.");
                                }
                            }
                        }
                    }
                    other => {
                        let s = other.span();
                        self.help(s, "`schemas` must be a list of strings.", "Write it as `schemas = [\"public\", \"auth\"]`.");
                    }
                },
                "extensions" => {
                    // A single extension needs no brackets: `extensions = postgis`.
                    let items = match &p.value {
                        Expr::Array(items, _) => items.iter().collect(),
                        single => vec![single],
                    };
                    for i in items {
                        if let Some(ext) = self.extension(i) {
                            extensions.push(ext);
                        }
                    }
                }
                "url" | "directUrl" | "shadowDatabaseUrl" => {
                    self.string_or_env(&p.value);
                    connection_urls.push((key.to_string(), p.name.span));
                }
                other => self.help(
                    p.name.span,
                    format!("Property not known: \"{other}\"."),
                    "A datasource takes provider, url, directUrl, shadowDatabaseUrl, relationMode, schemas and extensions.",
                ),
            }
        }
        let Some((provider, provider_name)) = provider else {
            if !block.properties.iter().any(|p| p.name.name == "provider") {
                self.help(
                    block.name.span,
                    format!("The datasource \"{}\" has no provider.", block.name.name),
                    "Add `provider = \"postgresql\"` (or mysql, sqlite, sqlserver, cockroachdb, mongodb).",
                );
            }
            return;
        };
        let default_mode = if provider == Provider::MongoDb {
            RelationMode::Prisma
        } else {
            RelationMode::ForeignKeys
        };
        self.schema.datasource = Some(Datasource {
            name: block.name.name.clone(),
            provider,
            provider_name,
            relation_mode: relation_mode.unwrap_or(default_mode),
            relation_mode_explicit: relation_mode.is_some(),
            schemas,
            extensions,
            connection_urls,
            span: block.span,
        });
    }

    fn extension(&mut self, e: &Expr) -> Option<Extension> {
        match e {
            Expr::Constant(name, _) => Some(Extension {
                name: name.clone(),
                db_name: None,
                schema: None,
                version: None,
            }),
            Expr::Function(f) => {
                let mut ext = Extension {
                    name: f.name.clone(),
                    db_name: None,
                    schema: None,
                    version: None,
                };
                for a in &f.arguments {
                    let value = a
                        .value
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .map(str::to_string);
                    match a.name.as_ref().map(|n| n.name.as_str()) {
                        Some("map") => ext.db_name = value,
                        Some("schema") => ext.schema = value,
                        Some("version") => ext.version = value,
                        _ => {
                            self.error(
                                a.span,
                                "An extension takes the arguments map, schema and version.",
                            );
                        }
                    }
                }
                Some(ext)
            }
            other => {
                self.error(
                    other.span(),
                    "An extension is a name, e.g. `pgvector` or `pgvector(map: \"vector\")`.",
                );
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // top-level names

    fn declare_names(&mut self, tops: &[&Top]) {
        for top in tops {
            let (name, kind, span) = match top {
                Top::Model(m) => (
                    &m.name,
                    match m.keyword {
                        ModelKeyword::Model => TopKind::Model,
                        ModelKeyword::View => TopKind::View,
                        ModelKeyword::Type => TopKind::Composite,
                    },
                    m.span,
                ),
                Top::Enum(e) => (&e.name, TopKind::Enum, e.span),
                Top::Config(_) => continue,
            };
            if ScalarType::from_name(&name.name).is_some() {
                self.help(
                    name.span,
                    format!(
                        "The {} \"{}\" cannot be defined because its name is a Prisma scalar type.",
                        kind.noun(),
                        name.name
                    ),
                    "Choose another name; `@@map` can keep the table name.",
                );
                Arc::make_mut(&mut self.shadowed).insert(span);
                continue;
            }
            if let Some(existing) = self.names.get(&name.name) {
                let message = format!(
                    "The {} \"{}\" cannot be defined because a {} with that name already exists.",
                    kind.noun(),
                    name.name,
                    existing.noun()
                );
                self.help(
                    name.span,
                    message,
                    "Rename one of the two, or remove the duplicate.",
                );
                Arc::make_mut(&mut self.shadowed).insert(span);
                continue;
            }
            Arc::make_mut(&mut self.names).insert(name.name.clone(), kind);
        }
    }

    // -----------------------------------------------------------------------------------------
    // enums

    fn enum_block(&mut self, e: &ast::EnumBlock) {
        if self.shadowed.contains(&e.span) {
            return;
        }
        let mut en = Enum {
            name: e.name.name.clone(),
            mapped_name: None,
            schema: None,
            values: Vec::new(),
            documentation: e.documentation.clone(),
            span: e.span,
        };
        let mut seen = HashSet::new();
        for v in &e.values {
            if !seen.insert(v.name.name.as_str()) {
                self.help(
                    v.name.span,
                    format!(
                        "Value \"{}\" is already defined on enum \"{}\".",
                        v.name.name, e.name.name
                    ),
                    "Remove the duplicate value.",
                );
                continue;
            }
            let mut mapped = None;
            for a in &v.attributes {
                match a.name.name.as_str() {
                    "map" => mapped = self.single_string(a),
                    other => self.unknown_attribute(a.name.span, other, "@", "map"),
                }
            }
            en.values.push(EnumValue {
                name: v.name.name.clone(),
                mapped_name: mapped,
                comment: v.trailing_comment.as_ref().map(|c| c.text.clone()),
                span: v.span,
            });
        }
        for a in &e.attributes {
            match a.name.name.as_str() {
                "map" => en.mapped_name = self.single_string(a),
                "schema" => en.schema = self.single_string(a),
                other => self.unknown_attribute(a.name.span, other, "@@", "map, schema"),
            }
        }
        self.schema.enums.push(en);
    }

    fn unknown_attribute(&mut self, span: Span, name: &str, at: &str, known: &str) {
        self.help(
            span,
            format!("Attribute not known: \"{at}{name}\"."),
            format!("Attributes allowed here: {known}."),
        );
    }

    /// The one string argument of `@map("x")`, `@@schema("x")` and the like.
    fn single_string(&mut self, a: &Attribute) -> Option<String> {
        let value = a.argument("name", true).and_then(|arg| arg.value.as_ref());
        match value {
            Some(Expr::String(s, _)) if a.arguments.len() == 1 => Some(s.clone()),
            _ => {
                self.help(
                    a.span,
                    format!("`@{}` takes exactly one string argument.", a.name.name),
                    format!("Write it as `{}(\"name\")`.", a.name.name),
                );
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // fields (shared by models, views and composite types)

    fn field_type(&mut self, f: &ast::FieldDecl) -> Option<FieldType> {
        match &f.field_type.name {
            TypeName::Unsupported(s) => Some(FieldType::Unsupported(s.clone())),
            TypeName::Named(name) => {
                if let Some(s) = ScalarType::from_name(name) {
                    return Some(FieldType::Scalar(s));
                }
                match self.names.get(name) {
                    Some(TopKind::Enum) => Some(FieldType::Enum(name.clone())),
                    Some(TopKind::Composite) => Some(FieldType::Composite(name.clone())),
                    Some(TopKind::Model | TopKind::View) => Some(FieldType::Model(name.clone())),
                    None => {
                        let span = f.field_type.span;
                        let suggestion = match self.type_suggestions.get(name) {
                            Some(found) => found.clone(),
                            None => {
                                let found = self.closest_type(name);
                                self.type_suggestions.insert(name.clone(), found.clone());
                                found
                            }
                        };
                        let help = match suggestion {
                            Some(s) => format!("Did you mean `{s}`?"),
                            None => "Use a scalar type (String, Int, Boolean, DateTime, ...) or declare the model, enum or type.".to_string(),
                        };
                        self.help(
                            Span::new(span.file, span.start, span.start + name.len()),
                            format!("Type \"{name}\" is neither a built-in type, nor refers to another model, composite type, or enum."),
                            help,
                        );
                        None
                    }
                }
            }
        }
    }

    fn closest_type(&self, name: &str) -> Option<String> {
        const SCALARS: [&str; 9] = [
            "String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes",
        ];
        // Every unknown type is compared with every name: each comparison must be cheap (no
        // allocation, lengths first), or thousands of errors in a large schema take minutes.
        SCALARS
            .iter()
            .copied()
            .chain(self.names.keys().map(String::as_str))
            .filter(|c| c.len().abs_diff(name.len()) <= 2)
            .filter_map(|c| within_two_edits(c, name).map(|d| (d, c)))
            .min()
            .map(|(_, c)| c.to_string())
    }

    fn field<'a>(
        &mut self,
        f: &'a ast::FieldDecl,
        owner: &str,
        owner_kind: TopKind,
    ) -> Option<(Field, Vec<&'a Attribute>)> {
        let field_type = self.field_type(f)?;
        let mut field = Field {
            name: f.name.name.clone(),
            mapped_name: None,
            field_type,
            arity: f.field_type.arity.into(),
            native_type: None,
            default: None,
            is_updated_at: false,
            is_ignored: false,
            relation: None,
            documentation: f.documentation.clone(),
            comment: f.trailing_comment.as_ref().map(|c| c.text.clone()),
            span: f.span,
            name_span: f.name.span,
        };
        // `@id` and `@unique` become model-level keys: handed back to the caller.
        let mut key_attributes = Vec::new();
        // A field has a handful of attributes: a list beats hashing here.
        let mut seen: Vec<&str> = Vec::new();
        for a in &f.attributes {
            let name = a.name.name.as_str();
            if seen.contains(&name) {
                self.help(
                    a.name.span,
                    format!("Attribute \"@{name}\" can only be defined once."),
                    "Remove the repeated attribute.",
                );
                continue;
            }
            seen.push(name);
            match name {
                "id" | "unique" => {
                    if owner_kind == TopKind::Composite {
                        self.help(
                            a.name.span,
                            format!("Composite types cannot have `@{name}`."),
                            "Move the key to the model that embeds the type.",
                        );
                    } else {
                        key_attributes.push(a);
                    }
                }
                "map" => field.mapped_name = self.single_string(a),
                "default" => field.default = self.default_value(a, &field, owner),
                "updatedAt" => {
                    if field.field_type != FieldType::Scalar(ScalarType::DateTime) {
                        self.help(
                            a.name.span,
                            "Fields that are marked with @updatedAt must be of type DateTime.",
                            "Use `DateTime @updatedAt`.",
                        );
                    }
                    field.is_updated_at = true;
                }
                "ignore" if owner_kind == TopKind::Composite => self.unknown_attribute(
                    a.name.span,
                    "ignore",
                    "@",
                    "map, default and native types on composite type fields",
                ),
                "ignore" => field.is_ignored = true,
                "relation" => {
                    if field.is_relation() {
                        field.relation = Some(Box::new(self.relation_attribute(a)));
                    } else {
                        self.help(a.name.span, format!("`@relation` is only allowed on relation fields; `{}` is not one.", field.name), "Put `@relation(fields: [...], references: [...])` on the field whose type is the related model.");
                    }
                }
                "shardKey" => {}
                _ if name.contains('.') => field.native_type = self.native_type(a).map(Box::new),
                other => {
                    self.unknown_attribute(a.name.span, other, "@", &FIELD_ATTRIBUTES.join(", "))
                }
            }
        }
        if field.is_relation() && field.relation.is_none() {
            field.relation = Some(Box::default());
        }
        Some((field, key_attributes))
    }

    fn native_type(&mut self, a: &Attribute) -> Option<NativeType> {
        let (prefix, name) = a.name.name.split_once('.')?;
        match &self.datasource_name {
            Some(ds) if ds != prefix => {
                let message = format!(
                    "The prefix \"{prefix}\" is invalid. It must be equal to the name of an existing datasource e.g. {ds}. Did you mean to use {ds}.{name}?"
                );
                self.help(a.name.span, message, format!("Write `@{ds}.{name}`."));
                return None;
            }
            _ => {}
        }
        let mut args = Vec::new();
        for arg in &a.arguments {
            match &arg.value {
                Some(Expr::Number(n, _)) => args.push(n.clone()),
                Some(Expr::Constant(c, _)) => args.push(c.clone()),
                _ => {
                    self.error(
                        arg.span,
                        format!("Arguments of `@{}` are numbers (or `Max`).", a.name.name),
                    );
                }
            }
        }
        Some(NativeType {
            name: name.to_string(),
            args,
        })
    }

    fn relation_attribute(&mut self, a: &Attribute) -> RelationAttribute {
        let mut rel = RelationAttribute::default();
        let mut positional = 0;
        for arg in &a.arguments {
            let Some(value) = &arg.value else {
                let n = arg
                    .name
                    .as_ref()
                    .map(|n| n.name.clone())
                    .unwrap_or_default();
                self.help(
                    arg.span,
                    format!("The argument `{n}` of `@relation` has no value."),
                    "Give it a value, e.g. `fields: [authorId]`.",
                );
                continue;
            };
            let name = match &arg.name {
                Some(n) => n.name.as_str(),
                None => {
                    positional += 1;
                    if positional > 1 {
                        self.error(
                            arg.span,
                            "`@relation` takes only one unnamed argument: the relation name.",
                        );
                        continue;
                    }
                    "name"
                }
            };
            match name {
                "name" => match value.as_str() {
                    Some(s) => rel.name = Some(s.to_string()),
                    None => {
                        self.error(value.span(), "The relation name must be a string.");
                    }
                },
                "fields" => rel.fields = self.field_list(value),
                "references" => rel.references = self.field_list(value),
                "map" => match value.as_str() {
                    Some(s) => rel.map = Some(s.to_string()),
                    None => {
                        self.error(value.span(), "`map` must be a string.");
                    }
                },
                "onDelete" | "onUpdate" => {
                    let action = value.as_constant().and_then(ReferentialAction::from_name);
                    match action {
                        Some(act) if name == "onDelete" => rel.on_delete = Some(act),
                        Some(act) => rel.on_update = Some(act),
                        None => self.help(
                            value.span(),
                            format!("Invalid referential action for `{name}`."),
                            "Use Cascade, Restrict, NoAction, SetNull or SetDefault.",
                        ),
                    }
                }
                other => self.help(
                    arg.span,
                    format!("`@relation` has no argument named `{other}`."),
                    "It takes name, fields, references, onDelete, onUpdate and map.",
                ),
            }
        }
        rel
    }

    /// `[a, b]` as plain field names.
    fn field_list(&mut self, e: &Expr) -> Vec<String> {
        match e {
            Expr::Array(items, _) => items
                .iter()
                .filter_map(|i| match i {
                    Expr::Constant(c, _) => Some(c.clone()),
                    other => {
                        self.error(other.span(), "Expected a field name.");
                        None
                    }
                })
                .collect(),
            Expr::Constant(c, _) => vec![c.clone()],
            other => {
                self.error(
                    other.span(),
                    format!(
                        "Expected a list of field names, but found {}.",
                        other.describe()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn default_value(&mut self, a: &Attribute, field: &Field, owner: &str) -> Option<DefaultValue> {
        let mut map = None;
        let mut value = None;
        for arg in &a.arguments {
            match (arg.name.as_ref().map(|n| n.name.as_str()), &arg.value) {
                (Some("map"), Some(Expr::String(s, _))) => map = Some(s.clone()),
                (None | Some("value"), Some(v)) if value.is_none() => value = Some(v),
                _ => {
                    self.help(
                        arg.span,
                        "`@default` takes one value and an optional `map:`.",
                        "Write it as `@default(value)`.",
                    );
                    return None;
                }
            }
        }
        let Some(value) = value else {
            self.help(
                a.span,
                "`@default` needs a value.",
                "Write it as `@default(value)`, e.g. `@default(now())`.",
            );
            return None;
        };
        let kind = self.default_kind(value, field, owner)?;
        Some(DefaultValue { kind, map })
    }

    fn default_kind(&mut self, value: &Expr, field: &Field, owner: &str) -> Option<DefaultKind> {
        let bad = |r: &mut Self, why: String| {
            r.help(
                value.span(),
                format!("Error parsing attribute \"@default\": {why}"),
                format!(
                    "Field `{}` of `{owner}` is {}.",
                    field.name,
                    type_label(field)
                ),
            );
            None
        };
        if let Expr::Function(f) = value {
            let int_arg = |f: &ast::Function| -> Result<Option<u8>, ()> {
                match f.arguments.as_slice() {
                    [] => Ok(None),
                    [arg] if arg.name.is_none() => match &arg.value {
                        Some(Expr::Number(n, _)) => n.parse().map(Some).map_err(|_| ()),
                        _ => Err(()),
                    },
                    _ => Err(()),
                }
            };
            let no_args = f.arguments.is_empty();
            let kind = match f.name.as_str() {
                "autoincrement" if no_args => DefaultKind::Autoincrement,
                "now" if no_args => DefaultKind::Now,
                "ulid" if no_args => DefaultKind::Ulid,
                "auto" if no_args => DefaultKind::Auto,
                "uuid" => match int_arg(f) {
                    Ok(None) => DefaultKind::Uuid(4),
                    Ok(Some(v @ (4 | 7))) => DefaultKind::Uuid(v),
                    _ => return bad(self, "`uuid()` takes a single Int argument, 4 or 7.".into()),
                },
                "cuid" => match int_arg(f) {
                    Ok(None) => DefaultKind::Cuid(1),
                    Ok(Some(v @ (1 | 2))) => DefaultKind::Cuid(v),
                    _ => return bad(self, "`cuid()` takes either no argument, or a single integer argument which is either 1 or 2.".into()),
                },
                "nanoid" => match int_arg(f) {
                    Ok(n @ (None | Some(2..))) => DefaultKind::Nanoid(n),
                    _ => return bad(self, "`nanoid()` takes a single Int argument of at least 2.".into()),
                },
                "dbgenerated" => match f.arguments.as_slice() {
                    [] => DefaultKind::DbGenerated(None),
                    [arg] => match arg.value.as_ref().and_then(|v| v.as_str()) {
                        Some(s) if !s.trim().is_empty() => DefaultKind::DbGenerated(Some(s.to_string())),
                        _ => return bad(self, "`dbgenerated()` takes a single non-empty String argument.".into()),
                    },
                    _ => return bad(self, "`dbgenerated()` takes a single String argument.".into()),
                },
                "sequence" => DefaultKind::Sequence(
                    f.arguments
                        .iter()
                        .map(|a| {
                            (
                                a.name.as_ref().map(|n| n.name.clone()).unwrap_or_default(),
                                a.value
                                    .as_ref()
                                    .map(self_text)
                                    .unwrap_or_default(),
                            )
                        })
                        .collect(),
                ),
                other => {
                    return bad(self, format!("The function `{other}` is not a known function. You can read about the available functions here: https://pris.ly/d/attribute-functions"));
                }
            };
            return self
                .check_function_default(&kind, value, field, owner)
                .then_some(kind);
        }
        let literal = self.literal(value, field, owner)?;
        Some(DefaultKind::Value(literal))
    }

    fn check_function_default(
        &mut self,
        kind: &DefaultKind,
        value: &Expr,
        field: &Field,
        owner: &str,
    ) -> bool {
        let t = &field.field_type;
        let ok = match kind {
            DefaultKind::Autoincrement => {
                matches!(t, FieldType::Scalar(ScalarType::Int | ScalarType::BigInt))
            }
            DefaultKind::Now => matches!(t, FieldType::Scalar(ScalarType::DateTime)),
            DefaultKind::Uuid(_)
            | DefaultKind::Cuid(_)
            | DefaultKind::Nanoid(_)
            | DefaultKind::Ulid => {
                matches!(t, FieldType::Scalar(ScalarType::String))
            }
            _ => true,
        };
        if !ok {
            let name = match value {
                Expr::Function(f) => f.name.clone(),
                _ => String::new(),
            };
            self.help(
                value.span(),
                format!("Error parsing attribute \"@default\": The function `{name}()` cannot be used on fields of type `{}`.", type_label(field)),
                format!("Field `{}` of `{owner}`: pick a default that fits its type.", field.name),
            );
        }
        ok
    }

    fn literal(&mut self, value: &Expr, field: &Field, owner: &str) -> Option<Literal> {
        if field.arity == Arity::List
            && let Expr::Array(items, _) = value
        {
            let scalar = Field {
                arity: Arity::Required,
                ..field.clone()
            };
            let mut out = Vec::new();
            for i in items {
                out.push(self.literal(i, &scalar, owner)?);
            }
            return Some(Literal::List(out));
        }
        let mismatch = |r: &mut Self| {
            r.help(
                value.span(),
                format!(
                    "Error parsing attribute \"@default\": Expected {}, but found {}.",
                    expected_literal(field),
                    value.describe()
                ),
                format!(
                    "Field `{}` of `{owner}` is {}.",
                    field.name,
                    type_label(field)
                ),
            );
            None
        };
        match (&field.field_type, value) {
            (FieldType::Enum(e), Expr::Constant(c, span)) => {
                let known = self
                    .schema
                    .enums
                    .iter()
                    .find(|en| &en.name == e)
                    .map(|en| en.values.iter().any(|v| &v.name == c));
                if known == Some(false) {
                    self.help(
                        *span,
                        format!("Error parsing attribute \"@default\": The defined default value `{c}` is not a valid value of the enum specified for the field."),
                        format!("Use one of the values of enum `{e}`."),
                    );
                    return None;
                }
                Some(Literal::EnumValue(c.clone()))
            }
            (FieldType::Scalar(ScalarType::Boolean), Expr::Constant(c, _))
                if c == "true" || c == "false" =>
            {
                Some(Literal::Boolean(c == "true"))
            }
            (FieldType::Scalar(ScalarType::Int | ScalarType::BigInt), Expr::Number(n, _))
                if !n.contains('.') =>
            {
                Some(Literal::Number(n.clone()))
            }
            (FieldType::Scalar(ScalarType::Float | ScalarType::Decimal), Expr::Number(n, _)) => {
                Some(Literal::Number(n.clone()))
            }
            (
                FieldType::Scalar(
                    ScalarType::String
                    | ScalarType::DateTime
                    | ScalarType::Json
                    | ScalarType::Bytes
                    | ScalarType::Decimal
                    | ScalarType::BigInt,
                ),
                Expr::String(s, _),
            ) => Some(Literal::String(s.clone())),
            (FieldType::Unsupported(_) | FieldType::Composite(_), _) => {
                Some(Literal::String(self_text(value)))
            }
            _ => mismatch(self),
        }
    }

    // -----------------------------------------------------------------------------------------
    // models, views and composite types

    fn composite(&mut self, m: &ast::ModelBlock) {
        if self.shadowed.contains(&m.span) {
            return;
        }
        let mut fields: Vec<Field> = Vec::new();
        for f in &m.fields {
            if fields.iter().any(|x| x.name == f.name.name) {
                self.duplicate_field(f, &m.name.name, "composite type");
                continue;
            }
            if let Some((field, _)) = self.field(f, &m.name.name, TopKind::Composite) {
                fields.push(field);
            }
        }
        for a in &m.attributes {
            self.unknown_attribute(a.name.span, &a.name.name, "@@", "none on composite types");
        }
        self.schema.composite_types.push(CompositeType {
            name: m.name.name.clone(),
            fields,
            span: m.span,
        });
    }

    /// Prisma's check of `@map` on fields, in field order as Prisma runs it: a mapped name is
    /// taken once, and it clashes with a scalar field of that name unless that field comes
    /// earlier and maps to another name itself. (So `b @map("x")` before `a @map("b")` is valid
    /// and the reverse order is not: Prisma's own `db pull` can write the invalid order.)
    fn mapped_field_clashes(&mut self, model: &Model, noun: &str) {
        let mut taken: HashSet<&str> = HashSet::new();
        for (i, f) in model.fields.iter().enumerate() {
            let Some(mapped) = f.mapped_name.as_deref().filter(|_| !f.is_relation()) else {
                continue;
            };
            let clash = !taken.insert(mapped)
                || model.fields.iter().enumerate().any(|(j, g)| {
                    j != i
                        && g.name == mapped
                        && !g.is_relation()
                        && !(j < i && g.mapped_name.as_deref().is_some_and(|m| m != mapped))
                });
            if clash {
                self.help(
                    f.name_span,
                    format!(
                        "Field \"{}\" is already defined on {noun} \"{}\".",
                        f.name, model.name
                    ),
                    format!(
                        "Another field already uses the name \"{mapped}\" in the database: map this one elsewhere, or move it below that field if that one maps to another name."
                    ),
                );
            }
        }
    }

    fn duplicate_field(&mut self, f: &ast::FieldDecl, owner: &str, noun: &str) {
        self.help(
            f.name.span,
            format!(
                "Field \"{}\" is already defined on {noun} \"{owner}\".",
                f.name.name
            ),
            "Rename or remove one of the two fields.",
        );
    }

    fn model(&mut self, m: &ast::ModelBlock) {
        if self.shadowed.contains(&m.span) {
            return;
        }
        let kind = if m.keyword == ModelKeyword::View {
            ModelKind::View
        } else {
            ModelKind::Model
        };
        let kind_top = if kind == ModelKind::View {
            TopKind::View
        } else {
            TopKind::Model
        };
        let mut model = Model {
            name: m.name.name.clone(),
            kind,
            mapped_name: None,
            schema: None,
            fields: Vec::with_capacity(m.fields.len()),
            primary_key: None,
            indexes: Vec::new(),
            is_ignored: false,
            documentation: m.documentation.clone(),
            is_incomplete: m.has_invalid_lines,
            span: m.span,
            name_span: m.name.span,
        };
        let mut field_keys = Vec::new();
        for f in &m.fields {
            if model.fields.iter().any(|x| x.name == f.name.name) {
                self.duplicate_field(f, &m.name.name, kind_top.noun());
                continue;
            }
            if let Some((field, keys)) = self.field(f, &m.name.name, kind_top) {
                for k in keys {
                    field_keys.push((model.fields.len(), k));
                }
                model.fields.push(field);
            }
        }
        self.mapped_field_clashes(&model, kind_top.noun());
        for (index, a) in field_keys {
            let field = model.fields[index].name.clone();
            self.field_key(&mut model, &field, a);
        }
        let mut once = HashSet::new();
        for a in &m.attributes {
            let name = a.name.name.as_str();
            if matches!(name, "map" | "schema" | "ignore" | "id" | "shardKey") && !once.insert(name)
            {
                self.help(
                    a.name.span,
                    format!("Attribute \"@@{name}\" can only be defined once."),
                    "Remove the repeated attribute.",
                );
                continue;
            }
            self.model_attribute(&mut model, a);
        }
        self.schema.models.push(model);
    }

    /// `@id` / `@unique` on a field.
    fn field_key(&mut self, model: &mut Model, field: &str, a: &Attribute) {
        let mut index_field = IndexField {
            name: field.to_string(),
            sort: None,
            length: None,
            ops: None,
        };
        let mut map = None;
        let mut clustered = None;
        for arg in &a.arguments {
            let name = arg.name.as_ref().map(|n| n.name.as_str()).unwrap_or("map");
            match (name, &arg.value) {
                ("map", Some(Expr::String(s, _))) => map = Some(s.clone()),
                ("sort", Some(v)) => index_field.sort = self.sort_order(v),
                ("length", Some(Expr::Number(n, _))) => index_field.length = n.parse().ok(),
                ("clustered", Some(Expr::Constant(c, _))) => clustered = Some(c == "true"),
                _ => self.help(
                    arg.span,
                    format!("Invalid argument for `@{}`.", a.name.name),
                    "It takes map, sort, length and clustered.",
                ),
            }
        }
        if a.name.name == "id" {
            if let Some(existing) = &model.primary_key {
                let message = if existing.from_field {
                    format!(
                        "At most one field must be marked as the id field with the `@id` attribute; model \"{}\" has more.",
                        model.name
                    )
                } else {
                    format!("Model \"{}\" has both `@id` and `@@id`.", model.name)
                };
                self.help(
                    a.name.span,
                    message,
                    "Use one `@@id([a, b])` for a compound primary key.",
                );
                return;
            }
            model.primary_key = Some(PrimaryKey {
                fields: vec![index_field],
                name: None,
                map,
                clustered,
                from_field: true,
                span: a.span,
            });
        } else {
            model.indexes.push(Index {
                kind: IndexKind::Unique,
                fields: vec![index_field],
                name: None,
                map,
                algorithm: None,
                clustered,
                from_field: true,
                span: a.span,
            });
        }
    }

    fn sort_order(&mut self, v: &Expr) -> Option<SortOrder> {
        match v.as_constant() {
            Some("Asc") => Some(SortOrder::Asc),
            Some("Desc") => Some(SortOrder::Desc),
            _ => {
                self.help(
                    v.span(),
                    "Invalid sort order.",
                    "Use `sort: Asc` or `sort: Desc`.",
                );
                None
            }
        }
    }

    /// `[a, b(sort: Desc)]` of a key or index: field names with per-field options.
    fn index_fields(&mut self, e: &Expr, model: &Model, what: &str) -> Option<Vec<IndexField>> {
        let items: Vec<&Expr> = match e {
            Expr::Array(items, _) => items.iter().collect(),
            // A single field needs no brackets: `@@index(orgId)`.
            single @ (Expr::Constant(..) | Expr::Function(_)) => vec![single],
            other => {
                self.help(
                    other.span(),
                    format!("The fields of {what} must be a list."),
                    "Write them as `[fieldA, fieldB]`.",
                );
                return None;
            }
        };
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for item in items {
            let (name, args, span) = match item {
                Expr::Constant(c, s) => (c.clone(), &[][..], *s),
                Expr::Function(f) => (f.name.clone(), f.arguments.as_slice(), f.span),
                other => {
                    self.help(
                        other.span(),
                        format!("Expected a field name in {what}."),
                        "Write them as `[fieldA, fieldB]`.",
                    );
                    return None;
                }
            };
            let mut field = IndexField {
                name: name.clone(),
                sort: None,
                length: None,
                ops: None,
            };
            for arg in args {
                match (arg.name.as_ref().map(|n| n.name.as_str()), &arg.value) {
                    (Some("sort"), Some(v)) => field.sort = self.sort_order(v),
                    // Accepted by Prisma but applied to nothing: say so rather than fail.
                    (Some("order"), Some(_)) => self.diagnostics.push(
                        Diagnostic::warning(
                            arg.span,
                            format!("`order` on field `{name}` has no effect in {what}."),
                        )
                        .with_help(
                            "Use `sort: Asc` or `sort: Desc` to set the column's sort order.",
                        ),
                    ),
                    (Some("length"), Some(Expr::Number(n, _))) => field.length = n.parse().ok(),
                    (Some("ops"), Some(Expr::Constant(c, _))) => {
                        field.ops = Some(OperatorClass::Named(c.clone()))
                    }
                    (Some("ops"), Some(Expr::Function(f))) if f.name == "raw" => {
                        let raw = f
                            .arguments
                            .first()
                            .and_then(|a| a.value.as_ref())
                            .and_then(|v| v.as_str());
                        field.ops = raw.map(|r| OperatorClass::Raw(r.to_string()));
                    }
                    _ => self.help(
                        arg.span,
                        format!("Invalid argument for field `{name}` in {what}."),
                        "Fields take sort, length and ops.",
                    ),
                }
            }
            // A dotted path (`a.b`) names a composite field (MongoDB); its first part must exist.
            let root = name.split('.').next().unwrap_or(&name);
            match model.field(root) {
                Some(_) => {}
                None => unknown.push((name.clone(), span)),
            }
            out.push(field);
        }
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|(n, _)| n.as_str()).collect();
            self.help(
                unknown[0].1,
                format!("{what} refers to the unknown fields: {}.", names.join(", ")),
                format!(
                    "Model \"{}\" has no such field; check the spelling.",
                    model.name
                ),
            );
            return None;
        }
        Some(out)
    }

    fn model_attribute(&mut self, model: &mut Model, a: &Attribute) {
        let name = a.name.name.as_str();
        match name {
            "map" => model.mapped_name = self.single_string(a),
            "schema" => model.schema = self.single_string(a),
            "ignore" => model.is_ignored = true,
            "shardKey" => {}
            "id" | "unique" | "index" | "fulltext" => {
                let what = match name {
                    "id" => "The compound primary key (`@@id`)",
                    "unique" => "The unique constraint (`@@unique`)",
                    "index" => "The index (`@@index`)",
                    _ => "The fulltext index (`@@fulltext`)",
                };
                let mut fields = None;
                let mut key_name = None;
                let mut map = None;
                let mut algorithm = None;
                let mut clustered = None;
                let mut positional = 0;
                for arg in &a.arguments {
                    let Some(value) = &arg.value else {
                        self.help(
                            arg.span,
                            "This argument has no value.",
                            "Give it a value or remove it.",
                        );
                        return;
                    };
                    let arg_name = match &arg.name {
                        Some(n) => n.name.as_str(),
                        None => {
                            positional += 1;
                            if positional > 1 {
                                self.help(
                                    arg.span,
                                    format!("`@@{name}` takes one unnamed argument: its fields."),
                                    "Name the other arguments, e.g. `map: \"...\"`.",
                                );
                                return;
                            }
                            "fields"
                        }
                    };
                    match (arg_name, value) {
                        ("fields", v) => fields = self.index_fields(v, model, what),
                        ("name", Expr::String(s, _)) if name != "index" && name != "fulltext" => {
                            key_name = Some(s.clone())
                        }
                        // `name:` on @@index is the pre-2.30 spelling of `map:`.
                        ("name" | "map", Expr::String(s, _)) => map = Some(s.clone()),
                        ("type", Expr::Constant(c, _)) if name == "index" => {
                            algorithm = Some(c.clone())
                        }
                        ("clustered", Expr::Constant(c, _)) => clustered = Some(c == "true"),
                        _ => {
                            self.help(arg.span, format!("Invalid argument `{arg_name}` for `@@{name}`."), "It takes the fields list, name, map, type (indexes) and clustered.");
                            return;
                        }
                    }
                }
                let Some(fields) = fields else {
                    if !a.arguments.iter().any(|x| {
                        x.name.is_none() || x.name.as_ref().is_some_and(|n| n.name == "fields")
                    }) {
                        self.help(
                            a.span,
                            format!("`@@{name}` needs a list of fields."),
                            format!("Write it as `@@{name}([fieldA, fieldB])`."),
                        );
                    }
                    return;
                };
                if fields.is_empty() {
                    self.help(
                        a.span,
                        format!("`@@{name}` needs at least one field."),
                        format!("Write it as `@@{name}([fieldA, fieldB])`."),
                    );
                    return;
                }
                if name == "id" {
                    if model.primary_key.is_some() {
                        self.help(
                            a.name.span,
                            format!(
                                "Model \"{}\" has both `@id` and `@@id`, or two `@@id`.",
                                model.name
                            ),
                            "Keep one primary key.",
                        );
                        return;
                    }
                    model.primary_key = Some(PrimaryKey {
                        fields,
                        name: key_name,
                        map,
                        clustered,
                        from_field: false,
                        span: a.span,
                    });
                } else {
                    model.indexes.push(Index {
                        kind: match name {
                            "unique" => IndexKind::Unique,
                            "index" => IndexKind::Normal,
                            _ => IndexKind::Fulltext,
                        },
                        fields,
                        name: key_name,
                        map,
                        algorithm,
                        clustered,
                        from_field: false,
                        span: a.span,
                    });
                }
            }
            other => self.unknown_attribute(a.name.span, other, "@@", &MODEL_ATTRIBUTES.join(", ")),
        }
    }

    // -----------------------------------------------------------------------------------------
    // relations

    fn relations(&mut self) {
        let index: HashMap<String, usize> = self
            .schema
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        let mut paired: HashSet<(usize, usize)> = HashSet::new();
        let mut relations = Vec::new();
        for mi in 0..self.schema.models.len() {
            for fi in 0..self.schema.models[mi].fields.len() {
                if paired.contains(&(mi, fi)) {
                    continue;
                }
                let model = &self.schema.models[mi];
                let field = &model.fields[fi];
                let FieldType::Model(target) = &field.field_type else {
                    continue;
                };
                let Some(&ti) = index.get(target) else {
                    continue;
                };
                let rel = field.relation.clone().unwrap_or_default();
                // Candidate opposite fields: in the target, pointing back, same relation name.
                let candidates: Vec<usize> = self.schema.models[ti]
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(j, f)| {
                        (ti, *j) != (mi, fi)
                            && matches!(&f.field_type, FieldType::Model(t) if *t == model.name)
                            && f.relation.as_ref().and_then(|r| r.name.clone()) == rel.name
                    })
                    .map(|(j, _)| j)
                    .collect();
                let here = FieldRef {
                    model: mi,
                    field: fi,
                };
                match candidates.as_slice() {
                    [] => {
                        let (model_name, field_name, span) =
                            (model.name.clone(), field.name.clone(), field.name_span);
                        let target_name = self.schema.models[ti].name.clone();
                        if field.is_ignored || model.is_ignored || self.schema.models[ti].is_ignored
                        {
                            continue;
                        }
                        self.help(
                            span,
                            format!("The relation field `{field_name}` on model `{model_name}` is missing an opposite relation field on the model `{target_name}`."),
                            format!("Add a field of type `{model_name}` (or `{model_name}[]`) to model `{target_name}`; `prisma format` adds it for you."),
                        );
                    }
                    [j] => {
                        let there = FieldRef {
                            model: ti,
                            field: *j,
                        };
                        paired.insert((mi, fi));
                        paired.insert((ti, *j));
                        if let Some(r) = self.pair(here, there) {
                            relations.push(r);
                        }
                    }
                    _ => {
                        let (model_name, field_name, span) =
                            (model.name.clone(), field.name.clone(), field.name_span);
                        self.help(
                            span,
                            format!("Ambiguous relation detected. The fields of `{model_name}` and `{target}` point to each other in more than one relation, and `{field_name}` does not say which."),
                            "Give both sides of each relation the same name: `@relation(\"Name\")`.",
                        );
                    }
                }
            }
        }
        self.schema.relations = relations;
    }

    fn pair(&mut self, a: FieldRef, b: FieldRef) -> Option<Relation> {
        let fa = self.schema.field(a).clone();
        let fb = self.schema.field(b).clone();
        let ra = fa.relation.clone().unwrap_or_default();
        let rb = fb.relation.clone().unwrap_or_default();
        let ma = self.schema.models[a.model].name.clone();
        let mb = self.schema.models[b.model].name.clone();
        let name = ra.name.clone().unwrap_or_else(|| {
            let (x, y) = if ma <= mb { (&ma, &mb) } else { (&mb, &ma) };
            format!("{x}To{y}")
        });
        let a_has = !ra.fields.is_empty() || !ra.references.is_empty();
        let b_has = !rb.fields.is_empty() || !rb.references.is_empty();
        let (kind, referencing, referenced) = match (fa.arity, fb.arity) {
            (Arity::List, Arity::List) => {
                // MongoDB keeps many-to-many as lists of ids on both sides: fields are required there.
                let mongo = self.schema.provider() == Some(Provider::MongoDb);
                if (a_has || b_has) && !mongo {
                    let (s, m) = if a_has {
                        (fa.name_span, &ma)
                    } else {
                        (fb.name_span, &mb)
                    };
                    self.help(s, format!("Implicit many-to-many relations must not use `fields` or `references` (model `{m}`)."), "Remove the arguments, or declare the join table as a model of its own.");
                    return None;
                }
                // Column A of the join table belongs to the model whose name sorts first.
                let (first, second) =
                    if (ma.as_str(), fa.name.as_str()) <= (mb.as_str(), fb.name.as_str()) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                (RelationKind::ManyToMany, first, second)
            }
            (Arity::List, _) => (RelationKind::OneToMany, b, a),
            (_, Arity::List) => (RelationKind::OneToMany, a, b),
            _ => {
                if a_has && b_has {
                    self.help(fb.name_span, format!("The relation between `{ma}` and `{mb}` has `fields` and `references` on both sides."), "Keep them on the side that holds the foreign key only.");
                    return None;
                }
                (
                    RelationKind::OneToOne,
                    if b_has { b } else { a },
                    if b_has { a } else { b },
                )
            }
        };
        if kind != RelationKind::ManyToMany {
            let other = if referencing == a {
                (fb.clone(), rb.clone())
            } else {
                (fa.clone(), ra.clone())
            };
            if !other.1.fields.is_empty() || !other.1.references.is_empty() {
                let m = &self.schema.models[referenced.model].name;
                let message = format!(
                    "The relation field `{}` on model `{m}` must not specify the `fields` or `references` argument, since it is the list side of a one-to-many relation.",
                    other.0.name
                );
                self.help(
                    other.0.name_span,
                    message,
                    "Move `fields` and `references` to the other side.",
                );
                return None;
            }
            self.check_referencing(referencing, referenced)?;
        }
        Some(Relation {
            name,
            kind,
            referencing,
            referenced,
        })
    }

    /// The foreign key side: `fields` exist, `references` exist, same count.
    fn check_referencing(&mut self, referencing: FieldRef, referenced: FieldRef) -> Option<()> {
        let model = &self.schema.models[referencing.model];
        let target = &self.schema.models[referenced.model];
        let field = &model.fields[referencing.field];
        let rel = field.relation.clone().unwrap_or_default();
        let (span, fname, mname, tname) = (
            field.name_span,
            field.name.clone(),
            model.name.clone(),
            target.name.clone(),
        );
        if rel.fields.is_empty() || rel.references.is_empty() {
            if field.is_ignored || model.is_ignored {
                return Some(());
            }
            self.help(
                span,
                format!("The relation field `{fname}` on model `{mname}` must specify the `fields` and `references` arguments in the @relation attribute."),
                format!("Write `@relation(fields: [{}Id], references: [id])` on this side, or move it to the opposite field if the foreign key lives in `{tname}`.", fname),
            );
            return None;
        }
        let missing: Vec<String> = rel
            .fields
            .iter()
            .filter(|f| model.field(f).is_none_or(|x| x.is_relation()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let help = match closest_field(model, &missing[0]) {
                Some(c) => format!("Did you mean `{c}`?"),
                None => {
                    format!("Declare the foreign key field in `{mname}`, e.g. `{fname}Id Int`.")
                }
            };
            self.help(span, format!("The argument fields must refer only to existing scalar fields of model `{mname}`. The following fields do not exist or are not scalar: {}", missing.join(", ")), help);
            return None;
        }
        let missing: Vec<String> = rel
            .references
            .iter()
            .filter(|f| target.field(f).is_none_or(|x| x.is_relation()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            self.help(span, format!("The argument `references` must refer only to existing scalar fields in the related model `{tname}`. The following fields do not exist or are not scalar: {}", missing.join(", ")), format!("Check the field names of model `{tname}`."));
            return None;
        }
        if rel.fields.len() != rel.references.len() {
            self.help(
                span,
                "You must specify the same number of fields in `fields` and `references`.",
                "Pair each foreign key field with the field it references.",
            );
            return None;
        }
        Some(())
    }

    // -----------------------------------------------------------------------------------------
    // whole-model checks

    fn model_checks(&mut self) {
        let schemas = self
            .schema
            .datasource
            .as_ref()
            .map(|d| d.schemas.clone())
            .unwrap_or_default();
        let mut problems = Vec::new();
        for m in &self.schema.models {
            if m.kind == ModelKind::Model
                && !m.is_ignored
                && !m.is_incomplete
                && m.primary_key.is_none()
            {
                let has_unique = m.indexes.iter().any(|i| {
                    i.kind == IndexKind::Unique
                        && i.fields
                            .iter()
                            .all(|f| m.field(&f.name).is_some_and(|x| x.is_required()))
                });
                if !has_unique {
                    problems.push((
                        m.name_span,
                        format!("Model \"{}\" has no unique criteria: each model must have at least one that has only required fields.", m.name),
                        "Mark a field with `@id` or `@unique`, or add `@@id([a, b])` or `@@unique([a, b])`; `@@ignore` the model if it has no key.".to_string(),
                    ));
                }
            }
            if !schemas.is_empty() {
                problems.extend(schema_problem(
                    &m.schema,
                    &schemas,
                    m.name_span,
                    "model",
                    &m.name,
                ));
            }
        }
        for e in &self.schema.enums {
            if !schemas.is_empty() {
                problems.extend(schema_problem(&e.schema, &schemas, e.span, "enum", &e.name));
            }
        }
        for (span, message, help) in problems {
            self.help(span, message, help);
        }
    }
}

fn schema_problem(
    schema: &Option<String>,
    schemas: &[String],
    span: Span,
    noun: &str,
    name: &str,
) -> Option<(Span, String, String)> {
    match schema {
        None => Some((
            span,
            format!("This {noun} (\"{name}\") is missing an `@@schema` attribute."),
            format!(
                "The datasource lists schemas {:?}: add `@@schema(\"...\")` with one of them.",
                schemas
            ),
        )),
        Some(s) if !schemas.contains(s) => Some((
            span,
            format!("The schema \"{s}\" of {noun} \"{name}\" is not defined in the datasource."),
            "Add it to the datasource's `schemas` list.".to_string(),
        )),
        _ => None,
    }
}

fn self_text(e: &Expr) -> String {
    match e {
        Expr::Number(s, _) | Expr::String(s, _) | Expr::Constant(s, _) => s.clone(),
        Expr::Function(f) => format!("{}()", f.name),
        Expr::Array(items, _) => format!(
            "[{}]",
            items.iter().map(self_text).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn type_label(field: &Field) -> String {
    let base = match &field.field_type {
        FieldType::Scalar(s) => s.name().to_string(),
        FieldType::Enum(n) | FieldType::Composite(n) | FieldType::Model(n) => n.clone(),
        FieldType::Unsupported(s) => format!("Unsupported(\"{s}\")"),
    };
    match field.arity {
        Arity::Required => base,
        Arity::Optional => format!("{base}?"),
        Arity::List => format!("{base}[]"),
    }
}

fn expected_literal(field: &Field) -> &'static str {
    match &field.field_type {
        FieldType::Scalar(ScalarType::Boolean) => "a boolean value (true or false)",
        FieldType::Scalar(ScalarType::Int | ScalarType::BigInt) => "an integer",
        FieldType::Scalar(ScalarType::Float | ScalarType::Decimal) => "a number",
        FieldType::Enum(_) => "an enum value",
        _ => "a string",
    }
}

/// A scalar field of `model` whose name is a likely typo of `name`.
fn closest_field(model: &Model, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    model
        .scalar_fields()
        .map(|f| (edit_distance(&f.name.to_ascii_lowercase(), &lower), &f.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n.clone())
}

/// The edit distance of `a` and `b`, ignoring ASCII case, when it is at most 2. Short names
/// (the usual case) are compared without allocating.
fn within_two_edits(a: &str, b: &str) -> Option<usize> {
    const SHORT: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 2 {
        return None;
    }
    if a.len() >= SHORT || b.len() >= SHORT || !a.is_ascii() || !b.is_ascii() {
        let d = edit_distance(
            &String::from_utf8_lossy(a).to_lowercase(),
            &String::from_utf8_lossy(b).to_lowercase(),
        );
        return (d <= 2).then_some(d);
    }
    let (mut row_a, mut row_b) = ([0usize; SHORT + 1], [0usize; SHORT + 1]);
    let (mut prev, mut cur) = (&mut row_a, &mut row_b);
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > 2 {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= 2).then_some(d)
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::FileId;

    fn resolve_str(src: &str) -> Resolved {
        let parsed = crate::parse::parse(src, FileId(0));
        assert!(
            parsed.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            parsed.diagnostics
        );
        resolve(&[&parsed.ast])
    }

    fn errors(src: &str) -> Vec<String> {
        resolve_str(src)
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| d.message)
            .collect()
    }

    const DS: &str =
        "datasource db {\n  provider = \"postgres\"\n  url = env(\"DATABASE_URL\")\n}\n";

    #[test]
    fn resolves_relations_both_sides() {
        let src = format!(
            "{DS}model User {{\n  id Int @id @default(autoincrement())\n  posts Post[]\n  tags Tag[]\n  manager User? @relation(\"Mgr\", fields: [managerId], references: [id], onDelete: SetNull)\n  managerId Int?\n  reports User[] @relation(\"Mgr\")\n}}\nmodel Post {{\n  id String @id @default(uuid(7))\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n  @@index([authorId(sort: Desc)], map: \"by_author\")\n}}\nmodel Tag {{\n  id Int @id\n  users User[]\n}}\n"
        );
        let r = resolve_str(&src);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let s = &r.schema;
        assert_eq!(s.provider(), Some(Provider::PostgreSql));
        assert_eq!(s.relations.len(), 3);
        let names: Vec<(&str, RelationKind)> = s
            .relations
            .iter()
            .map(|r| (r.name.as_str(), r.kind))
            .collect();
        assert_eq!(
            names,
            vec![
                ("PostToUser", RelationKind::OneToMany),
                ("TagToUser", RelationKind::ManyToMany),
                ("Mgr", RelationKind::OneToMany)
            ]
        );
        let fk = s.field(s.relations[0].referencing);
        assert_eq!(fk.name, "author");
        let post = s.model("Post").unwrap();
        assert_eq!(
            post.field("id").unwrap().default.as_ref().unwrap().kind,
            DefaultKind::Uuid(7)
        );
        assert_eq!(post.indexes[0].fields[0].sort, Some(SortOrder::Desc));
        // Column A of _TagToUser is Tag.
        assert_eq!(s.models[s.relations[1].referencing.model].name, "Tag");
    }

    #[test]
    fn reports_semantic_errors() {
        let cases: &[(&str, &str)] = &[
            (
                "model A {\n  id Int @id\n  b Strin\n}\n",
                "Type \"Strin\" is neither",
            ),
            (
                "model A {\n  id Int @id\n  id String\n}\n",
                "Field \"id\" is already defined",
            ),
            (
                "model A {\n  id Int @id\n}\nmodel A {\n  id Int @id\n}\n",
                "already exists",
            ),
            ("enum E {\n  X\n  X\n}\n", "Value \"X\" is already defined"),
            // `@map` clashes, as Prisma checks them: in field order.
            (
                "model A {\n  id Int @id\n  a Int @map(\"x\")\n  b Int @map(\"x\")\n}\n",
                "Field \"b\" is already defined",
            ),
            (
                "model A {\n  id Int @id\n  a Int @map(\"b\")\n  b Int\n}\n",
                "Field \"a\" is already defined",
            ),
            (
                "model A {\n  id Int @id\n  a Int @map(\"b\")\n  b Int @map(\"c\")\n}\n",
                "Field \"a\" is already defined",
            ),
            (
                "model A {\n  id Int @id\n  b B\n}\nmodel B {\n  id Int @id\n}\n",
                "missing an opposite relation field",
            ),
            (
                "model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [id])\n}\nmodel B {\n  id Int @id\n  a A[]\n}\n",
                "do not exist or are not scalar: bId",
            ),
            (
                "model A {\n  id Int @id @foo\n}\n",
                "Attribute not known: \"@foo\"",
            ),
            ("model A {\n  name String\n}\n", "no unique criteria"),
            (
                "model A {\n  id Int @id @default(now())\n}\n",
                "cannot be used on fields of type",
            ),
            (
                "enum E {\n  X\n}\nmodel A {\n  id Int @id\n  e E @default(Y)\n}\n",
                "not a valid value of the enum",
            ),
            (
                "model A {\n  id Int @id\n  @@index([nope])\n}\n",
                "unknown fields: nope",
            ),
            ("datasource db {\n  url = \"x\"\n}\n", "has no provider"),
            (
                "datasource db {\n  provider = \"oracle\"\n}\n",
                "provider not known",
            ),
            (
                "datasource a {\n  provider = \"sqlite\"\n}\ndatasource b {\n  provider = \"mysql\"\n}\n",
                "second one",
            ),
        ];
        for (src, expected) in cases {
            let errs = errors(src);
            assert!(
                errs.iter().any(|e| e.contains(expected)),
                "{src:?}: wanted {expected:?}, got {errs:?}"
            );
        }
    }

    #[test]
    fn no_errors_for_valid_corner_cases() {
        let src = format!(
            "{DS}model A {{\n  id Int @id\n  kind Kind @default(ONE)\n  tags String[] @default([\"a\"])\n  at DateTime @default(now()) @updatedAt @db.Timestamptz(6)\n  n Decimal @default(1.50) @db.Decimal(10, 2)\n  x Unsupported(\"circle\")?\n  @@map(\"a_table\")\n}}\nenum Kind {{\n  ONE @map(\"one\")\n  TWO\n}}\n"
        );
        assert_eq!(errors(&src), Vec::<String>::new());
        // A field mapped to another field's name is valid below it, when that one maps
        // elsewhere (the order the expand schema of a changed `@map` uses).
        let mapped = format!(
            "{DS}model B {{\n  id Int @id @map(\"id\")\n  b Int @map(\"c\")\n  a Int @map(\"b\")\n}}\n"
        );
        assert_eq!(errors(&mapped), Vec::<String>::new());
        let r = resolve_str(&src);
        let a = r.schema.model("A").unwrap();
        assert_eq!(a.database_name(), "a_table");
        assert_eq!(
            a.field("n").unwrap().native_type.as_deref(),
            Some(&NativeType {
                name: "Decimal".into(),
                args: vec!["10".into(), "2".into()]
            })
        );
    }
}
