//! A Prisma 7 project, as users set one up today (prisma.config.ts, the `prisma-client`
//! generator with an `output`, no url in the schema, a driver adapter), taken from
//! `prisma-xc diff --base main --name ...` to a finished contract by running PLAN.md's commands
//! as written, on PostgreSQL and SQLite: `npx` is the project's Prisma 7.10 (tests/harness7).
//! Between the steps the test does what PLAN.md asks of the developer: build the application
//! version against the schema it names (its `prisma generate` command), wire the dual-write
//! extension as its snippet shows, and check that every version reads what it should.

mod common;

use std::path::PathBuf;
use std::process::Command;

struct Project {
    dir: PathBuf,
    bin: PathBuf,
    env: Vec<(String, String)>,
}

impl Project {
    /// An empty project folder (in a fresh temporary folder) whose `npx` is `prisma`'s harness
    /// and whose `prisma-xc` is the built binary; commands run with `env`.
    fn new(prisma: &Prisma, name: &str, env: Vec<(String, String)>) -> Project {
        let dir =
            std::env::temp_dir().join(format!("prisma-xc-flow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(dir.join("bin/npx"), prisma.npx()).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_prisma-xc"), dir.join("bin/prisma-xc"))
            .unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(dir.join("bin/npx"))
            .status()
            .unwrap();
        let project = Project {
            bin: dir.join("bin"),
            dir: dir.join("app"),
            env,
        };
        std::fs::create_dir_all(&project.dir).unwrap();
        std::os::unix::fs::symlink(prisma.node_modules(), project.dir.join("node_modules"))
            .unwrap();
        project
    }

    /// A shell command, as written, from the project's folder; it must succeed.
    fn sh(&self, command: &str) -> String {
        let (ok, text) = self.try_sh(command);
        assert!(ok, "`{command}` failed:\n{text}");
        text
    }

