//! Changes -> findings: each change judged by its rule, and the deliberate exceptions applied.
//!
//! A change is accepted deliberately with `--allow XC103` (every change of that rule) or a
//! `// prisma-xc: allow XC103` directive on its line, its model's line or a line of its own at
//! the top level of the schema. An allowed change is still reported, marked as allowed, and no
//! longer fails `--check`.

use crate::changes::{Change, Diff, Suggestion};
use crate::diagnostics::Span;
use crate::directives::{Directive, DirectiveKind, Target};
use crate::rules::{self, Context, Rule, Severity};
use crate::schema::Provider;
use crate::settings::RuleSetting;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowedBy {
    Flag,
    Directive(Span),
    /// prisma-xc.toml's `[rules]`.
    Settings,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub reason: String,
    pub change: Change,
    pub allowed: Option<AllowedBy>,
}

impl Finding {
    /// Whether it fails `--check`.
    pub fn blocks(&self) -> bool {
        self.allowed.is_none() && self.severity.blocks()
    }
}

#[derive(Debug, Clone)]
pub struct Classification {
    pub provider: Provider,
    pub findings: Vec<Finding>,
    pub suggestions: Vec<Suggestion>,
    /// The severity from which `--check` fails (`--fail-on`): breaking unless the user says.
    pub fail_on: Severity,
}

impl Classification {
    /// The worst severity that is not allowed; `Safe` when there is none.
    pub fn verdict(&self) -> Severity {
        self.findings
            .iter()
            .filter(|f| f.allowed.is_none())
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Safe)
    }

    pub fn blocks(&self) -> bool {
        self.findings.iter().any(Finding::blocks)
    }

    /// Whether `--check` fails: a change at or above `fail_on` that is not allowed.
    pub fn fails_check(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.allowed.is_none() && f.severity >= self.fail_on)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn allowed(&self) -> usize {
        self.findings.iter().filter(|f| f.allowed.is_some()).count()
    }
}

/// Whether a directive written at `target` covers a change anchored at `anchor`.
fn covers(target: &Target, anchor: &Target) -> bool {
    match (target, anchor) {
        (Target::Schema, _) => true,
        (Target::Model(m), Target::Field { model, .. }) => m == model,
        (Target::Enum(e), Target::EnumValue { enumeration, .. }) => e == enumeration,
        _ => target == anchor,
    }
}

/// Judge every change. `allow` holds rule ids from `--allow`, already checked to exist.
pub fn classify(
    diff: Diff,
    provider: Provider,
    allow: &[String],
    rule_settings: &[(&'static str, RuleSetting)],
    directives: &[Directive],
) -> Classification {
    let context = Context { provider };
    let findings = diff
        .changes
        .into_iter()
        .map(|change| {
            let (rule, mut verdict) = rules::judge(&change, &context);
            let setting = rule_settings
                .iter()
                .find(|(id, _)| *id == rule.id)
                .map(|(_, s)| *s);
            if let Some(RuleSetting::Severity(severity)) = setting {
                verdict.severity = severity;
            }
            let allowed = if allow.iter().any(|a| a.eq_ignore_ascii_case(rule.id)) {
                Some(AllowedBy::Flag)
            } else if setting == Some(RuleSetting::Allow) {
                Some(AllowedBy::Settings)
            } else {
                directives
                    .iter()
                    .find(|d| match &d.kind {
                        DirectiveKind::Allow(ids) => {
                            ids.iter().any(|i| i == rule.id) && covers(&d.target, &change.anchor)
                        }
                        DirectiveKind::RenamedFrom(_) => false,
                    })
                    .map(|d| AllowedBy::Directive(d.span))
            };
            Finding {
                rule,
                severity: verdict.severity,
                reason: verdict.reason,
                change,
                allowed,
            }
        })
        .collect();
    Classification {
        provider,
        findings,
        suggestions: diff.suggestions,
        fail_on: Severity::Breaking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_cover_their_element_and_what_is_inside_it() {
        let field = Target::Field {
            model: "User".into(),
            field: "name".into(),
        };
        assert!(covers(&Target::Schema, &field));
        assert!(covers(&Target::Model("User".into()), &field));
        assert!(covers(&field, &field));
        assert!(!covers(&Target::Model("Post".into()), &field));
        assert!(!covers(&field, &Target::Model("User".into())));
    }
}
