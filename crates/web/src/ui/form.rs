//! Form input: urlencoded or multipart bodies read into one shape, the CSRF check, field parsing
//! with field-level errors, and what a refused form shows when it is rendered again.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use finishline_core::gates::GateReport;
use finishline_core::DomainError;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::ui::layout;

/// An uploaded file of a multipart form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub name: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The fields of a submitted form, in order, and its files.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl FormData {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    pub fn has(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files
            .iter()
            .find(|f| f.field == field && !f.body.is_empty())
    }

    /// The values to show again when the form is refused (never the CSRF token or passwords).
    pub fn values(&self) -> HashMap<String, String> {
        self.fields
            .iter()
            .filter(|(k, _)| k != "csrf" && !k.contains("password"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Refuses the request unless the form carries the token of this session.
    pub fn check_csrf(&self, expected: &str) -> Result<(), Response> {
        let sent = self.get("csrf");
        if !sent.is_empty()
            && crate::secrets::constant_time_eq(sent.as_bytes(), expected.as_bytes())
        {
            Ok(())
        } else {
            Err(layout::error_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this session (its security token is missing or old). Go back, reload the page and send it again.",
            ))
        }
    }
}

/// The CSRF token of a session: derived from the session's secret (which lives in an HttpOnly
/// cookie), so another site can neither read nor forge it.
pub fn csrf_token(session_secret: &str) -> String {
    let digest = Sha256::digest(format!("finishline-csrf:{session_secret}").as_bytes());
    hex::encode(&digest[..16])
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bad = |msg: String| layout::error_page(StatusCode::BAD_REQUEST, "Bad form", &msg);
        if content_type.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| bad(e.body_text()))?;
            let mut out = FormData::default();
            loop {
                let field = match mp.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        let status = e.status();
                        return Err(layout::error_page(
                            status,
                            "The form could not be read",
                            &format!("{} (files may be at most the upload limit)", e.body_text()),
                        ));
                    }
                };
                let name = field.name().unwrap_or("").to_string();
                match field.file_name().map(str::to_string) {
                    Some(file_name) => {
                        let content_type = field
                            .content_type()
                            .unwrap_or("application/octet-stream")
                            .to_string();
                        // A file over the limit is answered by `explain_too_large`.
                        let body = field.bytes().await.map_err(|e| {
                            layout::error_page(
                                e.status(),
                                "The file could not be read",
                                &e.body_text(),
                            )
                        })?;
                        out.files.push(Upload {
                            field: name,
                            name: file_name,
                            content_type,
                            body: body.to_vec(),
                        });
                    }
                    None => {
                        let text = field.text().await.map_err(|e| bad(e.body_text()))?;
                        out.fields.push((name, text));
                    }
                }
            }
            Ok(out)
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| layout::error_page(e.status(), "Bad form", &e.body_text()))?;
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| bad(format!("the form could not be read: {e}")))?;
            Ok(FormData {
                fields,
                files: Vec::new(),
            })
        } else {
            Err(layout::error_page(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Not a form",
                "send the form as application/x-www-form-urlencoded or multipart/form-data",
            ))
        }
    }
}

/// What a refused form shows when its page is rendered again.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// Which form instance (its `_form` field) the errors belong to.
    pub form: String,
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
    pub message: Option<String>,
    pub gate: Option<GateReport>,
    /// The rule that refused it (`R5`), shown after the words on the vendor's pages only.
    pub rule: Option<&'static str>,
}