    /// A shell command that may fail: whether it succeeded, and what it printed.
    fn try_sh(&self, command: &str) -> (bool, String) {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", command])
            .current_dir(&self.dir)
            .env("PATH", path)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The Prisma a variant runs: its major and its harness script.
struct Prisma {
    major: u32,
    harness: PathBuf,
}

impl Prisma {
    /// `npx`: the harness's Prisma CLI and tools. Prisma 6's harness reads the schema from
    /// XC_SCHEMA (its own config supplies the engine), the project's by default.
    fn npx(&self) -> String {
        let h = self.harness.display();
        // Prisma 6 runs on the harness's driver adapter, which makes its own shadow database
        // and refuses --shadow-database-url (a limitation of adapters, not of the command a
        // user with the native engine runs): the flag and its value are dropped.
        let prisma = if self.major == 6 {
            format!(
                "for a; do shift; if [ \"$a\" = --shadow-database-url ]; then skip=1; elif [ -n \"${{skip:-}}\" ]; then skip=; else set -- \"$@\" \"$a\"; fi; done\n    XC_SCHEMA=${{XC_SCHEMA:-prisma/schema.prisma}} exec {h} prisma \"$@\""
            )
        } else {
            format!("exec {h} prisma \"$@\"")
        };
        format!(
            "#!/bin/sh\ntool=$1; shift\ncase \"$tool\" in\n  prisma) {prisma} ;;\n  *) exec {h} bin \"$tool\" \"$@\" ;;\nesac\n"
        )
    }

    fn node_modules(&self) -> PathBuf {
        self.harness.parent().unwrap().join("node_modules")
    }
}

/// The database side of a variant.
struct Database {
    provider: &'static str,
    adapter_package: &'static str,
    config_datasource: &'static str,
    env: Vec<(String, String)>,
}

const SCHEMA_V1: &str = r#"generator client {
  provider = "prisma-client"
  output   = "../src/generated/prisma"
}

datasource db {
  provider = "PROVIDER"
}

model User {
  id        Int    @id @default(autoincrement())
  user_name String
  email     String @unique
}
"#;

/// The pull request: `user_name` renamed, as the directive declares.
fn schema_v2(provider: &str) -> String {
    SCHEMA_V1.replace("PROVIDER", provider).replace(
        "  id        Int    @id @default(autoincrement())\n  user_name String\n  email     String @unique",
        "  id       Int    @id @default(autoincrement())\n  username String // prisma-xc: renamed from user_name\n  email    String @unique",
    )
}

/// Rows written by the application version built on the initial schema.
const SEED: &str = r#"import { PrismaClient } from "./generated/prisma/client.js";
import { ADAPTER_CLASS } from "ADAPTER_PACKAGE";

const url = process.env.DATABASE_URL!;
const prisma = new PrismaClient({ adapter: new ADAPTER_CLASS(ADAPTER_ARGUMENT) });
for (let i = 0; i < 40; i++) {
  await prisma.user.create({ data: { user_name: `old-${i}`, email: `old-${i}@example.org` } });
}
console.log(`seeded ${await prisma.user.count()}`);
await prisma.$disconnect();
"#;

/// The expand version: PLAN.md's wiring snippet, then what the new code does.
const EXPAND_APP: &str = r#"
await prisma.user.create({ data: { username: "expand-1", email: "expand-1@example.org" } });
await prisma.user.update({ where: { email: "old-0@example.org" }, data: { username: "renamed-0" } });
const rows = await prisma.$queryRawUnsafe<{ user_name: string; username: string | null }[]>(
  `SELECT "user_name", "username" FROM "User" WHERE "email" IN ('expand-1@example.org', 'old-0@example.org') ORDER BY "email"`,
);
console.log(JSON.stringify(rows));
await prisma.$disconnect();
"#;

/// The new version, after the contract: every row reads under the new name.
const NEW_APP: &str = r#"import { PrismaClient } from "./generated/prisma/client.js";
import { ADAPTER_CLASS } from "ADAPTER_PACKAGE";

const url = process.env.DATABASE_URL!;
const prisma = new PrismaClient({ adapter: new ADAPTER_CLASS(ADAPTER_ARGUMENT) });
const users = await prisma.user.findMany({ orderBy: { id: "asc" } });
const wrong = users.filter((u) => !(u.username === `old-${u.id - 1}` || u.username === "renamed-0" || u.username === "expand-1"));
console.log(`users=${users.length} wrong=${wrong.length}`);
await prisma.$disconnect();
"#;

/// The commands of a PLAN.md section's sh blocks, without their comments.
fn commands(section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in section.lines() {
        match line {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh => out.push(l.split("  #").next().unwrap().trim().to_string()),
            _ => {}
        }
    }
    out
}

/// The expand's way out, as PLAN.md words it, with Prisma's own commands: a deploy that fails
/// half-way (a lock held past the expand's lock_timeout) is resolved as rolled back and deployed
/// again; an applied expand is rolled back (down.sql, its `_prisma_migrations` rows, its
/// folders) to the old schema, exactly; then the step's commands apply it again.
fn expand_recovery_drills(project: &Project, step: &str, sqlite: bool) {
    let commands = commands(step);
    let (promote, deploy) = (&commands[0], &commands[1]);
    assert!(
        promote.starts_with("prisma-xc promote") && deploy == "npx prisma migrate deploy",
        "{commands:?}"
    );
    // One query's rows, through the database's own shell.
    let query = |sql: &str| {
        let sql = sql.replace('\'', "'\\''");
        let shell = if sqlite {
            format!("sqlite3 \"$DATABASE_FILE\" '{sql}'")
        } else {
            format!("psql \"$DATABASE_URL\" -qAtX -c '{sql}'")
        };
        project.sh(&shell).trim().to_string()
    };
    let column_count = if sqlite {
        "SELECT count(*) FROM pragma_table_info('User') WHERE name = 'username'"
    } else {
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'username'"
    };
    let failed_migration = "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL";
    // PLAN.md: "then `npx prisma migrate resolve --rolled-back <folder>` and deploy again".
    let resolve = common::code_spans(step, "If a migration fails half-way")
        .into_iter()
        .find(|c| c.contains("migrate resolve"))
        .expect("PLAN.md says how to resolve a failed migration");
    project.sh(promote);
    if !sqlite {
        // An application transaction holds the table past the expand's lock_timeout.
        let (ok, out) = project.try_sh(&format!(
            "(psql \"$DATABASE_URL\" -qX -c 'BEGIN; LOCK TABLE \"User\" IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;' >/dev/null &) ; \
             until [ -n \"$(psql \"$DATABASE_URL\" -AtX -c \"SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'User' AND l.mode = 'AccessExclusiveLock' AND l.granted\")\" ]; do sleep 0.1; done; \
             {deploy}"
        ));
        assert!(
            !ok && out.contains("lock timeout"),
            "the deploy should fail on the lock:\n{out}"
        );
        // The application's transaction ends.
        query(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
        );
        assert_eq!(
            query(column_count),
            "0",
            "a failed expand must apply nothing"
        );
        let failed = query(failed_migration);
        assert!(failed.ends_with("_rename_username_expand"), "{failed}");
        project.sh(&resolve.replace("<folder>", &failed));
    }
    // A failure after the first statement: an object of the sync trigger's name is in the way
    // (its function on PostgreSQL, the trigger itself on SQLite). Prisma 7 sends what it can
    // split statement by statement; the migration is one statement (a transaction on
    // SQLite), so the column it adds first is not left behind either.
    let promoted = project.sh("cat prisma/migrations/*_rename_username_expand/migration.sql");
    let keyword = if sqlite {
        "CREATE TRIGGER "
    } else {
        "CREATE FUNCTION "
    };
    let name = promoted
        .split(keyword)
        .nth(1)
        .and_then(|rest| rest.split(['(', ' ', '\n']).next())
        .expect("the expand creates a sync trigger")
        .to_string();
    let (create, drop) = if sqlite {
        (
            // On a table of its own: the expand rebuilds "User", dropping the triggers on it.
            format!(
                "CREATE TABLE xc_drill (x); CREATE TRIGGER {name} AFTER INSERT ON xc_drill BEGIN SELECT 1; END"
            ),
            "DROP TABLE xc_drill".to_string(),
        )
    } else {
        (
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$"
            ),
            format!("DROP FUNCTION {name}()"),
        )
    };
    query(&create);
    let (ok, out) = project.try_sh(deploy);
    assert!(
        !ok && out.contains("already exists"),
        "the deploy should fail on {name}:\n{out}"
    );
    assert_eq!(
        query(column_count),
        "0",
        "a migration that fails half-way must apply nothing"
    );
    query(&drop);
    let failed = query(failed_migration);
    assert!(failed.ends_with("_rename_username_expand"), "{failed}");
    project.sh(&resolve.replace("<folder>", &failed));
    for command in &commands[1..] {
        project.sh(command);
    }
    // Roll back the applied expand: PLAN.md's two commands, then its folders go.
    let rollback = common::code_spans(step, "Roll back (once applied)");
    // down.sql, the rows of `_prisma_migrations` (named), the migrations folder.
    assert_eq!(rollback.len(), 4, "{rollback:?}");
    project.sh(&rollback[0]);
    project.sh(&rollback[1]);
    project.sh(&format!("rm -r {}/*_rename_username_expand", rollback[3]));
    project.sh("git show main:prisma/schema.prisma > old.prisma");
    project
        .sh("npx prisma migrate diff --from-config-datasource --to-schema old.prisma --exit-code");
}

