//! Playbooks: the built-ins and the workspace's own, versioned.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use finishline_core::playbook::{builtin, Playbook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;
use finishline_app::handoffs::find_playbook;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookListing {
    pub key: String,
    pub name: String,
    pub version: i64,
    /// `builtin` or `workspace`
    pub source: String,
    pub steps: usize,
}

/// Every playbook a project can start from: the built-ins, then the workspace's (latest versions).
#[utoipa::path(get, path = "/api/v1/playbooks", operation_id = "list_playbooks", tag = "playbooks",
    responses((status = 200, body = [PlaybookListing])))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<PlaybookListing>>, ApiError> {
    let mut out: Vec<PlaybookListing> = builtin()
        .into_iter()
        .map(|p| PlaybookListing {
            steps: p.steps().count(),
            key: p.key,
            name: p.name,
            version: i64::from(p.version),
            source: "builtin".into(),
        })
        .collect();
    for s in state.app.store.playbooks(member.workspace()).await? {
        out.push(PlaybookListing {
            steps: s.playbook.steps().count(),
            key: s.key,
            name: s.playbook.name,
            version: s.version,
            source: "workspace".into(),
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionQuery {
    /// A workspace playbook's version; the latest when absent.
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// One playbook with its phases and steps.
#[utoipa::path(get, path = "/api/v1/playbooks/{key}", operation_id = "get_playbook", tag = "playbooks",
    params(("key" = String, Path, description = "playbook key"), VersionQuery),
    responses((status = 200, body = Playbook)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Playbook>, ApiError> {
    find_playbook(&state.app.store, member.workspace(), &key, q.version)
        .await
        .map(Json)
        .map_err(|_| ApiError::not_found(format!("playbook {key}")))
}

/// Saves a workspace playbook as a new version (copy a built-in by giving it a key of your own).
/// Running projects keep the version they started from.
#[utoipa::path(post, path = "/api/v1/playbooks", operation_id = "save_playbook", tag = "playbooks", request_body = Playbook,
    responses((status = 201, body = Playbook),
        (status = 422, description = "a playbook the rules refuse (a cycle, an unknown dependency…)", body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    member: Member,
    ApiJson(mut pb): ApiJson<Playbook>,
) -> Result<(StatusCode, Json<Playbook>), ApiError> {
    if builtin().iter().any(|b| b.key == pb.key) {
        return Err(ApiError::bad(
            "key",
            format!(
                "{:?} is a built-in playbook; save your copy under a key of your own",
                pb.key
            ),
        ));
    }
    if pb.key.trim().is_empty()
        || pb.key.len() > 64
        || !pb
            .key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::bad(
            "key",
            "use 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    pb.validate()?;
    let version = state
        .app
        .store
        .save_playbook(member.workspace(), &pb, &member.0.name, state.now())
        .await?;
    pb.version = u32::try_from(version).unwrap_or(u32::MAX);
    Ok((StatusCode::CREATED, Json(pb)))
}
