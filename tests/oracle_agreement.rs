//! prisma-xc accepts and rejects what the real Prisma (`prisma validate`, 6.19.3) does.
//!
//! Every single-file corpus schema that Prisma accepts gets one random edit (delete a line,
//! drop a brace, duplicate a field, corrupt a type name) from a fixed seed; both tools judge
//! the result. Syntax-level agreement must be total; every other disagreement is printed.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Prisma's messages for errors of its parser (not of its validator).
const PRISMA_SYNTAX_ERRORS: &[&str] = &[
    "This line is invalid",
    "This line is not a valid field or attribute definition",
    "This block is invalid",
    "It is either missing a name or a type",
    "This line is not an enum value definition",
    "This line is not a valid definition within",
    "escape sequence",
    "Invalid type definition",
    "don't require a `:`",
    "`!` is no longer required",
    "instead of `[Type]`",
    "Optional lists are not supported",
];

#[derive(Clone, Copy, Debug)]
enum Mutation {
    DeleteLine,
    DropBrace,
    DuplicateField,
    CorruptType,
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Lines that declare a field: inside a model, starting with a name and a type.
fn field_lines(lines: &[&str]) -> Vec<usize> {
    let mut in_model = false;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with("model ") && t.ends_with('{') {
            in_model = true;
        } else if t.starts_with('}') {
            in_model = false;
        } else if in_model
            && t.split_whitespace().count() >= 2
            && t.starts_with(|c: char| c.is_alphabetic())
        {
            out.push(i);
        }
    }
    out
}

fn mutate(text: &str, m: Mutation, rng: &mut Rng) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    match m {
        Mutation::DeleteLine => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| {
                    let t = lines[i].trim();
                    !t.is_empty() && !t.starts_with("//")
                })
                .collect();
            let i = candidates[rng.below(candidates.len())];
            out.remove(i);
        }
        Mutation::DropBrace => {
            let braces: Vec<(usize, usize)> = lines
                .iter()
                .enumerate()
                .flat_map(|(i, l)| {
                    l.char_indices()
                        .filter(|(_, c)| *c == '{' || *c == '}')
                        .map(move |(j, _)| (i, j))
                })
                .collect();
            let (i, j) = *braces.get(rng.below(braces.len()))?;
            out[i].remove(j);
        }
        Mutation::DuplicateField => {
            let fields = field_lines(&lines);
            let i = *fields.get(rng.below(fields.len()))?;
            out.insert(i + 1, lines[i].to_string());
        }
        Mutation::CorruptType => {
            let fields = field_lines(&lines);
            let i = *fields.get(rng.below(fields.len()))?;
            let line = lines[i];
            let name_end = line.find(|c: char| !c.is_whitespace())?
                + line.trim_start().find(char::is_whitespace)?;
            let type_start = name_end + line[name_end..].find(|c: char| !c.is_whitespace())?;
            let type_len = line[type_start..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(line.len() - type_start);
            if type_len < 2 {
                return None;
            }
            // Swap two letters: `String` -> `Stirng`, the typo a person makes.
            let mut t: Vec<char> = line[type_start..type_start + type_len].chars().collect();
            let k = 1 + rng.below(t.len() - 1);
            t.swap(k - 1, k);
            if t.iter().collect::<String>() == line[type_start..type_start + type_len] {
                t.push('x');
            }
            out[i] = format!(
                "{}{}{}",
                &line[..type_start],
                t.iter().collect::<String>(),
                &line[type_start + type_len..]
            );
        }
    }
    Some(out.join("\n"))
}

struct Verdict {
    name: String,
    mutation: Mutation,
    ours_rejects: bool,
    ours_syntax: bool,
    ours_first: String,
    prisma_rejects: bool,
    prisma_syntax: bool,
    prisma_first: String,
}

fn prisma_validate(harness: &Path, schema: &Path) -> (bool, String) {
    let out = Command::new(harness)
        .arg("validate")
        .arg(schema)
        .output()
        .expect("run harness");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (!out.status.success(), text)
}