/// The `ts` block of a PLAN.md section (the dual-write wiring).
fn ts_snippet(section: &str) -> String {
    let start = section
        .find("```ts\n")
        .expect("PLAN.md shows how to wire the extension")
        + 6;
    let end = start + section[start..].find("```").unwrap();
    section[start..end].to_string()
}

/// The `prisma generate` command PLAN.md gives for the expand version.
fn generate_command(plan_md: &str) -> String {
    let line = plan_md
        .lines()
        .find(|l| l.starts_with("- **expand**"))
        .expect("PLAN.md lists the expand version");
    let start = line.find("(`").unwrap() + 2;
    let end = start + line[start..].find("`)").unwrap();
    line[start..end].to_string()
}

/// How the project keeps its schema: one file, or a folder (`prisma/schema/`, the generator
/// and datasource in one file, the model in another).
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    File,
    Folder,
}

impl Layout {
    /// Writes the schema text where the layout keeps it.
    fn write(self, project: &Project, text: &str) {
        match self {
            Layout::File => project.write("prisma/schema.prisma", text),
            Layout::Folder => {
                let model = text.find("model User").unwrap();
                let header = text[..model].replace(
                    "\"../src/generated/prisma\"",
                    "\"../../src/generated/prisma\"",
                );
                project.write("prisma/schema/main.prisma", &header);
                project.write("prisma/schema/user.prisma", &text[model..]);
            }
        }
    }

