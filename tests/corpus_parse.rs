//! Every real schema of the corpus parses and resolves; every invalid one is rejected where
//! Prisma rejects it, at the line Prisma names.

mod common;

use std::collections::HashSet;

use common::*;

#[test]
#[cfg_attr(xc_no_corpus, ignore = "needs ../shared/corpus")]
fn every_corpus_schema_resolves() {
    let Some(corpus) = corpus() else { return };
    // Schemas the Prisma 6 CLI itself rejects for a validation rule: prisma-xc may reject them
    // too, with a clear error (those with only a missing datasource must still resolve).
    let prisma_rejects: HashSet<String> = read_tsv(&corpus.join("PRISMA6-REJECTS.tsv"))
        .into_iter()
        .filter(|r| !r["why Prisma 6.19.3 rejects it"].starts_with("no datasource"))
        .map(|r| r["schema"].clone())
        .collect();
    let mut failures = Vec::new();
    let mut resolved = 0;
    let mut rejected_like_prisma = Vec::new();
    let schemas = corpus_schemas(&corpus);
    for path in &schemas {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (sources, loaded) = load_path(path);
        if !loaded.has_errors() {
            resolved += 1;
        } else if prisma_rejects.contains(&name) {
            rejected_like_prisma.push(name);
        } else {
            let rendered = prisma_xc::diagnostics::render_all(&loaded.diagnostics, &sources);
            failures.push(format!("{name}:\n{rendered}"));
        }
    }
    println!(
        "corpus schemas: {resolved} of {} resolve; {} rejected as Prisma 6 rejects them: {:?}",
        schemas.len(),
        rejected_like_prisma.len(),
        rejected_like_prisma
    );
    assert_eq!(schemas.len(), 175, "the corpus has 166 files and 9 folders");
    assert!(
        failures.is_empty(),
        "{} schemas failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Line numbers of Prisma's `-->  schema.prisma:N` markers.
fn expected_lines(text: &str) -> Vec<usize> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("-->"))
        .filter_map(|l| l.trim().rsplit(':').next()?.parse().ok())
        .collect()
}

#[test]
#[cfg_attr(xc_no_corpus, ignore = "needs ../shared/corpus")]
fn invalid_schemas_are_rejected_at_prismas_line() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("invalid");
    let rows = read_tsv(&dir.join("MANIFEST.tsv"));
    let mut syntax_failures = Vec::new();
    let (mut syntax, mut validation, mut validation_rejected) = (0, 0, 0);
    let mut missed_by_kind: Vec<String> = Vec::new();
    let mut must_reject_missed = Vec::new();
    for row in &rows {
        let file = &row["file"];
        let path = dir.join(file);
        let (sources, loaded) = load_path(&path);
        let lines = error_lines(&sources, &loaded);
        let expected_text =
            std::fs::read_to_string(path.with_extension("expected.txt")).unwrap_or_default();
        let expected = expected_lines(&expected_text);
        if row["error_kind"] == "syntax" {
            syntax += 1;
            let ok = !lines.is_empty()
                && (expected.is_empty()
                    || (lines[0] == expected[0] && expected.iter().all(|l| lines.contains(l))));
            if !ok {
                syntax_failures.push(format!(
                    "{file}: expected lines {expected:?}, reported {lines:?}"
                ));
            }
        } else {
            validation += 1;
            let first = &row["first_error"];
            if !lines.is_empty() {
                validation_rejected += 1;
            } else {
                missed_by_kind.push(format!("{file}: {first}"));
                // These kinds make a diff meaningless: prisma-xc must catch them all.
                if first.contains("is neither a built-in type")
                    || first.contains("already exists")
                    || first.contains("already defined")
                    || first.contains("missing an opposite relation field")
                    || first.contains("Ambiguous relation")
                {
                    must_reject_missed.push(format!("{file}: {first}"));
                }
            }
        }
    }
    println!(
        "invalid/syntax: {} of {syntax} rejected at Prisma's line",
        syntax - syntax_failures.len()
    );
    println!("invalid/validation: {validation_rejected} of {validation} rejected; accepted:");
    for m in &missed_by_kind {
        println!("  {m}");
    }
    assert!(
        syntax_failures.is_empty(),
        "syntax cases:\n{}",
        syntax_failures.join("\n")
    );
    assert!(
        must_reject_missed.is_empty(),
        "must reject:\n{}",
        must_reject_missed.join("\n")
    );
    // A floor at today's figure: a validation prisma-xc stops doing fails here. Raise it as
    // more of Prisma's validations are added.
    assert!(
        validation_rejected >= 73,
        "only {validation_rejected} of {validation} validation-invalid schemas rejected (73 before)"
    );
}
