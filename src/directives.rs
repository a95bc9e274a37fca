//! `// prisma-xc: ...` comments: what a schema tells prisma-xc about its own changes.
//!
//! A pull request carries its intent in the schema it changes, so the review sees it:
//!
//! ```prisma
//! model User {
//!   username String // prisma-xc: renamed from user_name
//!   legacy   Int?   // prisma-xc: allow XC111
//! }
//! ```
//!
//! Syntax: a `//` comment whose text starts with `prisma-xc:`, then one or more directives
//! separated by `;`: `renamed from NAME` or `allow XC101[, XC102 ...]`. Where the comment sits
//! says what it is about: on a field or enum value line, that field or value; on a `model`/`enum`
//! line or a comment line of its own inside the block, the whole model or enum; on a comment line
//! outside every block, the whole schema (only `allow` makes sense there).

use crate::diagnostics::{Diagnostic, FileId, Sources, Span};
use crate::schema::Schema;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveKind {
    RenamedFrom(String),
    Allow(Vec<String>),
}

/// What a directive is attached to, by Prisma names of the schema it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Schema,
    Model(String),
    Field { model: String, field: String },
    Enum(String),
    EnumValue { enumeration: String, value: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub kind: DirectiveKind,
    pub target: Target,
    pub span: Span,
}

const MARKER: &str = "prisma-xc:";

/// Every directive of `schema` (read from `sources`), with diagnostics for malformed ones.
/// `known_rule` says whether an `allow` names a rule that exists.
pub fn find(
    sources: &Sources,
    schema: &Schema,
    known_rule: impl Fn(&str) -> bool,
) -> (Vec<Directive>, Vec<Diagnostic>) {
    let mut directives = Vec::new();
    let mut diagnostics = Vec::new();
    for (file_index, file) in sources.files.iter().enumerate() {
        let file_id = FileId(file_index as u32);
        let mut line_start = 0;
        for line in file.text.split_inclusive('\n') {
            if let Some(comment) = line_comment(line) {
                let text = line[comment..].trim_start_matches('/').trim_start();
                if let Some(rest) = text.strip_prefix(MARKER) {
                    let offset = line_start + comment;
                    let span = Span::new(file_id, offset, line_start + line.trim_end().len());
                    let target = target_at(schema, file_id, offset);
                    parse_directives(
                        rest,
                        span,
                        target,
                        &known_rule,
                        &mut directives,
                        &mut diagnostics,
                    );
                }
            }
            line_start += line.len();
        }
    }
    (directives, diagnostics)
}

/// Byte offset of a `//` comment on the line, outside string literals.
fn line_comment(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_directives(
    text: &str,
    span: Span,
    target: Target,
    known_rule: &impl Fn(&str) -> bool,
    directives: &mut Vec<Directive>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    const HELP: &str = "write `// prisma-xc: renamed from OLD_NAME` or `// prisma-xc: allow XC101` (several separated by `;`)";
    for part in text.split(';').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        let kind = match words.as_slice() {
            ["renamed", "from", name] => DirectiveKind::RenamedFrom(name.to_string()),
            ["allow", ..] if words.len() > 1 => {
                let ids: Vec<String> = part["allow".len()..]
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_ascii_uppercase)
                    .collect();
                if let Some(unknown) = ids.iter().find(|id| !known_rule(id)) {
                    diagnostics.push(
                        Diagnostic::error(
                            span,
                            format!("`allow {unknown}`: there is no rule {unknown}"),
                        )
                        .with_help("`prisma-xc explain --list` lists every rule id"),
                    );
                    continue;
                }
                DirectiveKind::Allow(ids)
            }
            _ => {
                diagnostics.push(
                    Diagnostic::error(span, format!("unknown prisma-xc directive `{part}`"))
                        .with_help(HELP),
                );
                continue;
            }
        };
        if matches!(kind, DirectiveKind::RenamedFrom(_)) && target == Target::Schema {
            diagnostics.push(
                Diagnostic::error(
                    span,
                    "`renamed from` must be on the line of a model, field, enum or enum value",
                )
                .with_help("move the comment to the end of the renamed line"),
            );
            continue;
        }
        directives.push(Directive {
            kind,
            target: target.clone(),
            span,
        });
    }
}

/// The innermost schema element whose span holds `offset`.
fn target_at(schema: &Schema, file: FileId, offset: usize) -> Target {
    // Field and value spans run to the end of their line, trailing comment included; a
    // directive on a block's opening line (`model User { // ...`) is inside the block but no
    // field, so it is about the block.
    let inside = |s: Span| s.file == file && s.start <= offset && offset <= s.end;
    for model in &schema.models {
        if inside(model.span) {
            if let Some(field) = model.fields.iter().find(|f| inside(f.span)) {
                return Target::Field {
                    model: model.name.clone(),
                    field: field.name.clone(),
                };
            }
            return Target::Model(model.name.clone());
        }
    }
    for enumeration in &schema.enums {
        if inside(enumeration.span) {
            if let Some(value) = enumeration.values.iter().find(|v| inside(v.span)) {
                return Target::EnumValue {
                    enumeration: enumeration.name.clone(),
                    value: value.name.clone(),
                };
            }
            return Target::Enum(enumeration.name.clone());
        }
    }
    Target::Schema
}
