//! prisma-xc's migrations applied by the real `prisma migrate deploy`, then drift-checked by
//! Prisma itself, through `scripts/corpus-check` (which the full-corpus run uses too).
//!
//! CI's time is bounded, so it runs fixed samples spread over all repositories (without
//! `--sample`, `scripts/corpus-check` runs everything): 30 PostgreSQL and SQLite corpus schemas
//! from empty (a third), 14 PostgreSQL evolution steps, and 6 steps planned as expand and contract
//! and deployed phase by phase (`--plan`). And, through `scripts/direct-identity`, `--direct`
//! byte for byte against Prisma's own script: every schema from empty, and a sample of steps.

mod common;

use std::process::Command;

fn corpus_check(args: &[&str]) {
    corpus_script("corpus-check", args);
}

/// One of the corpus scripts (`scripts/NAME`), run on the built binary; it fails the test when
/// it exits 1 (a failing item), and in CI when it could not set up (exit 3).
fn corpus_script(name: &str, args: &[&str]) {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if common::harness().is_none() {
        return;
    }
    let script = format!("{}/scripts/{name}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(script)
        .args(args)
        .env("XC_CORPUS", &corpus)
        .env("XC_BIN", env!("CARGO_BIN_EXE_prisma-xc"))
        .output()
        .expect("run a corpus script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    match out.status.code() {
        Some(3) if !common::in_ci() => {
            eprintln!("skipped: {name} could not set up PostgreSQL or the harness")
        }
        Some(0) => {}
        code => {
            panic!("{name} {args:?} failed (exit {code:?}); failing items are listed above")
        }
    }
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn corpus_schemas_from_empty_apply_without_drift() {
    corpus_check(&["--from-empty", "--sample", "30"]);
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn sampled_corpus_evolutions_apply_without_drift() {
    corpus_check(&["--sample", "14"]);
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn sampled_corpus_evolutions_deploy_phase_by_phase_without_drift() {
    corpus_check(&["--plan", "--sample", "6"]);
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn corpus_schemas_from_empty_are_byte_identical_to_prisma() {
    corpus_script("direct-identity", &["--from-empty"]);
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn sampled_corpus_evolutions_are_byte_identical_to_prisma() {
    corpus_script("direct-identity", &["--sample", "8"]);
}
