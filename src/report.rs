//! Findings -> text: the human report (grouped by model) and the JSON report.
//!
//! The JSON structure is documented in `docs/report-format.md`; its `version` changes only when
//! a field is removed or changes meaning.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde::Serialize;

use crate::changes::{ChangeKind, Group, Location};
use crate::classify::{AllowedBy, Classification, Finding};
use crate::diagnostics::{Sources, Span};
use crate::rules::Severity;

/// The sources of both schemas, to turn spans into `file:line:column`.
pub struct Locator<'a> {
    pub old: Option<&'a Sources>,
    pub new: &'a Sources,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// `old` or `new`: which schema the position is in.
    pub schema: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Locator<'_> {
    fn position(&self, location: Option<Location>) -> Option<Position> {
        let (schema, sources, span) = match location? {
            Location::Old(span) => ("old", self.old?, span),
            Location::New(span) => ("new", self.new, span),
        };
        let file = sources.files.get(span.file.0 as usize)?;
        let (line, column) = file.line_col(span.start);
        Some(Position {
            schema,
            file: file.name.clone(),
            line,
            column,
        })
    }

    fn new_position(&self, span: Span) -> Option<Position> {
        self.position(Some(Location::New(span)))
    }
}

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    version: u32,
    provider: &'static str,
    /// The worst severity not allowed.
    verdict: Severity,
    /// Whether `--check` passes.
    check_passes: bool,
    summary: JsonSummary,
    changes: Vec<JsonFinding<'a>>,
    suggestions: Vec<JsonSuggestion<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSummary {
    changes: usize,
    safe: usize,
    caution: usize,
    breaking: usize,
    destructive: usize,
    allowed: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    rule: &'static str,
    rule_name: &'static str,
    severity: Severity,
    allowed: Option<JsonAllowed>,
    group: &'a Group,
    reason: &'a str,
    table: Option<&'a str>,
    column: Option<&'a str>,
    location: Option<Position>,
    change: &'a ChangeKind,
}

#[derive(Serialize)]
#[serde(tag = "by", rename_all = "camelCase")]
enum JsonAllowed {
    Flag,
    Directive { location: Option<Position> },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSuggestion<'a> {
    group: &'a Group,
    from: &'a str,
    to: &'a str,
    flag: &'a str,
    directive: &'a str,
    location: Option<Position>,
}

fn summary(c: &Classification) -> JsonSummary {
    JsonSummary {
        changes: c.findings.len(),
        safe: c.count(Severity::Safe),
        caution: c.count(Severity::Caution),
        breaking: c.count(Severity::Breaking),
        destructive: c.count(Severity::Destructive),
        allowed: c.allowed(),
    }
}

