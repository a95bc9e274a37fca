//! prisma-xc: zero-downtime Prisma schema changes by expand and contract.
//!
//! The pipeline, one module per stage, data flowing one way:
//! schema text -> [`parse`] (with `grammar/`) -> [`ast`] -> [`resolve`] -> [`schema`]
//! -> ... Diagnostics ([`diagnostics`]) carry spans from every stage back to the source.
//! I/O lives only at the edges: [`input`] reads schema files, `main.rs` prints and exits.

pub mod ast;
pub mod changes;
pub mod classify;
pub mod client;
pub mod coverage;
pub mod database;
pub mod diagnostics;
pub mod directives;
pub mod escape;
pub mod expand;
pub mod hashing;
pub mod input;
pub mod migrate;
pub mod parse;
pub mod paths;
pub mod plan;
pub mod project;
pub mod renames;
pub mod render;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod settings;
pub mod sql;
pub mod status;
pub mod validate;
pub mod write;

use diagnostics::{Diagnostic, Sources};

/// A schema read from its sources, with everything found wrong in it.
pub struct Loaded {
    pub schema: schema::Schema,
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax trees `schema` was resolved from, one per file. Kept rather than freed as
    /// soon as resolved: a caller that exits right after its work (the CLI) skips freeing
    /// them altogether.
    pub syntax: Vec<ast::SchemaAst>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse and resolve every file of one schema. Pure: the files are already read.
pub fn load(sources: &Sources) -> Loaded {
    resolve_parsed(parse::parse_files(&files_of(sources)))
}

/// [`load`], reusing the syntax trees of earlier, valid files for the text they share (see
/// [`parse::parse_files_reusing`]).
pub fn load_reusing(sources: &Sources, earlier: &[(&str, &ast::SchemaAst)]) -> Loaded {
    resolve_parsed(parse::parse_files_reusing(&files_of(sources), earlier))
}

fn files_of(sources: &Sources) -> Vec<(&str, diagnostics::FileId)> {
    (sources.files.iter().enumerate())
        .map(|(i, file)| (file.text.as_str(), diagnostics::FileId(i as u32)))
        .collect()
}

/// Resolve and validate the parsed files of one schema.
fn resolve_parsed(parsed: Vec<parse::Parsed>) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut asts = Vec::with_capacity(parsed.len());
    for file in parsed {
        diagnostics.extend(file.diagnostics);
        asts.push(file.ast);
    }
    let refs: Vec<&ast::SchemaAst> = asts.iter().collect();
    let resolved = resolve::resolve(&refs);
    diagnostics.extend(resolved.diagnostics);
    diagnostics.extend(validate::validate(&resolved.schema));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    Loaded {
        schema: resolved.schema,
        diagnostics,
        syntax: asts,
    }
}

/// Run two independent pieces of work at once, `a` on a thread of its own: the two sides of a
/// diff (loading, lowering) each take a core on a big schema. A panic in `a` goes on in the
/// caller, as if `a` had run there.
pub fn both<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        let a = a.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (a, b)
    })
}

/// Load the two schemas of a diff at once. Their files are parsed together, so the text they
/// share (most of it, in a diff) is parsed once; then each side is resolved on a core of its
/// own.
pub fn load_pair(old: Option<&Sources>, new: &Sources) -> (Option<Loaded>, Loaded) {
    let old_files = old.map_or(0, |old| old.files.len());
    let mut files = old.map(files_of).unwrap_or_default();
    files.extend(files_of(new));
    let mut parsed_old = parse::parse_files(&files);
    let parsed_new = parsed_old.split_off(old_files);
    both(
        || old.map(|_| resolve_parsed(parsed_old)),
        || resolve_parsed(parsed_new),
    )
}

/// The plain one-step migration from `old` (or an empty database) to `new`, as Prisma would
/// write it. `Ok(None)` when the two databases are the same.
pub fn direct_migration(
    old: Option<&schema::Schema>,
    new: &schema::Schema,
) -> Result<Option<String>, database::LowerError> {
    let (previous, next) = lower_pair(old, new)?;
    Ok(migration_script(&previous, &next))
}

/// The databases a direct migration goes between: `old`'s (an empty one without `old`, or
/// when the provider changes: Prisma starts over then) and `new`'s, lowered at once.
pub fn lower_pair(
    old: Option<&schema::Schema>,
    new: &schema::Schema,
) -> Result<(database::Database, database::Database), database::LowerError> {
    let (previous, next) = both(|| old.map(database::lower), || database::lower(new));
    let next = next?;
    let previous = match previous.transpose()? {
        Some(previous) if previous.provider == next.provider => previous,
        _ => migrate::empty(next.provider),
    };
    Ok((previous, next))
}

