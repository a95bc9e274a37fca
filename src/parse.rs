//! Schema text -> syntax tree, with every syntax error collected as a diagnostic.
//!
//! The grammar (`grammar/prisma.pest`) always succeeds: lines it cannot read become catch-all
//! nodes, which this module reports and skips, so one bad line never hides the errors after it.

use pest::Parser as _;
use pest::iterators::Pair;

use crate::ast::*;
use crate::diagnostics::{Diagnostic, FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/prisma.pest"]
struct PslParser;

/// Deeper nesting of `(` and `[` than any real schema has; the limit keeps the recursive
/// descent far from the stack's end on hostile input.
const MAX_NESTING: usize = 64;

#[derive(Debug, Clone)]
pub struct Parsed {
    pub ast: SchemaAst,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one file. Never fails: problems are in `diagnostics`.
pub fn parse(text: &str, file: FileId) -> Parsed {
    parse_files(&[(text, file)])
        .pop()
        .expect("one parse per file")
}

/// Parse several files at once (the files of both sides of a diff), one [`Parsed`] per file,
/// in order. Never fails: problems are in `diagnostics`.
///
/// A large file is cut at top-level block ends into chunks of about [`CHUNK_BYTES`], parsed on
/// one thread per core. Small chunks keep pest's token queue small, so its memory is reused
/// from chunk to chunk instead of growing with the file (on a 30k-line schema that saves tens
/// of megabytes and the page faults that come with them). A chunk whose text another chunk
/// has too (the blocks a change left alone are most of the two schemas of a diff) is parsed
/// once; its copies get the tree with their own spans. The result is the same as one
/// sequential parse of each file whenever no chunk has an error (a `}` alone at the start of a
/// line always closes a block in a valid schema); when one has, its file is parsed again as a
/// whole, so diagnostics and recovery are exactly the sequential ones.
pub fn parse_files(files: &[(&str, FileId)]) -> Vec<Parsed> {
    parse_files_reusing(files, &[])
}

/// [`parse_files`], taking the syntax trees of earlier files (parsed before, without errors)
/// for every chunk of text they share instead of parsing it again: the intermediate schema of a
/// plan is the new schema with a few blocks edited, so most of it was parsed already.
pub fn parse_files_reusing(
    files: &[(&str, FileId)],
    earlier: &[(&str, &SchemaAst)],
) -> Vec<Parsed> {
    // Chunk text -> (where it was, its top-level blocks).
    let mut known: crate::hashing::FastMap<&str, (usize, &[crate::ast::Top])> =
        crate::hashing::FastMap::default();
    for &(text, ast) in earlier {
        let cuts = split_points(text);
        let mut first = 0;
        for k in 1..cuts.len() {
            let end = first
                + ast.tops[first..]
                    .iter()
                    .take_while(|t| t.span().start < cuts[k])
                    .count();
            known.insert(
                &text[cuts[k - 1]..cuts[k]],
                (cuts[k - 1], &ast.tops[first..end]),
            );
            first = end;
        }
    }
    let too_deep: Vec<Option<usize>> = files.iter().map(|&(text, _)| too_deep(text)).collect();
    let chunks: Vec<Chunk> = files
        .iter()
        .enumerate()
        .filter(|&(i, _)| too_deep[i].is_none())
        .flat_map(|(i, &(text, _))| {
            let cuts = split_points(text);
            (1..cuts.len()).map(move |k| Chunk {
                file: i,
                start: cuts[k - 1],
                end: cuts[k],
            })
        })
        .collect();
    let text_of = |c: &Chunk| &files[c.file].0[c.start..c.end];
    // One job per distinct text: the chunks that have it, the first of them parsed.
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    let mut job_of_text =
        crate::hashing::FastMap::with_capacity_and_hasher(chunks.len(), Default::default());
    for (c, chunk) in chunks.iter().enumerate() {
        let job = *job_of_text.entry(text_of(chunk)).or_insert_with(|| {
            jobs.push(Vec::new());
            jobs.len() - 1
        });
        jobs[job].push(c);
    }
    let run = |job: &[usize]| -> Vec<(usize, Parsed)> {
        let first = &chunks[job[0]];
        let parsed = match known.get(text_of(first)) {
            Some(&(from, tops)) => Parsed {
                ast: SchemaAst {
                    tops: tops.to_vec(),
                },
                diagnostics: Vec::new(),
            }
            .relocated(from, first.start, files[first.file].1),
            None => parse_part(text_of(first), files[first.file].1, first.start),
        };
        let mut out: Vec<(usize, Parsed)> = job[1..]
            .iter()
            .map(|&c| {
                (
                    c,
                    parsed.moved(first.start, chunks[c].start, files[chunks[c].file].1),
                )
            })
            .collect();
        out.push((job[0], parsed));
        out
    };
    let mut parsed_chunks: Vec<Option<Parsed>> = chunks.iter().map(|_| None).collect();
    let bytes: usize = files.iter().map(|(text, _)| text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    if jobs.len() > 1 && threads > 1 && bytes >= PARALLEL_MIN_BYTES {
        // Each thread takes the next job until none is left: chunks differ in cost (a shared
        // one is also copied), so a fixed split would leave one thread waiting on the other.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(job) = jobs.get(j) else {
                    return done;
                };
                done.extend(run(job));
            }
        };
        let helpers = threads.min(jobs.len()) - 1;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(work)).collect();
            let mine = work();
            for done in handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .chain([mine])
            {
                for (c, parsed) in done {
                    parsed_chunks[c] = Some(parsed);
                }
            }
        });
    } else {
        for (c, parsed) in jobs.iter().flat_map(|job| run(job)) {
            parsed_chunks[c] = Some(parsed);
        }
    }
    let mut parts_of_file: Vec<Vec<Parsed>> = files.iter().map(|_| Vec::new()).collect();
    for (chunk, parsed) in chunks.iter().zip(parsed_chunks) {
        parts_of_file[chunk.file].push(parsed.expect("every chunk is parsed"));
    }
    files
        .iter()
        .zip(parts_of_file)
        .zip(too_deep)
        .map(|((&(text, file), parts), too_deep)| {
            if let Some(offset) = too_deep {
                let d = Diagnostic::error(
                    Span::new(file, offset, offset + 1),
                    format!("This expression nests brackets more than {MAX_NESTING} levels deep."),
                )
                .with_help(
                    "No Prisma attribute needs this; check for an unclosed or repeated bracket.",
                );
                return Parsed {
                    ast: SchemaAst::default(),
                    diagnostics: vec![d],
                };
            }
            let failed = |p: &Parsed| p.diagnostics.iter().any(Diagnostic::is_error);
            if parts.len() > 1 && parts.iter().any(failed) {
                return parse_part(text, file, 0);
            }
            concat(parts)
        })
        .collect()
}