    fn schema_path(self) -> &'static str {
        match self {
            Layout::File => "prisma/schema.prisma",
            Layout::Folder => "prisma/schema",
        }
    }
}

fn follow_plan(prisma: &Prisma, db: Database, variant: &Variant) {
    let Variant {
        name,
        node_next,
        sync,
        layout,
        ..
    } = *variant;
    let project = Project::new(prisma, name, db.env.clone());
    let (module, resolution) = if node_next {
        ("NodeNext", "NodeNext")
    } else {
        ("ESNext", "bundler")
    };
    project.write(
        "package.json",
        &format!(
            "{{\n  \"name\": \"flow\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"devDependencies\": {{ \"prisma\": \"{v}\", \"tsx\": \"4.23.15\" }},\n  \"dependencies\": {{ \"@prisma/client\": \"{v}\", \"{}\": \"{v}\" }}\n}}\n",
            db.adapter_package,
            v = if prisma.major == 6 { "6.19.3" } else { "7.10.0" },
        ),
    );
    project.write(
        "tsconfig.json",
        &format!("{{\n  \"compilerOptions\": {{\n    \"target\": \"ES2022\",\n    \"module\": \"{module}\",\n    \"moduleResolution\": \"{resolution}\",\n    \"strict\": true,\n    \"noEmit\": true,\n    \"skipLibCheck\": true,\n    \"types\": [\"node\"]\n  }}\n}}\n"),
    );
    if prisma.major == 7 {
        project.write(
            "prisma.config.ts",
            &format!("import {{ defineConfig, env }} from \"prisma/config\";\n\nexport default defineConfig({{\n  schema: \"{}\",\n  migrations: {{ path: \"prisma/migrations\" }},\n  datasource: {},\n}});\n", layout.schema_path(), db.config_datasource),
        );
    }
    project.write(".gitignore", "node_modules\nsrc/generated\n*.db\n");
    let schema = |text: String| {
        let text = if variant.client_js {
            text.replace("\"prisma-client\"", "\"prisma-client-js\"")
        } else {
            text
        };
        if prisma.major == 7 {
            return text;
        }
        // Prisma 6: the url in the schema, the generator on driver adapters.
        text.replace(
            &format!("  provider = \"{}\"\n", db.provider),
            &format!("  provider = \"{}\"\n  url      = env(\"DATABASE_URL\")\n", db.provider),
        )
        .replace(
            "  output   = \"../src/generated/prisma\"\n",
            "  output   = \"../src/generated/prisma\"\n  previewFeatures = [\"driverAdapters\", \"queryCompiler\"]\n",
        )
    };
    layout.write(
        &project,
        &schema(SCHEMA_V1.replace("PROVIDER", db.provider)),
    );
    let adapter = |text: &str| {
        let (class, argument) = match db.adapter_package {
            "@prisma/adapter-pg" => ("PrismaPg", "{ connectionString: url }"),
            _ if prisma.major == 6 => ("PrismaLibSQL", "{ url }"),
            _ => ("PrismaLibSql", "{ url }"),
        };
        let text = if variant.client_js {
            text.replace(
                "./generated/prisma/client.js",
                "./generated/prisma/index.js",
            )
        } else {
            text.to_string()
        };
        text.replace("ADAPTER_CLASS", class)
            .replace("ADAPTER_PACKAGE", db.adapter_package)
            .replace("ADAPTER_ARGUMENT", argument)
    };
    project.write("src/seed.ts", &adapter(SEED));

    // The project's history: the initial migration, deployed, on main.
    project
        .sh("git init -q -b main && git config user.email t@example.org && git config user.name t");
    project.sh("prisma-xc diff --from-empty --direct --out prisma/migrations --name init --timestamp 20250101000000");
    project.sh("npx prisma migrate deploy");
    project.sh("npx prisma generate");
    assert!(project.sh("npx tsx src/seed.ts").contains("seeded 40"));
    project.sh("git add -A && git commit -qm init");

    // The pull request: the schema renames a field.
    layout.write(&project, &schema(schema_v2(db.provider)));
    // The folder project has its own module that creates the client: the backfill uses it.
    let client_module = if layout == Layout::Folder {
        project.write(
            "src/db.ts",
            &adapter("import { PrismaClient } from \"./generated/prisma/client.js\";\nimport { ADAPTER_CLASS } from \"ADAPTER_PACKAGE\";\n\nconst url = process.env.DATABASE_URL!;\nexport const prisma = new PrismaClient({ adapter: new ADAPTER_CLASS(ADAPTER_ARGUMENT) });\n"),
        );
        " --client-module src/db.ts"
    } else {
        ""
    };
    let report = project.sh(&format!(
        "prisma-xc diff --base main --name rename_username --timestamp 20260101000000 --sync {sync}{client_module}"
    ));
    assert!(report.contains("XC103"), "{report}");
    let plan_dir = "prisma/phases/20260101000000_rename_username";
    let plan_md = std::fs::read_to_string(project.dir.join(plan_dir).join("PLAN.md")).unwrap();
    assert!(
        plan_md.contains(&format!("with Prisma {}", prisma.major)),
        "{plan_md}"
    );
    let schema =
        std::fs::read_to_string(project.dir.join(plan_dir).join("schema.expand.prisma")).unwrap();
    assert!(
        schema.contains("output   = \"../../../src/generated/prisma\""),
        "{schema}"
    );

    // Every step in PLAN.md's order: its commands as written; a roll-out builds the version it
    // names (its `prisma generate`), wired as PLAN.md shows, and runs it.
    let steps: Vec<&str> = plan_md.split("\n## Step ").skip(1).collect();
    let mut ran = Vec::new();
    let mut expand_ran = false;
    for step in &steps {
        let title = step.lines().next().unwrap();
        ran.push(title.to_string());
        if variant.drills && title.contains("apply the expand") {
            expand_recovery_drills(&project, step, variant.sqlite);
        }
        for command in commands(step) {
            let out = project.sh(&command);
            if command.contains("backfill.ts --batch-size") {
                assert!(out.contains("verified: every row is in sync"), "{out}");
                if !client_module.is_empty() {
                    let backfill = std::fs::read_to_string(
                        project.dir.join(plan_dir).join("3-backfill/backfill.ts"),
                    )
                    .unwrap();
                    assert!(
                        backfill.contains(
                            "import { prisma as appClient } from \"../../../../src/db\";"
                        ),
                        "{backfill}"
                    );
                }
            }
        }
        if title.contains("roll out the expand") {
            expand_ran = true;
            project.sh(&generate_command(&plan_md));
            let wiring = ts_snippet(step).replace(
                "\"./dual-write\"",
                &format!(
                    "\"../{plan_dir}/2-dual-write/dual-write{}\"",
                    if node_next { ".js" } else { "" }
                ),
            );
            project.write(
                "src/expand.ts",
                &adapter(&format!("import {{ PrismaClient }} from \"./generated/prisma/client.js\";\n{wiring}{EXPAND_APP}")),
            );
            // The plan's TypeScript compiles unedited with the project's own settings.
            project.sh(&format!(
                "npx tsc --noEmit --strict --target ES2022 --module {module} --moduleResolution {resolution} --skipLibCheck --types node {plan_dir}/2-dual-write/dual-write.ts {plan_dir}/3-backfill/backfill.ts src/expand.ts"
            ));
            let rows = project.sh("npx tsx src/expand.ts");
            assert!(
                rows.contains(r#"{"user_name":"expand-1","username":"expand-1"}"#)
                    && rows.contains(r#"{"user_name":"renamed-0","username":"renamed-0"}"#),
                "the dual-write extension keeps both columns: {rows}"
            );
        }
    }
    assert!(
        ran.iter().any(|t| t.contains("apply the contract")),
        "PLAN.md has a contract: {ran:?}"
    );

    // The new version, built against the new schema, reads every row under its new name.
    project.sh("npx prisma generate");
    project.write("src/new.ts", &adapter(NEW_APP));
    let read = project.sh("npx tsx src/new.ts");
    let expected = if expand_ran { 41 } else { 40 };
    assert!(
        read.contains(&format!("users={expected} wrong=0")),
        "{read}"
    );
    let _ = std::fs::remove_dir_all(project.dir.parent().unwrap());
}

/// One way a project can be set up, followed from the first migration to the contract.
#[derive(Clone, Copy)]
struct Variant {
    name: &'static str,
    /// The `prisma-client-js` generator (with an output) instead of `prisma-client`.
    client_js: bool,
    /// Before the expand goes in: make it fail half-way and recover, then apply it, roll it
    /// back and apply it again, each as PLAN.md says.
    drills: bool,
    major: u32,
    sqlite: bool,
    node_next: bool,
    sync: &'static str,
    layout: Layout,
}

fn follow(variant: Variant) {
    let Some(harness) = (if variant.sqlite {
        common::harness_with_sqlite3()
    } else {
        common::harness_with_postgres()
    }) else {
        return;
    };
    let prisma = if variant.major == 7 {
        let Some(harness7) = common::harness7() else {
            return;
        };
        Prisma {
            major: 7,
            harness: harness7,
        }
    } else {
        Prisma {
            major: 6,
            harness: harness.clone(),
        }
    };
    let db = if variant.sqlite {
        Database {
            provider: "sqlite",
            adapter_package: "@prisma/adapter-libsql",
            config_datasource: "{ url: env(\"DATABASE_URL\") }",
            env: vec![
                ("DATABASE_URL".into(), "file:./dev.db".into()),
                ("DATABASE_FILE".into(), "dev.db".into()),
            ],
        }
    } else {
        let database = format!("xc_flow_{}", variant.name);
        let url = common::fresh_database(&harness, &database).unwrap();
        let shadow = common::fresh_database(&harness, &format!("{database}_shadow")).unwrap();
        Database {
            provider: "postgresql",
            adapter_package: "@prisma/adapter-pg",
            config_datasource: "{ url: env(\"DATABASE_URL\"), shadowDatabaseUrl: env(\"SHADOW_DATABASE_URL\") }",
            env: vec![
                ("DATABASE_URL".into(), url),
                ("SHADOW_DATABASE_URL".into(), shadow),
            ],
        }
    };
    follow_plan(&prisma, db, &variant);
}

/// Prisma 7 on PostgreSQL, the sync trigger, TypeScript resolving modules as bundlers do.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn prisma7_project_on_postgres_follows_plan_md() {
    follow(Variant {
        client_js: false,
        drills: true,
        name: "pg7",
        major: 7,
        sqlite: false,
        node_next: false,
        sync: "trigger",
        layout: Layout::File,
    });
}

/// Prisma 7 on SQLite, the dual-write version, TypeScript under NodeNext.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn prisma7_project_on_sqlite_follows_plan_md() {
    follow(Variant {
        client_js: false,
        drills: false,
        name: "sqlite7",
        major: 7,
        sqlite: true,
        node_next: true,
        sync: "app",
        layout: Layout::File,
    });
}