/// The SQL of the migration from `previous` to `next`; `None` when they are the same.
pub fn migration_script(
    previous: &database::Database,
    next: &database::Database,
) -> Option<String> {
    let steps = migrate::diff(previous, next);
    (!steps.is_empty()).then(|| sql::render_script(&steps, next.provider))
}

/// What `compare` is told besides the two schemas.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    pub renames: Vec<renames::RenameFlag>,
    /// Rule ids from `--allow`.
    pub allow: Vec<String>,
    /// prisma-xc.toml's `[rules]`.
    pub rule_settings: Vec<(&'static str, settings::RuleSetting)>,
}

#[derive(Debug)]
pub enum CompareError {
    /// Malformed `// prisma-xc:` directives in the new schema.
    Directives(Vec<Diagnostic>),
    Rename(renames::RenameError),
    UnknownRule(String),
    Lower(database::LowerError),
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::Directives(d) => {
                write!(f, "{} malformed prisma-xc directive(s)", d.len())
            }
            CompareError::Rename(e) => write!(f, "{e}"),
            CompareError::UnknownRule(id) => write!(
                f,
                "--allow {id}: there is no rule {id}; `prisma-xc explain --list` lists them"
            ),
            CompareError::Lower(e) => write!(f, "{e}"),
        }
    }
}

/// Every change from `old` to `new`, judged. `new_sources` holds the new schema's text, where
/// the `// prisma-xc:` directives are. Warnings (directives that name nothing) come back with
/// the result.
pub fn compare(
    old: &schema::Schema,
    new: &schema::Schema,
    new_sources: &Sources,
    options: &CompareOptions,
) -> Result<(classify::Classification, Vec<Diagnostic>), CompareError> {
    compare_lowered(old, new, &lower_both(old, new), new_sources, options)
}

/// The database models of the two sides of a comparison, each as lowering left it.
pub struct LoweredPair {
    pub old: Result<database::Database, database::LowerError>,
    pub new: Result<database::Database, database::LowerError>,
}

/// Lower both schemas at once, for [`compare_lowered`].
pub fn lower_both(old: &schema::Schema, new: &schema::Schema) -> LoweredPair {
    let (old, new) = both(|| database::lower(old), || database::lower(new));
    LoweredPair { old, new }
}

/// [`compare`], with the two schemas already lowered by [`lower_both`]: a caller that exits
/// right after can keep the databases instead of freeing them.
pub fn compare_lowered(
    old: &schema::Schema,
    new: &schema::Schema,
    lowered: &LoweredPair,
    new_sources: &Sources,
    options: &CompareOptions,
) -> Result<(classify::Classification, Vec<Diagnostic>), CompareError> {
    if let Some(unknown) = options.allow.iter().find(|id| rules::find(id).is_none()) {
        return Err(CompareError::UnknownRule(unknown.clone()));
    }
    let allow: Vec<String> = options
        .allow
        .iter()
        .filter_map(|id| rules::find(id).map(|r| r.id.to_string()))
        .collect();
    let (directives, problems) = directives::find(new_sources, new, |id| {
        rules::find(id).is_some_and(|r| r.id == id)
    });
    if !problems.is_empty() {
        return Err(CompareError::Directives(problems));
    }
    let (declared, warnings) =
        renames::declare(old, new, &options.renames, &directives).map_err(CompareError::Rename)?;
    fn usable(
        lowered: &Result<database::Database, database::LowerError>,
    ) -> Result<Option<&database::Database>, CompareError> {
        match lowered {
            Ok(db) => Ok(Some(db)),
            Err(database::LowerError::MongoDb) => Ok(None),
            Err(e) => Err(CompareError::Lower(e.clone())),
        }
    }
    let (mut old_db, mut new_db) = (usable(&lowered.old)?, usable(&lowered.new)?);
    // Across providers the two databases have nothing in common to compare column by column:
    // only the Prisma-level changes are reported, next to the provider change itself.
    if old.provider() != new.provider() {
        (old_db, new_db) = (None, None);
    }
    let provider = new
        .provider()
        .ok_or(CompareError::Lower(database::LowerError::NoDatasource))?;
    let sides = changes::Sides {
        old,
        new,
        old_db,
        new_db,
    };
    let diff = changes::diff(&sides, &declared);
    Ok((
        classify::classify(diff, provider, &allow, &options.rule_settings, &directives),
        warnings,
    ))
}

