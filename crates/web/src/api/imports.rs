//! Customer data in the project: an upload is checked against the project's data map, its report
//! and clean export are kept, and the run is recorded on the project (G2 reads the latest one; a
//! run can be the proof that completes the data-migration task, R5).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use finishline_core::intake::ImportRun;
use finishline_core::Command;
use finishline_data::{CheckOptions, DataMap, ExportPaths, Fixes, RuleSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::projects::FileView;
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::service::{self, member_ctx};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The uploaded file's name (its extension picks the reader: .csv, .tsv, .xlsx, .xls).
    pub name: String,
    /// The id of the data map: a JSON file uploaded to this project (`POST …/files`).
    pub map: String,
    /// The id of a fixes file uploaded to this project, applied as a layer over the upload.
    pub fixes: Option<String>,
    /// The project's data source this upload is for.
    pub source: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleCount {
    pub rule: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// The run as recorded on the project; complete a task with
    /// `{"kind": "import_run", "value": "<id>"}`.
    pub run: ImportRun,
    pub upload: FileView,
    /// The full check report (every issue, counts per rule with examples), as JSON.
    pub report: FileView,
    /// The clean file: destination names, normalised values, formulas neutralised.
    pub clean: FileView,
    /// The rejected rows with their reasons.
    pub rejected: FileView,
    /// For every output cell: source row and column, original value, fix, final value.
    pub lineage: FileView,
    pub rows: u64,
    pub errors: u64,
    pub reviews: u64,
    pub by_rule: Vec<RuleCount>,
}

async fn project_file(
    state: &AppState,
    ws: &str,
    project: &str,
    id: &str,
    what: &str,
) -> Result<Vec<u8>, ApiError> {
    match state.store.file(ws, id).await? {
        Some((meta, body)) if meta.project_id == project => Ok(body),
        _ => Err(ApiError::bad(what, format!("no file {id} in this project"))),
    }
}

/// Checks an upload against a data map and records the import run.
#[utoipa::path(post, path = "/api/v1/projects/{id}/imports", tag = "data",
    params(("id" = String, Path, description = "project id"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportResult), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
    let ws = member.workspace().to_string();
    super::projects::ensure_project(&state, &ws, &id).await?;
    let name = q.name.trim().to_string();
    let ext = std::path::Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !["csv", "tsv", "txt", "xlsx", "xls"].contains(&ext.as_str()) || name.contains(['/', '\\']) {
        return Err(ApiError::bad(
            "name",
            "give the file's name with its extension: .csv, .tsv, .txt, .xlsx or .xls",
        ));
    }
    if body.is_empty() {
        return Err(ApiError::bad("body", "the upload is empty"));
    }
    let map_text = project_file(&state, &ws, &id, &q.map, "map").await?;
    let map = DataMap::from_json(&String::from_utf8_lossy(&map_text))
        .map_err(|e| ApiError::bad("map", e.to_string()))?;
    let fixes = match &q.fixes {
        None => Fixes::default(),
        Some(fid) => {
            let text = project_file(&state, &ws, &id, fid, "fixes").await?;
            serde_json::from_slice(&text).map_err(|e| ApiError::bad("fixes", e.to_string()))?
        }
    };
    let now = state.now();
    let by = member.0.name.clone();
    let upload = state
        .store
        .put_file(&ws, &id, &name, "application/octet-stream", &body, &by, now)
        .await?;

    // The engine reads files: check and export in a scratch folder, off the async threads.
    let work = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let dir = tempfile::tempdir().map_err(|e| ApiError::Internal(e.to_string()))?;
        let input = dir.path().join(format!("upload.{ext}"));
        std::fs::write(&input, &body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let out = ExportPaths::beside(&dir.path().join("clean.csv"));
        let opts = CheckOptions {
            threads: Some(1),
            ..CheckOptions::default()
        };
        let (report, _) = finishline_data::export(&input, &map, &fixes, &opts, &out, &mut |_| {})
            .map_err(|e| {
            ApiError::bad(
                "body",
                e.to_string()
                    .replace(&input.display().to_string(), "the upload"),
            )
        })?;
        let read =
            |p: &std::path::Path| std::fs::read(p).map_err(|e| ApiError::Internal(e.to_string()));
        Ok((
            report,
            read(&out.clean)?,
            read(&out.rejected)?,
            read(&out.lineage)?,
        ))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let (mut report, clean, rejected, lineage) = work;
    report.file = name.clone();
    let report_json = serde_json::to_vec(&report).map_err(|e| ApiError::Internal(e.to_string()))?;
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&name)
        .to_string();
    let put = |suffix: &str, ct: &'static str, bytes: Vec<u8>| {
        let file_name = format!("{stem}.{suffix}");
        let (state, ws, id, by) = (state.clone(), ws.clone(), id.clone(), by.clone());
        async move {
            state
                .store
                .put_file(&ws, &id, &file_name, ct, &bytes, &by, now)
                .await
        }
    };
    let report_file = put("report.json", "application/json", report_json).await?;
    let clean_file = put("clean.csv", "text/csv", clean).await?;
    let rejected_file = put("rejected.csv", "text/csv", rejected).await?;
    let lineage_file = put("lineage.jsonl", "application/x-ndjson", lineage).await?;

    let cmd = Command::RecordImportRun {
        source: q.source,
        file_sha256: upload.sha256.clone(),
        rows: report.rows,
        errors: report.errors,
        reviews: report.reviews,
    };
    let user = member.0.clone();
    let (project, _, _) =
        service::run_command(&state.store, &ws, &id, &cmd, |p| member_ctx(&user, p, now)).await?;
    let run = project
        .imports
        .last()
        .cloned()
        .ok_or_else(|| ApiError::Internal("import run not recorded".into()))?;
    let by_rule = report
        .summary
        .iter()
        .map(|s: &RuleSummary| RuleCount {
            rule: s.rule.clone(),
            count: s.count,
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(ImportResult {
            run,
            upload: upload.into(),
            report: report_file.into(),
            clean: clean_file.into(),
            rejected: rejected_file.into(),
            lineage: lineage_file.into(),
            rows: report.rows,
            errors: report.errors,
            reviews: report.reviews,
            by_rule,
        }),
    ))
}
