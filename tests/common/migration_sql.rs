//! Just enough SQL reading to derive what a committed migration did, for the classifier's
//! recall test: which columns and tables it dropped, which columns it added or tightened, which
//! indexes it created. PostgreSQL and MySQL spellings, quoted or not.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    CreateTable(String),
    CreateType,
    DropTable(String),
    CreateIndex {
        table: String,
        index: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    AddColumn {
        table: String,
        column: String,
        not_null: bool,
        default: bool,
    },
    SetNotNull {
        table: String,
        column: String,
    },
    AlterType {
        table: String,
        column: String,
    },
    /// MySQL `MODIFY`: type, nullability and default at once.
    Modify {
        table: String,
        column: String,
    },
    AddForeignKey {
        table: String,
    },
    /// `RENAME COLUMN a TO b`.
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// `ALTER TABLE a RENAME TO b`.
    RenameTable {
        from: String,
        to: String,
    },
    /// `ALTER TYPE a RENAME TO b`.
    RenameType {
        from: String,
        to: String,
    },
    Other,
}

/// Statements of a migration file, comments removed, split at `;` outside quotes.
pub fn split(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            current.push(b as char);
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'$' if sql[i..].starts_with("$$") => {
                // A function body: skip to the closing $$.
                let end = sql[i + 2..].find("$$").map_or(sql.len(), |e| i + 2 + e + 2);
                current.push_str(&sql[i..end]);
                i = end;
                continue;
            }
            b'\'' | b'"' | b'`' => quote = Some(b),
            b';' => {
                let s = current.split_whitespace().collect::<Vec<_>>().join(" ");
                if !s.is_empty() {
                    out.push(s);
                }
                current.clear();
                i += 1;
                continue;
            }
            _ => {}
        }
        // Keep bytes as they are: identifiers may hold UTF-8.
        let len = utf8_len(b);
        current.push_str(&sql[i..(i + len).min(sql.len())]);
        i += len;
    }
    let s = current.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.is_empty() {
        out.push(s);
    }
    out
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Words of a statement: quoted identifiers unquoted, punctuation on its own.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '`' {
            let mut j = i + 1;
            let mut word = String::new();
            while j < chars.len() && chars[j] != c {
                word.push(chars[j]);
                j += 1;
            }
            out.push(format!("\u{1}{word}"));
            i = j + 1;
        } else if c == '\'' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push("'...'".into());
            i = j + 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            let mut word = String::new();
            while j < chars.len()
                && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '$')
            {
                word.push(chars[j]);
                j += 1;
            }
            out.push(word);
            i = j;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// An identifier token's name (quoted ones keep their case; `\u{1}` marks them).
fn ident(t: &str) -> String {
    t.strip_prefix('\u{1}')
        .map_or_else(|| t.to_string(), str::to_string)
}

fn is(t: Option<&String>, word: &str) -> bool {
    t.is_some_and(|t| !t.starts_with('\u{1}') && t.eq_ignore_ascii_case(word))
}

/// A possibly schema-qualified name at `i`: returns the last part and the index after it.
fn name_at(t: &[String], mut i: usize) -> Option<(String, usize)> {
    let mut name = ident(t.get(i)?);
    i += 1;
    while t.get(i).is_some_and(|x| x == ".") {
        name = ident(t.get(i + 1)?);
        i += 2;
    }
    Some((name, i))
}

fn skip(t: &[String], mut i: usize, words: &[&str]) -> usize {
    loop {
        match words.iter().find(|w| is(t.get(i), w)) {
            Some(_) => i += 1,
            None => return i,
        }
    }
}

/// Split at commas outside parentheses.
fn actions(t: &[String]) -> Vec<&[String]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, x) in t.iter().enumerate() {
        match x.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => {
                out.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&t[start..]);
    out
}