impl FormState {
    pub fn new(form: &FormData) -> Self {
        FormState {
            form: form.get("_form").to_string(),
            values: form.values(),
            ..FormState::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.message.is_none() && self.gate.is_none()
    }

    pub fn field(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_string(), message.into()));
    }

    /// Turns a refusal of the core or the service into what the form shows.
    pub fn refused(mut self, e: impl Into<ApiError>) -> Result<Self, ApiError> {
        match e.into() {
            ApiError::Domain(d) => match d {
                DomainError::Invalid { field, message } => {
                    let field = field.strip_prefix("proof.").unwrap_or(&field).to_string();
                    self.message = Some(format!("{field}: {message}"));
                    self.errors.push((field, message));
                }
                DomainError::Rule { rule, message } => {
                    self.message = Some(format!("{}: {message}", rule_name(rule.as_str())));
                    self.rule = Some(rule.as_str());
                }
                DomainError::GateNotReady { report } => {
                    self.message = Some(format!(
                        "{} is not ready: every failing item is listed below with what would make it pass.",
                        gate_name(report.gate)
                    ));
                    self.gate = Some(report);
                }
                DomainError::WrongStage { message } => self.message = Some(message),
                DomainError::NotFound { what } => {
                    self.message = Some(format!("{what} was not found in this project"));
                }
            },
            ApiError::BadRequest { detail, errors } | ApiError::Invalid { detail, errors } => {
                self.message = Some(detail);
                for e in errors {
                    self.errors.push((e.field, e.message));
                }
            }
            ApiError::Conflict(m) | ApiError::Forbidden(m) | ApiError::NotFound(m) => {
                self.message = Some(m);
            }
            other => return Err(other),
        }
        Ok(self)
    }
}

impl FormState {
    /// For a vendor's page: the rule's code after its name ("Proof (R5): …"); customers see the
    /// words only.
    #[must_use]
    pub fn with_codes(mut self) -> Self {
        if let (Some(rule), Some(m)) = (self.rule, self.message.as_mut()) {
            let name = rule_name(rule);
            if let Some(rest) = m.strip_prefix(&format!("{name}: ")) {
                *m = format!("{name} ({rule}): {rest}");
            }
        }
        if let Some(g) = &self.gate {
            let name = gate_name(g.gate);
            if let Some(m) = self.message.as_mut() {
                if let Some(rest) = m.strip_prefix(name) {
                    *m = format!("{name} ({}){rest}", gate_code(g.gate));
                }
            }
        }
        self
    }
}

/// A rule of the product brief in words (`R5` → "Proof").
pub fn rule_name(rule: &str) -> &'static str {
    match rule {
        "R1" => "One owner",
        "R2" => "Finish line",
        "R3" => "Not-included note",
        "R4" => "Change control",
        "R5" => "Proof",
        "R6" => "Specific blockers",
        "R7" => "Ball in court",
        "R8" => "Re-baseline",
        "R9" => "Nudges and escalation",
        "R10" => "Status update",
        "R11" => "Done is value, not go-live",
        "R12" => "Scorecard",
        "R13" => "Retrospective",
        "R14" => "Training",
        _ => "A rule",
    }
}

/// A gate in words ("Kickoff readiness").
pub fn gate_name(g: finishline_core::gates::Gate) -> &'static str {
    match g {
        finishline_core::gates::Gate::KickoffReadiness => "Kickoff readiness",
        finishline_core::gates::Gate::GoLiveReadiness => "Go-live readiness",
    }
}

/// A gate's code (`G1`), shown after its name to vendors.
pub fn gate_code(g: finishline_core::gates::Gate) -> &'static str {
    match g {
        finishline_core::gates::Gate::KickoffReadiness => "G1",
        finishline_core::gates::Gate::GoLiveReadiness => "G2",
    }
}

/// A gate for vendors: "Kickoff readiness (G1)".
pub fn gate_title(g: finishline_core::gates::Gate) -> String {
    format!("{} ({})", gate_name(g), gate_code(g))
}

/// Collects field errors while a form is parsed.
#[derive(Debug, Default)]
pub struct Parse {
    pub errors: Vec<(String, String)>,
}

impl Parse {
    pub fn text(&mut self, f: &FormData, name: &str, label: &str) -> String {
        let v = f.get(name);
        if v.is_empty() {
            self.errors
                .push((name.to_string(), format!("{label} is required")));
        }
        v.to_string()
    }

