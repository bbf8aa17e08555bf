//! Who is asking: a workspace member by bearer API token or by session cookie.
//!
//! A token or cookie that matches nothing counts against the client's address
//! (`sign_in::credentials_failed`); while the address is locked, credentials from it are
//! refused with 429 before they are looked up.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use finishline_store::{By, User, UserRole};

use crate::error::ApiError;
use crate::state::AppState;
use crate::throttle::ClientAddress;

pub mod links;
pub mod sign_in;
pub mod sso;

pub const SESSION_COOKIE: &str = "fl_session";

/// A signed-in member of a workspace, and the address they came from. Every handler that takes
/// one reads and writes only that member's workspace.
#[derive(Debug, Clone)]
pub struct Member(pub User, pub ClientAddress);

impl Member {
    pub fn workspace(&self) -> &str {
        &self.0.workspace_id
    }

    /// This member as the audit trail names who made a change.
    pub fn by(&self, state: &AppState) -> By {
        By::new(self.0.email.clone(), self.1.audit(), state.now())
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.0.role == UserRole::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only a workspace admin can do this".into(),
            ))
        }
    }
}

/// The value of a cookie in the request, if present.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<Result<&str, ApiError>> {
    let value = parts.headers.get(header::AUTHORIZATION)?;
    let Ok(text) = value.to_str() else {
        return Some(Err(ApiError::bad("Authorization", "is not readable text")));
    };
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Some(Ok(token.trim()))
        }
        _ => Some(Err(ApiError::bad(
            "Authorization",
            "use the form `Bearer <token>`",
        ))),
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let addr = ClientAddress::of(&parts.headers, &parts.extensions, &state.config.limits);
        let user = if let Some(token) = bearer(parts) {
            let token = token?;
            sign_in::check_credentials(state, &addr)
                .await
                .map_err(ApiError::Refused)?;
            state.app.store.token_user(token).await?
        } else if let Some(secret) = cookie(parts, SESSION_COOKIE) {
            sign_in::check_credentials(state, &addr)
                .await
                .map_err(ApiError::Refused)?;
            state.app.store.session_user(secret, state.now()).await?
        } else {
            return Err(ApiError::Unauthorized);
        };
        match user {
            Some(user) => Ok(Member(user, addr)),
            None => {
                sign_in::credentials_failed(state, &addr).await;
                Err(ApiError::Unauthorized)
            }
        }
    }
}

/// The `Set-Cookie` value that starts (or, with an empty secret, ends) a session.
pub fn session_cookie(secret: &str, max_age_seconds: i64, secure: bool) -> String {
    set_cookie(SESSION_COOKIE, secret, "/", max_age_seconds, secure)
}

/// A `Set-Cookie` value as every cookie of this server is set: HttpOnly, SameSite=Lax, Secure
/// when the server is reached over HTTPS.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_seconds: i64,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    )
}

/// The client's address as an extractor (never refuses).
pub struct ConnectedFrom(pub ClientAddress);

impl axum::extract::FromRequestParts<AppState> for ConnectedFrom {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ConnectedFrom(ClientAddress::of(
            &parts.headers,
            &parts.extensions,
            &state.config.limits,
        )))
    }
}
