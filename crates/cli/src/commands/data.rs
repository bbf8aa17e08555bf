//! `finishline data …`: the customer data onboarding engine from the command line.
//!
//! Exit status: 0 clean, 1 issues found, 2 unusable input (the reason on stderr).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use finishline_data::{
    check_with_refs, export, infer, CheckOptions, DataError, DataMap, ExportPaths, Fix, FixAction,
    Fixes, IssueRef, OpenOptions, Report, Severity,
};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Draft a data map from a file: headers, samples, guessed types and normalisations.
    Infer {
        /// The file to read (CSV, TSV, XLSX, XLS).
        file: PathBuf,
        #[command(flatten)]
        input: InputArgs,
        /// Write the map here instead of stdout.
        #[arg(long, env = "FINISHLINE_DATA_OUT")]
        out: Option<PathBuf>,
    },
    /// Check a file against a data map and list every issue.
    Check {
        file: PathBuf,
        /// The data map (JSON or YAML).
        #[arg(long, env = "FINISHLINE_DATA_MAP")]
        map: PathBuf,
        /// A fixes file to apply before checking.
        #[arg(long, env = "FINISHLINE_DATA_FIXES")]
        fixes: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Print only the summary, not every issue.
        #[arg(long)]
        summary_only: bool,
        /// Which issues make the exit status 1.
        #[arg(long, value_enum, default_value_t = FailOn::Any, env = "FINISHLINE_DATA_FAIL_ON")]
        fail_on: FailOn,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Record a fix in a fixes file (a layer over the upload, which is never modified).
    Fix {
        /// The fixes file (created when missing).
        #[arg(long, env = "FINISHLINE_DATA_FIXES")]
        fixes: PathBuf,
        /// Who makes the fix.
        #[arg(long, env = "FINISHLINE_USER")]
        who: Option<String>,
        /// Why.
        #[arg(long, default_value = "")]
        why: String,
        /// The upload the fixes belong to (its sha256 is recorded).
        #[arg(long)]
        source: Option<PathBuf>,
        #[command(subcommand)]
        action: FixCommand,
    },
    /// Export the clean file, the rejected rows and the lineage.
    Export {
        file: PathBuf,
        #[arg(long, env = "FINISHLINE_DATA_MAP")]
        map: PathBuf,
        #[arg(long, env = "FINISHLINE_DATA_FIXES")]
        fixes: Option<PathBuf>,
        /// The clean CSV to write.
        #[arg(long)]
        out: PathBuf,
        /// Rejected rows (default: <out>.rejected.csv).
        #[arg(long)]
        rejected: Option<PathBuf>,
        /// Lineage (default: <out>.lineage.jsonl).
        #[arg(long)]
        lineage: Option<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        input: InputArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// Errors and reviews.
    Any,
    /// Errors only.
    Error,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// The sheet of a workbook (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Force the delimiter (otherwise sniffed), e.g. ';' or 'tab'.
    #[arg(long)]
    delimiter: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, env = "FINISHLINE_DATA_THREADS")]
    threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum FixCommand {
    /// Set one cell (row as the spreadsheet shows it, header = row 1).
    Cell {
        #[arg(long)]
        row: u64,
        #[arg(long)]
        field: String,
        #[arg(long)]
        value: String,
    },
    /// Replace a value everywhere in a field.
    MapValue {
        #[arg(long)]
        field: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Read a field's dates with one format (resolves ambiguous dates such as 03/04/2025).
    DateReading {
        #[arg(long)]
        field: String,
        #[arg(long)]
        format: String,
    },
    /// Fill the blank cells of a field.
    FillBlanks {
        #[arg(long)]
        field: String,
        #[arg(long)]
        value: String,
    },
    /// List the recorded fixes.
    List,
}

impl InputArgs {
    fn open_options(&self) -> Result<OpenOptions, String> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab") | Some("\\t") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => {
                return Err(format!(
                    "--delimiter must be one character or 'tab', not \"{d}\""
                ))
            }
        };
        Ok(OpenOptions {
            sheet: self.sheet.clone(),
            delimiter,
            ..OpenOptions::default()
        })
    }

    fn check_options(&self, file: &Path) -> Result<CheckOptions, String> {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let progress: Option<Box<dyn Fn(u64, u64) + Send + Sync>> =
            if size > 32 << 20 && std::io::stderr().is_terminal() {
                Some(Box::new(|done, total| {
                    let pct = (done * 100).checked_div(total).unwrap_or(100);
                    eprint!(
                        "\rchecking… {pct:>3}% ({} of {} MB)",
                        done >> 20,
                        total >> 20
                    );
                    if done >= total {
                        eprint!("\r{:60}\r", "");
                    }
                }))
            } else {
                None
            };
        Ok(CheckOptions {
            open: self.open_options()?,
            threads: self.threads,
            progress,
        })
    }
}

