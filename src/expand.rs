//! The intermediate schema (`schema.expand.prisma`): the new schema's text, edited so that the
//! old structures the application still uses stay beside the new ones, and new structures that
//! old rows cannot satisfy yet are relaxed.
//!
//! Edits work on the source text so that the result keeps the user's formatting, comments and
//! generators. Every edit is a byte range of one file of the new schema and its replacement;
//! lines brought back from the old schema are copied verbatim from the old source.

use crate::diagnostics::{FileId, Sources, Span};
use crate::schema::{Arity, Field, Model};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    file: FileId,
    start: usize,
    end: usize,
    text: String,
}

/// Text edits of the new schema, collected by the planner and applied at once.
#[derive(Debug, Default)]
pub struct SchemaEdits {
    edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditConflict {
    pub at: Span,
}

/// A field line without one of its attributes (`@map`, `@unique`, `@id`), its arguments and
/// the blank before it; the line as it is when it has none. Comments are left alone.
pub fn without_attribute(line: &str, name: &str) -> String {
    let end_of_code = comment_start(line).unwrap_or(line.len());
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < end_of_code {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'@' if !in_string && line[i..].starts_with(name) => {
                let after = i + name.len();
                let boundary = bytes
                    .get(after)
                    .is_none_or(|b| *b == b'(' || b.is_ascii_whitespace());
                if boundary {
                    let mut end = after;
                    if bytes.get(end) == Some(&b'(') {
                        let (mut depth, mut quoted) = (0, false);
                        while end < end_of_code {
                            match bytes[end] {
                                b'\\' if quoted => end += 1,
                                b'"' => quoted = !quoted,
                                b'(' if !quoted => depth += 1,
                                b')' if !quoted => {
                                    depth -= 1;
                                    if depth == 0 {
                                        end += 1;
                                        break;
                                    }
                                }
                                _ => {}
                            }
                            end += 1;
                        }
                    }
                    let start = line[..i].trim_end().len();
                    return format!("{}{}", &line[..start], &line[end..]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    line.to_string()
}

impl SchemaEdits {
    fn push(&mut self, span: Span, text: String) {
        self.edits.push(Edit {
            file: span.file,
            start: span.start,
            end: span.end,
            text,
        });
    }

    /// `Type` -> `Type?` on a required field of the new schema.
    pub fn make_optional(&mut self, sources: &Sources, field: &Field) {
        if field.arity != Arity::Required {
            return;
        }
        let text = sources.text(field.span);
        let at = field.span.start + type_end(text, field.name.len());
        self.push(Span::new(field.span.file, at, at), "?".into());
    }

    /// Put an old field's line back into a model of the new schema, after its last field.
    /// `rename` gives it another Prisma name (when the new schema reuses its name), keeping its
    /// column with `@map`; `optional` relaxes it.
    pub fn insert_old_field(
        &mut self,
        new_sources: &Sources,
        new_model: &Model,
        old_sources: &Sources,
        old_field: &Field,
        rename: Option<&str>,
        optional: bool,
    ) {
        let mut line = old_sources.text(old_field.span).to_string();
        if optional && old_field.arity == Arity::Required {
            let at = type_end(&line, old_field.name.len());
            line.insert(at, '?');
        }
        if let Some(name) = rename {
            // Relation fields have no column to keep, and take no `@map`.
            if old_field.mapped_name.is_none() && !old_field.is_relation() {
                let at = comment_start(&line).unwrap_or(line.len());
                let trimmed = line[..at].trim_end().len();
                line.insert_str(
                    trimmed,
                    &format!(" @map({})", crate::escape::prisma_string(&old_field.name)),
                );
            }
            // The type stays in its column where the padding allows: `author   Person?` becomes
            // `authorOld Person?`, not `authorOld   Person?`.
            let old_len = old_field.name.len();
            let padding = line[old_len..].len() - line[old_len..].trim_start().len();
            let grown = name.len().saturating_sub(old_len);
            let keep = padding.saturating_sub(grown).max(1).min(padding);
            line.replace_range(..old_len + padding - keep, name);
        }
        self.insert_line_after_fields(new_sources, new_model, &line);
    }

    /// Insert a line at the end of a model's fields, indented like them.
    pub fn insert_line_after_fields(&mut self, sources: &Sources, model: &Model, line: &str) {
        let (at, indent) = match model.fields.last() {
            Some(last) => (last.span.end, indentation(sources, last.span)),
            None => (model.name_span.end, "  ".to_string()),
        };
        // After the last field's line, before its line break.
        let text = &sources.file(model.span.file).text;
        let at = text[at..].find('\n').map_or(text.len(), |i| at + i);
        self.push(
            Span::new(model.span.file, at, at),
            format!("\n{indent}{line}"),
        );
    }

    /// Replace a field's declaration (its line without indentation) with another text.
    pub fn replace_field(&mut self, field: &Field, text: &str) {
        self.push(field.span, text.to_string());
    }

    /// Remove `span` from its line, or the whole line when nothing else is on it.
    pub fn remove(&mut self, sources: &Sources, span: Span) {
        let text = &sources.file(span.file).text;
        let line = line_of(sources, span);
        let (line_start, line_end) = (line.start, line.end);
        let before = &text[line_start..span.start];
        let after = &text[span.end..line_end];
        if before.trim().is_empty() && after.trim().is_empty() {
            let end = (line_end + 1).min(text.len());
            self.push(Span::new(span.file, line_start, end), String::new());
        } else {
            // ` @unique` on a field line: take the blank before it too.
            let start = span.start - (before.len() - before.trim_end().len());
            self.push(Span::new(span.file, start, span.end), String::new());
        }
    }

    /// Replace `span` with `text`.
    pub fn replace(&mut self, span: Span, text: String) {
        self.push(span, text);
    }

    pub fn insert_text(&mut self, file: FileId, at: usize, text: String) {
        self.push(Span::new(file, at, at), text);
    }

    /// Append text (an old model block) at the end of the first file.
    pub fn append(&mut self, sources: &Sources, text: &str) {
        let end = sources.files.first().map_or(0, |f| f.text.len());
        self.push(Span::new(FileId(0), end, end), format!("\n{text}\n"));
    }

    /// Apply every edit; the files of a schema folder are joined into one schema.
    pub fn apply(mut self, sources: &Sources) -> Result<String, EditConflict> {
        // From the end, so earlier offsets stay valid. The sort is stable: edits at one offset
        // stay in their order of arrival.
        self.edits
            .sort_by_key(|e| std::cmp::Reverse((e.file, e.start, e.end)));
        for pair in self.edits.windows(2) {
            let (later, earlier) = (&pair[0], &pair[1]);
            if later.file == earlier.file && earlier.end > later.start && later.start != later.end {
                return Err(EditConflict {
                    at: Span::new(later.file, later.start, later.end),
                });
            }
        }
        let mut texts: Vec<String> = sources.files.iter().map(|f| f.text.clone()).collect();
        let mut i = 0;
        while i < self.edits.len() {
            let mut j = i;
            while j + 1 < self.edits.len()
                && self.edits[j + 1].file == self.edits[i].file
                && self.edits[j + 1].start == self.edits[i].start
                && self.edits[j + 1].end == self.edits[i].end
            {
                j += 1;
            }
            let e = &self.edits[i];
            // In arrival order, but text that belongs on the line (`?` after a type ending the
            // line) before whole lines inserted after it.
            let mut group: Vec<&str> = self.edits[i..=j].iter().map(|e| e.text.as_str()).collect();
            group.sort_by_key(|text| text.starts_with('\n'));
            // Inserted lines take the line endings of the file they land in (an old schema with
            // CRLF lines may lend lines to a new one with LF lines, and the other way round).
            let mut joined: String = group.concat().replace("\r\n", "\n");
            if sources.files[e.file.0 as usize].text.contains("\r\n") {
                joined = joined.replace('\n', "\r\n");
            }
            let text = &mut texts[e.file.0 as usize];
            let mut start = e.start;
            // Never between the two characters of a CRLF line end.
            if e.start == e.end && text[..start].ends_with('\r') && text[start..].starts_with('\n')
            {
                start -= 1;
            }
            let end = if e.start == e.end { start } else { e.end };
            text.replace_range(start..end, &joined);
            i = j + 1;
        }
        if texts.len() == 1 {
            return Ok(texts.pop().unwrap_or_default());
        }
        let mut out = String::new();
        for (file, text) in sources.files.iter().zip(texts) {
            out.push_str(&format!(
                "// ---- {} ----\n",
                crate::escape::line_comment(&file.name)
            ));
            out.push_str(&text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// Offset just after the type of a field declaration `name Type...` (before `?`, `[]`).
pub(crate) fn type_end(declaration: &str, name_len: usize) -> usize {
    let bytes = declaration.as_bytes();
    let mut i = name_len;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if declaration[i..].starts_with("Unsupported(") {
        let close = declaration[i..]
            .find(')')
            .map_or(bytes.len(), |c| i + c + 1);
        return close;
    }
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
    {
        i += 1;
    }
    i
}

/// Where a `//` comment starts on a line, outside strings.
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes[i + 1] == b'/' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn indentation(sources: &Sources, span: Span) -> String {
    let line = line_of(sources, span);
    sources.file(span.file).text[line.start..span.start].to_string()
}

/// The whole line (or lines) `span` stands on, without the line break.
pub fn line_of(sources: &Sources, span: Span) -> Span {
    let text = &sources.file(span.file).text;
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    Span::new(span.file, start, end)
}

/// The intermediate schema with each generator's `output` replaced, by generator name: the plan
/// folder is elsewhere than the schema, and a relative `output` is read from the schema file's
/// folder, so `prisma generate --schema <plan>/schema.expand.prisma` must find the path that
/// leads to where the project's generator writes. Other text is left as it is.
pub fn with_generator_outputs(text: &str, outputs: &[(String, String)]) -> String {
    let parsed = crate::parse::parse(text, crate::diagnostics::FileId(0));
    let mut replacements: Vec<(usize, usize, String)> = parsed
        .ast
        .tops
        .iter()
        .filter_map(|top| match top {
            crate::ast::Top::Config(block)
                if block.keyword == crate::ast::ConfigKeyword::Generator =>
            {
                Some(block)
            }
            _ => None,
        })
        .flat_map(|block| {
            let output = outputs
                .iter()
                .find(|(name, _)| *name == block.name.name)
                .map(|(_, output)| output);
            block.properties.iter().filter_map(move |p| {
                let new = output?;
                (p.name.name == "output").then(|| {
                    let span = p.value.span();
                    (span.start, span.end, crate::escape::prisma_string(new))
                })
            })
        })
        .collect();
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_string();
    for (start, end, value) in replacements {
        out.replace_range(start..end, &value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    #[test]
    fn an_attribute_leaves_a_field_line_whole() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "shareId String? @unique @map(\"share_id\") @db.VarChar(50)",
                "@map",
                "shareId String? @unique @db.VarChar(50)",
            ),
            (
                "id Int @id @default(autoincrement()) // @map(\"x\") stays",
                "@map",
                "id Int @id @default(autoincrement()) // @map(\"x\") stays",
            ),
            (
                "code String @unique(map: \"a)b\", length: 10) @db.Text",
                "@unique",
                "code String @db.Text",
            ),
            ("ids Int[] @ids @id", "@id", "ids Int[] @ids"),
            (
                "name String @default(\"@id\")",
                "@id",
                "name String @default(\"@id\")",
            ),
        ];
        for (line, attribute, expected) in cases {
            assert_eq!(without_attribute(line, attribute), *expected, "{line}");
        }
    }

    fn load(text: &str) -> (Sources, crate::Loaded) {
        let mut sources = Sources::default();
        sources.add(SourceFile::new("schema.prisma", text));
        let loaded = crate::load(&sources);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        (sources, loaded)
    }

    const OLD: &str = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id        Int    @id\n  user_name String @unique // the handle\n}\n";
    const NEW: &str = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id       Int    @id\n  username String @unique\n  email    String // required now\n}\n";

    #[test]
    fn relaxes_and_brings_old_fields_back_keeping_the_text() {
        let (old_sources, old) = load(OLD);
        let (new_sources, new) = load(NEW);
        let (om, nm) = (&old.schema.models[0], &new.schema.models[0]);
        let mut edits = SchemaEdits::default();
        edits.make_optional(&new_sources, nm.field("username").unwrap());
        edits.make_optional(&new_sources, nm.field("email").unwrap());
        edits.insert_old_field(
            &new_sources,
            nm,
            &old_sources,
            om.field("user_name").unwrap(),
            None,
            false,
        );
        let text = edits.apply(&new_sources).unwrap();
        assert!(text.contains("  username String? @unique\n"), "{text}");
        assert!(
            text.contains(
                "  email    String? // required now\n  user_name String @unique // the handle\n}"
            ),
            "{text}"
        );
        load(&text);
    }

    #[test]
    fn a_reused_name_gets_a_new_one_and_keeps_its_column() {
        let (old_sources, old) = load(OLD);
        let (new_sources, new) = load(NEW);
        let mut edits = SchemaEdits::default();
        let unique = new.schema.models[0]
            .indexes
            .iter()
            .find(|i| i.from_field)
            .unwrap();
        edits.remove(&new_sources, unique.span);
        edits.insert_old_field(
            &new_sources,
            &new.schema.models[0],
            &old_sources,
            old.schema.models[0].field("user_name").unwrap(),
            Some("userNameOld"),
            true,
        );
        let text = edits.apply(&new_sources).unwrap();
        assert!(text.contains("  username String\n"), "{text}");
        assert!(
            text.contains("userNameOld String? @unique @map(\"user_name\") // the handle"),
            "{text}"
        );
        load(&text);
    }

    #[test]
    fn a_relaxed_last_field_keeps_its_mark_before_inserted_lines() {
        let new_text = NEW.replace("email    String // required now", "email    String");
        let (old_sources, old) = load(OLD);
        let (new_sources, new) = load(&new_text);
        let nm = &new.schema.models[0];
        let mut edits = SchemaEdits::default();
        // An old field's line, then the `?` at the very same offset (the end of the line), then
        // a second line: the `?` stays on its line, the lines keep their order.
        edits.insert_old_field(
            &new_sources,
            nm,
            &old_sources,
            old.schema.models[0].field("user_name").unwrap(),
            None,
            true,
        );
        edits.make_optional(&new_sources, nm.field("email").unwrap());
        edits.insert_line_after_fields(&new_sources, nm, "@@index([email])");
        let text = edits.apply(&new_sources).unwrap();
        assert!(
            text.contains(
                "  email    String?\n  user_name String? @unique // the handle\n  @@index([email])\n}"
            ),
            "{text}"
        );
        load(&text);
    }

    #[test]
    fn generator_outputs_are_replaced_by_name() {
        let text = "generator client {\n  provider = \"prisma-client\"\n  output   = \"../src/generated/prisma\" // where the app imports it\n}\n\ngenerator other {\n  provider = \"x\"\n  output = \"keep\"\n}\n";
        let out = with_generator_outputs(
            text,
            &[("client".into(), "../../../src/generated/prisma".into())],
        );
        assert_eq!(
            out,
            text.replace(
                "\"../src/generated/prisma\"",
                "\"../../../src/generated/prisma\""
            )
        );
    }
}
