//! Plans rehearsed as rolling deploys of real Prisma Client applications on PostgreSQL: for the
//! bundled example and the catalog's zero-downtime recipes, instances built against each
//! version's schema (`tests/rehearsal/worker.ts`, with a workload per case and version: create,
//! findUnique, update, updateMany, upsert, findMany with include, count, delete) run while the
//! test walks `plan.json`'s steps in order: the expand applied by the real `prisma migrate
//! deploy` under traffic, the backfill under traffic, each rollout starting the new instances
//! before stopping the running ones one by one, the contract deployed under traffic. Every
//! Prisma error is a failed query, every read that does not give back what the instance wrote a
//! wrong read, and every write an instance was told succeeded must be in the final database:
//! the test fails on any of them, and prints a table of queries and failures per instance.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use common::plan::{CASES, Env};

/// A rehearsal: a catalog case (or the bundled example) and what each version's instances do.
struct Rehearsal {
    case: &'static str,
    /// (version, workload JSON: see worker.ts).
    workloads: &'static [(&'static str, &'static str)],
    /// Where the rows of each version's instances are after the contract: (version, table,
    /// column holding the first checked value, or `None` to check only that the row is there).
    kept: &'static [(&'static str, &'static str, Option<&'static str>)],
}

const REHEARSALS: &[Rehearsal] = &[
    Rehearsal {
        case: "example",
        workloads: &[
            (
                "old",
                r#"{"model": "user", "create": {"email": "$s@example.org", "user_name": "$s"}, "update": {"user_name": "$s"}, "checks": ["user_name"], "upsertBy": "email", "include": "posts"}"#,
            ),
            (
                "new",
                r#"{"model": "user", "create": {"email": "$s@example.org", "username": "$s"}, "update": {"username": "$s"}, "checks": ["username"], "upsertBy": "email", "include": "posts"}"#,
            ),
        ],
        kept: &[
            ("old", "User", Some("username")),
            ("new", "User", Some("username")),
        ],
    },
    Rehearsal {
        case: "new_required_field",
        workloads: &[
            (
                "old",
                r#"{"model": "person", "create": {"id": "$n", "name": "$s"}, "update": {"name": "$s"}, "checks": ["name"]}"#,
            ),
            (
                "expand",
                r#"{"model": "person", "create": {"id": "$n", "name": "$s", "email": "$s@example.org"}, "update": {"name": "$s"}, "checks": ["name", "email"]}"#,
            ),
            (
                "new",
                r#"{"model": "person", "create": {"id": "$n", "name": "$s", "email": "$s@example.org"}, "update": {"name": "$s"}, "checks": ["name", "email"]}"#,
            ),
        ],
        kept: &[
            ("old", "Person", Some("name")),
            ("expand", "Person", Some("name")),
            ("new", "Person", Some("name")),
        ],
    },
    Rehearsal {
        // Old code writes null; the new version must never read such a row.
        case: "optional_to_required",
        workloads: &[
            (
                "old",
                r#"{"model": "account", "create": {"id": "$n"}, "update": {"plan": null}, "checks": []}"#,
            ),
            (
                "expand",
                r#"{"model": "account", "create": {"id": "$n", "plan": "$s"}, "update": {"plan": "$s"}, "checks": ["plan"]}"#,
            ),
            (
                "new",
                r#"{"model": "account", "create": {"id": "$n", "plan": "$s"}, "update": {"plan": "$s"}, "checks": ["plan"]}"#,
            ),
        ],
        kept: &[
            ("expand", "Account", Some("plan")),
            ("new", "Account", Some("plan")),
        ],
    },
    Rehearsal {
        case: "dropped_field",
        workloads: &[
            (
                "old",
                r#"{"model": "item", "create": {"id": "$n", "legacy": "$s", "title": "$s"}, "update": {"title": "$s"}, "checks": ["title"]}"#,
            ),
            (
                "new",
                r#"{"model": "item", "create": {"id": "$n", "title": "$s"}, "update": {"title": "$s"}, "checks": ["title"]}"#,
            ),
        ],
        kept: &[
            ("old", "Item", Some("title")),
            ("new", "Item", Some("title")),
        ],
    },
    Rehearsal {
        // Every running version must read both values before any writes the new one.
        case: "enum_value_renamed",
        workloads: &[
            (
                "old",
                r#"{"model": "login", "create": {"id": "$n", "status": "ACTIVE"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
            ),
            (
                "expand",
                r#"{"model": "login", "create": {"id": "$n", "status": "ACTIVE"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
            ),
            (
                "expandWritingNewValues",
                r#"{"model": "login", "create": {"id": "$n", "status": "ENABLED"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
            ),
            (
                "new",
                r#"{"model": "login", "create": {"id": "$n", "status": "ENABLED"}, "update": {"status": "BLOCKED"}, "checks": []}"#,
            ),
        ],
        kept: &[
            ("old", "Login", None),
            ("expand", "Login", None),
            ("expandWritingNewValues", "Login", None),
            ("new", "Login", None),
        ],
    },
    Rehearsal {
        case: "enum_value_removed",
        workloads: &[
            (
                "old",
                r#"{"model": "shirt", "create": {"id": "$n", "size": "XL"}, "update": {"size": "S"}, "checks": []}"#,
            ),
            (
                "expand",
                r#"{"model": "shirt", "create": {"id": "$n", "size": "M"}, "update": {"size": "S"}, "checks": ["size"]}"#,
            ),
            (
                "new",
                r#"{"model": "shirt", "create": {"id": "$n", "size": "M"}, "update": {"size": "S"}, "checks": ["size"]}"#,
            ),
        ],
        kept: &[
            ("old", "Shirt", None),
            ("expand", "Shirt", Some("size")),
            ("new", "Shirt", Some("size")),
        ],
    },
    Rehearsal {
        // Old instances keep using the old table name: an updatable view until the contract.
        case: "renamed_model",
        workloads: &[
            (
                "old",
                r#"{"model": "person", "create": {"email": "$s@example.org"}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "posts"}"#,
            ),
            (
                "new",
                r#"{"model": "user", "create": {"email": "$s@example.org"}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "posts"}"#,
            ),
        ],
        kept: &[
            ("old", "User", Some("email")),
            ("new", "User", Some("email")),
        ],
    },
    Rehearsal {
        case: "dropped_model",
        workloads: &[
            (
                "old",
                r#"{"model": "book", "create": {"id": "$n", "authorId": 1}, "update": {}, "checks": [], "include": "author"}"#,
            ),
            (
                "new",
                r#"{"model": "author", "create": {"id": "$n"}, "update": {}, "checks": []}"#,
            ),
        ],
        kept: &[("new", "Author", None)],
    },
    Rehearsal {
        case: "index_unique_foreign_key",
        workloads: &[
            (
                "old",
                r#"{"model": "member", "create": {"id": "$n", "email": "$s@example.org", "teamId": 1}, "update": {"email": "$s@example.org"}, "checks": ["email"]}"#,
            ),
            (
                "new",
                r#"{"model": "member", "create": {"id": "$n", "email": "$s@example.org", "teamId": 1}, "update": {"email": "$s@example.org"}, "checks": ["email"], "upsertBy": "email", "include": "team"}"#,
            ),
        ],
        kept: &[
            ("old", "Member", Some("email")),
            ("new", "Member", Some("email")),
        ],
    },
];

