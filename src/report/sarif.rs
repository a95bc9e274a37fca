//! SARIF 2.1.0 for code scanning (GitHub's `upload-sarif`, GitLab, IDE viewers): one rule per
//! XC id with its help text and link, one result per change with its location in the schema.

use serde_json::{Value, json};

use super::{Level, Report, rule_help_uri};
use crate::rules::RULES;

pub fn render(report: &Report) -> String {
    let c = report.classification;
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": format!("Triggered by: {}", r.trigger) },
                "helpUri": rule_help_uri(r),
                "help": {
                    "text": crate::rules::explain(r),
                    "markdown": crate::rules::explain(r),
                },
                "defaultConfiguration": { "level": level_of(Level::of(r.severity, Some(c.fail_on))) },
                "properties": { "severity": r.severity.name(), "tags": ["prisma", "migration"] },
            })
        })
        .collect();
    let results: Vec<Value> = c
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule.id,
                "ruleIndex": RULES.iter().position(|r| r.id == f.rule.id).unwrap_or(0),
                "level": level_of(report.level(f)),
                "message": { "text": f.reason },
                "properties": { "severity": f.severity.name(), "allowed": f.allowed.is_some() },
            });
            if let Some(p) = report.locator.position(f.change.location) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&report.locator.repository_path(&p)) },
                        "region": { "startLine": p.line, "startColumn": p.column },
                    },
                    "message": { "text": format!("in the {} schema", p.schema) },
                }]);
            }
            if f.allowed.is_some() {
                result["suppressions"] = json!([{ "kind": "external", "justification": "allowed by --allow or a prisma-xc directive" }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "prisma-xc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "verdict": c.verdict().name(),
                "checkPasses": report.check_passes(),
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("the log serializes");
    text.push('\n');
    text
}

fn level_of(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "note",
    }
}

/// A relative path as a URI reference: each segment percent-encoded where RFC 3986 needs it.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("prisma/schema.prisma"), "prisma/schema.prisma");
        assert_eq!(
            uri("my app/schéma#1.prisma"),
            "my%20app/sch%C3%A9ma%231.prisma"
        );
    }
}
