//! Every recipe of the plan catalog again, with hostile names and values: each table, column
//! and enum type is `@map`ped to a name of exactly 63 bytes (PostgreSQL's limit, so that every
//! name prisma-xc derives from it must be cut) holding quotes of each kind, `$$`, `%`, `\`, a
//! line break, `--`, `*/`, `${`, `{{`, non-ASCII letters and `DROP TABLE sentinel;`; each enum
//! value and string default holds the same. The seeds, writes, checks and FILL INs of each case
//! are rewritten to the new names, and the case runs as in `tests/plan_postgres.rs`: deployed
//! phase by phase with the real Prisma CLI (on MariaDB, the harness's stand-in), drift-checked,
//! data checked, both ways back, and a `sentinel` table that must survive it all, on
//! PostgreSQL, SQLite and MariaDB. On PostgreSQL the plan's TypeScript is type-checked against
//! a Prisma Client generated from the intermediate schema.

mod common;

use std::collections::{HashMap, HashSet};

use common::plan::{CASES, Case, Engine, MYSQL_CASES, PlanCase, SQLITE_CASES, run_catalog};

/// What every hostile name and value holds, after the original name.
const HOSTILE: &str = "\"'`$$%\\\n--*/${{üDROP TABLE sentinel;--";

/// The same on SQLite, less the double quote: Prisma's own SQLite schema describer fails on a
/// table or column name that holds one (`migrate diff` and `migrate dev` then stop with "Error
/// describing the database"), so no Prisma project can have one.
const HOSTILE_SQLITE: &str = "'`$$%\\\n--*/${{üDROP TABLE sentinel;--";

/// Column names take all 63 bytes PostgreSQL keeps of an identifier, so that every name
/// prisma-xc derives from one must be cut. Tables and enum types take fewer: the names Prisma
/// itself derives from a table (`<table>_<column>_key`) and an enum (`<enum>_old`) would
/// otherwise be cut to the same name, which Prisma rejects (or PostgreSQL refuses) for any tool.
const COLUMN_BYTES: usize = 63;
const TABLE_BYTES: usize = 48;

/// A database name as its hostile twin: the name, the hostile characters, padded or cut to
/// exactly `bytes`. Catalog names are short, so two names keep two twins.
fn hostile_name(name: &str, bytes: usize, hostile: &str) -> String {
    let mut out = format!("{name}{hostile}");
    while out.len() < bytes {
        out.push('_');
    }
    while out.len() > bytes {
        out.pop();
    }
    out
}

/// An enum value or a string default as its hostile twin.
fn hostile_value(value: &str, hostile: &str) -> String {
    format!("{value}{hostile}")
}

