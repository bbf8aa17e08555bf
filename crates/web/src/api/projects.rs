//! Projects: the portfolio, handoffs, the computed view, commands, the activity log, the status
//! draft, files.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use finishline_core::scorecard::PortfolioScorecard;
use finishline_core::status_update::{r10_status_draft, StatusDraft};
use finishline_core::{Activity, Command};
use finishline_store::StoredFile;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::Binary;
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::views::{self, ProjectSummary, ProjectView};
use finishline_app::commands::{member_ctx, run_command};
use finishline_app::handoffs::{import_handoff, NewHandoff};

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// At most this many projects (1 to 1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Skip this many (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The total number of projects, for paging.
pub const TOTAL_HEADER: &str = "x-total-count";

/// The portfolio: the workspace's projects with computed health, most recently changed first.
/// The total is in the `X-Total-Count` header.
#[utoipa::path(get, path = "/api/v1/projects", operation_id = "list_projects", tag = "projects", params(PageQuery),
    responses((status = 200, body = [ProjectSummary],
        headers(("x-total-count" = u64, description = "how many projects the workspace has, for paging")))))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad("limit", "must be between 1 and 1000"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad("offset", "must not be negative"));
    }
    let now = state.now();
    let (page, total) = state
        .projects
        .page(&state.app.store, member.workspace(), limit, offset)
        .await?;
    // The lines are cached as JSON; the page is their concatenation.
    let mut body = Vec::with_capacity(page.len() * 512 + 2);
    body.push(b'[');
    let lines = state
        .projects
        .lines_json(member.workspace(), &page, now)
        .await?;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(line);
    }
    body.push(b']');
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::HeaderName::from_static(TOTAL_HEADER),
                total.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

/// Hands a deal over: creates the project from the handoff and a playbook.
#[utoipa::path(post, path = "/api/v1/projects", operation_id = "create_project", tag = "projects", request_body = NewHandoff,
    responses((status = 201, body = ProjectView),
        (status = 422, description = "a value that does not fit, or a handoff the rules refuse", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewHandoff>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let now = state.now();
    let ctx = finishline_core::Ctx {
        actor: format!("{} (vendor)", member.0.name),
        person: None,
        side: finishline_core::people::Side::Vendor,
        now,
    };
    let p = import_handoff(&state.app.store, member.workspace(), body, &ctx).await?;
    let view = load_view(&state, member.workspace(), &p.id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn load_view(state: &AppState, workspace: &str, id: &str) -> Result<ProjectView, ApiError> {
    let (p, version) = state
        .app
        .store
        .project(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("project {id}")))?;
    let acts = state.app.store.activities(workspace, id).await?;
    Ok(views::view(p, version, &acts, state.now()))
}

/// One project with its health, gates (G1, G2), ball-in-court time (R7) and scorecard (R12).
#[utoipa::path(get, path = "/api/v1/projects/{id}", operation_id = "get_project", tag = "projects",
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = ProjectView)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let ws = member.workspace();
    let now = state.now();
    let Some(version) = state.app.store.project_version(ws, &id).await? else {
        return Err(ApiError::not_found(format!("project {id}")));
    };
    // Views are computed once per version and minute; a change anywhere bumps the version.
    let json = match state.projects.view_json(&id, version, now) {
        Some(json) => json,
        None => {
            let view = load_view(&state, ws, &id).await?;
            let json: std::sync::Arc<[u8]> = serde_json::to_vec(&view)
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .into();
            state
                .projects
                .keep_view(&id, view.version, now, json.clone());
            json
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Bytes::from_owner(json),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandResult {
    /// What the command changed, as recorded in the activity log.
    pub activities: Vec<Activity>,
    pub view: ProjectView,
}

/// Changes a project. The body is one command, tagged by `action` (see the `Command` schema);
/// the rules and gates are checked and refusals explained.
#[utoipa::path(post, path = "/api/v1/projects/{id}/commands", tag = "projects", request_body = Command,
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = CommandResult),
        (status = 409, description = "not at this stage, or changed by someone else meanwhile: read and try again", body = Problem),
        (status = 422, description = "refused: the rule (`rule`), the gate report (`gate`) or the field (`errors[].field`) says why", body = Problem)))]
pub async fn command(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<Command>,
) -> Result<Json<CommandResult>, ApiError> {
    // File ids in the command (a proof, a data map, an import's files) are checked by
    // `run_command`: they must be this project's.
    let now = state.now();
    let user = member.0.clone();
    let (p, version, activities) =
        run_command(&state.app.store, member.workspace(), &id, &cmd, |p| {
            member_ctx(&user, p, now)
        })
        .await?;
    let all = state.app.store.activities(member.workspace(), &id).await?;
    Ok(Json(CommandResult {
        activities,
        view: views::view(p, version, &all, now),
    }))
}

