//! The JSON report (docs/report-format.md).

use serde::Serialize;

use super::{Position, Report};
use crate::changes::{ChangeKind, Group};
use crate::classify::{AllowedBy, Classification};
use crate::coverage::Coverage;
use crate::rules::Severity;

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
    /// The committed plan the change is a step of.
    plan: Option<&'a Coverage>,
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
    Settings,
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

pub fn render(report: &Report) -> String {
    let (c, locator) = (report.classification, &report.locator);
    let json = JsonReport {
        version: REPORT_VERSION,
        provider: c.provider.name(),
        verdict: c.verdict(),
        check_passes: report.check_passes(),
        plan: report.coverage,
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
                        AllowedBy::Settings => JsonAllowed::Settings,
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
    let mut text = serde_json::to_string_pretty(&json).expect("the report serializes");
    text.push('\n');
    text
}