/// One running application instance.
struct Instance {
    tag: String,
    version: String,
    child: Child,
    stop: PathBuf,
    out: PathBuf,
}

/// What an instance did, from its summary.
struct Summary {
    tag: String,
    version: String,
    queries: u64,
    failures: Vec<String>,
    /// Rows it wrote and did not delete: key -> the first checked value it last wrote.
    owned: Vec<(String, Option<String>)>,
}

fn start(env: &Env, version: &str, tag: &str, base: u64) -> Instance {
    let stop = env.dir.join(format!("{tag}.stop"));
    let out = env.dir.join(format!("{tag}.json"));
    let child = Command::new(&env.harness)
        .args(["bin", "tsx", "worker.ts"])
        .arg(env.dir.join(format!("gen-{version}")))
        .arg(env.dir.join(format!("workload-{version}.json")))
        .args([tag, &base.to_string()])
        .arg(&stop)
        .arg(&out)
        .env("DATABASE_URL", &env.url)
        .current_dir(&env.dir)
        .spawn()
        .expect("start a worker");
    Instance {
        tag: tag.to_string(),
        version: version.to_string(),
        child,
        stop,
        out,
    }
}

fn stop(mut instance: Instance) -> Summary {
    std::fs::write(&instance.stop, "").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while instance.child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = instance.child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&instance.out).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        serde_json::json!({"queries": 0, "failures": [format!("no summary: {text}")], "owned": []})
    });
    Summary {
        tag: instance.tag,
        version: instance.version,
        queries: v["queries"].as_u64().unwrap_or(0),
        failures: (v["failures"].as_array().into_iter().flatten())
            .map(|f| f.as_str().unwrap_or_default().to_string())
            .collect(),
        owned: (v["owned"].as_array().into_iter().flatten())
            .filter_map(|p| {
                Some((
                    p[0].as_str()?.to_string(),
                    p[1].as_str().map(str::to_string),
                ))
            })
            .collect(),
    }
}

