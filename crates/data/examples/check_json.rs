//! `finishline data check FILE --map MAP --json` without the rest of the CLI: the same borrowed
//! sink writing each issue as JSON, the same allocator, the report at the end. A change to the
//! engine can be measured and profiled (`perf record`, `valgrind --tool=callgrind`) from a
//! build of this crate alone, which takes a fraction of the binary's.
//!
//! ```sh
//! cargo build --release -p finishline-data --example check_json
//! target/release/examples/check_json accounts_1000000.csv accounts.map.json > issues.json
//! ```
//!
//! A measuring tool, not a test: its output is the CLI's, its timings belong in
//! `bench/RESULTS.md`.

use std::io::Write;
use std::path::PathBuf;

use finishline_data::{check_with_refs, CheckOptions, DataMap, Fixes, IssueRef};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: check_json FILE MAP";
    let file = PathBuf::from(args.next().ok_or(usage)?);
    let map = DataMap::from_path(&PathBuf::from(args.next().ok_or(usage)?))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    out.write_all(b"{\"issues\":[")?;
    let mut first = true;
    let mut line: Vec<u8> = Vec::new();
    let mut failed: Option<std::io::Error> = None;
    let report = check_with_refs(
        &file,
        &map,
        &Fixes::default(),
        &CheckOptions::default(),
        &mut |i: &IssueRef<'_>| {
            line.clear();
            if !first {
                line.extend_from_slice(b",\n");
            }
            first = false;
            i.write_json(&mut line);
            if let Err(e) = out.write_all(&line) {
                failed.get_or_insert(e);
            }
        },
    )?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.write_all(b"],\n\"report\":")?;
    serde_json::to_writer_pretty(&mut out, &report)?;
    out.write_all(b"}\n")?;
    out.flush()?;
    Ok(())
}
