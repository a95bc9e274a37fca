//! Classified changes -> a report, in the format its reader takes: a person (`human`), a
//! program (`json`), a GitHub workflow's annotations (`github`), a pull request comment or job
//! summary (`markdown`), a code scanning tool (`sarif`), a GitLab merge request (`gitlab`). The
//! format is chosen at the edge; every format carries every finding with its file, line and
//! column.
//!
//! The JSON structure is documented in `docs/report-format.md`; its `version` changes only when
//! a field is removed or changes meaning.

mod github;
mod gitlab;
mod human;
mod json;
mod markdown;
mod sarif;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use human::auto_color;
pub use json::REPORT_VERSION;

use crate::changes::{Group, Location};
use crate::classify::{Classification, Finding};
use crate::coverage::Coverage;
use crate::diagnostics::{Sources, Span};
use crate::rules::{Rule, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by model, for a terminal.
    Human,
    /// docs/report-format.md.
    Json,
    /// GitHub workflow commands: an annotation per change on its schema line.
    Github,
    /// A summary for $GITHUB_STEP_SUMMARY or a pull request comment.
    Markdown,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitLab Code Quality, for merge requests.
    Gitlab,
}

/// Everything a report says.
pub struct Report<'a> {
    pub classification: &'a Classification,
    pub locator: Locator<'a>,
    /// The committed plan this change is a step of, if any.
    pub coverage: Option<&'a Coverage>,
}

impl Report<'_> {
    /// Whether `--check` passes: nothing at or above `--fail-on` is left unallowed, or a
    /// committed plan ships the change.
    pub fn check_passes(&self) -> bool {
        !self.classification.fails_check() || self.coverage.is_some_and(|c| c.covers)
    }

    /// How loud a finding is where a tool ranks them: an error when it fails the check.
    fn level(&self, f: &Finding) -> Level {
        let covered = self.coverage.is_some_and(|c| c.covers);
        let can_fail = f.allowed.is_none() && !covered;
        Level::of(f.severity, can_fail.then_some(self.classification.fail_on))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    /// A severity's level when changes from `fail_on` up fail the check (`None`: this one
    /// cannot fail it).
    fn of(severity: Severity, fail_on: Option<Severity>) -> Level {
        if fail_on.is_some_and(|fail_on| severity >= fail_on) {
            Level::Error
        } else if severity >= Severity::Caution {
            Level::Warning
        } else {
            Level::Notice
        }
    }
}

pub fn render(format: Format, report: &Report, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Gitlab => gitlab::render(report),
    }
}

/// Where the files of a git repository are, so that annotations name them from its root (as
/// GitHub and code scanning place them), whichever folder prisma-xc ran in.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// The repository's root folder.
    pub root: PathBuf,
    /// The current folder.
    pub cwd: PathBuf,
    /// `--base`: the old schema's files are named `REV:path`.
    pub old_revision: Option<String>,
    /// `--head`: so are the new schema's.
    pub new_revision: Option<String>,
}

/// The sources of both schemas, to turn spans into `file:line:column`.
pub struct Locator<'a> {
    pub old: Option<&'a Sources>,
    pub new: &'a Sources,
    pub repository: Option<Repository>,
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

    /// A position's file as a path from the repository's root, `/`-separated: the old schema
    /// read from git (`main:prisma/schema.prisma`) is the same path in the working tree.
    fn repository_path(&self, position: &Position) -> String {
        let mut file = position.file.as_str();
        let revision = self
            .repository
            .as_ref()
            .and_then(|r| match position.schema {
                "old" => r.old_revision.as_deref(),
                _ => r.new_revision.as_deref(),
            });
        if let Some(rev) = revision {
            file = file
                .strip_prefix(rev)
                .and_then(|f| f.strip_prefix(':'))
                .unwrap_or(file);
        }
        let path = Path::new(file);
        let rooted = match &self.repository {
            Some(repo) => {
                let absolute = crate::paths::normalize(&repo.cwd.join(path));
                absolute
                    .strip_prefix(crate::paths::normalize(&repo.root))
                    .map(Path::to_path_buf)
                    .unwrap_or(absolute)
            }
            None => crate::paths::normalize(path),
        };
        rooted.to_string_lossy().replace('\\', "/")
    }
}

/// The report's verdict in one line: what the reader does next.
fn outcome(report: &Report) -> String {
    let c = report.classification;
    let allowed_blocking = c
        .findings
        .iter()
        .filter(|f| f.allowed.is_some() && f.severity.blocks())
        .count();
    if let Some(coverage) = report.coverage.filter(|c| c.covers)
        && c.fails_check()
    {
        return format!(
            "shipped by plan {} ({}): {}",
            coverage.name,
            coverage.folder,
            coverage.phase.describe()
        );
    }
    if c.blocks() {
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
    }
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

/// Where a rule's full text is published: its section of docs/rules.md.
pub fn rule_help_uri(rule: &Rule) -> String {
    let heading = format!("{} {}: {}", rule.id, rule.name, rule.title);
    // GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped,
    // spaces to `-`.
    let anchor: String = heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect();
    format!(
        "{}/blob/main/docs/rules.md#{anchor}",
        env!("CARGO_PKG_REPOSITORY")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths_are_from_the_root_and_old_files_lose_their_revision() {
        let sources = Sources::default();
        let locator = Locator {
            old: None,
            new: &sources,
            repository: Some(Repository {
                root: "/repo".into(),
                cwd: "/repo/apps/web".into(),
                old_revision: Some("origin/main".into()),
                new_revision: None,
            }),
        };
        let at = |schema, file: &str| Position {
            schema,
            file: file.into(),
            line: 1,
            column: 1,
        };
        assert_eq!(
            locator.repository_path(&at("new", "prisma/schema.prisma")),
            "apps/web/prisma/schema.prisma"
        );
        assert_eq!(
            locator.repository_path(&at("old", "origin/main:prisma/schema.prisma")),
            "apps/web/prisma/schema.prisma"
        );
        assert_eq!(
            locator.repository_path(&at("new", "/repo/apps/web/../api/schema.prisma")),
            "apps/api/schema.prisma"
        );
    }

    #[test]
    fn help_links_point_at_the_rules_heading() {
        let rule = crate::rules::find("XC103").unwrap();
        assert!(
            rule_help_uri(rule).ends_with("docs/rules.md#xc103-renamed-column-column-renamed-running-code-still-uses-the-old-name"),
            "{}",
            rule_help_uri(rule)
        );
    }
}
