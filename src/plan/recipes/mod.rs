//! The recipes: one file per breaking change prisma-xc knows how to ship in phases, registered
//! in [`RECIPES`] like the rules in `src/rules/`. A recipe looks at one finding and, when the
//! change is its own, decides which phase makes it (`Decision`), edits the intermediate schema
//! (`Context::edits`: what the expand adds beside the old structures) and registers what the
//! other phases need (`Context::recipes`: sync triggers, backfill assignments, dual-write pairs,
//! table renames, type swaps). From these the planner derives every phase's migration, its
//! guard and its way back. A change no recipe takes ships with the expand when it is safe, and
//! is refused when it is breaking.

mod dropped_default;
mod dropped_enum;
mod dropped_field;
mod dropped_join_table;
mod dropped_model;
mod made_required;
mod moved_foreign_key;
mod moved_table;
mod new_autoincrement;
mod new_foreign_key;
mod new_index;
mod new_required_field;
mod new_unique;
mod primary_key;
mod removed_enum_value;
mod renamed_column;
mod renamed_enum_type;
mod renamed_enum_value;
mod renamed_table;
mod sqlite_table_rename;
mod type_change;

pub(super) use super::{
    Assignment, ColumnRename, FieldPair, PlanInput, Recipes, SyncMode, TypeSwap, ValueSource,
    conversions,
};
pub(super) use crate::changes::ChangeKind;
pub(super) use crate::classify::Finding;
pub(super) use crate::database::{Database, Table};
pub(super) use crate::diagnostics::Sources;
pub(super) use crate::expand::SchemaEdits;
pub(super) use crate::migrate::TableRef;
pub(super) use crate::plan::ChangeRecipe;
pub(super) use crate::plan::runbook::MigrationPhase;
pub(super) use crate::rules::Severity;
pub(super) use crate::schema::{Model, Provider, Schema};
pub(super) use crate::sql::Dialect;
pub(super) use crate::sql::Flavour;
pub(super) use crate::sql::condition;

/// What a recipe reads, and what it adds to.
pub(in crate::plan) struct Context<'a> {
    pub input: &'a PlanInput<'a>,
    pub old_db: &'a Database,
    pub new_db: &'a Database,
    /// What the database can do, and how it spells the plan's SQL.
    pub flavour: &'static dyn Flavour,
    /// Edits of the new schema's text that make the intermediate schema.
    pub edits: &'a mut SchemaEdits,
    /// What the later phases need, gathered over every change.
    pub recipes: &'a mut Recipes,
}

impl<'a> Context<'a> {
    fn provider(&self) -> Provider {
        self.flavour.provider()
    }

    fn dialect(&self) -> Dialect {
        self.flavour.dialect()
    }

    /// `text` where the database builds indexes and checks keys while writes go on, nothing
    /// elsewhere: the words of a step only such a database takes.
    fn online(&self, text: &'static str) -> &'static str {
        if self.flavour.builds_online() {
            text
        } else {
            ""
        }
    }

    fn new_model(&self, name: &str) -> Result<&'a Model, Refusal> {
        self.input
            .new
            .model(name)
            .ok_or_else(|| Refusal::bug(format!("model `{name}` not found")))
    }
}

/// Which phase makes a change in the database, and what the plan does, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::plan) struct Decision {
    pub phase: MigrationPhase,
    pub recipe: ChangeRecipe,
}

impl Decision {
    fn expand(recipe: impl Into<String>) -> Decision {
        Decision {
            phase: MigrationPhase::Expand,
            recipe: ChangeRecipe::Phased(recipe.into()),
        }
    }

    fn contract(recipe: impl Into<String>) -> Decision {
        Decision {
            phase: MigrationPhase::Contract,
            recipe: ChangeRecipe::Phased(recipe.into()),
        }
    }
}

/// Why a change gets no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::plan) enum Refusal {
    /// The change is one prisma-xc cannot ship in phases (yet): the user is told why and what
    /// to do instead.
    Unsupported(String),
    /// Something the change names was not found in the schemas it came from: a bug of
    /// prisma-xc, not of the schema.
    Bug(String),
}

impl Refusal {
    fn bug(what: impl Into<String>) -> Refusal {
        Refusal::Bug(what.into())
    }
}

type Outcome = Result<Decision, Refusal>;

/// One recipe: `None` when the finding is not its kind of change.
pub(in crate::plan) trait Recipe: Sync {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome>;
}

