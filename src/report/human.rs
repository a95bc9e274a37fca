//! The report for a person: changes grouped by model, suggested renames, the verdict.

use std::fmt::Write as _;

use indexmap::IndexMap;

use super::{Report, group_title, outcome};
use crate::changes::Group;
use crate::classify::{AllowedBy, Finding};
use crate::rules::Severity;

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

/// The report for a person: changes grouped by model in schema order, then suggested renames,
/// then one summary line.
pub fn render(report: &Report, color: bool) -> String {
    let (c, locator) = (report.classification, &report.locator);
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
                Some(AllowedBy::Settings) => " (allowed by prisma-xc.toml)",
                None => "",
            };
            let at = locator
                .position(f.change.location)
                .map(|p| {
                    format!(
                        " ({}:{}:{})",
                        crate::escape::one_line(&p.file),
                        p.line,
                        p.column
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}  {}{}{at}",
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
                .map(|p| format!(" ({}:{})", crate::escape::one_line(&p.file), p.line))
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
    let mut counts = Vec::new();
    for severity in Severity::ALL.iter().rev() {
        let n = c.count(*severity);
        if n > 0 {
            counts.push(format!("{n} {}", severity.name()));
        }
    }
    let allowed = if c.allowed() > 0 {
        format!(", {} allowed", c.allowed())
    } else {
        String::new()
    };
    let outcome = outcome(report);
    let _ = writeln!(
        out,
        "\n{} change{}: {}{allowed}. Verdict: {}, {outcome}.",
        c.findings.len(),
        if c.findings.len() == 1 { "" } else { "s" },
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
