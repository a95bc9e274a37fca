//! Where a database is in a plan (`prisma-xc status PLAN`): each of plan.json's steps as the
//! database shows it, from the rows `prisma migrate deploy` wrote to `_prisma_migrations` and
//! the rows the backfill still has to fill. Rollouts leave no trace in the database: they are
//! reported as such, never guessed.
//!
//! Pure: the caller (the binary) runs [`MIGRATIONS_QUERY`] and [`backfill_query`] on the
//! database and hands the answers in.

use crate::plan::runbook::{MigrationPhase, Step};
use crate::plan::{Migration, Plan};
use crate::schema::Provider;

/// A row of `_prisma_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub name: String,
    pub finished: bool,
    pub rolled_back: bool,
}

/// The rows of `_prisma_migrations`, one `name|finished|rolled_back` line each (psql -At and
/// sqlite3 both separate columns with `|`).
pub const MIGRATIONS_QUERY: &str = "SELECT migration_name, CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END, CASE WHEN rolled_back_at IS NULL THEN 0 ELSE 1 END FROM _prisma_migrations ORDER BY started_at";

/// Reads [`MIGRATIONS_QUERY`]'s output.
pub fn parse_migrations(text: &str) -> Vec<AppliedMigration> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.rsplitn(3, '|');
            let rolled_back = parts.next()?.trim() == "1";
            let finished = parts.next()?.trim() == "1";
            Some(AppliedMigration {
                name: parts.next()?.to_string(),
                finished,
                rolled_back,
            })
        })
        .collect()
}

/// One count of the rows the backfill has still to fill, summed over its tables; `None` when
/// the plan has no backfill.
pub fn backfill_query(plan: &Plan, provider: Provider) -> Option<String> {
    crate::sql::backfill::pending_total(&plan.backfill, provider)
}

/// How the `mysql` client reaches the database of a Prisma `mysql://` URL: its arguments, and
/// the password, which goes in `MYSQL_PWD` rather than on a command line others can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MySqlClient {
    pub args: Vec<String>,
    pub password: Option<String>,
}

/// Reads `mysql://USER:PASSWORD@HOST:PORT/DATABASE?socket=...` as Prisma does: parts
/// percent-decoded, port 3306 unless given, TCP unless a `socket` is given (the client would
/// take `localhost` for its socket). TLS settings stay with the client's option files
/// (`~/.my.cnf`), which it reads as usual.
pub fn mysql_client(url: &str) -> Result<MySqlClient, String> {
    let not = |why: &str| {
        format!("{why} in the MySQL URL: expected mysql://USER:PASSWORD@HOST:PORT/DATABASE")
    };
    let rest = (url.strip_prefix("mysql://"))
        .or_else(|| url.strip_prefix("mariadb://"))
        .ok_or_else(|| not("no mysql:// scheme"))?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = rest.split_once('/').ok_or_else(|| not("no database"))?;
    let database = percent_decoded(database)?;
    if database.is_empty() {
        return Err(not("no database"));
    }
    let (credentials, host) = match authority.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, authority),
    };
    let (user, password) = match credentials.map(|c| c.split_once(':').unwrap_or((c, ""))) {
        Some((u, p)) => (Some(percent_decoded(u)?), Some(percent_decoded(p)?)),
        None => (None, None),
    };
    // `[::1]:3306`: the port follows the bracket.
    let (host, port) = match host.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p),
        _ => (host, "3306"),
    };
    if port.parse::<u16>().is_err() {
        return Err(not(&format!("port {port:?} is not a number")));
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let socket = (query.split('&'))
        .find_map(|kv| kv.strip_prefix("socket="))
        .map(percent_decoded)
        .transpose()?;
    let mut args = vec![
        "--batch".to_string(),
        "--skip-column-names".into(),
        "--raw".into(),
    ];
    match socket {
        Some(socket) => args.push(format!("--socket={socket}")),
        None => args.extend([
            "--protocol=TCP".to_string(),
            format!(
                "--host={}",
                if host.is_empty() { "localhost" } else { host }
            ),
            format!("--port={port}"),
        ]),
    }
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        args.push(format!("--user={user}"));
    }
    args.push(format!("--database={database}"));
    Ok(MySqlClient {
        args,
        password: password.filter(|p| !p.is_empty()),
    })
}