/// Every recipe, in the order they are asked: a more specific one before a general one of the
/// same change (a new unique before a new index).
const RECIPES: &[&dyn Recipe] = &[
    &renamed_column::RenamedColumn,
    &new_required_field::NewRequiredField,
    &made_required::MadeRequired,
    &dropped_field::DroppedField,
    &dropped_enum::DroppedEnum,
    &dropped_model::DroppedModel,
    &new_unique::NewUnique,
    &new_index::NewIndex,
    &moved_foreign_key::MovedForeignKey,
    &new_foreign_key::NewForeignKey,
    &removed_enum_value::RemovedEnumValue,
    &renamed_enum_value::RenamedEnumValue,
    &type_change::TypeChange,
    &dropped_default::DroppedDefault,
    &new_autoincrement::NewAutoincrement,
    &renamed_enum_type::RenamedEnumType,
    &primary_key::PrimaryKey,
    &dropped_join_table::DroppedJoinTable,
    &sqlite_table_rename::SqliteTableRename,
    &renamed_table::RenamedTable,
    &moved_table::MovedTable,
];

/// The recipe of one finding.
pub(in crate::plan) fn decide(f: &Finding, cx: &mut Context) -> Outcome {
    if let Some(outcome) = RECIPES.iter().find_map(|r| r.plan(f, cx)) {
        return outcome;
    }
    if f.severity >= Severity::Breaking {
        return Err(Refusal::Unsupported(
            if f.rule.is(crate::rules::RENAMED_TABLE) {
                "a table rename: keep the table with `@@map(\"Old\")`, which is safe (XC105)".into()
            } else {
                "no phased recipe covers this change yet".into()
            },
        ));
    }
    Ok(Decision {
        phase: MigrationPhase::Expand,
        recipe: ChangeRecipe::ShipsWithExpand,
    })
}

/// The foreign keys, of any table of `db`, that reference `column` of `table`.
fn foreign_keys_to<'a>(
    db: &'a Database,
    table: &'a Table,
    column: &'a str,
) -> impl Iterator<Item = &'a crate::database::ForeignKey> {
    db.tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .filter(move |fk| {
            fk.referenced_table == table.name
                && fk.referenced_schema == table.schema
                && fk.referenced_columns.iter().any(|c| c == column)
        })
}

/// The backfill of a column copied from another one of the same row (a renamed column, or the
/// new-typed copy of a column): rows where it differs from the converted source are pending,
/// and rows whose value the conversion would change are left for the user, never cut.
fn copy_assignment(flavour: &dyn Flavour, rename: &ColumnRename, why: String) -> Assignment {
    let d = flavour.dialect();
    let (source, target) = (d.quote(&rename.old_column), d.quote(&rename.new_column));
    let converted = if rename.converts() {
        flavour.convert(&source, &rename.new_type.sql())
    } else {
        source.clone()
    };
    let lossy = flavour.changes_value(&source, &rename.old_type, &rename.new_type);
    let differs = flavour.distinct(&target, &converted, &rename.new_type);
    Assignment {
        column: rename.new_column.clone(),
        sql_type: rename.new_type.sql(),
        source: ValueSource::Column {
            column: rename.old_column.clone(),
            cast: rename.converts().then(|| rename.new_type.sql()),
        },
        pending: match &lossy {
            Some(lossy) => condition::or(&differs, lossy),
            None => differs.clone(),
        },
        done_when: condition::not(&differs),
        lossy,
        why,
    }
}

fn find_table<'a>(db: &'a Database, model: &Model) -> Option<&'a Table> {
    db.tables
        .iter()
        .find(|t| t.name == model.database_name() && t.schema == model.schema)
}

fn old_model_of<'a>(input: &'a PlanInput, nm: &Model) -> Result<&'a Model, Refusal> {
    input
        .classification
        .findings
        .iter()
        .find_map(|f| match &f.change.kind {
            ChangeKind::ModelRenamed { from, to, .. } if to == &nm.name => input.old.model(from),
            _ => None,
        })
        .or_else(|| input.old.model(&nm.name))
        .ok_or_else(|| Refusal::bug(format!("model `{}` is not in the old schema", nm.name)))
}

/// A field of a model in both schemas, under the same name: (new model, new field, old field).
fn same_field<'a>(
    input: &'a PlanInput,
    model: &str,
    field: &str,
) -> Result<
    (
        &'a Model,
        &'a crate::schema::Field,
        &'a crate::schema::Field,
    ),
    Refusal,
