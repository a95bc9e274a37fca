//! Shared helpers for the end-to-end tests.
#![allow(dead_code)]

pub mod migration_sql;
pub mod plan;

use std::path::{Path, PathBuf};

/// True when running in CI: a missing corpus or harness is then a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `../shared/corpus` beside the checkout; `None` (with a one-line reason) outside CI when it
/// is absent, a panic in CI.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let missing = format!(
        "the corpus is missing at {} (../shared/corpus beside this checkout)",
        dir.display()
    );
    available(dir.join("README.md").is_file(), &missing).then_some(dir)
}

/// Every schema of `corpus/schemas`: single files and schema folders, sorted.
pub fn corpus_schemas(corpus: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus.join("schemas"))
        .expect("read corpus/schemas")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "prisma"))
        .collect();
    out.sort();
    out
}

/// Rows of a TSV file with a header, as maps from column name to value.
pub fn read_tsv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("read tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn load_path(path: &Path) -> (prisma_xc::diagnostics::Sources, prisma_xc::Loaded) {
    let sources = prisma_xc::input::read_schema(path).expect("readable schema");
    let loaded = prisma_xc::load(&sources);
    (sources, loaded)
}

pub fn error_lines(
    sources: &prisma_xc::diagnostics::Sources,
    loaded: &prisma_xc::Loaded,
) -> Vec<usize> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| sources.file(d.span.file).line_col(d.span.start).0)
        .collect()
}

/// `tests/harness/xc-harness`, set up (pinned npm packages installed). `None` with a one-line
/// reason outside CI when it cannot be set up; a panic in CI.
pub fn harness() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness/xc-harness");
    let ok = std::process::Command::new(&script)
        .arg("setup")
        .status()
        .is_ok_and(|s| s.success());
    let missing = format!(
        "the Prisma harness could not be set up ({} setup failed; it needs Node.js 20 and npm)",
        script.display()
    );
    available(ok, &missing).then_some(script)
}

/// `tests/harness7/xc-harness7` (Prisma 7.10), set up. `None` with a one-line reason outside CI
/// when it cannot be set up; a panic in CI.
pub fn harness7() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness7/xc-harness7");
    let ok = std::process::Command::new(&script)
        .arg("setup")
        .status()
        .is_ok_and(|s| s.success());
    let missing = format!(
        "the Prisma 7 harness could not be set up ({} setup failed; it needs Node.js 20 and npm)",
        script.display()
    );
    available(ok, &missing).then_some(script)
}

/// Whether something a test needs is there. When it is not: a panic in CI, where the tests
/// must run, and outside CI a one-line reason why the test is skipped.
fn available(ok: bool, missing: &str) -> bool {
    if !ok {
        assert!(!in_ci(), "CI=true but {missing}");
        eprintln!("skipped: {missing}");
    }
    ok
}

/// The harness with its PostgreSQL started. `None` (with a one-line reason) outside CI when
/// either is unavailable; a panic in CI.
pub fn harness_with_postgres() -> Option<PathBuf> {
    let harness = harness()?;
    let started = std::process::Command::new(&harness)
        .arg("pg-start")
        .status()
        .is_ok_and(|s| s.success());
    available(
        started,
        "PostgreSQL could not be started (xc-harness pg-start)",
    )
    .then_some(harness)
}

/// The harness, with the `sqlite3` shell the SQLite tests seed and query through. `None`
/// (with a one-line reason) outside CI when either is missing; a panic in CI.
pub fn harness_with_sqlite3() -> Option<PathBuf> {
    let harness = harness()?;
    let installed = std::process::Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok();
    available(installed, "the sqlite3 shell is not installed").then_some(harness)
}

/// The harness with its MariaDB started. `None` (with a one-line reason) outside CI when
/// either is unavailable; a panic in CI.
pub fn harness_with_mariadb() -> Option<PathBuf> {
    let harness = harness()?;
    let started = std::process::Command::new(&harness)
        .arg("my-start")
        .status()
        .is_ok_and(|s| s.success());
    available(
        started,
        "MariaDB could not be started (xc-harness my-start; apt-get install mariadb-server)",
    )
    .then_some(harness)
}

/// Drop and create database `name` on the harness's MariaDB; returns its URL.
pub fn fresh_mariadb(harness: &Path, name: &str) -> Result<String, String> {
    fresh(harness, ["my-createdb", "my-url"], name)
}

/// Drop and create database `name` on the harness's PostgreSQL; returns its URL.
pub fn fresh_database(harness: &Path, name: &str) -> Result<String, String> {
    fresh(harness, ["createdb", "pg-url"], name)
}

/// The harness's `create` command on `name`, then the URL its `url` command prints.
fn fresh(harness: &Path, [create, url]: [&str; 2], name: &str) -> Result<String, String> {
    let created = std::process::Command::new(harness)
        .args([create, name])
        .status()
        .map_err(|e| e.to_string())?;
    if !created.success() {
        return Err(format!("{create} {name} failed"));
    }
    let out = std::process::Command::new(harness)
        .args([url, name])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `prisma-xc` arguments that write the initial migration of `old.prisma` into
/// `prisma/migrations`, as a project's first `prisma migrate dev` would (run in the work folder).
pub const INITIAL_MIGRATION: &[&str] = &[
    "diff",
    "--from-empty",
    "old.prisma",
    "--direct",
    "--out",
    "prisma/migrations",
    "--name",
    "init",
    "--timestamp",
    "20200101000000",
];

/// `tsc` as the tests run it on plan files: strict, CommonJS, Node's types from the harness.
/// `types_root` is the folder holding `node_modules/@types`, relative to the working folder.
pub fn tsc_args(types_root: &str) -> Vec<String> {
    [
        "bin",
        "tsc",
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--module",
        "commonjs",
        "--moduleResolution",
        "node",
        "--esModuleInterop",
        "--skipLibCheck",
        "--typeRoots",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        format!("{types_root}/node_modules/@types"),
        "--types".into(),
        "node".into(),
    ])
    .collect()
}

/// The items the comma-separated list in environment variable `var` names, or all of them when
/// it is unset (to run a few alone while working on them).
pub fn chosen<'a, T>(items: &'a [T], var: &str, name: impl Fn(&T) -> &str) -> Vec<&'a T> {
    let only = std::env::var(var).ok();
    items
        .iter()
        .filter(|item| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|o| o == name(item)))
        })
        .collect()
}

/// `run` on every item, two at a time (each drives Node processes and the Prisma CLI, and the
/// machine has two cores): the results in the items' order.
pub fn two_at_a_time<'a, T: Sync, R: Send>(
    items: &[&'a T],
    run: impl Fn(&'a T) -> R + Sync,
) -> Vec<R> {
    if items.is_empty() {
        return Vec::new();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(2))
            .map(|half| {
                let run = &run;
                s.spawn(move || half.iter().map(|item| run(*item)).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// The code spans of the paragraph of a PLAN.md section that starts with `start`: the
/// commands PLAN.md words inline (how to roll back, how to resolve a failed migration).
pub fn code_spans(section: &str, start: &str) -> Vec<String> {
    let at = section
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in:\n{section}"));
    let paragraph = section[at..].split("\n\n").next().unwrap();
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}