/// `%XX` sequences decoded; one that does not make UTF-8 is an error, not a guess.
fn percent_decoded(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("{text:?} has a % not followed by two hex digits"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// What the database shows of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Done(String),
    /// A migration Prisma recorded as failed (neither finished nor rolled back).
    Failed(String),
    /// Begun, or ready to begin: what is left.
    Left(String),
    /// Not begun.
    NotYet(String),
    /// Not visible in the database (rollouts, waits).
    Unseen,
}

#[derive(Debug)]
pub struct StepStatus {
    pub number: usize,
    pub title: String,
    pub state: StepState,
}

/// The plan's folder as `promote` stamps it: the timestamp changes, the rest stays.
fn same_folder(plan_folder: &str, applied: &str) -> bool {
    use crate::write::name_after_timestamp;
    plan_folder.contains('_') && name_after_timestamp(plan_folder) == name_after_timestamp(applied)
}

/// Whether `folders` (a migrations folder's, or `_prisma_migrations`' names) hold one of the
/// plan's migrations, as `promote` stamped it.
pub fn holds_any(plan: &[Migration], folders: &[String]) -> bool {
    (plan.iter()).any(|m| folders.iter().any(|f| same_folder(&m.folder, f)))
}

/// The plan folder is applied: a row of it finished and was not rolled back.
fn is_applied(folder: &Migration, applied: &[AppliedMigration]) -> bool {
    (applied.iter()).any(|a| same_folder(&folder.folder, &a.name) && a.finished && !a.rolled_back)
}

/// Whether [`backfill_query`] can run: the expand's columns exist (every expand migration is
/// applied) and the contract is not fully applied (its last migration drops the old ones; a
/// count that fails once the contract has begun means no more than that).
pub fn backfill_countable(plan: &Plan, applied: &[AppliedMigration]) -> bool {
    let is_applied = |f: &Migration| is_applied(f, applied);
    plan.expand.iter().all(is_applied) && !plan.contract.iter().all(is_applied)
}

/// Whether any contract migration has run (finished or not).
pub fn contract_begun(plan: &Plan, applied: &[AppliedMigration]) -> bool {
    (plan.contract.iter()).any(|f| applied.iter().any(|a| same_folder(&f.folder, &a.name)))
}

/// Each step's state. `backfill_left`: the rows [`backfill_query`] counted, when it could run
/// (the expand's columns exist).
pub fn assess(
    plan: &Plan,
    applied: &[AppliedMigration],
    backfill_left: Option<u64>,
) -> Vec<StepStatus> {
    let phase_state = |folders: &[Migration]| -> (usize, Option<String>) {
        let mut done = 0;
        let mut failed = None;
        for f in folders {
            if is_applied(f, applied) {
                done += 1;
            } else if let Some(a) = (applied.iter())
                .find(|a| same_folder(&f.folder, &a.name) && !a.finished && !a.rolled_back)
            {
                failed = Some(a.name.clone());
            }
        }
        (done, failed)
    };
    let (expand_done, expand_failed) = phase_state(&plan.expand);
    let (contract_done, contract_failed) = phase_state(&plan.contract);
    let expand_complete = expand_done == plan.expand.len();
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let state = match step {
                Step::ApplyMigrations { phase } => {
                    let (folders, done, failed) = match phase {
                        MigrationPhase::Expand => (&plan.expand, expand_done, &expand_failed),
                        MigrationPhase::Contract => {
                            (&plan.contract, contract_done, &contract_failed)
                        }
                    };
                    let count = format!("{done} of {} migrations applied", folders.len());
                    match failed {
                        Some(name) => StepState::Failed(format!(
                            "{count}; `{name}` failed: PLAN.md, step {}, says what to do if a migration fails half-way",
                            i + 1
                        )),
                        None if done == folders.len() => StepState::Done(count),
                        None if done == 0 => StepState::NotYet(count),
                        None => StepState::Left(count),
                    }
                }
                Step::Backfill if contract_done == plan.contract.len() && contract_done > 0 => {
                    StepState::Done("the contract is applied".into())
                }
                Step::Backfill => match (expand_complete, backfill_left) {
                    (true, Some(0)) => StepState::Done("every row is filled".into()),
                    (true, Some(n)) => StepState::Left(format!("{n} rows left to fill")),
                    (true, None) => StepState::Left("rows not counted".into()),
                    (false, _) => StepState::NotYet("the expand is not applied".into()),
                },
                Step::RollOut { .. } | Step::WaitUntilGone { .. } => StepState::Unseen,
            };
            StepStatus {
                number: i + 1,
                title: step.title(),
                state,
            }
        })
        .collect()
}