fn pause(seconds: u64) {
    std::thread::sleep(Duration::from_secs(seconds));
}

/// The example's schema body (its datasource included, the comments above it left out).
fn example(name: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/example")
            .join(name),
    )
    .unwrap();
    text[text.find("datasource").unwrap()..].to_string()
}

/// What a rehearsal's case brings: its schemas, flags, seed and FILL INs.
struct CaseInput {
    old: String,
    new: String,
    flags: Vec<&'static str>,
    seed: String,
    fill_in: Vec<(&'static str, &'static str)>,
}

fn case_of(name: &str) -> CaseInput {
    if name == "example" {
        return CaseInput {
            old: example("old.prisma"),
            new: example("new.prisma"),
            flags: Vec::new(),
            seed: "INSERT INTO \"User\" (email, user_name) SELECT 'seed-' || n || '@example.org', 'seed-' || n FROM generate_series(1, 200) n; INSERT INTO \"Post\" (title, \"authorId\") SELECT 'seed post', id FROM \"User\";".into(),
            fill_in: Vec::new(),
        };
    }
    let c = CASES
        .iter()
        .find(|c| c.name == name)
        .expect("a catalog case");
    CaseInput {
        old: c.old.to_string(),
        new: c.new.to_string(),
        flags: c.flags.to_vec(),
        seed: c.seed.to_string(),
        fill_in: c.fill_in.to_vec(),
    }
}

