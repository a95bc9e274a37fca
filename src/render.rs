//! A plan -> the files of its folder: PLAN.md, plan.json, the intermediate schema, each phase's
//! migration folders and down.sql, the dual-write extension and the backfill scripts.
//!
//! Text artifacts come from the handlebars templates in `templates/`, embedded in the binary.
//! The registry is strict (a missing value is an error, not an empty string) and does no HTML
//! escaping: values are SQL and TypeScript, quoted here before they reach a template.

use handlebars::Handlebars;
use serde::Serialize;
use serde_json::json;

use crate::client::ClientSetup;
use crate::escape;
use crate::plan::runbook::{AppVersion, MigrationPhase, Step};
use crate::plan::{BackfillTable, Plan, PlanJson, PlanPath, ValueSource};
use crate::project::Major;
use crate::schema::Provider;
use crate::sql;

/// One file of the plan folder: its path relative to the folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub path: String,
    pub text: String,
}

/// What the artifacts need beyond the plan.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The Prisma major the project runs: PLAN.md's commands and how the client connects.
    pub major: Major,
    /// How the TypeScript files import and create Prisma Client.
    pub client: ClientSetup,
    /// How PLAN.md names the old and new schemas.
    pub old_schema: String,
    pub new_schema: String,
    /// The project's schema (file or folder), which each step's pull request sets.
    pub project_schema: String,
    /// The plan folder as the user names it, for the commands in PLAN.md.
    pub plan_dir: String,
    /// The Prisma migrations folder as the user names it, and from the plan folder (plan.json,
    /// for `promote`).
    pub migrations_dir: String,
    pub migrations_from_plan: String,
    /// Generator `output`s rewritten for schema.expand.prisma in the plan folder, by name.
    pub generator_outputs: Vec<(String, String)>,
}

impl RenderOptions {
    /// The options of a plan in `plan_dir` for a Prisma 6 project that keeps its schema and
    /// migrations in `prisma/` (tests and examples).
    pub fn standard(plan_dir: &str, old_schema: &str, new_schema: &str) -> RenderOptions {
        RenderOptions {
            major: Major::Six,
            client: ClientSetup {
                import: "@prisma/client".into(),
                adapter: None,
                app_module: None,
            },
            old_schema: old_schema.into(),
            new_schema: new_schema.into(),
            project_schema: "prisma/schema.prisma".into(),
            plan_dir: plan_dir.into(),
            migrations_dir: "prisma/migrations".into(),
            migrations_from_plan: "../../migrations".into(),
            generator_outputs: Vec::new(),
        }
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    ("plan", include_str!("../templates/PLAN.md.hbs")),
    ("dual-write", include_str!("../templates/dual-write.ts.hbs")),
    ("backfill-ts", include_str!("../templates/backfill.ts.hbs")),
    (
        "backfill-postgresql",
        include_str!("../templates/backfill.postgresql.sql.hbs"),
    ),
    (
        "backfill-batch",
        include_str!("../templates/backfill.batch.sql.hbs"),
    ),
];

handlebars::handlebars_helper!(code_span: |text: str| escape::markdown_code(text));
handlebars::handlebars_helper!(cell_code: |text: str| escape::markdown_cell_code(text));
handlebars::handlebars_helper!(shell: |text: str| escape::shell_arg(text));
handlebars::handlebars_helper!(cell: |text: str| escape::markdown_prose(text, true));

/// The registry for one kind of file. What `{{value}}` does is the safe default for that kind:
/// Markdown-escaped in PLAN.md; kept on one line in SQL and TypeScript, where such values only
/// stand in comments. Code goes in through `{{{raw}}}` values that are already quoted for their
/// place (see [`escape`]), and PLAN.md's code spans and commands through the `code`, `cellcode`
/// and `sh` helpers.
fn registry(markdown: bool) -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    if markdown {
        h.register_escape_fn(|text| escape::markdown_prose(text, false));
    } else {
        h.register_escape_fn(escape::one_line);
    }
    h.register_helper("code", Box::new(code_span));
    h.register_helper("cellcode", Box::new(cell_code));
    h.register_helper("sh", Box::new(shell));
    h.register_helper("cell", Box::new(cell));
    for (name, text) in TEMPLATES {
        if (*name == "plan") == markdown {
            h.register_template_string(name, *text)
                .unwrap_or_else(|e| panic!("template {name} is invalid: {e}"));
        }
    }
    h
}

