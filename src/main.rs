//! The `prisma-xc` binary: flags in, files and exit codes out. All the work is in the library.

use std::path::PathBuf;
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
    after_help = "Examples:\n  prisma-xc diff prisma/schema.prisma new/schema.prisma\n  prisma-xc diff prisma/schema/ new-schema/        (schema folders)\n  git show main:prisma/schema.prisma | prisma-xc diff - prisma/schema.prisma\n\nExit codes: 0 success, 2 bad input (with diagnostics on standard error)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare two schemas (a file, a schema folder, or - for standard input).
    #[command(
        after_help = "Examples:\n  prisma-xc diff old.prisma new.prisma\n  prisma-xc diff prisma/schema new/schema"
    )]
    Diff {
        /// The schema deployed now.
        old: PathBuf,
        /// The schema you want to deploy.
        new: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diff { old, new } => diff(&old, &new),
    }
}

fn diff(old: &PathBuf, new: &PathBuf) -> ExitCode {
    if old.as_os_str() == "-" && new.as_os_str() == "-" {
        eprintln!("error: only one of OLD and NEW can be - (standard input)");
        return ExitCode::from(2);
    }
    let mut summaries = String::new();
    let mut failed = false;
    for (label, path) in [("old", old), ("new", new)] {
        let sources = match read_schema(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        let loaded = prisma_xc::load(&sources);
        if !loaded.diagnostics.is_empty() {
            eprint!("{}", render_all(&loaded.diagnostics, &sources));
        }
        if loaded.has_errors() {
            failed = true;
            continue;
        }
        summaries.push_str(&summarize(
            &format!("{label} ({})", path.display()),
            &loaded.schema,
        ));
    }
    if failed {
        return ExitCode::from(2);
    }
    // A closed pipe (`prisma-xc diff ... | head`) is the reader's choice, not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), summaries.as_bytes());
    ExitCode::SUCCESS
}