/// Schemas from text for the unit tests of every stage.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostics::{SourceFile, Sources};

    /// The datasource block of `provider`.
    pub fn datasource(provider: &str) -> String {
        format!("datasource db {{\n  provider = \"{provider}\"\n}}\n\n")
    }

    /// `text` as the one file of a schema.
    pub fn file(text: String) -> Sources {
        let mut sources = Sources::default();
        sources.add(SourceFile::new("schema.prisma", text));
        sources
    }

    /// `body` after a datasource of `provider`, as sources.
    pub fn sources(provider: &str, body: &str) -> Sources {
        file(format!("{}{body}", datasource(provider)))
    }

    /// The resolved schema of `body`; panics on an invalid one (a test's own mistake).
    pub fn schema(provider: &str, body: &str) -> crate::schema::Schema {
        let loaded = crate::load(&sources(provider, body));
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.schema
    }

    /// The database of `body`.
    pub fn database(provider: &str, body: &str) -> crate::database::Database {
        crate::database::lower(&schema(provider, body)).expect("the schema lowers")
    }

    /// Two schemas compared as `prisma-xc diff` compares them: what the planner reads.
    pub struct Compared {
        pub old_sources: Sources,
        pub new_sources: Sources,
        pub old: crate::Loaded,
        pub new: crate::Loaded,
        pub classification: crate::classify::Classification,
        pub old_db: crate::database::Database,
        pub new_db: crate::database::Database,
    }

    impl Compared {
        /// `old` and `new` after `head` (a datasource block).
        pub fn after(head: &str, old: &str, new: &str) -> Compared {
            let (old_sources, new_sources) =
                (file(format!("{head}{old}")), file(format!("{head}{new}")));
            let (old, new) = (crate::load(&old_sources), crate::load(&new_sources));
            assert!(
                !old.has_errors() && !new.has_errors(),
                "{:?}{:?}",
                old.diagnostics,
                new.diagnostics
            );
            let (classification, _) = crate::compare(
                &old.schema,
                &new.schema,
                &new_sources,
                &crate::CompareOptions::default(),
            )
            .expect("the schemas compare");
            let old_db = crate::database::lower(&old.schema).expect("old lowers");
            let new_db = crate::database::lower(&new.schema).expect("new lowers");
            Compared {
                old_sources,
                new_sources,
                old,
                new,
                classification,
                old_db,
                new_db,
            }
        }

        pub fn input(&self) -> crate::plan::PlanInput<'_> {
            crate::plan::PlanInput {
                old: &self.old.schema,
                old_sources: &self.old_sources,
                new: &self.new.schema,
                new_sources: &self.new_sources,
                old_db: &self.old_db,
                new_db: &self.new_db,
                new_syntax: &[],
                classification: &self.classification,
            }
        }
    }

    /// A table of the default schema.
    pub fn table_ref(name: &str) -> crate::migrate::TableRef {
        crate::migrate::TableRef {
            schema: None,
            name: name.into(),
        }
    }

    /// A database of `provider` holding one empty table, `name`, of the default schema.
    pub fn database_with_table(
        provider: crate::schema::Provider,
        name: &str,
    ) -> crate::database::Database {
        crate::database::Database {
            provider,
            namespaces: Vec::new(),
            extensions: Vec::new(),
            enums: Vec::new(),
            tables: vec![crate::database::Table {
                schema: None,
                name: name.into(),
                columns: Vec::new(),
                primary_key: None,
                indexes: Vec::new(),
                foreign_keys: Vec::new(),
            }],
        }
    }

    /// A column type that is no list.
    pub fn column_type(
        base: &'static str,
        family: crate::database::TypeFamily,
    ) -> crate::database::ColumnType {
        crate::database::ColumnType {
            base: base.into(),
            family,
            is_list: false,
        }
    }

    /// The plan `x` from `old` to `new` (bodies after a datasource of `provider`), through
    /// every stage as `prisma-xc diff` runs them.
    pub fn plan(provider: &str, old: &str, new: &str) -> crate::plan::Plan {
        plan_after(&datasource(provider), old, new)
    }

    /// The plan from `old` to `new`, schemas that bring their own datasource.
    pub fn plan_with_datasource(old: &str, new: &str) -> crate::plan::Plan {
        plan_after("", old, new)
    }

    fn plan_after(head: &str, old: &str, new: &str) -> crate::plan::Plan {
        let compared = Compared::after(head, old, new);
        let options = crate::plan::PlanOptions {
            name: "x".into(),
            timestamp: "20300101000000".into(),
            lock_timeout: "5s".into(),
            sync: crate::plan::SyncMode::Trigger,
        };
        crate::plan::plan(&compared.input(), &options).expect("the change plans")
    }
}