/// A byte range of one of the files given to [`parse_files`].
struct Chunk {
    file: usize,
    start: usize,
    end: usize,
}

impl Parsed {
    /// A copy for the same text at byte `to` of `file`, parsed where it sits at byte `from`.
    fn moved(&self, from: usize, to: usize, file: FileId) -> Parsed {
        self.clone().relocated(from, to, file)
    }

    /// The same tree for its text at byte `to` of `file`, where it was at byte `from`.
    fn relocated(self, from: usize, to: usize, file: FileId) -> Parsed {
        let mut copy = self;
        let mut relocate = |span: &mut Span| {
            span.file = file;
            span.start = span.start - from + to;
            span.end = span.end - from + to;
        };
        copy.ast.spans_mut(&mut relocate);
        for d in &mut copy.diagnostics {
            relocate(&mut d.span);
        }
        copy
    }
}

/// Consecutive parts of one file as one.
fn concat(parts: Vec<Parsed>) -> Parsed {
    let mut whole = Parsed {
        ast: SchemaAst {
            tops: Vec::with_capacity(parts.iter().map(|p| p.ast.tops.len()).sum()),
        },
        diagnostics: Vec::new(),
    };
    for part in parts {
        whole.ast.tops.extend(part.ast.tops);
        whole.diagnostics.extend(part.diagnostics);
    }
    whole
}

/// Files under this size are parsed whole on one thread: cutting costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 128 * 1024;

/// The least size of a chunk of a large file; most are a few blocks longer.
const CHUNK_BYTES: usize = 24 * 1024;

/// Of the block ends past [`CHUNK_BYTES`], one in this many is a cut, chosen by the block's text.
const CUT_ONE_IN: u32 = 8;

