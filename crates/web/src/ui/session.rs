//! Who is looking at a page: a vendor member (the `fl_session` cookie, the same database session
//! as the API) or a customer in the portal (the `fl_portal` cookie). Signing in and out.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use finishline_store::credentials::new_secret;
use finishline_store::{By, PortalSession, User, UserRole};
use maud::html;
use serde::Deserialize;

use crate::auth::sign_in::{self, SignInError};
use crate::auth::ConnectedFrom;
use crate::auth::{cookie, session_cookie, SESSION_COOKIE};
use crate::state::AppState;
use crate::throttle::ClientAddress;
use crate::ui::form::{csrf_token, html as html_response, FormData, FormState};
use crate::ui::layout;

pub const PORTAL_COOKIE: &str = "fl_portal";
/// The CSRF secret of a visitor who has no session yet (the login and join forms).
pub const PRE_SESSION_COOKIE: &str = "fl_csrf";

/// A signed-in vendor member, and the CSRF token of their session.
#[derive(Debug, Clone)]
pub struct Vendor {
    pub user: User,
    pub csrf: String,
    /// Where the request came from, for the audit trail.
    pub address: ClientAddress,
}

impl Vendor {
    pub fn workspace(&self) -> &str {
        &self.user.workspace_id
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == UserRole::Admin
    }

    /// This member as the audit trail names who made a change.
    pub fn by(&self, state: &AppState) -> By {
        By::new(self.user.email.clone(), self.address.audit(), state.now())
    }
}

fn to_login(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let target = if parts.method == axum::http::Method::GET && next != "/" {
        format!("/login?next={}", urlencode(&next))
    } else {
        "/login".to_string()
    };
    Redirect::to(&target).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Vendor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(secret) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_login(parts));
        };
        let addr = ClientAddress::of(&parts.headers, &parts.extensions, &state.config.limits);
        if let Err(r) = sign_in::check_credentials(state, &addr).await {
            return Err(layout::refusal_page(&r));
        }
        match state.app.store.session_user(secret, state.now()).await {
            Ok(Some(user)) => Ok(Vendor {
                user,
                csrf: csrf_token(secret),
                address: addr,
            }),
            Ok(None) => {
                sign_in::credentials_failed(state, &addr).await;
                Err(to_login(parts))
            }
            Err(e) => Err(layout::internal(&e.to_string())),
        }
    }
}

/// A customer in the portal: one workspace, one project, one person.
#[derive(Debug, Clone)]
pub struct Customer {
    pub session: PortalSession,
    pub csrf: String,
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let expired = || {
            layout::portal_message(
                StatusCode::UNAUTHORIZED,
                "Your portal link is not active",
                "Open the invitation link you were sent. A link works once and expires; if it was already used or has expired, ask your implementation contact for a new one.",
            )
        };
        let Some(secret) = cookie(parts, PORTAL_COOKIE) else {
            return Err(expired());
        };
        let addr = ClientAddress::of(&parts.headers, &parts.extensions, &state.config.limits);
        if let Err(r) = sign_in::check_credentials(state, &addr).await {
            return Err(layout::refusal_page(&r));
        }
        match state.app.store.portal_session(secret, state.now()).await {
            Ok(Some(session)) => Ok(Customer {
                session,
                csrf: csrf_token(secret),
            }),
            Ok(None) => {
                sign_in::credentials_failed(state, &addr).await;
                Err(expired())
            }
            Err(e) => Err(layout::internal(&e.to_string())),
        }
    }
}

/// The CSRF token of a visitor without a session, and the cookie to set when they have none yet.
pub fn pre_session_csrf(parts_cookie: Option<&str>, secure: bool) -> (String, Option<String>) {
    match parts_cookie {
        Some(secret) if secret.len() >= 32 => (csrf_token(secret), None),
        _ => {
            let secret = new_secret("fl_pre");
            let secure = if secure { "; Secure" } else { "" };
            (
                csrf_token(&secret),
                Some(format!(
                    "{PRE_SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400{secure}"
                )),
            )
        }
    }
}

pub fn portal_cookie(secret: &str, max_age_seconds: i64, secure: bool) -> String {
    crate::auth::set_cookie(PORTAL_COOKIE, secret, "/", max_age_seconds, secure)
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub next: Option<String>,
}

/// Only a path of this site is a place to go back to after signing in.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// The SSO page, carrying where to go back to.
pub fn sso_href(next: &str) -> String {
    if next == "/" {
        "/login/sso".to_string()
    } else {
        format!("/login/sso?next={}", urlencode(next))
    }
}

