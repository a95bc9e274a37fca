//! A renamed column (XC103): the new column beside the old one, kept in sync by a trigger
//! (or the dual-write extension), backfilled, and the old one dropped by the contract.

use super::*;

pub(in crate::plan) struct RenamedColumn;

impl Recipe for RenamedColumn {
    fn plan(&self, f: &Finding, cx: &mut Context) -> Option<Outcome> {
        let outcome = match &f.change.kind {
            ChangeKind::FieldRenamed {
                model,
                from,
                to,
                column_from,
                column_to,
                ..
            } if column_from != column_to => (|| -> Outcome {
                let nm = cx.new_model(model)?;
                let om = old_model_of(cx.input, nm)?;
                let of = om.field(from).ok_or(Refusal::bug("old field not found"))?;
                let nf = nm.field(to).ok_or(Refusal::bug("new field not found"))?;
                let table = find_table(cx.new_db, nm).ok_or(Refusal::bug("table not found"))?;
                // Foreign keys would have to move from the old column to the new one, which has no
                // unique key until the contract: the intermediate schema cannot express that yet.
                let old_table = find_table(cx.old_db, om);
                if let Some(fk) = foreign_keys_to(cx.new_db, table, column_to)
                    .chain(
                        old_table
                            .into_iter()
                            .flat_map(|t| foreign_keys_to(cx.old_db, t, column_from)),
                    )
                    .next()
                {
                    return Err(Refusal::Unsupported(format!(
                        "foreign key \"{}\" references the renamed column, and prisma-xc cannot move foreign keys to a new column yet: keep the column with `@map(\"{column_from}\")` (XC105), or rename it by hand",
                        fk.name
                    )));
                }
                relax(cx.edits, cx.input.new_sources, nm, nf);
                // A renamed key column: the expand keeps the key on the old column (the new one
                // starts empty); the contract moves it.
                if let Some(pk) = &nm.primary_key
                    && pk.fields.iter().any(|k| k.name == nf.name)
                {
                    if !pk.from_field {
                        return Err(Refusal::Unsupported(
                            "a column of a composite primary key is renamed".into(),
                        ));
                    }
                    cx.edits.remove(cx.input.new_sources, pk.span);
                }
                // The old field keeps its name unless the new schema reuses it (an `@map` change).
                let old_name = if nm.field(&of.name).is_some() {
                    format!("{}Old", of.name)
                } else {
                    of.name.clone()
                };
                let rename = (old_name != of.name).then_some(old_name.as_str());
                // Optional too: code built on the intermediate schema may name only the new field
                // (the extension and the trigger fill the old one).
                let in_old_key = om
                    .primary_key
                    .as_ref()
                    .is_some_and(|pk| pk.fields.iter().any(|k| k.name == of.name));
                cx.edits.insert_old_field(
                    cx.input.new_sources,
                    nm,
                    cx.input.old_sources,
                    of,
                    rename,
                    !in_old_key,
                );
                if rename.is_none() {
                    keep_old_indexes(cx, om, nm, &of.name);
                }
                let new_type = table
                    .column(column_to)
                    .map(|c| c.column_type.clone())
                    .ok_or(Refusal::bug("new column not found"))?;
                let old_type = find_table(cx.old_db, om)
                    .and_then(|t| t.column(column_from))
                    .map_or_else(|| new_type.clone(), |c| c.column_type.clone());
                let rename = ColumnRename {
                    table: TableRef::of(table),
                    old_column: column_from.clone(),
                    new_column: column_to.clone(),
                    old_type,
                    new_type,
                };
                cx.recipes
                    .backfill_table(nm, table)
                    .assignments
                    .push(copy_assignment(
                        cx.flavour,
                        &rename,
                        format!("`{to}` is the renamed `{from}`"),
                    ));
                cx.recipes.renames.push(rename);
                cx.recipes
                    .dual_write(model, FieldPair::renamed(&old_name, to));
                let sync = match cx.recipes.sync {
                    SyncMode::Trigger if cx.flavour.syncs_columns() => {
                        "a trigger keeps the two equal while old and new code run"
                    }
                    _ => {
                        "the application writes both (the dual-write extension) while old and new code run"
                    }
                };
                Ok(Decision::contract(format!(
                    "expand adds column \"{column_to}\" (nullable) beside \"{column_from}\"; {sync}; the backfill copies the rest; the contract drops \"{column_from}\"{}",
                    if nf.is_required() {
                        " and makes the new column NOT NULL"
                    } else {
                        ""
                    }
                )))
            })(),
            _ => return None,
        };
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::recipes::test_support::*;

    #[test]
    fn the_old_columns_indexes_stay_until_the_contract() {
        let p = plan(
            "mysql",
            "model Link {\n  id Int @id\n  projectId Int\n  url String @db.Text\n\n  @@index([projectId, url(length: 500)])\n}\n",
            "model Link {\n  id Int @id\n  projectId Int\n  destination String @db.Text // prisma-xc: renamed from url\n\n  @@index([projectId, destination(length: 500)])\n}\n",
        );
        assert!(
            p.expand.contains("@@index([projectId, url(length: 500)])"),
            "{}",
            p.expand
        );
        assert!(
            p.expand
                .contains("@@index([projectId, destination(length: 500)])"),
            "{}",
            p.expand
        );
    }

    #[test]
    fn the_new_column_comes_beside_the_old_one_and_is_backfilled() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  user_name String\n}\n",
            "model User {\n  id Int @id\n  username String // prisma-xc: renamed from user_name\n}\n",
        );
        let d = p.decision("FieldRenamed");
        assert_eq!(d.phase, MigrationPhase::Contract);
        assert!(
            d.recipe.text().contains("a trigger keeps the two equal"),
            "{}",
            d.recipe
        );
        assert!(
            p.expand.contains("username String?") && p.expand.contains("user_name String?"),
            "{}",
            p.expand
        );
        assert_eq!(p.recipes.renames.len(), 1);
        assert_eq!(p.recipes.backfill[0].assignments[0].column, "username");
    }

    #[test]
    fn a_column_of_a_composite_key_is_refused() {
        let p = plan(
            "postgresql",
            "model T {\n  a Int\n  b Int\n  @@id([a, b])\n}\n",
            "model T {\n  c Int // prisma-xc: renamed from a\n  b Int\n  @@id([c, b])\n}\n",
        );
        assert!(p.refusal("FieldRenamed").contains("composite primary key"));
    }

    #[test]
    fn a_column_a_foreign_key_references_is_refused() {
        let p = plan(
            "postgresql",
            "model User {\n  id Int @id\n  code String @unique\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  userCode String\n  user User @relation(fields: [userCode], references: [code])\n}\n",
            "model User {\n  id Int @id\n  key String @unique // prisma-xc: renamed from code\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  userCode String\n  user User @relation(fields: [userCode], references: [key])\n}\n",
        );
        let why = p.refusal("FieldRenamed");
        assert!(why.contains("references the renamed column"), "{why}");
    }
}