/// Prisma 6 (url in the schema, generator on driver adapters) on PostgreSQL.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn prisma6_project_on_postgres_follows_plan_md() {
    follow(Variant {
        client_js: false,
        drills: false,
        name: "pg6",
        major: 6,
        sqlite: false,
        node_next: false,
        sync: "app",
        layout: Layout::File,
    });
}

/// A schema folder: the plan goes beside it (inside, Prisma would read schema.expand.prisma as
/// part of the schema), the old folder is read from git, and the backfill connects through the
/// application's own client module (`--client-module`).
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn prisma7_project_with_a_schema_folder_follows_plan_md() {
    follow(Variant {
        client_js: false,
        drills: false,
        name: "pg7folder",
        major: 7,
        sqlite: false,
        node_next: false,
        sync: "app",
        layout: Layout::Folder,
    });
}

/// Prisma 6 on SQLite, the sync triggers, TypeScript under NodeNext.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn prisma6_project_on_sqlite_follows_plan_md() {
    follow(Variant {
        client_js: false,
        drills: false,
        name: "sqlite6",
        major: 6,
        sqlite: true,
        node_next: true,
        sync: "trigger",
        layout: Layout::File,
    });
}

/// Prisma 7 with the `prisma-client-js` generator (an output, a driver adapter) on PostgreSQL.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn prisma7_project_with_prisma_client_js_follows_plan_md() {
    follow(Variant {
        client_js: true,
        drills: false,
        name: "pg7js",
        major: 7,
        sqlite: false,
        node_next: false,
        sync: "app",
        layout: Layout::File,
    });
}

