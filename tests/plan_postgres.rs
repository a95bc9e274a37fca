//! Phased plans against a real PostgreSQL and the real Prisma CLI, one case per recipe.
//!
//! Each case builds the old database with `prisma migrate deploy`, seeds it, writes the plan,
//! promotes and deploys the expand, checks that Prisma sees no difference between the
//! migrations and `schema.expand.prisma`, applies the expand's down.sql (the live database must
//! be the old schema again) and the expand again (the live database must be the intermediate
//! schema), runs writes of old and new application code side by side, deploys the contract once
//! before the backfill (it must abort and change nothing), runs the backfill, deploys the
//! contract, checks the migrations against `new.prisma` and that every seeded value arrived
//! where it belongs, and finally applies the contract's down.sql (the live database must be the
//! intermediate schema again).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    name: &'static str,
    old: &'static str,
    new: &'static str,
    /// Extra flags for `prisma-xc diff` (renames).
    flags: &'static [&'static str],
    /// Rows written before the expand.
    seed: &'static str,
    /// Writes of old and new application code while the expand is deployed.
    mixed: &'static str,
    /// FILL_IN placeholder -> SQL expression.
    fill_in: &'static [(&'static str, &'static str)],
    /// A query after the contract and its expected psql output (unaligned, tuples only).
    check: (&'static str, &'static str),
    /// Whether the contract must abort when deployed before the backfill.
    guarded: bool,
}

const DS: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n";

/// The body with the PostgreSQL datasource, unless it brings its own.
fn schema(body: &str) -> String {
    if body.starts_with("datasource") {
        body.to_string()
    } else {
        format!("{DS}{body}")
    }
}