pub fn parse(statement: &str) -> Vec<Statement> {
    let t = tokens(statement);
    let at = |i: usize, w: &str| is(t.get(i), w);
    if at(0, "CREATE") && at(1, "TABLE") {
        let i = skip(&t, 2, &["IF", "NOT", "EXISTS"]);
        return name_at(&t, i).map_or(vec![], |(n, _)| vec![Statement::CreateTable(n)]);
    }
    if at(0, "CREATE") && at(1, "TYPE") {
        return vec![Statement::CreateType];
    }
    if at(0, "DROP") && at(1, "TABLE") {
        let i = skip(&t, 2, &["IF", "EXISTS"]);
        return name_at(&t, i).map_or(vec![], |(n, _)| vec![Statement::DropTable(n)]);
    }
    if at(0, "CREATE") && (at(1, "INDEX") || (at(1, "UNIQUE") && at(2, "INDEX"))) {
        let i = skip(
            &t,
            1,
            &["UNIQUE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS"],
        );
        let Some((index, i)) = name_at(&t, i) else {
            return vec![];
        };
        if !is(t.get(i), "ON") {
            return vec![Statement::Other];
        }
        let i = skip(&t, i + 1, &["ONLY"]);
        return name_at(&t, i).map_or(vec![], |(table, _)| {
            vec![Statement::CreateIndex { table, index }]
        });
    }
    if at(0, "ALTER") && at(1, "TYPE") {
        if let Some((from, i)) = name_at(&t, 2)
            && is(t.get(i), "RENAME")
            && is(t.get(i + 1), "TO")
            && let Some((to, _)) = name_at(&t, i + 2)
        {
            return vec![Statement::RenameType { from, to }];
        }
        return vec![Statement::Other];
    }
    if !(at(0, "ALTER") && at(1, "TABLE")) {
        return vec![Statement::Other];
    }
    let i = skip(&t, 2, &["ONLY", "IF", "EXISTS"]);
    let Some((table, i)) = name_at(&t, i) else {
        return vec![];
    };
    let mut out = Vec::new();
    for a in actions(&t[i..]) {
        let w = |k: usize, word: &str| is(a.get(k), word);
        let col = |k: usize| a.get(k).map(|c| ident(c));
        let has = |word: &str| a.iter().any(|x| is(Some(x), word));
        if w(0, "DROP") && w(1, "COLUMN") {
            let k = skip(a, 2, &["IF", "EXISTS"]);
            if let Some(column) = col(k) {
                out.push(Statement::DropColumn {
                    table: table.clone(),
                    column,
                });
            }
        } else if w(0, "ADD") && w(1, "COLUMN")
            || (w(0, "ADD") && a.get(1).is_some_and(|x| x.starts_with('\u{1}')))
        {
            let k = skip(a, 1, &["COLUMN", "IF", "NOT", "EXISTS"]);
            if let Some(column) = col(k) {
                let not_null = a
                    .windows(2)
                    .any(|p| is(Some(&p[0]), "NOT") && is(Some(&p[1]), "NULL"));
                out.push(Statement::AddColumn {
                    table: table.clone(),
                    column,
                    not_null,
                    default: has("DEFAULT"),
                });
            }
        } else if w(0, "ALTER") && w(1, "COLUMN") {
            let Some(column) = col(2) else { continue };
            if w(3, "SET") && w(4, "NOT") && w(5, "NULL") {
                out.push(Statement::SetNotNull {
                    table: table.clone(),
                    column,
                });
            } else if (w(3, "SET") && w(4, "DATA") && w(5, "TYPE")) || w(3, "TYPE") {
                out.push(Statement::AlterType {
                    table: table.clone(),
                    column,
                });
            } else {
                out.push(Statement::Other);
            }
        } else if w(0, "MODIFY") {
            let k = skip(a, 1, &["COLUMN"]);
            if let Some(column) = col(k) {
                out.push(Statement::Modify {
                    table: table.clone(),
                    column,
                });
            }
        } else if w(0, "ADD") && (w(1, "INDEX") || w(1, "UNIQUE") || w(1, "FULLTEXT")) {
            let k = skip(a, 1, &["UNIQUE", "FULLTEXT", "INDEX", "KEY"]);
            if let Some(index) = col(k) {
                out.push(Statement::CreateIndex {
                    table: table.clone(),
                    index,
                });
            }
        } else if w(0, "ADD") && has("FOREIGN") {
            out.push(Statement::AddForeignKey {
                table: table.clone(),
            });
        } else if w(0, "RENAME") && w(1, "COLUMN") && w(3, "TO") {
            if let (Some(from), Some(to)) = (col(2), col(4)) {
                out.push(Statement::RenameColumn {
                    table: table.clone(),
                    from,
                    to,
                });
            }
        } else if w(0, "RENAME") && w(1, "TO") {
            if let Some(to) = col(2) {
                out.push(Statement::RenameTable {
                    from: table.clone(),
                    to,
                });
            }
        } else {
            out.push(Statement::Other);
        }
    }
    out
}

/// Every statement of a migration file, read.
pub fn read(sql: &str) -> Vec<Statement> {
    split(sql).iter().flat_map(|s| parse(s)).collect()
}
