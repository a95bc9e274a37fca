//! Benchmark: parse and resolve `prisma__bigschema.prisma` (30k lines, 5,044 models).
//!
//! `cargo bench --bench parse_resolve` prints the wall time per load (best and median of 50
//! runs) and the process's peak resident memory after one load (the cost of one parse and
//! resolve, file included) and after all runs. Targets: under 30 ms and under 40 MB.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs per measurement; `XC_BENCH_RUNS=1` gives a single load (e.g. under callgrind).
fn runs() -> usize {
    std::env::var("XC_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

fn main() {
    let path = std::env::var("XC_BIGSCHEMA").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/schemas/prisma__bigschema.prisma")
            .display()
            .to_string()
    });
    let Ok(sources) = prisma_xc::input::read_schema(Path::new(&path)) else {
        eprintln!("skipped: {path} not found (set XC_BIGSCHEMA)");
        return;
    };
    let mut times = Vec::new();
    let mut models = 0;
    let mut peak_one_load = f64::NAN;
    for run in 0..runs() {
        let start = Instant::now();
        let loaded = prisma_xc::load(&sources);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(!loaded.has_errors(), "bigschema must load cleanly");
        models = loaded.schema.models.len();
        if run == 0 {
            // What one parse and resolve needs: the process's peak after exactly one load.
            peak_one_load = peak_rss_mb().unwrap_or(f64::NAN);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    if std::env::var("XC_BENCH_SPLIT").is_ok() {
        let (mut parse_ms, mut resolve_ms) = (Vec::new(), Vec::new());
        for _ in 0..runs() {
            let start = Instant::now();
            let parsed =
                prisma_xc::parse::parse(&sources.files[0].text, prisma_xc::diagnostics::FileId(0));
            parse_ms.push(start.elapsed().as_secs_f64() * 1000.0);
            let start = Instant::now();
            let _ = prisma_xc::resolve::resolve(&[&parsed.ast]);
            resolve_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        parse_ms.sort_by(|a, b| a.total_cmp(b));
        resolve_ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "median parse {:.1} ms, median resolve {:.1} ms",
            parse_ms[parse_ms.len() / 2],
            resolve_ms[resolve_ms.len() / 2]
        );
    }
    // Printed with write! so that a closed pipe ends the benchmark quietly.
    let _ = writeln!(
        std::io::stdout(),
        "parse+resolve bigschema ({models} models): best {:.1} ms, median {:.1} ms of {}; peak RSS {peak_one_load:.1} MB after one load, {:.1} MB after all runs",
        times[0],
        times[times.len() / 2],
        times.len(),
        peak_rss_mb().unwrap_or(f64::NAN)
    );
}
