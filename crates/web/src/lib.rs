//! finishline-web: the HTTP server — the JSON API under `/api/v1` (with its OpenAPI document),
//! authentication, and what the CLI needs to serve it.

pub mod api;
pub mod auth;
pub mod cache;
pub mod error;
pub mod files;
pub mod json;
pub mod links;
pub mod metrics;
pub mod secrets;
pub mod state;
pub mod throttle;
pub mod ui;
pub mod views;

use std::future::Future;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use finishline_app::{App, Clock, ManualClock, SystemClock};
pub use state::{AppState, Config};

/// Answers 200 once the database answers.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(uri.path().to_string())
}

/// Axum's own rejections (a query string that does not parse, a body over the limit) come as
/// plain text; they are rewritten here so that every error is problem+json.
async fn problems_only(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/problem+json"));
    // SOAP faults (Salesforce Outbound Messages) must stay SOAP for the sender to read them.
    let is_soap = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/xml"));
    if is_problem || is_soap || status == StatusCode::SERVICE_UNAVAILABLE {
        return res;
    }
    let text = match axum::body::to_bytes(res.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let err = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::TooLarge(format!("the body is too large: {text}"))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(text),
        StatusCode::NOT_FOUND => ApiError::NotFound(text),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized,
        s if s.is_server_error() => ApiError::Internal(text),
        _ => {
            let field = if text.contains("query string") {
                "query"
            } else if text.contains("path") {
                "path"
            } else {
                "request"
            };
            ApiError::bad(field, text)
        }
    };
    err.into_response()
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::router(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::map_response(problems_only))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        .merge(ui::router(&state))
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight. Each request knows
/// its socket peer (`ConnectInfo`), the client address sign-ins are throttled by.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
