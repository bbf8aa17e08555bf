//! Prometheus metrics, on their own listener (`--metrics-listen`) so they are never public.
//!
//! Request metrics follow OpenTelemetry's HTTP server conventions as they map to Prometheus
//! (`http.server.request.duration` → `http_server_request_duration_seconds`, with the labels
//! `http_request_method`, `http_route` and `http_response_status_code`). The route is the
//! template the router matched (`/api/v1/projects/{id}`), never the path asked for: ids would
//! make a series per project and leak them to whoever reads the metrics.
//!
//! The rest is Finishline's own (`finishline_…`): the outbox backlog, the notification sweep,
//! imports, the database pools and sign-in throttling. Gauges that describe state are read when
//! Prometheus scrapes, so they are never stale.

use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// OpenTelemetry's recommended buckets for `http.server.request.duration`, in seconds.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process's one metrics recorder (idempotent). Until it is installed, recording
/// costs nothing: a server without `--metrics-listen` keeps no metrics.
pub fn install() -> Result<PrometheusHandle, String> {
    HANDLE
        .get_or_init(|| {
            let mut builder = PrometheusBuilder::new();
            for name in [
                "http_server_request_duration_seconds",
                "finishline_sweep_duration_seconds",
            ] {
                builder = builder
                    .set_buckets_for_metric(Matcher::Full(name.to_string()), DURATION_BUCKETS)
                    .map_err(|e| e.to_string())?;
            }
            let handle = builder.install_recorder().map_err(|e| e.to_string())?;
            describe();
            Ok(handle)
        })
        .clone()
}

/// The `# HELP` line of each metric.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_histogram!(
        "http_server_request_duration_seconds",
        Unit::Seconds,
        "Duration of HTTP server requests, by method, route template and status."
    );
    describe_gauge!(
        "http_server_active_requests",
        "HTTP server requests being answered now."
    );
    describe_gauge!(
        "finishline_outbox_messages",
        "Outbox messages (email, webhooks) neither sent nor given up, all workspaces."
    );
    describe_gauge!(
        "finishline_outbox_oldest_age_seconds",
        Unit::Seconds,
        "Age of the oldest outbox message waiting to be delivered (0 when none waits)."
    );
    describe_histogram!(
        "finishline_sweep_duration_seconds",
        Unit::Seconds,
        "Duration of a notification sweep (nudges, digests, webhooks, delivery)."
    );
    describe_gauge!(
        "finishline_sweep_lag_seconds",
        Unit::Seconds,
        "Seconds since the last notification sweep ended; grows past --sweep-seconds when sweeps stall."
    );
    describe_counter!(
        "finishline_sweep_failures_total",
        "Notification sweeps that ended with an error (the next one retries)."
    );
    describe_gauge!(
        "finishline_imports_queued",
        "Customer data imports waiting for their turn."
    );
    describe_gauge!(
        "finishline_imports_running",
        "Customer data imports being checked now."
    );
    describe_gauge!(
        "finishline_db_connections",
        "Database pool connections, by pool and state (open, idle)."
    );
    describe_counter!(
        "finishline_sign_in_throttled_total",
        "Requests refused by sign-in throttling, by scope and reason."
    );
    describe_counter!(
        "finishline_sign_in_lockouts_total",
        "Lockouts started after repeated sign-in failures, by scope."
    );
}

/// Times every request, by method, route template and status. Without a recorder (no
/// `--metrics-listen`) it only passes the request on: nothing is formatted for nobody.
pub async fn track(req: Request, next: Next) -> Response {
    if !HANDLE.get().is_some_and(Result::is_ok) {
        return next.run(req).await;
    }
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let active = metrics::gauge!("http_server_active_requests", "http_request_method" => method);
    active.increment(1.0);
    let started = Instant::now();
    let res = next.run(req).await;
    active.decrement(1.0);
    metrics::histogram!(
        "http_server_request_duration_seconds",
        "http_request_method" => method,
        "http_route" => route,
        "http_response_status_code" => res.status().as_str().to_string(),
    )
    .record(started.elapsed().as_secs_f64());
    res
}

/// OpenTelemetry's rule: known methods by name, anything else `_OTHER` (an attacker's made-up
/// methods must not make new series).
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "_OTHER",
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

/// Serves `/metrics` until `shutdown` resolves, draining histogram buffers every few seconds
/// so memory stays flat between scrapes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = install().map_err(std::io::Error::other)?;
    let upkeep = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            handle.run_upkeep();
        }
    });
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    upkeep.abort();
    served
}

async fn scrape(State(state): State<AppState>) -> Response {
    let handle = match install() {
        Ok(h) => h,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    };
    read_state_gauges(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The gauges that describe the server's state now.
async fn read_state_gauges(state: &AppState) {
    let app = &state.app;
    match app.store.outbox_backlog().await {
        Ok((waiting, oldest)) => {
            metrics::gauge!("finishline_outbox_messages").set(waiting as f64);
            let age = oldest.map_or(0.0, |at| {
                (app.now() - at).num_milliseconds().max(0) as f64 / 1000.0
            });
            metrics::gauge!("finishline_outbox_oldest_age_seconds").set(age);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox backlog failed"),
    }
    for (pool, open, idle) in app.store.pool_use() {
        metrics::gauge!("finishline_db_connections", "pool" => pool, "state" => "open")
            .set(f64::from(open));
        metrics::gauge!("finishline_db_connections", "pool" => pool, "state" => "idle")
            .set(f64::from(idle));
    }
    metrics::gauge!("finishline_imports_queued").set(app.imports.waiting() as f64);
    metrics::gauge!("finishline_imports_running").set(app.imports.running() as f64);
    if let Some(lag) = app.sweeps.lag_seconds() {
        metrics::gauge!("finishline_sweep_lag_seconds").set(lag);
    }
}
