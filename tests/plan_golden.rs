//! Golden plans: every folder of `testdata/plan/` holds `old.prisma`, `new.prisma`, optional
//! `args` and `expected.txt`: every file of the plan `prisma-xc diff old.prisma new.prisma --name
//! NAME` writes (or its error), each under a `=== path ===` header. `UPDATE_EXPECT=1` rewrites
//! them; review the diff like code. Also checks that a second run gives byte-identical files.

use std::path::Path;
use std::process::Command;

/// Runs in `work` on copies of the schemas, so that every path in the plan is the same each run.
fn plan_text(case: &Path, work: &Path) -> String {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).unwrap();
    for schema in ["old.prisma", "new.prisma"] {
        std::fs::copy(case.join(schema), work.join(schema)).unwrap();
    }
    let out = work.join("plan");
    let mut args = vec![
        "diff".to_string(),
        "old.prisma".into(),
        "new.prisma".into(),
        "--name".into(),
        case.file_name()
            .unwrap()
            .to_string_lossy()
            .replace('-', "_"),
        "--out".into(),
        "plan".into(),
        "--timestamp".into(),
        "20300101000000".into(),
    ];
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        args.extend(extra.lines().filter(|l| !l.is_empty()).map(str::to_string));
    }
    let result = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(&args)
        .current_dir(work)
        .output()
        .expect("run prisma-xc");
    let mut text = format!("exit {}\n", result.status.code().unwrap_or(-1));
    if !result.status.success() {
        text.push_str(&String::from_utf8_lossy(&result.stderr));
        return text;
    }
    let mut files = Vec::new();
    collect(&out, &out, &mut files);
    files.sort();
    for (path, content) in files {
        text.push_str(&format!("=== {path} ===\n{content}"));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn plan_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let tmp = std::env::temp_dir().join(format!("prisma-xc-plan-golden-{}", std::process::id()));
    let mut failures = Vec::new();
    for case in &cases {
        let first = plan_text(case, &tmp.join("a"));
        let second = plan_text(case, &tmp.join("b"));
        assert_eq!(first, second, "{}: two runs differ", case.display());
        let expected_path = case.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &first).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if first != expected {
            let diff = similar::TextDiff::from_lines(&expected, &first)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            failures.push(format!("{}:\n{diff}", case.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        failures.is_empty(),
        "golden plans differ (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
}
