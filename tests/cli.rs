//! The binary end to end: exit codes, output streams, and the three ways to name a schema.

use std::io::Write;
use std::process::{Command, Stdio};

fn xc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = xc();
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run prisma-xc");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const OLD: &str = "testdata/example/old.prisma";
const NEW: &str = "testdata/example/new.prisma";

/// (arguments, standard input, exit code, text expected on stdout, text expected on stderr)
type Case<'a> = (&'a [&'a str], Option<&'a str>, i32, &'a str, &'a str);

#[test]
fn diff_cases() {
    let old = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/old.prisma"
    ))
    .unwrap();
    // The example's new schema without its new index: from it, the index is the one change,
    // a caution.
    let new = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/new.prisma"
    ))
    .unwrap();
    let without_index = new.replace("  @@index([authorId])\n", "");
    let cases: &[Case] = &[
        (
            &["diff", "-", "testdata/example/new.prisma", "--check"],
            Some(&without_index),
            0,
            "Verdict: caution, safe to deploy as one migration",
            "",
        ),
        (
            &[
                "diff",
                "-",
                "testdata/example/new.prisma",
                "--fail-on",
                "caution",
            ],
            Some(&without_index),
            1,
            "but --check fails: --fail-on caution counts changes from caution up",
            "",
        ),
        (
            &[
                "diff",
                "-",
                "testdata/example/new.prisma",
                "--fail-on",
                "caution",
                "--format",
                "json",
            ],
            Some(&without_index),
            1,
            "\"checkPasses\": false",
            "",
        ),
        (
            &[
                "diff",
                "testdata/example/old.prisma",
                "testdata/example/new.prisma",
                "--fail-on",
                "destructive",
            ],
            None,
            0,
            "needs expand and contract",
            "",
        ),
        (
            &[
                "diff",
                "testdata/example/old.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            0,
            "breaking    XC103  field `user_name` renamed to `username`",
            "",
        ),
        (
            &["diff", "-", "testdata/example/new.prisma"],
            Some(&old),
            0,
            "5 changes: 1 breaking, 1 caution, 3 safe.",
            "",
        ),
        (
            &[
                "diff",
                "testdata/folder-schema",
                "testdata/example/new.prisma",
            ],
            None,
            0,
            "XC124  provider sqlite -> postgresql",
            "",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "--> testdata/broken/schema.prisma:8:9",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "Did you mean `authorId`?",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "3 errors, 0 warnings",
        ),
        (
            &[
                "diff",
                "testdata/nope.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "testdata/nope.prisma: no such file or folder",
        ),
        (
            &["diff", "testdata", "testdata/example/new.prisma"],
            None,
            2,
            "",
            "A schema has one datasource",
        ),
        (
            &["diff", "-", "-"],
            None,
            2,
            "",
            "only one of OLD and NEW can be -",
        ),
        (
            &["diff", "-", "testdata/example/new.prisma"],
            Some("model A {\n  id Int @id\n  b Stirng\n}\n"),
            2,
            "",
            "--> <stdin>:3:5",
        ),
        // --check: 1 on breaking, 0 once allowed, 2 on bad input.
        (
            &["diff", OLD, NEW, "--check"],
            None,
            1,
            "Verdict: breaking",
            "",
        ),
        (
            &["diff", OLD, NEW, "--check", "--allow", "xc103"],
            None,
            0,
            "(allowed by --allow)",
            "",
        ),
        (&["diff", OLD, OLD, "--check"], None, 0, "No changes", ""),
        (
            &["diff", "testdata/nope.prisma", NEW, "--check"],
            None,
            2,
            "",
            "no such file or folder",
        ),
        (
            &["diff", OLD, NEW, "--allow", "XC999"],
            None,
            2,
            "",
            "--allow XC999: there is no rule XC999",
        ),
        (
            &["diff", OLD, NEW, "--format", "json"],
            None,
            0,
            "\"checkPasses\": false",
            "",
        ),
        (
            &["diff", OLD, NEW, "--format", "json", "--allow", "XC103"],
            None,
            0,
            "\"by\": \"flag\"",
            "",
        ),
        // Renames: flags that name nothing are errors; a declared rename replaces a suggestion.
        (
            &["diff", OLD, NEW, "--rename", "User.nope=username"],
            None,
            2,
            "",
            "--rename User.nope=username: model `User` in the old schema has no field `nope`",
        ),
        (
            &["diff", OLD, NEW, "--rename", "User"],
            None,
            2,
            "",
            "expected Model=NewModel",
        ),
        (
            &["diff", OLD, "testdata/directives/names-nothing.prisma"],
            None,
            0,
            "declare it with `--rename User.user_name=username`",
            "testdata/directives/names-nothing.prisma:21:22",
        ),
        (
            &["diff", OLD, "testdata/directives/names-nothing.prisma"],
            None,
            0,
            "",
            "this `renamed from` names nothing: model `User` in the old schema has no field `usr_name`",
        ),
        (
            &["diff", OLD, "testdata/directives/malformed.prisma"],
            None,
            2,
            "",
            "unknown prisma-xc directive `renamed user_name`",
        ),
        (
            &["diff", OLD, "testdata/directives/unknown-rule.prisma"],
            None,
            2,
            "",
            "`allow XC999`: there is no rule XC999",
        ),
        // Colour only when asked or on a terminal.
        (&["diff", OLD, NEW], None, 0, "breaking    XC103", ""),
        (
            &["diff", OLD, NEW, "--color", "always"],
            None,
            0,
            "\x1b[31mbreaking",
            "",
        ),
        // explain
        (
            &["explain", "XC103"],
            None,
            0,
            "## XC103 renamed-column",
            "",
        ),
        (
            &["explain", "renamed-column"],
            None,
            0,
            "### Safe recipe",
            "",
        ),
        (&["explain", "--list"], None, 0, "XC128  safe", ""),
        (
            &["explain", "XC999"],
            None,
            2,
            "",
            "there is no rule `XC999`",
        ),
    ];
    for (args, stdin, code, out, err) in cases {
        let (c, o, e) = run(args, *stdin);
        assert_eq!(c, *code, "{args:?}: exit code; stderr:\n{e}");
        assert!(o.contains(out), "{args:?}: stdout lacks {out:?}:\n{o}");
        assert!(e.contains(err), "{args:?}: stderr lacks {err:?}:\n{e}");
    }
}

#[test]
fn version_and_help() {
    let (c, o, _) = run(&["--version"], None);
    assert_eq!(c, 0);
    assert!(o.starts_with("prisma-xc "));
    let (c, o, _) = run(&["--help"], None);
    assert_eq!(c, 0);
    assert!(o.contains("Examples:") && o.contains("prisma-xc diff"));
}

#[test]
fn direct_mode_writes_one_migration_folder_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("prisma-xc-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("migrations");
    let out_s = out.to_str().unwrap();
    let args = [
        "diff",
        "testdata/example/old.prisma",
        "testdata/example/new.prisma",
        "--direct",
        "--out",
        out_s,
        "--name",
        "Rename User",
        "--timestamp",
        "20250102030405",
    ];
    let (c, o, e) = run(&args, None);
    assert_eq!(c, 0, "{e}");
    assert!(o.contains("20250102030405_rename_user"), "{o}");
    let sql =
        std::fs::read_to_string(out.join("20250102030405_rename_user/migration.sql")).unwrap();
    assert!(sql.starts_with("-- CreateEnum\n"), "{sql}");
    let lock = std::fs::read_to_string(out.join("migration_lock.toml")).unwrap();
    assert!(lock.contains("provider = \"postgresql\""));
    // The same run again: the folder exists, nothing is touched.
    let (c, _, e) = run(&args, None);
    assert_eq!(c, 2);
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(
        std::fs::read_to_string(out.join("20250102030405_rename_user/migration.sql")).unwrap(),
        sql
    );
    // A migrations folder of another provider is refused.
    std::fs::write(out.join("migration_lock.toml"), "provider = \"mysql\"\n").unwrap();
    let (c, _, e) = run(
        &[
            "diff",
            "--from-empty",
            "testdata/example/new.prisma",
            "--direct",
            "--out",
            out_s,
            "--timestamp",
            "20250101000000",
        ],
        None,
    );
    assert_eq!(c, 2);
    assert!(e.contains("is for provider \"mysql\""), "{e}");
    // No temporary folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn direct_mode_prints_sql_and_explains_mongodb() {
    let (c, o, _) = run(
        &[
            "diff",
            "testdata/example/old.prisma",
            "testdata/example/new.prisma",
            "--direct",
        ],
        None,
    );
    assert_eq!(c, 0);
    assert!(
        o.contains("ALTER TABLE \"User\" DROP COLUMN \"user_name\""),
        "{o}"
    );
    let mongo = "datasource db {\n  provider = \"mongodb\"\n  url = env(\"U\")\n}\nmodel A {\n  id String @id @default(auto()) @map(\"_id\") @db.ObjectId\n}\n";
    let (c, _, e) = run(&["diff", "--from-empty", "-", "--direct"], Some(mongo));
    assert_eq!(c, 2);
    assert!(e.contains("MongoDB has no SQL migrations"), "{e}");
    let (c, _, e) = run(&["diff", "testdata/example/old.prisma", "--direct"], None);
    assert_eq!(c, 2);
    assert!(e.contains("diff takes OLD and NEW"), "{e}");
}

/// A large schema makes the binary start itself again with glibc's huge-page heap (see
/// `huge_pages_for_large_inputs` in main.rs). Nothing else may change: the same output and
/// exit code as a run that does not restart (a `GLIBC_TUNABLES` malloc setting of the user's
/// own turns the restart off), with the old schema read from a file or from standard input.
#[test]
fn large_inputs_give_the_same_output_with_or_without_the_restart() {
    let dir = std::env::temp_dir().join(format!("prisma-xc-cli-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut old = String::from(
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    for i in 0..5000 {
        old.push_str(&format!(
            "\nmodel Item{i} {{\n  id    Int    @id\n  label String\n}}\n"
        ));
    }
    assert!(old.len() > 256 * 1024, "large enough to restart");
    let new = old.replacen("  label String\n", "  label String\n  note  String?\n", 1);
    let (old_path, new_path) = (dir.join("old.prisma"), dir.join("new.prisma"));
    std::fs::write(&old_path, &old).unwrap();
    std::fs::write(&new_path, &new).unwrap();
    let (old_arg, new_arg) = (old_path.to_str().unwrap(), new_path.to_str().unwrap());
    let outcome = |args: &[&str], stdin: Option<&str>, restart: bool| {
        let mut cmd = xc();
        if restart {
            cmd.env_remove("GLIBC_TUNABLES");
        } else {
            cmd.env("GLIBC_TUNABLES", "glibc.malloc.perturb=0");
        }
        let mut child = cmd
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        (out.status.code(), out.stdout, out.stderr)
    };
    for (args, stdin) in [
        (vec!["diff", old_arg, new_arg, "--direct"], None),
        (vec!["diff", old_arg, new_arg], None),
        (vec!["diff", "-", new_arg, "--direct"], Some(old.as_str())),
    ] {
        let restarted = outcome(&args, stdin, true);
        assert_eq!(restarted, outcome(&args, stdin, false), "{args:?}");
        assert_eq!(restarted.0, Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&restarted.1).contains("note"),
            "{args:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The project around the schemas decides the Prisma major and where things are: each case is
/// a project folder (files), the arguments run in it, the exit code and what stdout or stderr
/// holds.
#[test]
fn the_project_decides_major_and_paths() {
    const V1: &str = "datasource db {\n  provider = \"postgresql\"\nURL}\n\nmodel User {\n  id Int @id\n  name String\n}\n";
    let v2 = V1.replace("  name String\n", "  name String\n  email String?\n");
    let url = "  url      = env(\"DATABASE_URL\")\n";
    let config = "import { defineConfig } from 'prisma/config'\nexport default defineConfig({\n  schema: 'db/schema.prisma',\n  migrations: { path: 'db/migrations' },\n})\n";
    let prisma7 = (
        "node_modules/prisma/package.json",
        "{\"name\":\"prisma\",\"version\":\"7.10.1\"}",
    );
    type ProjectCase<'a> = (&'a str, Vec<(&'a str, String)>, &'a [&'a str], i32, &'a str);
    let cases: Vec<ProjectCase> = vec![
        (
            "Prisma 7 installed: a datasource url is Prisma 7's P1012, in its words",
            vec![
                (prisma7.0, prisma7.1.into()),
                ("old.prisma", V1.replace("URL", url)),
                ("new.prisma", v2.replace("URL", url)),
            ],
            &["diff", "old.prisma", "new.prisma"],
            2,
            "error: The datasource property `url` is no longer supported in schema files.",
        ),
        (
            "--prisma 6 wins over what is installed",
            vec![
                (prisma7.0, prisma7.1.into()),
                ("old.prisma", V1.replace("URL", url)),
                ("new.prisma", v2.replace("URL", url)),
            ],
            &["diff", "old.prisma", "new.prisma", "--prisma", "6"],
            0,
            "XC100",
        ),
        (
            "package.json's range tells when nothing is installed",
            vec![
                (
                    "package.json",
                    "{\"devDependencies\":{\"prisma\":\"^7.10.1\"}}".into(),
                ),
                ("old.prisma", V1.replace("URL", "")),
                ("new.prisma", v2.replace("URL", url)),
            ],
            &["diff", "old.prisma", "new.prisma"],
            2,
            "new.prisma:3:3",
        ),
        (
            "prisma.config.ts names the schema and the migrations: --from-empty needs no path",
            vec![
                ("prisma.config.ts", config.into()),
                ("db/schema.prisma", V1.replace("URL", "")),
            ],
            &[
                "diff",
                "--from-empty",
                "--direct",
                "--out",
                "db/migrations",
                "--name",
                "init",
                "--timestamp",
                "20250101000000",
            ],
            0,
            "Wrote db/migrations/20250101000000_init/migration.sql",
        ),
        (
            "a config prisma-xc cannot read is an error at its line and column",
            vec![(
                "prisma.config.ts",
                "export default defineConfig({\n  schema: process.env.SCHEMA,\n})\n".into(),
            )],
            &["diff", "--from-empty", "--direct"],
            2,
            "prisma.config.ts:2:11: `schema` is not a path prisma-xc can read",
        ),
        (
            "--base reads OLD from git, and the plan names the project's files",
            vec![
                ("prisma.config.ts", config.into()),
                ("db/schema.prisma", V1.replace("URL", "")),
            ],
            &[
                "diff",
                "--base",
                "HEAD",
                "--name",
                "add_email",
                "--timestamp",
                "20250101000000",
            ],
            0,
            "Wrote the plan to",
        ),
    ];
    for (what, files, args, code, expected) in cases {
        let dir = std::env::temp_dir().join(format!(
            "prisma-xc-project-{}-{}",
            std::process::id(),
            what.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in &files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        if args.contains(&"--base") {
            let git = |a: &[&str]| {
                assert!(
                    Command::new("git")
                        .args(a)
                        .current_dir(&dir)
                        .output()
                        .unwrap()
                        .status
                        .success(),
                    "git {a:?}"
                );
            };
            git(&["init", "-q"]);
            git(&["-c", "user.email=t@e.org", "-c", "user.name=t", "add", "-A"]);
            git(&[
                "-c",
                "user.email=t@e.org",
                "-c",
                "user.name=t",
                "commit",
                "-qm",
                "v1",
            ]);
            std::fs::write(dir.join("db/schema.prisma"), v2.replace("URL", "")).unwrap();
        }
        let out = xc().args(args).current_dir(&dir).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{what}\nstdout: {stdout}\nstderr: {stderr}"
        );
        assert!(
            stdout.contains(expected) || stderr.contains(expected),
            "{what}: no {expected:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        if args.contains(&"--base") {
            let plan =
                std::fs::read_to_string(dir.join("db/phases/20250101000000_add_email/PLAN.md"))
                    .unwrap();
            assert!(
                plan.contains("From `HEAD:db/schema.prisma` (running now) to `db/schema.prisma`"),
                "{plan}"
            );
            assert!(
                plan.contains(
                    "--from-migrations db/migrations --to-schema db/phases/20250101000000_add_email/schema.expand.prisma --exit-code"
                ),
                "{plan}"
            );
            let json =
                std::fs::read_to_string(dir.join("db/phases/20250101000000_add_email/plan.json"))
                    .unwrap();
            assert!(
                json.contains("\"migrations\": \"../../migrations\""),
                "{json}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A schema folder read from git skips what the folder reader skips on disk: migrations,
/// hidden folders and a prisma-xc plan folder left inside (its schema.expand.prisma repeats the
/// models, which would be read as defined twice).
#[test]
fn a_schema_folder_from_git_skips_what_it_skips_on_disk() {
    let dir = std::env::temp_dir().join(format!("prisma-xc-git-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let model = "model User {\n  id Int @id\n}\n";
    for (path, text) in [
        (
            "schema/main.prisma",
            "datasource db {\n  provider = \"postgresql\"\n}\n",
        ),
        ("schema/user.prisma", model),
        ("schema/phases/x/plan.json", "{}"),
        ("schema/phases/x/schema.expand.prisma", model),
        ("schema/migrations/0_init/extra.prisma", model),
        ("schema/.cache/copy.prisma", model),
    ] {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.email=t@e.org", "-c", "user.name=t"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "v1"]);
    std::fs::write(
        dir.join("schema/user.prisma"),
        model.replace("@id\n", "@id\n  name String?\n"),
    )
    .unwrap();
    let out = xc()
        .args(["diff", "--base", "HEAD", "schema"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("new optional field `name`"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
