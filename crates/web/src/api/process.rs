//! The live process map as JSON, and the workspace's process-mining exports (OCEL 2.0, XES)
//! streamed as they are written.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use finishline_app::export::{write_workspace, Format};
use finishline_app::process::process_map_json;
use finishline_core::process::ProcessMap;
use tokio::sync::mpsc;

use super::doc::Binary;
use super::query::FilterQuery;
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The live process map: the stages as a directly-follows graph over the workspace's projects
/// (or those the filters admit) — per stage the projects that passed, the median days spent and
/// the share of that time spent waiting on the customer, and the projects in it now, longest
/// there first; per move between stages the count and median days, loops marked.
#[utoipa::path(get, path = "/api/v1/analytics/process-map", operation_id = "process_map", tag = "analytics", params(FilterQuery),
    responses((status = 200, body = ProcessMap)))]
pub async fn map(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<FilterQuery>,
) -> Result<Response, ApiError> {
    let filter = q.filter()?;
    // Kept per revision and minute with its JSON, shared with other callers.
    let json = process_map_json(&state.app, member.workspace(), &filter).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from_owner(json),
    )
        .into_response())
}

/// The workspace as an OCEL 2.0 JSON event log (admins only): objects of the types project,
/// task, person, change request and import run; one event per activity, related to its
/// objects with a qualifier (`project`, `subject`, `actor`). Streamed a project at a time.
#[utoipa::path(get, path = "/api/v1/export/ocel", operation_id = "export_ocel", tag = "analytics",
    responses((status = 200, description = "OCEL 2.0 JSON (objectTypes, eventTypes, objects, events)", body = Object, content_type = "application/json"),
        (status = 403, description = "only a workspace admin exports the workspace", body = Problem),
        (status = 503, description = "as many exports as the server runs at once are running", body = Problem)))]
pub async fn ocel(State(state): State<AppState>, member: Member) -> Result<Response, ApiError> {
    export(state, member, Format::Ocel).await
}

/// The workspace as an IEEE XES event log (admins only): one trace per project, its stage
/// visits as `start` and `complete` events with `org:resource`. Streamed a project at a time.
#[utoipa::path(get, path = "/api/v1/export/xes", operation_id = "export_xes", tag = "analytics",
    responses((status = 200, description = "IEEE XES", body = Binary, content_type = "application/xml"),
        (status = 403, description = "only a workspace admin exports the workspace", body = Problem),
        (status = 503, description = "as many exports as the server runs at once are running", body = Problem)))]
pub async fn xes(State(state): State<AppState>, member: Member) -> Result<Response, ApiError> {
    export(state, member, Format::Xes).await
}

/// Chunks in flight between the writer and the client: the writer waits when they are all
/// unread, so a slow client holds at most this many chunks of memory.
const CHUNKS_IN_FLIGHT: usize = 4;
const CHUNK: usize = 64 * 1024;
/// How long an export waits for a turn before it is refused.
const EXPORT_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long the writer waits for a client that reads nothing before it gives up: a client
/// that stalls must not hold a turn (and a thread) for ever.
const STALLED_CLIENT: std::time::Duration = std::time::Duration::from_secs(60);

async fn export(state: AppState, member: Member, format: Format) -> Result<Response, ApiError> {
    member.require_admin()?;
    // A short wait for a turn: an export whose client has just gone frees its turn a moment later.
    let turn = tokio::time::timeout(EXPORT_TURN_WAIT, state.exports.clone().acquire_owned()).await;
    let Ok(Ok(permit)) = turn else {
        return Err(ApiError::Refused(crate::throttle::Refusal::exports_busy(
            crate::state::EXPORTS_AT_ONCE,
        )));
    };
    state
        .app
        .store
        .record_export(
            member.workspace(),
            &member.by(&state),
            serde_json::json!({"what": format.file_name()}),
        )
        .await?;
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHUNKS_IN_FLIGHT);
    let app = state.app.clone();
    let workspace = member.workspace().to_string();
    let runtime = tokio::runtime::Handle::current();
    // Set once the whole export is handed over: a body that ends without it is broken, so a
    // failed or abandoned export never reaches the client as a complete-looking file.
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    tokio::task::spawn_blocking(move || {
        // Held until the export is written or the client left.
        let _permit = permit;
        let out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
            runtime,
        };
        match write_workspace(&app, &workspace, format, out) {
            Ok(w) => {
                done.store(true, Ordering::Release);
                tracing::info!(
                    workspace.id = %workspace, export.projects = w.projects, export.events = w.events,
                    "export written"
                )
            }
            Err(e) => tracing::warn!(workspace.id = %workspace, error = %e, "export stopped"),
        }
        drop(tx);
    });
    let mut broken = false;
    let stream = futures_util::stream::poll_fn(move |cx| match rx.poll_recv(cx) {
        // The status line has gone: breaking the body is how the client learns.
        Poll::Ready(None) if !finished.load(Ordering::Acquire) && !broken => {
            broken = true;
            Poll::Ready(Some(Err(std::io::Error::other("the export stopped"))))
        }
        other => other,
    });
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", format.file_name()),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// A `Write` for the export's blocking thread that hands the body to the response in chunks,
/// waiting while the client is behind.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
    /// The server's runtime, to wait on the channel with a deadline from the blocking thread.
    runtime: tokio::runtime::Handle,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.runtime
            .block_on(self.tx.send_timeout(Ok(Bytes::from(chunk)), STALLED_CLIENT))
            .map_err(|e| match e {
                mpsc::error::SendTimeoutError::Timeout(_) => std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client read nothing for a minute",
                ),
                mpsc::error::SendTimeoutError::Closed(_) => {
                    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left")
                }
            })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