/// A string with fill-in marks as a TypeScript expression: `"..." + fill("User.email") + "..."`.
fn ts_expression(sql: &str) -> String {
    let mut parts = Vec::new();
    for (i, part) in sql.split(sql::backfill::FILL).enumerate() {
        if i % 2 == 1 {
            parts.push(format!(
                "fill({})",
                serde_json::to_string(part).expect("a string")
            ));
        } else if !part.is_empty() {
            parts.push(serde_json::to_string(part).expect("a string"));
        }
    }
    parts.join(" +\n    ")
}

fn camel_model(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[derive(Serialize)]
struct MigrationView<'a> {
    folder: &'a str,
    purpose: &'a str,
}

fn view(ms: &[crate::plan::Migration]) -> Vec<MigrationView<'_>> {
    ms.iter()
        .map(|m| MigrationView {
            folder: &m.folder,
            purpose: &m.purpose,
        })
        .collect()
}

/// Every file of the plan folder, in a fixed order.
pub fn render(plan: &Plan, options: &RenderOptions) -> Vec<PlanFile> {
    let (docs, code) = (registry(true), registry(false));
    let provider = plan.provider;
    let postgres = provider == Provider::PostgreSql;

    let tables: Vec<serde_json::Value> = plan
        .backfill
        .iter()
        .map(|t| backfill_table_view(t, provider))
        .collect();
    let fill_ins: Vec<serde_json::Value> = tables
        .iter()
        .flat_map(|t| t["fillIns"].as_array().cloned().unwrap_or_default())
        .collect();
    let dual: Vec<serde_json::Value> = plan.dual_write.iter().map(dual_write_view).collect();
    let expand_schema_path = format!("{}/{}", options.plan_dir, PlanPath::ExpandSchema.path());
    let schema_of = |v: AppVersion| -> String {
        match v.schema() {
            "old" => options.old_schema.clone(),
            "expand" => expand_schema_path.clone(),
            _ => options.new_schema.clone(),
        }
    };
    let steps: Vec<serde_json::Value> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| step_view(i + 1, step, plan.steps.get(i + 1), &schema_of))
        .collect();
    let versions = versions_view(plan, options, &expand_schema_path);
    let retries = |migrations: &[crate::plan::Migration]| -> Vec<serde_json::Value> {
        migrations
            .iter()
            .filter_map(|m| {
                m.before_retry
                    .as_ref()
                    // `promote` gives the folder its own timestamp: named by the rest.
                    .map(|sql| {
                        let name = crate::write::name_after_timestamp(&m.folder);
                        json!({"folder": format!("*_{name}"), "sql": sql})
                    })
            })
            .collect()
    };
    // The database's own shell, for PLAN.md's commands. SQLite's waits for the application's
    // writes instead of failing at once.
    let run_file = |path: String| match provider {
        Provider::Sqlite => format!(
            "sqlite3 -bail -cmd '.timeout 10000' \"$DATABASE_FILE\" < {}",
            escape::shell_arg(&path)
        ),
        // The mysql client takes no URL: it reads the server and user from ~/.my.cnf or
        // MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_PWD (PLAN.md says so).
        Provider::MySql => format!(
            "mysql --database=\"$MYSQL_DATABASE\" < {}",
            escape::shell_arg(&path)
        ),
        _ => format!("psql \"$DATABASE_URL\" -f {}", escape::shell_arg(&path)),
    };
    let run_sql = |sql: String| match provider {
        Provider::Sqlite => format!(
            "sqlite3 -bail -cmd '.timeout 10000' \"$DATABASE_FILE\" {}",
            escape::shell_arg(&sql)
        ),
        Provider::MySql => format!(
            "mysql --database=\"$MYSQL_DATABASE\" -e {}",
            escape::shell_arg(&sql)
        ),
        _ => format!("psql \"$DATABASE_URL\" -c {}", escape::shell_arg(&sql)),
    };
    let forget = |phase: &str| run_sql(sql::forget_migrations(provider, &plan.name, phase));
    let project = project_view(plan.provider, options, &expand_schema_path);
    let mut data = json!({
        "name": plan.name,
        "extensionName": escape::ts_string(&format!("prisma-xc-dual-write-{}", plan.name)),
        "timestamp": plan.timestamp,
        "provider": provider.name(),
        "postgres": postgres,
        "sqlite": plan.provider == Provider::Sqlite,
        "triggers": plan.sync == crate::plan::SyncMode::Trigger
            && matches!(provider, Provider::PostgreSql | Provider::Sqlite)
            && !plan.dual_write.is_empty(),
        "lockTimeout": plan.lock_timeout,
        "oldSchema": options.old_schema,
        "newSchema": options.new_schema,
        "clientImport": escape::ts_string(&options.client.import),
        "clientImportDoc": options.client.import,
        "changes": plan.changes,
        "expand": view(&plan.expand),
        "contract": view(&plan.contract),
        "planDir": options.plan_dir,
        "lockStatement": sql::set_lock_timeout(&plan.lock_timeout),
        "expandSchemaPath": expand_schema_path,
        "backfillTsPath": format!("{}/{}", options.plan_dir, PlanPath::BackfillTs.path()),
        "generateExpand": format!("npx prisma generate --schema {}", escape::shell_arg(&expand_schema_path)),
        "expandRollback": run_file(format!("{}/{}", options.plan_dir, PlanPath::ExpandDown.path())),
        "contractRollback": run_file(format!("{}/{}", options.plan_dir, PlanPath::ContractDown.path())),
        "expandChanges": plan.changes.iter().filter(|c| c.phase == crate::plan::runbook::MigrationPhase::Expand && c.recipe != crate::plan::ChangeRecipe::ShipsWithExpand).collect::<Vec<_>>(),
        "contractChanges": plan.changes.iter().filter(|c| c.phase == crate::plan::runbook::MigrationPhase::Contract).collect::<Vec<_>>(),
        "dualWrite": dual,
        "hasDualWrite": !plan.dual_write.is_empty(),
        "tables": tables,
        "hasBackfill": plan.needs_backfill(),
        "fillIns": fill_ins,
        "hasFillIns": plan.has_fill_ins(),
        "contractDownFillIns": plan.contract_down_fill_ins,
        "steps": steps,
        "versions": versions,
        "notZeroDowntime": plan.not_zero_downtime,
        "longLocks": plan.long_locks,
        "unguardedContract": plan.unguarded_contract,
        "hasContract": !plan.contract.is_empty(),
        "expandRetries": retries(&plan.expand),
        "contractRetries": retries(&plan.contract),
        "expandForget": forget("expand"),
        "contractForget": forget("contract"),
    });
    data["mysql"] = json!(plan.provider == Provider::MySql);
    data["fillInExample"] = json!(sql::Dialect(provider).fill_in_example());
    data["syncForced"] = json!(plan.sync_forced);
    data["mysqlLockWait"] = json!(crate::sql::mysql::lock_wait_seconds(&plan.lock_timeout));
    if let (Some(data), serde_json::Value::Object(project)) = (data.as_object_mut(), project) {
        data.extend(project);
    }
    let render = |name: &str| {
        let h = if name == "plan" { &docs } else { &code };
        h.render(name, &data)
            .unwrap_or_else(|e| panic!("template {name} failed: {e}"))
    };
    plan_files(plan, options, &render)
}