    pub fn id(&mut self, f: &FormData, name: &str, label: &str) -> u32 {
        let v = f.get(name);
        match v.parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                self.errors.push((
                    name.to_string(),
                    if v.is_empty() {
                        format!("choose the {label}")
                    } else {
                        format!("{v:?} is not a valid {label}")
                    },
                ));
                0
            }
        }
    }

    pub fn date(&mut self, f: &FormData, name: &str, label: &str) -> Option<NaiveDate> {
        let v = f.get(name);
        if v.is_empty() {
            self.errors
                .push((name.to_string(), format!("{label} is required")));
            return None;
        }
        self.opt_date(f, name, label)
    }

    pub fn opt_date(&mut self, f: &FormData, name: &str, label: &str) -> Option<NaiveDate> {
        let v = f.get(name);
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.errors.push((
                    name.to_string(),
                    format!("{label}: {v:?} is not a date (use YYYY-MM-DD)"),
                ));
                None
            }
        }
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A page answer with its status: 200, or 422 when a form was refused.
pub fn page_status(state: &FormState) -> StatusCode {
    if state.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Answers a form that was too large (a file over the upload limit, whoever refused it: an
/// extractor or the body limit) with a page saying what the limit is and where to go back to,
/// instead of the plain-text rejection. Only the pages' routes carry this layer; the API keeps
/// its problem+json answers.
pub async fn explain_too_large(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let back = back_from(req.uri().path());
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let limit = state.config.max_upload_bytes;
    let limit = if limit >= 1024 * 1024 && limit % (1024 * 1024) == 0 {
        format!("{} MB", limit / (1024 * 1024))
    } else {
        format!("{} KB", limit.div_ceil(1024))
    };
    html(
        StatusCode::PAYLOAD_TOO_LARGE,
        layout::bare(
            "Too large to send",
            maud::html! {
                main class="login" id="main" {
                    h1 { "Too large to send" }
                    p { "What was sent is over the upload limit: a file may be at most " strong { (limit) } ". Nothing was saved." }
                    p { "Send a smaller file (compress it, or split it), or share a link to it instead." }
                    p { a class="button" href=(back) { "Back to the form" } }
                }
            },
        ),
    )
}

/// The page a form posted to `path` was on: the project for its actions, the portal for the
/// portal's, the section's page otherwise.
fn back_from(path: &str) -> String {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["projects", id, "data", ..] if !id.is_empty() => format!("/projects/{id}/data"),
        ["projects", id, ..] if !id.is_empty() => format!("/projects/{id}"),
        ["portal", "data", ..] => "/portal/data".into(),
        ["portal", ..] => "/portal".into(),
        ["playbooks", key, ..] if !key.is_empty() => format!("/playbooks/{key}"),
        ["settings", ..] => "/settings".into(),
        ["handoff", ..] => "/handoff".into(),
        _ => "/".into(),
    }
}

pub fn html(status: StatusCode, markup: maud::Markup) -> Response {
    let mut res = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response();
    if status.is_client_error() {
        // A refused form is shown where it was sent from: htmx keeps the page's URL.
        res.headers_mut()
            .insert("hx-push-url", header::HeaderValue::from_static("false"));
    }
    res
}

/// The cookie that carries a confirmation across the redirect after a form.
pub const FLASH_COOKIE: &str = "fl_flash";

/// How long a confirmation waits for the page after the redirect.
const FLASH_SECONDS: i64 = 120;

/// A confirmation shown once on the page a form redirects to, in the section it came from.
///
/// It travels in a cookie that is signed with a server secret and bound to the member's session
/// (the MAC covers the session's CSRF token), scoped to the page's path, HttpOnly, SameSite=Strict
/// and short-lived; the page that shows it clears it. So a reload shows the page without it, a
/// one-time secret (an invitation link) is never in a URL, and nobody else can plant one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// The id of the section (anchor) it is shown in.
    pub at: String,
    pub text: String,
    /// A secret shown once to copy (an invitation link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// Something the member must know (no mail server): shown in the warning colour.
    #[serde(default)]
    pub warn: Option<String>,
    /// Expiry, Unix seconds.
    exp: i64,
}