/// Byte offsets that cut `text` into chunks, each cut just after a line that is a lone `}` at
/// column 0. Always starts with 0 and ends with `text.len()`.
///
/// Where a chunk ends depends on the text of the blocks around the cut, not on the offset: an
/// edit early in a file leaves the cuts after it where they were in the file before the edit,
/// so the two sides of a diff share all the chunks the edit did not touch (which
/// [`parse_files`] parses once).
fn split_points(text: &str) -> Vec<usize> {
    let mut cuts = vec![0];
    if text.len() >= PARALLEL_MIN_BYTES {
        let bytes = text.as_bytes();
        // FNV-1a of the block that ends at the next lone `}`.
        let mut block_hash: u32 = 0x811c_9dc5;
        let mut i = 0;
        while i + 2 < bytes.len() {
            block_hash = (block_hash ^ u32::from(bytes[i])).wrapping_mul(0x0100_0193);
            if bytes[i] == b'\n' && bytes[i + 1] == b'}' {
                let after = i + 2;
                let end = match bytes.get(after) {
                    Some(b'\n') => Some(after + 1),
                    Some(b'\r') if bytes.get(after + 1) == Some(&b'\n') => Some(after + 2),
                    _ => None,
                };
                if let Some(end) = end {
                    let last = *cuts.last().expect("starts with 0");
                    if end - last >= CHUNK_BYTES && block_hash.is_multiple_of(CUT_ONE_IN) {
                        cuts.push(end);
                    }
                    block_hash = 0x811c_9dc5;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

/// Parse `text`, which starts at byte `base` of the file.
fn parse_part(text: &str, file: FileId, base: usize) -> Parsed {
    let mut p = Walker {
        file,
        base,
        diagnostics: Vec::new(),
    };
    let ast = match PslParser::parse(Rule::schema, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(schema) => p.schema(schema),
            None => SchemaAst::default(),
        },
        // The grammar's catch-alls make this unreachable for any input we know of; should it
        // happen, it is still a located error, not a panic.
        Err(e) => {
            let offset = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            p.diagnostics.push(Diagnostic::error(
                Span::new(file, base + offset, base + (offset + 1).min(text.len())),
                "This line could not be parsed.",
            ));
            SchemaAst::default()
        }
    };
    Parsed {
        ast,
        diagnostics: p.diagnostics,
    }
}

/// Offset of the first bracket beyond [`MAX_NESTING`], outside string literals.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            // Expressions never span lines, so depth cannot carry over one.
            b'\n' => depth = 0,
            _ => {}
        }
    }
    None
}

struct Walker {
    file: FileId,
    /// Offset of the parsed text in its file (non-zero for the parts of a parallel parse).
    base: usize,
    diagnostics: Vec<Diagnostic>,
}

/// `///` lines waiting for the node they document.
#[derive(Default)]
struct PendingDoc(Option<String>);

impl PendingDoc {
    fn push_block(&mut self, block: &Pair<Rule>) {
        let mut lines = Vec::new();
        for c in block.clone().into_inner() {
            match c.as_rule() {
                Rule::doc_comment => lines.push(comment_text(&c).to_string()),
                Rule::block_comment if c.as_str().trim_start().starts_with("/**") => {
                    lines.clear();
                    lines.extend(block_comment_lines(&c));
                }
                // A plain comment between docs and their node breaks the link, as in Prisma.
                _ => lines.clear(),
            }
        }
        self.0 = (!lines.is_empty()).then(|| lines.join("\n"));
    }

    fn take(&mut self) -> Option<String> {
        self.0.take()
    }
}

/// The lines of a `/** ... */` block without the leading `*` of each line.
fn block_comment_lines(c: &Pair<Rule>) -> Vec<String> {
    let text = c
        .clone()
        .into_inner()
        .next()
        .map(|t| t.as_str())
        .unwrap_or("");
    let text = text.strip_prefix('*').unwrap_or(text);
    text.lines()
        .map(|l| {
            let l = l.trim();
            let l = l.strip_prefix('*').unwrap_or(l);
            l.strip_prefix(' ').unwrap_or(l).trim_end().to_string()
        })
        .skip_while(|l| l.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .skip_while(|l| l.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

fn comment_text<'a>(c: &Pair<'a, Rule>) -> &'a str {
    let text = c
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::comment_text)
        .map(|p| p.as_str())
        .unwrap_or("");
    text.strip_prefix(' ').unwrap_or(text).trim_end()
}

impl Walker {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    /// The span of a line-shaped node without its line ending.
    fn line_span(&self, pair: &Pair<Rule>) -> Span {
        let text = pair.as_str();
        let trimmed = text.trim_end_matches(['\n', '\r']);
        let start = self.base + pair.as_span().start();
        Span::new(self.file, start, start + trimmed.len())
    }

    fn ident(&self, pair: Pair<Rule>) -> Identifier {
        Identifier {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }

    fn schema(&mut self, schema: Pair<Rule>) -> SchemaAst {
        let mut ast = SchemaAst::default();
        let mut doc = PendingDoc::default();
        for pair in schema.into_inner() {
            match pair.as_rule() {
                Rule::comment_block => {
                    doc.push_block(&pair);
                    continue;
                }
                Rule::model_block => ast.tops.push(Top::Model(self.model(pair, doc.take()))),
                Rule::enum_block => ast.tops.push(Top::Enum(self.enum_block(pair, doc.take()))),
                Rule::config_block => ast.tops.push(Top::Config(self.config(pair))),
                Rule::type_alias => {
                    let span = self.line_span(&pair);
                    self.diagnostics.push(
                        Diagnostic::error(span, "Invalid type definition: Prisma has no type aliases.")
                            .with_help("Declare a composite type with `type Name { ... }` (MongoDB only), or use the scalar type directly; see https://pris.ly/d/composite-types"),
                    );
                }
                Rule::unknown_block => {
                    let keyword = pair.clone().into_inner().next();
                    let span = keyword
                        .map(|k| self.span(&k))
                        .unwrap_or_else(|| self.span(&pair));
                    self.diagnostics.push(
                        Diagnostic::error(
                            span,
                            "This block is invalid. It does not start with any known Prisma schema keyword.",
                        )
                        .with_help("Valid keywords are 'model', 'view', 'enum', 'type', 'datasource' and 'generator'."),
                    );
                }
                Rule::top_stray_line => {
                    let span = self.line_span(&pair);
                    self.diagnostics.push(
                        Diagnostic::error(
                            span,
                            "This line is invalid. It does not start with any known Prisma schema keyword.",
                        )
                        .with_help("Top-level lines start a block: 'model', 'view', 'enum', 'type', 'datasource' or 'generator', followed by a name and `{` on the same line; a block ends with `}` on a line of its own."),
                    );
                }
                _ => {}
            }
            doc.take();
        }
        ast
    }

    fn block_open(&mut self, pair: Pair<Rule>) {
        let rest = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::block_open_rest);
        if let Some(rest) = rest {
            let text = rest.as_str().trim();
            if !text.is_empty() && !text.starts_with("//") {
                let span = self.span(&rest);
                self.diagnostics.push(
                    Diagnostic::warning(span, "Text after `{` on the same line is ignored.")
                        .with_help("Put each field or value on a line of its own."),
                );
            }
        }
    }

    fn model(&mut self, pair: Pair<Rule>, documentation: Option<String>) -> ModelBlock {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = match inner.next().map(|k| k.as_str().to_string()).as_deref() {
            Some("view") => ModelKeyword::View,
            Some("type") => ModelKeyword::Type,
            _ => ModelKeyword::Model,
        };
        let name = self.ident(inner.next().expect("grammar: model name"));
        let what = match keyword {
            ModelKeyword::Model => "model",
            ModelKeyword::View => "view",
            ModelKeyword::Type => "composite type",
        };
        let mut block = ModelBlock {
            keyword,
            name,
            fields: Vec::new(),
            attributes: Vec::new(),
            documentation,
            has_invalid_lines: false,
            span,
        };
        let mut doc = PendingDoc::default();
        for p in inner {
            match p.as_rule() {
                Rule::block_open => self.block_open(p),
                Rule::comment_block => {
                    doc.push_block(&p);
                    continue;
                }
                Rule::field => {
                    let before = self.diagnostics.len();
                    if let Some(f) = self.field(p, doc.take(), &block.name.name, what) {
                        block.fields.push(f);
                    }
                    block.has_invalid_lines |=
                        self.diagnostics[before..].iter().any(|d| d.is_error());
                }
                Rule::block_attribute_line => {
                    if let Some(a) = p.into_inner().next() {
                        block.attributes.push(self.attribute(a));
                    }
                }
                Rule::block_stray_line => {
                    block.has_invalid_lines = true;
                    self.stray_in_model(p)
                }
                _ => {}
            }
            doc.take();
        }
        block
    }

    fn stray_in_model(&mut self, p: Pair<Rule>) {
        let span = self.line_span(&p);
        let text = p.as_str().trim();
        let help = if text.starts_with('@') && !text.starts_with("@@") {
            "Field attributes go on the field's line; block attributes start with `@@`."
        } else if text.starts_with("@@") {
            "Check the attribute's brackets and arguments: `@@index([fieldA, fieldB])`."
        } else {
            "A field is `name Type` followed by attributes, e.g. `email String @unique`."
        };
        self.diagnostics.push(
            Diagnostic::error(
                span,
                "This line is not a valid field or attribute definition.",
            )
            .with_help(help),
        );
    }

    fn field(
        &mut self,
        pair: Pair<Rule>,
        documentation: Option<String>,
        block_name: &str,
        what: &str,
    ) -> Option<FieldDecl> {
        let span = self.line_span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        let mut field_type = None;
        let mut attributes = Vec::new();
        let mut trailing_comment = None;
        for p in inner {
            match p.as_rule() {
                Rule::legacy_colon => {
                    let s = self.span(&p);
                    self.diagnostics.push(
                        Diagnostic::error(s, "Field declarations don't require a `:`.")
                            .with_help("Write `name Type`, e.g. `email String`."),
                    );
                }
                Rule::field_type => field_type = Some(self.field_type(p)),
                Rule::field_attribute => attributes.push(self.attribute(p)),
                Rule::trailing_comment => trailing_comment = Some(self.comment(p)),
                _ => {}
            }
        }
        let Some(field_type) = field_type else {
            self.diagnostics.push(
                Diagnostic::error(
                    span,
                    format!(
                        "This field declaration is invalid in {what} \"{block_name}\". It is either missing a name or a type."
                    ),
                )
                .with_help("A field is `name Type`, e.g. `email String`."),
            );
            return None;
        };
        Some(FieldDecl {
            name,
            field_type,
            attributes,
            documentation,
            trailing_comment,
            span,
        })
    }

    fn field_type(&mut self, pair: Pair<Rule>) -> FieldType {
        let span = self.span(&pair);
        let mut name = TypeName::Named(String::new());
        let mut arity = Arity::Required;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::base_type => name = self.base_type(part),
                Rule::legacy_list => {
                    if let Some(base) = part.into_inner().next() {
                        name = self.base_type(base);
                    }
                    arity = Arity::List;
                    self.diagnostics.push(
                        Diagnostic::error(
                            span,
                            "To specify a list, please use `Type[]` instead of `[Type]`.",
                        )
                        .with_help("Write the list as `Type[]`."),
                    );
                }
                Rule::list_type => arity = Arity::List,
                Rule::optional_type => arity = Arity::Optional,
                Rule::unsupported_optional_list => {
                    arity = Arity::List;
                    self.diagnostics.push(
                        Diagnostic::error(
                            span,
                            "Optional lists are not supported. Use either `Type[]` or `Type?`.",
                        )
                        .with_help(
                            "A list field is never null in Prisma: an empty list stands for none.",
                        ),
                    );
                }
                Rule::legacy_required => self.diagnostics.push(
                    Diagnostic::error(
                        span,
                        "Fields are required by default, `!` is no longer required.",
                    )
                    .with_help("Remove the `!`."),
                ),
                _ => {}
            }
        }
        FieldType { name, arity, span }
    }

    fn base_type(&mut self, base: Pair<Rule>) -> TypeName {
        let inner = base
            .into_inner()
            .next()
            .expect("grammar: base type content");
        match inner.as_rule() {
            Rule::unsupported_type => {
                let lit = inner
                    .into_inner()
                    .next()
                    .expect("grammar: unsupported literal");
                let (value, _) = self.string(lit);
                TypeName::Unsupported(value)
            }
            _ => TypeName::Named(inner.as_str().to_string()),
        }
    }

    fn comment(&self, pair: Pair<Rule>) -> Comment {
        let span = self.span(&pair);
        let text = match pair.into_inner().next() {
            Some(c) if c.as_rule() == Rule::block_comment => block_comment_lines(&c).join("\n"),
            Some(c) => comment_text(&c).to_string(),
            None => String::new(),
        };
        Comment { text, span }
    }

    fn enum_block(&mut self, pair: Pair<Rule>, documentation: Option<String>) -> EnumBlock {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // keyword
        let name = self.ident(inner.next().expect("grammar: enum name"));
        let mut block = EnumBlock {
            name,
            values: Vec::new(),
            attributes: Vec::new(),
            documentation,
            span,
        };
        let mut doc = PendingDoc::default();
        for p in inner {
            match p.as_rule() {
                Rule::block_open => self.block_open(p),
                Rule::comment_block => {
                    doc.push_block(&p);
                    continue;
                }
                Rule::enum_value => {
                    let vspan = self.line_span(&p);
                    let mut vi = p.into_inner();
                    let vname = self.ident(vi.next().expect("grammar: enum value name"));
                    let mut attributes = Vec::new();
                    let mut trailing_comment = None;
                    for a in vi {
                        match a.as_rule() {
                            Rule::field_attribute => attributes.push(self.attribute(a)),
                            Rule::trailing_comment => trailing_comment = Some(self.comment(a)),
                            _ => {}
                        }
                    }
                    block.values.push(EnumValueDecl {
                        name: vname,
                        attributes,
                        documentation: doc.take(),
                        trailing_comment,
                        span: vspan,
                    });
                }
                Rule::block_attribute_line => {
                    if let Some(a) = p.into_inner().next() {
                        block.attributes.push(self.attribute(a));
                    }
                }
                Rule::block_stray_line => {
                    let s = self.line_span(&p);
                    self.diagnostics.push(
                        Diagnostic::error(s, "This line is not an enum value definition.")
                            .with_help("An enum value is a name alone on its line, optionally with `@map(\"...\")`."),
                    );
                }
                _ => {}
            }
            doc.take();
        }
        block
    }

    fn config(&mut self, pair: Pair<Rule>) -> ConfigBlock {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = match inner.next().map(|k| k.as_str().to_string()).as_deref() {
            Some("generator") => ConfigKeyword::Generator,
            _ => ConfigKeyword::Datasource,
        };
        let name = self.ident(inner.next().expect("grammar: block name"));
        let mut block = ConfigBlock {
            keyword,
            name,
            properties: Vec::new(),
            span,
        };
        for p in inner {
            match p.as_rule() {
                Rule::block_open => self.block_open(p),
                Rule::key_value => {
                    let pspan = self.line_span(&p);
                    let mut kv = p.into_inner();
                    let name = self.ident(kv.next().expect("grammar: key"));
                    let value = self.expression(kv.next().expect("grammar: value"));
                    block.properties.push(Property {
                        name,
                        value,
                        span: pspan,
                    });
                }
                Rule::block_stray_line => {
                    let s = self.line_span(&p);
                    let within = match keyword {
                        ConfigKeyword::Datasource => "datasource",
                        ConfigKeyword::Generator => "generator",
                    };
                    self.diagnostics.push(
                        Diagnostic::error(
                            s,
                            format!("This line is not a valid definition within a {within}."),
                        )
                        .with_help("Each line of this block is `key = value`, e.g. `provider = \"postgresql\"`."),
                    );
                }
                _ => {}
            }
        }
        block
    }

    fn attribute(&mut self, pair: Pair<Rule>) -> Attribute {
        let span = self.span(&pair);
        let mut name = None;
        let mut arguments = Vec::new();
        let mut trailing_comment = None;
        let mut end = span.end;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::path => name = Some(self.ident(p)),
                Rule::arguments => {
                    end = self.base + p.as_span().end();
                    arguments = self.arguments(p);
                }
                Rule::trailing_comment => trailing_comment = Some(self.comment(p)),
                _ => {}
            }
        }
        let name = name.expect("grammar: attribute name");
        let end = if trailing_comment.is_some() {
            end.max(name.span.end)
        } else {
            span.end
        };
        Attribute {
            name,
            arguments,
            trailing_comment,
            span: Span::new(self.file, span.start, end),
        }
    }

    fn arguments(&mut self, pair: Pair<Rule>) -> Vec<Argument> {
        let mut args = Vec::new();
        for p in pair.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::named_argument => {
                    let mut i = p.into_inner();
                    let name = self.ident(i.next().expect("grammar: argument name"));
                    let value = self.expression(i.next().expect("grammar: argument value"));
                    args.push(Argument {
                        name: Some(name),
                        value: Some(value),
                        span,
                    });
                }
                Rule::empty_named_argument => {
                    let name = self.ident(p.into_inner().next().expect("grammar: argument name"));
                    args.push(Argument {
                        name: Some(name),
                        value: None,
                        span,
                    });
                }
                Rule::expression => args.push(Argument {
                    name: None,
                    value: Some(self.expression(p)),
                    span,
                }),
                _ => {}
            }
        }
        args
    }

    fn expression(&mut self, pair: Pair<Rule>) -> Expr {
        let inner = pair.into_inner().next().expect("grammar: expression");
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::number => Expr::Number(inner.as_str().to_string(), span),
            Rule::string_literal => {
                let (value, span) = self.string(inner);
                Expr::String(value, span)
            }
            Rule::path => Expr::Constant(inner.as_str().to_string(), span),
            Rule::array => Expr::Array(
                inner.into_inner().map(|e| self.expression(e)).collect(),
                span,
            ),
            Rule::function_call => {
                let mut i = inner.into_inner();
                let name = i
                    .next()
                    .expect("grammar: function name")
                    .as_str()
                    .to_string();
                let arguments = i.next().map(|a| self.arguments(a)).unwrap_or_default();
                Expr::Function(Function {
                    name,
                    arguments,
                    span,
                })
            }
            _ => Expr::Constant(inner.as_str().to_string(), span),
        }
    }

    /// Unescape a string literal, reporting each bad escape.
    fn string(&mut self, pair: Pair<Rule>) -> (String, Span) {
        let span = self.span(&pair);
        let content = pair.into_inner().next().expect("grammar: string content");
        let base = self.base + content.as_span().start();
        let (value, errors) = unescape(content.as_str());
        for (offset, len, message) in errors {
            let at = base + offset;
            self.error(Span::new(self.file, at, at + len), message);
        }
        (value, span)
    }
}

