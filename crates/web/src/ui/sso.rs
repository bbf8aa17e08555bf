//! "Sign in with SSO": the email step (`/login/sso`), the trip to the workspace's provider and
//! the way back (`/login/sso/callback`).
//!
//! The email says the workspace: its member's, or the one that claims its domain (a domain
//! belongs to one workspace of the server). Whatever the email, a workspace without SSO gets
//! the same answer, so the page tells nothing about who is a member. The state sent to the
//! provider is also set as a cookie (`fl_sso`, on `/login/sso` only) and must come back with
//! the browser that left: a callback link opened elsewhere, or used twice, is refused.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_store::{By, SsoOutcome};
use maud::html;
use serde::Deserialize;

use crate::auth::sign_in;
use crate::auth::sso::{self, SsoError};
use crate::auth::{session_cookie, ConnectedFrom};
use crate::state::AppState;
use crate::throttle::ClientAddress;
use crate::ui::form::{csrf_token, html as html_response, FormData, FormState};
use crate::ui::layout;
use crate::ui::session::{
    cookie_from_headers, pre_session_csrf, safe_next, LoginQuery, PRE_SESSION_COOKIE,
};

/// The cookie that binds a sign-in at the provider to the browser that started it.
pub const SSO_COOKIE: &str = "fl_sso";

fn sso_cookie(value: &str, max_age: i64, secure: bool) -> String {
    crate::auth::set_cookie(SSO_COOKIE, value, "/login/sso", max_age, secure)
}