> {
    let nm = input
        .new
        .model(model)
        .ok_or(Refusal::bug("model not found"))?;
    let om = old_model_of(input, nm)?;
    let nf = nm.field(field).ok_or(Refusal::bug("new field not found"))?;
    let of = om
        .field(field)
        .ok_or(Refusal::bug("the field has another name in the old schema"))?;
    Ok((nm, nf, of))
}

/// Put an old field back into the intermediate schema, under `<name>Old` when the new schema
/// uses its name for another field; `relax`: as optional.
fn keep_old_field(cx: &mut Context, nm: &Model, of: &crate::schema::Field, relax: bool) {
    let rename = nm
        .field(&of.name)
        .is_some()
        .then(|| format!("{}Old", of.name));
    cx.edits.insert_old_field(
        cx.input.new_sources,
        nm,
        cx.input.old_sources,
        of,
        rename.as_deref(),
        relax,
    );
}

/// Replace the new field's line with the old one: the change waits for the contract.
fn revert_field(
    input: &PlanInput,
    edits: &mut SchemaEdits,
    model: &str,
    field: &str,
) -> Result<(), Refusal> {
    let (_, nf, of) = same_field(input, model, field)?;
    edits.replace_field(nf, input.old_sources.text(of.span));
    Ok(())
}

/// The span of a block's attribute line that starts with `start` (`@@map(`), inside `block`.
fn block_attribute_line(
    sources: &Sources,
    block: crate::diagnostics::Span,
    start: &str,
) -> Option<crate::diagnostics::Span> {
    let text = &sources.file(block.file).text;
    let mut at = block.start;
    for line in text[block.start..block.end].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(start) {
            let begin = at + (line.len() - trimmed.len());
            let end = at + line.trim_end().len();
            return Some(crate::diagnostics::Span::new(block.file, begin, end));
        }
        at += line.len();
    }
    None
}

