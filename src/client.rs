//! How the plan's TypeScript (`dual-write.ts`, `backfill.ts`) reaches the project's Prisma
//! Client: the module it imports, derived from the schema's generator, and how it connects
//! (Prisma 7 needs a driver adapter for the datasource's provider).
//!
//! Pure: paths come in absolute (or all relative to one folder) and module names come out.

use std::path::Path;

use crate::paths::{normalize, relative};

use crate::project::Major;
use crate::schema::{Generator, Provider};

/// The driver adapter the generated code creates its client with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    pub package: &'static str,
    pub class: &'static str,
    /// The constructor's argument, given the connection URL in `url`.
    pub argument: &'static str,
}

/// What the templates need to create and import the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSetup {
    /// The module specifier, as written in files one folder below the plan folder.
    pub import: String,
    pub adapter: Option<Adapter>,
    /// The application's module that exports its client as `prisma` (`--client-module`), as
    /// the backfill imports it; the backfill then connects through it.
    pub app_module: Option<String>,
}

/// The adapter for a provider under a major. SQLite: libSQL when the project depends on it,
/// else better-sqlite3 (Prisma's default). Prisma 6 spells the SQLite classes in capitals.
pub fn adapter_for(major: Major, provider: Provider, packages: &[String]) -> Option<Adapter> {
    let has = |p: &str| packages.iter().any(|k| k == p);
    let six = major == Major::Six;
    Some(match provider {
        Provider::PostgreSql | Provider::CockroachDb => Adapter {
            package: "@prisma/adapter-pg",
            class: "PrismaPg",
            argument: "{ connectionString: url }",
        },
        Provider::Sqlite if has("@prisma/adapter-libsql") => Adapter {
            package: "@prisma/adapter-libsql",
            class: if six { "PrismaLibSQL" } else { "PrismaLibSql" },
            argument: "{ url }",
        },
        Provider::Sqlite => Adapter {
            package: "@prisma/adapter-better-sqlite3",
            class: if six {
                "PrismaBetterSQLite3"
            } else {
                "PrismaBetterSqlite3"
            },
            argument: "{ url }",
        },
        Provider::MySql => Adapter {
            package: "@prisma/adapter-mariadb",
            class: "PrismaMariaDb",
            argument: "url",
        },
        Provider::SqlServer => Adapter {
            package: "@prisma/adapter-mssql",
            class: "PrismaMssql",
            argument: "url",
        },
        Provider::MongoDb => return None,
    })
}

/// The client generator of a schema: `prisma-client` first, then `prisma-client-js`.
pub fn client_generator(generators: &[Generator]) -> Option<&Generator> {
    let by = |p: &str| generators.iter().find(|g| g.provider.as_deref() == Some(p));
    by("prisma-client").or_else(|| by("prisma-client-js"))
}

/// Everything that decides the client setup.
pub struct ClientInputs<'a> {
    pub major: Major,
    pub provider: Provider,
    pub generator: Option<&'a Generator>,
    /// The folder of the schema file that declares the generator (its `output` is relative to it).
    pub generator_dir: &'a Path,
    /// The plan folder.
    pub plan_dir: &'a Path,
    /// The project resolves modules as Node.js does (`moduleResolution` NodeNext or Node16):
    /// relative imports need their extension.
    pub node_next: bool,
    /// The project's npm dependencies.
    pub packages: &'a [String],
    /// `--client-import`, when given: used as is.
    pub import_override: Option<&'a str>,
    /// `--client-module`, absolute (or relative to the same folder as `plan_dir`).
    pub app_module: Option<&'a Path>,
}

pub fn client_setup(inputs: &ClientInputs) -> ClientSetup {
    // Prisma 6 connects from the schema's url, unless its generator runs on driver adapters
    // (the `driverAdapters` or `queryCompiler` preview): then, as Prisma 7 always does, the
    // client needs one.
    let six_with_adapters = inputs.generator.is_some_and(|g| {
        g.preview_features
            .iter()
            .any(|(f, _)| f == "driverAdapters" || f == "queryCompiler")
    });
    let adapter = match inputs.major {
        Major::Six if !six_with_adapters => None,
        major => adapter_for(major, inputs.provider, inputs.packages),
    };
    let import = match (inputs.import_override, inputs.generator) {
        (Some(module), _) => module.to_string(),
        (None, Some(g)) => generated_module(g, inputs),
        (None, None) => "@prisma/client".to_string(),
    };
    let app_module = inputs.app_module.map(|module| {
        let from = normalize(
            &inputs
                .plan_dir
                .join(crate::plan::PlanPath::BackfillFolder.path()),
        );
        // TypeScript names a .ts module by its .js output under NodeNext, and by no extension
        // otherwise.
        let stem = normalize(&module.with_extension(""));
        let specifier = relative(&from, &stem);
        if inputs.node_next {
            format!("{specifier}.js")
        } else {
            specifier
        }
    });
    ClientSetup {
        import,
        adapter,
        app_module,
    }
}

