//! Customer data: the project's data maps, the upload being fixed against one (a draft), and
//! the import runs that prove the data is clean (G2 reads the latest one).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::Log;
use crate::error::{required_text, DomainError};
use crate::people::Side;
use crate::plan::{Proof, Task};
use crate::project::Project;

/// The summary of one data import run (the data engine records the details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRun {
    pub id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<u32>,
    pub file_sha256: String,
    pub rows: u64,
    /// Issues that block (severity error) left after fixes.
    pub errors: u64,
    /// Issues flagged for review left after fixes.
    pub reviews: u64,
    pub at: DateTime<Utc>,
    /// Who submitted it (the activity log's actor).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// The project's data map it was checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<u32>,
    /// Issues left per rule after the fixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_rule: Vec<RuleCount>,
    /// How many fixes were layered over the upload.
    #[serde(default)]
    pub fixes: u64,
    /// Project files of the run: the upload, the clean export, the full report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_file: Option<String>,
    /// The fixes layered over the upload (the data engine's fixes file, usable with the API's
    /// `fixes=` to run the same import again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes_file: Option<String>,
}

/// How many issues of one rule a run left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleCount {
    pub rule: String,
    pub count: u64,
}

/// A data map of the project: the map file (checked by the data engine), and the plan task and
/// data source its imports serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataMapRef {
    pub id: u32,
    pub name: String,
    /// The project file holding the map (JSON).
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<u32>,
    /// An example file (a project file) people can download to see what is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// The upload being worked on, with its fixes, until it is submitted as an import run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<ImportDraft>,
}

/// An upload being fixed. The upload file is never changed: fixes are a layer over it, kept
/// here as the data engine's JSON (the core does not interpret them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportDraft {
    pub upload: String,
    pub name: String,
    pub sha256: String,
    /// The latest check report (a project file).
    pub report: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub fixes: Vec<serde_json::Value>,
    /// How many of `fixes` the latest report was checked with; fewer means "re-check".
    #[serde(default)]
    pub checked_fixes: usize,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl ImportDraft {
    pub fn needs_recheck(&self) -> bool {
        self.checked_fixes != self.fixes.len()
    }
}

impl ImportRun {
    pub fn is_clean(&self) -> bool {
        self.errors == 0
    }
}

