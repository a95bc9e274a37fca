//! The pull request check as a CI job runs it, in real git repositories built here: `--base`
//! and `--head`, each report format read by what consumes it (GitHub's workflow-command
//! syntax, a CommonMark parser, the SARIF 2.1.0 schema), committed plans that cover their pull
//! requests, and prisma-xc.toml.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A command's standard output; it must succeed.
fn succeeds(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("prisma-xc-ci-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "ci@example.com"]);
        repo.git(&["config", "user.name", "CI"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        succeeds(Command::new("git").current_dir(&self.dir).args(args))
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// prisma-xc run in `sub` (a folder of the repository): exit code, stdout, stderr.
    fn xc_in(&self, sub: &str, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
            .current_dir(self.dir.join(sub))
            .args(args)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn xc(&self, args: &[&str]) -> (i32, String, String) {
        self.xc_in("", args)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

const GENERATOR: &str =
    "generator client {\n  provider = \"prisma-client\"\n  output   = \"../generated/prisma\"\n}\n";

fn schema(user: &str, post_extra: &str) -> String {
    format!(
        "{GENERATOR}\ndatasource db {{\n  provider = \"postgresql\"\n}}\n\nmodel User {{\n  id    Int    @id @default(autoincrement())\n  email String @unique\n{user}  posts Post[]\n}}\n\nmodel Post {{\n  id       Int  @id @default(autoincrement())\n  author   User @relation(fields: [authorId], references: [id])\n  authorId Int\n{post_extra}}}\n"
    )
}

fn old_schema() -> String {
    schema("  user_name String\n", "")
}

/// A rename (breaking), a new index (caution) and a field whose column name is hostile
/// Markdown, HTML and workflow-command text.
fn hostile_schema() -> String {
    schema(
        "  username String // prisma-xc: renamed from user_name\n  nickname String?\n",
        "\n  @@index([authorId], map: \"nick|<img src=x>](http://e.vil)%0A::error::x,y\")\n",
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A workflow command as the runner reads it: `::name k=v,k=v::message`, each value and the
/// message with the runner's escapes undone.
fn workflow_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a command starts with ::");
    let (head, message) = rest.split_once("::").expect("a command has ::message");
    let (name, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("a property is key=value");
            assert!(!v.contains(':') && !v.contains('\n'), "{line}");
            (k.to_string(), unescape(v))
        })
        .collect();
    assert!(!message.contains('\n') && !message.contains('\r'), "{line}");
    (name.to_string(), properties, unescape(message))
}

#[test]
fn a_pull_request_is_checked_in_every_format() {
    let repo = Repo::new("formats");
    repo.write("prisma/schema.prisma", &old_schema());
    repo.commit("schema");
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.write("prisma/schema.prisma", &hostile_schema());
    repo.commit("rename");

    // Human and JSON: the verdict and the exit code, with every change located.
    let (code, out, err) = repo.xc(&["diff", "--base", "main", "--check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("(prisma/schema.prisma:13:3)"), "{out}");
    let (_, out, _) = repo.xc(&["diff", "--base", "main", "--format", "json"]);
    let report = json(&out);
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{out}");
    for c in changes {
        let at = &c["location"];
        assert!(at["line"].as_u64().unwrap() > 0, "{c}");
        let file = at["file"].as_str().unwrap();
        match at["schema"].as_str().unwrap() {
            "new" => assert_eq!(file, "prisma/schema.prisma"),
            _ => assert_eq!(file, "main:prisma/schema.prisma"),
        }
    }

    // GitHub: one annotation per change plus the verdict, each a well-formed command naming
    // the file from the repository's root, wherever prisma-xc runs.
    for sub in ["", "prisma"] {
        let schema = if sub.is_empty() {
            "prisma/schema.prisma"
        } else {
            "schema.prisma"
        };
        let (code, out, err) = repo.xc_in(
            sub,
            &[
                "diff", "--base", "main", schema, "--check", "--format", "github",
            ],
        );
        assert_eq!(code, 1, "{err}");
        let commands: Vec<_> = out.lines().map(workflow_command).collect();
        assert_eq!(commands.len(), changes.len() + 1, "{out}");
        for (name, properties, message) in &commands[..changes.len()] {
            assert!(
                ["error", "warning", "notice"].contains(&name.as_str()),
                "{out}"
            );
            let get = |k: &str| {
                properties
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(get("file"), Some("prisma/schema.prisma"), "{out}");
            assert!(get("line").unwrap().parse::<usize>().unwrap() > 0);
            assert!(get("col").unwrap().parse::<usize>().unwrap() > 0);
            assert!(get("title").unwrap().starts_with("XC1"), "{out}");
            assert!(!message.is_empty());
        }
        let levels: Vec<&str> = commands.iter().map(|c| c.0.as_str()).collect();
        assert!(
            levels.contains(&"error") && levels.contains(&"warning"),
            "{out}"
        );
        // The hostile column name comes back whole, as text of one annotation.
        assert!(
            commands.iter().any(|c| c
                .2
                .contains("nick|<img src=x>](http://e.vil)%0A::error::x,y")),
            "{out}"
        );
        assert_eq!(commands.last().unwrap().0, "error");
    }

    // Markdown: a CommonMark parser finds the table of changes, and nothing from the schema
    // becomes a link, an image or HTML.
    let (_, markdown, _) = repo.xc(&["diff", "--base", "main", "--format", "markdown"]);
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows = 0;
    let mut links = Vec::new();
    let mut html = Vec::new();
    let mut text = String::new();
    for event in Parser::new_ext(&markdown, Options::ENABLE_TABLES) {
        match event {
            Event::End(TagEnd::TableRow) => rows += 1,
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Start(Tag::Image { .. }) => panic!("an image in\n{markdown}"),
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.trim().to_string()),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    assert_eq!(rows, changes.len(), "{markdown}");
    assert_eq!(links.len(), changes.len(), "{markdown}");
    assert!(
        links
            .iter()
            .all(|l| l
                .starts_with("https://github.com/prisma-xc/prisma-xc/blob/main/docs/rules.md#xc1")),
        "{links:?}"
    );
    for h in &html {
        assert!(
            h.starts_with("<!-- prisma-xc report -->")
                || ["<details>", "<summary>", "</summary>", "</details>"]
                    .iter()
                    .any(|tag| h.starts_with(tag)),
            "HTML {h:?} in\n{markdown}"
        );
    }
    assert!(text.contains("nick|<img src=x>](http://e.vil)"), "{text}");
    assert!(text.contains("prisma-xc: breaking"), "{text}");

    // SARIF: valid against the published 2.1.0 schema, a result per change with its place.
    let (_, sarif, _) = repo.xc(&["diff", "--base", "main", "--format", "sarif"]);
    let log = json(&sarif);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), changes.len());
    for r in results {
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "prisma/schema.prisma");
        assert!(location["region"]["startLine"].as_u64().unwrap() > 0);
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][index]["id"], id);
    }
    // GitLab Code Quality: the fields GitLab requires of each issue, fingerprints unique.
    let (_, gitlab, _) = repo.xc(&["diff", "--base", "main", "--format", "gitlab"]);
    let issues = json(&gitlab);
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), changes.len());
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len());
    for i in issues {
        assert!(
            i["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("XC1"))
        );
        assert!(i["check_name"].is_string());
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert_eq!(i["location"]["path"], "prisma/schema.prisma");
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() > 0);
    }

    let file = repo.dir.join("report.sarif");
    std::fs::write(&file, &sarif).unwrap();
    match common::harness7() {
        Some(harness) => {
            succeeds(
                Command::new(harness)
                    .args(["node", "validate-sarif.cjs"])
                    .arg(&file),
            );
        }
        None => eprintln!("SARIF schema validation skipped: no Node.js harness"),
    }
}

#[test]
fn committed_plans_cover_their_pull_requests() {
    let repo = Repo::new("plans");
    repo.write("prisma/schema.prisma", &old_schema());
    let (code, _, err) = repo.xc(&[
        "diff",
        "--from-empty",
        "prisma/schema.prisma",
        "--direct",
        "--out",
        "prisma/migrations",
        "--name",
        "init",
        "--timestamp",
        "20250101000000",
    ]);
    assert_eq!(code, 0, "{err}");
    repo.commit("init");

    // The pull request that makes the change fails the check until it carries its plan.
    repo.git(&["checkout", "-q", "-b", "rename"]);
    let new = schema(
        "  username String // prisma-xc: renamed from user_name\n",
        "",
    );
    repo.write("prisma/schema.prisma", &new);
    let check = |args: &[&str]| {
        let mut all = vec!["diff", "--base", "main", "--check", "--format", "json"];
        all.extend_from_slice(args);
        let (code, out, err) = repo.xc(&all);
        assert!(code == 0 || code == 1, "{out}{err}");
        (code, json(&out), err)
    };
    let (code, report, _) = check(&[]);
    assert_eq!((code, &report["plan"]), (1, &serde_json::Value::Null));
    let (code, out, err) = repo.xc(&[
        "diff",
        "--base",
        "main",
        "--name",
        "rename",
        "--timestamp",
        "20260101000000",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let plan = "prisma/phases/20260101000000_rename";
    repo.commit("rename, with its plan");
    let (code, report, _) = check(&[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["checkPasses"], true);
    assert_eq!(report["plan"]["phase"], "plan");
    assert_eq!(report["plan"]["folder"], plan);
    assert_eq!(report["plan"]["steps"][0], "apply the expand");
    let (_, human, _) = repo.xc(&["diff", "--base", "main", "--check"]);
    assert!(human.contains("shipped by plan rename"), "{human}");

    // The expand's pull request: the schema becomes schema.expand.prisma (with the project's
    // own generator), the plan and the promoted expand migration come along.
    let expand_text = repo.read(&format!("{plan}/schema.expand.prisma"));
    let (_, rest) = expand_text.split_once("}\n").unwrap();
    let expand_schema = format!("{GENERATOR}{rest}");
    assert!(
        expand_schema.contains("username  String?") || expand_schema.contains("username String?"),
        "{expand_schema}"
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "expand"]);
    repo.git(&["checkout", "rename", "--", plan]);
    repo.write("prisma/schema.prisma", &expand_schema);
    let (code, out, err) = repo.xc(&["promote", plan, "expand", "--timestamp", "20260102000000"]);
    assert_eq!(code, 0, "{out}{err}");
    repo.commit("expand");
    let (code, report, _) = check(&[]);
    assert_eq!(
        (code, &report["plan"]["phase"]),
        (0, &"expand".into()),
        "{report}"
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--ff-only", "expand"]);

    // The contract's pull request: from the expand schema to the new one. Without the expand
    // in the migrations folder it is not yet the plan's to ship.
    repo.git(&["checkout", "-q", "-b", "contract"]);
    repo.write("prisma/schema.prisma", &new);
    repo.commit("contract");
    let (code, report, _) = check(&[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["plan"]["phase"], "contract");
    repo.git(&["checkout", "-q", "-b", "contract-too-early"]);
    let promoted = repo.git(&["ls-files", "prisma/migrations"]);
    let expand_folder = promoted
        .lines()
        .find(|l| l.contains("_rename_expand"))
        .map(|l| {
            Path::new(l)
                .parent()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .unwrap();
    repo.git(&["rm", "-q", "-r", &expand_folder]);
    repo.commit("without the expand");
    let (code, report, _) = check(&[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["plan"]["covers"], false);
    assert!(
        report["plan"]["why"]
            .as_str()
            .unwrap()
            .contains("promote and deploy the expand first"),
        "{report}"
    );

    // --head: the contract branch checked from elsewhere, its plans read from git too.
    repo.git(&["checkout", "-q", "main"]);
    let (code, report, _) = check(&["--head", "contract"]);
    assert_eq!(
        (code, &report["plan"]["phase"]),
        (0, &"contract".into()),
        "{report}"
    );

    // Once the contract has shipped, its `renamed from` comment is history: the next pull
    // request neither warns about it nor reads the plan folder as schema.
    repo.git(&["merge", "-q", "--ff-only", "contract"]);
    repo.git(&["checkout", "-q", "-b", "next"]);
    repo.write(
        "prisma/schema.prisma",
        &new.replace("  posts Post[]\n", "  bio   String?\n  posts Post[]\n"),
    );
    let (code, out, err) = repo.xc(&["diff", "--base", "main", "--check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err, "", "{out}");
    assert!(out.contains("1 change: 1 safe"), "{out}");
}

#[test]
fn the_schema_is_found_where_prisma_finds_it() {
    let repo = Repo::new("schema-place");
    repo.write("db/schema.prisma", &old_schema());
    repo.write(
        "package.json",
        "{\"name\":\"app\",\"prisma\":{\"schema\":\"db/schema.prisma\"}}\n",
    );
    repo.commit("schema");
    repo.write("db/schema.prisma", &hostile_schema());
    // package.json's prisma.schema, as Prisma 6 reads it; then --schema, as Prisma's flag.
    for args in [
        vec!["diff", "--base", "main", "--check", "--format", "json"],
        vec![
            "diff",
            "--base",
            "main",
            "--schema",
            "db/schema.prisma",
            "--check",
            "--format",
            "json",
        ],
    ] {
        let (code, out, err) = repo.xc(&args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        let report = json(&out);
        assert_eq!(
            report["changes"][0]["location"]["file"], "db/schema.prisma",
            "{out}"
        );
    }
    // prisma.config.ts wins over package.json.
    repo.write(
        "prisma.config.ts",
        "export default { schema: \"other.prisma\" };\n",
    );
    repo.write("other.prisma", &old_schema());
    repo.commit("other");
    let (code, out, err) = repo.xc(&["diff", "--base", "main", "--check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("No changes"), "{out}");
}

#[test]
fn prisma_xc_toml_sets_the_threshold_and_the_rules() {
    let repo = Repo::new("settings");
    let old = old_schema();
    let new = schema("  user_name String\n", "\n  @@index([authorId])\n");
    repo.write("old.prisma", &old);
    repo.write("new.prisma", &new);
    let run = |toml: Option<&str>, flags: &[&str]| {
        match toml {
            Some(t) => repo.write("prisma-xc.toml", t),
            None => {
                let _ = std::fs::remove_file(repo.dir.join("prisma-xc.toml"));
            }
        }
        let mut args = vec!["diff", "old.prisma", "new.prisma", "--check"];
        args.extend_from_slice(flags);
        repo.xc(&args)
    };
    // The new index is a caution: it passes by default, fails from fail_on = "caution".
    assert_eq!(run(None, &[]).0, 0);
    let (code, out, _) = run(Some("fail_on = \"caution\"\n"), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--fail-on caution"), "{out}");
    // The flag wins over the file.
    assert_eq!(
        run(Some("fail_on = \"caution\"\n"), &["--fail-on", "breaking"]).0,
        0
    );
    // A rule allowed, or judged at another severity.
    let (code, out, _) = run(
        Some("fail_on = \"caution\"\n[rules]\nXC112 = \"allow\"\n"),
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(allowed by prisma-xc.toml)"), "{out}");
    let (code, out, _) = run(
        Some("[rules]\nXC112 = \"breaking\"\n"),
        &["--format", "json"],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(json(&out)["changes"][0]["severity"], "breaking");
    // Mistakes name the file, line and column, and nothing runs.
    for (toml, expected) in [
        (
            "[rules]\nXC999 = \"allow\"\n",
            "error: prisma-xc.toml:2:9: there is no rule \"XC999\"",
        ),
        (
            "lock_timeout = \"soon\"\n",
            "error: prisma-xc.toml: lock_timeout: \"soon\" is not a PostgreSQL duration",
        ),
        (
            "sink = \"app\"\n",
            "error: prisma-xc.toml:1:1: unknown field `sink`",
        ),
    ] {
        let (code, out, err) = run(Some(toml), &[]);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(err.starts_with(expected), "{err}");
    }
}

/// A request the stand-in for GitHub received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    body: String,
}

/// A stand-in for GitHub's release downloads and issue comments API, on a local port.
struct FakeGitHub {
    url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<Request>>>,
}

impl FakeGitHub {
    fn start(version: &str, releases: PathBuf) -> FakeGitHub {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Request>::new()));
        let seen = requests.clone();
        let version = version.to_string();
        std::thread::spawn(move || {
            let mut comments: Vec<serde_json::Value> = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let (mut length, mut authorization) = (0, None);
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    let (name, value) = header.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "authorization" => authorization = Some(value.trim().to_string()),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let body = String::from_utf8_lossy(&body).into_owned();
                seen.lock().unwrap().push(Request {
                    method: method.clone(),
                    path: path.clone(),
                    authorization,
                    body: body.clone(),
                });
                let route = path.split('?').next().unwrap_or("");
                let (status, content): (&str, Vec<u8>) = match (method.as_str(), route) {
                    ("GET", "/repos/prisma-xc/prisma-xc/releases/latest") => (
                        "200 OK",
                        format!("{{\"tag_name\":\"v{version}\"}}").into_bytes(),
                    ),
                    ("GET", p) if p.starts_with("/releases/download/") => {
                        let file = p.rsplit('/').next().unwrap();
                        match std::fs::read(releases.join(file)) {
                            Ok(bytes) => ("200 OK", bytes),
                            Err(_) => ("404 Not Found", b"{}".to_vec()),
                        }
                    }
                    ("GET", "/repos/o/r/issues/7/comments") => {
                        ("200 OK", serde_json::to_vec(&comments).unwrap())
                    }
                    ("POST", "/repos/o/r/issues/7/comments") => {
                        let text = json(&body)["body"].clone();
                        let comment =
                            serde_json::json!({ "id": comments.len() + 100, "body": text });
                        comments.push(comment.clone());
                        ("201 Created", serde_json::to_vec(&comment).unwrap())
                    }
                    ("PATCH", p) if p.starts_with("/repos/o/r/issues/comments/") => {
                        let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                        let text = json(&body)["body"].clone();
                        let c = comments.iter_mut().find(|c| c["id"] == id).unwrap();
                        c["body"] = text;
                        ("200 OK", serde_json::to_vec(c).unwrap())
                    }
                    _ => ("404 Not Found", b"{}".to_vec()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    content.len()
                );
                let _ = stream.write_all(&content);
            }
        });
        FakeGitHub { url, requests }
    }

    fn requests(&self, method: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == method)
            .cloned()
            .collect()
    }
}

/// `KEY=value` lines of a GitHub file command ($GITHUB_OUTPUT, $GITHUB_PATH).
fn file_command(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
#[cfg_attr(xc_no_node, ignore = "needs Node.js and npm")]
fn the_github_action_installs_checks_summarises_and_comments() {
    let Some(harness) = common::harness7() else {
        eprintln!("skipped: the Action runs on Node.js, and the harness could not be set up");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = |file: &Path| {
        json(&succeeds(
            Command::new(&harness)
                .args(["node", "yaml-to-json.cjs"])
                .arg(file),
        ))
    };

    // action.yml: a composite action whose steps run the scripts, with the inputs it declares,
    // and hand check.mjs every variable it reads.
    let action = yaml(&root.join("action.yml"));
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let step = |id: &str| steps.iter().find(|s| s["id"] == id).unwrap().clone();
    assert!(
        step("install")["run"]
            .as_str()
            .unwrap()
            .contains("action/install.mjs")
    );
    assert!(
        step("check")["run"]
            .as_str()
            .unwrap()
            .contains("action/check.mjs")
    );
    let text = std::fs::read_to_string(root.join("action.yml")).unwrap();
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        assert!(
            action["inputs"][&name].is_object(),
            "inputs.{name} is not declared"
        );
    }
    for script in ["install", "check"] {
        let source = std::fs::read_to_string(root.join(format!("action/{script}.mjs"))).unwrap();
        let given = step(script)["env"].as_object().cloned().unwrap_or_default();
        for read in source.split("env.XC_").skip(1) {
            let name: String = read
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            let name = format!("XC_{name}");
            // XC_BIN, XC_RELEASES and XC_API point the scripts elsewhere (tests, mirrors).
            if !["XC_BIN", "XC_RELEASES", "XC_API"].contains(&name.as_str()) {
                assert!(
                    given.contains_key(&name),
                    "{script}.mjs reads {name}; action.yml does not set it"
                );
            }
        }
    }
    // The release workflow builds every platform the npm package knows, with the scripts here.
    let release = yaml(&root.join(".github/workflows/release.yml"));
    let mut targets: Vec<String> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    let npm_pack = std::fs::read_to_string(root.join("scripts/npm-pack.mjs")).unwrap();
    let mut known: Vec<String> = npm_pack
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split_once("\": {")
                .map(|(t, _)| t.to_string())
        })
        .collect();
    known.sort();
    assert_eq!(targets, known);
    let release_text = std::fs::read_to_string(root.join(".github/workflows/release.yml")).unwrap();
    assert!(
        release_text.contains("scripts/release-archive")
            && release_text.contains("scripts/npm-pack.mjs")
    );

    let version = env!("CARGO_PKG_VERSION");
    let scratch = std::env::temp_dir().join(format!("prisma-xc-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let releases = scratch.join("releases");
    std::fs::create_dir_all(&releases).unwrap();
    let github = FakeGitHub::start(version, releases.clone());

    // Install: the release archive of this platform, checksum verified, on the job's PATH.
    let bin = if cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    )) {
        succeeds(
            Command::new(root.join("scripts/release-archive"))
                .args(["x86_64-unknown-linux-gnu", env!("CARGO_BIN_EXE_prisma-xc")])
                .arg(&releases),
        );
        let install = |temp: &str| {
            let temp = scratch.join(temp);
            std::fs::create_dir_all(&temp).unwrap();
            let out = Command::new("node")
                .arg(root.join("action/install.mjs"))
                .env("XC_VERSION", "latest")
                .env("XC_RELEASES", format!("{}/releases", github.url))
                .env("XC_API", &github.url)
                .env("XC_TOKEN", "t0k3n")
                .env("RUNNER_TEMP", &temp)
                .env("GITHUB_PATH", temp.join("path"))
                .output()
                .unwrap();
            (out, file_command(&temp.join("path")))
        };
        let (out, path) = install("install");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let bin = Path::new(&path[0]).join("prisma-xc");
        let v = Command::new(&bin).arg("--version").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&v.stdout).trim(),
            format!("prisma-xc {version}")
        );
        // A checksum that does not match installs nothing.
        let sums = releases.join(format!(
            "prisma-xc-{version}-x86_64-unknown-linux-gnu.tar.gz.sha256"
        ));
        std::fs::write(&sums, format!("{}  x\n", "0".repeat(64))).unwrap();
        let (out, path) = install("tampered");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success() && path.is_empty(), "{stdout}");
        assert!(
            stdout.starts_with("::error title=prisma-xc install::") && stdout.contains("SHA-256"),
            "{stdout}"
        );
        bin
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_prisma-xc"))
    };

    // The check, in a shallow clone of the pull request's branch, as actions/checkout leaves it:
    // the base branch is fetched by the script.
    let upstream = Repo::new("action-upstream");
    upstream.write("prisma/schema.prisma", &old_schema());
    upstream.commit("schema");
    upstream.git(&["checkout", "-q", "-b", "change"]);
    upstream.write("prisma/schema.prisma", &hostile_schema());
    upstream.commit("rename");
    let work = scratch.join("work");
    succeeds(
        Command::new("git")
            .args([
                "clone",
                "-q",
                "--depth",
                "1",
                "--branch",
                "change",
                "--single-branch",
            ])
            .arg(format!("file://{}", upstream.dir.display()))
            .arg(&work),
    );
    let event = scratch.join("event.json");
    std::fs::write(&event, "{\"pull_request\":{\"number\":7}}").unwrap();
    let check = |run: &str, extra: &[(&str, &str)]| {
        let dir = scratch.join(run);
        std::fs::create_dir_all(&dir).unwrap();
        let mut command = Command::new("node");
        command
            .current_dir(&work)
            .arg(root.join("action/check.mjs"))
            .env("XC_BIN", &bin)
            .env("XC_SARIF", "true")
            .env("XC_COMMENT", "true")
            .env("XC_TOKEN", "t0k3n")
            .env("GITHUB_BASE_REF", "main")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "o/r")
            .env("GITHUB_API_URL", &github.url)
            .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
            .env("GITHUB_OUTPUT", dir.join("output"))
            .env("RUNNER_TEMP", &dir);
        for (k, v) in extra {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            std::fs::read_to_string(dir.join("summary.md")).unwrap_or_default(),
            file_command(&dir.join("output")),
        )
    };
    let (code, stdout, summary, outputs) = check("first", &[]);
    assert_eq!(code, Some(1), "{stdout}");
    let annotations: Vec<_> = stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(workflow_command)
        .collect();
    assert!(
        annotations
            .iter()
            .any(|(level, properties, _)| level == "error"
                && properties.contains(&("file".into(), "prisma/schema.prisma".into()))),
        "{stdout}"
    );
    assert!(
        summary.starts_with("<!-- prisma-xc report -->\n### ❌ prisma-xc: breaking"),
        "{summary}"
    );
    for expected in [
        "verdict=breaking",
        "check-passes=false",
        "changes=3",
        "plan-phase=",
    ] {
        assert!(outputs.contains(&expected.to_string()), "{outputs:?}");
    }
    let sarif = outputs
        .iter()
        .find_map(|o| o.strip_prefix("sarif-file="))
        .unwrap();
    assert_eq!(
        json(&std::fs::read_to_string(sarif).unwrap())["version"],
        "2.1.0"
    );
    let posted = github.requests("POST");
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].authorization.as_deref(), Some("Bearer t0k3n"));
    // The summary gets a blank line after the report, to keep reports of several jobs apart.
    assert_eq!(
        json(&posted[0].body)["body"].as_str(),
        summary.strip_suffix('\n')
    );

    // Run again: the same comment is updated, not a second one posted.
    let (code, ..) = check("second", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(github.requests("POST").len(), 1);
    let patched = github.requests("PATCH");
    assert_eq!(patched.len(), 1, "{patched:?}");
    assert_eq!(patched[0].path, "/repos/o/r/issues/comments/100");

    // A threshold above the change passes, and says so in the outputs.
    let (code, stdout, _, outputs) = check("passing", &[("XC_FAIL_ON", "destructive")]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        outputs.contains(&"check-passes=true".to_string()),
        "{outputs:?}"
    );

    // Bad input fails the step with prisma-xc's diagnostics, as an annotation.
    let (code, stdout, ..) = check("bad", &[("XC_SCHEMA", "prisma/missing.prisma")]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("::error title=prisma-xc::prisma-xc could not read the schemas"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
