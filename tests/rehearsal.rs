//! The bundled example's plan rehearsed as a rolling deploy of real Prisma Client applications
//! on PostgreSQL: instances built against each version's schema (`tests/rehearsal/worker.ts`)
//! run a continuous mix of queries (create with a nested relation, findUnique, update,
//! updateMany, upsert, findMany with include, count, delete) while the test walks `plan.json`'s
//! steps in order: the expand applied by the real `prisma migrate deploy` under traffic, the
//! backfill under traffic, each rollout starting the new instances before stopping the old
//! ones one by one, the contract deployed under traffic. Every Prisma error is a failed query,
//! every read that does not give back what the instance wrote a wrong read, and every write an
//! instance was told succeeded must be in the final database: the test fails on any of them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use common::plan::Env;

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
    owned: Vec<(i64, String)>,
}

/// The field a version's client names the renamed column by.
fn name_field(version: &str) -> &'static str {
    if version == "old" {
        "user_name"
    } else {
        "username"
    }
}

fn start(env: &Env, version: &str, tag: &str) -> Instance {
    let stop = env.dir.join(format!("{tag}.stop"));
    let out = env.dir.join(format!("{tag}.json"));
    let child = Command::new(&env.harness)
        .args(["bin", "tsx", "worker.ts"])
        .arg(env.dir.join(format!("gen-{version}")))
        .args([name_field(version), tag])
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
    loop {
        if instance.child.try_wait().unwrap().is_some() {
            break;
        }
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
            .filter_map(|p| Some((p[0].as_i64()?, p[1].as_str()?.to_string())))
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

#[test]
fn the_example_plan_rehearses_as_a_rolling_deploy_without_errors() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    let env = Env::with_old_deployed(
        &harness,
        "rehearsal_example",
        false,
        &example("old.prisma"),
        &example("new.prisma"),
    )
    .unwrap();
    let dir = env.dir.clone();
    env.psql(&["-c", "INSERT INTO \"User\" (email, user_name) SELECT 'seed-' || n || '@example.org', 'seed-' || n FROM generate_series(1, 200) n; INSERT INTO \"Post\" (title, \"authorId\") SELECT 'seed post', id FROM \"User\";"])
        .unwrap();
    env.xc(&[
        "diff",
        "old.prisma",
        "new.prisma",
        "--name",
        "rehearsal",
        "--out",
        "plan",
        "--timestamp",
        "20300101000000",
    ])
    .unwrap();
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan/plan.json")).unwrap())
            .unwrap();
    let steps = plan["steps"]
        .as_array()
        .expect("plan.json lists its steps")
        .clone();

    // A client per version the steps roll out, and the old one.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rehearsal/worker.ts"),
        dir.join("worker.ts"),
    )
    .unwrap();
    let schema_of = |version: &str| match version {
        "old" => "old.prisma".to_string(),
        "new" => "new.prisma".to_string(),
        _ => "plan/schema.expand.prisma".to_string(),
    };
    let mut versions = vec!["old".to_string()];
    for s in &steps {
        if let Some(v) = s["version"].as_str()
            && !versions.iter().any(|x| x == v)
        {
            versions.push(v.to_string());
        }
    }
    for v in &versions {
        let out = Command::new(&harness)
            .args(["generate", &schema_of(v), &format!("gen-{v}")])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "generate {v}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let mut running: Vec<Instance> = vec![start(&env, "old", "old1"), start(&env, "old", "old2")];
    let mut done: Vec<Summary> = Vec::new();
    let mut log = Vec::new();
    pause(4);
    let mut stamp = 1;
    for step in &steps {
        let kind = step["kind"].as_str().unwrap();
        log.push(format!(
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
                env.promote(phase, &ts).unwrap();
                let schema = if phase == "contract" {
                    "new.prisma"
                } else {
                    "plan/schema.expand.prisma"
                };
                std::fs::copy(dir.join(schema), dir.join("prisma/schema.prisma")).unwrap();
                env.deploy()
                    .unwrap_or_else(|e| panic!("deploy {phase} under traffic: {e}"));
                env.migrations_match(&dir.join(schema)).unwrap();
            }
            "backfill" => {
                let backfill = dir
                    .join("plan/3-backfill/backfill.sql")
                    .display()
                    .to_string();
                let left = env.psql(&["-f", &backfill]).unwrap();
                assert_eq!(
                    left.lines().last(),
                    Some("0"),
                    "the backfill left rows: {left}"
                );
            }
            "rollOut" => {
                // Gradually: the new instances start, then the running ones stop one by one.
                let version = step["version"].as_str().unwrap().to_string();
                let before: Vec<Instance> = std::mem::take(&mut running);
                for k in 1..=2 {
                    running.push(start(&env, &version, &format!("{version}{k}")));
                    pause(3);
                    // Old and new side by side for a while.
                }
                let mut before = before.into_iter();
                if let Some(first) = before.next() {
                    done.push(stop(first));
                }
                pause(3);
                // The rest stop at the wait step (or here when none follows).
                running.extend(before);
            }
            "waitUntilGone" => {
                let version = step["version"].as_str().unwrap();
                let (gone, stay): (Vec<Instance>, Vec<Instance>) =
                    running.into_iter().partition(|i| i.version == version);
                done.extend(gone.into_iter().map(stop));
                running = stay;
            }
            other => panic!("unknown step kind {other}"),
        }
        pause(2);
    }
    pause(3);
    done.extend(running.into_iter().map(stop));

    let mut report = vec!["| instance | version | queries | failures |".to_string()];
    for s in &done {
        report.push(format!(
            "| {} | {} | {} | {} |",
            s.tag,
            s.version,
            s.queries,
            s.failures.len()
        ));
    }
    eprintln!(
        "rehearsal of the example: {}\n{}",
        log.join(" -> "),
        report.join("\n")
    );
    let failures: Vec<&String> = done.iter().flat_map(|s| &s.failures).collect();
    assert!(
        failures.is_empty(),
        "failed queries or wrong reads:\n{}",
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        done.iter().all(|s| s.queries > 0),
        "an instance ran no query"
    );

    // Every acknowledged write is in the final database.
    let rows = env
        .psql(&["-c", "SELECT id || '=' || username FROM \"User\""])
        .unwrap();
    let rows: std::collections::HashMap<i64, String> = rows
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .and_then(|(id, name)| Some((id.parse().ok()?, name.to_string())))
        })
        .collect();
    let mut lost = Vec::new();
    for s in &done {
        for (id, name) in &s.owned {
            if rows.get(id) != Some(name) {
                lost.push(format!(
                    "{} wrote {id}={name}, the database holds {:?}",
                    s.tag,
                    rows.get(id)
                ));
            }
        }
    }
    assert!(lost.is_empty(), "lost writes:\n{}", lost.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