/// Plays one plan as a rolling deploy; the report's rows, or why it failed.
fn rehearse(harness: &Path, r: &Rehearsal) -> Result<Vec<String>, String> {
    let CaseInput {
        old,
        new,
        flags,
        seed,
        fill_in,
    } = case_of(r.case);
    let env = Env::with_old_deployed(harness, &format!("rehearsal_{}", r.case), false, &old, &new)?;
    let dir = env.dir.clone();
    env.psql(&["-c", &seed])?;
    let mut args = vec![
        "diff",
        "old.prisma",
        "new.prisma",
        "--name",
        "rehearsal",
        "--out",
        "plan",
        "--timestamp",
        "20300101000000",
    ];
    args.extend(flags);
    env.xc(&args)?;
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan/plan.json")).unwrap())
            .map_err(|e| e.to_string())?;
    let steps = plan["steps"]
        .as_array()
        .ok_or("plan.json lists no steps")?
        .clone();
    // The user's FILL INs, as PLAN.md asks before the backfill.
    let backfill = dir.join("plan/3-backfill/backfill.sql");
    if let Ok(mut text) = std::fs::read_to_string(&backfill) {
        for (placeholder, expression) in &fill_in {
            while let Some(at) = text.find(placeholder) {
                let end = text[at..].find("*/").map(|e| at + e + 2).unwrap();
                text.replace_range(at..end, expression);
            }
        }
        std::fs::write(&backfill, text).unwrap();
    }

    // A client and a workload per version.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rehearsal/worker.ts"),
        dir.join("worker.ts"),
    )
    .unwrap();
    let schema_of = |version: &str| match version {
        "old" => "old.prisma",
        "new" => "new.prisma",
        _ => "plan/schema.expand.prisma",
    };
    for (version, workload) in r.workloads {
        std::fs::write(dir.join(format!("workload-{version}.json")), workload).unwrap();
        let out = Command::new(harness)
            .args(["generate", schema_of(version), &format!("gen-{version}")])
            .current_dir(&dir)
            .output()
            .unwrap();
        if !out.status.success() {
            return Err(format!(
                "generate {version}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }

    let mut next = 0u64;
    let mut launch = |version: &str| {
        next += 1;
        start(&env, version, &format!("{version}{next}"), next * 1_000_000)
    };
    let mut running = vec![launch("old"), launch("old")];
    let mut done: Vec<Summary> = Vec::new();
    let mut walked = Vec::new();
    pause(4);
    let mut stamp = 1;
    for step in &steps {
        let kind = step["kind"].as_str().unwrap_or("");
        walked.push(format!(
            "{kind} {}",
            step["phase"]
                .as_str()
                .or(step["version"].as_str())
                .unwrap_or("")
        ));
        match kind {
            "applyMigrations" => {
                let phase = step["phase"].as_str().unwrap();
                let ts = format!("2030010100000{stamp}");
                stamp += 1;
                env.promote(phase, &ts)?;
                // The phase's pull request sets prisma/schema.prisma, as PLAN.md says.
                let schema = if phase == "contract" {
                    "new.prisma"
                } else {
                    "plan/schema.expand.prisma"
                };
                std::fs::copy(dir.join(schema), dir.join("prisma/schema.prisma")).unwrap();
                env.deploy()
                    .map_err(|e| format!("deploy {phase} under traffic: {e}"))?;
                env.migrations_match(&dir.join(schema))?;
            }
            "backfill" => {
                let left = env.psql(&["-f", &backfill.display().to_string()])?;
                if left.lines().last() != Some("0") {
                    return Err(format!("the backfill left rows: {left}"));
                }
            }
            "rollOut" => {
                // Gradually: the new instances start, then the running ones stop one by one;
                // the last of them stops at the wait step.
                let version = step["version"].as_str().unwrap().to_string();
                let before = std::mem::take(&mut running);
                for _ in 0..2 {
                    running.push(launch(&version));
                    pause(3);
                }
                let mut before = before.into_iter();
                if let Some(first) = before.next() {
                    done.push(stop(first));
                }
                pause(3);
                running.extend(before);
            }
            "waitUntilGone" => {
                let version = step["version"].as_str().unwrap();
                let (gone, stay): (Vec<Instance>, Vec<Instance>) =
                    running.into_iter().partition(|i| i.version == version);
                done.extend(gone.into_iter().map(stop));
                running = stay;
            }
            other => return Err(format!("unknown step kind {other}")),
        }
        pause(2);
    }
    pause(3);
    done.extend(running.into_iter().map(stop));

    let failures: Vec<&String> = done.iter().flat_map(|s| &s.failures).collect();
    if !failures.is_empty() {
        return Err(format!(
            "failed queries or wrong reads ({}):\n{}",
            walked.join(" -> "),
            failures
                .iter()
                .take(20)
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    if let Some(idle) = done.iter().find(|s| s.queries == 0) {
        return Err(format!("instance {} ran no query", idle.tag));
    }
    // Every acknowledged write is in the final database.
    let mut lost = Vec::new();
    for s in &done {
        let Some((_, table, column)) = r.kept.iter().find(|(v, _, _)| *v == s.version) else {
            continue;
        };
        let column = column.unwrap_or("id");
        let rows = env.psql(&[
            "-c",
            &format!("SELECT id || '=' || \"{column}\" FROM \"{table}\""),
        ])?;
        let rows: std::collections::HashMap<&str, &str> =
            rows.lines().filter_map(|l| l.split_once('=')).collect();
        for (id, value) in &s.owned {
            let found = rows.get(id.as_str()).copied();
            let expected = value.as_deref().unwrap_or(id);
            let ok = match column {
                "id" => found.is_some(),
                _ => found == Some(expected),
            };
            if !ok {
                lost.push(format!(
                    "{} wrote {id}={expected}, the database holds {found:?}",
                    s.tag
                ));
            }
        }
    }
    if !lost.is_empty() {
        return Err(format!(
            "lost writes:\n{}",
            lost.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(done
        .iter()
        .map(|s| {
            format!(
                "| {} | {} | {} | {} | {} |",
                r.case,
                s.tag,
                s.version,
                s.queries,
                s.failures.len()
            )
        })
        .collect())
}

#[test]
fn plans_rehearse_as_rolling_deploys_without_errors() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    let chosen = common::chosen(REHEARSALS, "XC_REHEARSAL", |r| r.case);
    let results: Vec<(&str, Result<Vec<String>, String>)> =
        common::two_at_a_time(&chosen, |r| (r.case, rehearse(&harness, r)));
    let mut table = vec![
        "| case | instance | version | queries | failures |".to_string(),
        "|---|---|---|---:|---:|".into(),
    ];
    let mut failures = Vec::new();
    for (case, result) in &results {
        match result {
            Ok(rows) => table.extend(rows.iter().cloned()),
            Err(e) => failures.push(format!("{case}: {e}")),
        }
    }
    eprintln!(
        "rehearsals: {}/{} plans without a failed query, wrong read or lost write\n{}",
        results.len() - failures.len(),
        results.len(),
        table.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
