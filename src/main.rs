//! The `prisma-xc` binary: flags in, files and exit codes out. All the work is in the library.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use prisma_xc::diagnostics::{Sources, render_all};
use prisma_xc::input::read_schema;
use prisma_xc::{report, rules};

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

#[derive(Subcommand)]
enum Command {
    /// Compare two schemas (a file, a schema folder, or - for standard input).
    #[command(
        after_help = "Examples:\n  prisma-xc diff old.prisma new.prisma                        (classify every change)\n  prisma-xc diff old.prisma new.prisma --check                (CI: exit 1 on breaking or destructive)\n  prisma-xc diff old.prisma new.prisma --rename User.user_name=username --allow XC112\n  prisma-xc diff old.prisma new.prisma --direct               (print the one-step SQL)\n  prisma-xc diff old.prisma new.prisma --direct --out prisma/migrations --name rename_user\n  prisma-xc diff --from-empty schema.prisma --direct --out prisma/migrations --name init"
    )]
    Diff {
        /// OLD and NEW: the schema deployed now and the one you want. With --from-empty, only NEW.
        #[arg(value_name = "SCHEMA", num_args = 1..=2, required = true)]
        schemas: Vec<PathBuf>,
        /// Start from an empty database (the initial migration): give only NEW.
        #[arg(long)]
        from_empty: bool,
        /// Write the plain one-step migration, as `prisma migrate dev` would (no phases).
        #[arg(long)]
        direct: bool,
        /// Prisma migrations folder to write into (with --direct); without it, the SQL is printed.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Migration name, used in the folder name.
        #[arg(long, default_value = "migration")]
        name: String,
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
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Colour the human report: auto (on a terminal, unless NO_COLOR is set), always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What `diff` was asked to do, once the flags are checked.
struct DiffRun<'a> {
    old: Option<&'a Path>,
    new: &'a Path,
    direct: bool,
    out: Option<&'a Path>,
    name: &'a str,
    timestamp: Option<&'a str>,
    options: prisma_xc::CompareOptions,
    check: bool,
    format: Format,
    color: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diff {
            schemas,
            from_empty,
            direct,
            out,
            name,
            timestamp,
            rename,
            allow,
            check,
            format,
            color,
        } => {
            let (old, new) = match (from_empty, schemas.as_slice()) {
                (false, [old, new]) => (Some(old.as_path()), new.as_path()),
                (true, [new]) => (None, new.as_path()),
                (false, _) => return usage("diff takes OLD and NEW (or --from-empty NEW)"),
                (true, _) => return usage("with --from-empty, give only NEW"),
            };
            if !direct && (out.is_some() || from_empty) {
                return usage(
                    "--out and --from-empty need --direct for now: phased plans are not written yet",
                );
            }
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => report::auto_color(
                    std::io::stdout().is_terminal(),
                    std::env::var_os("NO_COLOR").as_deref(),
                ),
            };
            diff(DiffRun {
                old,
                new,
                direct,
                out: out.as_deref(),
                name: &name,
                timestamp: timestamp.as_deref(),
                options: prisma_xc::CompareOptions {
                    renames: rename,
                    allow,
                },
                check,
                format,
                color,
            })
        }
        Command::Explain { rule, list, all } => explain(rule.as_deref(), list, all),
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

/// Read, parse and resolve one schema; diagnostics go to standard error.
fn load(path: &Path) -> Option<(Sources, prisma_xc::Loaded)> {
    let sources = match read_schema(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let loaded = prisma_xc::load(&sources);
    if !loaded.diagnostics.is_empty() {
        eprint!("{}", render_all(&loaded.diagnostics, &sources));
    }
    (!loaded.has_errors()).then_some((sources, loaded))
}

fn diff(run: DiffRun) -> ExitCode {
    let DiffRun {
        old,
        new,
        direct,
        out,
        name,
        timestamp,
        ..
    } = run;
    if old.is_some_and(|o| o.as_os_str() == "-") && new.as_os_str() == "-" {
        eprintln!("error: only one of OLD and NEW can be - (standard input)");
        return ExitCode::from(2);
    }
    if let Some(ts) = timestamp
        && (ts.len() != 14 || !ts.bytes().all(|b| b.is_ascii_digit()))
    {
        return usage("--timestamp takes 14 digits: YYYYMMDDHHMMSS");
    }
    let old_loaded = old.map(load);
    let new_loaded = load(new);
    let (Some((new_sources, new_loaded)), false) = (new_loaded, matches!(old_loaded, Some(None)))
    else {
        return ExitCode::from(2);
    };
    let old_loaded = old_loaded.flatten();
    let mut stdout = std::io::stdout().lock();
    if !direct {
        let Some((old_sources, old_loaded)) = &old_loaded else {
            return usage("diff needs OLD to compare with");
        };
        let (classification, warnings) = match prisma_xc::compare(
            &old_loaded.schema,
            &new_loaded.schema,
            &new_sources,
            &run.options,
        ) {
            Ok(result) => result,
            Err(prisma_xc::CompareError::Directives(problems)) => {
                eprint!("{}", render_all(&problems, &new_sources));
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        if !warnings.is_empty() {
            eprint!("{}", render_all(&warnings, &new_sources));
        }
        let locator = report::Locator {
            old: Some(old_sources),
            new: &new_sources,
        };
        let text = match run.format {
            Format::Human => report::human(&classification, &locator, run.color),
            Format::Json => report::json(&classification, &locator),
        };
        // A closed pipe (`prisma-xc diff ... | head`) is the reader's choice, not an error.
        let _ = stdout.write_all(text.as_bytes());
        return if run.check && classification.blocks() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    let old_loaded = old_loaded.map(|(_, l)| l);
    let sql = match prisma_xc::direct_migration(
        old_loaded.as_ref().map(|l| &l.schema),
        &new_loaded.schema,
    ) {
        Ok(sql) => sql,
        Err(e) => {
            eprintln!("error: {}: {e}", new.display());
            return ExitCode::from(2);
        }
    };
    let sql = match sql {
        Some(sql) => sql,
        // The initial migration is written even when empty: it starts the migrations folder
        // (and its migration_lock.toml), as `prisma migrate dev --create-only` does.
        None if old.is_none() => "-- This is an empty migration.\n".to_string(),
        None => {
            eprintln!(
                "No difference: the two schemas give the same database, so there is no migration to write."
            );
            return ExitCode::SUCCESS;
        }
    };
    let Some(out) = out else {
        let _ = stdout.write_all(sql.as_bytes());
        return ExitCode::SUCCESS;
    };
    let ts = timestamp.map(str::to_string).unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        prisma_xc::write::timestamp(now)
    });
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
