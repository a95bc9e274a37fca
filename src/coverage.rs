//! Committed plans -> whether a pull request's schema change is one of their steps.
//!
//! A plan written by `prisma-xc diff --name` records the fingerprints of the schemas it goes
//! between (`plan.json`'s `schemas`). A pull request whose old and new schemas match a plan's is
//! covered by it, and `--check` passes: the breaking changes have their expand and contract.
//! Three pull requests can be a plan's:
//! - the one that carries the plan: old -> new, the change as the developer wrote it;
//! - its expand: old -> the plan's `schema.expand.prisma`;
//! - its contract: `schema.expand.prisma` -> new, once the expand's migrations are in the
//!   migrations folder (promoted, so deployed with the application).
//!
//! A fingerprint leaves out what a plan rewrites or a formatter changes: generator blocks (the
//! plan's `output` is written for the plan folder, and PLAN.md tells the user to keep theirs)
//! and the amount of whitespace.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The fingerprints plan.json records, `sha256:<hex>` each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaFingerprints {
    pub old: String,
    pub expand: String,
    pub new: String,
}

/// The fingerprint of a schema: its files' texts, in the order they are read.
pub fn fingerprint<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    let mut first = true;
    for text in texts {
        for word in without_generators(text).split_whitespace() {
            if !first {
                hasher.update(b" ");
            }
            first = false;
            hasher.update(word.as_bytes());
        }
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// The fingerprint of a schema read into `sources`.
pub fn fingerprint_of(sources: &crate::diagnostics::Sources) -> String {
    fingerprint(sources.files.iter().map(|f| f.text.as_str()))
}

/// Bytes as lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The text without its `generator` blocks. Prisma puts a block's properties on lines of their
/// own, so a block ends at the first line that starts with `}`.
fn without_generators(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_generator = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if in_generator {
            in_generator = !trimmed.starts_with('}');
            continue;
        }
        let starts_generator = trimmed
            .strip_prefix("generator")
            .is_some_and(|rest| rest.starts_with(char::is_whitespace) && rest.contains('{'));
        if starts_generator {
            in_generator = !rest_closes(trimmed);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A block opened and closed on one line (`generator a { }`).
fn rest_closes(line: &str) -> bool {
    line.split_once('{')
        .is_some_and(|(_, rest)| rest.trim_end().ends_with('}'))
}

/// Which pull request of a plan a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PullRequestPhase {
    /// Old -> new: the pull request that carries the plan for its change.
    Plan,
    /// Old -> the plan's expand schema.
    Expand,
    /// The plan's expand schema -> new.
    Contract,
}

impl PullRequestPhase {
    pub fn describe(self) -> &'static str {
        match self {
            PullRequestPhase::Plan => {
                "the change the plan was written for: ship it through the plan's phases, not as one migration"
            }
            PullRequestPhase::Expand => {
                "the plan's expand: the schema becomes schema.expand.prisma"
            }
            PullRequestPhase::Contract => {
                "the plan's contract: the schema becomes the new one, once every instance runs the new version"
            }
        }
    }
}

/// A committed plan, as the check reads it.
#[derive(Debug, Clone)]
pub struct CommittedPlan {
    /// The plan folder as the user names it.
    pub folder: String,
    pub name: String,
    pub schemas: SchemaFingerprints,
    /// Step titles, in order (PLAN.md's headings).
    pub steps: Vec<String>,
    /// Whether the migrations folder holds the plan's expand migrations (or it has none).
    pub expand_promoted: bool,
}

/// The plan a change belongs to, and which of its pull requests it is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub folder: String,
    pub name: String,
    pub phase: PullRequestPhase,
    /// False when the change is the plan's but cannot ship yet; `why` says what to do first.
    pub covers: bool,
    pub why: Option<String>,
    pub steps: Vec<String>,
}

/// The first plan (in folder order) the change from `old` to `new` belongs to.
pub fn find(plans: &[CommittedPlan], old: &str, new: &str) -> Option<Coverage> {
    let phase_of = |plan: &CommittedPlan| {
        let s = &plan.schemas;
        if s.old == old && s.new == new {
            Some(PullRequestPhase::Plan)
        } else if s.old == old && s.expand == new {
            Some(PullRequestPhase::Expand)
        } else if s.expand == old && s.new == new {
            Some(PullRequestPhase::Contract)
        } else {
            None
        }
    };
    plans.iter().find_map(|plan| {
        let phase = phase_of(plan)?;
        let waiting = phase == PullRequestPhase::Contract && !plan.expand_promoted;
        Some(Coverage {
            folder: plan.folder.clone(),
            name: plan.name.clone(),
            phase,
            covers: !waiting,
            why: waiting.then(|| {
                format!(
                    "the migrations folder has no expand migration of plan {}: promote and deploy the expand first (`prisma-xc promote {} expand`)",
                    plan.name, plan.folder
                )
            }),
            steps: plan.steps.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_generators_and_whitespace_but_not_the_schema() {
        let a = "generator client {\n  provider = \"prisma-client\"\n  output = \"../generated\"\n}\n\nmodel User {\n  id   Int @id\n  name String // prisma-xc: renamed from n\n}\n";
        let b = "generator client {\n  provider = \"prisma-client\"\n  output   = \"../../../generated\"\n}\nmodel User {\n  id Int @id\n  name   String   // prisma-xc: renamed from n\n}\n";
        let c = "model User {\n  id Int @id\n  name String? // prisma-xc: renamed from n\n}\n";
        assert_eq!(fingerprint([a]), fingerprint([b]));
        assert_ne!(fingerprint([a]), fingerprint([c]));
        assert_eq!(fingerprint([a]), fingerprint(["generator x { }\n", b]));
        assert!(fingerprint([a]).starts_with("sha256:") && fingerprint([a]).len() == 71);
    }

    #[test]
    fn a_change_is_matched_to_the_pull_request_of_its_plan() {
        let plan = |promoted| CommittedPlan {
            folder: "prisma/phases/1_x".into(),
            name: "x".into(),
            schemas: SchemaFingerprints {
                old: "o".into(),
                expand: "e".into(),
                new: "n".into(),
            },
            steps: vec!["apply the expand".into()],
            expand_promoted: promoted,
        };
        let phase =
            |old, new, promoted| find(&[plan(promoted)], old, new).map(|c| (c.phase, c.covers));
        assert_eq!(phase("o", "n", false), Some((PullRequestPhase::Plan, true)));
        assert_eq!(
            phase("o", "e", false),
            Some((PullRequestPhase::Expand, true))
        );
        assert_eq!(
            phase("e", "n", true),
            Some((PullRequestPhase::Contract, true))
        );
        assert_eq!(
            phase("e", "n", false),
            Some((PullRequestPhase::Contract, false))
        );
        assert_eq!(phase("o", "x", true), None);
        assert_eq!(phase("n", "o", true), None);
    }
}
