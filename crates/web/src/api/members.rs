//! Workspace members and API tokens.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use finishline_store::credentials::{hash_password, password_problem};
use finishline_store::{ApiToken, UserRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::Me;
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    #[schema(format = Email)]
    pub email: String,
    /// Not blank.
    #[schema(pattern = r"\S")]
    pub name: String,
    /// At least 10 characters, at most 1024 bytes.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    /// admin or member (the default)
    #[serde(default)]
    #[schema(pattern = "^(admin|member)$")]
    pub role: Option<String>,
}

/// The workspace's members.
#[utoipa::path(get, path = "/api/v1/members", operation_id = "list_members", tag = "members",
    responses((status = 200, body = [Me])))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Me>>, ApiError> {
    let users = state.app.store.users(member.workspace()).await?;
    Ok(Json(users.iter().map(Me::from).collect()))
}

/// Adds a member (admins only).
#[utoipa::path(post, path = "/api/v1/members", operation_id = "create_member", tag = "members", request_body = NewMember,
    responses((status = 201, body = Me), (status = 403, description = "only a workspace admin adds members", body = Problem),
        (status = 409, description = "a member with this email exists", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewMember>,
) -> Result<(StatusCode, Json<Me>), ApiError> {
    member.require_admin()?;
    if !finishline_core::people::valid_email(&body.email) {
        return Err(ApiError::bad(
            "email",
            format!("{:?} is not an email address", body.email),
        ));
    }
    if body.name.trim().is_empty() {
        return Err(ApiError::bad("name", "is required"));
    }
    if let Some(problem) = password_problem(&body.password) {
        return Err(ApiError::bad("password", problem));
    }
    let role = match body.role.as_deref() {
        None => UserRole::Member,
        Some(r) => {
            UserRole::parse(r).ok_or_else(|| ApiError::bad("role", "must be admin or member"))?
        }
    };
    let password = body.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let user = state
        .app
        .store
        .create_user(
            member.workspace(),
            &body.email,
            &body.name,
            &hash,
            role,
            &member.by(&state),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Me::from(&user))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "CRM sync" (not blank).
    #[schema(pattern = r"\S")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            user_id: t.user_id,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    /// The bearer secret. Shown once: only its hash is stored.
    pub secret: String,
}

/// The workspace's API tokens (without secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "members",
    responses((status = 200, body = [TokenView])))]
pub async fn tokens(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = state.app.store.api_tokens(member.workspace()).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

/// Creates an API token acting as the member who creates it.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "members", request_body = NewToken,
    responses((status = 201, body = CreatedToken)))]
pub async fn create_token(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError::bad(
            "name",
            "is required: say what the token is for",
        ));
    }
    let (token, secret) = state
        .app
        .store
        .create_api_token(&member.0, &body.name, &member.by(&state))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes a token of the workspace (admins, or the token's own member).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "members",
    params(("id" = String, Path, description = "token id")),
    responses((status = 204, description = "revoked"),
        (status = 403, description = "another member's token, and not an admin", body = Problem),
        (status = 409, description = "already revoked", body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tokens = state.app.store.api_tokens(member.workspace()).await?;
    let Some(token) = tokens.iter().find(|t| t.id == id) else {
        return Err(ApiError::not_found(format!("token {id}")));
    };
    if token.user_id != member.0.id {
        member.require_admin()?;
    }
    if state
        .app
        .store
        .revoke_api_token(member.workspace(), &id, &member.by(&state))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::Conflict(format!("token {id} is already revoked")))
    }
}
