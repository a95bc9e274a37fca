//! The TypeScript artifacts of a plan are real: a Prisma Client generated from
//! `schema.expand.prisma` type-checks `dual-write.ts` and `backfill.ts` with `tsc --strict`, and
//! `tsx` runs them against PostgreSQL, SQLite and MariaDB: writes through the extension set old
//! and new fields together (converting a value for a field whose type changes), the backfill
//! refuses to run while a FILL IN is empty, then fills every row, its FILL IN written in the
//! database's own SQL as backfill.ts's comment shows it. `prisma-xc status` reads the rows left
//! before the backfill and none after, through the database's own shell.

mod common;

use std::path::Path;
use std::process::Command;

use common::plan::Engine;

const OLD: &str = "datasource db {\n  provider = \"PROVIDER\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id        Int    @id\n  user_name String\n  score     Int\n}\n";
const NEW: &str = "datasource db {\n  provider = \"PROVIDER\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id       Int    @id\n  username String // prisma-xc: renamed from user_name\n  email    String\n  score    String\n}\n";

/// How the application connects, per provider: (import, adapter expression).
const PG_ADAPTER: (&str, &str) = (
    "import { PrismaPg } from \"@prisma/adapter-pg\";",
    "new PrismaPg({ connectionString: process.env.DATABASE_URL! })",
);
const SQLITE_ADAPTER: (&str, &str) = (
    "import { PrismaLibSQL } from \"@prisma/adapter-libsql\";",
    "new PrismaLibSQL({ url: process.env.DATABASE_URL! })",
);

const MARIADB_ADAPTER: (&str, &str) = (
    "import { PrismaMariaDb } from \"@prisma/adapter-mariadb\";",
    "new PrismaMariaDb(process.env.DATABASE_URL!)",
);

const RUN: &str = r#"ADAPTER_IMPORT
import { PrismaClient } from "./generated/client";
import { dualWrite } from "./2-dual-write/dual-write";
import { runBackfill } from "./3-backfill/backfill";

async function main(): Promise<void> {
  const base = new PrismaClient({ adapter: ADAPTER });
  const prisma = base.$extends(dualWrite);
  // New code names only the new field; the extension writes the old one too.
  // `score` changes from Int to String: its new-typed field takes a converted copy.
  await prisma.user.create({ data: { id: 100, username: "new-only", email: "n@x.org", score: 7 } });
  await prisma.user.update({ where: { id: 1 }, data: { username: "ada-renamed", scoreXcNew: "42" } });
  await prisma.user.updateMany({ where: { id: 2 }, data: { username: "grace-renamed" } });
  await prisma.user.upsert({ where: { id: 101 }, create: { id: 101, username: "upserted", score: 8 }, update: {} });
  const left = await runBackfill(base, { dryRun: false, batchSize: 2, pauseMs: 0, log: (line) => console.log(line) });
  console.log(`left=${left}`);
  await base.$disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
"#;

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{cmd:?} failed ({}):\n{text}", out.status))
    }
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn dual_write_and_backfill_type_check_and_run() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    type_check_and_run(&harness, Engine::Postgres);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn dual_write_and_backfill_type_check_and_run_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    type_check_and_run(&harness, Engine::Sqlite);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_mariadb),
    ignore = "needs Node.js and npm, MariaDB server binaries"
)]
fn dual_write_and_backfill_type_check_and_run_on_mariadb() {
    let Some(harness) = common::harness_with_mariadb() else {
        return;
    };
    type_check_and_run(&harness, Engine::MariaDb);
}

