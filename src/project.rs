//! The Prisma project around the schemas: which major version of Prisma it runs, what its
//! `prisma.config.ts` says, and what Prisma 7 rejects in a schema that Prisma 6 accepted.
//!
//! The readers here are pure functions of file contents; [`discover`] is the one edge that
//! reads files, called by the binary.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::schema::Schema;

/// The Prisma major version a project runs: it decides the commands PLAN.md gives, how the
/// generated TypeScript creates its client, and what the schema may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Major {
    #[value(name = "6")]
    Six,
    #[value(name = "7")]
    Seven,
}

impl Major {
    /// The major a version or an npm version range names: `7.10.1`, `^7.10.1`, `~6.19.3`,
    /// `>=7.0.0`, `7.x`; `None` for tags (`latest`) and anything else.
    pub fn of_version(spec: &str) -> Option<Major> {
        let digits: String = spec
            .trim()
            .trim_start_matches(['^', '~', '=', '>', '<', 'v', ' '])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        match digits.parse::<u32>().ok()? {
            0..=6 => Some(Major::Six),
            _ => Some(Major::Seven),
        }
    }

    pub fn number(self) -> u32 {
        match self {
            Major::Six => 6,
            Major::Seven => 7,
        }
    }
}

impl fmt::Display for Major {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prisma {}", self.number())
    }
}

/// The major and what told it, for messages (`--prisma`, the installed package, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub major: Major,
    pub source: String,
}

/// The `version` of an installed package's package.json.
pub fn installed_version(package_json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(package_json).ok()?;
    value["version"].as_str().map(str::to_string)
}

/// The version range a project's package.json asks for `prisma` (or, without it,
/// `@prisma/client`), from any of its dependency lists.
pub fn dependency_range(package_json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(package_json).ok()?;
    ["prisma", "@prisma/client"].iter().find_map(|package| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .find_map(|list| value[list][package].as_str().map(str::to_string))
    })
}

/// package.json's `"prisma": { "schema": ... }`.
pub fn package_schema(package_json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(package_json).ok()?;
    value["prisma"]["schema"].as_str().map(str::to_string)
}

/// Every package a project's package.json depends on, sorted.
pub fn dependency_names(package_json: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(package_json) else {
        return Vec::new();
    };
    let mut names: Vec<String> = ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|list| value[list].as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// What the project says, in the order it is believed: the flag, the installed CLI, the
/// dependency, the schema. A schema with a datasource `url` is a Prisma 6 schema (Prisma 7
/// rejects it); one without is Prisma 7's. What cannot be told is never an error.
pub fn decide(
    flag: Option<Major>,
    installed: Option<&str>,
    dependency: Option<&str>,
    schema_has_url: bool,
) -> Detected {
    let known = |major: Major, source: String| Detected { major, source };
    if let Some(major) = flag {
        return known(major, "--prisma".into());
    }
    if let Some(major) = installed.and_then(Major::of_version) {
        return known(
            major,
            format!("node_modules/prisma {}", installed.unwrap_or_default()),
        );
    }
    if let Some(major) = dependency.and_then(Major::of_version) {
        return known(
            major,
            format!(
                "package.json \"prisma\": {:?}",
                dependency.unwrap_or_default()
            ),
        );
    }
    if schema_has_url {
        known(Major::Six, "the datasource's url".into())
    } else {
        known(Major::Seven, "the schema (no datasource url)".into())
    }
}

/// What prisma-xc reads from a `prisma.config.ts`: paths as written, relative to its folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigValues {
    pub schema: Option<String>,
    pub migrations_path: Option<String>,
}

