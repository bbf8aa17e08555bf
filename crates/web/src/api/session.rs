//! Signing in and out, and who am I.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use finishline_store::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::sign_in::{self, SignInError};
use crate::auth::ConnectedFrom;
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

/// Said when the password is right but the workspace requires single sign-on.
pub const SSO_REQUIRED: &str = "this workspace signs in with single sign-on: use Sign in with SSO at /login/sso (only the break-glass admin may use a password)";

/// Starts a session: answers with a `fl_session` cookie (HttpOnly, SameSite=Lax).
///
/// Failures are throttled per account and per client address: past the limit the answer is 429
/// with `Retry-After` (an unknown email is answered exactly like a known one); when too many
/// passwords are being checked at once, 503 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = Login, security(()),
    responses((status = 200, body = Me, headers(("set-cookie" = String, description = "the session cookie"))),
        (status = 403, description = "the email or the password is wrong, or the workspace requires single sign-on (`/login/sso`) for this member", body = Problem),
        (status = 429, description = "too many failed attempts for this email or address: wait and try again", body = Problem),
        (status = 503, description = "too many passwords are being checked right now: try again after Retry-After", body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectedFrom(addr): ConnectedFrom,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    let user = match sign_in::sign_in(&state, &addr, &body.email, body.password).await {
        Ok(user) => user,
        Err(SignInError::Refused(r)) => return Err(ApiError::Refused(r)),
        Err(SignInError::Internal(e)) => return Err(ApiError::Internal(e)),
        Err(SignInError::Wrong) => {
            return Err(ApiError::Forbidden(
                "the email or the password is wrong".into(),
            ))
        }
        Err(SignInError::SsoRequired) => return Err(ApiError::Forbidden(SSO_REQUIRED.into())),
    };
    let now = state.now();
    let secret = state
        .app
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
        state.app.store.delete_session(secret).await?;
    }
    let clear = session_cookie("", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]))
}

/// The member signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me)))]
pub async fn me(member: Member) -> Json<Me> {
    Json(Me::from(&member.0))
}
