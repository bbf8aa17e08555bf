//! Customer data imports, shared by the API (`POST …/imports`) and the data pages of the portal
//! and the workspace: check an upload against a data map with a layer of fixes, export the clean
//! file, keep the outputs as project files.
//!
//! The data engine reads files, so each run writes the upload to a scratch folder and works on a
//! blocking thread. Nothing is stored until the engine has accepted the file: a file it cannot
//! read leaves no trace in the project.
//!
//! Runs take turns (`App::imports`): at most `import_queue.slots` at once, at most
//! `import_queue.queue` waiting in order; beyond that, or after `import_queue.wait`, the run is
//! refused with [`AppError::ImportsBusy`] saying how many run and wait (`web` answers 503 with
//! `Retry-After`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use finishline_core::intake::RuleCount;
use finishline_data::{CheckOptions, DataMap, ExportPaths, Fixes, Issue, Report};
use finishline_store::StoredFile;

use std::sync::Arc;

use crate::commands::discard_files;
use crate::error::AppError;
use crate::flagged::{Collector, Flagged};
use crate::App;

/// The readers of the data engine, by extension.
pub const EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xls"];

/// How many issues of one rule a report keeps to show as examples (with their column).
const EXAMPLES_PER_RULE: usize = 5;

/// The extension of an upload's name, when the data engine can read it.
pub fn upload_ext(name: &str) -> Result<String, AppError> {
    let ext = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !EXTENSIONS.contains(&ext.as_str()) || name.contains(['/', '\\']) || name.trim().is_empty() {
        return Err(AppError::bad(
            "file",
            format!(
                "\"{name}\" is not a file we can read: upload a spreadsheet saved as .csv, .tsv, .txt, .xlsx or .xls"
            ),
        ));
    }
    Ok(ext)
}

/// The body of a file of this project; `what` names the field in the error.
pub async fn project_file(
    app: &App,
    ws: &str,
    project: &str,
    id: &str,
    what: &str,
) -> Result<Vec<u8>, AppError> {
    match app.store.file(ws, id).await? {
        Some((meta, body)) if meta.project_id == project => Ok(body),
        _ => Err(AppError::not_found(format!(
            "{what}: no file {id} in this project"
        ))),
    }
}

/// The data map held in a project file.
pub async fn load_map(app: &App, ws: &str, project: &str, file: &str) -> Result<DataMap, AppError> {
    let text = project_file(app, ws, project, file, "map").await?;
    DataMap::from_json(&String::from_utf8_lossy(&text))
        .map_err(|e| AppError::invalid("map", e.to_string()))
}

/// Reads the fixes kept as JSON values (in a draft); a value the engine does not know is refused.
pub fn fixes_from_values(values: &[serde_json::Value], map: &DataMap) -> Result<Fixes, AppError> {
    let mut fixes = Fixes::default();
    for (i, v) in values.iter().enumerate() {
        let fix = serde_json::from_value(v.clone())
            .map_err(|e| AppError::bad("fixes", format!("fix {}: {e}", i + 1)))?;
        fixes.fixes.push(fix);
    }
    fixes
        .validate(map)
        .map_err(|e| AppError::bad("fixes", e.to_string()))?;
    Ok(fixes)
}

/// What a run produced: the report (with a few issues of each rule, to show) and, for an
/// export, the three output files.
pub struct Outcome {
    pub report: Report,
    pub export: Option<Exported>,
    /// Every flagged item with its row's cells (a check only).
    pub flagged: Option<Flagged>,
    /// Flagged items at the first check of this upload (carried from check to check).
    pub original: Option<u64>,
}

pub struct Exported {
    pub clean: Vec<u8>,
    pub rejected: Vec<u8>,
    pub lineage: Vec<u8>,
}

/// Checks (and with `export`, exports) an upload with a layer of fixes, when its turn comes.
pub async fn run(
    app: &App,
    name: &str,
    body: Vec<u8>,
    map: DataMap,
    fixes: Fixes,
    export: bool,
) -> Result<Outcome, AppError> {
    let file_name = name.to_string();
    in_turn(app, name, body, move |input, open| {
        let opts = CheckOptions {
            threads: Some(1),
            open,
            ..CheckOptions::default()
        };
        let unusable = |e: finishline_data::DataError| {
            AppError::bad(
                "file",
                e.to_string()
                    .replace(&input.display().to_string(), &file_name),
            )
        };
        let mut kept: Vec<Issue> = Vec::new();
        let mut per_rule: HashMap<String, usize> = HashMap::new();
        let mut all = Collector::default();
        let mut sink = |i: &Issue| {
            let n = per_rule.entry(i.rule.clone()).or_insert(0);
            if *n < EXAMPLES_PER_RULE {
                *n += 1;
                kept.push(i.clone());
            }
            if !export {
                all.add(i);
            }
        };
        let (mut report, exported) = if export {
            // Beside the scratch upload: its folder goes when the turn ends.
            let out = ExportPaths::beside(&input.with_file_name("clean.csv"));
            let (report, _) = finishline_data::export(input, &map, &fixes, &opts, &out, &mut sink)
                .map_err(unusable)?;
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| AppError::Internal(e.to_string()))
            };
            let files = Exported {
                clean: read(&out.clean)?,
                rejected: read(&out.rejected)?,
                lineage: read(&out.lineage)?,
            };
            (report, Some(files))
        } else {
            let report = finishline_data::check_with(input, &map, &fixes, &opts, &mut sink)
                .map_err(unusable)?;
            (report, None)
        };
        let flagged = if export {
            None
        } else {
            Some(flagged_rows(input, &map, &fixes, &opts.open, all).map_err(unusable)?)
        };
        report.file = file_name;
        report.issues = kept;
        Ok(Outcome {
            report,
            export: exported,
            flagged,
            original: None,
        })
    })
    .await
}

