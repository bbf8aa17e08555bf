//! Errors as `application/problem+json` (RFC 9457): what is wrong and where, never a stack
//! trace. Store failures are logged in full and answered with a bare 500.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_app::AppError;
use finishline_core::gates::GateReport;
use finishline_core::DomainError;
use finishline_store::StoreError;
use serde::Serialize;

/// One problem with one part of the input.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Where: a JSON path such as `handoff.contract_date`, or `body`, a header or a parameter name.
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem, such as `urn:finishline:problem:invalid-input`.
    #[serde(rename = "type")]
    #[schema(format = "uri", example = "urn:finishline:problem:invalid-input")]
    pub kind: String,
    pub title: String,
    /// The HTTP status of the answer.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    pub detail: String,
    /// One entry per bad value, when the problem is with the input (absent otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The rule that refused the change, if one did: `R1`…`R14`, or one the brief does not
    /// number (`plan approval`, `dependencies`, `adoption stall`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The gate report, when a gate refused the change: every item with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateReport>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed input holding a value that does not fit: a wrong type, an unknown field, a
    /// file id that is not the project's. Answered 422 with where the value is.
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("sign in first: send a bearer token or a session cookie")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("internal error")]
    Internal(String),
    /// Locked out or too busy: 429 or 503 with `Retry-After` (see `throttle`).
    #[error("{0}")]
    Refused(crate::throttle::Refusal),
}

impl ApiError {
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field, message }],
        }
    }

    /// A bad value in well-formed input (422), naming where it is.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::Invalid {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field, message }],
        }
    }

    /// Says what the input was about before the detail (`Opportunity 006…: customer: missing`).
    pub fn context(self, about: &str) -> Self {
        match self {
            ApiError::BadRequest { detail, errors } => ApiError::BadRequest {
                detail: format!("{about}: {detail}"),
                errors,
            },
            ApiError::Invalid { detail, errors } => ApiError::Invalid {
                detail: format!("{about}: {detail}"),
                errors,
            },
            other => other,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound(what.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => ApiError::Conflict(e.to_string()),
            StoreError::Duplicate(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The application's failures in HTTP terms: each keeps its field, its rule or its queue.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::BadInput { field, message } => ApiError::bad(field, message),
            AppError::Invalid { field, message } => ApiError::invalid(field, message),
            AppError::NotFound(what) => ApiError::NotFound(what),
            AppError::Forbidden(why) => ApiError::Forbidden(why),
            AppError::Conflict(why) => ApiError::Conflict(why),
            AppError::ImportsBusy(full) => {
                ApiError::Refused(crate::throttle::Refusal::imports_busy(full))
            }
            AppError::Domain(d) => ApiError::Domain(d),
            AppError::Store(s) => s.into(),
            AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

fn problem(status: StatusCode, slug: &str, title: &str, detail: String) -> Problem {
    Problem {
        kind: format!("urn:finishline:problem:{slug}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        rule: None,
        gate: None,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Refused(r) = self {
            return r.into_response();
        }
        let detail = self.to_string();
        let p = match self {
            ApiError::BadRequest { errors, .. } => Problem {
                errors,
                ..problem(
                    StatusCode::BAD_REQUEST,
                    "invalid-input",
                    "Invalid input",
                    detail,
                )
            },
            ApiError::Invalid { errors, .. } => Problem {
                errors,
                ..problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-value",
                    "Invalid value",
                    detail,
                )
            },
            ApiError::Unauthorized => problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not signed in",
                detail,
            ),
            ApiError::Forbidden(_) => {
                problem(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
            }
            ApiError::NotFound(_) => {
                problem(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
            }
            ApiError::Conflict(_) => problem(StatusCode::CONFLICT, "conflict", "Conflict", detail),
            ApiError::TooLarge(_) => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request too large",
                detail,
            ),
            ApiError::MethodNotAllowed => problem(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                detail,
            ),
            ApiError::UnsupportedMediaType(_) => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail,
            ),
            ApiError::Domain(d) => domain_problem(d, detail),
            ApiError::Refused(_) => problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Server busy",
                detail,
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something went wrong on our side; it has been logged".to_string(),
                )
            }
        };
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            axum::Json(p),
        )
            .into_response()
    }
}

/// The domain's refusals are the user's to fix: 404 for unknown items, 422 otherwise, with the
/// rule or the failing gate items spelled out.
fn domain_problem(d: DomainError, detail: String) -> Problem {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match d {
        DomainError::NotFound { .. } => {
            problem(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
        }
        DomainError::Invalid { field, message } => Problem {
            errors: vec![FieldError { field, message }],
            ..problem(unprocessable, "invalid-command", "Invalid command", detail)
        },
        DomainError::Rule { rule, .. } => Problem {
            rule: Some(rule.to_string()),
            ..problem(unprocessable, "rule", "Refused by a rule", detail)
        },
        DomainError::GateNotReady { report } => Problem {
            rule: Some(format!("{:?}", report.gate)),
            gate: Some(report),
            ..problem(unprocessable, "gate-not-ready", "Gate not ready", detail)
        },
        DomainError::WrongStage { .. } => problem(
            StatusCode::CONFLICT,
            "wrong-stage",
            "Not at this stage",
            detail,
        ),
    }
}
