//! Notifications over the API: the outbox, preferences, the cadence settings, outbound webhooks
//! and their delivery log, the usage feed and adoption goals — and the pages behind the links in
//! emails (one-click actions and unsubscribe), which need no login but a signed token.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use finishline_app::commands::{run_decided, Attempt, SideEffects};
use finishline_app::AppError;
use finishline_core::people::Side;
use finishline_core::plan::{Proof, TaskStatus};
use finishline_core::{Command, Ctx};
use finishline_store::{NotifyPrefs, OutboxMessage, StoreError, UsageEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::links::pages::{fill, page, CONFIRM, FORM, TASK};
use crate::state::AppState;
use finishline_app::notify::adoption::{measure, AdoptionGoals, AdoptionReport};
use finishline_app::notify::digest::{default_prefs, FREQUENCIES};
use finishline_app::notify::hooks::EVENT_TYPES;
use finishline_app::notify::settings::NotifySettings;
use finishline_app::notify::tokens::{verify, Claims, LinkAction};
use finishline_app::notify::{settings, SweepReport};

/// A message in the outbox, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEntry {
    pub id: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub kind: String,
    /// An email address, or a webhook endpoint id.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (given up).
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub due_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<OutboxMessage> for OutboxEntry {
    fn from(m: OutboxMessage) -> Self {
        let state = if m.sent_at.is_some() {
            "sent"
        } else if m.failed_at.is_some() {
            "failed"
        } else {
            "pending"
        };
        OutboxEntry {
            id: m.id,
            channel: m.channel,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
            state: state.into(),
            attempts: m.attempts,
            last_error: m.last_error,
            due_at: m.due_at,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `email` or `webhook`.
    #[param(pattern = "^(email|webhook)$")]
    pub channel: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The workspace's outbox: every email and webhook message, sent or waiting. With no SMTP
/// server configured (the demo), this is where mail can be read.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "notifications", params(OutboxQuery),
    responses((status = 200, body = [OutboxEntry])))]
pub async fn outbox(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<OutboxEntry>>, ApiError> {
    if let Some(c) = q.channel.as_deref() {
        if !matches!(c, "email" | "webhook") {
            return Err(ApiError::bad("channel", "use email or webhook"));
        }
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad("limit", "from 1 to 1000"));
    }
    let rows = state
        .app
        .store
        .outbox(member.workspace(), q.channel.as_deref(), None, limit)
        .await?;
    Ok(Json(rows.into_iter().map(OutboxEntry::from).collect()))
}

/// Runs the notification sweep for this workspace now (it also runs every minute): nudges,
/// escalations, adoption, webhook events, digests, then delivery of whatever is due.
#[utoipa::path(post, path = "/api/v1/notify/sweep", tag = "notifications",
    responses((status = 200, body = SweepReport), (status = 403, description = "admins only", body = Problem)))]
pub async fn sweep(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<SweepReport>, ApiError> {
    member.require_admin()?;
    Ok(Json(
        finishline_app::notify::sweep_once(&state.app, Some(member.workspace())).await?,
    ))
}

/// The workspace's cadence (R9) and the hosts webhooks may reach on private addresses.
#[utoipa::path(get, path = "/api/v1/notify/settings", tag = "notifications",
    responses((status = 200, body = NotifySettings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<NotifySettings>, ApiError> {
    Ok(Json(settings::load(&state.app, member.workspace()).await?))
}

/// Replaces the notification settings (admins only).
#[utoipa::path(put, path = "/api/v1/notify/settings", tag = "notifications", request_body = NotifySettings,
    responses((status = 200, body = NotifySettings), (status = 403, description = "admins only", body = Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NotifySettings>,
) -> Result<Json<NotifySettings>, ApiError> {
    member.require_admin()?;
    body.validate()?;
    settings::save(&state.app, member.workspace(), &body, &member.by(&state)).await?;
    Ok(Json(body))
}

/// One person's notification preferences.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    #[schema(format = Email)]
    pub email: String,
    /// immediate, daily (the default), weekly or off.
    #[schema(pattern = "^(immediate|daily|weekly|off)$")]
    pub frequency: String,
    /// An IANA time zone, such as Europe/Berlin (default UTC).
    #[serde(default = "utc")]
    pub time_zone: String,
    /// Quiet hours in that time zone, from `quiet_start` to `quiet_end` o'clock (0–23); both
    /// absent for none.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 23)]
    pub quiet_start: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 23)]
    pub quiet_end: Option<i64>,
    /// Read only: when the person unsubscribed by the link in an email.
    #[serde(default)]
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

fn utc() -> String {
    "UTC".into()
}

impl From<NotifyPrefs> for Preferences {
    fn from(p: NotifyPrefs) -> Self {
        Preferences {
            email: p.email,
            frequency: p.frequency,
            time_zone: p.time_zone,
            quiet_start: p.quiet_start,
            quiet_end: p.quiet_end,
            unsubscribed_at: p.unsubscribed_at,
        }
    }
}

/// Everyone's preferences in this workspace (people who never set any get the defaults).
#[utoipa::path(get, path = "/api/v1/notify/preferences", tag = "notifications",
    responses((status = 200, body = [Preferences])))]