fn unusable(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn load_map(path: &Path) -> Result<DataMap, DataError> {
    let map = DataMap::from_path(path)?;
    for w in map.warnings() {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(map)
}

fn load_fixes(path: Option<&Path>) -> Result<Fixes, DataError> {
    match path {
        Some(p) if p.exists() => Fixes::load(p),
        Some(p) => Err(DataError::Fixes {
            path: String::new(),
            message: format!("{} does not exist", p.display()),
        }),
        None => Ok(Fixes::default()),
    }
}

pub fn run(cmd: DataCommand) -> ExitCode {
    match cmd {
        DataCommand::Infer { file, input, out } => {
            let opts = match input.open_options() {
                Ok(o) => o,
                Err(e) => return unusable(e),
            };
            match infer(&file, &opts) {
                Ok(map) => {
                    let text = map.to_json_pretty() + "\n";
                    match out {
                        Some(p) => {
                            if let Err(e) = std::fs::write(&p, text) {
                                return unusable(format!("cannot write {}: {e}", p.display()));
                            }
                            eprintln!(
                                "wrote a draft map with {} fields to {}",
                                map.fields.len(),
                                p.display()
                            );
                        }
                        None => print!("{text}"),
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => unusable(e),
            }
        }
        DataCommand::Check {
            file,
            map,
            fixes,
            json,
            summary_only,
            fail_on,
            input,
        } => {
            let map = match load_map(&map) {
                Ok(m) => m,
                Err(e) => return unusable(e),
            };
            let fixes = match load_fixes(fixes.as_deref()) {
                Ok(f) => f,
                Err(e) => return unusable(e),
            };
            let opts = match input.check_options(&file) {
                Ok(o) => o,
                Err(e) => return unusable(e),
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut first = true;
            let mut line: Vec<u8> = Vec::new();
            if json {
                let _ = out.write_all(b"{\"issues\":[");
            }
            // Each issue is written straight from where the engine holds it, never copied.
            let result = check_with_refs(&file, &map, &fixes, &opts, &mut |i: &IssueRef<'_>| {
                if summary_only {
                    return;
                }
                if json {
                    line.clear();
                    if !first {
                        line.extend_from_slice(b",\n");
                    }
                    first = false;
                    i.write_json(&mut line);
                    let _ = out.write_all(&line);
                } else {
                    let _ = writeln!(out, "{}", format_issue(i));
                }
            });
            let report = match result {
                Ok(r) => r,
                Err(e) => {
                    let _ = out.flush();
                    drop(out);
                    if json {
                        println!("]}}");
                    }
                    return unusable(e);
                }
            };
            if json {
                let _ = out.write_all(b"],\n\"report\":");
                let _ = serde_json::to_writer_pretty(&mut out, &report);
                let _ = out.write_all(b"}\n");
            } else {
                let _ = write!(out, "{}", format_summary(&report));
            }
            let _ = out.flush();
            let failed = match fail_on {
                FailOn::Any => !report.is_clean(),
                FailOn::Error => report.errors > 0,
            };
            if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        DataCommand::Fix {
            fixes,
            who,
            why,
            source,
            action,
        } => run_fix(&fixes, who, why, source.as_deref(), action),
        DataCommand::Export {
            file,
            map,
            fixes,
            out,
            rejected,
            lineage,
            json,
            input,
        } => {
            let map = match load_map(&map) {
                Ok(m) => m,
                Err(e) => return unusable(e),
            };
            let fixes = match load_fixes(fixes.as_deref()) {
                Ok(f) => f,
                Err(e) => return unusable(e),
            };
            let opts = match input.check_options(&file) {
                Ok(o) => o,
                Err(e) => return unusable(e),
            };
            let mut paths = ExportPaths::beside(&out);
            if let Some(r) = rejected {
                paths.rejected = r;
            }
            if let Some(l) = lineage {
                paths.lineage = l;
            }
            match export(&file, &map, &fixes, &opts, &paths, &mut |_| {}) {
                Ok((report, summary)) => {
                    if json {
                        println!(
                            "{}",
                            serde_json::json!({"export": summary, "report": report})
                        );
                    } else {
                        println!(
                            "exported {} clean rows to {}\n{} rejected rows (with reasons) to {}\nlineage to {}\n{} cells neutralised against formula injection; {} blank rows skipped",
                            summary.clean_rows, summary.clean, summary.rejected_rows, summary.rejected, summary.lineage, summary.neutralised_cells, summary.blank_rows_skipped
                        );
                        print!("{}", format_summary(&report));
                    }
                    if summary.rejected_rows > 0 {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => unusable(e),
            }
        }
    }
}

fn run_fix(
    path: &Path,
    who: Option<String>,
    why: String,
    source: Option<&Path>,
    action: FixCommand,
) -> ExitCode {
    let mut fixes = match Fixes::load(path) {
        Ok(f) => f,
        Err(e) => return unusable(e),
    };
    let action = match action {
        FixCommand::List => {
            for (i, f) in fixes.fixes.iter().enumerate() {
                println!(
                    "{i}: {} ({}) by {}: {}",
                    f.action.label(),
                    f.action.subject(),
                    f.who,
                    f.why
                );
            }
            return ExitCode::SUCCESS;
        }
        FixCommand::Cell { row, field, value } => {
            if row < 2 {
                return unusable(
                    "--row is the row number as a spreadsheet shows it: data starts at row 2",
                );
            }
            FixAction::Cell { row, field, value }
        }
        FixCommand::MapValue { field, from, to } => FixAction::MapValue { field, from, to },
        FixCommand::DateReading { field, format } => FixAction::DateReading { field, format },
        FixCommand::FillBlanks { field, value } => FixAction::FillBlanks { field, value },
    };
    if let Some(src) = source {
        match sha256_file(src) {
            Ok(sha) => {
                if let Some(old) = &fixes.source_sha256 {
                    if *old != sha {
                        return unusable(format!(
                            "{} is not the upload these fixes were made for (sha256 differs)",
                            src.display()
                        ));
                    }
                }
                fixes.source_sha256 = Some(sha);
            }
            Err(e) => return unusable(format!("cannot read {}: {e}", src.display())),
        }
    }
    let who = who
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    let label = action.label();
    fixes.fixes.push(Fix {
        action,
        who,
        why,
        at: Some(chrono::Utc::now().to_rfc3339()),
    });
    if let Err(e) = fixes.save(path) {
        return unusable(e);
    }
    println!(
        "recorded fix {}: {label} in {}",
        fixes.fixes.len() - 1,
        path.display()
    );
    ExitCode::SUCCESS
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn format_issue(i: &IssueRef<'_>) -> String {
    let mut s = if i.row == 0 {
        "file".to_string()
    } else {
        format!("row {}", i.row)
    };
    match (i.column, i.field) {
        (Some(c), Some(f)) => s.push_str(&format!(" · {c} → {f}")),
        (Some(c), None) => s.push_str(&format!(" · {c}")),
        (None, Some(f)) => s.push_str(&format!(" · → {f}")),
        (None, None) => {}
    }
    s.push_str(&format!(
        " · {} · {}: {}",
        i.severity.as_str(),
        i.rule,
        i.message
    ));
    s
}

fn format_summary(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "\n{}: {} rows ({} {}, {}), {} errors in {} rows, {} to review in {} rows\n",
        r.file,
        r.rows,
        r.input.format,
        r.input.encoding,
        if r.input.delimiter == "\t" {
            "tab".to_string()
        } else {
            format!("'{}'", r.input.delimiter)
        },
        r.errors,
        r.rows_with_errors,
        r.reviews,
        r.rows_with_reviews
    ));
    for rule in &r.summary {
        let ex: Vec<String> = rule
            .examples
            .iter()
            .map(|e| match &e.value {
                Some(v) => format!("row {} \"{v}\"", e.row),
                None => format!("row {}", e.row),
            })
            .collect();
        s.push_str(&format!(
            "  {:<6} {:<20} {:>8}  {}  e.g. {}\n",
            rule.severity.as_str(),
            rule.rule,
            rule.count,
            rule.fields.join(", "),
            ex.join(", ")
        ));
    }
    if r.summary.iter().all(|x| x.severity != Severity::Error) && r.errors == 0 {
        s.push_str("no errors\n");
    }
    s
}

/// mimalloc: the engine allocates many short strings on two threads; the system allocator
/// costs about a tenth of a check's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
