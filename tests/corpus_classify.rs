//! The classifier against every real schema change of the corpus.
//!
//! Each step's committed `migration.sql` says what really happened to the database; the
//! verdicts it implies must all be there:
//! - a dropped column or table is destructive;
//! - `ADD COLUMN ... NOT NULL` without default on an existing table, `SET NOT NULL` and a column
//!   type change are breaking (or, for a type change, an in-place case);
//! - an index created on an existing table is at least caution.
//!
//! And a step whose migration only creates tables or enums and adds nullable (or defaulted)
//! columns is never called breaking. Statements that the schema pair does not explain (a
//! hand-written step that drops a column the schema never had) are not expectations: each
//! expectation is checked against the two database models first.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::migration_sql::{self, Statement};
use prisma_xc::changes::ChangeKind;
use prisma_xc::classify::Classification;
use prisma_xc::database::{Database, Table};
use prisma_xc::rules::Severity;

struct Step {
    name: String,
    old: prisma_xc::Loaded,
    new: prisma_xc::Loaded,
    new_sources: prisma_xc::diagnostics::Sources,
    sql: String,
    meta: String,
}

/// Every evolution step both of whose schemas load (the rest Prisma 6 rejects too).
fn steps(corpus: &Path) -> (Vec<Step>, usize) {
    let rows = common::read_tsv(&corpus.join("evolutions/INDEX.tsv"));
    let mut out = Vec::new();
    let mut rejected = 0;
    for row in &rows {
        let dir = corpus
            .join("evolutions")
            .join(&row["repo"])
            .join(&row["step"]);
        let (_, old) = common::load_path(&dir.join("old.prisma"));
        let (new_sources, new) = common::load_path(&dir.join("new.prisma"));
        if old.has_errors() || new.has_errors() {
            rejected += 1;
            continue;
        }
        out.push(Step {
            name: format!("{}/{}", row["repo"], row["step"]),
            old,
            new,
            new_sources,
            sql: std::fs::read_to_string(dir.join("migration.sql")).unwrap_or_default(),
            meta: std::fs::read_to_string(dir.join("meta.txt")).unwrap_or_default(),
        });
    }
    assert_eq!(out.len() + rejected, rows.len());
    (out, rejected)
}

fn table<'a>(db: &'a Database, name: &str) -> Option<&'a Table> {
    db.tables.iter().find(|t| t.name == name)
}