const CASES: &[Case] = &[
    Case {
        name: "renamed_field",
        old: "model User {\n  id        Int    @id\n  user_name String @unique\n}\n",
        new: "model User {\n  id       Int    @id\n  username String @unique // prisma-xc: renamed from user_name\n}\n",
        flags: &[],
        seed: "INSERT INTO \"User\" (id, user_name) VALUES (1, 'ada'), (2, 'grace'), (5, 'untouched');",
        // Old code writes only user_name; new code writes both (dual-write); an old-code update.
        mixed: "INSERT INTO \"User\" (id, user_name) VALUES (3, 'linus'); INSERT INTO \"User\" (id, user_name, username) VALUES (4, 'ken', 'ken'); UPDATE \"User\" SET user_name = 'grace2' WHERE id = 2; UPDATE \"User\" SET username = 'ada2' WHERE id = 1;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || username, ',' ORDER BY id) FROM \"User\"",
            "1=ada2,2=grace2,3=linus,4=ken,5=untouched",
        ),
        guarded: true,
    },
    Case {
        name: "new_required_field",
        old: "model Person {\n  id   Int    @id\n  name String\n}\n",
        new: "model Person {\n  id    Int    @id\n  name  String\n  email String\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Person\" (id, name) VALUES (1, 'Ada'), (2, 'Grace');",
        mixed: "INSERT INTO \"Person\" (id, name) VALUES (3, 'Old'); INSERT INTO \"Person\" (id, name, email) VALUES (4, 'New', 'new@x.org');",
        fill_in: &[("FILL_IN_Person_email", "lower(\"name\") || '@example.com'")],
        check: (
            "SELECT string_agg(id || '=' || email, ',' ORDER BY id) FROM \"Person\"",
            "1=ada@example.com,2=grace@example.com,3=old@example.com,4=new@x.org",
        ),
        guarded: true,
    },
    Case {
        name: "optional_to_required",
        old: "model Account {\n  id   Int     @id\n  plan String?\n}\n",
        new: "model Account {\n  id   Int    @id\n  plan String @default(\"free\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Account\" (id, plan) VALUES (1, NULL), (2, 'pro');",
        mixed: "INSERT INTO \"Account\" (id) VALUES (3);",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || plan, ',' ORDER BY id) FROM \"Account\"",
            "1=free,2=pro,3=free",
        ),
        guarded: true,
    },
    Case {
        name: "dropped_field",
        old: "model Item {\n  id     Int    @id\n  legacy String\n  title  String\n}\n",
        new: "model Item {\n  id    Int    @id\n  title String\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Item\" (id, legacy, title) VALUES (1, 'x', 'one');",
        // New code no longer writes `legacy`: the expand relaxed it.
        mixed: "INSERT INTO \"Item\" (id, title) VALUES (2, 'two');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || title, ',' ORDER BY id) FROM \"Item\"",
            "1=one,2=two",
        ),
        guarded: false,
    },
    Case {
        name: "index_unique_foreign_key",
        old: "model Team {\n  id Int @id\n}\n\nmodel Member {\n  id     Int    @id\n  email  String\n  teamId Int\n}\n",
        new: "model Team {\n  id      Int      @id\n  members Member[]\n}\n\nmodel Member {\n  id     Int    @id\n  email  String @unique\n  teamId Int\n  team   Team   @relation(fields: [teamId], references: [id])\n\n  @@index([teamId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Team\" (id) VALUES (1); INSERT INTO \"Member\" (id, email, \"teamId\") VALUES (1, 'a@x.org', 1), (2, 'b@x.org', 1);",
        mixed: "INSERT INTO \"Member\" (id, email, \"teamId\") VALUES (3, 'c@x.org', 1);",
        fill_in: &[],
        check: (
            "SELECT count(*) FROM pg_indexes WHERE indexname IN ('Member_email_key', 'Member_teamId_idx')",
            "2",
        ),
        guarded: false,
    },
    Case {
        name: "enum_value_renamed",
        old: "enum Status {\n  ACTIVE\n  BLOCKED\n}\n\nmodel Login {\n  id     Int    @id\n  status Status\n}\n",
        new: "enum Status {\n  ENABLED\n  BLOCKED\n}\n\nmodel Login {\n  id     Int    @id\n  status Status\n}\n",
        flags: &["--rename", "Status.ACTIVE=ENABLED"],
        seed: "INSERT INTO \"Login\" (id, status) VALUES (1, 'ACTIVE'), (2, 'BLOCKED');",
        mixed: "INSERT INTO \"Login\" (id, status) VALUES (3, 'ACTIVE'), (4, 'ENABLED');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || status, ',' ORDER BY id) FROM \"Login\"",
            "1=ENABLED,2=BLOCKED,3=ENABLED,4=ENABLED",
        ),
        guarded: true,
    },
    Case {
        name: "enum_type_renamed",
        old: "enum Role {\n  ADMIN\n  USER\n}\n\nmodel Member {\n  id   Int  @id\n  role Role\n}\n",
        new: "enum Access {\n  ADMIN\n  USER\n}\n\nmodel Member {\n  id   Int    @id\n  role Access\n}\n",
        flags: &["--rename", "Role=Access"],
        seed: "INSERT INTO \"Member\" (id, role) VALUES (1, 'ADMIN'), (2, 'USER');",
        mixed: "INSERT INTO \"Member\" (id, role) VALUES (3, 'USER');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || role || ':' || pg_typeof(role), ',' ORDER BY id) FROM \"Member\"",
            "1=ADMIN:\"Access\",2=USER:\"Access\",3=USER:\"Access\"",
        ),
        guarded: false,
    },
    Case {
        name: "enum_value_removed",
        old: "enum Size {\n  S\n  M\n  XL\n}\n\nmodel Shirt {\n  id   Int  @id\n  size Size\n}\n",
        new: "enum Size {\n  S\n  M\n}\n\nmodel Shirt {\n  id   Int  @id\n  size Size\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Shirt\" (id, size) VALUES (1, 'XL'), (2, 'S');",
        mixed: "INSERT INTO \"Shirt\" (id, size) VALUES (3, 'XL');",
        fill_in: &[("FILL_IN_Shirt_size", "'M'")],
        check: (
            "SELECT string_agg(id || '=' || size, ',' ORDER BY id) FROM \"Shirt\"",
            "1=M,2=S,3=M",
        ),
        guarded: true,
    },
    Case {
        name: "dropped_model",
        old: "model Author {\n  id    Int    @id\n  books Book[]\n}\n\nmodel Book {\n  id       Int    @id\n  authorId Int\n  author   Author @relation(fields: [authorId], references: [id])\n}\n",
        new: "model Author {\n  id Int @id\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Author\" (id) VALUES (1); INSERT INTO \"Book\" (id, \"authorId\") VALUES (1, 1);",
        mixed: "INSERT INTO \"Author\" (id) VALUES (2);",
        fill_in: &[],
        check: (
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'Book'",
            "0",
        ),
        guarded: false,
    },
    Case {
        name: "renamed_model",
        old: "model Person {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id\n  authorId Int\n  author   Person @relation(fields: [authorId], references: [id])\n}\n",
        new: "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n\nmodel Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n",
        flags: &["--rename", "Person=User"],
        seed: "INSERT INTO \"Person\" (email) VALUES ('a@x'), ('b@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (1, 1);",
        // Old code through the view (its sequence and key included), new code on the table.
        mixed: "INSERT INTO \"Person\" (email) VALUES ('c@x'); UPDATE \"Person\" SET email = 'b2@x' WHERE id = 2; INSERT INTO \"User\" (email) VALUES ('d@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (2, 4); INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x';",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || email, ',' ORDER BY id) || ';' || (SELECT string_agg(id || '>' || \"authorId\", ',' ORDER BY id) FROM \"Post\") FROM \"User\"",
            "1=a@x,2=b2@x,3=c@x,4=d@x,5=e2@x;1>1,2>4",
        ),
        guarded: false,
    },
    Case {
        // Undeclared: the same Prisma names under a new `@map` and `@@map` are seen as renames.
        name: "map_changed",
        old: "model Account {\n  id     Int    @id\n  userId String\n}\n",
        new: "model Account {\n  id     Int    @id\n  userId String @map(\"user_id\")\n\n  @@map(\"accounts\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Account\" (id, \"userId\") VALUES (1, 'a'), (2, 'b'), (5, 'untouched');",
        // Old code through the view under the old names; new code on the table, new column.
        mixed: "INSERT INTO \"Account\" (id, \"userId\") VALUES (3, 'c'); INSERT INTO accounts (id, user_id) VALUES (4, 'd'); UPDATE \"Account\" SET \"userId\" = 'b2' WHERE id = 2; UPDATE accounts SET user_id = 'a2' WHERE id = 1;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || user_id, ',' ORDER BY id) FROM accounts",
            "1=a2,2=b2,3=c,4=d,5=untouched",
        ),
        guarded: true,
    },
    Case {
        name: "moved_table",
        old: "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"public\", \"billing\"]\n}\n\nmodel Customer {\n  id       Int       @id @default(autoincrement())\n  email    String    @unique\n  invoices Invoice[]\n\n  @@schema(\"public\")\n}\n\nmodel Invoice {\n  id         Int      @id\n  customerId Int\n  customer   Customer @relation(fields: [customerId], references: [id])\n\n  @@index([customerId])\n  @@schema(\"public\")\n}\n",
        new: "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"public\", \"billing\"]\n}\n\nmodel Customer {\n  id       Int       @id @default(autoincrement())\n  email    String    @unique\n  invoices Invoice[]\n\n  @@schema(\"public\")\n}\n\nmodel Invoice {\n  id         Int      @id\n  customerId Int\n  customer   Customer @relation(fields: [customerId], references: [id])\n\n  @@index([customerId])\n  @@schema(\"billing\")\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Customer\" (email) VALUES ('a@x'); INSERT INTO \"Invoice\" (id, \"customerId\") VALUES (1, 1);",
        // Old code still names public."Invoice" (the view); new code billing."Invoice".
        mixed: "INSERT INTO public.\"Invoice\" (id, \"customerId\") VALUES (2, 1); INSERT INTO billing.\"Invoice\" (id, \"customerId\") VALUES (3, 1); UPDATE public.\"Invoice\" SET \"customerId\" = 1 WHERE id = 3;",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '>' || \"customerId\", ',' ORDER BY id) FROM billing.\"Invoice\"",
            "1>1,2>1,3>1",
        ),
        guarded: false,
    },
    Case {
        name: "type_change",
        old: "model Counter {\n  id    Int @id\n  total Int\n}\n",
        new: "model Counter {\n  id    Int    @id\n  total BigInt\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Counter\" (id, total) VALUES (1, 41);",
        mixed: "INSERT INTO \"Counter\" (id, total) VALUES (2, 7);",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || total || ':' || pg_typeof(total), ',' ORDER BY id) FROM \"Counter\"",
            "1=41:bigint,2=7:bigint",
        ),
        guarded: true,
    },
    Case {
        // No cast from a timestamp to a number: the conversion is the user's, in the backfill.
        name: "type_change_without_cast",
        old: "model Event {\n  id        Int      @id\n  startTime DateTime\n}\n",
        new: "model Event {\n  id        Int    @id\n  startTime BigInt\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Event\" (id, \"startTime\") VALUES (1, '2024-03-19 12:00:00'), (2, '2024-03-19 12:00:01');",
        // Old code writes the old column only; new code writes both, converted itself.
        mixed: "INSERT INTO \"Event\" (id, \"startTime\") VALUES (3, '2024-03-19 12:00:02'); INSERT INTO \"Event\" (id, \"startTime\", \"startTime_xc_new\") VALUES (4, '2024-03-19 12:00:03', 1710849603);",
        fill_in: &[
            (
                "FILL_IN_Event_startTime_xc_new",
                "EXTRACT(EPOCH FROM \"startTime\")::bigint",
            ),
            (
                "FILL_IN_Event_startTime_back",
                "to_timestamp(\"startTime_xc_new\") AT TIME ZONE 'UTC'",
            ),
        ],
        check: (
            "SELECT string_agg(id || '=' || \"startTime\" || ':' || pg_typeof(\"startTime\"), ',' ORDER BY id) FROM \"Event\"",
            "1=1710849600:bigint,2=1710849601:bigint,3=1710849602:bigint,4=1710849603:bigint",
        ),
        guarded: true,
    },
    Case {
        // The copy's indexes are built beside the old column's, and renamed after the swap.
        name: "type_change_indexed",
        old: "model Website {\n  id      Int     @id\n  shareId String? @unique @map(\"share_id\") @db.VarChar(64)\n\n  @@index([shareId])\n}\n",
        new: "model Website {\n  id      Int     @id\n  shareId String? @unique @map(\"share_id\") @db.VarChar(50)\n\n  @@index([shareId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Website\" (id, share_id) VALUES (1, 'a'), (2, NULL);",
        mixed: "INSERT INTO \"Website\" (id, share_id) VALUES (3, 'c'); INSERT INTO \"Website\" (id, share_id_xc_new) VALUES (4, 'd');",
        fill_in: &[],
        check: (
            "SELECT string_agg(id || '=' || coalesce(share_id, '-'), ',' ORDER BY id) FROM \"Website\"",
            "1=a,2=-,3=c,4=d",
        ),
        guarded: true,
    },
    Case {
        name: "primary_key_change",
        old: "model Membership {\n  id     Int @id @default(autoincrement())\n  userId Int\n  teamId Int\n}\n",
        new: "model Membership {\n  userId Int\n  teamId Int\n\n  @@id([userId, teamId])\n}\n",
        flags: &[],
        seed: "INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (1, 1), (1, 2), (2, 1);",
        // Old code inserts without the new key's columns mattering; new code without `id`.
        mixed: "INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (3, 1); INSERT INTO \"Membership\" (\"userId\", \"teamId\") VALUES (3, 2);",
        fill_in: &[],
        check: (
            "SELECT string_agg(\"userId\" || '/' || \"teamId\", ',' ORDER BY \"userId\", \"teamId\") || ' ' || (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '\"Membership\"'::regclass AND i.indisprimary) FROM \"Membership\"",
            "1/1,1/2,2/1,3/1,3/2 userId,teamId",
        ),
        guarded: false,
    },
];

