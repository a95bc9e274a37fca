//! The binary end to end: exit codes, output streams, and the three ways to name a schema.

use std::io::Write;
use std::process::{Command, Stdio};

fn xc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = xc();
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run prisma-xc");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diff_cases() {
    let old = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/old.prisma"
    ))
    .unwrap();
    // (args, stdin, exit code, text expected on stdout, text expected on stderr)
    let cases: &[(&[&str], Option<&str>, i32, &str, &str)] = &[
        (
            &[
                "diff",
                "testdata/example/old.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            0,
            "2 models, 0 views, 1 enums",
            "",
        ),
        (
            &["diff", "-", "testdata/example/new.prisma"],
            Some(&old),
            0,
            "old (-): postgresql",
            "",
        ),
        (
            &[
                "diff",
                "testdata/folder-schema",
                "testdata/example/new.prisma",
            ],
            None,
            0,
            "old (testdata/folder-schema): sqlite",
            "",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "--> testdata/broken/schema.prisma:8:9",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "Did you mean `authorId`?",
        ),
        (
            &[
                "diff",
                "testdata/broken/schema.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "3 errors, 0 warnings",
        ),
        (
            &[
                "diff",
                "testdata/nope.prisma",
                "testdata/example/new.prisma",
            ],
            None,
            2,
            "",
            "testdata/nope.prisma: no such file or folder",
        ),
        (
            &["diff", "testdata", "testdata/example/new.prisma"],
            None,
            2,
            "",
            "A schema has one datasource",
        ),
        (
            &["diff", "-", "-"],
            None,
            2,
            "",
            "only one of OLD and NEW can be -",
        ),
        (
            &["diff", "-", "testdata/example/new.prisma"],
            Some("model A {\n  id Int @id\n  b Stirng\n}\n"),
            2,
            "",
            "--> <stdin>:3:5",
        ),
    ];
    for (args, stdin, code, out, err) in cases {
        let (c, o, e) = run(args, *stdin);
        assert_eq!(c, *code, "{args:?}: exit code; stderr:\n{e}");
        assert!(o.contains(out), "{args:?}: stdout lacks {out:?}:\n{o}");
        assert!(e.contains(err), "{args:?}: stderr lacks {err:?}:\n{e}");
    }
}

#[test]
fn version_and_help() {
    let (c, o, _) = run(&["--version"], None);
    assert_eq!(c, 0);
    assert!(o.starts_with("prisma-xc "));
    let (c, o, _) = run(&["--help"], None);
    assert_eq!(c, 0);
    assert!(o.contains("Examples:") && o.contains("prisma-xc diff"));
}