const UNKNOWN_ESCAPE: &str = "Unknown escape sequence. If the value is a windows-style path, `\\` must be escaped as `\\\\`.";
const BAD_UNICODE: &str = "Invalid unicode escape sequence.";

/// JSON string unescaping; errors are (offset, length, message) within `raw`.
pub fn unescape(raw: &str) -> (String, Vec<(usize, usize, &'static str)>) {
    let mut out = String::with_capacity(raw.len());
    let mut errors = Vec::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            errors.push((i, 1, UNKNOWN_ESCAPE));
            break;
        };
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hex = |s: &str| -> Option<u32> {
                    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                        .then(|| u32::from_str_radix(s, 16).ok())
                        .flatten()
                };
                let first = raw.get(i + 2..i + 6).and_then(hex);
                match first {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        // A high surrogate is valid only as the first half of a pair.
                        let lo = raw
                            .get(i + 6..i + 8)
                            .filter(|s| *s == "\\u")
                            .and_then(|_| raw.get(i + 8..i + 12))
                            .and_then(hex)
                            .filter(|lo| (0xDC00..=0xDFFF).contains(lo));
                        if let Some(lo) = lo {
                            let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.extend(char::from_u32(cp));
                            skip(&mut chars, 10);
                        } else {
                            errors.push((i, 6, BAD_UNICODE));
                            skip(&mut chars, 4);
                        }
                    }
                    Some(cp) => match char::from_u32(cp) {
                        Some(ch) => {
                            out.push(ch);
                            skip(&mut chars, 4);
                        }
                        None => {
                            errors.push((i, 6, BAD_UNICODE));
                            skip(&mut chars, 4);
                        }
                    },
                    None => errors.push((i, 2, BAD_UNICODE)),
                }
            }
            _ => errors.push((i, 1 + e.len_utf8(), UNKNOWN_ESCAPE)),
        }
    }
    (out, errors)
}