pub async fn list_preferences(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Preferences>>, ApiError> {
    let rows = state.app.store.all_notify_prefs(member.workspace()).await?;
    Ok(Json(rows.into_iter().map(Preferences::from).collect()))
}

/// Sets one person's preferences. An unsubscribe by the person stays in force.
#[utoipa::path(put, path = "/api/v1/notify/preferences", tag = "notifications", request_body = Preferences,
    responses((status = 200, body = Preferences)))]
pub async fn put_preferences(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<Preferences>,
) -> Result<Json<Preferences>, ApiError> {
    let email = body.email.trim().to_lowercase();
    if !finishline_core::people::valid_email(&email) {
        return Err(ApiError::bad(
            "email",
            format!("{:?} is not an email address", body.email),
        ));
    }
    if !FREQUENCIES.contains(&body.frequency.as_str()) {
        return Err(ApiError::bad(
            "frequency",
            "use immediate, daily, weekly or off",
        ));
    }
    if body.time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(ApiError::bad(
            "time_zone",
            format!(
                "{:?} is not an IANA time zone such as Europe/Berlin",
                body.time_zone
            ),
        ));
    }
    for (name, h) in [
        ("quiet_start", body.quiet_start),
        ("quiet_end", body.quiet_end),
    ] {
        if h.is_some_and(|h| !(0..=23).contains(&h)) {
            return Err(ApiError::bad(name, "an hour from 0 to 23"));
        }
    }
    if body.quiet_start.is_some() != body.quiet_end.is_some() {
        return Err(ApiError::bad(
            "quiet_start",
            "give both quiet_start and quiet_end, or neither",
        ));
    }
    let existing = state
        .app
        .store
        .notify_prefs(member.workspace(), &email)
        .await?;
    let prefs = NotifyPrefs {
        email: email.clone(),
        frequency: body.frequency,
        time_zone: body.time_zone,
        quiet_start: body.quiet_start,
        quiet_end: body.quiet_end,
        unsubscribed_at: existing.as_ref().and_then(|e| e.unsubscribed_at),
        last_digest_at: existing.and_then(|e| e.last_digest_at),
    };
    state
        .app
        .store
        .set_notify_prefs(member.workspace(), &prefs)
        .await?;
    Ok(Json(prefs.into()))
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// An http:// or https:// URL with a host.
    #[schema(format = "uri", pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]+")]
    pub url: String,
    /// `standard` (signed per Standard Webhooks, the default) or `slack` (an incoming webhook).
    #[serde(default = "standard")]
    #[schema(pattern = "^(standard|slack)$")]
    pub target: String,
    /// Event types to send (all when empty): project.created, project.stage_changed, task.done,
    /// task.blocked, task.overdue, task.escalated, gate.failed, gate.passed, project.go_live,
    /// project.complete, adoption.stalled.
    #[serde(default)]
    pub events: Vec<String>,
}

