//! One way to write a name or value into each kind of text prisma-xc produces.
//!
//! Names and values in a schema come from pull requests: a `@map`, a `@default` string or a doc
//! comment can hold quotes, line breaks, `$$`, `%`, `*/` or backticks. Everything that reaches
//! a file goes through the function for the place it lands, and nothing else builds such text:
//! SQL identifiers are [`crate::sql::Dialect::quote`]; everything else is here.

use crate::schema::Provider;

/// Text with every control character (line breaks included) written as a visible escape
/// (`\n`, `\u{1b}`), so that it stays on one line and cannot steer a terminal.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The text of a `--` SQL comment (or a `//` TypeScript one): one line, so nothing after a
/// line break can become a statement.
pub fn line_comment(text: &str) -> String {
    one_line(text)
}

/// The text of a `/* ... */` comment (SQL or TypeScript): one line, and neither `*/` (which
/// would end it) nor `/*` (which PostgreSQL nests) inside.
pub fn block_comment(text: &str) -> String {
    one_line(text).replace("*/", "* /").replace("/*", "/ *")
}

/// A single-quoted SQL string literal as `provider` reads it. PostgreSQL, SQLite and SQL Server
/// double the quote; MySQL also treats a backslash as an escape, so it is doubled too.
pub fn sql_string(provider: Provider, value: &str) -> String {
    let quoted = value.replace('\'', "''");
    match provider {
        Provider::MySql => format!("'{}'", quoted.replace('\\', "\\\\")),
        _ => format!("'{quoted}'"),
    }
}

/// The message of a PL/pgSQL `RAISE`: a string literal whose `%` would be a placeholder.
pub fn raise_message(message: &str) -> String {
    sql_string(Provider::PostgreSql, &one_line(message).replace('%', "%%"))
}

/// A PostgreSQL dollar-quoted body, with a tag that does not occur in it: an identifier that
/// holds `$$` cannot end the body early.
pub fn dollar_quoted(body: &str) -> String {
    let tag = dollar_tag(body);
    format!("{tag}{body}{tag}")
}

/// The dollar-quote tag for `body`: `$$`, or `$xc1$`, `$xc2$`, ... when the body holds it.
pub fn dollar_tag(body: &str) -> String {
    let mut tag = String::from("$$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$xc{n}$");
    }
    tag
}

/// A Prisma schema string literal (`@map("...")`): Prisma reads JSON's escapes.
pub fn prisma_string(value: &str) -> String {
    serde_json::to_string(value).expect("a string serializes")
}

/// A TypeScript (and JavaScript) string literal: JSON's escaping is valid there.
pub fn ts_string(value: &str) -> String {
    serde_json::to_string(value).expect("a string serializes")
}

/// Text inside a Markdown paragraph or table cell: one line, and the characters that would
/// start markup, break a table (`|`) or open HTML, escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in one_line(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']' | '#' | '~' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Prose of prisma-xc's own in Markdown: its `code` parts (between backticks) as code spans
/// fenced for whatever they hold, the rest escaped with [`markdown`]. A name holding a backtick
/// can only move where a code span starts and ends, never let markup through. `in_table`: the
/// text stands in a table cell (where `|` must be escaped even inside code).
pub fn markdown_prose(text: &str, in_table: bool) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        let is_code = i % 2 == 1 && i + 1 < parts.len();
        if is_code {
            out.push_str(&if in_table {
                markdown_cell_code(part)
            } else {
                markdown_code(part)
            });
        } else {
            if i % 2 == 1 {
                // An unclosed backtick: shown as itself.
                out.push_str("\\`");
            }
            out.push_str(&markdown(part));
        }
    }
    out
}

/// A Markdown code span holding `text` verbatim (one line), fenced with more backticks than any
/// run inside it. Inside a table, use [`markdown_cell_code`].
pub fn markdown_code(text: &str) -> String {
    let text = one_line(text);
    let longest = longest_run(&text, '`');
    let fence = "`".repeat(longest + 1);
    // A space on each side when the text starts or ends with a backtick (CommonMark strips one).
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span in a table cell: GitHub splits cells at every `|`, even inside code, unless it
/// is escaped (the backslash is then removed).
pub fn markdown_cell_code(text: &str) -> String {
    markdown_code(text).replace('|', "\\|")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// One argument of a POSIX shell command, as typed in PLAN.md: as it is when it holds only
/// characters no shell reads specially, single-quoted otherwise.
pub fn shell_arg(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@,+%".contains(c));
    if plain {
        arg.to_string()
    } else if arg.chars().any(char::is_control) {
        // A line break inside quotes would split the command (and a code block) in two lines:
        // ANSI-C quoting (bash, zsh, ksh) writes it as an escape.
        let mut out = String::from("$'");
        for c in arg.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A name made only of ASCII letters, digits and `_` (for placeholders that must stay one SQL or
/// TypeScript token).
pub fn token(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_text_is_escaped_for_its_place() {
        let hostile = "x\nDROP TABLE victim;\n-- */ /* $$ % ' \" ` | \\";
        let cases: &[(&str, String, &str)] = &[
            (
                "line comment",
                line_comment(hostile),
                "x\\nDROP TABLE victim;\\n-- */ /* $$ % ' \" ` | \\",
            ),
            (
                "block comment",
                block_comment(hostile),
                "x\\nDROP TABLE victim;\\n-- * / / * $$ % ' \" ` | \\",
            ),
            (
                "postgres string",
                sql_string(Provider::PostgreSql, "o'brien \\"),
                "'o''brien \\'",
            ),
            (
                "mysql string",
                sql_string(Provider::MySql, "C:\\ o'brien"),
                "'C:\\\\ o''brien'",
            ),
            (
                "raise",
                raise_message("50% o'brien\n"),
                "'50%% o''brien\\n'",
            ),
            ("dollar", dollar_quoted("a $$ b"), "$xc1$a $$ b$xc1$"),
            (
                "dollar twice",
                dollar_quoted("$$ $xc1$"),
                "$xc2$$$ $xc1$$xc2$",
            ),
            ("ts", ts_string("a\"b\n${x}"), "\"a\\\"b\\n${x}\""),
            ("markdown", markdown("a|b\n*c*"), "a\\|b\\\\n\\*c\\*"),
            ("code", markdown_code("a`b"), "``a`b``"),
            ("code edge", markdown_code("`a"), "`` `a ``"),
            ("cell code", markdown_cell_code("a|b"), "`a\\|b`"),
            (
                "prose",
                markdown_prose("field `a|b` of *T*", true),
                "field `a\\|b` of \\*T\\*",
            ),
            ("prose unclosed", markdown_prose("a ` b", false), "a \\` b"),
            (
                "shell plain",
                shell_arg("prisma/phases/x_1"),
                "prisma/phases/x_1",
            ),
            ("shell space", shell_arg("my app"), "'my app'"),
            (
                "shell quote",
                shell_arg("$(rm -rf ~)'"),
                "'$(rm -rf ~)'\\'''",
            ),
            ("token", token("a.b c"), "a_b_c"),
            ("shell newline", shell_arg("a\nb'c\\"), "$'a\\x0ab\\'c\\\\'"),
        ];
        for (what, got, want) in cases {
            assert_eq!(got, want, "{what}");
        }
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(one_line("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(one_line("plain ü"), "plain ü");
    }
}
