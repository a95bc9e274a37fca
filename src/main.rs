//! The `prisma-xc` binary: flags in, files and exit codes out. All the work is in the library.

use std::io::{IsTerminal as _, Write as _};
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use prisma_xc::diagnostics::{Sources, render_all};
use prisma_xc::input::read_schema;
use prisma_xc::plan::PlanPath;
use prisma_xc::report::{self, Format};
use prisma_xc::rules;

#[derive(Parser)]
#[command(
    name = "prisma-xc",
    version,
    about = "Zero-downtime Prisma schema changes: classify each change, and plan breaking ones as expand and contract.",
    after_help = "Examples:\n  prisma-xc diff prisma/schema.prisma new/schema.prisma\n  prisma-xc diff prisma/schema/ new-schema/        (schema folders)\n  git show main:prisma/schema.prisma | prisma-xc diff - prisma/schema.prisma\n  prisma-xc diff old.prisma new.prisma --direct --out prisma/migrations --name add_email\n  prisma-xc diff --from-empty prisma/schema.prisma --direct --out prisma/migrations --name init\n  prisma-xc diff old.prisma new.prisma --check --format json   (CI)\n  prisma-xc explain XC103\n\nExit codes: 0 success, 1 --check found a breaking or destructive change, 2 bad input (with diagnostics on standard error)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Compare two schemas (a file, a schema folder, or - for standard input).
    #[command(
        after_help = "Examples:\n  prisma-xc diff old.prisma new.prisma                        (classify every change)\n  prisma-xc diff old.prisma new.prisma --check                (CI: exit 1 on breaking or destructive)\n  prisma-xc diff old.prisma new.prisma --rename User.user_name=username --allow XC112\n  prisma-xc diff old.prisma new.prisma --direct               (print the one-step SQL)\n  prisma-xc diff old.prisma new.prisma --direct --out prisma/migrations --name rename_user\n  prisma-xc diff --from-empty schema.prisma --direct --out prisma/migrations --name init"
    )]
    Diff(DiffArgs),
    /// Copy a plan's expand or contract migrations into the Prisma migrations folder, stamped
    /// to run after every migration already there.
    #[command(
        after_help = "Examples:\n  prisma-xc promote prisma/phases/20260101120000_rename_username expand\n  prisma-xc promote prisma/phases/20260101120000_rename_username contract --expand-deployed\n\nThe contract must never run in the same `prisma migrate deploy` as the expand: promote it only\nonce the expand is deployed, the application runs the dual-write code everywhere and the\nbackfill is verified."
    )]
    Promote {
        /// The plan folder `prisma-xc diff --name` wrote.
        plan: PathBuf,
        phase: Phase,
        /// The Prisma migrations folder (default: the one the plan was written for:
        /// prisma.config.ts's migrations.path, else `migrations` beside the schema).
        #[arg(long, value_name = "DIR")]
        migrations: Option<PathBuf>,
        /// Confirm the expand is deployed and the backfill verified (required for the contract).
        #[arg(long)]
        expand_deployed: bool,
        /// Fix the folder timestamp (YYYYMMDDHHMMSS).
        #[arg(long, value_name = "YYYYMMDDHHMMSS")]
        timestamp: Option<String>,
    },
    /// Tell which step of a plan a database is at: its migrations from `_prisma_migrations`,
    /// the rows the backfill has still to fill (read with psql, mysql or sqlite3).
    #[command(
        after_help = "Examples:\n  DATABASE_URL=postgresql://... prisma-xc status prisma/phases/20260101120000_rename_username\n  prisma-xc status plan --database-url file:./prisma/dev.db\n\nRollouts leave no trace in the database: status names them, and you check your deployments.\nExit codes: 0 read, 1 a migration of the plan failed, 2 bad input or the database could not be read."
    )]
    Status {
        /// The plan folder `prisma-xc diff --name` wrote.
        plan: PathBuf,
        /// The database (default: $DATABASE_URL): postgresql://..., mysql://... or file:PATH
        /// (SQLite, PATH from the current folder).
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// Print a rule's full text: why the change is dangerous and the safe recipe.
    #[command(
        after_help = "Examples:\n  prisma-xc explain XC103\n  prisma-xc explain renamed-column\n  prisma-xc explain --list\n  prisma-xc explain --all > docs/rules.md"
    )]
    Explain {
        /// Rule id (XC103) or name (renamed-column).
        #[arg(required_unless_present_any = ["list", "all"])]
        rule: Option<String>,
        /// One line per rule.
        #[arg(long, conflicts_with = "all")]
        list: bool,
        /// The whole catalog, as Markdown (docs/rules.md).
        #[arg(long)]
        all: bool,
    },
}