/// What PLAN.md and the TypeScript take from the project: the Prisma major's drift checks, the
/// driver adapter, where the schema and the migrations are.
fn project_view(
    provider: Provider,
    options: &RenderOptions,
    expand_schema_path: &str,
) -> serde_json::Value {
    let migrations = escape::shell_arg(&options.migrations_dir);
    // Prisma's drift check: the migrations folder replayed against the schema of the step.
    let drift = |schema: &str| -> Vec<String> {
        let schema = escape::shell_arg(schema);
        match options.major {
            Major::Seven => vec![
                format!(
                    "npx prisma migrate diff --from-migrations {migrations} --to-schema {schema} --exit-code"
                ),
                format!(
                    "npx prisma migrate diff --from-config-datasource --to-schema {schema} --exit-code"
                ),
            ],
            // SQLite replays the migrations in a temporary database of its own.
            Major::Six if provider == Provider::Sqlite => vec![format!(
                "npx prisma migrate diff --from-migrations {migrations} --to-schema-datamodel {schema} --exit-code"
            )],
            Major::Six => vec![format!(
                "npx prisma migrate diff --from-migrations {migrations} --to-schema-datamodel {schema} --shadow-database-url \"$SHADOW_DATABASE_URL\" --exit-code"
            )],
        }
    };
    let adapter = options.client.adapter.as_ref().map(|a| {
        json!({
            "package": escape::ts_string(a.package),
            "class": a.class,
            "argument": a.argument,
        })
    });
    json!({
        "prisma7": options.major == Major::Seven,
        // The batch operations that return rows: Prisma Client has them for these only.
        "returningBatches": matches!(provider, Provider::PostgreSql | Provider::CockroachDb | Provider::Sqlite),
        "clientModule": options.client.app_module.as_deref().map(escape::ts_string),
        "clientModuleDoc": options.client.app_module.as_deref().map(escape::one_line),
        "adapter": adapter,
        "projectSchema": options.project_schema,
        "newIsProjectSchema": options.project_schema == options.new_schema,
        "migrationsDir": options.migrations_dir,
        "outputsRewritten": !options.generator_outputs.is_empty(),
        "driftExpand": drift(expand_schema_path),
        "driftNew": drift(&options.new_schema),
    })
}

