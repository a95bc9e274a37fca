//! Hostile input at the command line: what a pull request or a user can put in a schema, a flag
//! or a folder never escapes its place, never leaves a half-written folder, and fails with a
//! clear message where it cannot be honoured. (Plans with hostile names deployed on real
//! databases: `tests/plan_hostile.rs`.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn xc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run prisma-xc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `prisma-xc diff old.prisma new.prisma` in `dir`, with `args` after.
fn diff(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["diff", "old.prisma", "new.prisma"];
    all.extend_from_slice(args);
    xc(dir, &all)
}

/// A fresh work folder for one test.
fn work(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("prisma-xc-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PG: &str = "datasource db {\n  provider = \"postgresql\"\n}\n\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Every file under `dir`, with its path relative to it.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// A rename to a column whose name holds a line break and SQL, a `$$` and a `%`, on a table
/// whose name would close a TypeScript string; a JSON column renamed; a narrowing.
fn hostile_plan(dir: &Path) -> PathBuf {
    let table = r#"t\", pwn: require(\"fs\").writeFileSync(\"/tmp/PWNED\",\"1\"), z: \"o'brien%s"#;
    write(
        dir,
        "old.prisma",
        &format!(
            "{PG}model T {{\n  id Int    @id\n  a  String\n  j  Json   @db.Json\n  v  String @db.VarChar(64)\n\n  @@map(\"{table}\")\n}}\n"
        ),
    );
    write(
        dir,
        "new.prisma",
        &format!(
            "{PG}model T {{\n  id Int    @id\n  b  String @map(\"x\\nDROP TABLE victim;\\n--$$ */ %s\") // prisma-xc: renamed from a\n  j2 Json   @db.Json // prisma-xc: renamed from j\n  v  String @db.VarChar(8)\n\n  @@map(\"{table}\")\n}}\n"
        ),
    );
    let (code, _, err) = diff(
        dir,
        &[
            "--name",
            "x",
            "--out",
            "my plan/$(touch PWNED)",
            "--timestamp",
            "20300101000000",
        ],
    );
    assert_eq!(code, 0, "{err}");
    dir.join("my plan/$(touch PWNED)")
}

#[test]
fn names_stay_inside_the_text_they_land_in() {
    let dir = work("names");
    let plan = hostile_plan(&dir);
    let files = files(&plan);
    for (path, text) in &files {
        // What is left once quoted names, string literals and comments are taken out is the
        // code the file runs: no name may have put anything there.
        if path.ends_with(".sql") {
            let code = sql_code(text);
            assert!(
                !code.contains("victim"),
                "{path}: a name escaped into the SQL:\n{code}"
            );
        }
        // TypeScript: the table name is one string literal, the comments one line each.
        if path.ends_with(".ts") {
            let code = ts_code(text);
            assert!(
                !code.contains("pwn"),
                "{path}: a name escaped into the code:\n{code}"
            );
        }
    }
    let file = |name: &str| &files.iter().find(|(p, _)| p.ends_with(name)).unwrap().1;
    // `$$` in a name: every dollar-quoted body takes a tag the body does not hold.
    let expand = &files
        .iter()
        .find(|(p, _)| p.contains("expand/migration.sql"))
        .unwrap()
        .1;
    assert!(expand.contains("AS $xc1$"), "{expand}");
    // RAISE NOTICE: quotes doubled, `%` doubled.
    assert!(
        file("backfill.sql").contains("RAISE NOTICE 't\", pwn"),
        "{}",
        file("backfill.sql")
    );
    assert!(
        file("backfill.sql").contains("o''brien%%s: % rows updated'"),
        "{}",
        file("backfill.sql")
    );
    // json has no `=`: compared as text.
    assert!(
        expand.contains("(NEW.\"j\")::text IS DISTINCT FROM (OLD.\"j\")::text"),
        "{expand}"
    );
    // PLAN.md: commands quote the plan folder; table rows keep their five cells.
    let plan_md = file("PLAN.md");
    assert!(
        plan_md.contains("prisma-xc promote 'my plan/$(touch PWNED)' expand"),
        "{plan_md}"
    );
    for row in plan_md.lines().filter(|l| l.starts_with("| XC")) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "{row}");
    }
    assert!(!dir.join("PWNED").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// SQL without its quoted identifiers, string literals and comments.
fn sql_code(sql: &str) -> String {
    code_only(sql, &['"', '\''], false, '-')
}

/// TypeScript without its string literals and comments.
fn ts_code(ts: &str) -> String {
    code_only(ts, &['"', '\'', '`'], true, '/')
}

/// `text` without its quoted parts and comments: what runs. `quotes` open and close a quoted
/// part, escaped by a backslash (`backslash`) or by doubling; a line comment starts with
/// `comment` twice; block comments are `/* */`.
fn code_only(text: &str, quotes: &[char], backslash: bool, comment: char) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quotes.contains(&c) {
            while let Some(x) = chars.next() {
                if backslash && x == '\\' {
                    chars.next();
                } else if x == c {
                    if !backslash && chars.peek() == Some(&c) {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            out.push_str(" q ");
        } else if c == comment && chars.peek() == Some(&comment) {
            for x in chars.by_ref() {
                if x == '\n' {
                    break;
                }
            }
            out.push('\n');
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut last = ' ';
            for x in chars.by_ref() {
                if last == '*' && x == '/' {
                    break;
                }
                last = x;
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_narrowing_never_cuts_a_value() {
    let dir = work("narrowing");
    let plan = hostile_plan(&dir);
    let expand = files(&plan)
        .into_iter()
        .find(|(p, _)| p.contains("expand/migration.sql"))
        .unwrap()
        .1;
    // The trigger refuses a value the cast would change instead of storing it cut.
    assert!(
        expand.contains("NEW.\"v_xc_new\" := CAST(NEW.\"v\" AS VARCHAR(8));\n      IF CAST(NEW.\"v_xc_new\" AS VARCHAR(64)) IS DISTINCT FROM NEW.\"v\" THEN RAISE EXCEPTION"),
        "{expand}"
    );
    let backfill = std::fs::read_to_string(plan.join("3-backfill/backfill.sql")).unwrap();
    // The batch leaves such rows; the verification still counts them.
    assert!(
        backfill.contains(
            "AND NOT (CAST(CAST(\"v\" AS VARCHAR(8)) AS VARCHAR(64)) IS DISTINCT FROM \"v\")"
        ),
        "{backfill}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flags_are_checked_before_anything_is_written() {
    let dir = work("flags");
    write(
        &dir,
        "old.prisma",
        &format!("{PG}model User {{\n  id Int @id\n  user_name String\n}}\n"),
    );
    write(
        &dir,
        "new.prisma",
        &format!(
            "{PG}model User {{\n  id Int @id\n  username String // prisma-xc: renamed from user_name\n}}\n"
        ),
    );
    let long_name = "n".repeat(300);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--lock-timeout", "5s'; DROP TABLE victim; --"],
            "--lock-timeout",
        ),
        (&["--lock-timeout", "abc"], "not a PostgreSQL duration"),
        (&["--timestamp", "20261301000000"], "the month is 13"),
        (&["--timestamp", "99999999999999"], "no date and time"),
        (&["--timestamp", "2026"], "14 digits"),
        (&["--name", &long_name], "at most 200"),
    ];
    for (flags, message) in cases {
        let mut args = vec!["diff", "old.prisma", "new.prisma", "--out", "plan"];
        if !flags.contains(&"--name") {
            args.extend(["--name", "x"]);
        }
        args.extend_from_slice(flags);
        let (code, _, err) = xc(&dir, &args);
        assert_eq!(code, 2, "{flags:?}: {err}");
        assert!(err.contains(message), "{flags:?}: {err}");
        assert!(!dir.join("plan").exists(), "{flags:?} left a folder");
    }
    // A valid duration is quoted where it lands.
    let (code, _, err) = diff(
        &dir,
        &["--name", "x", "--out", "plan", "--lock-timeout", "1.5s"],
    );
    assert_eq!(code, 0, "{err}");
    let migrations = dir.join("plan/1-expand/migrations");
    let folder = std::fs::read_dir(&migrations)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let sql = std::fs::read_to_string(folder.join("migration.sql")).unwrap();
    assert!(sql.contains("SET lock_timeout = '1.5s';"), "{sql}");
    // A Unicode name keeps its letters, as Prisma's own folder names do.
    let (code, out, err) = diff(
        &dir,
        &[
            "--name",
            "Größe ändern",
            "--out",
            "plan2",
            "--timestamp",
            "20300101000000",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let _ = out;
    let names: Vec<String> = std::fs::read_dir(dir.join("plan2/1-expand/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["20300101000000_groesse_aendern_expand"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn migration_folders_are_written_whole_or_not_at_all() {
    let dir = work("atomic");
    // The initial migration the other tests write, from `old.prisma`.
    let schema = format!("{PG}model User {{\n  id Int @id\n}}\n");
    write(&dir, "old.prisma", &schema);
    write(&dir, "new.prisma", &schema);
    let migrations = dir.join("prisma/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    // What a run killed half-way left: staging beside the migrations folder, and inside it the
    // folders of earlier versions. Their process is gone (no pid is that high).
    std::fs::create_dir_all(dir.join("prisma/.prisma-xc-staging-4194999-1/20300101000000_x"))
        .unwrap();
    std::fs::create_dir_all(migrations.join(".prisma-xc-4194999-20300101000000_x")).unwrap();

    let (code, _, err) = xc(&dir, common::INITIAL_MIGRATION);
    assert_eq!(code, 0, "{err}");
    let left: Vec<String> = std::fs::read_dir(&migrations)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("prisma")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "leftovers: {left:?}");

    // A lock file Prisma would not read: refused before anything is written.
    for (what, lock) in [("a folder", None), ("no provider", Some("# nothing\n"))] {
        let target = dir.join(format!("m-{}", what.replace(' ', "-")));
        std::fs::create_dir_all(&target).unwrap();
        match lock {
            None => std::fs::create_dir_all(target.join("migration_lock.toml")).unwrap(),
            Some(text) => std::fs::write(target.join("migration_lock.toml"), text).unwrap(),
        }
        let out = target.display().to_string();
        let (code, _, err) = xc(
            &dir,
            &[
                "diff",
                "--from-empty",
                "new.prisma",
                "--direct",
                "--out",
                &out,
                "--name",
                "init",
            ],
        );
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("migration_lock.toml"), "{what}: {err}");
        assert_eq!(
            std::fs::read_dir(&target).unwrap().count(),
            1,
            "{what}: something was written"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn promote_lands_every_folder_or_none() {
    let dir = work("promote");
    write(
        &dir,
        "old.prisma",
        &format!("{PG}model Member {{\n  id Int @id\n  email String\n  team Int\n}}\n"),
    );
    write(
        &dir,
        "new.prisma",
        &format!(
            "{PG}model Member {{\n  id Int @id\n  email String @unique\n  team Int\n\n  @@index([team])\n}}\n"
        ),
    );
    let (code, _, err) = diff(
        &dir,
        &[
            "--name",
            "x",
            "--out",
            "plan",
            "--timestamp",
            "20300101000000",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(migrations.join("migration_lock.toml")).unwrap();
    let (code, _, err) = xc(
        &dir,
        &["promote", "plan", "expand", "--migrations", "migrations"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        std::fs::read_dir(&migrations).unwrap().count(),
        1,
        "a folder landed: {err}"
    );
    std::fs::remove_dir(migrations.join("migration_lock.toml")).unwrap();
    // A folder no timestamp sorts after: refused, nothing written.
    std::fs::create_dir_all(migrations.join("99999999999999_x")).unwrap();
    let (code, _, err) = xc(
        &dir,
        &["promote", "plan", "expand", "--migrations", "migrations"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("99999999999999"), "{err}");
    assert_eq!(std::fs::read_dir(&migrations).unwrap().count(), 1);
    std::fs::remove_dir(migrations.join("99999999999999_x")).unwrap();
    // The last second of a day carries into the next.
    std::fs::create_dir_all(migrations.join("29991231235959_last")).unwrap();
    let (code, _, err) = xc(
        &dir,
        &["promote", "plan", "expand", "--migrations", "migrations"],
    );
    assert_eq!(code, 0, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&migrations)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names[1..],
        [
            "30000101000000_x_expand_01_index",
            "30000101000000_x_expand_02_index",
            "migration_lock.toml"
        ],
        "{names:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_inputs_say_where_and_what_to_do() {
    let dir = work("inputs");
    let pg = format!("{PG}model User {{\n  id Int @id\n}}\n");
    write(&dir, "ok.prisma", &pg);
    write(&dir, "bom.prisma", &format!("\u{feff}{pg}"));
    write(&dir, "empty.prisma", "");
    std::fs::write(
        dir.join("latin1.prisma"),
        b"datasource db {\n  provider = \"postgresql\"\n}\n// caf\xe9\n",
    )
    .unwrap();
    let (code, out, err) = xc(&dir, &["diff", "bom.prisma", "ok.prisma"]);
    assert_eq!(
        (code, out.trim()),
        (0, "No changes: the two schemas are the same."),
        "{err}"
    );
    let (code, _, err) = xc(&dir, &["diff", "empty.prisma", "ok.prisma"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("OLD (empty.prisma): the schema is empty"),
        "{err}"
    );
    let (code, _, err) = xc(&dir, &["diff", "ok.prisma", "latin1.prisma"]);
    assert_eq!(code, 2);
    assert!(err.contains("latin1.prisma:4:7: is not UTF-8"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mysql_string_literals_escape_backslashes() {
    let dir = work("mysql");
    write(
        &dir,
        "new.prisma",
        "datasource db {\n  provider = \"mysql\"\n}\n\nmodel File {\n  id   Int    @id\n  path String @default(\"C:\\\\\") @db.VarChar(20)\n  note String @default(\"\\\\'; DROP TABLE victim; --\") @db.VarChar(40)\n}\n",
    );
    let (code, out, err) = xc(&dir, &["diff", "--from-empty", "new.prisma", "--direct"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DEFAULT 'C:\\\\'"), "{out}");
    assert!(
        out.contains("DEFAULT '\\\\''; DROP TABLE victim; --'"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn crlf_schemas_give_crlf_intermediate_schemas() {
    let dir = work("crlf");
    write(
        &dir,
        "old.prisma",
        "datasource db {\r\n  provider = \"postgresql\"\r\n}\r\n\r\nmodel User {\r\n  id        Int    @id\r\n  user_name String\r\n}\r\n",
    );
    write(
        &dir,
        "new.prisma",
        "datasource db {\r\n  provider = \"postgresql\"\r\n}\r\n\r\nmodel User {\r\n  id       Int    @id\r\n  username String // prisma-xc: renamed from user_name\r\n}\r\n",
    );
    let (code, _, err) = diff(&dir, &["--name", "x", "--out", "plan"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.join("plan/schema.expand.prisma")).unwrap();
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{text:?}"
    );
    assert!(!text.contains("\r\r"), "{text:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
