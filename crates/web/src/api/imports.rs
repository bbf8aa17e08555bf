//! Customer data in the project: an upload is checked against the project's data map, its report
//! and clean export are kept, and the run is recorded on the project (G2 reads the latest one; a
//! run can be the proof that completes the data-migration task, R5).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use finishline_core::intake::{ImportRun, RuleCount};
use finishline_core::Command;
use finishline_data::Fixes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::Binary;
use super::projects::FileView;
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use finishline_app::commands::{discard_files, member_ctx, run_command};
use finishline_app::imports;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The uploaded file's name (its extension picks the reader: .csv, .tsv, .txt, .xlsx, .xls).
    #[param(
        pattern = "^[^/\\\\\\x00-\\x20\\x7f-\\x9f][^/\\\\\\x00-\\x1f\\x7f-\\x9f]*\\.([cC][sS][vV]|[tT][sS][vV]|[tT][xX][tT]|[xX][lL][sS][xX]?)$",
        max_length = 255
    )]
    pub name: String,
    /// The id of the data map: a JSON file uploaded to this project (`POST …/files`).
    #[param(min_length = 1)]
    pub map: String,
    /// The id of a fixes file uploaded to this project, applied as a layer over the upload.
    pub fixes: Option<String>,
    /// The project's data source this upload is for.
    pub source: Option<u32>,
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

/// The API names the body `body` where the shared service says `file`.
fn as_body(e: ApiError) -> ApiError {
    match e {
        ApiError::BadRequest { detail, errors } => ApiError::BadRequest {
            detail: detail.replacen("file:", "body:", 1),
            errors: errors
                .into_iter()
                .map(|mut f| {
                    if f.field == "file" {
                        f.field = "body".into();
                    }
                    f
                })
                .collect(),
        },
        other => other,
    }
}

/// Checks an upload against a data map and records the import run.
#[utoipa::path(post, path = "/api/v1/projects/{id}/imports", operation_id = "create_import", tag = "data",
    params(("id" = String, Path, description = "project id"), ImportQuery),
    request_body(description = "the customer's file (.csv, .tsv, .xlsx or .xls, as `name` says), not empty",
        content((Binary = "application/octet-stream"))),
    responses((status = 201, body = ImportResult),
        (status = 404, description = "no such project, or no such map or fixes file in it", body = Problem),
        (status = 422, description = "a map or fixes file that is not one, a file the engine cannot read, or a run the project refuses", body = Problem),
        (status = 503, description = "too many imports are running: try again shortly", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
    let ws = member.workspace().to_string();
    super::projects::ensure_project(&state, &ws, &id).await?;
    let name = crate::files::check_name(&q.name)
        .map_err(|why| ApiError::invalid("name", why))?
        .to_string();
    if imports::upload_ext(&name).is_err() {
        return Err(ApiError::bad(
            "name",
            "give the file's name with its extension: .csv, .tsv, .txt, .xlsx or .xls",
        ));
    }
    if body.is_empty() {
        return Err(ApiError::bad("body", "the upload is empty"));
    }
    let map = imports::load_map(&state.app, &ws, &id, &q.map).await?;
    let fixes = match &q.fixes {
        None => Fixes::default(),
        Some(fid) => {
            let text = imports::project_file(&state.app, &ws, &id, fid, "fixes").await?;
            serde_json::from_slice(&text).map_err(|e| ApiError::bad("fixes", e.to_string()))?
        }
    };
    let now = state.now();
    let by = member.0.name.clone();
    // Checked first, stored after: a file the engine cannot read leaves nothing behind.
    let outcome = imports::run(&state.app, &name, body.to_vec(), map, fixes, true)
        .await
        .map_err(|e| as_body(e.into()))?;
    let upload = state
        .app
        .store
        .put_file(&ws, &id, &name, "application/octet-stream", &body, &by, now)
        .await?;
    let (report, stored) =
        match imports::store_outputs(&state.app, &ws, &id, &by, now, outcome).await {
            Ok(kept) => kept,
            Err(e) => {
                discard_files(&state.app.store, &ws, &id, &[upload.id]).await;
                return Err(e.into());
            }
        };
    let mut written = stored.ids();
    written.push(upload.id.clone());
    let cmd = Command::RecordImportRun {
        source: q.source,
        file_sha256: upload.sha256.clone(),
        rows: report.rows,
        errors: report.errors,
        reviews: report.reviews,
    };
    let user = member.0.clone();
    let recorded = match (&stored.clean, &stored.rejected, &stored.lineage) {
        (Some(_), Some(_), Some(_)) => run_command(&state.app.store, &ws, &id, &cmd, |p| {
            member_ctx(&user, p, now)
        })
        .await
        .map_err(ApiError::from),
        _ => Err(ApiError::Internal("export files missing".into())),
    };
    // A refused run (a closed project, an unknown source) leaves none of its files behind.
    let (project, _, _) = match recorded {
        Ok(r) => r,
        Err(e) => {
            discard_files(&state.app.store, &ws, &id, &written).await;
            return Err(e);
        }
    };
    let missing = || ApiError::Internal("export files missing".into());
    let (clean_file, rejected_file, lineage_file) = (
        stored.clean.ok_or_else(missing)?,
        stored.rejected.ok_or_else(missing)?,
        stored.lineage.ok_or_else(missing)?,
    );
    let run = project
        .imports
        .last()
        .cloned()
        .ok_or_else(|| ApiError::Internal("import run not recorded".into()))?;
    let by_rule = imports::by_rule(&report);
    Ok((
        StatusCode::CREATED,
        Json(ImportResult {
            run,
            upload: upload.into(),
            report: stored.report.into(),
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
