//! The `prisma-xc` binary: flags in, files and exit codes out. All the work is in the library.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use prisma_xc::diagnostics::render_all;
use prisma_xc::input::read_schema;
use prisma_xc::summary::summarize;

#[derive(Parser)]
#[command(
    name = "prisma-xc",
    version,
    about = "Zero-downtime Prisma schema changes: classify each change, and plan breaking ones as expand and contract.",
    after_help = "Examples:\n  prisma-xc diff prisma/schema.prisma new/schema.prisma\n  prisma-xc diff prisma/schema/ new-schema/        (schema folders)\n  git show main:prisma/schema.prisma | prisma-xc diff - prisma/schema.prisma\n  prisma-xc diff old.prisma new.prisma --direct --out prisma/migrations --name add_email\n  prisma-xc diff --from-empty prisma/schema.prisma --direct --out prisma/migrations --name init\n\nExit codes: 0 success, 2 bad input (with diagnostics on standard error)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare two schemas (a file, a schema folder, or - for standard input).
    #[command(
        after_help = "Examples:\n  prisma-xc diff old.prisma new.prisma\n  prisma-xc diff old.prisma new.prisma --direct               (print the one-step SQL)\n  prisma-xc diff old.prisma new.prisma --direct --out prisma/migrations --name rename_user\n  prisma-xc diff --from-empty schema.prisma --direct --out prisma/migrations --name init"
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
    },
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
            diff(
                old,
                new,
                direct,
                out.as_deref(),
                &name,
                timestamp.as_deref(),
            )
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}\n  = help: see `prisma-xc diff --help`");
    ExitCode::from(2)
}

/// Read, parse and resolve one schema; diagnostics go to standard error.
fn load(path: &Path) -> Option<prisma_xc::Loaded> {
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
    (!loaded.has_errors()).then_some(loaded)
}

fn diff(
    old: Option<&Path>,
    new: &Path,
    direct: bool,
    out: Option<&Path>,
    name: &str,
    timestamp: Option<&str>,
) -> ExitCode {
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
    let (Some(new_loaded), false) = (new_loaded, matches!(old_loaded, Some(None))) else {
        return ExitCode::from(2);
    };
    let old_loaded = old_loaded.flatten();
    let mut stdout = std::io::stdout().lock();
    if !direct {
        let mut text = String::new();
        if let (Some(path), Some(l)) = (old, &old_loaded) {
            text.push_str(&summarize(&format!("old ({})", path.display()), &l.schema));
        }
        text.push_str(&summarize(
            &format!("new ({})", new.display()),
            &new_loaded.schema,
        ));
        // A closed pipe (`prisma-xc diff ... | head`) is the reader's choice, not an error.
        let _ = stdout.write_all(text.as_bytes());
        return ExitCode::SUCCESS;
    }
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
