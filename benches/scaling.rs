//! Benchmark: how time grows with the size of a schema. Every stage must be close to linear: a
//! schema twice as large may take twice as long, not four times.
//!
//! `cargo bench --bench scaling` generates schemas of 5k to 80k models (each with a relation to
//! the one before, a unique, an index, an enum-free mix of scalar types) and, for each size, times
//! the built binary (median of 3 runs, process start to exit) on
//! - the classification of the schema against a copy with one field changed (parse, resolve,
//!   lower and diff both sides, judge, report),
//! - the phased plan of a renamed field in that copy (the same, then plan, render and write
//!   the plan folder),
//!
//! and on schemas of 1k to 8k models where every model has a field of an unknown type (parse,
//! resolve, and one diagnostic with a "did you mean" per model).
//!
//! It prints time per model for each, and the ratio of the largest to the smallest: the target
//! is at most 2x, and 40k models under 2 s.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn schema(models: usize, typo: bool, renamed: bool) -> String {
    let mut out = String::from("datasource db {\n  provider = \"postgresql\"\n}\n");
    for i in 0..models {
        let name_type = if typo { "Strin" } else { "String" };
        let name_field = if renamed && i == models / 2 {
            "displayName String // prisma-xc: renamed from name".to_string()
        } else {
            format!("name {name_type}")
        };
        let relation = if i > 0 {
            format!(
                "  parentId Int?\n  parent M{}? @relation(fields: [parentId], references: [id])\n",
                i - 1
            )
        } else {
            String::new()
        };
        let children = if i + 1 < models {
            format!("  children M{}[]\n", i + 1)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\nmodel M{i} {{\n  id Int @id @default(autoincrement())\n  {name_field}\n  email String @unique\n  score Float?\n  createdAt DateTime @default(now())\n{relation}{children}\n  @@index([email, createdAt])\n}}\n"
        ));
    }
    out
}

/// Median wall time of 3 runs, in seconds.
fn time(dir: &Path, args: &[&str]) -> f64 {
    let mut runs: Vec<f64> = (0..3)
        .map(|_| {
            let _ = std::fs::remove_dir_all(dir.join("plan"));
            let start = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
                .args(args)
                .current_dir(dir)
                .output()
                .expect("run prisma-xc");
            let elapsed = start.elapsed().as_secs_f64();
            assert!(
                out.status.code().is_some_and(|c| c <= 2),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            elapsed
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn report(title: &str, rows: &[(usize, f64)]) {
    println!("\n{title}");
    println!("| models | wall time | per model |");
    println!("|---:|---:|---:|");
    let per: Vec<f64> = rows.iter().map(|(n, t)| t / *n as f64 * 1e6).collect();
    for ((n, t), p) in rows.iter().zip(&per) {
        println!("| {n} | {:.2} s | {p:.1} µs |", t);
    }
    let (lo, hi) = per
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), p| (lo.min(*p), hi.max(*p)));
    println!(
        "time per model, largest / smallest: {:.2}x (target: at most 2x)",
        hi / lo
    );
}

fn main() {
    let dir = std::env::temp_dir().join(format!("prisma-xc-scaling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut classify = Vec::new();
    let mut plan = Vec::new();
    for models in [5_000, 10_000, 20_000, 40_000, 80_000] {
        std::fs::write(dir.join("old.prisma"), schema(models, false, false)).unwrap();
        std::fs::write(dir.join("new.prisma"), schema(models, false, true)).unwrap();
        classify.push((models, time(&dir, &["diff", "old.prisma", "new.prisma"])));
        plan.push((
            models,
            time(
                &dir,
                &[
                    "diff",
                    "old.prisma",
                    "new.prisma",
                    "--name",
                    "x",
                    "--out",
                    "plan",
                ],
            ),
        ));
    }
    let mut errors = Vec::new();
    for models in [1_000, 2_000, 4_000, 8_000] {
        std::fs::write(dir.join("typo.prisma"), schema(models, true, false)).unwrap();
        errors.push((models, time(&dir, &["diff", "typo.prisma", "typo.prisma"])));
    }
    report("Classification (parse, resolve, diff, judge):", &classify);
    report("Phased plan (the same, then plan, render, write):", &plan);
    report(
        "Every model with an unknown type (one error each):",
        &errors,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
