//! The workspace's audit trail, for its admins: who signed in, who changed access, what left.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use finishline_store::{AuditEvent, AuditFilter, By};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only this actor (a member's email, `command line`).
    #[param(max_length = 320)]
    pub actor: Option<String>,
    /// A kind (`member.added`) or a family of kinds (`member`, `token`, `sign_in`, `portal`).
    #[param(pattern = "^[a-z._]{0,64}$")]
    pub kind: Option<String>,
    /// On or after this day (YYYY-MM-DD, UTC).
    #[param(format = Date)]
    pub from: Option<String>,
    /// On or before this day (YYYY-MM-DD, UTC); before `from`, the range selects nothing.
    #[param(format = Date)]
    pub to: Option<String>,
    /// At most this many events, newest first (1 to 10,000; default 200).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
    /// `json` (the default) or `csv` (a download, itself recorded in the trail).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// One event of the trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub client_address: Option<String>,
}

impl From<AuditEvent> for AuditEntry {
    fn from(e: AuditEvent) -> Self {
        AuditEntry {
            id: e.id,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            detail: e.detail,
            client_address: e.client_address,
        }
    }
}

/// The workspace's audit trail, newest first (admins only): sign-ins and failures, members and
/// roles, API tokens, settings and webhooks, portal invitations, exports. `format=csv` downloads it.
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_trail", tag = "members", params(AuditQuery),
    responses((status = 200, description = "the events; CSV with format=csv",
            content((Vec<AuditEntry> = "application/json"), (String = "text/csv"))),
        (status = 400, body = Problem),
        (status = 403, description = "admins only", body = Problem)))]
pub async fn trail(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    member.require_admin()?;
    let csv = wants_csv(q.format.as_deref())?;
    let filter = filter_of(&q)?;
    let events = state
        .app
        .store
        .audit_trail(member.workspace(), &filter)
        .await?;
    if !csv {
        let entries: Vec<AuditEntry> = events.into_iter().map(AuditEntry::from).collect();
        return Ok(Json(entries).into_response());
    }
    let body = to_csv(&events);
    let by: By = member.by(&state);
    state
        .app
        .store
        .record_export(
            member.workspace(),
            &by,
            serde_json::json!({"what": "audit trail", "rows": events.len()}),
        )
        .await?;
    Ok(csv_download("audit-trail.csv", body))
}

/// `format=json` (or none) or `format=csv`: whether a list is asked for as a CSV download.
pub(crate) fn wants_csv(format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(ApiError::bad(
            "format",
            format!("{other:?} is neither json nor csv"),
        )),
    }
}

/// A CSV body as a download named `filename`.
pub(crate) fn csv_download(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The query as the store's filter, each field checked.
pub fn filter_of(q: &AuditQuery) -> Result<AuditFilter, ApiError> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::bad("limit", "must be between 1 and 10000"));
    }
    let kind = q.kind.as_deref().filter(|k| !k.is_empty());
    if let Some(k) = kind {
        if k.len() > 64
            || !k
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        {
            return Err(ApiError::bad(
                "kind",
                format!(
                    "{k:?} is not a kind: lower-case words joined by . or _, such as member.added"
                ),
            ));
        }
    }
    let actor = q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if actor.is_some_and(|a| a.chars().count() > 320) {
        return Err(ApiError::bad("actor", "is longer than any email"));
    }
    super::query::strict_day("from", q.from.as_deref())?;
    super::query::strict_day("to", q.to.as_deref())?;
    let from = q
        .from
        .as_deref()
        .map(|v| day("from", v, false))
        .transpose()?;
    let to = q.to.as_deref().map(|v| day("to", v, true)).transpose()?;
    Ok(AuditFilter {
        actor: actor.map(str::to_string),
        kind: kind.map(str::to_string),
        from,
        to,
        limit,
    })
}

/// A day as an instant: its start, or for `to` the start of the next day.
fn day(field: &str, v: &str, end_of_day: bool) -> Result<DateTime<Utc>, ApiError> {
    let v = v.trim();
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
        ApiError::bad(
            field,
            format!("{v:?} is not a day: write it as YYYY-MM-DD, e.g. 2026-03-02"),
        )
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The trail as CSV; a cell that a spreadsheet would run as a formula is quoted with a leading
/// apostrophe (actors and details come from outside: emails typed at sign-in).
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::from("id,at,actor,kind,client_address,detail\n");
    for e in events {
        let cells = [
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.actor.clone(),
            e.kind.clone(),
            e.client_address.clone().unwrap_or_default(),
            e.detail.to_string(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

pub(crate) fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}