/// A named data source, if given, must be one of the project's.
pub(crate) fn ensure_source(p: &Project, source: Option<u32>) -> Result<(), DomainError> {
    match source {
        Some(s) if !p.data_sources.iter().any(|d| d.id == s) => Err(DomainError::invalid(
            "source",
            format!("data source {s} does not exist"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn data_map_mut(p: &mut Project, id: u32) -> Result<&mut DataMapRef, DomainError> {
    p.data_maps
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or_else(|| DomainError::not_found(format!("data map {id}")))
}

pub(crate) fn record_import_run(
    p: &mut Project,
    log: &mut Log,
    source: Option<u32>,
    file_sha256: String,
    rows: u64,
    errors: u64,
    reviews: u64,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    if file_sha256.len() != 64 || !file_sha256.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(DomainError::invalid(
            "file_sha256",
            "must be the 64-hex-digit sha256 of the uploaded file",
        ));
    }
    ensure_source(p, source)?;
    let id = p.take_id();
    let run = ImportRun {
        id,
        source,
        file_sha256: file_sha256.to_lowercase(),
        rows,
        errors,
        reviews,
        at: now,
        by: ctx.actor.clone(),
        map: None,
        by_rule: Vec::new(),
        fixes: 0,
        upload_file: None,
        clean_file: None,
        report_file: None,
        fixes_file: None,
    };
    log.push(
        "import.recorded",
        format!("import:{id}"),
        format!("Import run {id}: {rows} rows, {errors} blocking issue(s), {reviews} for review"),
        None,
        Some(json!(run)),
    );
    p.imports.push(run);
    Ok(())
}

pub(crate) fn add_data_map(
    p: &mut Project,
    log: &mut Log,
    name: String,
    file: String,
    task: Option<u32>,
    source: Option<u32>,
    sample: Option<String>,
) -> Result<(), DomainError> {
    let name = required_text("name", &name)?;
    let file = required_text("file", &file)?;
    if let Some(t) = task {
        if p.task(t).is_none() {
            return Err(DomainError::invalid(
                "task",
                format!("task {t} does not exist"),
            ));
        }
    }
    ensure_source(p, source)?;
    let id = p.take_id();
    log.push(
        "data_map.added",
        format!("data_map:{id}"),
        format!("Data map: {name}"),
        None,
        Some(json!({ "name": name, "file": file, "task": task })),
    );
    p.data_maps.push(DataMapRef {
        id,
        name,
        file,
        task,
        source,
        sample,
        draft: None,
    });
    Ok(())
}

pub(crate) fn start_import_draft(
    p: &mut Project,
    log: &mut Log,
    map: u32,
    upload: String,
    name: String,
    sha256: String,
    report: String,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    let by = ctx.actor.clone();
    let m = data_map_mut(p, map)?;
    log.push(
        "import.uploaded",
        format!("data_map:{map}"),
        format!("Upload {name} checked against the data map {}", m.name),
        None,
        Some(json!({ "file": upload, "sha256": sha256 })),
    );
    m.draft = Some(ImportDraft {
        upload,
        name,
        sha256,
        report,
        fixes: Vec::new(),
        checked_fixes: 0,
        by,
        at: now,
    });
    Ok(())
}

pub(crate) fn add_import_fix(
    p: &mut Project,
    log: &mut Log,
    map: u32,
    fix: serde_json::Value,
) -> Result<(), DomainError> {
    if !fix.is_object() {
        return Err(DomainError::invalid("fix", "a fix is an object"));
    }
    let m = data_map_mut(p, map)?;
    let name = m.name.clone();
    let d = m.draft.as_mut().ok_or_else(|| {
        DomainError::invalid(
            "map",
            format!("upload a file for the data map {name} before fixing it"),
        )
    })?;
    d.fixes.push(fix.clone());
    log.push(
        "import.fixed",
        format!("data_map:{map}"),
        format!("Fix recorded for the upload {} ({name})", d.name),
        None,
        Some(fix),
    );
    Ok(())
}

pub(crate) fn recheck_import_draft(
    p: &mut Project,
    log: &mut Log,
    map: u32,
    report: String,
) -> Result<(), DomainError> {
    let m = data_map_mut(p, map)?;
    let name = m.name.clone();
    let d = m.draft.as_mut().ok_or_else(|| {
        DomainError::invalid(
            "map",
            format!("upload a file for the data map {name} first"),
        )
    })?;
    d.report = report;
    d.checked_fixes = d.fixes.len();
    let (file, n) = (d.name.clone(), d.fixes.len());
    log.push(
        "import.rechecked",
        format!("data_map:{map}"),
        format!("Upload {file} checked again with {n} fix(es)"),
        None,
        None,
    );
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
pub(crate) fn submit_import_draft(
    p: &mut Project,
    log: &mut Log,
    map: u32,
    rows: u64,
    errors: u64,
    reviews: u64,
    by_rule: Vec<RuleCount>,
    clean_file: String,
    report_file: String,
    fixes_file: Option<String>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    let m = data_map_mut(p, map)?;
    let name = m.name.clone();
    let source = m.source;
    let d = m.draft.take().ok_or_else(|| {
        DomainError::invalid(
            "map",
            format!("upload a file for the data map {name} first"),
        )
    })?;
    if d.needs_recheck() {
        return Err(DomainError::invalid(
            "map",
            format!(
                "{} fix(es) were made since the last check: re-check before submitting",
                d.fixes.len() - d.checked_fixes.min(d.fixes.len())
            ),
        ));
    }
    let id = p.take_id();
    let run = ImportRun {
        id,
        source,
        file_sha256: d.sha256.to_lowercase(),
        rows,
        errors,
        reviews,
        at: now,
        by: ctx.actor.clone(),
        map: Some(map),
        by_rule,
        fixes: d.fixes.len() as u64,
        upload_file: Some(d.upload.clone()),
        clean_file: Some(clean_file),
        report_file: Some(report_file),
        fixes_file,
    };
    log.push("import.recorded", format!("import:{id}"), format!("Import run {id} ({name}, {}): {rows} rows, {errors} blocking issue(s), {reviews} for review, {} fix(es)", d.name, d.fixes.len()), None, Some(json!(run)));
    p.imports.push(run);
    if let Some(task) = p.data_map(map).and_then(|m| m.task) {
        plan_follows_the_data(p, log, task, id, errors);
    }
    Ok(())
}

/// The plan follows the data: a clean run submitted for the customer's own data task completes
/// it, with the run as its proof (R5). A vendor's task, or a run that left blocking issues, stays
/// open for the vendor to review the run ([`awaiting_review`] says so on both sides).
fn plan_follows_the_data(p: &mut Project, log: &mut Log, task: u32, run: u32, errors: u64) {
    let customers = p
        .task(task)
        .is_some_and(|t| !t.is_done() && p.default_ball(t) == Side::Customer);
    if errors > 0 || !customers {
        return;
    }
    // Refused (it waits on other tasks, nobody to name as its completer), it stays open for
    // review: the submitted run is recorded either way.
    let proof = Some(Proof::ImportRun(run.to_string()));
    let _ = crate::plan::commands::complete_task(p, log, task, proof, None);
}

/// The run a task waits to have reviewed: the latest one submitted for a data map that serves
/// the task, while the task is not done. `None` when there is nothing to review.
pub fn awaiting_review<'a>(p: &'a Project, task: &Task) -> Option<&'a ImportRun> {
    if task.is_done() {
        return None;
    }
    let maps: Vec<u32> = p
        .data_maps
        .iter()
        .filter(|m| m.task == Some(task.id))
        .map(|m| m.id)
        .collect();
    p.imports
        .iter()
        .filter(|r| r.map.is_some_and(|m| maps.contains(&m)))
        .max_by_key(|r| (r.at, r.id))
}
