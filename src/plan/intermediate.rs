//! The intermediate schema (`schema.expand.prisma`): the new schema's text with the recipes'
//! edits, checked by resolving it like any schema, and lowered to the database every phase's
//! migration is diffed against.

use super::PlanError;
use super::PlanInput;
use crate::database::Database;
use crate::diagnostics::Sources;
use crate::expand::SchemaEdits;

/// The intermediate schema's text and database. An edit that leaves it invalid is a bug of a
/// recipe, reported with the schema's diagnostics.
pub(super) fn schema(
    input: &PlanInput,
    edits: SchemaEdits,
) -> Result<(String, Database), PlanError> {
    let expand_schema = edits
        .apply(input.new_sources)
        .map_err(|c| PlanError::Internal(format!("overlapping schema edits at {:?}", c.at)))?;
    let mut expand_sources = Sources::default();
    expand_sources.add(crate::diagnostics::SourceFile::new(
        super::PlanPath::ExpandSchema.path(),
        expand_schema.clone(),
    ));
    let earlier: Vec<(&str, &crate::ast::SchemaAst)> =
        if input.new_syntax.len() == input.new_sources.files.len() {
            (input.new_sources.files.iter())
                .map(|f| f.text.as_str())
                .zip(input.new_syntax)
                .collect()
        } else {
            Vec::new()
        };
    let mut expand_loaded = crate::load_reusing(&expand_sources, &earlier);
    if expand_loaded.has_errors() {
        return Err(PlanError::Internal(format!(
            "the intermediate schema is not valid:\n{}\n{expand_schema}",
            crate::diagnostics::render_all(&expand_loaded.diagnostics, &expand_sources)
        )));
    }
    // Its syntax trees are done with: their memory serves what comes next.
    drop(std::mem::take(&mut expand_loaded.syntax));
    let expand_db = crate::database::lower(&expand_loaded.schema)
        .map_err(|e| PlanError::NoDatabase(e.to_string()))?;
    drop(expand_loaded);
    Ok((expand_schema, expand_db))
}
