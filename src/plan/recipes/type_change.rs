//! A column type change (XC106): a column of the new type beside the old one, kept in sync with
//! casts (or by the application, where no cast exists), backfilled, and swapped into place by the
//! contract.

use super::*;
use crate::changes::ChangedType;

pub(in crate::plan) struct TypeChange;

impl Recipe for TypeChange {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::ColumnTypeChanged {
                model,
                field,
                from,
                to,
                castable,
                ..
            } if f.severity >= Severity::Breaking => (|| -> Outcome {
                // MySQL converts any value a column is given (a date becomes the number
                // 20240319120000): kept in sync by its triggers are only the values a cast
                // keeps the meaning of; for the others the application converts.
                let castable = *castable
                    && match (from, to, cx.provider()) {
                        (ChangedType::Column(a), ChangedType::Column(b), Provider::MySql) => {
                            crate::migrate::types_cast(a, b)
                        }
                        _ => true,
                    };
                let types = (from, to, castable);
                type_swap(
                    f, cx.input, cx.new_db, cx.edits, cx.recipes, model, field, types,
                )?;
                Ok(Decision::contract(if castable {
                    "expand adds a column of the new type beside the old one, kept in sync (casting) while old and new code run; the backfill converts the rest (a value that does not convert stops it, naming the row); the contract drops the old column and renames the new one into its place".into()
                } else {
                    format!(
                        "expand adds a column of the new type beside the old one (`{field}XcNew`); no cast exists, so the application writes both fields with its own conversion, and the backfill converts the rest with the SQL expression you fill in; the contract drops the old column and renames the new one into its place"
                    )
                }))
            })(),
            _ => return None,
        };
        Some(outcome)
    }
}

/// A type change as a new column: the expand keeps the old field and adds a copy of the new one
/// under a temporary name and column; triggers and the backfill fill it, casting.
#[allow(clippy::too_many_arguments)]
fn type_swap(
    f: &crate::classify::Finding,
    input: &PlanInput,
    new_db: &Database,
    edits: &mut SchemaEdits,
    recipes: &mut Recipes,
    model: &str,
    field: &str,
    (from, to, castable): (&ChangedType, &ChangedType, bool),
) -> Result<(), Refusal> {
    let provider = input.classification.provider;
    let d = Dialect(provider);
    let (nm, nf, of) = same_field(input, model, field)?;
    if nf.database_name() != of.database_name() {
        return Err(Refusal::Unsupported(
            "the field is renamed and retyped at once: do one, then the other".into(),
        ));
    }
    let table = find_table(new_db, nm).ok_or(Refusal::bug("table not found"))?;
    if table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c.name == nf.database_name()))
    {
        return Err(Refusal::Unsupported(
            "the field is part of the primary key".into(),
        ));
    }
    let (Some(old_type), Some(new_type)) = (from.column(), to.column()) else {
        return Err(Refusal::Unsupported(format!(
            "{}: no SQL types to convert between",
            f.rule.id
        )));
    };
    let column = nf.database_name().to_string();
    let temporary = crate::database::owned_name(&column, "xc_new", provider);
    let temporary_field = format!("{field}XcNew");
    // The expand: the old field as it was, and the new one under its temporary name.
    edits.replace_field(nf, input.old_sources.text(of.span));
    let mut line = input.new_sources.text(nf.span).to_string();
    line.replace_range(..nf.name.len(), &temporary_field);
    let type_at = crate::expand::type_end(&line, temporary_field.len());
    if nf.arity == crate::schema::Arity::Required {
        line.insert(type_at, '?');
    }
    // Its own column; unique and id attributes belong to the final column, which the contract
    // creates.
    for attribute in ["@map", "@unique", "@id"] {
        line = crate::expand::without_attribute(&line, attribute);
    }
    let comment = crate::expand::comment_start(&line).unwrap_or(line.len());
    let end = line[..comment].trim_end().len();
    line.insert_str(
        end,
        &format!(" @map({})", crate::escape::prisma_string(&temporary)),
    );
    edits.insert_line_after_fields(input.new_sources, nm, &line);
    let (old_sql, new_sql) = (old_type.sql(), new_type.sql());
    let old_col = d.quote(&column);
    let assignment = if castable {
        let rename = ColumnRename {
            table: TableRef::of(table),
            old_column: column.clone(),
            new_column: temporary.clone(),
            old_type: old_type.clone(),
            new_type: new_type.clone(),
        };
        let assignment = copy_assignment(
            crate::sql::flavour::of(provider),
            &rename,
            format!("`{field}` changes type from {old_sql} to {new_sql}"),
        );
        recipes.renames.push(rename);
        assignment
    } else {
        // No cast between the two types: only the user knows the conversion. The backfill is
        // a skeleton for it; no trigger or extension can convert in the meantime, so the
        // application writes both fields itself, and the contract's guard waits for every
        // row that has an old value to have a new one.
        Assignment {
            column: temporary.clone(),
            sql_type: new_sql.clone(),
            source: ValueSource::FillIn {
                hint: format!(
                    "the {new_sql} value of `{field}` computed from the {old_sql} column {old_col} of the same row (a SQL expression)"
                ),
            },
            pending: condition::and(
                &condition::is_null(d, &temporary),
                &condition::is_not_null(d, &column),
            ),
            lossy: None,
            done_when: condition::or(
                &condition::is_not_null(d, &temporary),
                &condition::is_null(d, &column),
            ),
            why: format!("`{field}` changes type from {old_sql} to {new_sql}, which has no cast"),
        }
    };
    recipes
        .backfill_table(nm, table)
        .assignments
        .push(assignment);
    recipes.swaps.push(TypeSwap {
        table: TableRef::of(table),
        column,
        temporary,
        old_type: old_sql,
        castable,
    });
    if castable {
        let (to_new, to_old) = conversions(&of.field_type, &nf.field_type);
        recipes.dual_write(
            model,
            FieldPair {
                to_new,
                to_old,
                ..FieldPair::renamed(field, &temporary_field)
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn a_column_of_the_new_type_is_swapped_into_place() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  age String\n}\n",
            "model User {\n  id Int @id\n  age Int\n}\n",
        );
        let d = p.decision("ColumnTypeChanged");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert_eq!(p.recipes.swaps.len(), 1);
        assert!(p.expand.contains("ageXcNew"), "{}", p.expand);
    }
}