/// The adapters no test database serves here (better-sqlite3 builds a native module; no MySQL
/// server): the plan's TypeScript, generated for them, type-checks unedited against a Prisma 7
/// client generated from schema.expand.prisma, as PLAN.md's commands make it.
#[test]
#[cfg_attr(xc_no_node, ignore = "needs Node.js and npm")]
fn the_plan_typescript_compiles_with_every_driver_adapter() {
    let Some(harness7) = common::harness7() else {
        return;
    };
    let prisma = Prisma {
        major: 7,
        harness: harness7,
    };
    for (provider, package, url) in [
        ("sqlite", "@prisma/adapter-better-sqlite3", "file:./dev.db"),
        (
            "mysql",
            "@prisma/adapter-mariadb",
            "mysql://u:p@127.0.0.1:3306/d",
        ),
    ] {
        let project = Project::new(&prisma, provider, vec![("DATABASE_URL".into(), url.into())]);
        project.write(
            "package.json",
            &format!("{{\n  \"type\": \"module\",\n  \"dependencies\": {{ \"@prisma/client\": \"7.10.0\", \"{package}\": \"7.10.0\" }},\n  \"devDependencies\": {{ \"prisma\": \"7.10.1\" }}\n}}\n"),
        );
        project.write(
            "prisma.config.ts",
            "import { defineConfig, env } from \"prisma/config\";\n\nexport default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  datasource: { url: env(\"DATABASE_URL\") },\n});\n",
        );
        let old = SCHEMA_V1.replace("PROVIDER", provider);
        project.write(
            "old.prisma",
            &old.replace("../src/generated/prisma", "./src/generated/prisma"),
        );
        project.write("prisma/schema.prisma", &schema_v2(provider));
        let out = project.sh("prisma-xc diff old.prisma prisma/schema.prisma --name rename_username --timestamp 20260101000000 --sync app");
        assert!(out.contains("Wrote the plan"), "{out}");
        let plan = "prisma/phases/20260101000000_rename_username";
        let backfill =
            std::fs::read_to_string(project.dir.join(plan).join("3-backfill/backfill.ts")).unwrap();
        assert!(
            backfill.contains(&format!("from \"{package}\"")),
            "{backfill}"
        );
        let plan_md = std::fs::read_to_string(project.dir.join(plan).join("PLAN.md")).unwrap();
        project.sh(&generate_command(&plan_md));
        project.sh(&format!(
            "npx tsc --noEmit --strict --target ES2022 --module ESNext --moduleResolution bundler --skipLibCheck --types node {plan}/2-dual-write/dual-write.ts {plan}/3-backfill/backfill.ts"
        ));
        let _ = std::fs::remove_dir_all(project.dir.parent().unwrap());
    }
}

/// Prisma 7 on SQLite with the sync triggers, through the same failures and roll-back as on
/// PostgreSQL (but the held lock: SQLite's writers wait for each other instead).
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn prisma7_project_on_sqlite_recovers_as_plan_md_says() {
    follow(Variant {
        client_js: false,
        drills: true,
        name: "sqlite7drills",
        major: 7,
        sqlite: true,
        node_next: false,
        sync: "trigger",
        layout: Layout::File,
    });
}

/// Prisma 7 with `prisma-client-js` on SQLite, TypeScript under NodeNext.
#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn prisma7_project_with_prisma_client_js_on_sqlite_follows_plan_md() {
    follow(Variant {
        client_js: true,
        drills: false,
        name: "sqlite7js",
        major: 7,
        sqlite: true,
        node_next: true,
        sync: "app",
        layout: Layout::File,
    });
}
