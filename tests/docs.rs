//! Checked-in documentation generated from the code must match it: `docs/rules.md` is
//! `prisma-xc explain --all`. `UPDATE_EXPECT=1` regenerates it.

use std::path::Path;
use std::process::Command;

#[test]
fn rules_md_is_the_catalog() {
    let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(["explain", "--all"])
        .output()
        .expect("run prisma-xc");
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/rules.md differs from `prisma-xc explain --all`: run `UPDATE_EXPECT=1 cargo test --test docs` and commit it"
    );
    for rule in prisma_xc::rules::RULES {
        assert!(checked_in.contains(&format!("## {} {}", rule.id, rule.name)));
    }
}