#[test]
#[cfg_attr(
    any(xc_no_corpus, xc_no_node),
    ignore = "needs ../shared/corpus, Node.js and npm"
)]
fn mutated_schemas_agree_with_prisma_validate() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let Some(harness) = common::harness() else {
        return;
    };
    let rejects: HashSet<String> = common::read_tsv(&corpus.join("PRISMA6-REJECTS.tsv"))
        .into_iter()
        .map(|r| r["schema"].clone())
        .collect();
    let schemas: Vec<PathBuf> = common::corpus_schemas(&corpus)
        .into_iter()
        .filter(|p| p.is_file())
        .filter(|p| !rejects.contains(&p.file_name().unwrap().to_string_lossy().to_string()))
        .filter(|p| !p.to_string_lossy().contains("bigschema"))
        .collect();
    let work = std::env::temp_dir().join(format!("prisma-xc-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let kinds = [
        Mutation::DeleteLine,
        Mutation::DropBrace,
        Mutation::DuplicateField,
        Mutation::CorruptType,
    ];
    let mut jobs = Vec::new();
    for (n, path) in schemas.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let kind = kinds[n % kinds.len()];
        let Some(mutated) =
            mutate(&text, kind, &mut rng).or_else(|| mutate(&text, Mutation::DeleteLine, &mut rng))
        else {
            continue;
        };
        let file = work.join(format!(
            "{n:03}-{}",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&file, &mutated).unwrap();
        jobs.push((
            path.file_name().unwrap().to_string_lossy().to_string(),
            kind,
            file,
        ));
    }
    assert!(
        jobs.len() >= 100,
        "at least 100 mutated schemas, got {}",
        jobs.len()
    );
    let queue = Mutex::new(jobs.into_iter());
    let verdicts = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some((name, mutation, file)) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let (sources, loaded) = common::load_path(&file);
                    let errors: Vec<_> =
                        loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
                    let parse_errors = prisma_xc::parse::parse(
                        &sources.files[0].text,
                        prisma_xc::diagnostics::FileId(0),
                    )
                    .diagnostics;
                    let (prisma_rejects, text) = prisma_validate(&harness, &file);
                    let prisma_first = text
                        .lines()
                        .find(|l| l.starts_with("error:"))
                        .unwrap_or("")
                        .to_string();
                    verdicts.lock().unwrap().push(Verdict {
                        name,
                        mutation,
                        ours_rejects: !errors.is_empty(),
                        ours_syntax: parse_errors.iter().any(|d| d.is_error()),
                        ours_first: errors
                            .first()
                            .map(|d| d.message.clone())
                            .unwrap_or_default(),
                        prisma_rejects,
                        prisma_syntax: PRISMA_SYNTAX_ERRORS.iter().any(|m| text.contains(m)),
                        prisma_first,
                    });
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&work);
    let mut verdicts = verdicts.into_inner().unwrap();
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    let agree = verdicts
        .iter()
        .filter(|v| v.ours_rejects == v.prisma_rejects)
        .count();
    let syntax_cases: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| v.prisma_syntax || v.ours_syntax)
        .collect();
    let syntax_disagreements: Vec<&&Verdict> = syntax_cases
        .iter()
        .filter(|v| !(v.ours_rejects && v.prisma_rejects))
        .collect();
    println!(
        "oracle agreement: {agree} of {} mutated schemas judged alike; syntax-level {} of {} alike",
        verdicts.len(),
        syntax_cases.len() - syntax_disagreements.len(),
        syntax_cases.len()
    );
    for v in verdicts
        .iter()
        .filter(|v| v.ours_rejects != v.prisma_rejects)
    {
        println!(
            "  disagree {} ({:?}): prisma-xc {} [{}], Prisma {} [{}]",
            v.name,
            v.mutation,
            if v.ours_rejects { "rejects" } else { "accepts" },
            v.ours_first,
            if v.prisma_rejects {
                "rejects"
            } else {
                "accepts"
            },
            v.prisma_first
        );
    }
    assert!(
        syntax_disagreements.is_empty(),
        "syntax-level disagreements: {}",
        syntax_disagreements.len()
    );
    // Every mutated schema is judged as Prisma judges it (148 of 148 when this was written): a
    // disagreement of any kind, listed above, fails.
    assert_eq!(
        agree,
        verdicts.len(),
        "{} mutated schemas judged otherwise than by Prisma",
        verdicts.len() - agree
    );
}