/// A config file that holds something prisma-xc cannot read without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The values of `defineConfig({ schema: "...", migrations: { path: "..." } })` (or a plain
/// exported object), read without running TypeScript. A value is a string literal, a template
/// literal without substitutions, or `path.join`/`path.resolve` of those and the config's own
/// folder (`__dirname`, `import.meta.dirname`). Anything else under those keys is an error
/// naming its place: prisma-xc then needs the paths on its command line.
pub fn parse_config(text: &str) -> Result<ConfigValues, ConfigError> {
    let tokens = tokenize(text);
    let mut values = ConfigValues::default();
    let mut depth = 0usize;
    // The object's depth where the keys of interest are read: the config object and the
    // `migrations` object inside it.
    let mut config_depth = None;
    let mut migrations_depth = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match t.kind {
            TokenKind::Punct('{') => {
                depth += 1;
                if config_depth.is_none() && is_config_object_start(&tokens, i) {
                    config_depth = Some(depth);
                }
            }
            TokenKind::Punct('}') => {
                if migrations_depth == Some(depth) {
                    migrations_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            TokenKind::Ident
                if tokens
                    .get(i + 1)
                    .is_some_and(|n| n.kind == TokenKind::Punct(':')) =>
            {
                let key = &text[t.start..t.end];
                let at_config = config_depth == Some(depth);
                let at_migrations = migrations_depth.is_some() && migrations_depth == Some(depth);
                if at_config && key == "schema" {
                    values.schema = Some(path_value(text, &tokens, i + 2, "schema")?);
                } else if at_config && key == "migrations" {
                    if tokens.get(i + 2).map(|n| n.kind) == Some(TokenKind::Punct('{')) {
                        migrations_depth = Some(depth + 1);
                    }
                } else if at_migrations && key == "path" {
                    values.migrations_path =
                        Some(path_value(text, &tokens, i + 2, "migrations.path")?);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(values)
}

/// `defineConfig({` or `export default {` (also `satisfies PrismaConfig` objects).
fn is_config_object_start(tokens: &[Token], i: usize) -> bool {
    let word = |k: usize, w: &str| tokens.get(k).is_some_and(|t| t.word.as_deref() == Some(w));
    (i >= 2 && tokens[i - 1].kind == TokenKind::Punct('(') && word(i - 2, "defineConfig"))
        || (i >= 2 && word(i - 1, "default") && word(i - 2, "export"))
        || (i >= 1
            && tokens[i - 1].kind == TokenKind::Punct('=')
            && i >= 2
            && word(i - 2, "config"))
}

fn path_value(text: &str, tokens: &[Token], at: usize, key: &str) -> Result<String, ConfigError> {
    let unreadable = |token: Option<&Token>| {
        let offset = token.map_or(text.len(), |t| t.start);
        let (line, column) = crate::diagnostics::SourceFile::new("", text).line_col(offset);
        ConfigError {
            line,
            column,
            message: format!(
                "`{key}` is not a path prisma-xc can read without running the config (a string, or path.join of strings and __dirname)"
            ),
        }
    };
    let Some(first) = tokens.get(at) else {
        return Err(unreadable(None));
    };
    if let Some(s) = &first.string {
        return Ok(s.clone());
    }
    // path.join(...) / path.resolve(...) / join(...) / resolve(...)
    let mut k = at;
    if first.word.as_deref() == Some("path")
        && tokens.get(k + 1).map(|t| t.kind) == Some(TokenKind::Punct('.'))
    {
        k += 2;
    }
    let is_join = tokens
        .get(k)
        .is_some_and(|t| matches!(t.word.as_deref(), Some("join" | "resolve")));
    if !is_join || tokens.get(k + 1).map(|t| t.kind) != Some(TokenKind::Punct('(')) {
        return Err(unreadable(Some(first)));
    }
    k += 2;
    let mut parts: Vec<String> = Vec::new();
    loop {
        let Some(t) = tokens.get(k) else {
            return Err(unreadable(Some(first)));
        };
        if let Some(s) = &t.string {
            parts.push(s.clone());
            k += 1;
        } else if t.word.as_deref() == Some("__dirname") {
            k += 1;
        } else if t.word.as_deref() == Some("import")
            && tokens.get(k + 2).and_then(|t| t.word.as_deref()) == Some("meta")
            && tokens.get(k + 4).and_then(|t| t.word.as_deref()) == Some("dirname")
        {
            k += 5;
        } else {
            return Err(unreadable(Some(t)));
        }
        match tokens.get(k).map(|t| t.kind) {
            Some(TokenKind::Punct(',')) => k += 1,
            Some(TokenKind::Punct(')')) => break,
            _ => return Err(unreadable(tokens.get(k))),
        }
    }
    if parts.is_empty() {
        return Err(unreadable(Some(first)));
    }
    Ok(parts.join("/"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Ident,
    Str,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    start: usize,
    end: usize,
    word: Option<String>,
    /// A string literal's value; `None` for a template literal with substitutions.
    string: Option<String>,
}

/// Just enough of TypeScript's lexical grammar to find keys and literal values: comments are
/// skipped, strings and template literals read whole, everything else one character at a time.
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if text[i..].starts_with("/*") {
            i = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
        } else if c == b'"' || c == b'\'' || c == b'`' {
            let start = i;
            let mut value = String::new();
            let mut plain = true;
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    let next = text[i + 1..].chars().next().unwrap_or('\\');
                    value.push(match next {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    i += 1 + next.len_utf8();
                    continue;
                }
                if c == b'`' && text[i..].starts_with("${") {
                    plain = false;
                }
                let ch = text[i..].chars().next().unwrap_or(' ');
                value.push(ch);
                i += ch.len_utf8();
            }
            i = (i + 1).min(bytes.len());
            tokens.push(Token {
                kind: TokenKind::Str,
                start,
                end: i,
                word: None,
                string: plain.then_some(value),
            });
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
            {
                i += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Ident,
                start,
                end: i,
                word: Some(text[start..i].to_string()),
                string: None,
            });
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            tokens.push(Token {
                kind: TokenKind::Punct(ch),
                start: i,
                end: i + ch.len_utf8(),
                word: None,
                string: None,
            });
            i += ch.len_utf8();
        }
    }
    tokens
}

/// The config file names Prisma 7 looks for in a project folder, in its order.
pub const CONFIG_FILES: &[&str] = &[
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
    ".config/prisma.ts",
    ".config/prisma.mts",
    ".config/prisma.cts",
    ".config/prisma.js",
    ".config/prisma.mjs",
    ".config/prisma.cjs",
];

/// A project's config, read: the file and its values resolved against its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub file: PathBuf,
    pub schema: Option<PathBuf>,
    pub migrations: Option<PathBuf>,
}

/// Everything prisma-xc learns from the project folder.
#[derive(Debug, Clone)]
pub struct Project {
    pub config: Option<Config>,
    /// `version` of node_modules/prisma, found from the project folder up.
    pub installed: Option<String>,
    /// package.json's range for `prisma`, found from the project folder up.
    pub dependency: Option<String>,
    /// Every package that package.json names (the driver adapter it has, if any).
    pub packages: Vec<String>,
    /// The folder of the config file, else the folder prisma-xc runs in.
    pub root: PathBuf,
    /// The root's tsconfig.json resolves modules as Node.js does (imports need extensions).
    pub node_next: bool,
    /// package.json's `prisma.schema` (where Prisma 6 also looks), from package.json's folder.
    pub package_schema: Option<PathBuf>,
}

/// Reads the project around `dir` (the current folder): its config file (or `config`, given
/// with `--config`), the installed Prisma CLI and package.json, each from `dir` up to the root.
/// A config file prisma-xc cannot read is an error naming the file, line and column.
pub fn discover(dir: &Path, config: Option<&Path>) -> Result<Project, String> {
    let config_file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => CONFIG_FILES
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file()),
    };
    let config = match config_file {
        None => None,
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("{}: cannot be read: {e}", file.display()))?;
            let values = parse_config(&text).map_err(|e| {
                format!(
                    "{}:{}:{}: {}\n  = help: pass the schemas (and --migrations to promote) on the command line",
                    file.display(),
                    e.line,
                    e.column,
                    e.message
                )
            })?;
            // Relative paths in the config are relative to the project folder it sits in.
            let folder = file
                .parent()
                .map(|p| {
                    if p.ends_with(".config") {
                        p.parent().unwrap_or(p)
                    } else {
                        p
                    }
                })
                .unwrap_or(dir)
                .to_path_buf();
            Some(Config {
                schema: values.schema.map(|s| folder.join(s)),
                migrations: values.migrations_path.map(|s| folder.join(s)),
                file,
            })
        }
    };
    let root = config
        .as_ref()
        .and_then(|c| c.file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| dir.to_path_buf());
    let up = |relative: &str| -> Option<String> {
        root.ancestors()
            .map(|a| a.join(relative))
            .find_map(|p| std::fs::read_to_string(p).ok())
    };
    let package_json_path = root
        .ancestors()
        .map(|a| a.join("package.json"))
        .find(|p| p.is_file());
    let package_json = package_json_path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok());
    let package_schema = package_json
        .as_deref()
        .and_then(package_schema)
        .map(|schema| {
            let folder = package_json_path
                .as_deref()
                .and_then(Path::parent)
                .unwrap_or(Path::new(""));
            crate::paths::normalize(&folder.join(schema))
        });
    Ok(Project {
        package_schema,
        installed: up("node_modules/prisma/package.json").and_then(|t| installed_version(&t)),
        dependency: package_json.as_deref().and_then(dependency_range),
        packages: package_json
            .as_deref()
            .map(dependency_names)
            .unwrap_or_default(),
        node_next: std::fs::read_to_string(root.join("tsconfig.json"))
            .is_ok_and(|t| crate::client::tsconfig_is_node_next(&t)),
        root,
        config,
    })
}