fn classify(step: &Step, options: &prisma_xc::CompareOptions) -> Classification {
    prisma_xc::compare(
        &step.old.schema,
        &step.new.schema,
        &step.new_sources,
        options,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", step.name))
    .0
}

#[derive(Debug)]
enum Expect {
    Destructive {
        table: String,
        column: Option<String>,
    },
    Breaking {
        table: String,
        column: String,
        what: &'static str,
    },
    TypeChange {
        table: String,
        column: String,
    },
    Caution {
        table: String,
        index: String,
    },
}

/// The verdicts the committed SQL implies, kept only where the two database models agree.
fn expectations(step: &Step, old_db: &Database, new_db: &Database) -> Vec<Expect> {
    let statements = migration_sql::read(&step.sql);
    let created: HashSet<&str> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let dropped_columns: HashSet<(&str, &str)> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::DropColumn { table, column } => Some((table.as_str(), column.as_str())),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for s in &statements {
        match s {
            Statement::DropTable(t) if table(old_db, t).is_some() && table(new_db, t).is_none() => {
                out.push(Expect::Destructive {
                    table: t.clone(),
                    column: None,
                });
            }
            Statement::DropColumn { table: t, column } => {
                let (Some(ot), Some(nt)) = (table(old_db, t), table(new_db, t)) else {
                    continue;
                };
                if ot.column(column).is_some() && nt.column(column).is_none() {
                    out.push(Expect::Destructive {
                        table: t.clone(),
                        column: Some(column.clone()),
                    });
                }
            }
            Statement::AddColumn {
                table: t,
                column,
                not_null,
                default,
            } => {
                if created.contains(t.as_str()) {
                    continue;
                }
                let (Some(ot), Some(nt)) = (table(old_db, t), table(new_db, t)) else {
                    continue;
                };
                match (ot.column(column), nt.column(column)) {
                    (None, Some(nc))
                        if *not_null
                            && !default
                            && !nc.nullable
                            && nc.default.is_none()
                            && !nc.autoincrement =>
                    {
                        out.push(Expect::Breaking {
                            table: t.clone(),
                            column: column.clone(),
                            what: "required column without default",
                        });
                    }
                    // Dropped and added again: Prisma's way of changing a type it cannot cast.
                    (Some(oc), Some(nc))
                        if dropped_columns.contains(&(t.as_str(), column.as_str()))
                            && oc.column_type != nc.column_type =>
                    {
                        out.push(Expect::TypeChange {
                            table: t.clone(),
                            column: column.clone(),
                        });
                    }
                    _ => {}
                }
            }
            Statement::SetNotNull { table: t, column } => {
                let (Some(ot), Some(nt)) = (table(old_db, t), table(new_db, t)) else {
                    continue;
                };
                if let (Some(oc), Some(nc)) = (ot.column(column), nt.column(column))
                    && oc.nullable
                    && !nc.nullable
                {
                    out.push(Expect::Breaking {
                        table: t.clone(),
                        column: column.clone(),
                        what: "SET NOT NULL",
                    });
                }
            }
            Statement::AlterType { table: t, column } | Statement::Modify { table: t, column } => {
                let (Some(ot), Some(nt)) = (table(old_db, t), table(new_db, t)) else {
                    continue;
                };
                if let (Some(oc), Some(nc)) = (ot.column(column), nt.column(column))
                    && oc.column_type.base != nc.column_type.base
                    && !matches!(
                        oc.column_type.family,
                        prisma_xc::database::TypeFamily::Enum(_)
                    )
                {
                    out.push(Expect::TypeChange {
                        table: t.clone(),
                        column: column.clone(),
                    });
                }
            }
            Statement::CreateIndex { table: t, index } => {
                if created.contains(t.as_str()) {
                    continue;
                }
                let (Some(ot), Some(nt)) = (table(old_db, t), table(new_db, t)) else {
                    continue;
                };
                let old_has = ot.indexes.iter().any(|i| &i.name == index);
                let new_has = nt.indexes.iter().any(|i| &i.name == index);
                if new_has && !old_has {
                    out.push(Expect::Caution {
                        table: t.clone(),
                        index: index.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn met(expect: &Expect, c: &Classification) -> bool {
    c.findings.iter().any(|f| {
        let (t, col) = f.change.table_column();
        match expect {
            // A changed `@map` or `@@map` is seen as a rename, reported destructive because
            // Prisma's migration drops the old column or table: the finding names the old one.
            Expect::Destructive { table, column } => {
                f.severity == Severity::Destructive
                    && match (&f.change.kind, column) {
                        (ChangeKind::FieldRenamed { column_from, .. }, Some(c)) => {
                            t == Some(table) && column_from == c
                        }
                        (ChangeKind::ModelRenamed { table_from, .. }, None) => table_from == table,
                        _ => t == Some(table) && col == column.as_deref(),
                    }
            }
            Expect::Breaking { table, column, .. } => {
                f.severity >= Severity::Breaking && t == Some(table) && col == Some(column)
            }
            Expect::TypeChange { table, column } => {
                matches!(f.change.kind, ChangeKind::ColumnTypeChanged { .. })
                    && t == Some(table)
                    && col == Some(column)
                    && (f.severity >= Severity::Breaking || f.rule.id == "XC107")
            }
            // An index on a column seen as renamed moves with it: the rename's own verdict,
            // at least breaking, covers building it on the new column.
            Expect::Caution { table, index } => {
                t == Some(table)
                    && match &f.change.kind {
                        ChangeKind::IndexAdded { index: i, .. } => {
                            i == index && f.severity >= Severity::Caution
                        }
                        ChangeKind::IndexRenamed { to, .. } => {
                            to == index
                                && c.findings.iter().any(|r| {
                                    matches!(&r.change.kind, ChangeKind::FieldRenamed { table: rt, column_from, column_to, .. }
                                        if rt == table && column_from != column_to)
                                        && r.severity >= Severity::Breaking
                                })
                        }
                        _ => false,
                    }
            }
        }
    })
}

/// Only tables, enums and nullable or defaulted columns are created: nothing may be breaking.
/// The SQL must also fit the schema pair: a table it creates is not in the old schema, a column
/// it adds is not in the old table, and nothing of the old database is gone from the new one.
fn only_additive(sql: &str, old_db: &Database, new_db: &Database) -> Option<bool> {
    let statements = migration_sql::read(sql);
    let fits = statements.iter().all(|s| match s {
        Statement::CreateTable(t) => table(old_db, t).is_none(),
        // A hand-edited `DEFAULT` the schema does not declare makes the SQL safe, not the schema.
        Statement::AddColumn {
            table: t,
            column,
            not_null,
            default,
        } => {
            table(old_db, t).is_some_and(|t| t.column(column).is_none())
                && table(new_db, t)
                    .and_then(|t| t.column(column))
                    .is_some_and(|c| {
                        c.nullable != *not_null
                            && (!default || c.default.is_some() || c.autoincrement)
                    })
        }
        _ => true,
    }) && old_db.tables.iter().all(|ot| {
        table(new_db, &ot.name)
            .is_some_and(|nt| ot.columns.iter().all(|c| nt.column(&c.name).is_some()))
    });
    let created: HashSet<String> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let additive = !statements.is_empty()
        && statements.iter().all(|s| match s {
            Statement::CreateTable(_) | Statement::CreateType => true,
            Statement::AddColumn {
                not_null, default, ..
            } => !not_null || *default,
            Statement::CreateIndex { table, .. } | Statement::AddForeignKey { table } => {
                created.contains(table)
            }
            _ => false,
        });
    additive.then_some(fits)
}

#[test]
#[cfg_attr(xc_no_corpus, ignore = "needs ../shared/corpus")]
fn every_verdict_the_committed_migrations_imply_is_reported() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (steps, rejected) = steps(&corpus);
    let mut by_kind: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut misses = Vec::new();
    let (mut steps_with, mut steps_all_met) = (0, 0);
    let (mut additive, mut additive_breaking, mut additive_unfit) = (0, Vec::new(), Vec::new());
    for step in &steps {
        let (Ok(old_db), Ok(new_db)) = (
            prisma_xc::database::lower(&step.old.schema),
            prisma_xc::database::lower(&step.new.schema),
        ) else {
            continue;
        };
        if old_db.provider != new_db.provider {
            continue;
        }
        let c = classify(step, &prisma_xc::CompareOptions::default());
        let expects = expectations(step, &old_db, &new_db);
        if !expects.is_empty() {
            steps_with += 1;
        }
        let mut all = true;
        for e in &expects {
            let kind = match e {
                Expect::Destructive { .. } => "destructive (drop)",
                Expect::Breaking { what, .. } => what,
                Expect::TypeChange { .. } => "type change",
                Expect::Caution { .. } => "index on existing table",
            };
            let entry = by_kind.entry(kind).or_default();
            entry.0 += 1;
            if met(e, &c) {
                entry.1 += 1;
            } else {
                all = false;
                misses.push(format!("{}: {e:?}", step.name));
            }
        }
        if all && !expects.is_empty() {
            steps_all_met += 1;
        }
        let additive_step = only_additive(&step.sql, &old_db, &new_db);
        match additive_step {
            None => {}
            Some(false) => additive_unfit.push(step.name.clone()),
            Some(true) => additive += 1,
        }
        if additive_step == Some(true) && c.verdict() >= Severity::Breaking {
            let worst: Vec<String> = c
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Breaking)
                .map(|f| format!("{} {}", f.rule.id, f.reason))
                .collect();
            additive_breaking.push(format!("{}: {}", step.name, worst.join("; ")));
        }
    }
    eprintln!(
        "corpus classification: {} steps read ({rejected} rejected by Prisma 6 too)",
        steps.len()
    );
    let mut kinds: Vec<_> = by_kind.iter().collect();
    kinds.sort();
    for (kind, (total, ok)) in kinds {
        eprintln!("  {kind}: {ok}/{total}");
    }
    eprintln!(
        "recall: {steps_all_met}/{steps_with} steps with expectations have every expected verdict"
    );
    eprintln!(
        "additive-only steps called breaking: {}/{additive}",
        additive_breaking.len()
    );
    eprintln!(
        "additive-only SQL that does not fit its schema pair (not counted): {}",
        additive_unfit.join(", ")
    );
    for m in &misses {
        eprintln!("  miss: {m}");
    }
    for m in &additive_breaking {
        eprintln!("  false breaking: {m}");
    }
    assert!(
        steps_with > 100,
        "too few expectations: the SQL reader is broken"
    );
    assert!(
        additive > 50,
        "too few additive steps: the SQL reader is broken"
    );
    assert!(
        misses.is_empty(),
        "{} expected verdicts missing",
        misses.len()
    );
    assert!(
        additive_breaking.is_empty(),
        "{} additive steps called breaking",
        additive_breaking.len()
    );
}

/// Renames the projects wrote by hand: prisma-xc suggests each one, or, declared, reports a
/// rename instead of a drop and an add.
#[test]
#[cfg_attr(xc_no_corpus, ignore = "needs ../shared/corpus")]
fn hand_written_renames_are_suggested_or_declared() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (steps, _) = steps(&corpus);
    let (mut suggested, mut seen, mut declared, mut not_schema_renames, mut failures) =
        (0, 0, 0, Vec::new(), Vec::new());
    let is_rename = |f: &prisma_xc::classify::Finding| {
        matches!(
            f.change.kind,
            ChangeKind::FieldRenamed { .. }
                | ChangeKind::ModelRenamed { .. }
                | ChangeKind::EnumRenamed { .. }
        )
    };
    for step in steps.iter().filter(|s| {
        s.meta.contains("hand_edit_signals:")
            && s.meta
                .lines()
                .any(|l| l.starts_with("hand_edit_signals:") && l.contains("RENAME"))
    }) {
        let (Ok(old_db), Ok(new_db)) = (
            prisma_xc::database::lower(&step.old.schema),
            prisma_xc::database::lower(&step.new.schema),
        ) else {
            continue;
        };
        for s in migration_sql::read(&step.sql) {
            // Each rename in Prisma names: (flag to declare it, Prisma-level from, to).
            let rename = match &s {
                Statement::RenameColumn { table: t, from, to } => {
                    let model_of =
                        |schema: &prisma_xc::schema::Schema, db: &Database, table_name: &str| {
                            table(db, table_name)?;
                            schema
                                .models
                                .iter()
                                .find(|m| m.database_name() == table_name)
                                .cloned()
                        };
                    // The statement names the table as it is when it runs; a table renamed in
                    // the same step has its old name in the old schema.
                    let old_table = migration_sql::read(&step.sql)
                        .iter()
                        .find_map(|x| match x {
                            Statement::RenameTable { from, to } if to == t => Some(from.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| t.clone());
                    let (Some(om), Some(nm)) = (
                        model_of(&step.old.schema, &old_db, &old_table),
                        model_of(&step.new.schema, &new_db, t),
                    ) else {
                        not_schema_renames
                            .push(format!("{}: {s:?} (table not in both schemas)", step.name));
                        continue;
                    };
                    let of = om.fields.iter().find(|f| f.database_name() == from);
                    let nf = nm.fields.iter().find(|f| f.database_name() == to);
                    let old_kept = om.fields.iter().any(|f| f.database_name() == to);
                    let (Some(of), Some(nf)) = (of, nf) else {
                        not_schema_renames.push(format!(
                            "{}: {s:?} (a temporary or unrelated column)",
                            step.name
                        ));
                        continue;
                    };
                    if old_kept || nm.fields.iter().any(|f| f.database_name() == from) {
                        not_schema_renames.push(format!(
                            "{}: {s:?} (both names exist on one side)",
                            step.name
                        ));
                        continue;
                    }
                    (
                        format!("{}.{}={}", om.name, of.name, nf.name),
                        format!("{}.{}", om.name, of.name),
                        format!("{}.{}", nm.name, nf.name),
                    )
                }
                Statement::RenameType { from, to } | Statement::RenameTable { from, to } => {
                    let is_type = matches!(s, Statement::RenameType { .. });
                    let find =
                        |schema: &prisma_xc::schema::Schema, db_name: &str| -> Option<String> {
                            if is_type {
                                schema
                                    .enums
                                    .iter()
                                    .find(|e| e.database_name() == db_name)
                                    .map(|e| e.name.clone())
                            } else {
                                schema
                                    .models
                                    .iter()
                                    .find(|m| m.database_name() == db_name)
                                    .map(|m| m.name.clone())
                            }
                        };
                    let (Some(o), Some(n)) =
                        (find(&step.old.schema, from), find(&step.new.schema, to))
                    else {
                        not_schema_renames.push(format!(
                            "{}: {s:?} (not a rename between the two schemas)",
                            step.name
                        ));
                        continue;
                    };
                    if find(&step.new.schema, from).is_some()
                        || find(&step.old.schema, to).is_some()
                    {
                        not_schema_renames.push(format!(
                            "{}: {s:?} (both names exist on one side)",
                            step.name
                        ));
                        continue;
                    }
                    (format!("{o}={n}"), o, n)
                }
                _ => continue,
            };
            let (flag, from, to) = rename;
            // scripts/corpus-renames.tsv declares these for `corpus-check --plan`.
            eprintln!("  rename\t{}\t{flag}", step.name);
            let plain = classify(step, &prisma_xc::CompareOptions::default());
            if plain
                .suggestions
                .iter()
                .any(|s| s.from == from && s.to == to)
            {
                suggested += 1;
                continue;
            }
            // The same Prisma name under a new `@map` or `@@map`: seen without a declaration.
            let names_it = |f: &prisma_xc::classify::Finding| match &f.change.kind {
                ChangeKind::FieldRenamed {
                    model, to: field, ..
                } => format!("{model}.{field}") == to,
                ChangeKind::ModelRenamed { to: model, .. }
                | ChangeKind::EnumRenamed { to: model, .. } => *model == to,
                _ => false,
            };
            if from == to && plain.findings.iter().any(names_it) {
                seen += 1;
                continue;
            }
            let options = prisma_xc::CompareOptions {
                renames: vec![flag.parse().expect("a valid --rename")],
                ..Default::default()
            };
            let with = classify(step, &options);
            if with.findings.iter().any(is_rename) {
                declared += 1;
            } else {
                failures.push(format!("{}: --rename {flag} gives no rename", step.name));
            }
        }
    }
    eprintln!(
        "hand-written renames: {suggested} suggested, {seen} seen as renames (same Prisma name), {declared} reported as renames once declared"
    );
    for n in &not_schema_renames {
        eprintln!("  not a schema-level rename: {n}");
    }
    for f in &failures {
        eprintln!("  failure: {f}");
    }
    assert!(
        suggested + seen + declared >= 10,
        "too few renames found: the SQL reader is broken"
    );
    assert!(failures.is_empty());
}