/// `prisma-xc diff`'s arguments.
#[derive(clap::Args)]
struct DiffArgs {
    /// OLD and NEW: the schema deployed now and the one you want. With --from-empty or
    /// --base, only NEW (default: the schema of prisma.config.ts, else prisma/schema.prisma).
    #[arg(value_name = "SCHEMA", num_args = 0..=2)]
    schemas: Vec<PathBuf>,
    /// NEW, as Prisma's own --schema names it (then a SCHEMA given is OLD).
    #[arg(long, value_name = "PATH")]
    schema: Option<PathBuf>,
    /// Read OLD from this git revision (the same path as NEW): `--base main` in a pull request.
    #[arg(long, value_name = "REV", conflicts_with = "from_empty")]
    base: Option<String>,
    /// With --base: read NEW (and the committed plans) from this git revision instead of
    /// the working tree.
    #[arg(long, value_name = "REV", requires = "base")]
    head: Option<String>,
    /// The Prisma major the project runs, 6 or 7 (default: node_modules/prisma, else
    /// package.json, else the schema: a datasource `url` means Prisma 6).
    #[arg(long, value_name = "MAJOR", value_enum)]
    prisma: Option<prisma_xc::project::Major>,
    /// The Prisma config file (default: prisma.config.ts in the current folder).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Start from an empty database (the initial migration): give only NEW.
    #[arg(long)]
    from_empty: bool,
    /// Write the plain one-step migration, as `prisma migrate dev` would (no phases).
    #[arg(long)]
    direct: bool,
    /// With --direct: the Prisma migrations folder to write into (else the SQL is printed).
    /// With --name: the plan folder to create.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// PostgreSQL lock_timeout set by every phase migration.
    /// (default: prisma-xc.toml's lock_timeout, else 5s)
    #[arg(long, value_name = "DURATION")]
    lock_timeout: Option<String>,
    /// How rows written by old code reach renamed columns during the rollout: a database
    /// trigger (PostgreSQL), or the dual-write extension only (`app`).
    /// (default: prisma-xc.toml's sync, else trigger)
    #[arg(long, value_enum)]
    sync: Option<Sync>,
    /// Module the generated TypeScript imports Prisma Client from (default: from the
    /// schema's generator `output`, else @prisma/client).
    #[arg(long, value_name = "MODULE")]
    client_import: Option<String>,
    /// The application's module that exports its Prisma Client as `prisma` (e.g.
    /// src/db.ts): the backfill connects through it instead of creating its own client.
    #[arg(long, value_name = "FILE")]
    client_module: Option<PathBuf>,
    /// Name of the change: writes the phased plan to <folder of NEW>/phases/<timestamp>_<name>/
    /// (or --out). With --direct, the migration folder's name.
    #[arg(long)]
    name: Option<String>,
    /// Fix the folder timestamp (YYYYMMDDHHMMSS) so output is reproducible.
    #[arg(long, value_name = "YYYYMMDDHHMMSS")]
    timestamp: Option<String>,
    /// Declare a rename Prisma cannot see: Model.old=new (field), Old=New (model or enum),
    /// Enum.OLD=NEW (enum value). Repeat for several.
    #[arg(long, value_name = "OLD=NEW")]
    rename: Vec<prisma_xc::renames::RenameFlag>,
    /// Accept every change of these rules deliberately (still reported, no longer failing
    /// --check): --allow XC101,XC112.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    allow: Vec<String>,
    /// Exit 1 when a change is breaking or destructive (and not allowed); 0 otherwise.
    #[arg(long, conflicts_with = "direct")]
    check: bool,
    /// The severity from which --check exits 1 (implies --check): safe, caution, breaking
    /// (the default) or destructive.
    #[arg(long, value_name = "SEVERITY", value_enum, conflicts_with = "direct")]
    fail_on: Option<prisma_xc::rules::Severity>,
    /// Report format: human, json, github (workflow annotations), markdown (step summary,
    /// pull request comment), sarif (code scanning), gitlab (Code Quality).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Colour the human report: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sync {
    Trigger,
    App,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Phase {
    Expand,
    Contract,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `auto`: on a terminal, unless NO_COLOR is set.
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => report::auto_color(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
            ),
        }
    }
}

/// Where the old schema comes from.
enum OldSchema {
    /// `--from-empty`: the initial migration.
    Empty,
    File(PathBuf),
    /// `--base REV`: the new schema's path as it is at a git revision.
    Git {
        rev: String,
        path: PathBuf,
    },
}

/// What `diff` was asked to do, once the flags are checked.
struct DiffRun<'a> {
    old: OldSchema,
    new: &'a Path,
    project: prisma_xc::project::Project,
    /// The project's own schema (prisma.config.ts's, or Prisma's default place), if found.
    project_schema: Option<PathBuf>,
    /// `--head`: NEW (and the plans) as they are at this git revision.
    head: Option<String>,
    prisma: Option<prisma_xc::project::Major>,
    direct: bool,
    out: Option<&'a Path>,
    name: Option<&'a str>,
    timestamp: Option<&'a str>,
    lock_timeout: String,
    sync: Sync,
    client_import: Option<String>,
    client_module: Option<PathBuf>,
    options: prisma_xc::CompareOptions,
    check: bool,
    fail_on: prisma_xc::rules::Severity,
    format: Format,
    color: bool,
}

/// On a large schema, most of a run is spent faulting in fresh heap pages one 4 KiB page at a
/// time (a third of the CPU time on a 30k-line schema). glibc can put its heap in transparent
/// huge pages and grow it in large steps, which does away with nearly all of those faults and
/// takes about a third off the wall time, but it reads that setting only from the environment
/// at startup: so the process starts itself again, once, with it set. Only on Linux with glibc,
/// only for inputs large enough to gain more than the restart costs (about a millisecond), and
/// never over a `GLIBC_TUNABLES` malloc setting the user chose.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn huge_pages_for_large_inputs<'a>(inputs: impl Iterator<Item = &'a Path>) {
    use std::os::unix::process::CommandExt;
    const TUNABLES: &str = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432";
    const WORTH_IT_BYTES: u64 = 256 * 1024;
    let current = std::env::var_os("GLIBC_TUNABLES");
    if current
        .as_ref()
        .is_some_and(|t| t.to_string_lossy().contains("glibc.malloc."))
    {
        return;
    }
    fn bytes(path: &Path, depth: u32) -> u64 {
        let Ok(meta) = std::fs::metadata(path) else {
            return 0;
        };
        if meta.is_file() {
            return meta.len();
        }
        if !meta.is_dir() || depth > 4 {
            return 0;
        }
        std::fs::read_dir(path).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| bytes(&e.path(), depth + 1))
                .sum()
        })
    }
    if inputs.map(|p| bytes(p, 0)).sum::<u64>() < WORTH_IT_BYTES {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut tunables = current.unwrap_or_default();
    if !tunables.is_empty() {
        tunables.push(":");
    }
    tunables.push(TUNABLES);
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    // `exec` returns only when it failed: then this process goes on as it is.
    let _ = command.args(args).env("GLIBC_TUNABLES", tunables).exec();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn huge_pages_for_large_inputs<'a>(_: impl Iterator<Item = &'a Path>) {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diff(args) => run_diff(args),
        Command::Explain { rule, list, all } => explain(rule.as_deref(), list, all),
        Command::Status { plan, database_url } => status(&plan, database_url),
        Command::Promote {
            plan,
            phase,
            migrations,
            expand_deployed,
            timestamp,
        } => promote(
            &plan,
            phase,
            migrations.as_deref(),
            expand_deployed,
            timestamp.as_deref(),
        ),
    }
}

