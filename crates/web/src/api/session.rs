//! Signing in and out, and who am I.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use finishline_store::credentials::verify_password;
use finishline_store::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{cookie, session_cookie, Member, SESSION_COOKIE};
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub name: String,
    /// admin or member
    pub role: String,
}

impl From<&User> for Me {
    fn from(u: &User) -> Self {
        Me {
            id: u.id.clone(),
            workspace_id: u.workspace_id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.as_str().to_string(),
        }
    }
}

/// Starts a session: answers with a `fl_session` cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = Login, security(()),
    responses((status = 200, body = Me, headers(("set-cookie" = String, description = "the session cookie"))),
        (status = 403, description = "the email or the password is wrong", body = Problem),
        (status = 429, description = "too many failed attempts for this email or address: wait and try again", body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    let user = state.store.user_by_email(&body.email).await?;
    // Verify even when the user is unknown so both cases take as long.
    let hash = user.as_ref().map(|u| u.password_hash.as_str()).unwrap_or(
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zp3UDsVkzAFaa7LSM7J9bTxgJ1gGBNjYqeyxNNhbPAk",
    );
    let password = body.password.clone();
    let hash_owned = hash.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash_owned))
        .await
        .unwrap_or(false);
    let user = match (user, ok) {
        (Some(u), true) => u,
        _ => {
            return Err(ApiError::Forbidden(
                "the email or the password is wrong".into(),
            ))
        }
    };
    let now = state.now();
    let secret = state
        .store
        .create_session(&user, now, state.config.session_ttl)
        .await?;
    let cookie = session_cookie(
        &secret,
        state.config.session_ttl.num_seconds(),
        state.config.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], Json(Me::from(&user))))
}

/// Ends the session of the cookie sent.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session", security(()),
    responses((status = 204, description = "signed out: the session cookie is cleared")))]
pub async fn logout(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, _) = req.into_parts();
    if let Some(secret) = cookie(&parts, SESSION_COOKIE) {
        state.store.delete_session(secret).await?;
    }
    let clear = session_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]))
}

/// The member signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me)))]
pub async fn me(member: Member) -> Json<Me> {
    Json(Me::from(&member.0))
}
