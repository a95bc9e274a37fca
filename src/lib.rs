//! prisma-xc: zero-downtime Prisma schema changes by expand and contract.
//!
//! The pipeline, one module per stage, data flowing one way:
//! schema text -> [`parse`] (with `grammar/`) -> [`ast`] -> [`resolve`] -> [`schema`]
//! -> ... Diagnostics ([`diagnostics`]) carry spans from every stage back to the source.
//! I/O lives only at the edges: [`input`] reads schema files, `main.rs` prints and exits.

pub mod ast;
pub mod database;
pub mod diagnostics;
pub mod input;
pub mod migrate;
pub mod parse;
pub mod resolve;
pub mod schema;
pub mod sql;
pub mod summary;
pub mod validate;
pub mod write;

use diagnostics::{Diagnostic, Sources};

/// A schema read from its sources, with everything found wrong in it.
pub struct Loaded {
    pub schema: schema::Schema,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse and resolve every file of one schema. Pure: the files are already read.
pub fn load(sources: &Sources) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut asts = Vec::with_capacity(sources.files.len());
    for (i, file) in sources.files.iter().enumerate() {
        let parsed = parse::parse(&file.text, diagnostics::FileId(i as u32));
        diagnostics.extend(parsed.diagnostics);
        asts.push(parsed.ast);
    }
    let refs: Vec<&ast::SchemaAst> = asts.iter().collect();
    let resolved = resolve::resolve(&refs);
    diagnostics.extend(resolved.diagnostics);
    diagnostics.extend(validate::validate(&resolved.schema));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    Loaded {
        schema: resolved.schema,
        diagnostics,
    }
}

/// The plain one-step migration from `old` (or an empty database) to `new`, as Prisma would
/// write it. `Ok(None)` when the two databases are the same.
pub fn direct_migration(
    old: Option<&schema::Schema>,
    new: &schema::Schema,
) -> Result<Option<String>, database::LowerError> {
    let next = database::lower(new)?;
    let previous = match old {
        Some(old) => {
            let mut previous = database::lower(old)?;
            // A provider switch cannot be migrated: Prisma starts over from an empty database.
            if previous.provider != next.provider {
                previous = migrate::empty(next.provider);
            }
            previous
        }
        None => migrate::empty(next.provider),
    };
    let steps = migrate::diff(&previous, &next);
    if steps.is_empty() {
        return Ok(None);
    }
    Ok(Some(sql::render_script(&steps, next.provider)))
}