/// `prisma-xc diff`: its flags checked and resolved against the project, then [`diff`].
fn run_diff(args: DiffArgs) -> ExitCode {
    let DiffArgs {
        mut schemas,
        schema,
        from_empty,
        direct,
        out,
        name,
        timestamp,
        rename,
        allow,
        check,
        fail_on,
        format,
        color,
        lock_timeout,
        sync,
        client_import,
        client_module,
        base,
        head,
        prisma,
        config,
    } = args;
    if let Some(module) = &client_module
        && !module.is_file()
    {
        return usage(&format!(
            "--client-module {}: no such file (the application's module that exports its client as `prisma`)",
            module.display()
        ));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let project = match prisma_xc::project::discover(&cwd, config.as_deref()) {
        Ok(project) => project,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(schema) = schema {
        if schemas.len() > 1 {
            return usage("with --schema (NEW), give at most OLD");
        }
        schemas.push(schema);
    }
    let project_schema = project_schema(&project);
    let settings = match read_settings(&project, schemas.last().or(project_schema.as_ref())) {
        Ok(settings) => settings.unwrap_or_default(),
        Err(e) => {
            eprintln!("error: {}", shown(&e));
            return ExitCode::from(2);
        }
    };
    if let Some(timeout) = &settings.lock_timeout
        && let Err(e) = check_lock_timeout(timeout)
    {
        eprintln!(
            "error: {}: lock_timeout: {}",
            settings.file,
            e.trim_start_matches("--lock-timeout ")
        );
        return ExitCode::from(2);
    }
    // NEW: the last schema given, or the project's own when only it can be meant.
    let new = match (schemas.last(), from_empty || base.is_some()) {
        (Some(new), _) => new.clone(),
        (None, true) => match project_schema.clone() {
            Some(schema) => schema,
            None => {
                return usage(
                    "no schema found: give NEW, or set `schema` in prisma.config.ts (else prisma/schema.prisma is read)",
                );
            }
        },
        (None, false) => {
            return usage("diff takes OLD and NEW (or --base REV, or --from-empty NEW)");
        }
    };
    let old = match (from_empty, &base, schemas.as_slice()) {
        (true, _, [] | [_]) => OldSchema::Empty,
        (true, _, _) => return usage("with --from-empty, give only NEW"),
        (false, Some(rev), [] | [_]) => OldSchema::Git {
            rev: rev.clone(),
            path: new.clone(),
        },
        (false, Some(_), _) => {
            return usage("with --base, give only NEW (OLD is read from git)");
        }
        (false, None, [old, _]) => OldSchema::File(old.clone()),
        (false, None, _) => {
            return usage("diff takes OLD and NEW (or --base REV, or --from-empty NEW)");
        }
    };
    if !direct && from_empty {
        return usage("--from-empty needs --direct: an initial migration has no phases");
    }
    if !direct && out.is_some() && name.is_none() {
        return usage("--out needs --name (the plan's name) or --direct");
    }
    // A threshold is a check's.
    let check = check || fail_on.is_some();
    if check && name.is_some() {
        return usage("--check only reports; drop --name to check, or --check to write the plan");
    }
    let old_path = match &old {
        OldSchema::File(p) => Some(p.as_path()),
        _ => None,
    };
    huge_pages_for_large_inputs(old_path.into_iter().chain([new.as_path()]));
    diff(DiffRun {
        old,
        new: &new,
        project,
        project_schema,
        head,
        prisma,
        direct,
        out: out.as_deref(),
        name: name.as_deref(),
        timestamp: timestamp.as_deref(),
        lock_timeout: lock_timeout
            .or(settings.lock_timeout.clone())
            .unwrap_or_else(|| "5s".into()),
        sync: sync.unwrap_or(match settings.sync {
            Some(prisma_xc::settings::Sync::App) => Sync::App,
            _ => Sync::Trigger,
        }),
        client_import,
        client_module,
        options: prisma_xc::CompareOptions {
            renames: rename,
            allow,
            rule_settings: settings.rules.clone(),
        },
        check,
        fail_on: fail_on
            .or(settings.fail_on)
            .unwrap_or(prisma_xc::rules::Severity::Breaking),
        format,
        color: color.enabled(),
    })
}

/// A plan folder's plan.json, read as `T`; the error names the file and what to give.
fn read_plan_json(plan: &Path) -> anyhow::Result<prisma_xc::plan::PlanJson> {
    use anyhow::Context as _;
    let path = plan.join("plan.json");
    let help = || {
        format!(
            "{}\n  = help: give the plan folder `prisma-xc diff --name` wrote",
            path.display()
        )
    };
    let text = std::fs::read_to_string(&path).with_context(help)?;
    prisma_xc::plan::PlanJson::from_json(&text)
        .map_err(anyhow::Error::msg)
        .with_context(help)
}

/// An error at the edge as the user reads it: what failed, then why (anyhow's chain).
fn shown(e: &anyhow::Error) -> String {
    let mut chain = e.chain();
    let first = chain.next().map(ToString::to_string).unwrap_or_default();
    let causes: Vec<String> = chain.map(ToString::to_string).collect();
    if causes.is_empty() {
        return first;
    }
    // The context is `path\n  = help: ...`: the cause goes after the path, before the help.
    match first.split_once('\n') {
        Some((what, help)) => format!("{what}: {}\n{help}", causes.join(": ")),
        None => format!("{first}: {}", causes.join(": ")),
    }
}

/// `prisma-xc status`: the database's answers in, the report out.
fn status(plan_dir: &Path, database_url: Option<String>) -> ExitCode {
    use prisma_xc::status;
    let fail = |why: String| {
        eprintln!("error: {why}");
        ExitCode::from(2)
    };
    let plan = match read_plan_json(plan_dir) {
        Ok(p) => p.plan,
        Err(e) => return fail(shown(&e)),
    };
    let provider = plan.provider;
    let Some(url) = database_url.or_else(|| std::env::var("DATABASE_URL").ok()) else {
        return fail("no database: set DATABASE_URL or pass --database-url".into());
    };
    let query = |sql: &str| database_query(provider, &url, sql);
    let applied = match query(status::MIGRATIONS_QUERY) {
        Ok(rows) => status::parse_migrations(&rows),
        Err(e) => return fail(format!("reading _prisma_migrations: {e}")),
    };
    let left = match status::backfill_query(&plan, provider) {
        Some(sql) if status::backfill_countable(&plan, &applied) => match query(&sql) {
            Ok(n) => n.trim().parse().ok(),
            // The contract has begun and may have dropped the columns the count reads.
            Err(_) if status::contract_begun(&plan, &applied) => None,
            Err(e) => return fail(format!("counting the rows the backfill has left: {e}")),
        },
        _ => None,
    };
    let (report, failed) = status::render(&plan, &status::assess(&plan, &applied, left));
    print!("{report}");
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One query's rows, `|`-separated, through the database's own shell (psql, mysql or sqlite3).
fn database_query(
    provider: prisma_xc::schema::Provider,
    url: &str,
    sql: &str,
) -> Result<String, String> {
    use prisma_xc::schema::Provider;
    let (program, args): (&str, Vec<String>) = match provider {
        Provider::PostgreSql | Provider::CockroachDb => (
            "psql",
            vec![
                url.to_string(),
                "-AtX".into(),
                "-v".into(),
                "ON_ERROR_STOP=1".into(),
                "-c".into(),
                sql.to_string(),
            ],
        ),
        Provider::Sqlite => {
            let Some(path) = url.strip_prefix("file:") else {
                return Err(format!("{url:?} is not a SQLite URL (file:PATH)"));
            };
            // Prisma's SQLite URLs may carry parameters after `?`.
            let path = path.split('?').next().unwrap_or(path);
            (
                "sqlite3",
                vec!["-bail".into(), path.to_string(), sql.to_string()],
            )
        }
        Provider::MySql => {
            let client = prisma_xc::status::mysql_client(url)?;
            let mut command = std::process::Command::new("mysql");
            command.args(&client.args).arg("-e").arg(sql);
            if let Some(password) = &client.password {
                command.env("MYSQL_PWD", password);
            }
            // The client separates columns with tabs; the answers are read with `|`.
            return run_query(command, "mysql").map(|rows| rows.replace('\t', "|"));
        }
        other => {
            return Err(format!(
                "status reads PostgreSQL, MySQL and SQLite databases, not {}",
                other.name()
            ));
        }
    };
    let mut command = std::process::Command::new(program);
    command.args(&args);
    run_query(command, program)
}

/// A database shell's output, or what it said when it failed.
fn run_query(mut command: std::process::Command, program: &str) -> Result<String, String> {
    let out = command
        .output()
        .map_err(|e| format!("could not run {program} ({e}): install it, or run the queries of `prisma-xc status` yourself"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn explain(rule: Option<&str>, list: bool, all: bool) -> ExitCode {
    let text = if all {
        rules::catalog_markdown()
    } else if list {
        rules::RULES
            .iter()
            .map(|r| {
                format!(
                    "{}  {:<11} {:<32} {}\n",
                    r.id,
                    r.severity.name(),
                    r.name,
                    r.title
                )
            })
            .collect()
    } else {
        let id = rule.unwrap_or_default();
        match rules::find(id) {
            Some(r) => rules::explain(r),
            None => {
                eprintln!(
                    "error: there is no rule `{id}`\n  = help: `prisma-xc explain --list` lists every rule"
                );
                return ExitCode::from(2);
            }
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}\n  = help: see `prisma-xc diff --help`");
    ExitCode::from(2)
}

/// Read one schema; an unreadable one is reported on standard error.
fn read(path: &Path) -> Option<Sources> {
    read_schema(path).map_err(|e| eprintln!("error: {e}")).ok()
}

/// A loaded schema's diagnostics go to standard error; `None` when it has errors.
fn usable(
    side: &str,
    sources: Sources,
    mut loaded: prisma_xc::Loaded,
    planning: bool,
) -> Option<(Sources, ManuallyDrop<prisma_xc::Loaded>)> {
    if planning {
        // The planner loads a schema of the same size again: the syntax trees, no longer
        // needed, free the memory it then takes instead of fresh pages.
        drop(std::mem::take(&mut loaded.syntax));
    }
    if !loaded.diagnostics.is_empty() {
        eprint!("{}", render_all(&loaded.diagnostics, &sources));
    }
    if !loaded.has_errors() && loaded.schema.datasource.is_none() {
        let names: Vec<&str> = sources.files.iter().map(|f| f.name.as_str()).collect();
        let empty = sources.files.iter().all(|f| f.text.trim().is_empty());
        eprintln!(
            "error: {side} ({}): {}\n  = help: a schema needs `datasource db {{ provider = \"postgresql\" }}` (or your database's provider) to say which database it is for",
            names.join(", "),
            if empty {
                "the schema is empty"
            } else {
                "the schema has no datasource block, so its database provider is unknown"
            }
        );
        return None;
    }
    // Freeing a schema of thousands of models takes milliseconds the process does not need
    // to spend: the operating system reclaims it all at exit.
    (!loaded.has_errors()).then(|| (sources, ManuallyDrop::new(loaded)))
}

fn diff(run: DiffRun) -> ExitCode {
    let old = &run.old;
    let DiffRun {
        new,
        direct,
        name,
        timestamp,
        ..
    } = run;
    if matches!(old, OldSchema::File(o) if o.as_os_str() == "-") && new.as_os_str() == "-" {
        eprintln!("error: only one of OLD and NEW can be - (standard input)");
        return ExitCode::from(2);
    }
    if let Some(ts) = timestamp
        && let Err(why) = prisma_xc::write::parse_timestamp(ts)
    {
        return usage(&format!("--timestamp {why}"));
    }
    if let Err(why) = check_lock_timeout(&run.lock_timeout) {
        return usage(&why);
    }
    if let Some(name) = name {
        let clean = clean_name(name);
        if clean.is_empty() {
            return usage("--name needs at least one letter or digit");
        }
        if clean.len() > MAX_NAME_BYTES {
            return usage(&format!(
                "--name is {} bytes once cleaned; at most {MAX_NAME_BYTES} fit in a migration folder name (Prisma's limit too)",
                clean.len()
            ));
        }
    }
    let old_sources = match old {
        OldSchema::Empty => None,
        OldSchema::File(path) => Some(read(path)),
        OldSchema::Git { rev, path } => Some(
            prisma_xc::input::read_schema_at_revision(rev, path)
                .map_err(|e| eprintln!("error: {e}"))
                .ok(),
        ),
    };
    let new_sources = match &run.head {
        Some(rev) => prisma_xc::input::read_schema_at_revision(rev, new)
            .map_err(|e| eprintln!("error: {e}"))
            .ok(),
        None => read(new),
    };
    let (Some(new_sources), false) = (new_sources, matches!(old_sources, Some(None))) else {
        return ExitCode::from(2);
    };
    let old_sources = old_sources.flatten();
    let (old_loaded, mut new_loaded) = prisma_xc::load_pair(old_sources.as_ref(), &new_sources);
    let has_url = new_loaded
        .schema
        .datasource
        .as_ref()
        .is_some_and(|d| d.connection_urls.iter().any(|(key, _)| key == "url"));
    let detected = prisma_xc::project::decide(
        run.prisma,
        run.project.installed.as_deref(),
        run.project.dependency.as_deref(),
        has_url,
    );
    if detected.major == prisma_xc::project::Major::Seven {
        // Only the new schema: the old one may be from before the project moved to Prisma 7.
        let rejected = prisma_xc::project::prisma7_diagnostics(&new_loaded.schema);
        new_loaded.diagnostics.extend(rejected);
    }
    // Both schemas' diagnostics are shown before giving up on either.
    let old_loaded = old_sources
        .zip(old_loaded)
        .map(|(sources, loaded)| usable("OLD", sources, loaded, name.is_some() && !direct));
    // The new schema's syntax trees stay: the planner parses the intermediate schema with them.
    let new_loaded = usable("NEW", new_sources, new_loaded, false);
    let (Some((new_sources, new_loaded)), false) = (new_loaded, matches!(old_loaded, Some(None)))
    else {
        return ExitCode::from(2);
    };
    let old_loaded = old_loaded.flatten();
    if !direct {
        let Some(old) = &old_loaded else {
            return usage("diff needs OLD to compare with");
        };
        return compare(&run, old, &new_sources, &new_loaded, &detected);
    }
    let old_loaded = old_loaded.map(|(_, l)| l);
    direct_migration(&run, old_loaded.as_deref(), &new_loaded)
}

/// The change judged, reported in the chosen format, and with `--name` its plan written.
fn compare(
    run: &DiffRun,
    old: &(Sources, ManuallyDrop<prisma_xc::Loaded>),
    new_sources: &Sources,
    new_loaded: &prisma_xc::Loaded,
    detected: &prisma_xc::project::Detected,
) -> ExitCode {
    let name = run.name;
    let mut stdout = std::io::stdout().lock();
    let (old_sources, old_loaded) = old;
    // Not freed, like the schemas (see `usable`).
    let lowered = ManuallyDrop::new(prisma_xc::lower_both(
        &old_loaded.schema,
        &new_loaded.schema,
    ));
    let (mut classification, warnings) = match prisma_xc::compare_lowered(
        &old_loaded.schema,
        &new_loaded.schema,
        &lowered,
        new_sources,
        &run.options,
    ) {
        Ok(result) => result,
        Err(prisma_xc::CompareError::Directives(problems)) => {
            eprint!("{}", render_all(&problems, new_sources));
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    classification.fail_on = run.fail_on;
    if !warnings.is_empty() {
        eprint!("{}", render_all(&warnings, new_sources));
    }
    let coverage = if name.is_none() {
        committed_plan_coverage(run, old_sources, new_sources)
    } else {
        None
    };
    let repository = matches!(
        run.format,
        Format::Github | Format::Markdown | Format::Sarif
    )
    .then(|| repository(run))
    .flatten();
    let report = report::Report {
        classification: &classification,
        locator: report::Locator {
            old: Some(old_sources),
            new: new_sources,
            repository,
        },
        coverage: coverage.as_ref(),
    };
    let text = report::render(run.format, &report, run.color);
    // A closed pipe (`prisma-xc diff ... | head`) is the reader's choice, not an error.
    let _ = stdout.write_all(text.as_bytes());
    if let Some(name) = name {
        let (old_db, new_db) = match (&lowered.old, &lowered.new) {
            (Ok(old_db), Ok(new_db)) => (old_db, new_db),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let input = prisma_xc::plan::PlanInput {
            old: &old_loaded.schema,
            old_sources,
            new: &new_loaded.schema,
            new_sources,
            old_db,
            new_db,
            new_syntax: &new_loaded.syntax,
            classification: &classification,
        };
        return write_plan(&input, run, detected, name, new_sources);
    }
    if run.check && !report.check_passes() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--direct`: the one-step migration Prisma itself would write, printed or written as a
/// migration folder.
fn direct_migration(
    run: &DiffRun,
    old_loaded: Option<&prisma_xc::Loaded>,
    new_loaded: &prisma_xc::Loaded,
) -> ExitCode {
    let (old, new, out, name, timestamp) = (&run.old, run.new, run.out, run.name, run.timestamp);
    let mut stdout = std::io::stdout().lock();
    let databases = match prisma_xc::lower_pair(old_loaded.map(|l| &l.schema), &new_loaded.schema) {
        // Not freed, like the schemas (see `usable`).
        Ok(databases) => ManuallyDrop::new(databases),
        Err(e) => {
            eprintln!("error: {}: {e}", new.display());
            return ExitCode::from(2);
        }
    };
    let sql = match prisma_xc::migration_script(&databases.0, &databases.1) {
        Some(sql) => sql,
        // The initial migration is written even when empty: it starts the migrations folder
        // (and its migration_lock.toml), as `prisma migrate dev --create-only` does.
        None if matches!(old, OldSchema::Empty) => "-- This is an empty migration.\n".to_string(),
        None => {
            eprintln!(
                "No difference: the two schemas give the same database, so there is no migration to write."
            );
            if out.is_none() {
                let _ = stdout.write_all(b"-- This is an empty migration.\n\n");
            }
            return ExitCode::SUCCESS;
        }
    };
    let Some(out) = out else {
        // As `prisma migrate diff --script` prints it: the file's text, then a line break.
        let _ = stdout.write_all(sql.as_bytes());
        let _ = stdout.write_all(b"\n");
        return ExitCode::SUCCESS;
    };
    let ts = timestamp.map(str::to_string).unwrap_or_else(now);
    let name = name.unwrap_or("migration");
    let provider = new_loaded
        .schema
        .provider()
        .expect("lowered schemas have a provider");
    match prisma_xc::write::write_migration(
        out,
        &prisma_xc::write::folder_name(&ts, name),
        &sql,
        provider,
    ) {
        Ok(folder) => {
            let _ = writeln!(stdout, "Wrote {}", folder.join("migration.sql").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// prisma-xc.toml: in the project's folder (prisma.config.ts's), else beside the schema.
fn read_settings(
    project: &prisma_xc::project::Project,
    schema: Option<&PathBuf>,
) -> anyhow::Result<Option<prisma_xc::settings::Settings>> {
    use anyhow::Context as _;
    use prisma_xc::settings::{FILE_NAME, parse};
    let beside_schema = schema.map(|s| {
        let folder = if s.is_dir() {
            s.as_path()
        } else {
            s.parent().unwrap_or(Path::new(""))
        };
        folder.join(FILE_NAME)
    });
    let candidates = [Some(project.root.join(FILE_NAME)), beside_schema];
    let Some(path) = candidates.into_iter().flatten().find(|p| p.is_file()) else {
        return Ok(None);
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = path
        .strip_prefix(&cwd)
        .unwrap_or(&path)
        .display()
        .to_string();
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("{shown}: cannot be read"))?;
    parse(&shown, &text).map(Some).map_err(anyhow::Error::msg)
}

/// The git repository prisma-xc runs in, for reports that name files from its root.
fn repository(run: &DiffRun) -> Option<report::Repository> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Some(report::Repository {
        root,
        cwd: std::env::current_dir().ok()?,
        old_revision: match &run.old {
            OldSchema::Git { rev, .. } => Some(rev.clone()),
            _ => None,
        },
        new_revision: run.head.clone(),
    })
}

/// The committed plan the change is a step of: plan folders are looked for where
/// `prisma-xc diff --name` writes them (`phases/` beside the schema), in the tree the new
/// schema was read from.
fn committed_plan_coverage(
    run: &DiffRun,
    old: &Sources,
    new: &Sources,
) -> Option<prisma_xc::coverage::Coverage> {
    use prisma_xc::coverage::{self, CommittedPlan};
    use prisma_xc::input::Tree;
    let tree = match &run.head {
        Some(rev) => Tree::Revision(rev),
        None => Tree::WorkingTree,
    };
    let mut places: Vec<PathBuf> = [Some(run.new), run.project_schema.as_deref()]
        .into_iter()
        .flatten()
        .map(|schema| schema.parent().unwrap_or(Path::new("")).join("phases"))
        .collect();
    places.dedup();
    let mut plans = Vec::new();
    for phases in &places {
        for folder in tree.folders(phases) {
            let dir = phases.join(&folder);
            let Some(file) = tree
                .read(&dir.join("plan.json"))
                .and_then(|t| prisma_xc::plan::PlanJson::from_json(&t).ok())
            else {
                continue;
            };
            let migrations = prisma_xc::paths::normalize(
                &dir.join(file.migrations.as_deref().unwrap_or("../../migrations")),
            );
            let plan = file.plan;
            let expand_promoted = plan.expand.is_empty()
                || prisma_xc::status::holds_any(&plan.expand, &tree.folders(&migrations));
            plans.push(CommittedPlan {
                folder: dir.display().to_string(),
                name: plan.name.clone(),
                schemas: plan.schemas,
                steps: plan.steps.iter().map(|s| s.title()).collect(),
                expand_promoted,
            });
        }
    }
    coverage::find(
        &plans,
        &coverage::fingerprint_of(old),
        &coverage::fingerprint_of(new),
    )
}

fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    prisma_xc::write::timestamp(seconds)
}

/// The longest migration name Prisma writes (`migrate dev` cuts at 200): with the timestamp
/// and a phase suffix, a folder name stays well under the 255 bytes file systems allow.
const MAX_NAME_BYTES: usize = 200;

/// A PostgreSQL duration for `lock_timeout`: a number and an optional unit.
fn check_lock_timeout(value: &str) -> Result<(), String> {
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    let number_ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit());
    if number_ok && ["", "us", "ms", "s", "min", "h", "d"].contains(&unit) {
        Ok(())
    } else {
        Err(format!(
            "--lock-timeout {value:?} is not a PostgreSQL duration: a number with us, ms, s, min, h or d (e.g. 5s, 500ms)"
        ))
    }
}

/// The project's schema: prisma.config.ts's `schema`, else package.json's `prisma.schema`, else
/// where Prisma looks by default.
fn project_schema(project: &prisma_xc::project::Project) -> Option<PathBuf> {
    if let Some(schema) = project.config.as_ref().and_then(|c| c.schema.clone()) {
        return Some(schema);
    }
    if let Some(schema) = &project.package_schema {
        let cwd = std::env::current_dir().unwrap_or_default();
        return Some(schema.strip_prefix(&cwd).unwrap_or(schema).to_path_buf());
    }
    ["prisma/schema.prisma", "schema.prisma", "prisma/schema"]
        .iter()
        .map(PathBuf::from)
        .find(|p| project.root.join(p).exists())
        .map(|p| {
            if project.config.is_some() {
                project.root.join(p)
            } else {
                p
            }
        })
}

/// The last folder name of a migrations folder, in the order Prisma applies them.
fn last_folder(migrations: &Path) -> Option<String> {
    std::fs::read_dir(migrations)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .max()
}

/// A name as it goes into folder names: lower case letters, digits and `_`.
fn clean_name(name: &str) -> String {
    prisma_xc::write::folder_name("", name)
        .trim_start_matches('_')
        .to_string()
}

fn write_plan(
    input: &prisma_xc::plan::PlanInput,
    run: &DiffRun,
    detected: &prisma_xc::project::Detected,
    name: &str,
    new_sources: &Sources,
) -> ExitCode {
    use prisma_xc::{client, paths};
    let ts = run.timestamp.map(str::to_string).unwrap_or_else(now);
    // Checked before anything was read: a letter or digit at least, and not too long.
    let name = clean_name(name);
    let options = prisma_xc::plan::PlanOptions {
        name: name.clone(),
        timestamp: ts.clone(),
        lock_timeout: run.lock_timeout.clone(),
        sync: match run.sync {
            Sync::Trigger => prisma_xc::plan::SyncMode::Trigger,
            Sync::App => prisma_xc::plan::SyncMode::App,
        },
    };
    let plan = match prisma_xc::plan::plan(input, &options) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let new = run.new;
    // Beside the schema file, or beside a schema folder: inside it, Prisma would read the
    // plan's schema.expand.prisma as part of the schema.
    let schema_dir = new.parent().map(Path::to_path_buf).unwrap_or_default();
    let target = run
        .out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| schema_dir.join("phases").join(format!("{ts}_{name}")));
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| paths::normalize(&cwd.join(p));
    // A path as the user names it from where they run the commands: relative when under it.
    let shown = |p: &Path| match absolute(p).strip_prefix(&cwd) {
        Ok(rel) if p.is_absolute() => rel.display().to_string(),
        _ => p.display().to_string(),
    };
    let plan_abs = absolute(&target);
    let migrations = run
        .project
        .config
        .as_ref()
        .and_then(|c| c.migrations.clone())
        .unwrap_or_else(|| {
            // Prisma's default: beside the project's schema file, inside a schema folder.
            let schema = run.project_schema.as_deref().unwrap_or(new);
            if schema.is_dir() {
                schema.join("migrations")
            } else {
                schema.parent().unwrap_or(Path::new("")).join("migrations")
            }
        });
    let file_dir = |span: prisma_xc::diagnostics::Span| {
        let file = Path::new(&new_sources.file(span.file).name);
        absolute(file.parent().unwrap_or(Path::new("")))
    };
    let generator_outputs: Vec<(String, String)> = input
        .new
        .generators
        .iter()
        .filter_map(|g| {
            let output = g
                .output
                .as_deref()
                .filter(|o| !Path::new(o).is_absolute())?;
            let target = paths::normalize(&file_dir(g.span).join(output));
            Some((g.name.clone(), paths::relative(&plan_abs, &target)))
        })
        .collect();
    let generator = client::client_generator(&input.new.generators);
    let generator_dir = generator
        .map(|g| file_dir(g.span))
        .unwrap_or_else(|| cwd.clone());
    let client = client::client_setup(&client::ClientInputs {
        major: detected.major,
        provider: plan.provider,
        generator,
        generator_dir: &generator_dir,
        plan_dir: &plan_abs,
        node_next: run.project.node_next,
        packages: &run.project.packages,
        import_override: run.client_import.as_deref(),
        app_module: run.client_module.as_deref().map(absolute).as_deref(),
    });
    let project_schema = match (&run.project_schema, &run.old) {
        (Some(schema), _) => shown(schema),
        (None, OldSchema::Git { .. }) => shown(new),
        (None, _) => "prisma/schema.prisma".to_string(),
    };
    let render_options = prisma_xc::render::RenderOptions {
        major: detected.major,
        client,
        old_schema: match &run.old {
            OldSchema::File(p) => shown(p),
            OldSchema::Git { rev, path } => format!("{rev}:{}", shown(path)),
            OldSchema::Empty => String::new(),
        },
        new_schema: shown(new),
        project_schema,
        plan_dir: shown(&target),
        migrations_dir: shown(&migrations),
        migrations_from_plan: paths::relative(&plan_abs, &absolute(&migrations))
            .trim_start_matches("./")
            .to_string(),
        generator_outputs,
    };
    let files: Vec<(String, String)> = prisma_xc::render::render(&plan, &render_options)
        .into_iter()
        .map(|f| (f.path, f.text))
        .collect();
    match prisma_xc::write::write_plan(&target, &files) {
        Ok(dir) => {
            print_plan_summary(&dir, &plan);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Where the plan went, and what in it needs the user's attention before anything else.
fn print_plan_summary(dir: &Path, plan: &prisma_xc::plan::Plan) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\nWrote the plan to {}: follow {} phase by phase.",
        dir.display(),
        dir.join("PLAN.md").display()
    );
    for why in &plan.not_zero_downtime {
        let _ = writeln!(
            out,
            "Not zero-downtime: {}",
            prisma_xc::escape::one_line(why)
        );
    }
    for why in &plan.long_locks {
        let _ = writeln!(out, "Long lock: {}", prisma_xc::escape::one_line(why));
    }
    if let Some(why) = &plan.sync_forced {
        let _ = writeln!(
            out,
            "No sync triggers: {}; the dual-write extension keeps renamed columns in sync.",
            prisma_xc::escape::one_line(why)
        );
    }
    if plan.unguarded_contract {
        let _ = writeln!(
            out,
            "No contract guard on {}: deploy the contract only once the backfill's verification counts 0 rows (PLAN.md).",
            plan.provider.name()
        );
    }
    if plan.has_fill_ins() {
        let _ = writeln!(
            out,
            "The backfill needs values only you know: fill in the FILL IN block of 3-backfill/backfill.ts."
        );
    }
}

fn promote(
    plan: &Path,
    phase: Phase,
    migrations: Option<&Path>,
    expand_deployed: bool,
    timestamp: Option<&str>,
) -> ExitCode {
    let file = match read_plan_json(plan) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {}", shown(&e));
            return ExitCode::from(2);
        }
    };
    let meta = &file.plan;
    let provider = meta.provider;
    let name = meta.name.clone();
    let migrations = migrations
        .map(Path::to_path_buf)
        // The folder the plan was written for (prisma.config.ts's migrations.path, or
        // Prisma's default), relative to the plan folder.
        .or_else(|| file.migrations.as_ref().map(|m| plan.join(m)))
        .unwrap_or_else(|| {
            // Plans written before plan.json named it: <schema folder>/phases/<plan>.
            plan.parent()
                .and_then(Path::parent)
                .map(|p| p.join("migrations"))
                .unwrap_or_else(|| PathBuf::from("migrations"))
        });
    let migrations = prisma_xc::paths::normalize(&migrations);
    let expand_is_empty = meta.expand.is_empty();
    let has_expand = prisma_xc::status::holds_any(
        &meta.expand,
        &prisma_xc::input::Tree::WorkingTree.folders(&migrations),
    );
    let (folder, label) = match phase {
        Phase::Expand => {
            if has_expand {
                eprintln!(
                    "error: {} already holds the expand of plan {name}",
                    migrations.display()
                );
                return ExitCode::from(2);
            }
            (plan.join(PlanPath::ExpandMigrations.path()), "expand")
        }
        Phase::Contract => {
            if !has_expand && !expand_is_empty {
                eprintln!(
                    "error: {} has no expand migration of plan {name}: promote and deploy the expand first",
                    migrations.display()
                );
                return ExitCode::from(2);
            }
            if !expand_deployed {
                eprintln!(
                    "error: the contract must not run in the same `prisma migrate deploy` as the expand\n  = help: once the expand is deployed, every instance runs the dual-write code and the backfill is verified, run again with --expand-deployed"
                );
                return ExitCode::from(2);
            }
            (plan.join(PlanPath::ContractMigrations.path()), "contract")
        }
    };
    let ts = match timestamp {
        Some(ts) => {
            if let Err(why) = prisma_xc::write::parse_timestamp(ts) {
                return usage(&format!("--timestamp {why}"));
            }
            ts.to_string()
        }
        None => {
            let now = now();
            match prisma_xc::write::latest_migration(&migrations) {
                Some(latest) if latest >= now => match prisma_xc::write::next_timestamp(&latest) {
                    Some(next) => next,
                    None => {
                        eprintln!(
                            "error: {}: no timestamp sorts after the migration {latest}\n  = help: rename that folder to a real timestamp (YYYYMMDDHHMMSS_name)",
                            migrations.display()
                        );
                        return ExitCode::from(2);
                    }
                },
                _ => now,
            }
        }
    };
    if !folder.is_dir() {
        let _ = writeln!(
            std::io::stdout().lock(),
            "The {label} of plan {name} has no migration: nothing to promote."
        );
        return ExitCode::SUCCESS;
    }
    // Prisma applies migrations in the order of their folder names: the promoted ones must
    // come after every folder already there.
    if let Some(last) = last_folder(&migrations)
        && format!("{ts}_") <= last
    {
        eprintln!(
            "error: {}: the folder {last:?} sorts after {ts}, so the {label} would run before it\n  = help: {}",
            migrations.display(),
            if timestamp.is_some() {
                "pass a later --timestamp"
            } else {
                "rename that folder to a real timestamp (YYYYMMDDHHMMSS_name)"
            }
        );
        return ExitCode::from(2);
    }
    match prisma_xc::write::promote(&folder, &migrations, &ts, provider) {
        Ok(written) => {
            let mut out = std::io::stdout().lock();
            for w in &written {
                let _ = writeln!(out, "Wrote {}", w.join("migration.sql").display());
            }
            let _ = writeln!(
                out,
                "The {label} is in {}: deploy it with `npx prisma migrate deploy`.",
                migrations.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