fn standard() -> String {
    "standard".into()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub target: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The signing secret (`whsec_…`), shown when the endpoint is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn endpoint(e: finishline_store::WebhookEndpoint, with_secret: bool) -> Endpoint {
    Endpoint {
        secret: with_secret.then(|| e.secret.clone()),
        id: e.id,
        url: e.url,
        target: e.target,
        events: e.events,
        created_at: e.created_at,
    }
}

/// The workspace's webhook endpoints (admins only).
#[utoipa::path(get, path = "/api/v1/notify/webhooks", tag = "notifications",
    responses((status = 200, body = [Endpoint]), (status = 403, description = "admins only", body = Problem)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Endpoint>>, ApiError> {
    member.require_admin()?;
    let rows = state
        .app
        .store
        .webhook_endpoints(member.workspace())
        .await?;
    Ok(Json(rows.into_iter().map(|e| endpoint(e, false)).collect()))
}

/// Adds a webhook endpoint (admins only); events from now on are posted to it.
#[utoipa::path(post, path = "/api/v1/notify/webhooks", tag = "notifications", request_body = NewEndpoint,
    responses((status = 201, body = Endpoint), (status = 403, description = "admins only", body = Problem)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewEndpoint>,
) -> Result<(StatusCode, Json<Endpoint>), ApiError> {
    member.require_admin()?;
    let url = reqwest::Url::parse(body.url.trim())
        .map_err(|e| ApiError::bad("url", format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::bad(
            "url",
            "use an http:// or https:// URL with a host",
        ));
    }
    if !matches!(body.target.as_str(), "standard" | "slack") {
        return Err(ApiError::bad("target", "use standard or slack"));
    }
    for (i, e) in body.events.iter().enumerate() {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(ApiError::bad(
                format!("events[{i}]"),
                format!(
                    "{e:?} is not an event type; use one of {}",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
    }
    let secret = finishline_app::notify::hooks::new_secret();
    let e = state
        .app
        .store
        .create_webhook_endpoint(
            member.workspace(),
            url.as_str(),
            &body.target,
            &secret,
            &body.events,
            &member.by(&state),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(endpoint(e, true))))
}

/// Removes a webhook endpoint (admins only): nothing more is posted to it.
#[utoipa::path(delete, path = "/api/v1/notify/webhooks/{hook_id}", tag = "notifications",
    params(("hook_id" = String, Path, description = "endpoint id")),
    responses((status = 204, description = "removed"), (status = 403, description = "admins only", body = Problem)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    member: Member,
    Path(hook_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    member.require_admin()?;
    if state
        .app
        .store
        .disable_webhook_endpoint(member.workspace(), &hook_id, &member.by(&state))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("webhook endpoint {hook_id}")))
    }
}

/// The delivery log of one endpoint: each message with its attempts and last error.
#[utoipa::path(get, path = "/api/v1/notify/webhooks/{hook_id}/deliveries", tag = "notifications",
    params(("hook_id" = String, Path, description = "endpoint id")),
    responses((status = 200, body = [OutboxEntry]), (status = 403, description = "admins only", body = Problem)))]
pub async fn deliveries(
    State(state): State<AppState>,
    member: Member,
    Path(hook_id): Path<String>,
) -> Result<Json<Vec<OutboxEntry>>, ApiError> {
    member.require_admin()?;
    if state
        .app
        .store
        .webhook_endpoint(member.workspace(), &hook_id)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!("webhook endpoint {hook_id}")));
    }
    let rows = state
        .app
        .store
        .outbox(member.workspace(), Some("webhook"), Some(&hook_id), 500)
        .await?;
    Ok(Json(rows.into_iter().map(OutboxEntry::from).collect()))
}

/// One usage event from the vendor's product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUsageEvent {
    /// Unique per event: a resent event is counted once.
    #[schema(pattern = r"\S", max_length = 200)]
    pub event_id: String,
    /// The customer account, as set in the project's adoption goals.
    #[schema(pattern = r"\S", max_length = 200)]
    pub account: String,
    #[schema(pattern = r"\S", max_length = 200)]
    pub user: String,
    /// `login`, or a feature's event name.
    #[schema(pattern = r"\S", max_length = 200)]
    pub event: String,
    /// When it happened; at most a day ahead of the server's clock.
    pub timestamp: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum UsageBatch {
    Wrapped {
        #[schema(min_items = 1, max_items = 1000)]
        events: Vec<NewUsageEvent>,
    },
    /// From 1 to 1000 events (`api::doc` writes the bounds: utoipa cannot on this variant).
    Bare(Vec<NewUsageEvent>),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageAccepted {
    /// Events stored now.
    pub accepted: usize,
    /// Events whose id was received before: ignored.
    pub duplicates: usize,
}

/// Receives a batch of usage events (at most 1000), idempotent by event id. Authenticated with
/// a workspace API token.
#[utoipa::path(post, path = "/api/v1/usage", tag = "notifications", request_body = UsageBatch,
    responses((status = 202, body = UsageAccepted)))]