/// A Prisma string literal.
fn prisma_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A MySQL identifier, for the SQL the plan's files hold (they run without ANSI quotes).
fn backtick(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The database names and values of a case's schemas, each with its hostile twin.
struct Twins {
    engine: Engine,
    hostile: &'static str,
    provider: prisma_xc::schema::Provider,
    /// Table, column and enum type names, and the new-typed column copies prisma-xc names
    /// after columns.
    names: HashMap<String, String>,
    /// Enum values and string defaults.
    values: HashMap<String, String>,
}

impl Twins {
    fn new(engine: Engine) -> Twins {
        use prisma_xc::schema::Provider;
        Twins {
            engine,
            hostile: if engine == Engine::Sqlite {
                HOSTILE_SQLITE
            } else {
                HOSTILE
            },
            provider: match engine {
                Engine::Sqlite => Provider::Sqlite,
                Engine::Postgres => Provider::PostgreSql,
                Engine::MariaDb => Provider::MySql,
            },
            names: HashMap::new(),
            values: HashMap::new(),
        }
    }

    /// A string literal as the database reads it: MySQL takes a backslash as an escape.
    fn sql_string(&self, value: &str) -> String {
        let value = value.replace('\'', "''");
        match self.engine {
            Engine::MariaDb => format!("'{}'", value.replace('\\', "\\\\")),
            _ => format!("'{value}'"),
        }
    }

    fn name(&mut self, name: &str, bytes: usize) -> String {
        let mut twin = hostile_name(name, bytes, self.hostile);
        // MySQL refuses a name that ends with a space, whoever writes it.
        if self.engine == Engine::MariaDb && twin.ends_with(' ') {
            twin.pop();
            twin.push('_');
        }
        let copy = |n: &str| prisma_xc::database::owned_name(n, "xc_new", self.provider);
        self.names.insert(copy(name), copy(&twin));
        self.names.insert(name.to_string(), twin.clone());
        twin
    }

    fn value(&mut self, value: &str) -> String {
        let twin = hostile_value(value, self.hostile);
        self.values.insert(value.to_string(), twin.clone());
        twin
    }
}

/// The argument of `@attr("...")` on a line, with where it stands.
fn string_argument(line: &str, attr: &str) -> Option<(usize, usize, String)> {
    let start = line.find(&format!("{attr}(\""))?;
    let open = start + attr.len() + 1;
    let close = open + 1 + line[open + 1..].find('"')?;
    Some((start, close + 2, line[open + 1..close].to_string()))
}

/// The schema with every table, column and enum type `@map`ped to its hostile twin, and every
/// enum value and string default replaced by its own.
fn hostile_schema(body: &str, twins: &mut Twins) -> String {
    let top_names = |keyword: &str| -> HashSet<String> {
        body.lines()
            .filter_map(|l| l.strip_prefix(keyword))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    };
    let models = top_names("model ");
    let mut out = Vec::new();
    // The block being read: (keyword, name, whether it has its own @@map).
    let mut block: Option<(&str, String, bool)> = None;
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some((keyword, rest)) = ["model ", "enum "]
            .iter()
            .find_map(|k| trimmed.strip_prefix(k).map(|r| (*k, r)))
        {
            let name = rest.split_whitespace().next().unwrap_or("").to_string();
            block = Some((keyword.trim(), name, false));
            out.push(line.to_string());
            continue;
        }
        let Some((keyword, name, mapped)) = &mut block else {
            out.push(line.to_string());
            continue;
        };
        if trimmed == "}" {
            if !*mapped {
                out.push(format!(
                    "  @@map({})",
                    prisma_string(&twins.name(name, TABLE_BYTES))
                ));
            }
            out.push(line.to_string());
            block = None;
            continue;
        }
        if trimmed.starts_with("@@map(") {
            let (start, end, value) = string_argument(line, "@@map").unwrap();
            *mapped = true;
            let twin = twins.name(&value, TABLE_BYTES);
            out.push(format!(
                "{}@@map({}){}",
                &line[..start],
                prisma_string(&twin),
                &line[end..]
            ));
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with("@@") || trimmed.starts_with("//") {
            out.push(line.to_string());
            continue;
        }
        // Comments (`// prisma-xc: renamed from ...`) stay last on their line.
        let (code, comment) = match line.find("//") {
            Some(i) => (&line[..i], &line[i..]),
            None => (line, ""),
        };
        let mut code = code.trim_end().to_string();
        let field = trimmed.split_whitespace().next().unwrap_or("").to_string();
        if *keyword == "enum" {
            code.push_str(&format!(" @map({})", prisma_string(&twins.value(&field))));
        } else {
            let field_type = trimmed
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(['?', ']', '['])
                .to_string();
            if models.contains(&field_type) {
                out.push(line.to_string());
                continue;
            }
            if let Some((start, end, value)) = string_argument(&code, "@default") {
                let twin = twins.value(&value);
                code = format!(
                    "{}@default({}){}",
                    &code[..start],
                    prisma_string(&twin),
                    &code[end..]
                );
            }
            match string_argument(&code, "@map") {
                Some((start, end, value)) => {
                    let twin = twins.name(&value, COLUMN_BYTES);
                    code = format!(
                        "{}@map({}){}",
                        &code[..start],
                        prisma_string(&twin),
                        &code[end..]
                    );
                }
                None => {
                    let twin = twins.name(&field, COLUMN_BYTES);
                    code.push_str(&format!(" @map({})", prisma_string(&twin)));
                }
            }
        }
        out.push(if comment.is_empty() {
            code
        } else {
            format!("{code} {comment}")
        });
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// SQL of a case with its names and values replaced by their twins: quoted and bare
/// identifiers that name a table, column or enum type, and string literals that hold an enum
/// value or a default. Function names (a word before `(`) stay.
fn hostile_sql(sql: &str, twins: &Twins) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' || c == '`' {
            let mut j = i + 1;
            let mut text = String::new();
            while j < chars.len() {
                if chars[j] == c {
                    if chars.get(j + 1) == Some(&c) {
                        text.push(c);
                        j += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[j]);
                j += 1;
            }
            out.push_str(
                &match (c, twins.names.get(&text), twins.values.get(&text)) {
                    ('"', Some(twin), _) => quote(twin),
                    ('`', Some(twin), _) => backtick(twin),
                    ('\'', _, Some(twin)) => twins.sql_string(twin),
                    _ => chars[i..=j.min(chars.len() - 1)].iter().collect(),
                },
            );
            i = j + 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let is_call = chars.get(j) == Some(&'(');
            let qualified = i > 0 && chars[i - 1] == '.';
            match twins.names.get(&word) {
                Some(twin) if !is_call && !qualified => out.push_str(&quote(twin)),
                _ => out.push_str(&word),
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// A check's expected output with enum values and defaults (whole words) and quoted type
/// names replaced by their twins.
fn hostile_output(text: &str, twins: &Twins) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match twins.values.get(word.as_str()) {
            Some(twin) => out.push_str(twin),
            None => out.push_str(word),
        }
        word.clear();
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '"'
            && let Some(end) = rest[1..].find('"')
            && let Some(twin) = twins.names.get(&rest[1..1 + end])
        {
            flush(&mut word, &mut out);
            out.push_str(&quote(twin));
            rest = &rest[end + 2..];
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut word, &mut out);
    out
}

/// The FILL IN placeholder of a table's column (`FILL_IN_Person_email`, `..._back`) as the plan
/// writes it for the twins.
fn hostile_placeholder(placeholder: &str, twins: &Twins) -> String {
    let token = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    for (table, table_twin) in &twins.names {
        for (column, column_twin) in &twins.names {
            let plain = format!("FILL_IN_{}", token(&format!("{table}.{column}")));
            let twin = format!("FILL_IN_{}", token(&format!("{table_twin}.{column_twin}")));
            if placeholder == plain {
                return twin;
            }
            // The second FILL IN of one column (two enum values moved).
            if placeholder == format!("{plain}_2") {
                return format!("{twin}_2");
            }
            if placeholder == format!("{plain}_back") {
                return format!("FILL_IN_{}_{}_back", token(table_twin), token(column_twin));
            }
        }
    }
    panic!("placeholder {placeholder} names no table and column of its case");
}

fn hostile_case(case: &Case, engine: Engine) -> PlanCase {
    let mut twins = Twins::new(engine);
    let old = hostile_schema(case.old, &mut twins);
    let new = hostile_schema(case.new, &mut twins);
    // Checks that read the catalog name indexes and tables by their plain names: the drift
    // checks already compare every name.
    let check = if common::plan::reads_catalog(case.check.0) {
        ("SELECT 1".to_string(), "1".to_string())
    } else {
        (
            hostile_sql(case.check.0, &twins),
            hostile_output(case.check.1, &twins),
        )
    };
    PlanCase {
        name: format!("hostile_{}", case.name),
        old,
        new,
        flags: case.flags.iter().map(|f| f.to_string()).collect(),
        seed: hostile_sql(case.seed, &twins),
        mixed: hostile_sql(case.mixed, &twins),
        fill_in: (case.fill_in.iter())
            .map(|(p, e)| (hostile_placeholder(p, &twins), hostile_sql(e, &twins)))
            .collect(),
        check,
        guarded: case.guarded,
        sentinel: true,
        type_check: engine == Engine::Postgres,
    }
}

#[test]
fn names_and_values_are_rewritten_consistently() {
    let mut twins = Twins::new(Engine::Postgres);
    let schema = hostile_schema(
        "model User {\n  id   Int    @id\n  plan String @default(\"free\") // note\n  team Team   @relation(fields: [id], references: [id])\n}\n\nmodel Team {\n  id Int @id\n  users User[]\n\n  @@map(\"teams\")\n}\n\nenum Size {\n  S\n}\n",
        &mut twins,
    );
    assert!(
        schema.contains(&format!(
            "plan String @default({}) @map({}) // note",
            prisma_string(&hostile_value("free", HOSTILE)),
            prisma_string(&hostile_name("plan", COLUMN_BYTES, HOSTILE))
        )),
        "{schema}"
    );
    assert!(
        schema.contains("  team Team   @relation(fields: [id], references: [id])\n"),
        "{schema}"
    );
    assert!(
        schema.contains(&format!(
            "@@map({})",
            prisma_string(&hostile_name("teams", TABLE_BYTES, HOSTILE))
        )),
        "{schema}"
    );
    assert_eq!(hostile_name("id", COLUMN_BYTES, HOSTILE).len(), 63);
    let sql = hostile_sql(
        "INSERT INTO \"User\" (id, plan) VALUES (1, 'free'), (2, 'pro'); SELECT lower(plan) FROM teams",
        &twins,
    );
    assert_eq!(
        sql,
        format!(
            "INSERT INTO {} ({}, {}) VALUES (1, {}), (2, 'pro'); SELECT lower({}) FROM {}",
            quote(&hostile_name("User", TABLE_BYTES, HOSTILE)),
            quote(&hostile_name("id", COLUMN_BYTES, HOSTILE)),
            quote(&hostile_name("plan", COLUMN_BYTES, HOSTILE)),
            twins.sql_string(&hostile_value("free", HOSTILE)),
            quote(&hostile_name("plan", COLUMN_BYTES, HOSTILE)),
            quote(&hostile_name("teams", TABLE_BYTES, HOSTILE)),
        )
    );
    assert_eq!(
        hostile_output("1=free,2=S", &twins),
        format!(
            "1={},2={}",
            hostile_value("free", HOSTILE),
            hostile_value("S", HOSTILE)
        )
    );
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_postgres),
    ignore = "needs Node.js and npm, PostgreSQL server binaries"
)]
fn every_recipe_deploys_with_hostile_names_on_postgres() {
    let Some(harness) = common::harness_with_postgres() else {
        return;
    };
    let cases: Vec<PlanCase> = (CASES.iter())
        .map(|c| hostile_case(c, Engine::Postgres))
        .collect();
    run_catalog(&harness, &cases, Engine::Postgres);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_sqlite3),
    ignore = "needs Node.js and npm, the sqlite3 shell"
)]
fn every_recipe_deploys_with_hostile_names_on_sqlite() {
    let Some(harness) = common::harness_with_sqlite3() else {
        return;
    };
    let cases: Vec<PlanCase> = (SQLITE_CASES.iter())
        .map(|c| hostile_case(c, Engine::Sqlite))
        .collect();
    run_catalog(&harness, &cases, Engine::Sqlite);
}

#[test]
#[cfg_attr(
    any(xc_no_node, xc_no_mariadb),
    ignore = "needs Node.js and npm, MariaDB server binaries"
)]
fn every_recipe_deploys_with_hostile_names_on_mariadb() {
    let Some(harness) = common::harness_with_mariadb() else {
        return;
    };
    let cases: Vec<PlanCase> = (MYSQL_CASES.iter())
        .map(|c| hostile_case(c, Engine::MariaDb))
        .collect();
    run_catalog(&harness, &cases, Engine::MariaDb);
}
