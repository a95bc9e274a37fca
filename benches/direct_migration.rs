//! Benchmark: the direct migration for `prisma__bigschema.prisma` (5,044 models) against a copy
//! with one added field, end to end: read both files, parse and resolve both, diff, render,
//! write the migration folder. Targets: under 60 ms and under 60 MB.
//!
//! The classification of the same pair (read, parse and resolve both, compare, judge, render the
//! human report) is timed the same way: it stays within the same budget.
//!
//! `cargo bench --bench direct_migration` prints best and median wall time of 20 runs of the
//! built binary (process start to exit, as a user or CI sees it), the binary's peak memory and
//! that of the same work done once in process, and, when the Prisma harness is set up (tests/harness), the time of the real
//! `prisma migrate diff --script` on the same pair, measured in the same run, and the ratio.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The largest peak memory of any child process waited for so far (the binary's runs), in MB:
/// `getrusage(RUSAGE_CHILDREN)`, which std does not wrap.
#[cfg(target_os = "linux")]
fn children_peak_rss_mb() -> f64 {
    #[repr(C)]
    struct Rusage {
        utime: [i64; 2],
        stime: [i64; 2],
        maxrss: i64,
        rest: [i64; 13],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage = Rusage {
        utime: [0; 2],
        stime: [0; 2],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: `usage` has the layout of Linux's `struct rusage` on 64-bit targets.
    if unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) } == 0 {
        usage.maxrss as f64 / 1024.0
    } else {
        f64::NAN
    }
}

#[cfg(not(target_os = "linux"))]
fn children_peak_rss_mb() -> f64 {
    f64::NAN
}

/// One run of the real binary, as a user runs it: process start, both loads, diff, render,
/// write, exit.
fn run_binary(args: &[&std::ffi::OsStr]) -> f64 {
    let start = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_prisma-xc"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("prisma-xc runs");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(status.success(), "prisma-xc {args:?} failed");
    ms
}

/// The same work in this process, once: its peak memory is what one run needs.
fn direct_in_process(old: &Path, new: &Path, out: &Path) {
    let old = prisma_xc::input::read_schema(old).expect("old");
    let new = prisma_xc::input::read_schema(new).expect("new");
    let (old, new) = prisma_xc::load_pair(Some(&old), &new);
    let sql = prisma_xc::direct_migration(old.as_ref().map(|l| &l.schema), &new.schema)
        .expect("sql")
        .expect("a change");
    prisma_xc::write::write_migration(
        out,
        "20250101000000_in_process",
        &sql,
        prisma_xc::schema::Provider::PostgreSql,
    )
    .expect("write");
}

fn classify_in_process(old: &Path, new: &Path) -> usize {
    let old = prisma_xc::input::read_schema(old).expect("old");
    let new_sources = prisma_xc::input::read_schema(new).expect("new");
    let (old, new) = prisma_xc::load_pair(Some(&old), &new_sources);
    let (classification, _) = prisma_xc::compare(
        &old.expect("old").schema,
        &new.schema,
        &new_sources,
        &prisma_xc::CompareOptions::default(),
    )
    .expect("compare");
    let report = prisma_xc::report::Report {
        classification: &classification,
        locator: prisma_xc::report::Locator {
            old: None,
            new: &new_sources,
            repository: None,
        },
        coverage: None,
    };
    prisma_xc::report::render(prisma_xc::report::Format::Human, &report, false).len()
}

fn best_and_median(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(|a, b| a.total_cmp(b));
    (times[0], times[times.len() / 2])
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let big = root.join("../shared/corpus/schemas/prisma__bigschema.prisma");
    let Ok(text) = std::fs::read_to_string(&big) else {
        eprintln!("skipped: {} not found", big.display());
        return;
    };
    let work = std::env::temp_dir().join(format!("prisma-xc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let old = work.join("old.prisma");
    let new = work.join("new.prisma");
    // The old schema gains a url (Prisma 6 needs one); the new one also gains a field.
    let text = text.replacen(
        "provider = \"postgresql\"",
        "provider = \"postgresql\"\n    url = env(\"DATABASE_URL\")",
        1,
    );
    std::fs::write(&old, &text).unwrap();
    std::fs::write(
        &new,
        text.replacen(
            "model User0 {\n",
            "model User0 {\n    nickname String?\n",
            1,
        ),
    )
    .unwrap();
    direct_in_process(&old, &new, &work.join("in-process"));
    let direct_peak = peak_rss_mb();
    let mut times = Vec::new();
    for n in 0..20 {
        let out: PathBuf = work.join(format!("migrations{n}"));
        let name = format!("run{n}");
        times.push(run_binary(&[
            "diff".as_ref(),
            old.as_os_str(),
            new.as_os_str(),
            "--direct".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--name".as_ref(),
            name.as_ref(),
            "--timestamp".as_ref(),
            "20250101000000".as_ref(),
        ]));
    }
    let (best, median) = best_and_median(times);
    let _ = writeln!(
        std::io::stdout(),
        "direct migration bigschema + 1 field, end to end (the binary): best {best:.1} ms, median {median:.1} ms; peak RSS of the binary {:.1} MB ({direct_peak:.1} MB for one run in process)",
        children_peak_rss_mb()
    );
    assert!(classify_in_process(&old, &new) > 0);
    let classify_peak = peak_rss_mb();
    let mut times = Vec::new();
    for _ in 0..20 {
        times.push(run_binary(&[
            "diff".as_ref(),
            old.as_os_str(),
            new.as_os_str(),
        ]));
    }
    let (best, classify_median) = best_and_median(times);
    let _ = writeln!(
        std::io::stdout(),
        "classification bigschema + 1 field, end to end (the binary): best {best:.1} ms, median {classify_median:.1} ms; peak RSS of the binary, either run {:.1} MB ({classify_peak:.1} MB for both runs in process)",
        children_peak_rss_mb()
    );
    let harness = root.join("tests/harness/xc-harness");
    if root.join("tests/harness/node_modules/.bin/prisma").exists() {
        let start = Instant::now();
        let status = std::process::Command::new(&harness)
            .args(["prisma", "migrate", "diff", "--from-schema-datamodel"])
            .arg(&old)
            .arg("--to-schema-datamodel")
            .arg(&new)
            .arg("--script")
            .env(
                "DATABASE_URL",
                "postgresql://postgres@127.0.0.1:55439/postgres",
            )
            .env("XC_SCHEMA", &new)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let prisma_ms = start.elapsed().as_secs_f64() * 1000.0;
        match status {
            Ok(s) if s.success() => println!(
                "prisma migrate diff on the same pair: {prisma_ms:.0} ms; prisma-xc is {:.0}x faster",
                prisma_ms / median
            ),
            _ => println!("prisma migrate diff could not run here (is the harness set up?)"),
        }
    } else {
        println!("prisma migrate diff: not measured (run tests/harness/xc-harness setup first)");
    }
    let _ = std::fs::remove_dir_all(&work);
}
