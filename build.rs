//! Tells the tests what this machine lacks, so that a test that cannot run here is reported
//! `ignored` with its reason instead of passing without doing anything: the shared corpus
//! (`../shared/corpus`), Node.js with npm (the Prisma harnesses), PostgreSQL's server
//! binaries, the `sqlite3` shell, MariaDB's server. With `CI=true` nothing is ignored: there the tests must run,
//! and fail when something is missing. The library and the binary do not read these flags.
//!
//! Only a checkout is probed (it has the tests' harness); a published crate is not.
//!
//! The corpus is looked for when the package is built: after adding `../shared`, run
//! `touch build.rs` (or `cargo clean -p prisma-xc`) so that its tests are no longer ignored.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    for flag in [
        "xc_no_corpus",
        "xc_no_node",
        "xc_no_postgres",
        "xc_no_sqlite3",
        "xc_no_mariadb",
    ] {
        println!("cargo:rustc-check-cfg=cfg({flag})");
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if in_ci {
        return;
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    // A published crate (`cargo install`) holds no test harness: nothing to probe for, and no
    // process to start while installing.
    if !Path::new(&manifest)
        .join("tests/harness/package.json")
        .is_file()
    {
        return;
    }
    let corpus = Path::new(&manifest).join("../shared/corpus/README.md");
    if corpus.is_file() {
        println!("cargo:rerun-if-changed={}", corpus.display());
    } else {
        println!("cargo:rustc-cfg=xc_no_corpus");
    }
    let runs = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(runs("node", "--version") && runs("npm", "--version")) {
        println!("cargo:rustc-cfg=xc_no_node");
    }
    let postgres = ["/usr/lib/postgresql", "/usr/local/lib/postgresql"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .any(|version| version.path().join("bin/pg_ctl").is_file())
        || runs("pg_ctl", "--version");
    if !postgres {
        println!("cargo:rustc-cfg=xc_no_postgres");
    }
    if !runs("sqlite3", "--version") {
        println!("cargo:rustc-cfg=xc_no_sqlite3");
    }
    if !(runs("mariadbd", "--version") || runs("/usr/sbin/mariadbd", "--version")) {
        println!("cargo:rustc-cfg=xc_no_mariadb");
    }
}
