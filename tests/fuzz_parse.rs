//! Property test: no input makes parsing, resolving or rendering diagnostics panic.
//!
//! 100,000 inputs from a fixed seed (the same inputs on every run, so a failure reproduces):
//! random edits of real schemas (the bundled examples and, when present, the corpus) and
//! random soups of the schema language's own tokens.

mod common;

use prisma_xc::diagnostics::{SourceFile, Sources, render_all};

/// xorshift64*: small, deterministic, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TOKENS: &[&str] = &[
    "model",
    "view",
    "type",
    "enum",
    "datasource",
    "generator",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "@",
    "@@",
    "@id",
    "@unique",
    "@default(",
    "@relation(",
    "@map(",
    "@db.",
    "@@index([",
    "@@id([",
    ",",
    ":",
    "=",
    "?",
    "[]",
    "!",
    ".",
    "\"",
    "\\",
    "\\u",
    "\\uD800",
    "//",
    "///",
    "/*",
    "*/",
    "String",
    "Int",
    "User",
    "Post",
    "id",
    "a",
    "é",
    "Lööp",
    "0",
    "-1",
    "1.5",
    "fields:",
    "references:",
    "autoincrement()",
    "now()",
    "uuid(7)",
    "dbgenerated(\"x\")",
    "env(\"U\")",
    "provider",
    "\"postgresql\"",
    "\u{0}",
    "\u{feff}",
    "𝕏",
    "Unsupported(\"x\")",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let len = s.len();
        match rng.below(6) {
            // delete a span
            0 if len > 0 => {
                let at = rng.below(len);
                let n = rng.below(20).min(len - at);
                s.drain(at..at + n);
            }
            // insert a token
            1 => {
                let at = rng.below(len + 1);
                let tok: Vec<char> = rng.pick(TOKENS).chars().collect();
                s.splice(at..at, tok);
            }
            // duplicate a span
            2 if len > 0 => {
                let at = rng.below(len);
                let n = rng.below(60).min(len - at);
                let copy: Vec<char> = s[at..at + n].to_vec();
                let to = rng.below(len + 1);
                s.splice(to..to, copy);
            }
            // replace a character by a random code point
            3 if len > 0 => {
                let at = rng.below(len);
                s[at] = char::from_u32((rng.next() % 0x2FF) as u32).unwrap_or('?');
            }
            // truncate
            4 if len > 0 => s.truncate(rng.below(len)),
            _ => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let soup: String = (0..n).map(|_| *rng.pick(TOKENS)).collect();
                s.splice(at..at, soup.chars());
            }
        }
    }
    s.into_iter().collect()
}

/// Windows of at most `lines` lines from a seed text, so most inputs stay small and quick.
fn window(rng: &mut Rng, text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    let start = rng.below(all.len());
    let end = (start + 1 + rng.below(lines)).min(all.len());
    all[start..end].concat()
}

fn check(input: &str) {
    let mut sources = Sources::default();
    sources.add(SourceFile::new("fuzz.prisma", input));
    let loaded = prisma_xc::load(&sources);
    let _ = render_all(&loaded.diagnostics, &sources);
}

#[test]
fn no_input_panics() {
    let mut seeds: Vec<String> = ["testdata/example/old.prisma", "testdata/example/new.prisma"]
        .iter()
        .map(|p| {
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
                .expect("example")
        })
        .collect();
    if let Some(corpus) = common::corpus() {
        for path in common::corpus_schemas(&corpus) {
            if path.is_file() && path.metadata().map(|m| m.len() < 200_000).unwrap_or(false) {
                seeds.push(std::fs::read_to_string(&path).expect("corpus schema"));
            }
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    const INPUTS: usize = 100_000;
    for i in 0..INPUTS {
        let input = match i % 10 {
            // pure token soup
            0 => (0..rng.below(60)).map(|_| *rng.pick(TOKENS)).collect(),
            // a whole (small) schema, mutated
            1 => {
                let seed = rng_pick_seed(&mut rng, &seeds).to_string();
                mutate(&mut rng, &seed)
            }
            // a window of a schema, mutated
            _ => {
                let seed = rng_pick_seed(&mut rng, &seeds).to_string();
                let part = window(&mut rng, &seed, 40);
                mutate(&mut rng, &part)
            }
        };
        let result = std::panic::catch_unwind(|| check(&input));
        assert!(result.is_ok(), "input #{i} panicked:\n{input:?}");
    }
    println!("fuzz: {INPUTS} inputs, no panic");
}

fn rng_pick_seed<'a>(rng: &mut Rng, seeds: &'a [String]) -> &'a str {
    &seeds[rng.below(seeds.len())]
}
