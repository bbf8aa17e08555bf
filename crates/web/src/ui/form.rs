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
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
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

/// Compares secrets without an early exit, so timing does not tell how much matched.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    pub fn refused(mut self, e: ApiError) -> Result<Self, ApiError> {
        match e {
            ApiError::Domain(d) => match d {
                DomainError::Invalid { field, message } => {
                    let field = field.strip_prefix("proof.").unwrap_or(&field).to_string();
                    self.message = Some(format!("{field}: {message}"));
                    self.errors.push((field, message));
                }
                DomainError::Rule { rule, message } => {
                    self.message = Some(format!("{rule}: {message}"));
                }
                DomainError::GateNotReady { report } => {
                    self.message = Some(format!(
                        "{} is not ready: every failing item is listed below with what would make it pass.",
                        report.gate.title()
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