/// The activity log, oldest first: who, when, what, before and after.
#[utoipa::path(get, path = "/api/v1/projects/{id}/activity", tag = "projects",
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = [Activity])))]
pub async fn activity(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    ensure_project(&state, member.workspace(), &id).await?;
    Ok(Json(
        state.app.store.activities(member.workspace(), &id).await?,
    ))
}

/// Checks the project exists in this workspace without reading its document.
pub(crate) async fn ensure_project(
    state: &AppState,
    workspace: &str,
    id: &str,
) -> Result<(), ApiError> {
    if state
        .app
        .store
        .project_version(workspace, id)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!("project {id}")));
    }
    Ok(())
}

/// How the status draft is answered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DraftFormat {
    Json,
    Text,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DraftQuery {
    /// `json` (the default) or `text`.
    #[param(value_type = Option<DraftFormat>)]
    pub format: Option<String>,
}

/// The status update draft (R10) since the last recorded update, as JSON or plain text.
#[utoipa::path(get, path = "/api/v1/projects/{id}/status-draft", tag = "projects",
    params(("id" = String, Path, description = "project id"), DraftQuery),
    responses((status = 200, description = "the draft: JSON, or plain text with `format=text`",
        content((StatusDraft = "application/json"), (String = "text/plain")))))]
pub async fn status_draft(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Result<Response, ApiError> {
    let (p, _) = state
        .app
        .store
        .project(member.workspace(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("project {id}")))?;
    let acts = state.app.store.activities(member.workspace(), &id).await?;
    let draft = r10_status_draft(&p, &acts, state.now());
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(draft).into_response()),
        Some("text") => Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            draft.to_text(),
        )
            .into_response()),
        Some(other) => Err(ApiError::bad(
            "format",
            format!("{other:?} is not json or text"),
        )),
    }
}

/// The portfolio scorecard (R12): averages over the workspace's projects.
#[utoipa::path(get, path = "/api/v1/scorecard", tag = "projects",
    responses((status = 200, body = PortfolioScorecard)))]
pub async fn scorecard(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, ApiError> {
    // The same per-project facts as the analytics: a change re-reads only that project.
    let json = state
        .app
        .analytics
        .scorecard_json(&state.app.store, member.workspace(), state.now())
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from_owner(json),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name as the user knows it: 1 to 255 bytes, not blank, without slashes,
    /// backslashes or control characters.
    #[param(
        pattern = "^[^/\\\\\\x00-\\x1f\\x7f-\\x9f]*[^/\\\\\\x00-\\x20\\x7f-\\x9f][^/\\\\\\x00-\\x1f\\x7f-\\x9f]*$",
        max_length = 255
    )]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<StoredFile> for FileView {
    fn from(f: StoredFile) -> Self {
        FileView {
            id: f.id,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            uploaded_by: f.uploaded_by,
            created_at: f.created_at,
        }
    }
}

/// Uploads a file to a project (the raw body), e.g. proof for a task: then complete the task with
/// `{"kind": "file", "value": "<file id>"}`.
#[utoipa::path(post, path = "/api/v1/projects/{id}/files", tag = "projects",
    params(("id" = String, Path, description = "project id"), UploadQuery),
    request_body(description = "the file's bytes, not empty; its Content-Type is kept with the file",
        content((Binary = "application/octet-stream"))),
    responses((status = 201, body = FileView),
        (status = 422, description = "the name is over 255 bytes (a limit JSON Schema can only \
            state in characters) or holds a control character; `errors[0].field` is `name`",
            body = crate::error::Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    ensure_project(&state, member.workspace(), &id).await?;
    let name = crate::files::check_name(&q.name).map_err(|why| ApiError::invalid("name", why))?;
    if body.is_empty() {
        return Err(ApiError::bad("body", "the file is empty"));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let file = state
        .app
        .store
        .put_file(
            member.workspace(),
            &id,
            name,
            content_type,
            &body,
            &member.0.name,
            state.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(file.into())))
}

/// Downloads a file of a project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/files/{file_id}", tag = "projects",
    params(("id" = String, Path, description = "project id"), ("file_id" = String, Path, description = "file id")),
    responses((status = 200, description = "the file's bytes, as an attachment", content((Binary = "application/octet-stream")),
        headers(("content-disposition" = String, description = "attachment; filename=\"…\"")))))]
pub async fn download(
    State(state): State<AppState>,
    member: Member,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Some((meta, body)) = state.app.store.file(member.workspace(), &file_id).await? else {
        return Err(ApiError::not_found(format!("file {file_id}")));
    };
    if meta.project_id != id {
        return Err(ApiError::not_found(format!("file {file_id}")));
    }
    // Served as an attachment with nosniff so an uploaded page never runs in our origin; the
    // name is encoded so that any stored name makes a valid header.
    Ok((
        [
            (
                header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/octet-stream"),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::files::content_disposition(&meta.name),
            ),
        ],
        body,
    )
        .into_response())
}