pub async fn usage(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<UsageBatch>,
) -> Result<(StatusCode, Json<UsageAccepted>), ApiError> {
    let events = match body {
        UsageBatch::Wrapped { events } | UsageBatch::Bare(events) => events,
    };
    if events.is_empty() || events.len() > 1000 {
        return Err(ApiError::bad("events", "send from 1 to 1000 events"));
    }
    let now = state.now();
    let mut rows = Vec::with_capacity(events.len());
    for (i, e) in events.into_iter().enumerate() {
        for (name, v) in [
            ("event_id", &e.event_id),
            ("account", &e.account),
            ("user", &e.user),
            ("event", &e.event),
        ] {
            if v.trim().is_empty() || v.len() > 200 {
                return Err(ApiError::bad(
                    format!("events[{i}].{name}"),
                    "from 1 to 200 characters",
                ));
            }
        }
        if e.timestamp > now + Duration::days(1) {
            return Err(ApiError::bad(
                format!("events[{i}].timestamp"),
                "is in the future",
            ));
        }
        rows.push(UsageEvent {
            event_id: e.event_id.trim().to_string(),
            account: e.account.trim().to_string(),
            user: e.user.trim().to_string(),
            event: e.event.trim().to_string(),
            at: e.timestamp,
        });
    }
    let total = rows.len();
    let accepted = state
        .app
        .store
        .record_usage(member.workspace(), &rows, now)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UsageAccepted {
            accepted,
            duplicates: total - accepted,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Adoption {
    pub goals: AdoptionGoals,
    pub report: AdoptionReport,
}

async fn project_exists(
    state: &AppState,
    ws: &str,
    id: &str,
) -> Result<finishline_core::Project, ApiError> {
    Ok(state
        .app
        .store
        .project(ws, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("project {id}")))?
        .0)
}

/// Sets a project's adoption goals and its account in the usage feed.
#[utoipa::path(put, path = "/api/v1/projects/{id}/adoption-goals", tag = "notifications", request_body = AdoptionGoals,
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = AdoptionGoals)))]
pub async fn put_goals(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdoptionGoals>,
) -> Result<Json<AdoptionGoals>, ApiError> {
    project_exists(&state, member.workspace(), &id).await?;
    if body.account.trim().is_empty() {
        return Err(ApiError::bad(
            "account",
            "name the account the product reports usage under",
        ));
    }
    let doc = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .app
        .store
        .set_adoption_goals(member.workspace(), &id, body.account.trim(), &doc)
        .await?;
    Ok(Json(body))
}

