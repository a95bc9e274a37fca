//! How users get prisma-xc without building it: the crate `cargo install` builds, and the npm
//! packages `npx prisma-xc` runs (packed from this machine's binary, installed from the
//! tarballs into a scratch project, run through npx).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(command: &mut Command) -> (bool, String, String) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_crate_packages_cleanly_with_its_metadata() {
    let (ok, metadata, err) = run(Command::new(env!("CARGO")).current_dir(root()).args([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--offline",
    ]));
    assert!(ok, "{err}");
    let metadata: serde_json::Value = serde_json::from_str(&metadata).unwrap();
    let package = &metadata["packages"][0];
    for field in [
        "description",
        "license",
        "repository",
        "homepage",
        "readme",
        "rust_version",
    ] {
        assert!(
            package[field].as_str().is_some_and(|v| !v.is_empty()),
            "Cargo.toml has no {field}"
        );
    }
    assert_eq!(package["license"], "MIT OR Apache-2.0");
    for list in ["keywords", "categories"] {
        assert!(!package[list].as_array().unwrap().is_empty(), "{list}");
    }

    let (ok, list, err) = run(Command::new(env!("CARGO")).current_dir(root()).args([
        "package",
        "--list",
        "--locked",
        "--offline",
        "--allow-dirty",
    ]));
    assert!(ok, "{err}");
    assert!(!err.contains("warning"), "cargo package warns:\n{err}");
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "src/main.rs",
        "src/lib.rs",
        "grammar/prisma.pest",
        "Cargo.lock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(files.contains(&needed), "the crate lacks {needed}");
    }
    // Every template the binary embeds.
    for entry in std::fs::read_dir(root().join("templates")).unwrap() {
        let name = format!("templates/{}", entry.unwrap().file_name().to_string_lossy());
        assert!(files.contains(&name.as_str()), "the crate lacks {name}");
    }
    for f in &files {
        assert!(
            !["testdata/", "npm/", "scripts/", "target/", ".github/"]
                .iter()
                .any(|p| f.starts_with(p))
                && !f.contains("node_modules")
                && !f.starts_with("tests/harness"),
            "the crate carries {f}"
        );
    }
}

/// The npm platform of this machine, when the release builds one for it.
fn npm_target() -> Option<&'static str> {
    if cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    )) {
        Some("x86_64-unknown-linux-gnu")
    } else if cfg!(all(
        target_os = "linux",
        target_arch = "aarch64",
        target_env = "gnu"
    )) {
        Some("aarch64-unknown-linux-gnu")
    } else if cfg!(all(target_os = "macos", target_arch = "aarch64")) {
        Some("aarch64-apple-darwin")
    } else {
        None
    }
}

#[test]
fn npx_runs_prisma_xc_from_the_packed_tarballs() {
    let Some(target) = npm_target() else {
        eprintln!("skipped: no npm platform package for this machine");
        return;
    };
    let has_npm = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_npm {
        assert!(!common::in_ci(), "CI=true but npm is not installed");
        eprintln!("skipped: npm is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("prisma-xc-npm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let packs = dir.join("packs");
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();

    let binary = format!("{target}={}", env!("CARGO_BIN_EXE_prisma-xc"));
    let (ok, out, err) = run(Command::new("node")
        .arg(root().join("scripts/npm-pack.mjs"))
        .arg("--out")
        .arg(&packs)
        .args(["--binary", &binary]));
    assert!(ok, "{out}{err}");
    let tarballs: Vec<PathBuf> = out.lines().map(PathBuf::from).collect();
    let version = env!("CARGO_PKG_VERSION");
    let names: Vec<String> = tarballs
        .iter()
        .map(|t| t.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names[0], format!("prisma-xc-{version}.tgz"), "{names:?}");
    assert_eq!(names.len(), 2, "{names:?}");

    // The main package lists every platform, at its own version.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(packs.join("packages/prisma-xc/package.json")).unwrap(),
    )
    .unwrap();
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), 7, "{manifest}");
    assert!(optional.values().all(|v| v == version));
    assert_eq!(manifest["version"], version);

    std::fs::write(
        project.join("package.json"),
        "{\"name\":\"scratch\",\"private\":true}\n",
    )
    .unwrap();
    // --offline: the other platforms' packages are optional, and npm skips what it cannot get.
    let (ok, out, err) = run(Command::new("npm")
        .current_dir(&project)
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .args(&tarballs));
    assert!(ok, "{out}{err}");

    let npx = |args: &[&str]| {
        let out = Command::new("npx")
            .current_dir(&project)
            .arg("--no-install")
            .arg("prisma-xc")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = npx(&["--version"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), format!("prisma-xc {version}"));

    // A diff run through it: the report, and the exit code of --check.
    for file in ["old.prisma", "new.prisma"] {
        std::fs::copy(
            root().join("testdata/example").join(file),
            project.join(file),
        )
        .unwrap();
    }
    let (code, out, err) = npx(&["diff", "old.prisma", "new.prisma", "--check"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("XC103"), "{out}");
    let (code, out, err) = npx(&["diff", "old.prisma", "old.prisma", "--check"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // Without its platform's package, the launcher says what to do.
    std::fs::remove_dir_all(project.join("node_modules/@prisma-xc")).unwrap();
    let (code, _, err) = npx(&["--version"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("is not installed") && err.contains("= help:"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
