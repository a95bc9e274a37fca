//! Source files, spans and diagnostics.
//!
//! Every AST node carries a [`Span`] that names its file, so a diagnostic found anywhere in the
//! pipeline can point at the exact line of the exact file, as Prisma's own errors do, even for a
//! schema split over a folder of files.

use std::fmt::Write as _;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }
}

/// One schema file as read: the name shown to the user and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offset of the start of every line, for line/column look-ups: built on the first
    /// look-up, since most runs never need one.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut line_starts = vec![0];
            let bytes = self.text.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'\n' => line_starts.push(i + 1),
                    // A lone CR ends a line too (Prisma accepts old Mac line endings).
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                    _ => {}
                }
            }
            line_starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let start = line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(line - 1) else {
            return "";
        };
        let end = line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All files of one schema (one file, or every `.prisma` file of a schema folder).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, span: Span) -> &str {
        &self.file(span.file).text[span.start..span.end]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a schema, located by a span.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    /// What the user can do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, the source line before and the offending line with a caret under the
    /// span, and the help line.
    pub fn render(&self, sources: &Sources) -> String {
        let file = sources.file(self.span.file);
        let (line, col) = file.line_col(self.span.start);
        let (end_line, end_col) = file.line_col(self.span.end);
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        let _ = writeln!(out, "{kind}: {}", self.message);
        let _ = writeln!(out, "  --> {}:{line}:{col}", file.name);
        let width = (line + 1).to_string().len();
        let gutter = " ".repeat(width);
        let _ = writeln!(out, "{gutter} |");
        if line > 1 {
            let _ = writeln!(out, "{:>width$} | {}", line - 1, file.line_text(line - 1));
        }
        let text = file.line_text(line);
        let _ = writeln!(out, "{line:>width$} | {text}");
        let line_chars = text.chars().count();
        let caret_len = if end_line == line {
            end_col.saturating_sub(col).max(1)
        } else {
            line_chars.saturating_sub(col - 1).max(1)
        };
        // Tabs are kept in the padding so the caret lines up under tabbed source.
        let pad: String = text
            .chars()
            .take(col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{gutter} | {pad}{}", "^".repeat(caret_len));
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{gutter} = help: {help}");
        }
        out
    }
}

/// Render a list of diagnostics, errors and warnings in source order, with a closing count.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(sources));
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match (errors, warnings) {
        (0, 0) => {}
        (e, w) => {
            let _ = writeln!(
                out,
                "{e} error{}, {w} warning{}",
                if e == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" }
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_all_line_endings() {
        let f = SourceFile::new("s.prisma", "ab\r\ncé d\rx\ny");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 1));
        assert_eq!(f.line_col(8), (2, 4)); // 'd' after a two-byte é
        assert_eq!(f.line_col(10), (3, 1)); // after a lone CR
        assert_eq!(f.line_text(2), "cé d");
        assert_eq!(f.line_text(4), "y");
        assert_eq!(f.line_count(), 4);
    }

    #[test]
    fn render_quotes_the_line_with_a_caret() {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new(
            "schema.prisma",
            "model A {\n  id Intt @id\n}\n",
        ));
        let d = Diagnostic::error(Span::new(id, 15, 19), "unknown type").with_help("fix it");
        let text = d.render(&sources);
        assert_eq!(
            text,
            "error: unknown type\n  --> schema.prisma:2:6\n  |\n1 | model A {\n2 |   id Intt @id\n  |      ^^^^\n  = help: fix it\n"
        );
    }
}
