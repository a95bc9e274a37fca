//! Benchmark: the generated backfill on 1,000,000 rows of the local PostgreSQL (tests/harness),
//! against a per-row loop like the seed article's (one UPDATE per row, each its own round trip
//! and transaction; timed on 10,000 rows and scaled) and against one single `UPDATE` of the
//! whole table. Prints rows per second for each and the longest transaction the backfill held
//! (sampled from pg_stat_activity every 20 ms). Goals: at least 100x the per-row loop, within
//! 2x of the single UPDATE, no lock held over 1 s.
//!
//! `cargo bench --bench backfill` (XC_BENCH_ROWS changes the row count).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

fn harness() -> Option<PathBuf> {
    let h = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness/xc-harness");
    let ok = |args: &[&str]| {
        Command::new(&h)
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    (ok(&["setup"]) && ok(&["pg-start"])).then_some(h)
}

fn psql(h: &Path, db: &str, args: &[&str]) -> String {
    let out = Command::new(h)
        .args(["psql", db, "-At"])
        .args(args)
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "psql {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const LOOP: &str = r#"import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

async function main(): Promise<void> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
  const users = await prisma.user.findMany({ select: { id: true, user_name: true } });
  const start = Date.now();
  for (const u of users) {
    await prisma.user.update({ where: { id: u.id }, data: { username: u.user_name } });
  }
  console.log(`seconds=${(Date.now() - start) / 1000}`);
  await prisma.$disconnect();
}

main();
"#;

fn main() {
    let Some(h) = harness() else {
        eprintln!("skipped: the harness or PostgreSQL is not available (tests/harness/xc-harness)");
        return;
    };
    let rows: u64 = std::env::var("XC_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let db = "xc_bench_backfill";
    assert!(
        Command::new(&h)
            .args(["createdb", db])
            .status()
            .unwrap()
            .success()
    );
    let dir = std::env::temp_dir().join(format!("prisma-xc-bench-backfill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = |body: &str| {
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}}\n\nmodel User {{\n  id Int @id\n  {body}\n}}\n"
        )
    };
    std::fs::write(dir.join("old.prisma"), schema("user_name String")).unwrap();
    std::fs::write(
        dir.join("new.prisma"),
        schema("username String // prisma-xc: renamed from user_name"),
    )
    .unwrap();
    let xc = env!("CARGO_BIN_EXE_prisma-xc");
    let ok = Command::new(xc)
        .args([
            "diff",
            "old.prisma",
            "new.prisma",
            "--name",
            "bench",
            "--out",
            "plan",
            "--timestamp",
            "20300101000000",
            "--sync",
            "app",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // The intermediate table: old column filled, new column empty.
    let setup = format!(
        "DROP TABLE IF EXISTS \"User\"; CREATE TABLE \"User\" (id INTEGER PRIMARY KEY, user_name TEXT NOT NULL, username TEXT); \
         INSERT INTO \"User\" SELECT g, 'user-' || g FROM generate_series(1, {rows}) g; ANALYZE \"User\";"
    );
    let reset = |n: u64| {
        psql(
            &h,
            db,
            &[
                "-c",
                &setup.replace(
                    &format!("generate_series(1, {rows})"),
                    &format!("generate_series(1, {n})"),
                ),
            ],
        );
    };

    // 1. One UPDATE of the whole table.
    reset(rows);
    let start = Instant::now();
    psql(&h, db, &["-c", "UPDATE \"User\" SET username = user_name"]);
    let single = start.elapsed().as_secs_f64();

    // 2. The generated backfill, with the longest open transaction sampled meanwhile.
    reset(rows);
    let done = AtomicBool::new(false);
    let backfill = dir.join("plan/3-backfill/backfill.sql");
    let (generated, longest) = std::thread::scope(|s| {
        let monitor = s.spawn(|| {
            let mut longest = 0.0f64;
            while !done.load(Ordering::Relaxed) {
                let v = psql(&h, db, &["-c", "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%WITH batch%'"]);
                longest = longest.max(v.parse().unwrap_or(0.0));
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            longest
        });
        let start = Instant::now();
        psql(&h, db, &["-f", &backfill.display().to_string()]);
        let elapsed = start.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        (elapsed, monitor.join().unwrap())
    });
    let left = psql(
        &h,
        db,
        &[
            "-c",
            "SELECT count(*) FROM \"User\" WHERE username IS DISTINCT FROM user_name",
        ],
    );
    assert_eq!(left, "0", "the backfill left rows out of sync");

    // 3. The seed article's loop, on 10,000 rows: Prisma Client reads the rows, then updates
    //    them one by one (one round trip and transaction each).
    let sample = 10_000u64.min(rows);
    reset(sample);
    let generated_client = Command::new(&h)
        .args(["generate", "plan/schema.expand.prisma", "plan/generated"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(generated_client.success(), "prisma generate failed");
    std::fs::write(dir.join("plan/loop.ts"), LOOP).unwrap();
    let url = String::from_utf8(
        Command::new(&h)
            .args(["pg-url", db])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let out = Command::new(&h)
        .args(["bin", "tsx", "plan/loop.ts"])
        .env("DATABASE_URL", url.trim())
        .current_dir(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let seconds: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("seconds="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "the loop failed: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let per_row = seconds * rows as f64 / sample as f64;

    let rate = |s: f64| rows as f64 / s;
    println!("backfill of {rows} rows on PostgreSQL:");
    println!(
        "  one UPDATE of the whole table: {single:.1} s, {:.0} rows/s (one lock for all of it)",
        rate(single)
    );
    println!(
        "  generated backfill.sql:        {generated:.1} s, {:.0} rows/s, longest transaction {longest:.2} s",
        rate(generated)
    );
    println!(
        "  Prisma Client per-row loop (10,000 timed): {per_row:.0} s scaled, {:.0} rows/s",
        rate(per_row)
    );
    println!(
        "  backfill vs per-row loop: {:.0}x faster (goal 100x); vs one UPDATE: {:.2}x the time (goal under 2x); longest lock {longest:.2} s (goal under 1 s)",
        per_row / generated,
        generated / single
    );
    assert!(
        Command::new(&h)
            .args(["createdb", db])
            .status()
            .unwrap()
            .success()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