impl Flash {
    pub fn new(at: &str, text: impl Into<String>) -> Self {
        Flash {
            at: at.to_string(),
            text: text.into(),
            copy: None,
            warn: None,
            exp: 0,
        }
    }

    /// The confirmation as the page shows it: focusable, so the page can move to it.
    pub fn markup(&self) -> maud::Markup {
        maud::html! {
            div class="flash" id="flash" role="status" tabindex="-1" data-reveal {
                p { span class="tick" aria-hidden="true" { "✓ " } (self.text) }
                @if let Some(w) = &self.warn { p class="flash-warn" { (w) } }
                @if let Some(link) = &self.copy {
                    label for="invite-link" { "Copy it now, it is shown only once:" }
                    input id="invite-link" class="secret" type="text" readonly value=(link);
                }
            }
        }
    }
}

type FlashMac = hmac::Hmac<Sha256>;

async fn flash_key(state: &crate::state::AppState) -> Result<Vec<u8>, ApiError> {
    let hexed = state
        .app
        .store
        .server_secret("flash_signing_key", || {
            use rand::RngCore as _;
            let mut k = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut k);
            hex::encode(k)
        })
        .await?;
    hex::decode(hexed).map_err(|e| ApiError::Internal(format!("flash key unreadable: {e}")))
}

fn flash_mac(key: &[u8], session: &str, json: &[u8]) -> Result<FlashMac, ApiError> {
    use hmac::Mac as _;
    let mut m = <FlashMac as hmac::Mac>::new_from_slice(key)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    m.update(session.as_bytes());
    m.update(b"\n");
    m.update(json);
    Ok(m)
}

/// A 303 to `path#at` carrying `flash` for the session whose CSRF token is `session`.
pub async fn redirect_with_flash(
    state: &crate::state::AppState,
    session: &str,
    path: &str,
    mut flash: Flash,
) -> Response {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::Mac as _;
    let to = format!("{path}#{}", flash.at);
    flash.exp = state.now().timestamp() + FLASH_SECONDS;
    let signed = async {
        let key = flash_key(state).await?;
        let json = serde_json::to_vec(&flash).map_err(|e| ApiError::Internal(e.to_string()))?;
        let sig = flash_mac(&key, session, &json)?.finalize().into_bytes();
        Ok::<_, ApiError>(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(sig)
        ))
    }
    .await;
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    match signed {
        Ok(v) => {
            let secure = if state.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{FLASH_COOKIE}={v}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={FLASH_SECONDS}{secure}"
            );
            if let Ok(h) = header::HeaderValue::from_str(&cookie) {
                res.headers_mut().append(header::SET_COOKIE, h);
            }
        }
        // The change is made: without its confirmation the page is still right.
        Err(e) => tracing::warn!(error = %e, "confirmation not carried"),
    }
    res
}

/// The confirmation waiting for this session on this page, if any (genuine and fresh).
pub async fn take_flash(
    state: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
    session: &str,
) -> Option<Flash> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::Mac as _;
    let raw = crate::ui::session::cookie_from_headers(headers, FLASH_COOKIE)?;
    let (body, sig) = raw.split_once('.')?;
    let json = URL_SAFE_NO_PAD.decode(body).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    let key = flash_key(state).await.ok()?;
    flash_mac(&key, session, &json)
        .ok()?
        .verify_slice(&sig)
        .ok()?;
    let flash: Flash = serde_json::from_slice(&json).ok()?;
    (flash.exp >= state.now().timestamp()).then_some(flash)
}

/// Clears the confirmation cookie of the page at `path` (sent with the page that showed it).
pub fn clear_flash(res: &mut Response, path: &str, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{FLASH_COOKIE}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    if let Ok(h) = header::HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
}