fn type_check_and_run(harness: &Path, engine: Engine) {
    let db = "xc_plan_typescript";
    let dir = std::env::temp_dir().join(format!(
        "prisma-xc-ts-{}-{}",
        std::process::id(),
        engine.name()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("prisma")).unwrap();
    let sqlite_file = dir.join("prisma/dev.db");
    let (provider, url, adapter) = match engine {
        Engine::Sqlite => (
            "sqlite",
            format!("file:{}", sqlite_file.display()),
            SQLITE_ADAPTER,
        ),
        Engine::Postgres => (
            "postgresql",
            common::fresh_database(harness, db).unwrap(),
            PG_ADAPTER,
        ),
        Engine::MariaDb => (
            "mysql",
            common::fresh_mariadb(harness, db).unwrap(),
            MARIADB_ADAPTER,
        ),
    };
    let (old, new) = (
        OLD.replace("PROVIDER", provider),
        NEW.replace("PROVIDER", provider),
    );
    std::fs::write(dir.join("old.prisma"), &old).unwrap();
    std::fs::write(dir.join("new.prisma"), &new).unwrap();
    std::fs::write(dir.join("prisma/schema.prisma"), &old).unwrap();
    let xc = |args: &[&str]| {
        run(Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
            .args(args)
            .env("DATABASE_URL", &url)
            .current_dir(&dir))
    };
    let deploy = || match engine {
        // The stand-in for `migrate deploy` on MySQL (the harness says why).
        Engine::MariaDb => run(Command::new(harness)
            .args(["my-deploy", &url, "prisma/migrations"])
            .current_dir(&dir)),
        _ => run(Command::new(harness)
            .args(["prisma", "migrate", "deploy"])
            .env("DATABASE_URL", &url)
            .env("XC_SCHEMA", dir.join("prisma/schema.prisma"))
            .current_dir(&dir)),
    };
    // Rows one per line, from any of the databases; the test's own SQL is written in ANSI
    // quotes, which MariaDB takes in ANSI mode.
    let psql = |sql: &str| match engine {
        Engine::Sqlite => {
            run(Command::new("sqlite3").args(["-bail", &sqlite_file.display().to_string(), sql]))
        }
        Engine::Postgres => run(Command::new(harness).args(["psql", db, "-At", "-c", sql])),
        Engine::MariaDb => run(Command::new(harness).args([
            "mysql",
            db,
            "--init-command=SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI')",
            "-e",
            sql,
        ])),
    };

    xc(common::INITIAL_MIGRATION).unwrap();
    deploy().unwrap();
    let rows: Vec<String> = (1..=9).map(|n| format!("({n}, 'user{n}', {n})")).collect();
    psql(&format!(
        "INSERT INTO \"User\" (id, user_name, score) VALUES {}",
        rows.join(", ")
    ))
    .unwrap();
    xc(&[
        "diff",
        "old.prisma",
        "new.prisma",
        "--name",
        "ts",
        "--out",
        "plan",
        "--timestamp",
        "20300101000000",
        "--client-import",
        "../generated/client",
    ])
    .unwrap();
    xc(&[
        "promote",
        "plan",
        "expand",
        "--migrations",
        "prisma/migrations",
    ])
    .unwrap();
    deploy().unwrap();
    let status = xc(&["status", "plan"]).unwrap();
    assert!(status.contains("9 rows left to fill"), "{status}");

    let plan = dir.join("plan");
    run(Command::new(harness)
        .args(["generate", "plan/schema.expand.prisma", "plan/generated"])
        .current_dir(&dir))
    .unwrap();
    let script = RUN
        .replace("ADAPTER_IMPORT", adapter.0)
        .replace("ADAPTER", adapter.1);
    std::fs::write(plan.join("run.ts"), script).unwrap();
    let tsc = |files: &[&str]| {
        let mut cmd = Command::new(harness);
        cmd.args(common::tsc_args("plan"))
            .args(files)
            .current_dir(&dir);
        run(&mut cmd)
    };
    tsc(&[
        "plan/2-dual-write/dual-write.ts",
        "plan/3-backfill/backfill.ts",
        "plan/run.ts",
    ])
    .unwrap();

    // The backfill refuses to run while its FILL IN is empty.
    let refused = Command::new(harness)
        .args(["bin", "tsx", "plan/3-backfill/backfill.ts"])
        .env("DATABASE_URL", &url)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Fill in"));

    // Filled in, as a user would, following the comment's example in the database's SQL.
    let backfill_path = plan.join("3-backfill/backfill.ts");
    let text = std::fs::read_to_string(&backfill_path).unwrap();
    let example = match engine {
        Engine::MariaDb => "CONCAT(LOWER(`name`), '@example.com')",
        _ => "lower(\"name\") || '@example.com'",
    };
    assert!(text.contains(&format!("e.g. {example}\n")), "{text}");
    let expression = example
        .replace("name", "user_name")
        .replace("LOWER", "lower");
    let filled = text.replacen(
        "\"User.email\": \"\",",
        &format!(
            "\"User.email\": {},",
            prisma_xc::escape::ts_string(&expression)
        ),
        1,
    );
    assert_ne!(text, filled, "the FILL IN entry was not found");
    std::fs::write(&backfill_path, filled).unwrap();
    tsc(&["plan/3-backfill/backfill.ts"]).unwrap();

    let out = run(Command::new(harness)
        .args(["bin", "tsx", "plan/run.ts"])
        .env("DATABASE_URL", &url)
        .current_dir(&dir))
    .unwrap();
    assert!(out.contains("left=0"), "{out}");
    assert!(out.contains("rows/s"), "progress is reported: {out}");
    let status = xc(&["status", "plan"]).unwrap();
    assert!(status.contains("every row is filled"), "{status}");
    let rows = psql("SELECT id || ':' || user_name || ':' || coalesce(username, '-') || ':' || coalesce(email, '-') FROM \"User\" WHERE id IN (1, 2, 3, 100, 101) ORDER BY id").unwrap();
    assert_eq!(
        rows.trim().lines().collect::<Vec<_>>().join(","),
        "1:ada-renamed:ada-renamed:ada-renamed@example.com,2:grace-renamed:grace-renamed:grace-renamed@example.com,3:user3:user3:user3@example.com,100:new-only:new-only:n@x.org,101:upserted:upserted:upserted@example.com"
    );
    let scores = psql("SELECT id || ':' || score || ':' || coalesce(score_xc_new, '-') FROM \"User\" WHERE id IN (1, 3, 100, 101) ORDER BY id").unwrap();
    assert_eq!(
        scores.trim().lines().collect::<Vec<_>>().join(","),
        "1:42:42,3:3:3,100:7:7,101:8:8"
    );
    let pending = psql(
        "SELECT count(*) FROM \"User\" WHERE coalesce(username, '') <> user_name OR email IS NULL",
    )
    .unwrap();
    assert_eq!(pending.trim(), "0");
    let _ = std::fs::remove_dir_all(&dir);
}