/// Runs `work` on an upload written to a scratch file, when its turn comes among the imports
/// (at most `import_queue.slots` at once, on a blocking thread), with the import budgets. Every
/// reading of a customer's file goes through here: a check, a preview, a spreadsheet sent back.
pub async fn in_turn<T: Send + 'static>(
    app: &App,
    name: &str,
    body: Vec<u8>,
    work: impl FnOnce(&std::path::Path, finishline_data::OpenOptions) -> Result<T, AppError>
        + Send
        + 'static,
) -> Result<T, AppError> {
    let ext = upload_ext(name)?;
    if body.is_empty() {
        return Err(AppError::bad(
            "file",
            format!("\"{name}\" is empty: upload the file with its rows"),
        ));
    }
    let open = finishline_data::OpenOptions {
        limits: app.config.import_limits.clone(),
        ..finishline_data::OpenOptions::default()
    };
    let turn = app
        .imports
        .enter(|position| {
            tracing::info!(
                import.position = position,
                "import waiting for its turn behind others"
            );
        })
        .await
        .map_err(|full| {
            tracing::warn!(
                import.running = full.running,
                import.waiting = full.waiting,
                "import refused: the server is busy"
            );
            AppError::ImportsBusy(full)
        })?;
    tokio::task::spawn_blocking(move || -> Result<T, AppError> {
        // The turn is held by the work itself: a caller that hangs up does not free it early.
        let _turn = turn;
        let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
        let input = dir.path().join(format!("upload.{ext}"));
        std::fs::write(&input, &body).map_err(|e| AppError::Internal(e.to_string()))?;
        work(&input, open)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// What a transform of one column would change over the whole upload, with the fixes so far.
pub async fn preview_transform(
    app: &App,
    name: &str,
    body: Vec<u8>,
    map: DataMap,
    fixes: Fixes,
    field: String,
    op: finishline_data::TransformOp,
) -> Result<finishline_data::Preview, AppError> {
    in_turn(app, name, body, move |input, open| {
        finishline_data::rows::preview_transform(input, &map, &fixes, &open, &field, &op, None)
            .map_err(|e| AppError::bad("find", e.to_string()))
    })
    .await
}

/// The cells of every flagged row, read in a second pass over the upload.
fn flagged_rows(
    input: &std::path::Path,
    map: &DataMap,
    fixes: &Fixes,
    open: &finishline_data::OpenOptions,
    all: Collector,
) -> Result<Flagged, finishline_data::DataError> {
    let wanted = all.wanted_rows();
    let last = wanted.last().copied().unwrap_or(0);
    let mut rows = std::collections::BTreeMap::new();
    if !wanted.is_empty() {
        finishline_data::rows::for_each_row(input, map, fixes, open, &mut |r| {
            if wanted.contains(&r.row) {
                rows.insert(r.row, r.cells.to_vec());
            }
            r.row < last
        })?;
    }
    let allowed = map
        .fields
        .iter()
        .filter_map(|f| {
            let values = f.constraints.enum_values.as_ref()?;
            let texts = values
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            Some((f.name.clone(), texts))
        })
        .collect();
    Ok(Flagged {
        fields: map.fields.iter().map(|f| f.name.clone()).collect(),
        items: all.items,
        truncated: all.truncated,
        rows,
        allowed,
    })
}

/// The counts per rule of a report, as the import run keeps them.
pub fn by_rule(report: &Report) -> Vec<RuleCount> {
    report
        .summary
        .iter()
        .map(|s| RuleCount {
            rule: s.rule.clone(),
            count: s.count,
        })
        .collect()
}

/// Where one run's files are kept in the project.
pub struct Stored {
    pub report: StoredFile,
    pub flagged: Option<StoredFile>,
    pub clean: Option<StoredFile>,
    pub rejected: Option<StoredFile>,
    pub lineage: Option<StoredFile>,
}

/// Keeps a run's report (and export files) as project files named after the upload.
pub async fn store_outputs(
    app: &App,
    ws: &str,
    project: &str,
    by: &str,
    now: DateTime<Utc>,
    outcome: Outcome,
) -> Result<(Report, Stored), AppError> {
    let Outcome {
        report,
        export,
        flagged,
        original,
    } = outcome;
    let name = report.file.clone();
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let put = |suffix: &str, ct: &'static str, bytes: Vec<u8>| {
        let file_name = format!("{stem}.{suffix}");
        async move {
            app.store
                .put_file(ws, project, &file_name, ct, &bytes, by, now)
                .await
        }
    };
    let internal = |e: serde_json::Error| AppError::Internal(e.to_string());
    let mut report_value = serde_json::to_value(&report).map_err(internal)?;
    let flagged_file = match &flagged {
        Some(f) => {
            let bytes = serde_json::to_vec(f).map_err(internal)?;
            Some(put("flagged.json", "application/json", bytes).await?)
        }
        None => None,
    };
    if let Some(obj) = report_value.as_object_mut() {
        if let Some(f) = &flagged_file {
            obj.insert("flagged".into(), f.id.clone().into());
        }
        let open = report.errors + report.reviews;
        obj.insert("original".into(), original.unwrap_or(open).into());
    }
    let report_json = serde_json::to_vec(&report_value).map_err(internal)?;
    let report_file = match put("report.json", "application/json", report_json).await {
        Ok(f) => f,
        Err(e) => {
            if let Some(f) = &flagged_file {
                discard_files(&app.store, ws, project, std::slice::from_ref(&f.id)).await;
            }
            return Err(e.into());
        }
    };
    let mut stored = Stored {
        report: report_file,
        flagged: flagged_file,
        clean: None,
        rejected: None,
        lineage: None,
    };
    if let Some(x) = export {
        // All of the export or none of it: a failure midway removes what was written.
        let exported = async {
            stored.clean = Some(put("clean.csv", "text/csv", x.clean).await?);
            stored.rejected = Some(put("rejected.csv", "text/csv", x.rejected).await?);
            stored.lineage = Some(put("lineage.jsonl", "application/x-ndjson", x.lineage).await?);
            Ok::<_, finishline_store::StoreError>(())
        }
        .await;
        if let Err(e) = exported {
            discard_files(&app.store, ws, project, &stored.ids()).await;
            return Err(e.into());
        }
    }
    Ok((report, stored))
}

impl Stored {
    /// The ids of the files kept, to remove them again if the change they were for is refused.
    pub fn ids(&self) -> Vec<String> {
        [
            Some(&self.report),
            self.flagged.as_ref(),
            self.clean.as_ref(),
            self.rejected.as_ref(),
            self.lineage.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|f| f.id.clone())
        .collect()
    }
}

/// A report kept as a project file, read back for a page.
pub async fn load_report(
    app: &App,
    ws: &str,
    project: &str,
    file: &str,
) -> Result<StoredReport, AppError> {
    let body = project_file(app, ws, project, file, "report").await?;
    serde_json::from_slice(&body).map_err(|e| AppError::Internal(format!("report {file}: {e}")))
}

/// The parts of a stored report a page shows (`Report` itself is not deserialisable).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct StoredReport {
    pub file: String,
    pub rows: u64,
    pub errors: u64,
    pub reviews: u64,
    #[serde(default)]
    pub rows_with_errors: u64,
    #[serde(default)]
    pub rows_with_reviews: u64,
    #[serde(default)]
    pub summary: Vec<finishline_data::RuleSummary>,
    #[serde(default)]
    pub issues: Vec<Issue>,
    #[serde(default)]
    pub excluded_rows: u64,
    #[serde(default)]
    pub merged_rows: u64,
    /// The project file with every flagged item and its row (a check, not an export).
    #[serde(default)]
    pub flagged: Option<String>,
    /// Flagged items at the first check of the upload.
    #[serde(default)]
    pub original: Option<u64>,
}

impl StoredReport {
    /// Flagged items still open.
    pub fn open(&self) -> u64 {
        self.errors + self.reviews
    }
    /// Flagged items decided since the first check ("N of M decided").
    pub fn decided(&self) -> (u64, u64) {
        let total = self.original.unwrap_or(self.open()).max(self.open());
        (total - self.open(), total)
    }
}

/// The flagged items of a report, read once and then kept in memory (by file id).
pub async fn load_flagged(
    app: &App,
    ws: &str,
    project: &str,
    report: &StoredReport,
) -> Result<Arc<Flagged>, AppError> {
    let Some(file) = &report.flagged else {
        return Err(AppError::not_found(
            "the list of flagged rows (this check has none: check the file again)",
        ));
    };
    let key = format!("{ws}/{project}/{file}");
    if let Some(f) = app.flagged.get(&key) {
        return Ok(f);
    }
    let body = project_file(app, ws, project, file, "flagged rows").await?;
    let f: Flagged = serde_json::from_slice(&body)
        .map_err(|e| AppError::Internal(format!("flagged rows {file}: {e}")))?;
    let f = Arc::new(f);
    app.flagged.put(key, f.clone());
    Ok(f)
}