pub fn json(c: &Classification, locator: &Locator) -> String {
    let report = JsonReport {
        version: REPORT_VERSION,
        provider: c.provider.name(),
        verdict: c.verdict(),
        check_passes: !c.fails_check(),
        summary: summary(c),
        changes: c
            .findings
            .iter()
            .map(|f| {
                let (table, column) = f.change.table_column();
                JsonFinding {
                    rule: f.rule.id,
                    rule_name: f.rule.name,
                    severity: f.severity,
                    allowed: f.allowed.map(|a| match a {
                        AllowedBy::Flag => JsonAllowed::Flag,
                        AllowedBy::Directive(span) => JsonAllowed::Directive {
                            location: locator.new_position(span),
                        },
                    }),
                    group: &f.change.group,
                    reason: &f.reason,
                    table,
                    column,
                    location: locator.position(f.change.location),
                    change: &f.change.kind,
                }
            })
            .collect(),
        suggestions: c
            .suggestions
            .iter()
            .map(|s| JsonSuggestion {
                group: &s.group,
                from: &s.from,
                to: &s.to,
                flag: &s.flag,
                directive: &s.directive,
                location: locator.position(s.location),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serializes");
    text.push('\n');
    text
}

/// `--color auto`: colour on a terminal unless `NO_COLOR` is set to something (no-color.org).
pub fn auto_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

fn paint(text: &str, severity: Severity, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match severity {
        Severity::Safe => "32",
        Severity::Caution => "33",
        Severity::Breaking => "31",
        Severity::Destructive => "1;31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn group_title(group: &Group) -> String {
    match group {
        Group::Datasource => "datasource".into(),
        Group::Model(n) => format!("model {n}"),
        Group::View(n) => format!("view {n}"),
        Group::Enum(n) => format!("enum {n}"),
        Group::CompositeType(n) => format!("type {n}"),
        Group::Table(n) => format!("table {n}"),
    }
}

/// The report for a person: changes grouped by model in schema order, then suggested renames,
/// then one summary line.
pub fn human(c: &Classification, locator: &Locator, color: bool) -> String {
    let mut out = String::new();
    if c.findings.is_empty() {
        out.push_str("No changes: the two schemas are the same.\n");
        return out;
    }
    let mut groups: IndexMap<&Group, Vec<&Finding>> = IndexMap::new();
    for f in &c.findings {
        groups.entry(&f.change.group).or_default().push(f);
    }
    for (group, findings) in &groups {
        let _ = writeln!(out, "{}", crate::escape::one_line(&group_title(group)));
        for f in findings {
            let label = format!("{:<11}", f.severity.name());
            let allowed = match f.allowed {
                Some(AllowedBy::Flag) => " (allowed by --allow)",
                Some(AllowedBy::Directive(_)) => " (allowed by directive)",
                None => "",
            };
            let _ = writeln!(
                out,
                "  {} {}  {}{}",
                paint(&label, f.severity, color && f.allowed.is_none()),
                f.rule.id,
                // Names come from the schema: no line break or terminal escape gets through.
                crate::escape::one_line(&f.reason),
                allowed
            );
        }
    }
    if !c.suggestions.is_empty() {
        out.push_str("\nPossible renames (not declared, so reported as removed and added):\n");
        for s in &c.suggestions {
            let at = locator
                .position(s.location)
                .map(|p| format!(" ({}:{})", p.file, p.line))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} -> {}{at}\n    declare it with `{}` or the comment `{}` on the new line",
                crate::escape::one_line(&s.from),
                crate::escape::one_line(&s.to),
                crate::escape::one_line(&s.flag),
                crate::escape::one_line(&s.directive)
            );
        }
    }
    let s = summary(c);
    let mut counts = Vec::new();
    for severity in Severity::ALL.iter().rev() {
        let n = c.count(*severity);
        if n > 0 {
            counts.push(format!("{n} {}", severity.name()));
        }
    }
    let allowed = if s.allowed > 0 {
        format!(", {} allowed", s.allowed)
    } else {
        String::new()
    };
    let allowed_blocking = c
        .findings
        .iter()
        .filter(|f| f.allowed.is_some() && f.severity.blocks())
        .count();
    let outcome = if c.blocks() {
        "needs expand and contract: not safe to deploy as one migration (`prisma-xc explain <ID>` shows each rule's recipe)".to_string()
    } else if allowed_blocking > 0 {
        format!(
            "passes only because {allowed_blocking} breaking or destructive change{} {} allowed",
            if allowed_blocking == 1 { "" } else { "s" },
            if allowed_blocking == 1 { "is" } else { "are" }
        )
    } else if c.fails_check() {
        format!(
            "safe to deploy as one migration, but --check fails: --fail-on {} counts changes from {} up",
            c.fail_on.name(),
            c.fail_on.name()
        )
    } else {
        "safe to deploy as one migration".to_string()
    };
    let _ = writeln!(
        out,
        "\n{} change{}: {}{allowed}. Verdict: {}, {outcome}.",
        s.changes,
        if s.changes == 1 { "" } else { "s" },
        counts.join(", "),
        paint(c.verdict().name(), c.verdict(), color),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_colour_off_on_a_terminal() {
        let set = std::ffi::OsStr::new("1");
        let empty = std::ffi::OsStr::new("");
        assert!(auto_color(true, None));
        assert!(auto_color(true, Some(empty)));
        assert!(!auto_color(true, Some(set)));
        assert!(!auto_color(false, None));
    }
}