fn generated_module(generator: &Generator, inputs: &ClientInputs) -> String {
    let Some(output) = &generator.output else {
        // prisma-client-js without output writes into node_modules/.prisma/client.
        return "@prisma/client".to_string();
    };
    let out_dir = normalize(&inputs.generator_dir.join(output));
    // The TypeScript files sit one folder below the plan folder (2-dual-write/, 3-backfill/).
    let from = normalize(
        &inputs
            .plan_dir
            .join(crate::plan::PlanPath::DualWriteFolder.path()),
    );
    let base = relative(&from, &out_dir);
    // The generator's own choice for its imports (`ts` with allowImportingTsExtensions) is the
    // one the project compiles with.
    let extension = match generator.import_file_extension.as_deref() {
        Some("") => String::new(),
        Some(ext) => format!(".{ext}"),
        None if inputs.node_next => ".js".into(),
        None => String::new(),
    };
    if generator.provider.as_deref() == Some("prisma-client") {
        format!("{base}/client{extension}")
    } else if !extension.is_empty() {
        format!("{base}/index{extension}")
    } else {
        base
    }
}

/// Whether a tsconfig.json resolves modules as Node.js does (NodeNext or Node16), where a
/// relative import needs its file extension. tsconfig is JSON with comments: read loosely.
pub fn tsconfig_is_node_next(tsconfig: &str) -> bool {
    let compact: String = tsconfig
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "\"moduleresolution\":\"nodenext\"",
        "\"moduleresolution\":\"node16\"",
    ]
    .iter()
    .any(|k| compact.contains(k))
        || (!compact.contains("\"moduleresolution\":")
            && ["\"module\":\"nodenext\"", "\"module\":\"node16\""]
                .iter()
                .any(|k| compact.contains(k)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{FileId, Span};

    fn generator(provider: &str, output: Option<&str>) -> Generator {
        Generator {
            name: "client".into(),
            provider: Some(provider.into()),
            preview_features: vec![],
            output: output.map(str::to_string),
            module_format: None,
            import_file_extension: None,
            span: Span::new(FileId(0), 0, 0),
        }
    }

    #[test]
    fn imports_follow_the_generator_output() {
        let plan = Path::new("/app/prisma/phases/20260101000000_x");
        let cases = [
            (
                "prisma-client",
                Some("../src/generated/prisma"),
                false,
                "../../../../src/generated/prisma/client",
            ),
            (
                "prisma-client",
                Some("../src/generated/prisma"),
                true,
                "../../../../src/generated/prisma/client.js",
            ),
            (
                "prisma-client-js",
                Some("./generated"),
                false,
                "../../../generated",
            ),
            (
                "prisma-client-js",
                Some("./generated"),
                true,
                "../../../generated/index.js",
            ),
            ("prisma-client-js", None, true, "@prisma/client"),
        ];
        for (provider, output, node_next, expected) in cases {
            let g = generator(provider, output);
            let setup = client_setup(&ClientInputs {
                major: Major::Seven,
                provider: Provider::PostgreSql,
                generator: Some(&g),
                generator_dir: Path::new("/app/prisma"),
                plan_dir: plan,
                node_next,
                packages: &[],
                import_override: None,
                app_module: None,
            });
            assert_eq!(setup.import, expected, "{provider} {output:?} {node_next}");
            assert_eq!(setup.adapter.map(|a| a.class), Some("PrismaPg"));
        }
    }

    #[test]
    fn prisma6_connects_without_an_adapter_and_overrides_win() {
        let g = generator("prisma-client-js", None);
        let setup = client_setup(&ClientInputs {
            major: Major::Six,
            provider: Provider::Sqlite,
            generator: Some(&g),
            generator_dir: Path::new("/app"),
            plan_dir: Path::new("/app/phases/x"),
            node_next: false,
            packages: &[],
            import_override: Some("~/db/client"),
            app_module: Some(Path::new("/app/src/db.ts")),
        });
        assert_eq!(
            setup,
            ClientSetup {
                import: "~/db/client".into(),
                adapter: None,
                app_module: Some("../../../src/db".into()),
            }
        );
    }

    #[test]
    fn sqlite_adapter_follows_the_project() {
        let libsql = ["@prisma/adapter-libsql".to_string()];
        for (major, packages, class) in [
            (Major::Seven, &[][..], "PrismaBetterSqlite3"),
            (Major::Seven, &libsql[..], "PrismaLibSql"),
            (Major::Six, &libsql[..], "PrismaLibSQL"),
            (Major::Six, &[][..], "PrismaBetterSQLite3"),
        ] {
            let adapter = adapter_for(major, Provider::Sqlite, packages);
            assert_eq!(adapter.map(|a| a.class), Some(class), "{major:?}");
        }
    }

    #[test]
    fn node_next_from_tsconfig() {
        assert!(tsconfig_is_node_next(
            "{ \"compilerOptions\": { \"module\": \"NodeNext\" } }"
        ));
        assert!(tsconfig_is_node_next(
            "{ // c\n \"compilerOptions\": { \"moduleResolution\": \"node16\" } }"
        ));
        assert!(!tsconfig_is_node_next(
            "{ \"compilerOptions\": { \"module\": \"NodeNext\", \"moduleResolution\": \"bundler\" } }"
        ));
        assert!(!tsconfig_is_node_next(
            "{ \"compilerOptions\": { \"module\": \"esnext\" } }"
        ));
    }
}