/// Preview features Prisma 7 still knows (it rejects every other name it has no record of).
const PRISMA7_PREVIEW_FEATURES: &[&str] = &[
    "fullTextSearchPostgres",
    "nativeDistinct",
    "partialIndexes",
    "postgresqlExtensions",
    "relationJoins",
    "schemaEngineDriverAdapters",
    "shardKeys",
    "strictUndefinedChecks",
    "typedSql",
    "views",
];

/// Features that became generally available: Prisma 7 warns and goes on.
const PRISMA7_DEPRECATED_FEATURES: &[&str] = &[
    "aggregateApi",
    "atomicNumberOperations",
    "clientExtensions",
    "cockroachdb",
    "connectOrCreate",
    "createMany",
    "dataProxy",
    "deno",
    "distinct",
    "driverAdapters",
    "extendedIndexes",
    "extendedWhereUnique",
    "fieldReference",
    "filteredRelationCount",
    "filterJson",
    "fullTextIndex",
    "fullTextSearch",
    "groupBy",
    "improvedQueryRaw",
    "interactiveTransactions",
    "jsonProtocol",
    "microsoftSqlServer",
    "middlewares",
    "mongoDb",
    "multiSchema",
    "namedConstraints",
    "nApi",
    "nativeTypes",
    "omitApi",
    "orderByAggregateGroup",
    "orderByNulls",
    "orderByRelation",
    "prismaSchemaFolder",
    "queryCompiler",
    "referentialActions",
    "referentialIntegrity",
    "selectRelationCount",
    "tracing",
    "transactionApi",
    "uncheckedScalarInputs",
];