fn skip(chars: &mut std::iter::Peekable<std::str::CharIndices>, n: usize) {
    for _ in 0..n {
        chars.next();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Parsed {
        parse(s, FileId(0))
    }

    fn error_lines(s: &str) -> Vec<usize> {
        let file = crate::diagnostics::SourceFile::new("t", s);
        parse_str(s)
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| file.line_col(d.span.start).0)
            .collect()
    }

    #[test]
    fn unescape_follows_json() {
        assert_eq!(unescape(r#"a\"b\\c\n\u00e9"#).0, "a\"b\\c\né");
        assert_eq!(unescape(r"\uD83D\uDE00").0, "😀");
        assert_eq!(unescape(r"Something \uD802 \ut \u12").1.len(), 3);
        assert_eq!(unescape(r"file:c:\Windows32\data.db").1.len(), 2);
        assert!(unescape(r"\").1.len() == 1);
    }

    #[test]
    fn reads_every_construct() {
        let src = "datasource db {\r\n  provider   = \"postgresql\" // trailing\r\n  extensions = [pgvector(map: \"vector\", schema: \"ext\")]\r\n}\r\n\r\n/// A user.\r\n/// Second line.\r\nmodel User {\r\n\t/// The key.\r\n\tid    Int @id @default(autoincrement())\r\n  tags  String[] @default([\"a\", \"b\"])\r\n  geo   Unsupported(\"circle\")?\r\n  bio   String? @db.VarChar(191) // prisma-xc: renamed from about\r\n  @@index([bio(sort: Desc, length: 10), id(ops: raw(\"x\"))], type: Gin)\r\n  @@schema(\"auth\")\r\n}\r\n";
        let parsed = parse_str(src);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let Top::Model(m) = &parsed.ast.tops[1] else {
            panic!("expected a model")
        };
        assert_eq!(m.documentation.as_deref(), Some("A user.\nSecond line."));
        assert_eq!(m.fields.len(), 4);
        assert_eq!(m.fields[0].documentation.as_deref(), Some("The key."));
        assert_eq!(m.fields[1].field_type.arity, Arity::List);
        assert_eq!(
            m.fields[2].field_type.name,
            TypeName::Unsupported("circle".into())
        );
        assert_eq!(m.fields[2].field_type.arity, Arity::Optional);
        assert_eq!(m.fields[3].attributes[0].name.name, "db.VarChar");
        assert_eq!(
            m.fields[3].trailing_comment.as_ref().unwrap().text,
            "prisma-xc: renamed from about"
        );
        assert_eq!(m.attributes.len(), 2);
        assert_eq!(m.attributes[0].arguments.len(), 2);
    }

    #[test]
    fn reports_and_recovers() {
        let cases: &[(&str, &[usize])] = &[
            ("model A {\n  id Int @id\n  val\n  x: Int\n}\n", &[3, 4]),
            ("model User\n  id Int @id\n", &[1, 2]),
            ("$ /a/b/c:.\n\nmodel B {\n  id Int @id\n}\n", &[1]),
            ("modle A {\n  id Int\n}\n", &[1]),
            (
                "model A {\n  id Int @id @\n  b [Int]\n  c Int!\n  d Int[]?\n}\n",
                &[2, 3, 4, 5],
            ),
            ("enum E {\n  A\n  B C\n}\n", &[3]),
            ("datasource d {\n  provider \"x\"\n}\n", &[2]),
            ("generator g {\n  nope\n}\n", &[2]),
            ("type X = String\n", &[1]),
            ("model A {\n  id Int @id\n", &[1, 2]),
            ("model A {\n  s String @default(\"\\q\")\n}\n", &[2]),
        ];
        for (src, lines) in cases {
            assert_eq!(&error_lines(src), lines, "for {src:?}");
        }
    }

    #[test]
    fn parallel_parse_equals_sequential_parse() {
        let mut big = String::from("datasource db {\r\n  provider = \"postgresql\"\r\n}\r\n");
        for i in 0..3000 {
            big.push_str(&format!("/// Model {i}\nmodel M{i} {{\n  id Int @id // key\n  name String? @db.VarChar({i})\n  @@index([name(sort: Desc)])\n}}\n\n"));
        }
        assert!(split_points(&big).len() > 4);
        let whole = parse_part(&big, FileId(0), 0);
        let split = parse(&big, FileId(0));
        assert_eq!(format!("{:?}", whole.ast), format!("{:?}", split.ast));
        assert!(split.diagnostics.is_empty());
        // With an error in it, the parallel result is thrown away for the sequential one.
        let broken = big
            .replacen("model M1500 {", "model M1500 {\n  oops", 1)
            .replacen("}\n", "", 1);
        let whole = parse_part(&broken, FileId(0), 0);
        let split = parse(&broken, FileId(0));
        assert_eq!(
            format!("{:?}", whole.diagnostics),
            format!("{:?}", split.diagnostics)
        );
        assert!(!split.diagnostics.is_empty());
    }

    #[test]
    fn text_two_files_share_is_parsed_once_and_placed_right() {
        let mut old = String::from("datasource db {\n  provider = \"postgresql\"\n}\n");
        for i in 0..4000 {
            old.push_str(&format!("/// Model {i}\nmodel M{i} {{\n  id Int @id // key\n  name String? @default(\"x\") @db.VarChar({i})\n  @@index([name(sort: Desc)])\n}}\n\n"));
        }
        // An edit near the start moves every block after it.
        let new = old.replacen("model M3 {\n", "model M3 {\n  nickname String?\n", 1);
        let (old_cuts, new_cuts) = (split_points(&old), split_points(&new));
        assert!(old_cuts.len() > 4);
        let shift = new.len() - old.len();
        let moved: Vec<usize> = old_cuts[1..].iter().map(|c| c + shift).collect();
        assert_eq!(
            new_cuts[1..],
            moved[..],
            "the cuts after the edit stay with their text"
        );
        let together = parse_files(&[(&old, FileId(0)), (&new, FileId(1))]);
        let alone = [
            parse_part(&old, FileId(0), 0),
            parse_part(&new, FileId(1), 0),
        ];
        for (together, alone) in together.iter().zip(&alone) {
            assert_eq!(format!("{:?}", together.ast), format!("{:?}", alone.ast));
            assert!(together.diagnostics.is_empty());
        }
        // Parsed again with the old file's trees for what it shares: the same trees.
        let reused = parse_files_reusing(&[(&new, FileId(1))], &[(&old, &alone[0].ast)]);
        assert_eq!(
            format!("{:?}", reused[0].ast),
            format!("{:?}", alone[1].ast)
        );
        // A warning in shared text is reported in both files, each at its own place.
        let warned = |s: &str| s.replacen("model M3000 {\n", "model M3000 { id Int\n", 1);
        let (old, new) = (warned(&old), warned(&new));
        let together = parse_files(&[(&old, FileId(0)), (&new, FileId(1))]);
        let alone = [
            parse_part(&old, FileId(0), 0),
            parse_part(&new, FileId(1), 0),
        ];
        for (together, alone) in together.iter().zip(&alone) {
            assert_eq!(together.diagnostics.len(), 1);
            assert_eq!(
                format!("{:?}", together.diagnostics),
                format!("{:?}", alone.diagnostics)
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!(
            "model A {{\n  id Int @default({}\n}}\n",
            "[".repeat(100_000)
        );
        assert_eq!(error_lines(&src), vec![2]);
    }
}