fn email_markup(csrf: &str, next: &str, st: &FormState) -> maud::Markup {
    let f = layout::Fields::new(Some(st), "sso");
    layout::bare(
        "Sign in with SSO",
        html! {
            main class="login" id="main" {
                h1 { "Sign in with SSO" }
                p class="muted" { "Your work email tells us which company's sign-in to send you to." }
                form method="post" action="/login/sso" class="card" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="_form" value="sso";
                    input type="hidden" name="next" value=(next);
                    (f.message())
                    (f.input("email", "Work email", "email", "", true))
                    button type="submit" { "Continue" }
                }
                p { a href="/login" { "Sign in with a password instead" } }
            }
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let (csrf, set) = pre_session_csrf(
        cookie_from_headers(&headers, PRE_SESSION_COOKIE),
        state.config.secure_cookies,
    );
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let mut res = html_response(
        StatusCode::OK,
        email_markup(&csrf, &next, &FormState::default()),
    );
    if let Some(c) = set.and_then(|c| c.parse().ok()) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The email step: finds the workspace and sends the browser to its provider.
pub async fn start(
    State(state): State<AppState>,
    ConnectedFrom(addr): ConnectedFrom,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    // A locked-out address starts nothing: each start costs calls to a provider and a row.
    if let Err(r) = sign_in::check_sso(&state, &addr).await {
        return layout::refusal_page(&r);
    }
    let Some(pre) = cookie_from_headers(&headers, PRE_SESSION_COOKIE) else {
        return axum::response::Redirect::to("/login/sso").into_response();
    };
    let csrf = csrf_token(pre);
    if let Err(r) = form.check_csrf(&csrf) {
        return r;
    }
    let next = safe_next(form.get("next"));
    let mut st = FormState::new(&form);
    st.form = "sso".into();
    let email = form.get("email").to_lowercase();
    if !finishline_core::people::valid_email(&email) {
        st.field("email", "enter your work email, e.g. ana@example.com");
        st.message = Some("An email address is needed to find your company's sign-in.".into());
        return html_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            email_markup(&csrf, &next, &st),
        );
    }
    let settings = match state.app.store.sso_for_email(&email).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            st.field("email", "no single sign-on is set up for this address");
            st.message = Some(format!(
                "No single sign-on is set up for {email}. Sign in with your password, or ask your workspace admin."
            ));
            return html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                email_markup(&csrf, &next, &st),
            );
        }
        Err(e) => return layout::internal(&e.to_string()),
    };
    match sso::begin(&state, &settings, Some(&email), &next).await {
        Ok(started) => {
            let cookie = sso_cookie(
                &started.state,
                sso::ATTEMPT_MINUTES * 60,
                state.config.secure_cookies,
            );
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (header::LOCATION, started.authorize_url),
                ],
            )
                .into_response()
        }
        Err(e) => provider_down(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The way back from the provider.
pub async fn callback(
    State(state): State<AppState>,
    ConnectedFrom(addr): ConnectedFrom,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Response {
    if let Err(r) = sign_in::check_sso(&state, &addr).await {
        return layout::refusal_page(&r);
    }
    let clear = sso_cookie("", 0, state.config.secure_cookies);
    let mut res = match come_back(&state, &addr, &headers, &q).await {
        Ok(res) => res,
        Err(e) => refused_page(&e),
    };
    if let Ok(v) = clear.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn come_back(
    state: &AppState,
    addr: &ClientAddress,
    headers: &HeaderMap,
    q: &Callback,
) -> Result<Response, SsoError> {
    let refuse = |reason: &'static str, message: &str| SsoError::Refused {
        reason,
        message: message.to_string(),
    };
    let Some(sent_state) = q.state.as_deref().filter(|s| !s.is_empty()) else {
        let e = refuse("no state", "The provider sent the browser back without the sign-in's state: start again from Sign in with SSO.");
        sign_in::sso_refused(state, None, "anonymous", e.reason(), addr, true).await;
        return Err(e);
    };
    if cookie_from_headers(headers, SSO_COOKIE) != Some(sent_state) {
        let e = refuse("state not this browser's", "This sign-in was started in another browser or has timed out: start again from Sign in with SSO here.");
        sign_in::sso_refused(state, None, "anonymous", e.reason(), addr, true).await;
        return Err(e);
    }
    let attempt = match state.app.store.take_sso_attempt(sent_state).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            let e = refuse("state unknown or used", "This sign-in was already used or is unknown: each sign-in works once. Start again from Sign in with SSO.");
            sign_in::sso_refused(state, None, "anonymous", e.reason(), addr, true).await;
            return Err(e);
        }
        Err(e) => return Ok(layout::internal(&e.to_string())),
    };
    let ws = Some(attempt.workspace_id.as_str());
    if !sso::attempt_live(&attempt, state.now()) {
        let e = refuse(
            "state expired",
            &format!(
                "This sign-in took longer than {} minutes at the provider: start again.",
                sso::ATTEMPT_MINUTES
            ),
        );
        sign_in::sso_refused(state, ws, "anonymous", e.reason(), addr, false).await;
        return Err(e);
    }
    if let Some(error) = &q.error {
        let said = q.error_description.as_deref().unwrap_or("no reason given");
        let e = SsoError::Refused {
            reason: "provider refused",
            message: format!("The provider did not sign you in ({error}: {said})."),
        };
        sign_in::sso_refused(state, ws, "anonymous", e.reason(), addr, false).await;
        return Err(e);
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        let e = refuse(
            "no code",
            "The provider sent the browser back without a code: start again.",
        );
        sign_in::sso_refused(state, ws, "anonymous", e.reason(), addr, true).await;
        return Err(e);
    };
    let settings = match state.app.store.sso_settings(&attempt.workspace_id).await {
        Ok(Some(s)) if s.enabled => s,
        Ok(_) => {
            let e = refuse(
                "sso turned off",
                "Single sign-on was turned off for this workspace while you were at the provider.",
            );
            sign_in::sso_refused(state, ws, "anonymous", e.reason(), addr, false).await;
            return Err(e);
        }
        Err(e) => return Ok(layout::internal(&e.to_string())),
    };
    let identity = match sso::finish(state, &settings, &attempt, code).await {
        Ok(i) => i,
        Err(e) => {
            let counts = matches!(e, SsoError::Refused { .. });
            sign_in::sso_refused(state, ws, "anonymous", e.reason(), addr, counts).await;
            return Err(e);
        }
    };
    let by = By::new(identity.email.clone(), addr.audit(), state.now());
    let outcome = state
        .app
        .store
        .sso_sign_in(
            &settings,
            &identity.email,
            &identity.name,
            &identity.subject,
            &by,
        )
        .await;
    let user = match outcome {
        Ok(SsoOutcome::SignedIn(u) | SsoOutcome::Joined(u)) => u,
        Ok(SsoOutcome::DomainNotAllowed(domain)) => {
            return Err(refuse("domain not allowed", &format!(
                "{} is not a member of this workspace, and people from {domain} do not join it on their own: ask a workspace admin to add you or to allow {domain}.",
                identity.email
            )));
        }
        Ok(SsoOutcome::OtherWorkspace) => {
            return Err(refuse(
                "member of another workspace",
                &format!(
                    "{} belongs to another workspace of this server: sign in there.",
                    identity.email
                ),
            ));
        }
        Err(e) => return Ok(layout::internal(&e.to_string())),
    };
    let secret = match state
        .app
        .store
        .create_session(&user, state.now(), state.config.session_ttl)
        .await
    {
        Ok(s) => s,
        Err(e) => return Ok(layout::internal(&e.to_string())),
    };
    let c = session_cookie(
        &secret,
        state.config.session_ttl.num_seconds(),
        state.config.secure_cookies,
    );
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, c),
            (header::LOCATION, safe_next(&attempt.next_path)),
        ],
    )
        .into_response())
}

/// A refusal as a page: what happened and how to go on.
fn refused_page(e: &SsoError) -> Response {
    match e {
        SsoError::ProviderDown(_) => provider_down(e),
        SsoError::Refused { .. } => {
            sso_message(StatusCode::FORBIDDEN, "Sign-in refused", e.message())
        }
    }
}

/// The provider cannot be used now: 502, with what failed (the issuer and why, never a body
/// the provider sent) and the way around it.
fn provider_down(e: &SsoError) -> Response {
    tracing::warn!(sso.error = e.message(), "SSO provider unavailable");
    sso_message(
        StatusCode::BAD_GATEWAY,
        "Your company's sign-in is not answering",
        e.message(),
    )
}

fn sso_message(status: StatusCode, title: &str, detail: &str) -> Response {
    html_response(
        status,
        layout::bare(
            title,
            html! {
                main class="login" id="main" {
                    h1 { (title) }
                    p role="alert" { (detail) }
                    p { a class="button" href="/login/sso" { "Start again" } }
                    p { a href="/login" { "Sign in with a password" } " (when your workspace allows it)" }
                }
            },
        ),
    )
}