fn login_markup(csrf: &str, next: &str, st: &FormState) -> maud::Markup {
    let f = layout::Fields::new(Some(st), "login");
    layout::bare(
        "Sign in",
        html! {
            main class="login" id="main" {
                h1 { "Finishline" }
                p class="muted" { "From signed contract to a customer getting value." }
                form method="post" action="/login" class="card" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="_form" value="login";
                    input type="hidden" name="next" value=(next);
                    (f.message())
                    (f.input("email", "Email", "email", "", true))
                    (f.input("password", "Password", "password", "", true))
                    button type="submit" { "Sign in" }
                }
                p { a class="button secondary" href=(sso_href(next)) { "Sign in with SSO" } }
            }
        },
    )
}

pub async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    req: axum::extract::Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let (csrf, set) = pre_session_csrf(
        cookie(&parts, PRE_SESSION_COOKIE),
        state.config.secure_cookies,
    );
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let mut res = html_response(
        StatusCode::OK,
        login_markup(&csrf, &next, &FormState::default()),
    );
    if let Some(c) = set {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

pub async fn login(
    State(state): State<AppState>,
    ConnectedFrom(addr): ConnectedFrom,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Response {
    let pre = cookie_from_headers(&headers, PRE_SESSION_COOKIE);
    let csrf = pre.map(csrf_token).unwrap_or_default();
    if csrf.is_empty() {
        return Redirect::to("/login").into_response();
    }
    if let Err(r) = form.check_csrf(&csrf) {
        return r;
    }
    let next = safe_next(form.get("next"));
    let mut st = FormState::new(&form);
    st.form = "login".into();
    let email = form.get("email").to_string();
    let password = form
        .fields
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if email.is_empty() {
        st.field("email", "enter your email address");
    }
    if password.is_empty() {
        st.field("password", "enter your password");
    }
    if !st.errors.is_empty() {
        st.message = Some("Fill in both fields.".into());
        return html_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            login_markup(&csrf, &next, &st),
        );
    }
    let user = match sign_in::sign_in(&state, &addr, &email, password).await {
        Ok(u) => u,
        Err(SignInError::Wrong) => {
            st.message = Some("The email or the password is wrong.".into());
            st.field("password", "check the password (it is case-sensitive)");
            return html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                login_markup(&csrf, &next, &st),
            );
        }
        Err(SignInError::SsoRequired) => {
            st.message = Some(
                "This workspace signs in with single sign-on: use Sign in with SSO below. Only its break-glass admin may use a password."
                    .into(),
            );
            return html_response(StatusCode::FORBIDDEN, login_markup(&csrf, &next, &st));
        }
        Err(SignInError::Refused(r)) => {
            // The form again, with how long to wait.
            st.message = Some(r.detail.clone());
            return r.with_retry_after(html_response(r.status, login_markup(&csrf, &next, &st)));
        }
        Err(SignInError::Internal(e)) => return layout::internal(&e),
    };
    let secret = match state
        .app
        .store
        .create_session(&user, state.now(), state.config.session_ttl)
        .await
    {
        Ok(s) => s,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let c = session_cookie(
        &secret,
        state.config.session_ttl.num_seconds(),
        state.config.secure_cookies,
    );
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, c), (header::LOCATION, next)],
    )
        .into_response()
}

/// A page for a visitor without a session that holds a form (the portal's join, a rating link's
/// page): sent with no referrer (its address holds a secret) and the pre-session cookie when
/// `pre_session_csrf` made a new one.
pub fn no_session_form_page(markup: maud::Markup, set_cookie: Option<String>) -> Response {
    let mut res = html_response(StatusCode::OK, markup);
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = set_cookie.and_then(|c| c.parse().ok()) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The pre-session secret of a form sent by a visitor without a session (the portal's join, a
/// rating link's page) once its CSRF token matches it, or the page saying why not; `again` names
/// the link to open again when the browser kept no cookie.
pub fn checked_pre_session<'a>(
    headers: &'a axum::http::HeaderMap,
    form: &FormData,
    again: &str,
) -> Result<&'a str, Response> {
    let Some(pre) = cookie_from_headers(headers, PRE_SESSION_COOKIE) else {
        return Err(layout::portal_message(
            StatusCode::FORBIDDEN,
            "Open the link again",
            &format!("Your browser did not keep the page's security cookie. Open {again} again."),
        ));
    };
    form.check_csrf(&csrf_token(pre))?;
    Ok(pre)
}

pub fn cookie_from_headers<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Response {
    if let Some(secret) = cookie_from_headers(&headers, SESSION_COOKIE) {
        if let Err(r) = form.check_csrf(&csrf_token(secret)) {
            return r;
        }
        if let Err(e) = state.app.store.delete_session(secret).await {
            return layout::internal(&e.to_string());
        }
    }
    let clear = session_cookie("", 0, state.config.secure_cookies);
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, clear),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}

/// The layer of the portal's invitation links: a locked-out address is told on a page.
pub async fn guard_invitation_links(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    crate::auth::links::guard(&state, req, next, "portal invitation", |r| {
        layout::refusal_page(&r)
    })
    .await
}
