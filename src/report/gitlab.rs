//! GitLab Code Quality (the `codequality` report of a job's `artifacts:reports`): a JSON array
//! of issues, each with a stable fingerprint so that merge requests show what is new.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Level, Report};

pub fn render(report: &Report) -> String {
    let issues: Vec<Value> = report
        .classification
        .findings
        .iter()
        .map(|f| {
            let position = report.locator.position(f.change.location);
            let path = position
                .as_ref()
                .map(|p| report.locator.repository_path(p))
                .unwrap_or_default();
            // The same change at the same place keeps its fingerprint from run to run.
            let fingerprint = Sha256::digest(format!("{}\0{path}\0{}", f.rule.id, f.reason));
            json!({
                "type": "issue",
                "check_name": f.rule.id,
                "description": format!("{} {}: {}", f.rule.id, f.rule.name, f.reason),
                "categories": ["Bug Risk"],
                "severity": match report.level(f) {
                    Level::Error if f.severity == crate::rules::Severity::Destructive => "blocker",
                    Level::Error => "critical",
                    Level::Warning => "minor",
                    Level::Notice => "info",
                },
                "fingerprint": crate::coverage::hex(&fingerprint),
                "location": {
                    "path": path,
                    "lines": { "begin": position.as_ref().map_or(1, |p| p.line) },
                },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("the report serializes");
    text.push('\n');
    text
}