/// One case's work folder (`old.prisma`, `new.prisma`, `prisma/`) and database.
struct Env {
    harness: PathBuf,
    db: String,
    url: String,
    dir: PathBuf,
    /// The database file, on SQLite.
    sqlite: Option<PathBuf>,
}

impl Env {
    /// A fresh work folder and database (PostgreSQL `xc_plan_<name>`, or a SQLite file) with
    /// the old schema deployed as Prisma builds it, and the new schema beside it.
    fn with_old_deployed(
        harness: &Path,
        name: &str,
        sqlite: bool,
        old: &str,
        new: &str,
    ) -> Result<Env, String> {
        let dir = std::env::temp_dir().join(format!(
            "prisma-xc-plan-{}-{name}-{sqlite}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("prisma")).unwrap();
        let db = format!("xc_plan_{name}");
        let (url, file, schema): (String, Option<PathBuf>, fn(&str) -> String) = if sqlite {
            let file = dir.join("dev.db");
            (
                format!("file:{}", file.display()),
                Some(file),
                sqlite_schema,
            )
        } else {
            (common::fresh_database(harness, &db)?, None, schema)
        };
        std::fs::write(dir.join("old.prisma"), schema(old)).unwrap();
        std::fs::write(dir.join("new.prisma"), schema(new)).unwrap();
        std::fs::write(dir.join("prisma/schema.prisma"), schema(old)).unwrap();
        let env = Env {
            harness: harness.to_path_buf(),
            db,
            url,
            dir,
            sqlite: file,
        };
        env.xc(common::INITIAL_MIGRATION)?;
        env.deploy().map_err(|e| format!("deploy old: {e}"))?;
        Ok(env)
    }

    fn prisma(&self, args: &[&str], schema: &Path) -> std::process::Output {
        Command::new(&self.harness)
            .arg("prisma")
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("XC_SCHEMA", schema)
            .current_dir(&self.dir)
            .output()
            .expect("run the harness")
    }

    fn deploy(&self) -> Result<(), String> {
        let out = self.prisma(
            &["migrate", "deploy"],
            &self.dir.join("prisma/schema.prisma"),
        );
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Prisma's drift check between the migrations folder and a schema.
    fn migrations_match(&self, schema: &Path) -> Result<(), String> {
        let out = self.prisma(
            &[
                "migrate",
                "diff",
                "--from-migrations",
                "prisma/migrations",
                "--to-schema-datamodel",
                &schema.display().to_string(),
                "--script",
                "--exit-code",
            ],
            schema,
        );
        match out.status.code() {
            Some(0) => Ok(()),
            _ => Err(format!(
                "migrations differ from {}:\n{}{}",
                schema.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// The live database against a schema: Prisma introspects it, then diffs the two schemas.
    fn database_matches(&self, schema: &Path) -> Result<(), String> {
        let out = self.pulled_against(schema, schema);
        // Re-introspection keeps the schema's names but orders fields by column, and Prisma
        // rejects its own output when a field mapped to another field's name lands above it
        // (an expand of a changed `@map`). Introspected afresh, every name is the column's.
        let out = if String::from_utf8_lossy(&out.stderr).contains("P1012") {
            let bare = self.dir.join("datasource-only.prisma");
            let text = std::fs::read_to_string(schema).unwrap();
            let datasource = &text[text.find("datasource").unwrap()..];
            std::fs::write(&bare, &datasource[..=datasource.find('}').unwrap()]).unwrap();
            self.pulled_against(&bare, schema)
        } else {
            out
        };
        match out.status.code() {
            Some(0) => Ok(()),
            _ => Err(format!(
                "the database differs from {}:\n{}{}",
                schema.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// Introspects the database with `names_from` as the schema to keep names from, and diffs
    /// the result against `schema`.
    fn pulled_against(&self, names_from: &Path, schema: &Path) -> std::process::Output {
        let pulled = Command::new(&self.harness)
            .arg("db-schema")
            .env("DATABASE_URL", &self.url)
            .env("XC_SCHEMA", names_from)
            .current_dir(&self.dir)
            .output()
            .expect("run the harness");
        let pulled_path = self.dir.join("pulled.prisma");
        std::fs::write(&pulled_path, &pulled.stdout).unwrap();
        self.prisma(
            &[
                "migrate",
                "diff",
                "--from-schema-datamodel",
                "pulled.prisma",
                "--to-schema-datamodel",
                &schema.display().to_string(),
                "--script",
                "--exit-code",
            ],
            schema,
        )
    }

    /// psql, or the sqlite3 shell on SQLite (`-c SQL` or `-f FILE` either way).
    fn psql(&self, args: &[&str]) -> Result<String, String> {
        let out = match &self.sqlite {
            Some(file) => {
                let mut cmd = Command::new("sqlite3");
                // Writers run side by side: wait for the file lock instead of failing.
                cmd.args(["-bail", "-cmd", ".timeout 30000"]).arg(file);
                match args {
                    ["-c", sql] => cmd.arg(sql),
                    ["-f", path] => cmd.arg(format!(".read {path}")),
                    _ => panic!("unsupported sqlite3 arguments {args:?}"),
                };
                cmd.current_dir(&self.dir).output().expect("run sqlite3")
            }
            None => Command::new(&self.harness)
                .args(["psql", &self.db, "-At"])
                .args(args)
                .current_dir(&self.dir)
                .output()
                .expect("run psql"),
        };
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn xc(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("run prisma-xc");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "prisma-xc {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

fn run_case(harness: &Path, case: &Case, sqlite: bool) -> Result<(), String> {
    let env = Env::with_old_deployed(harness, case.name, sqlite, case.old, case.new)?;
    let dir = env.dir.clone();
    env.psql(&["-c", case.seed])?;

    // The plan.
    let mut args = vec![
        "diff",
        "old.prisma",
        "new.prisma",
        "--name",
        case.name,
        "--out",
        "plan",
        "--timestamp",
        "20300101000000",
    ];
    args.extend_from_slice(case.flags);
    env.xc(&args)?;
    let plan = dir.join("plan");
    let expand_schema = plan.join("schema.expand.prisma");

    // Phase 1: expand, its way back, and again.
    env.xc(&[
        "promote",
        "plan",
        "expand",
        "--migrations",
        "prisma/migrations",
        "--timestamp",
        "20300101000001",
    ])?;
    env.deploy().map_err(|e| format!("deploy expand: {e}"))?;
    // The live database is compared with the intermediate schema below, after the way back
    // and the expand again: one Prisma introspection less per case.
    env.migrations_match(&expand_schema)?;
    env.psql(&["-f", &plan.join("1-expand/down.sql").display().to_string()])
        .map_err(|e| format!("expand down.sql: {e}"))?;
    env.database_matches(&dir.join("old.prisma"))
        .map_err(|e| format!("after the expand's down.sql: {e}"))?;
    let mut expand_folders: Vec<PathBuf> = std::fs::read_dir(plan.join("1-expand/migrations"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("migration.sql"))
                .collect()
        })
        .unwrap_or_default();
    expand_folders.sort();
    for sql in &expand_folders {
        env.psql(&["-f", &sql.display().to_string()])
            .map_err(|e| format!("expand again: {e}"))?;
    }
    env.database_matches(&expand_schema)
        .map_err(|e| format!("after the expand again: {e}"))?;

    // Phase 2: old and new code write side by side.
    env.psql(&["-c", case.mixed])
        .map_err(|e| format!("mixed writes after the expand: {e}"))?;

    // Phase 4 too early: the guard aborts, changing nothing.
    env.xc(&[
        "promote",
        "plan",
        "contract",
        "--migrations",
        "prisma/migrations",
        "--timestamp",
        "20300101000002",
        "--expand-deployed",
    ])?;
    if case.guarded {
        if env.deploy().is_ok() {
            return Err("the contract ran before the backfill".into());
        }
        env.database_matches(&expand_schema)
            .map_err(|e| format!("after the aborted contract: {e}"))?;
        // What `prisma migrate resolve --rolled-back` records (it needs the native schema
        // engine, which the harness does not have).
        env.psql(&["-c", "UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE finished_at IS NULL AND rolled_back_at IS NULL"])?;
    }

    // Phase 3: backfill.
    // The user's FILL INs: the backfill's, and the contract's way back where it needs one.
    let mut filled = Vec::new();
    for file in ["3-backfill/backfill.sql", "4-contract/down.sql"] {
        let mut text = std::fs::read_to_string(plan.join(file)).unwrap();
        for (placeholder, expression) in case.fill_in {
            while let Some(start) = text.find(placeholder) {
                let end = text[start..].find("*/").map(|e| start + e + 2).unwrap();
                text.replace_range(start..end, expression);
                filled.push(*placeholder);
            }
        }
        assert!(
            !text.contains("<- FILL IN"),
            "{}: unfilled placeholders in {file}",
            case.name
        );
        std::fs::write(dir.join(file.replace('/', "-")), &text).unwrap();
    }
    for (placeholder, _) in case.fill_in {
        if !filled.contains(placeholder) {
            return Err(format!("no {placeholder} in the plan"));
        }
    }
    env.psql(&["-f", "3-backfill-backfill.sql"])
        .map_err(|e| format!("backfill: {e}"))?;

    // Phase 4: contract.
    env.deploy().map_err(|e| format!("deploy contract: {e}"))?;
    let new_schema = dir.join("new.prisma");
    // The migrations' drift check; the live database is compared again after the way back.
    env.migrations_match(&new_schema)?;
    let got = env.psql(&["-c", case.check.0])?;
    if got != case.check.1 {
        return Err(format!(
            "after the contract {} gave {got:?}, expected {:?}",
            case.check.0, case.check.1
        ));
    }

    // The contract's way back.
    env.psql(&["-f", "4-contract-down.sql"])
        .map_err(|e| format!("contract down.sql: {e}"))?;
    env.database_matches(&expand_schema)
        .map_err(|e| format!("after the contract's down.sql: {e}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn every_recipe_deploys_phase_by_phase_on_postgres() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    run_catalog(&harness, CASES, false);
}

/// Two at a time: Prisma's CLI is one Node process per call.
/// `XC_PLAN_CASE=name[,name...]` runs those cases alone (while working on a recipe).
fn run_catalog(harness: &Path, cases: &[Case], sqlite: bool) {
    let only = std::env::var("XC_PLAN_CASE").ok();
    let cases: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|o| o == c.name))
        })
        .collect();
    if cases.is_empty() {
        return;
    }
    let results: Vec<(&str, Result<(), String>)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<&Case>> = cases
            .chunks(cases.len().div_ceil(2))
            .map(<[&Case]>::to_vec)
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|c| (c.name, run_case(harness, c, sqlite)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}")))
        .collect();
    let provider = if sqlite { "SQLite" } else { "PostgreSQL" };
    eprintln!(
        "plan catalog on {provider}: {}/{} recipes pass",
        results.len() - failures.len(),
        results.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn sqlite_schema(body: &str) -> String {
    format!(
        "datasource db {{\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n{body}"
    )
}

/// The recipes SQLite has (no enums, no concurrent builds), with its own checks.
const SQLITE_CASES: &[Case] = &[
    Case {
        name: "sqlite_renamed_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || username AS x FROM \"User\" ORDER BY id)",
            "1=ada2,2=grace2,3=linus,4=ken,5=untouched",
        ),
        ..CASES[0]
    },
    Case {
        name: "sqlite_new_required_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || email AS x FROM \"Person\" ORDER BY id)",
            "1=ada@example.com,2=grace@example.com,3=old@example.com,4=new@x.org",
        ),
        ..CASES[1]
    },
    Case {
        name: "sqlite_optional_to_required",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || plan AS x FROM \"Account\" ORDER BY id)",
            "1=free,2=pro,3=free",
        ),
        ..CASES[2]
    },
    Case {
        name: "sqlite_dropped_field",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || title AS x FROM \"Item\" ORDER BY id)",
            "1=one,2=two",
        ),
        ..CASES[3]
    },
    Case {
        name: "sqlite_index_unique_foreign_key",
        check: (
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('Member_email_key', 'Member_teamId_idx')",
            "2",
        ),
        ..CASES[4]
    },
    Case {
        name: "sqlite_dropped_model",
        check: (
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Book'",
            "0",
        ),
        ..CASES[8]
    },
    Case {
        // Prisma keeps SQLite enums in TEXT columns: only the rows move.
        name: "sqlite_enum_value_renamed",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || status AS x FROM \"Login\" ORDER BY id)",
            "1=ENABLED,2=BLOCKED,3=ENABLED,4=ENABLED",
        ),
        ..CASES[5]
    },
    Case {
        name: "sqlite_enum_value_removed",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || size AS x FROM \"Shirt\" ORDER BY id)",
            "1=M,2=S,3=M",
        ),
        ..CASES[7]
    },
    Case {
        // No view can stand in on SQLite: the tables are copied and kept in sync both ways.
        name: "sqlite_renamed_model",
        mixed: "INSERT INTO \"Person\" (email) VALUES ('c@x'); UPDATE \"Person\" SET email = 'b2@x' WHERE id = 2; INSERT INTO \"User\" (email) VALUES ('d@x'); INSERT INTO \"Post\" (id, \"authorId\") VALUES (2, 4); INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; INSERT INTO \"Person\" (email) VALUES ('e@x') ON CONFLICT (email) DO UPDATE SET email = 'e2@x'; DELETE FROM \"User\" WHERE email = 'gone@x';",
        check: (
            "SELECT (SELECT group_concat(x, ',') FROM (SELECT id || '=' || email AS x FROM \"User\" ORDER BY id)) || ';' || (SELECT group_concat(y, ',') FROM (SELECT id || '>' || \"authorId\" AS y FROM \"Post\" ORDER BY id))",
            "1=a@x,2=b2@x,3=c@x,4=d@x,5=e2@x;1>1,2>4",
        ),
        ..CASES[9]
    },
    Case {
        name: "sqlite_type_change",
        check: (
            "SELECT group_concat(x, ',') FROM (SELECT id || '=' || total || ':' || typeof(total) AS x FROM \"Counter\" ORDER BY id)",
            "1=41:integer,2=7:integer",
        ),
        ..CASES[12]
    },
    Case {
        name: "sqlite_primary_key_change",
        check: (
            "SELECT (SELECT group_concat(x, ',') FROM (SELECT \"userId\" || '/' || \"teamId\" AS x FROM \"Membership\" ORDER BY 1)) || ' ' || (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('Membership') WHERE pk > 0 ORDER BY pk))",
            "1/1,1/2,2/1,3/1,3/2 userId,teamId",
        ),
        ..CASES[15]
    },
];

#[test]
fn every_recipe_deploys_phase_by_phase_on_sqlite() {
    // Each SQLite case borrows its schemas from the PostgreSQL case of the same name.
    for case in SQLITE_CASES {
        let base = case.name.trim_start_matches("sqlite_");
        let pg = CASES
            .iter()
            .find(|c| c.name == base)
            .expect("a case to borrow from");
        assert_eq!((case.old, case.new), (pg.old, pg.new), "{}", case.name);
    }
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    run_catalog(&harness, SQLITE_CASES, true);
}

/// Old and new application versions write at the same time while the expand is deployed (old
/// code names only `user_name`, new code only `username`), with the backfill running beside
/// them; after the contract no write is lost.
#[test]
fn mixed_fleet_rename_loses_no_value() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    mixed_fleet(&harness, false);
}

#[test]
fn mixed_fleet_rename_loses_no_value_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    mixed_fleet(&harness, true);
}

/// While the expand of a column rename is deployed, 300 writes of old code (old column only),
/// 300 of new code (new column only) and the backfill run at the same time on 3,000 rows;
/// after the contract every value must be where it belongs.
fn mixed_fleet(harness: &Path, sqlite: bool) {
    let env = Env::with_old_deployed(
        harness,
        "mixed_fleet",
        sqlite,
        "model User {\n  id        Int    @id\n  user_name String\n}\n",
        "model User {\n  id       Int    @id\n  username String // prisma-xc: renamed from user_name\n}\n",
    )
    .unwrap();
    let dir = env.dir.clone();
    // A recursive CTE: the same statement for PostgreSQL and SQLite.
    env.psql(&["-c", "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000) INSERT INTO \"User\" (id, user_name) SELECT n, 'seed-' || n FROM g"]).unwrap();
    env.xc(&[
        "diff",
        "old.prisma",
        "new.prisma",
        "--name",
        "mixed",
        "--out",
        "plan",
        "--timestamp",
        "20300101000000",
    ])
    .unwrap();
    env.xc(&[
        "promote",
        "plan",
        "expand",
        "--migrations",
        "prisma/migrations",
    ])
    .unwrap();
    env.deploy().unwrap();

    // One statement per transaction, as application requests are.
    let mut old_code = String::new();
    let mut new_code = String::new();
    for i in 1..=300 {
        old_code.push_str(&format!("INSERT INTO \"User\" (id, user_name) VALUES ({}, 'old-{i}');\nUPDATE \"User\" SET user_name = 'old-upd-{i}' WHERE id = {i};\n", 10_000 + i));
        new_code.push_str(&format!("INSERT INTO \"User\" (id, username) VALUES ({}, 'new-{i}');\nUPDATE \"User\" SET username = 'new-upd-{i}' WHERE id = {};\n", 20_000 + i, 300 + i));
    }
    std::fs::write(dir.join("old-code.sql"), old_code).unwrap();
    std::fs::write(dir.join("new-code.sql"), new_code).unwrap();
    let backfill = plan_file(&dir, "3-backfill/backfill.sql");
    std::thread::scope(|s| {
        let writers: Vec<_> = ["old-code.sql", "new-code.sql", backfill.as_str()]
            .into_iter()
            .map(|file| {
                let env = &env;
                s.spawn(move || env.psql(&["-f", file]))
            })
            .collect();
        for w in writers {
            w.join().unwrap().unwrap();
        }
    });
    // backfill.sql does one batch per table on SQLite (no loops in its SQL): run it until its
    // verification says nothing is pending, as its header says.
    let mut runs = 0;
    while env.psql(&["-f", &backfill]).unwrap().lines().last() != Some("0") {
        runs += 1;
        assert!(runs < 50, "the backfill never finished");
    }
    env.xc(&[
        "promote",
        "plan",
        "contract",
        "--expand-deployed",
        "--migrations",
        "prisma/migrations",
    ])
    .unwrap();
    env.deploy().unwrap();
    env.database_matches(&dir.join("new.prisma")).unwrap();
    let wrong = env
        .psql(&[
            "-c",
            "SELECT count(*) FROM \"User\" WHERE COALESCE(username, '') <> CASE \
            WHEN id <= 300 THEN 'old-upd-' || id \
            WHEN id <= 600 THEN 'new-upd-' || (id - 300) \
            WHEN id <= 3000 THEN 'seed-' || id \
            WHEN id BETWEEN 10001 AND 10300 THEN 'old-' || (id - 10000) \
            ELSE 'new-' || (id - 20000) END",
        ])
        .unwrap();
    let total = env.psql(&["-c", "SELECT count(*) FROM \"User\""]).unwrap();
    assert_eq!(
        (wrong.as_str(), total.as_str()),
        ("0", "3600"),
        "values lost or wrong after the contract"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn plan_file(dir: &Path, path: &str) -> String {
    dir.join("plan").join(path).display().to_string()
}
