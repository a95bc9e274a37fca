//! `prisma-xc.toml`: a project's standing choices, so that every developer and the CI check run
//! with the same ones. Flags given on the command line win over the file.
//!
//! ```toml
//! fail_on = "caution"        # --fail-on: safe, caution, breaking (default), destructive
//! lock_timeout = "3s"        # --lock-timeout
//! sync = "app"               # --sync: trigger (default) or app
//!
//! [rules]
//! XC112 = "allow"            # reported, never fails the check (like --allow XC112)
//! XC118 = "breaking"         # judged at this severity instead of the rule's own
//! ```
//!
//! Pure: the caller reads the file and hands its name and text in.

use serde::Deserialize;

use crate::diagnostics::SourceFile;
use crate::rules::Severity;

pub const FILE_NAME: &str = "prisma-xc.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sync {
    Trigger,
    App,
}

/// What the file says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    /// Every change of the rule is accepted: reported, marked as allowed.
    Allow,
    /// Every change of the rule is judged at this severity.
    Severity(Severity),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The file, as the user names it.
    pub file: String,
    pub fail_on: Option<Severity>,
    pub lock_timeout: Option<String>,
    pub sync: Option<Sync>,
    /// Rule id (`XC112`) and its setting, in the file's order.
    pub rules: Vec<(&'static str, RuleSetting)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    fail_on: Option<toml::Spanned<String>>,
    lock_timeout: Option<String>,
    sync: Option<Sync>,
    #[serde(default)]
    rules: indexmap::IndexMap<String, toml::Spanned<String>>,
}

/// Read the settings in `text`, the contents of the file `name`. An error names the file, line
/// and column, and what to write instead.
pub fn parse(name: &str, text: &str) -> Result<Settings, String> {
    let source = SourceFile::new(name, text);
    let at = |span: std::ops::Range<usize>| {
        let (line, column) = source.line_col(span.start);
        format!("{name}:{line}:{column}")
    };
    let file: File = toml::from_str(text).map_err(|e| {
        let place = e.span().map(&at).unwrap_or_else(|| name.to_string());
        format!(
            "{place}: {}\n  = help: {FILE_NAME} takes fail_on, lock_timeout, sync and a [rules] table (see README)",
            e.message().trim()
        )
    })?;
    let severity = |value: &str| Severity::ALL.iter().copied().find(|s| s.name() == value);
    let fail_on = match &file.fail_on {
        None => None,
        Some(v) => Some(severity(v.get_ref()).ok_or_else(|| {
            format!(
                "{}: fail_on = {:?} is not a severity\n  = help: write safe, caution, breaking or destructive",
                at(v.span()),
                v.get_ref()
            )
        })?),
    };
    let mut rules = Vec::new();
    for (id, value) in &file.rules {
        let rule = crate::rules::find(id).filter(|r| r.id.eq_ignore_ascii_case(id)).ok_or_else(|| {
            format!(
                "{}: there is no rule {id:?}\n  = help: `prisma-xc explain --list` lists every rule id (XC101, ...)",
                at(value.span())
            )
        })?;
        let setting = match value.get_ref().as_str() {
            "allow" => RuleSetting::Allow,
            other => RuleSetting::Severity(severity(other).ok_or_else(|| {
                format!(
                    "{}: {id} = {other:?} is not a setting\n  = help: write \"allow\", or a severity: safe, caution, breaking or destructive",
                    at(value.span())
                )
            })?),
        };
        rules.push((rule.id, setting));
    }
    Ok(Settings {
        file: name.to_string(),
        fail_on,
        lock_timeout: file.lock_timeout,
        sync: file.sync,
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_reads() {
        let s = parse(
            "prisma-xc.toml",
            "fail_on = \"caution\"\nlock_timeout = \"3s\"\nsync = \"app\"\n\n[rules]\nXC112 = \"allow\"\nxc118 = \"breaking\"\n",
        )
        .unwrap();
        assert_eq!(s.fail_on, Some(Severity::Caution));
        assert_eq!(s.lock_timeout.as_deref(), Some("3s"));
        assert_eq!(s.sync, Some(Sync::App));
        assert_eq!(
            s.rules,
            [
                ("XC112", RuleSetting::Allow),
                ("XC118", RuleSetting::Severity(Severity::Breaking))
            ]
        );
        assert_eq!(parse("x.toml", "").unwrap().rules, []);
    }

    #[test]
    fn mistakes_name_their_line_and_column() {
        let cases = [
            (
                "fail_on = \"high\"\n",
                "x.toml:1:11: fail_on = \"high\" is not a severity",
            ),
            (
                "[rules]\nXC999 = \"allow\"\n",
                "x.toml:2:9: there is no rule \"XC999\"",
            ),
            (
                "[rules]\nXC112 = \"off\"\n",
                "x.toml:2:9: XC112 = \"off\" is not a setting",
            ),
            (
                "lock_timout = \"1s\"\n",
                "x.toml:1:1: unknown field `lock_timout`",
            ),
            ("sync = \"both\"\n", "x.toml:1:8: unknown variant `both`"),
            ("fail_on = \n", "x.toml:1:"),
        ];
        for (text, expected) in cases {
            let e = parse("x.toml", text).unwrap_err();
            assert!(e.starts_with(expected), "{text:?}: {e}");
            assert!(e.contains("= help:"), "{e}");
        }
    }
}
