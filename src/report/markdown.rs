//! The report as Markdown: for `$GITHUB_STEP_SUMMARY` and a pull request comment. The verdict
//! first, a table of the changes, the plan that ships them when there is one, and each rule's
//! recipe folded away. Every name from the schema goes through `escape::markdown*`: a schema
//! in a pull request cannot add markup, links or HTML to the comment.

use std::fmt::Write as _;

use super::{Level, Report, outcome, rule_help_uri};
use crate::coverage::PullRequestPhase;
use crate::escape::{markdown, markdown_cell_code, markdown_prose};

/// The first line of every comment prisma-xc posts: how the Action finds its own comment again.
pub const COMMENT_MARKER: &str = "<!-- prisma-xc report -->";

pub fn render(report: &Report) -> String {
    let c = report.classification;
    let mut out = String::new();
    let _ = writeln!(out, "{COMMENT_MARKER}");
    let mark = if report.check_passes() { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "### {mark} prisma-xc: {}\n",
        markdown(c.verdict().name())
    );
    if c.findings.is_empty() {
        out.push_str("No changes: the two schemas are the same.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{} change{}. {}\n",
        c.findings.len(),
        if c.findings.len() == 1 { "" } else { "s" },
        markdown_prose(&format!("{}.", capitalised(&outcome(report))), false)
    );
    out.push_str("| | severity | rule | where | change |\n|---|---|---|---|---|\n");
    for f in &c.findings {
        let icon = match report.level(f) {
            Level::Error => "❌",
            Level::Warning => "⚠️",
            Level::Notice => "ℹ️",
        };
        let at = report
            .locator
            .position(f.change.location)
            .map(|p| {
                markdown_cell_code(&format!(
                    "{}:{}:{}",
                    report.locator.repository_path(&p),
                    p.line,
                    p.column
                ))
            })
            .unwrap_or_default();
        let allowed = if f.allowed.is_some() {
            " (allowed)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {icon} | {}{allowed} | [{}]({}) | {at} | {} |",
            f.severity.name(),
            f.rule.id,
            rule_help_uri(f.rule),
            markdown_prose(&f.reason, true)
        );
    }
    if !c.suggestions.is_empty() {
        out.push_str(
            "\n**Possible renames** (not declared, so reported as removed and added):\n\n",
        );
        for s in &c.suggestions {
            let _ = writeln!(
                out,
                "- {} → {}: declare it with {} or the comment {} on the new line",
                markdown_cell_code(&s.from),
                markdown_cell_code(&s.to),
                markdown_cell_code(&s.flag),
                markdown_cell_code(&s.directive)
            );
        }
    }
    if let Some(coverage) = report.coverage {
        let _ = writeln!(
            out,
            "\n**Plan** {} ({}): this pull request is {}.",
            markdown_cell_code(&coverage.name),
            markdown_cell_code(&coverage.folder),
            match coverage.phase {
                PullRequestPhase::Plan => "the change the plan was written for",
                PullRequestPhase::Expand => "the plan's expand",
                PullRequestPhase::Contract => "the plan's contract",
            }
        );
        if let Some(why) = &coverage.why {
            let _ = writeln!(out, "\nNot yet: {}", markdown_prose(why, false));
        }
        if !coverage.steps.is_empty() {
            out.push('\n');
            for (i, step) in coverage.steps.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, markdown(step));
            }
        }
    }
    let mut rules: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.severity.blocks() || f.severity >= c.fail_on)
        .map(|f| f.rule)
        .collect();
    rules.sort_by_key(|r| r.id);
    rules.dedup_by_key(|r| r.id);
    for rule in rules {
        // The catalog's own Markdown (src/rules/), not schema text.
        let _ = write!(
            out,
            "\n<details>\n<summary>{} {}: {}</summary>\n\n{}\n\n</details>\n",
            rule.id,
            rule.name,
            markdown(rule.title),
            rule.recipe.trim()
        );
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