/// One table of the backfill, as backfill.ts and backfill.sql use it: its batches, counts and
/// fill-ins, each written for the place it lands.
fn backfill_table_view(t: &BackfillTable, provider: Provider) -> serde_json::Value {
    let batches = sql::backfill::batches(t, provider);
    let fill_ins: Vec<serde_json::Value> = t
        .assignments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.source {
            ValueSource::FillIn { hint } => Some(json!({
                "key": escape::ts_string(&sql::backfill::fill_key(t, i)),
                "hint": hint,
                "sqlType": a.sql_type,
            })),
            _ => None,
        })
        .collect();
    let comment = format!(
        "{}: {}",
        t.table,
        t.assignments
            .iter()
            .map(|a| format!("\"{}\" ({})", a.column, a.why))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let count = &batches.pending_count;
    json!({
        "model": t.model,
        "table": t.table,
        "tableTs": escape::ts_string(&t.table),
        "comment": comment,
        "lossyCount": batches.lossy_count.as_deref().map_or("undefined".to_string(), escape::ts_string),
        "keyCount": t.key.len(),
        "keyset": batches.keyset,
        "keys": t.key.iter().enumerate().map(|(i, (c, ty))| json!({"index": i, "column": c, "sqlType": ty})).collect::<Vec<_>>(),
        "assignments": t.assignments.iter().map(|a| json!({"column": a.column, "why": a.why})).collect::<Vec<_>>(),
        "tsBatch": ts_expression(&batches.client),
        "tsCount": serde_json::to_string(count).expect("a string"),
        "sqlLoop": batches.plpgsql_loop,
        "sqlOneBatch": batches.one,
        "sqlCount": count,
        "fillIns": fill_ins,
    })
}

