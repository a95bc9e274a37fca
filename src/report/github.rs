//! GitHub workflow commands: one annotation per change, on its line of the schema (the new one,
//! or the old one for what was removed), then a notice with the verdict.
//!
//! The syntax is the runner's (`::error file=F,line=L,col=C,title=T::message`): a property
//! value escapes `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF. A schema name
//! can hold none of these unescaped, so no name can end an annotation or start a command.

use std::fmt::Write as _;

use super::{Level, Report, outcome};

pub fn render(report: &Report) -> String {
    let c = report.classification;
    let mut out = String::new();
    for f in &c.findings {
        let command = match report.level(f) {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        let mut properties = Vec::new();
        if let Some(p) = report.locator.position(f.change.location) {
            properties.push(format!(
                "file={}",
                property(&report.locator.repository_path(&p))
            ));
            properties.push(format!("line={}", p.line));
            properties.push(format!("col={}", p.column));
        }
        properties.push(format!(
            "title={}",
            property(&format!(
                "{} {} ({})",
                f.rule.id,
                f.rule.name,
                f.severity.name()
            ))
        ));
        let allowed = if f.allowed.is_some() {
            " (allowed)"
        } else {
            ""
        };
        let message = format!(
            "{}{allowed}\nprisma-xc explain {}: the safe recipe",
            f.reason, f.rule.id
        );
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&message)
        );
    }
    for s in &c.suggestions {
        let mut properties = Vec::new();
        if let Some(p) = report.locator.position(s.location) {
            properties.push(format!(
                "file={}",
                property(&report.locator.repository_path(&p))
            ));
            properties.push(format!("line={}", p.line));
            properties.push(format!("col={}", p.column));
        }
        properties.push(format!("title={}", property("prisma-xc: a rename?")));
        let message = format!(
            "{} -> {} looks like a rename, reported as a removal and an addition.\nDeclare it with `{}` or the comment `{}` on the new line.",
            s.from, s.to, s.flag, s.directive
        );
        let _ = writeln!(out, "::notice {}::{}", properties.join(","), data(&message));
    }
    let verdict = format!(
        "prisma-xc: {} change{}, verdict {}: {}",
        c.findings.len(),
        if c.findings.len() == 1 { "" } else { "s" },
        c.verdict().name(),
        outcome(report)
    );
    let command = if report.check_passes() {
        "notice"
    } else {
        "error"
    };
    let _ = writeln!(
        out,
        "::{command} title={}::{}",
        property("prisma-xc"),
        data(&verdict)
    );
    out
}

/// A command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_value_can_end_the_command() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%\n::x"), "a%3Ab%2Cc%25%0A%3A%3Ax");
    }
}