/// The report `prisma-xc status` prints; whether a migration failed.
pub fn render(plan: &Plan, steps: &[StepStatus]) -> (String, bool) {
    let mut out = format!("plan `{}` ({}):\n", plan.name, plan.provider.name());
    let mut failed = false;
    for s in steps {
        let (mark, detail) = match &s.state {
            StepState::Done(d) => ("done", d.as_str()),
            StepState::Failed(d) => {
                failed = true;
                ("FAILED", d.as_str())
            }
            StepState::Left(d) => ("begun", d.as_str()),
            StepState::NotYet(d) => ("not yet", d.as_str()),
            StepState::Unseen => ("?", "not visible in the database: check your deployments"),
        };
        out.push_str(&format!(
            "  {mark:<8} step {}: {}: {detail}\n",
            s.number, s.title
        ));
    }
    // The next step: the first the database shows as not done, with the rollouts before it
    // (which it cannot show) named as what must be true first.
    let next = steps
        .iter()
        .position(|s| !matches!(s.state, StepState::Done(_) | StepState::Unseen));
    let steps_named = |numbers: &[usize]| match numbers {
        [one] => format!("step {one} is"),
        [init @ .., last] => format!(
            "steps {} and {last} are",
            init.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [] => String::new(),
    };
    match next {
        None => {
            // Rollouts after the last step the database shows: only the user can tell.
            let trailing: Vec<usize> = (steps.iter().rev())
                .take_while(|s| s.state == StepState::Unseen)
                .map(|s| s.number)
                .collect();
            if trailing.is_empty() {
                out.push_str("every step is done\n");
            } else {
                let mut trailing = trailing;
                trailing.reverse();
                out.push_str(&format!(
                    "the database shows every step it can as done: the plan ends once {} done\n",
                    steps_named(&trailing)
                ));
            }
        }
        Some(k) => {
            let mut unseen: Vec<usize> = (steps[..k].iter().rev())
                .take_while(|s| s.state == StepState::Unseen)
                .map(|s| s.number)
                .collect();
            unseen.reverse();
            out.push_str(&format!("next: step {}: {}", k + 1, steps[k].title));
            if !unseen.is_empty() {
                out.push_str(&format!(" (once {} done)", steps_named(&unseen)));
            }
            out.push('\n');
        }
    }
    (out, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_urls_become_client_arguments() {
        let tcp = |host: &str, port: &str, rest: &[&str]| {
            let mut args: Vec<String> =
                ["--batch", "--skip-column-names", "--raw", "--protocol=TCP"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            args.push(format!("--host={host}"));
            args.push(format!("--port={port}"));
            args.extend(rest.iter().map(|s| s.to_string()));
            args
        };
        let cases: &[(&str, Vec<String>, Option<&str>)] = &[
            (
                "mysql://root:s%40cr%3At@db.example.org:3307/shop?connection_limit=5",
                tcp(
                    "db.example.org",
                    "3307",
                    &["--user=root", "--database=shop"],
                ),
                Some("s@cr:t"),
            ),
            (
                "mysql://app@localhost/my%20db",
                tcp("localhost", "3306", &["--user=app", "--database=my db"]),
                None,
            ),
            (
                "mysql://u:p@[::1]:3306/d",
                tcp("::1", "3306", &["--user=u", "--database=d"]),
                Some("p"),
            ),
            (
                "mysql://u@localhost/d?socket=%2Frun%2Fmysqld.sock",
                [
                    "--batch",
                    "--skip-column-names",
                    "--raw",
                    "--socket=/run/mysqld.sock",
                    "--user=u",
                    "--database=d",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                None,
            ),
        ];
        for (url, args, password) in cases {
            let client = mysql_client(url).unwrap();
            assert_eq!(&client.args, args, "{url}");
            assert_eq!(client.password.as_deref(), *password, "{url}");
        }
        for bad in [
            "postgresql://u@h/d",
            "mysql://u@h",
            "mysql://u@h:port/d",
            "mysql://u@h/%zz",
            "mysql://u@h/",
        ] {
            assert!(mysql_client(bad).is_err(), "{bad}");
        }
    }

    fn plan() -> Plan {
        crate::plan::PlanJson::from_json(
            r#"{
              "version": 1, "name": "x", "provider": "postgresql",
              "steps": [
                {"kind": "applyMigrations", "phase": "expand"},
                {"kind": "backfill"},
                {"kind": "rollOut", "version": "new", "dualWrite": false, "why": "w"},
                {"kind": "waitUntilGone", "version": "old"},
                {"kind": "applyMigrations", "phase": "contract"}
              ],
              "expand": [{"folder": "20300101000000_x_expand"}, {"folder": "20300101000000_x_expand_02_index"}],
              "contract": [{"folder": "20300101000000_x_contract"}],
              "backfill": [{"model": "User", "table": "User", "schema": null, "key": [["id", "integer"]],
                "assignments": [{"column": "b", "sqlType": "text", "source": {"kind": "column", "column": "a", "cast": null},
                  "pending": "a IS DISTINCT FROM b", "doneWhen": "a IS NOT DISTINCT FROM b", "why": "w"}]}]
            }"#,
        )
        .unwrap()
        .plan
    }

    fn applied(rows: &str) -> Vec<AppliedMigration> {
        parse_migrations(rows)
    }

    #[test]
    fn each_step_as_the_database_shows_it() {
        let plan = plan();
        let states = |rows: &str, left: Option<u64>| -> Vec<StepState> {
            assess(&plan, &applied(rows), left)
                .into_iter()
                .map(|s| s.state)
                .collect()
        };
        let next = |rows: &str, left: Option<u64>| -> String {
            let (text, _) = render(&plan, &assess(&plan, &applied(rows), left));
            text.lines().last().unwrap().to_string()
        };
        let init = "20200101000000_init|1|0\n";
        assert_eq!(next(init, None), "next: step 1: apply the expand");
        // Promote's own timestamps; a failed index build, then rolled back and applied.
        let half =
            format!("{init}20991231000000_x_expand|1|0\n20991231000000_x_expand_02_index|0|0\n");
        assert!(
            matches!(&states(&half, None)[0], StepState::Failed(d) if d.contains("x_expand_02_index` failed"))
        );
        let expanded = format!(
            "{init}20991231000000_x_expand|1|0\n20991231000000_x_expand_02_index|0|1\n20991231000001_x_expand_02_index|1|0\n"
        );
        assert_eq!(
            states(&expanded, Some(12))[1],
            StepState::Left("12 rows left to fill".into())
        );
        assert_eq!(next(&expanded, Some(12)), "next: step 2: backfill");
        assert_eq!(
            next(&expanded, Some(0)),
            "next: step 5: apply the contract (once steps 3 and 4 are done)"
        );
        let contracted = format!("{expanded}20991231000002_x_contract|1|0\n");
        assert_eq!(next(&contracted, None), "every step is done");
    }

    #[test]
    fn the_backfill_count_quotes_its_table() {
        let mut plan = plan();
        plan.backfill[0].table = "we\"ird".into();
        assert_eq!(
            backfill_query(&plan, Provider::PostgreSql).unwrap(),
            "SELECT (SELECT count(*) FROM \"we\"\"ird\" WHERE (a IS DISTINCT FROM b))"
        );
    }
}