/// One model's dual-write pairs, as dual-write.ts uses them.
fn dual_write_view(d: &crate::plan::DualWrite) -> serde_json::Value {
    let doc = format!(
        "{}: {}.",
        d.model,
        d.pairs
            .iter()
            .map(|p| format!(
                "`{}` is now `{}`{}",
                p.old_field,
                p.new_field,
                if p.to_new.is_some() {
                    " (another type)"
                } else {
                    ""
                }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    json!({
        "model": d.model,
        "doc": escape::block_comment(&doc),
        "delegate": camel_model(&d.model),
        "pairs": d.pairs.iter().map(|p| json!({
            "old": serde_json::to_string(&p.old_field).expect("a string"),
            "new": serde_json::to_string(&p.new_field).expect("a string"),
            "oldLabel": format!("{}.{}", d.model, p.old_field),
            "newLabel": format!("{}.{}", d.model, p.new_field),
            "toNew": p.to_new.map(|c| format!("as.{}", c.name())),
            "toOld": p.to_old.map(|c| format!("as.{}", c.name())),
        })).collect::<Vec<_>>(),
    })
}

/// The application versions of the rollout, as PLAN.md introduces them.
fn versions_view(
    plan: &Plan,
    options: &RenderOptions,
    expand_schema_path: &str,
) -> Vec<serde_json::Value> {
    let mut versions = vec![json!({
        "label": "old",
        "schema": options.old_schema,
        "generate": null,
        "what": "It runs now.",
    })];
    let uses = |v: AppVersion| {
        plan.steps
            .iter()
            .any(|s| matches!(s, Step::RollOut { version, .. } if *version == v))
    };
    if uses(AppVersion::Expand) {
        versions.push(json!({
            "label": "expand",
            "schema": expand_schema_path,
            "generate": format!("npx prisma generate --schema {}", escape::shell_arg(expand_schema_path)),
            "what": "It reads the new structures where they are complete and keeps writing what the old version reads.",
        }));
    }
    if uses(AppVersion::ExpandWritingNewValues) {
        versions.push(json!({
            "label": "expand, writing the new enum values",
            "schema": expand_schema_path,
            "generate": null,
            "what": "The same client; its code writes the renamed enum values under their new names.",
        }));
    }
    versions.push(json!({
        "label": "new",
        "schema": options.new_schema,
        "generate": null,
        "what": "The end state.",
    }));
    versions
}

/// The plan folder's files; `render` renders a template with the plan's data.
fn plan_files(
    plan: &Plan,
    options: &RenderOptions,
    render: &dyn Fn(&str) -> String,
) -> Vec<PlanFile> {
    let mut files = Vec::new();
    let file = |path: String, text: String| PlanFile { path, text };
    let postgres = plan.provider == Provider::PostgreSql;
    let path = |p: PlanPath| p.path().to_string();
    files.push(file(path(PlanPath::PlanMd), render("plan")));
    files.push(file(
        path(PlanPath::PlanJson),
        PlanJson::of(plan, &options.migrations_from_plan).to_json(),
    ));
    files.push(file(
        path(PlanPath::ExpandSchema),
        crate::expand::with_generator_outputs(&plan.expand_schema, &options.generator_outputs),
    ));
    for m in &plan.expand {
        files.push(file(
            format!(
                "{}/{}/migration.sql",
                path(PlanPath::ExpandMigrations),
                m.folder
            ),
            m.sql.clone(),
        ));
    }
    // A phase with nothing to do has no files: no empty extension, backfill or contract.
    if !plan.expand.is_empty() {
        files.push(file(path(PlanPath::ExpandDown), plan.expand_down.clone()));
    }
    if !plan.dual_write.is_empty() {
        files.push(file(path(PlanPath::DualWrite), render("dual-write")));
    }
    if plan.needs_backfill() {
        files.push(file(path(PlanPath::BackfillTs), render("backfill-ts")));
        let backfill_sql = if postgres {
            render("backfill-postgresql")
        } else {
            render("backfill-batch")
        };
        files.push(file(path(PlanPath::BackfillSql), backfill_sql));
    }
    for m in &plan.contract {
        files.push(file(
            format!(
                "{}/{}/migration.sql",
                path(PlanPath::ContractMigrations),
                m.folder
            ),
            m.sql.clone(),
        ));
    }
    if !plan.contract.is_empty() {
        files.push(file(
            path(PlanPath::ContractDown),
            plan.contract_down.clone(),
        ));
    }
    files
}

/// One step of the runbook, as PLAN.md shows it.
fn step_view(
    number: usize,
    step: &Step,
    next: Option<&Step>,
    schema_of: &dyn Fn(AppVersion) -> String,
) -> serde_json::Value {
    match step {
        Step::ApplyMigrations { phase } => {
            let contract = *phase == MigrationPhase::Contract;
            json!({
                "number": number,
                "title": step.title(),
                "applyExpand": !contract,
                "applyContract": contract,
            })
        }
        Step::RollOut {
            version,
            dual_write,
            why,
        } => json!({
            "number": number,
            "title": step.title(),
            "rollOut": true,
            "schema": schema_of(*version),
            "dualWrite": dual_write,
            "why": why,
            "writesNewValues": *version == AppVersion::ExpandWritingNewValues,
            "isNew": *version == AppVersion::New,
        }),
        Step::Backfill => json!({
            "number": number,
            "title": step.title(),
            "backfill": true,
        }),
        Step::WaitUntilGone { version } => json!({
            "number": number,
            "title": step.title(),
            "wait": true,
            "schema": schema_of(*version),
            // Why the next step cannot start beside it.
            "because": match next {
                Some(Step::ApplyMigrations { .. }) => "the next step removes what its Prisma Client names in its queries",
                Some(Step::RollOut { .. }) => "the next version writes values its Prisma Client cannot read",
                Some(Step::Backfill) => "the backfill fills its rows once and for all only when it writes no more of them",
                _ => "it must not run beside what comes next",
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::plan;

    const OLD: &str = "model User {\n  id        Int    @id\n  user_name String\n}\n";
    const NEW: &str = "model User {\n  id       Int    @id\n  username String // prisma-xc: renamed from user_name\n}\n";

    fn files(provider: &str) -> Vec<PlanFile> {
        let options =
            RenderOptions::standard("prisma/phases/x", "old.prisma", "prisma/schema.prisma");
        render(&plan(provider, OLD, NEW), &options)
    }

    #[test]
    fn a_plan_folder_holds_every_phase_in_the_order_it_runs() {
        // PostgreSQL makes the new column NOT NULL through a CHECK validated apart (no long
        // lock); SQLite rebuilds the table in one migration.
        let pg_contract: &[&str] = &["contract_01_check", "contract_02_validate", "contract_03"];
        for (provider, contract) in [("postgresql", pg_contract), ("sqlite", &["contract"])] {
            let paths: Vec<String> = files(provider).into_iter().map(|f| f.path).collect();
            let mut expected: Vec<String> = [
                "PLAN.md",
                "plan.json",
                "schema.expand.prisma",
                "1-expand/migrations/20300101000000_x_expand/migration.sql",
                "1-expand/down.sql",
                "3-backfill/backfill.ts",
                "3-backfill/backfill.sql",
            ]
            .map(String::from)
            .to_vec();
            expected.extend(contract.iter().map(|folder| {
                format!("4-contract/migrations/20300101000000_x_{folder}/migration.sql")
            }));
            expected.push("4-contract/down.sql".into());
            assert_eq!(paths, expected, "{provider}");
        }
    }

    #[test]
    fn plan_json_reads_back_as_it_was_written() {
        for provider in ["postgresql", "sqlite"] {
            let files = files(provider);
            let json = &files.iter().find(|f| f.path == "plan.json").unwrap().text;
            let read = PlanJson::from_json(json).unwrap();
            assert_eq!(read.version, crate::plan::PLAN_FILE_VERSION);
            assert_eq!(read.migrations.as_deref(), Some("../../migrations"));
            assert_eq!(
                read.files.contract_down.as_deref(),
                Some(PlanPath::ContractDown.path())
            );
            // Written again from what was read: the same text.
            assert_eq!(&read.to_json(), json, "{provider}");
        }
        let newer = r#"{"version": 2, "name": "x", "provider": "sqlite"}"#;
        assert!(
            PlanJson::from_json(newer)
                .unwrap_err()
                .contains("upgrade prisma-xc")
        );
        let unversioned = r#"{"name": "x", "provider": "sqlite"}"#;
        assert!(
            PlanJson::from_json(unversioned)
                .unwrap_err()
                .contains("no `version`")
        );
    }

    #[test]
    fn templates_leave_no_placeholder_and_render_the_same_twice() {
        for provider in ["postgresql", "sqlite"] {
            let (first, second) = (files(provider), files(provider));
            assert_eq!(first, second, "{provider}: output is deterministic");
            for file in &first {
                assert!(!file.text.contains("{{"), "{}: {}", file.path, file.text);
                assert!(file.text.ends_with('\n'), "{}", file.path);
            }
        }
    }
}
