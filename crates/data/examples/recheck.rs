//! Times the engine's part of a server re-check: `check_with` on one upload with a layer of
//! fixes, as `crates/app` calls it (issues handed to a sink that keeps a few per rule), once per
//! thread count asked for, several times each, and prints every run and the median.
//!
//! ```sh
//! cargo run --release -p finishline-data --example recheck -- \
//!     accounts_100000.csv accounts.map.json [--fixes fixes.json] [--threads 1,2] [--runs 9]
//! ```
//!
//! A measuring tool, not a test: timings belong in `bench/RESULTS.md`, never in assertions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use finishline_data::{check_with, CheckOptions, DataMap, Fixes, Issue};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: recheck FILE MAP [--fixes FIXES] [--threads 1,2] [--runs N]";
    let file = PathBuf::from(args.next().ok_or(usage)?);
    let map = DataMap::from_path(&PathBuf::from(args.next().ok_or(usage)?))?;
    let mut fixes = Fixes::default();
    let mut threads = vec![1usize, 2];
    let mut runs = 9usize;
    while let Some(a) = args.next() {
        let v = args.next().ok_or(usage)?;
        match a.as_str() {
            "--fixes" => fixes = Fixes::load(v.as_ref())?,
            "--threads" => {
                threads = v
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<Vec<usize>, _>>()?
            }
            "--runs" => runs = v.parse()?,
            _ => return Err(usage.into()),
        }
    }
    println!(
        "{} with {} fixes, {runs} runs per thread count",
        file.display(),
        fixes.fixes.len()
    );
    for &t in &threads {
        let mut times: Vec<Duration> = Vec::new();
        let mut summary = String::new();
        for _ in 0..runs {
            let opts = CheckOptions {
                threads: Some(t),
                ..CheckOptions::default()
            };
            // The server's sink: a few examples per rule.
            let mut kept: Vec<Issue> = Vec::new();
            let mut per_rule: HashMap<String, usize> = HashMap::new();
            let start = Instant::now();
            let report = check_with(&file, &map, &fixes, &opts, &mut |i: &Issue| {
                let n = per_rule.entry(i.rule.clone()).or_insert(0);
                if *n < 5 {
                    *n += 1;
                    kept.push(i.clone());
                }
            })?;
            times.push(start.elapsed());
            summary = format!(
                "{} rows, {} errors, {} reviews",
                report.rows, report.errors, report.reviews
            );
        }
        let shown: Vec<String> = times
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64()))
            .collect();
        times.sort();
        println!(
            "threads={t}: median {:.3} s, min {:.3} s ({summary}); runs: {}",
            times[times.len() / 2].as_secs_f64(),
            times[0].as_secs_f64(),
            shown.join(" ")
        );
    }
    Ok(())
}
