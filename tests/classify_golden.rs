//! Golden reports: every folder of `testdata/classify/` holds `old.prisma`, `new.prisma`,
//! optional `args` (extra flags, one per line) and `expected.txt`: the human report, standard
//! error and the exit code of `prisma-xc diff old.prisma new.prisma ARGS`. `UPDATE_EXPECT=1`
//! rewrites the expected files; review the diff like code. Together the cases must exercise every
//! rule of the catalog.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn run_case(dir: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = dir.strip_prefix(root).unwrap();
    let mut args = vec![
        "diff".to_string(),
        rel.join("old.prisma").display().to_string(),
        rel.join("new.prisma").display().to_string(),
    ];
    if let Ok(extra) = std::fs::read_to_string(dir.join("args")) {
        args.extend(extra.lines().filter(|l| !l.is_empty()).map(str::to_string));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(&args)
        .current_dir(root)
        .env_remove("NO_COLOR")
        .output()
        .expect("run prisma-xc");
    format!(
        "$ prisma-xc {}\n{}--- stderr ---\n{}--- exit {} ---\n",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(-1)
    )
}

#[test]
fn classify_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/classify");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let mut seen_rules = BTreeSet::new();
    for dir in &dirs {
        let actual = run_case(dir);
        let expected_path = dir.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            let diff = similar::TextDiff::from_lines(&expected, &actual)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            failures.push(format!("{}:\n{diff}", dir.display()));
        }
        for word in expected.split_whitespace() {
            if word.len() == 5 && word.starts_with("XC1") {
                seen_rules.insert(word.to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden reports differ (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
    let missing: Vec<&str> = prisma_xc::rules::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !seen_rules.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no golden case exercises {missing:?}");
}