fn insert_enum_value(
    edits: &mut SchemaEdits,
    input: &PlanInput,
    ne: &crate::schema::Enum,
    line: &str,
) {
    let sources = input.new_sources;
    let after = match ne.values.last() {
        Some(v) => v.span,
        None => crate::diagnostics::Span::new(ne.span.file, ne.span.start, ne.span.start),
    };
    let last = crate::expand::line_of(sources, after);
    let indent: String = sources.file(after.file).text[last.start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    edits.insert_text(after.file, last.end, format!("\n{indent}{line}"));
}

/// The old model's `@@index` and `@@unique` lines on a field the expand keeps for old code (a
/// renamed or dropped one) stay in the intermediate schema: old code's queries use them until
/// the contract (an upsert's lookup by the old column would scan the table). Each line once; a
/// compound unique with a client name is left out (the new one may take the name), and so is
/// an index on a field the intermediate schema does not have.
pub(super) fn keep_old_indexes(cx: &mut Context, om: &Model, nm: &Model, field: &str) {
    let new_lines: Vec<&str> = (nm.indexes.iter())
        .map(|i| cx.input.new_sources.text(i.span))
        .collect();
    for index in &om.indexes {
        let on_field = index.fields.iter().any(|f| f.name == field);
        // Each field names the same column in the intermediate schema: a field the new model
        // lacks is kept there under its old name; one it has must not have moved to another
        // column (a changed `@map`).
        let all_there = index
            .fields
            .iter()
            .all(|f| match (nm.field(&f.name), om.field(&f.name)) {
                (None, _) => true,
                (Some(new), Some(old)) => new.database_name() == old.database_name(),
                (Some(_), None) => false,
            });
        if index.from_field
            || !on_field
            || !all_there
            || index.name.is_some()
            || cx.recipes.kept_indexes.contains(&index.span)
        {
            continue;
        }
        let line = cx.input.old_sources.text(index.span);
        if !new_lines.contains(&line) {
            cx.recipes.kept_indexes.push(index.span);
            cx.edits
                .insert_line_after_fields(cx.input.new_sources, nm, line);
        }
    }
}

/// What the recipes leave to do once every finding has its decision: on MySQL, the kept enum
/// values placed.
pub(in crate::plan) fn finish(cx: &mut Context) {
    if cx.provider() == Provider::MySql {
        order_mysql_enums(cx);
    }
}

/// MySQL keeps an enum's values in its columns' type and adds values in place only at the
/// end: the intermediate enum lists the old values in their order (a value the new schema
/// keeps as the new schema writes it), then the new values. Each value's whole line moves
/// with it; lines between values (comments, blanks) are left out.
fn order_mysql_enums(cx: &mut Context) {
    // Each enum once, in the order the recipes met them.
    let mut enums: Vec<(&str, &str)> = Vec::new();
    for (new, old, _) in &cx.recipes.kept_enum_values {
        if !enums.contains(&(new.as_str(), old.as_str())) {
            enums.push((new, old));
        }
    }
    let (new_sources, old_sources) = (cx.input.new_sources, cx.input.old_sources);
    let line_of = crate::expand::line_of;
    let mut edits = Vec::new();
    for (new_name, old_name) in enums {
        let (Some(ne), Some(oe)) = (
            cx.input.new.enum_by_name(new_name),
            cx.input.old.enums.iter().find(|e| e.name == old_name),
        ) else {
            continue;
        };
        let (Some(first), Some(last)) = (ne.values.first(), ne.values.last()) else {
            continue;
        };
        let kept = |value: &str| {
            (cx.recipes.kept_enum_values.iter())
                .any(|(n, o, v)| n == new_name && o == old_name && v == value)
        };
        let mut lines = Vec::new();
        for ov in &oe.values {
            match ne
                .values
                .iter()
                .find(|v| v.database_name() == ov.database_name())
            {
                Some(nv) => lines.push(new_sources.text(line_of(new_sources, nv.span))),
                None if kept(&ov.name) => {
                    lines.push(old_sources.text(line_of(old_sources, ov.span)))
                }
                None => {}
            }
        }
        for nv in &ne.values {
            if !oe
                .values
                .iter()
                .any(|ov| ov.database_name() == nv.database_name())
            {
                lines.push(new_sources.text(line_of(new_sources, nv.span)));
            }
        }
        let region = crate::diagnostics::Span::new(
            first.span.file,
            line_of(new_sources, first.span).start,
            line_of(new_sources, last.span).end,
        );
        edits.push((region, lines.join("\n")));
    }
    for (region, text) in edits {
        cx.edits.replace(region, text);
    }
}

/// An enum value the new schema no longer has (removed, or renamed in the database): kept in
/// the intermediate schema, and every column of the enum backfilled off it. `old` finds the
/// old enum; `source` is what replaces the value in a column.
fn move_rows_off_value(
    cx: &mut Context,
    enumeration: &str,
    value: &str,
    old: impl Fn(&crate::schema::Enum) -> bool,
    source: impl Fn(&Table, &str) -> ValueSource,
    why: &str,
) -> Result<(), Refusal> {
    let ne = cx
        .input
        .new
        .enum_by_name(enumeration)
        .ok_or(Refusal::bug("enum not found"))?;
    let oe = cx
        .input
        .old
        .enums
        .iter()
        .find(|e| e.values.iter().any(|v| v.name == value) && old(e))
        .ok_or(Refusal::bug("old enum not found"))?;
    let ov = oe
        .values
        .iter()
        .find(|v| v.name == value)
        .ok_or(Refusal::bug("old value not found"))?;
    if cx.provider() == Provider::MySql {
        cx.recipes
            .kept_enum_values
            .push((ne.name.clone(), oe.name.clone(), ov.name.clone()));
    } else {
        insert_enum_value(cx.edits, cx.input, ne, cx.input.old_sources.text(ov.span));
    }
    let literal = crate::escape::sql_string(cx.provider(), ov.database_name());
    for (model, table, column) in enum_columns(cx.input.new, cx.new_db, ne) {
        let text = cx.flavour.as_text(&cx.dialect().quote(&column));
        cx.recipes
            .backfill_table(model, table)
            .assignments
            .push(Assignment {
                sql_type: table
                    .column(&column)
                    .map(|c| c.column_type.sql())
                    .unwrap_or_default(),
                source: source(table, &column),
                pending: condition::equals(&text, &literal),
                lossy: None,
                done_when: condition::not_equals(&text, &literal),
                why: why.to_string(),
                column,
            });
    }
    Ok(())
}

/// Every column of type `e`: (model, table, column).
fn enum_columns<'a>(
    schema: &'a Schema,
    db: &'a Database,
    e: &crate::schema::Enum,
) -> Vec<(&'a Model, &'a Table, String)> {
    let mut out = Vec::new();
    for m in &schema.models {
        let Some(t) = find_table(db, m) else { continue };
        for f in m.scalar_fields() {
            if matches!(&f.field_type, crate::schema::FieldType::Enum(n) if *n == e.name)
                && f.arity != crate::schema::Arity::List
            {
                out.push((m, t, f.database_name().to_string()));
            }
        }
    }
    out
}