/// A project's adoption against its goals, from the usage feed.
#[utoipa::path(get, path = "/api/v1/projects/{id}/adoption", tag = "notifications",
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = Adoption)))]
pub async fn get_adoption(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<Adoption>, ApiError> {
    let p = project_exists(&state, member.workspace(), &id).await?;
    let goals = state
        .app
        .store
        .adoption_goals(member.workspace())
        .await?
        .into_iter()
        .find(|g| g.project_id == id)
        .and_then(|g| serde_json::from_str::<AdoptionGoals>(&g.doc).ok())
        .ok_or_else(|| ApiError::not_found(format!("adoption goals of project {id}")))?;
    let report = measure(
        &state.app,
        member.workspace(),
        &goals,
        p.live_on,
        state.now(),
    )
    .await?;
    Ok(Json(Adoption { goals, report }))
}

/// The task of a one-click link as its recipient may see it: a customer (anyone not on the
/// project's vendor side) sees the project through `visibility::for_customer`.
fn task_details_for(
    p: &finishline_core::Project,
    task: u32,
    email: &str,
) -> Result<String, ApiError> {
    let vendor = p
        .people
        .iter()
        .any(|x| x.side == Side::Vendor && x.email.eq_ignore_ascii_case(email));
    if vendor {
        task_details(p, task)
    } else {
        task_details(&finishline_core::visibility::for_customer(p), task)
    }
}

fn task_details(p: &finishline_core::Project, task: u32) -> Result<String, ApiError> {
    let t = p
        .tasks
        .iter()
        .find(|t| t.id == task)
        .ok_or_else(|| ApiError::not_found(format!("task {task}")))?;
    let status = match &t.status {
        TaskStatus::Pending => "waiting for earlier tasks".to_string(),
        TaskStatus::Open => "open".to_string(),
        TaskStatus::Blocked(b) => format!("stuck: needs {}", b.needed),
        TaskStatus::Done { .. } => "done".to_string(),
    };
    let owner = t.owner.map(|o| p.person_name(o)).unwrap_or_default();
    let nudges = match t.escalated_at {
        Some(at) => format!(
            "nudged {}x, escalated on {}",
            t.nudges,
            at.format("%-d %b %Y")
        ),
        None => format!("nudged {}x", t.nudges),
    };
    Ok(fill(
        TASK,
        &[
            ("project", &p.name),
            ("customer", &p.customer),
            ("title", &t.title),
            ("due", &t.due.to_string()),
            ("status", &status),
            ("owner", &owner),
            ("nudges", &nudges),
        ],
    ))
}

async fn claims_for_task(
    state: &AppState,
    token: &str,
) -> Result<(Claims, finishline_core::Project, i64), ApiError> {
    let claims = verify(&state.app, token, state.now()).await?;
    let (Some(project), Some(_)) = (claims.project.as_deref(), claims.task) else {
        return Err(ApiError::Forbidden("this link is not for a task".into()));
    };
    let (p, v) = state
        .app
        .store
        .project(&claims.ws, project)
        .await?
        .ok_or_else(|| ApiError::not_found("the project of this link"))?;
    Ok((claims, p, v))
}

/// The page of a one-click link in an email: shows the task and, for "done" and "stuck", a
/// form. Nothing changes on GET (mail scanners follow links).
#[utoipa::path(get, path = "/api/v1/act/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "the signed token of the link")),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 403, description = "the link was changed, cut short, expired or is for something else", body = Problem)))]
pub async fn act_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let (claims, p, _) = claims_for_task(&state, &token).await?;
    let task = claims.task.unwrap_or_default();
    let details = task_details_for(&p, task, &claims.email)?;
    let used = state.app.store.action_used(&claims.ws, &claims.jti).await?;
    let action = format!("/api/v1/act/{token}");
    let (heading, message, form) = match claims.act {
        LinkAction::Done if !used => (
            "Mark this task done",
            "Say what was done; the project team sees your note.",
            fill(
                FORM,
                &[
                    ("action", &action),
                    ("label", "What was done (a note, a link)"),
                    ("field", "note"),
                    ("button", "Mark done"),
                ],
            ),
        ),
        LinkAction::Stuck if !used => (
            "Tell us you are stuck",
            "Say what you need and from whom; the project team is told at once.",
            fill(
                FORM,
                &[
                    ("action", &action),
                    ("label", "What do you need to go on?"),
                    ("field", "reason"),
                    ("button", "I'm stuck"),
                ],
            ),
        ),
        LinkAction::Done | LinkAction::Stuck => (
            "This link was used",
            "It works once; the task below shows where things stand.",
            String::new(),
        ),
        _ => ("Your task", "Where this task stands.", String::new()),
    };
    Ok(page(heading, message, &details, &form))
}

/// The form of a one-click action: `note` for "done", `reason` for "stuck" (a few words).
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the form `act` reads as a map")]
pub struct ActForm {
    note: Option<String>,
    reason: Option<String>,
}

/// Takes a one-click action: marks the task done with the note, or stuck with the reason, as
/// the customer the email went to. Works once, until the link expires.
#[utoipa::path(post, path = "/api/v1/act/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "the signed token of the link")),
    request_body(content = ActForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 403, description = "the link was changed, cut short, expired or is for something else", body = Problem),
        (status = 409, description = "the link was used already, or the project is changing right now", body = Problem),
        (status = 422, description = "the task cannot be completed or blocked now", body = Problem)))]