/// What Prisma 7 rejects in a schema Prisma 6 accepts, in Prisma 7's words: connection URLs
/// in the datasource (they moved to prisma.config.ts) and preview features it removed.
pub fn prisma7_diagnostics(schema: &Schema) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(ds) = &schema.datasource {
        for (key, span) in &ds.connection_urls {
            let message = if key == "url" {
                "The datasource property `url` is no longer supported in schema files. Move connection URLs for Migrate to `prisma.config.ts` and pass either `adapter` for a direct database connection or `accelerateUrl` for Accelerate to the `PrismaClient` constructor. See https://pris.ly/d/config-datasource and https://pris.ly/d/prisma7-client-config".to_string()
            } else {
                format!(
                    "The datasource property `{key}` is no longer supported in schema files. Move connection URLs to `prisma.config.ts`. See https://pris.ly/d/config-datasource"
                )
            };
            out.push(Diagnostic::error(*span, message).with_help(
                "Prisma 7 reads connection URLs from prisma.config.ts (`datasource: { url: env(\"DATABASE_URL\") }`); on Prisma 6, pass --prisma 6",
            ));
        }
    }
    let known = |f: &str, list: &[&str]| list.iter().any(|k| k.eq_ignore_ascii_case(f));
    for g in &schema.generators {
        for (feature, span) in &g.preview_features {
            if known(feature, PRISMA7_PREVIEW_FEATURES)
                || known(feature, PRISMA7_DEPRECATED_FEATURES)
            {
                continue;
            }
            out.push(
                Diagnostic::error(
                    *span,
                    format!(
                        "The preview feature \"{feature}\" is not known. Expected one of: {}",
                        PRISMA7_PREVIEW_FEATURES.join(", ")
                    ),
                )
                .with_help("Prisma 7 removed it: take it out of previewFeatures"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors_of_versions_and_ranges() {
        for (spec, major) in [
            ("7.10.1", Some(Major::Seven)),
            ("^7.10.1", Some(Major::Seven)),
            ("~6.19.3", Some(Major::Six)),
            (">=7.0.0", Some(Major::Seven)),
            ("5.22.0", Some(Major::Six)),
            ("7.x", Some(Major::Seven)),
            ("latest", None),
            ("", None),
        ] {
            assert_eq!(Major::of_version(spec), major, "{spec}");
        }
    }

    #[test]
    fn what_decides_the_major() {
        assert_eq!(
            decide(Some(Major::Six), Some("7.10.1"), None, false).major,
            Major::Six
        );
        assert_eq!(
            decide(None, Some("7.10.1"), Some("^6.0.0"), true).major,
            Major::Seven
        );
        assert_eq!(decide(None, None, Some("^6.19.0"), false).major, Major::Six);
        assert_eq!(decide(None, None, None, true).major, Major::Six);
        assert_eq!(decide(None, None, None, false).major, Major::Seven);
        assert_eq!(decide(None, Some("nightly"), None, true).major, Major::Six);
    }

    #[test]
    fn package_json_versions() {
        assert_eq!(
            installed_version(r#"{"name":"prisma","version":"7.10.1"}"#).as_deref(),
            Some("7.10.1")
        );
        assert_eq!(
            dependency_range(r#"{"devDependencies":{"prisma":"^7.10.1"},"dependencies":{"@prisma/client":"6.1.0"}}"#)
                .as_deref(),
            Some("^7.10.1")
        );
        assert_eq!(
            dependency_range(r#"{"dependencies":{"@prisma/client":"6.1.0"}}"#).as_deref(),
            Some("6.1.0")
        );
        assert_eq!(dependency_range("not json"), None);
    }

    #[test]
    fn config_values_in_their_common_forms() {
        let cases = [
            (
                "import { defineConfig, env } from 'prisma/config'\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  migrations: { path: \"prisma/migrations\", seed: 'tsx seed.ts' },\n  datasource: { url: env('DATABASE_URL') },\n})\n",
                Some("prisma/schema.prisma"),
                Some("prisma/migrations"),
            ),
            (
                "import path from 'node:path'\n// schema: 'commented/out.prisma'\nexport default defineConfig({ schema: path.join(__dirname, 'prisma', 'schema') })",
                Some("prisma/schema"),
                None,
            ),
            (
                "export default { earlyAccess: true, schema: `db/schema.prisma` } satisfies PrismaConfig",
                Some("db/schema.prisma"),
                None,
            ),
            (
                "export default defineConfig({ migrations: { path: path.join(import.meta.dirname, 'db', 'migrations') }, datasource: { path: 'x' } })",
                None,
                Some("db/migrations"),
            ),
            ("export default defineConfig({})", None, None),
        ];
        for (text, schema, migrations) in cases {
            let values = parse_config(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(values.schema.as_deref(), schema, "{text}");
            assert_eq!(values.migrations_path.as_deref(), migrations, "{text}");
        }
    }

    #[test]
    fn a_computed_path_is_an_error_with_its_place() {
        let err = parse_config("export default defineConfig({\n  schema: process.env.SCHEMA,\n})")
            .unwrap_err();
        assert_eq!((err.line, err.column), (2, 11));
        assert!(err.message.contains("`schema`"), "{}", err.message);
        let err = parse_config("export default defineConfig({ migrations: { path: `${dir}/m` } })")
            .unwrap_err();
        assert!(err.message.contains("migrations.path"), "{}", err.message);
    }

    #[test]
    fn prisma7_rejects_urls_and_removed_features() {
        let text = "generator client {\n  provider = \"prisma-client-js\"\n  previewFeatures = [\"metrics\", \"driverAdapters\", \"views\"]\n}\ndatasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n  directUrl = env(\"DIRECT\")\n}\n";
        let mut sources = crate::diagnostics::Sources::default();
        sources.add(crate::diagnostics::SourceFile::new("schema.prisma", text));
        let loaded = crate::load(&sources);
        let messages: Vec<String> = prisma7_diagnostics(&loaded.schema)
            .iter()
            .map(|d| d.render(&sources))
            .collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(
            messages[0].contains("`url` is no longer supported")
                && messages[0].contains("schema.prisma:7:3"),
            "{}",
            messages[0]
        );
        assert!(messages[1].contains("`directUrl` is no longer supported"));
        assert!(messages[2].contains("\"metrics\" is not known"));
    }
}
