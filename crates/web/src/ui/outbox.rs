//! The outbox: every message Finishline has sent or will send, so a demo (which has no SMTP
//! server) and an admin chasing a "did they get it?" can see exactly what went out and when.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use crate::state::AppState;
use crate::ui::form::html as html_response;
use crate::ui::layout::{self, Nav};
use crate::ui::session::Vendor;

/// Newest first; the page shows this many.
const SHOWN: i64 = 200;

pub async fn page(State(state): State<AppState>, v: Vendor) -> Response {
    let messages = match state
        .app
        .store
        .outbox(v.workspace(), None, None, SHOWN)
        .await
    {
        Ok(m) => m,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let body = html! {
        h1 { "Outbox" }
        p class="muted" {
            "Every email and webhook call Finishline has queued for this workspace, newest first. "
            "Without an SMTP server (as in the demo) mail waits here instead of being sent."
        }
        @if messages.is_empty() {
            p { "Nothing yet: reminders appear when customer tasks come due." }
        } @else {
            div class="table-wrap" { table {
                thead { tr {
                    th scope="col" { "To" } th scope="col" { "What" } th scope="col" { "Due" } th scope="col" { "State" }
                } }
                tbody { @for m in &messages { tr {
                    td data-label="To" { (m.recipient) }
                    td data-label="What" {
                        details {
                            summary { (m.subject) " " span class="muted small" { "(" (m.channel) ", " (m.kind) ")" } }
                            pre class="small" { (m.body) }
                        }
                    }
                    td data-label="Due" { (m.due_at.format("%Y-%m-%d %H:%M UTC")) }
                    td data-label="State" {
                        @if let Some(at) = m.sent_at {
                            span class="badge" { "sent" } " " (at.format("%Y-%m-%d %H:%M"))
                        } @else if m.failed_at.is_some() {
                            span class="badge" { "failed" } " after " (m.attempts) " attempts"
                            @if let Some(e) = &m.last_error { br; span class="small" { (e) } }
                        } @else {
                            span class="badge" { "queued" }
                            @if m.attempts > 0 { " · " (m.attempts) " attempt(s) so far" }
                        }
                    }
                } } }
            } }
        }
    };
    html_response(
        StatusCode::OK,
        layout::page("Outbox", Nav::Settings, &v.user.name, &v.csrf, body),
    )
}