pub async fn act(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (claims, _, _) = claims_for_task(&state, &token).await?;
    let (Some(project), Some(task), Some(person)) =
        (claims.project.clone(), claims.task, claims.person)
    else {
        return Err(ApiError::Forbidden("this link only shows the task".into()));
    };
    let text = |name: &str| {
        form.get(name)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad(name, "write a few words"))
    };
    if state.app.store.action_used(&claims.ws, &claims.jti).await? {
        return Err(ApiError::Conflict(
            "this link was used already; each link works once".into(),
        ));
    }
    // What the person wrote does not depend on the project: read it once, before any attempt.
    let (said, done_msg) = match claims.act {
        LinkAction::Done => (text("note")?, "The task is marked done. Thank you!"),
        LinkAction::Stuck => (
            text("reason")?,
            "The project team knows you are stuck and what you need.",
        ),
        _ => return Err(ApiError::Forbidden("this link only shows the task".into())),
    };
    let now = state.now();
    let ran = run_decided(&state.app.store, &claims.ws, &project, |p| {
        let who = p
            .person(person)
            .filter(|x| x.side == Side::Customer)
            .ok_or_else(|| {
                AppError::Forbidden("this link's person is no longer on the project".into())
            })?;
        let command = if claims.act == LinkAction::Done {
            Command::CompleteTask {
                task,
                proof: Some(Proof::Note(said.clone())),
                completed_by: Some(person),
            }
        } else {
            Command::BlockTask {
                task,
                needed: said.clone(),
                from: p.vendor_owner().map_or(person, |o| o.id),
                by: now.date_naive() + Duration::days(3),
            }
        };
        Ok(Some(Attempt {
            command,
            ctx: Ctx {
                actor: format!("{} (customer, from an email link)", who.name),
                person: Some(person),
                side: Side::Customer,
                now,
            },
            effects: SideEffects {
                action_use: Some(claims.jti.clone()),
                ..SideEffects::default()
            },
        }))
    })
    .await;
    match ran {
        Ok(Some(applied)) => {
            let details = task_details_for(&applied.project, task, &claims.email)?;
            Ok(page("Done", done_msg, &details, ""))
        }
        Err(AppError::Store(StoreError::Duplicate(_))) => Err(ApiError::Conflict(
            "this link was used already; each link works once".into(),
        )),
        Err(AppError::NotFound(_)) => Err(ApiError::not_found("the project of this link")),
        Err(e) => Err(e.into()),
        Ok(None) => Err(ApiError::Internal("a link's action decided nothing".into())),
    }
}

/// The unsubscribe page of an email: a button that stops all mail from this workspace to this
/// address (GET changes nothing).
#[utoipa::path(get, path = "/api/v1/unsubscribe/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "the signed token of the link")),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 403, description = "the link was changed, cut short, expired or is not an unsubscribe link", body = Problem)))]
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let claims = verify(&state.app, &token, state.now()).await?;
    if claims.act != LinkAction::Unsubscribe {
        return Err(ApiError::Forbidden(
            "this is not an unsubscribe link".into(),
        ));
    }
    let form = fill(
        CONFIRM,
        &[
            ("action", &format!("/api/v1/unsubscribe/{token}")),
            ("button", "Unsubscribe"),
        ],
    );
    Ok(page(
        "Stop these emails?",
        &format!(
            "No more reminders or digests will be sent to {}.",
            claims.email
        ),
        "",
        &form,
    ))
}

/// Unsubscribes the address of the link (also the one-click `List-Unsubscribe-Post`).
#[utoipa::path(post, path = "/api/v1/unsubscribe/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "the signed token of the link")),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 403, description = "the link was changed, cut short, expired or is not an unsubscribe link", body = Problem)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let claims = verify(&state.app, &token, now).await?;
    if claims.act != LinkAction::Unsubscribe {
        return Err(ApiError::Forbidden(
            "this is not an unsubscribe link".into(),
        ));
    }
    let mut prefs = state
        .app
        .store
        .notify_prefs(&claims.ws, &claims.email)
        .await?
        .unwrap_or_else(|| default_prefs(&claims.email));
    if prefs.unsubscribed_at.is_none() {
        prefs.unsubscribed_at = Some(now);
        state.app.store.set_notify_prefs(&claims.ws, &prefs).await?;
    }
    Ok(page(
        "Unsubscribed",
        &format!(
            "{} will get no more emails from this workspace.",
            claims.email
        ),
        "",
        "",
    ))
}