/// Make a field optional, and the relation fields built on it too: Prisma rejects a required
/// relation over an optional scalar.
fn relax(edits: &mut SchemaEdits, sources: &Sources, model: &Model, field: &crate::schema::Field) {
    edits.make_optional(sources, field);
    for relation_field in &model.fields {
        if relation_field
            .relation
            .as_ref()
            .is_some_and(|r| r.fields.contains(&field.name))
        {
            edits.make_optional(sources, relation_field);
        }
    }
}

/// The table of `nm` renamed or moved in place by the expand, a view standing in for the old
/// one: recorded once, however many findings (rename, move) lead here.
fn move_table(cx: &mut Context, nm: &Model, how: impl Fn(&str, &str) -> String) -> Outcome {
    let (input, old_db, new_db) = (cx.input, cx.old_db, cx.new_db);
    if !cx.flavour.renames_table_behind_view() {
        return Err(Refusal::Unsupported(
            "a table rename is phased on PostgreSQL (a view stands in for the old table) and SQLite (the table is copied and kept in sync), a move between schemas on PostgreSQL only".into(),
        ));
    }
    let om = old_model_of(input, nm)?;
    let old_table = find_table(old_db, om).ok_or(Refusal::bug("old table not found"))?;
    let new_table = find_table(new_db, nm).ok_or(Refusal::bug("new table not found"))?;
    if let Some(why) = super::table_rename::refusal(old_db, old_table) {
        return Err(Refusal::Unsupported(why));
    }
    let (from, to) = (TableRef::of(old_table), TableRef::of(new_table));
    let d = cx.dialect();
    let (old_name, new_name) = (d.table(&from), d.table(&to));
    let decision = Decision::expand(format!(
        "expand {} and leaves a view {old_name} in its place, through which old code reads and writes the same rows; the contract drops the view",
        how(&old_name, &new_name)
    ));
    if !cx.recipes.table_renames.iter().any(|r| r.to == to) {
        cx.recipes
            .table_renames
            .push(super::TableRename { from, to });
    }
    Ok(decision)
}

/// Recipes run on two schemas, for the recipes' unit tests.
#[cfg(test)]
pub(super) mod test_support {
    use super::*;

    /// What the recipes made of every change from `old` to `new` (model and enum blocks; the
    /// datasource is `provider`'s).
    pub struct Planned {
        /// Each finding's change kind (`FieldRenamed`) and outcome, in order.
        pub outcomes: Vec<(String, Outcome)>,
        /// The intermediate schema.
        pub expand: String,
        pub recipes: Recipes,
    }

    impl Planned {
        /// The decision on the change of this kind; it must have one.
        pub fn decision(&self, kind: &str) -> &Decision {
            match self.outcomes.iter().find(|(k, _)| k == kind) {
                Some((_, Ok(d))) => d,
                other => panic!("{kind}: {other:?}\nall: {:?}", self.outcomes),
            }
        }

        /// Why the change of this kind was refused, as the user reads it.
        pub fn refusal(&self, kind: &str) -> &str {
            match self.outcomes.iter().find(|(k, _)| k == kind) {
                Some((_, Err(Refusal::Unsupported(why)))) => why,
                other => panic!("{kind}: {other:?}\nall: {:?}", self.outcomes),
            }
        }
    }

    /// `old` and `new` after a datasource of `provider`.
    pub fn plan(provider: &str, old: &str, new: &str) -> Planned {
        plan_after(&crate::test_support::datasource(provider), old, new)
    }

    /// `old` and `new` after `head` (a datasource block of one's own).
    pub fn plan_after(head: &str, old: &str, new: &str) -> Planned {
        let compared = crate::test_support::Compared::after(head, old, new);
        let input = compared.input();
        let (old_db, new_db) = (&compared.old_db, &compared.new_db);
        let (classification, new_sources) = (&compared.classification, &compared.new_sources);
        let provider = classification.provider;
        let (mut edits, mut recipes) = (SchemaEdits::default(), Recipes::default());
        let mut cx = Context {
            input: &input,
            old_db,
            new_db,
            flavour: crate::sql::flavour::of(provider),
            edits: &mut edits,
            recipes: &mut recipes,
        };
        let outcomes = classification
            .findings
            .iter()
            .map(|f| {
                let kind = format!("{:?}", f.change.kind);
                let kind = kind
                    .split([' ', '{', '('])
                    .next()
                    .unwrap_or_default()
                    .to_string();
                (kind, decide(f, &mut cx))
            })
            .collect();
        finish(&mut cx);
        let expand = edits.apply(new_sources).expect("edits apply");
        let expand = expand.strip_prefix(head).unwrap_or(&expand).to_string();
        Planned {
            outcomes,
            expand,
            recipes,
        }
    }
}
