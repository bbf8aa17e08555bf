//! Outbound webhooks: activities of the log become events (`project.created`,
//! `task.done`, `gate.failed`…), put in the outbox per endpoint, and posted — signed per the
//! Standard Webhooks scheme, or as readable text to a Slack incoming webhook — without following
//! redirects and never to private addresses (see `ssrf`).
//!
//! The log is read from a cursor (`webhook_cursors`): an activity committed with its change is
//! turned into deliveries by the next sweep, so none is lost; the dedupe key per endpoint and
//! activity keeps two servers from enqueuing one twice.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use finishline_core::Project;
use finishline_store::{LoggedActivity, NewMessage, OutboxMessage};
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use serde_json::json;
use sha2::Sha256;

use super::deliver::Failure;
use super::SweepReport;
use crate::error::AppError;
use crate::App;

/// Every event type an endpoint can subscribe to.
pub const EVENT_TYPES: [&str; 11] = [
    "project.created",
    "project.stage_changed",
    "task.done",
    "task.blocked",
    "task.overdue",
    "task.escalated",
    "gate.failed",
    "gate.passed",
    "project.go_live",
    "project.complete",
    "adoption.stalled",
];

/// A new endpoint secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut k = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut k);
    format!("whsec_{}", STANDARD.encode(k))
}

/// `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` with the key the base64 after
/// `whsec_` (Standard Webhooks).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

fn stage_of(v: Option<&serde_json::Value>) -> &str {
    v.and_then(|a| a.get("stage"))
        .and_then(|s| s.as_str())
        .unwrap_or("")
}

/// The events one activity stands for.
fn events_of(a: &LoggedActivity, project: Option<&Project>) -> Vec<&'static str> {
    let act = &a.activity;
    match act.kind.as_str() {
        "project.created" => vec!["project.created"],
        "stage.changed" => {
            let mut v = vec!["project.stage_changed"];
            match stage_of(act.after.as_ref()) {
                "hypercare" => v.push("project.go_live"),
                "complete" => v.push("project.complete"),
                _ => {}
            }
            v
        }
        "task.completed" => vec!["task.done"],
        "task.blocked" => vec!["task.blocked"],
        "task.escalated" => vec!["task.escalated", "task.overdue"],
        "task.nudged" => {
            let overdue = act
                .subject
                .strip_prefix("task:")
                .and_then(|id| id.parse::<u32>().ok())
                .and_then(|id| project?.tasks.iter().find(|t| t.id == id))
                .is_some_and(|t| act.at.date_naive() > t.due);
            if overdue {
                vec!["task.overdue"]
            } else {
                vec![]
            }
        }
        "go_live.decided" => {
            let go = act
                .after
                .as_ref()
                .and_then(|a| a.get("go"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            vec![if go { "gate.passed" } else { "gate.failed" }]
        }
        "adoption.recorded" => {
            let stalled = act
                .after
                .as_ref()
                .and_then(|a| a.get("stall_reasons"))
                .and_then(|r| r.as_array())
                .is_some_and(|r| !r.is_empty());
            if stalled {
                vec!["adoption.stalled"]
            } else {
                vec![]
            }
        }
        _ => vec![],
    }
}

/// Turns new activities of a workspace into webhook messages.
pub async fn enqueue_events(
    app: &App,
    workspace: &str,
    report: &mut SweepReport,
) -> Result<(), AppError> {
    let endpoints = app.store.webhook_endpoints(workspace).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some(cursor) = app.store.webhook_cursor(workspace).await? else {
        return Ok(());
    };
    let now = app.now();
    let acts = app.store.activities_after(workspace, cursor, 500).await?;
    let Some(last) = acts.last().map(|a| a.seq) else {
        return Ok(());
    };
    let mut projects = super::ProjectsSeen::default();
    let mut messages = Vec::new();
    for a in &acts {
        let project = projects.get(app, workspace, &a.project_id).await?;
        for event in events_of(a, project) {
            for e in &endpoints {
                if !e.events.is_empty() && !e.events.iter().any(|x| x == event) {
                    continue;
                }
                let (name, customer) = project
                    .map(|p| (p.name.as_str(), p.customer.as_str()))
                    .unwrap_or(("", ""));
                let body = if e.target == "slack" {
                    json!({
                        "text": format!("*{}* ({customer}) — {}: {}", name, event.replace(['.', '_'], " "), a.activity.summary)
                    })
                } else {
                    json!({
                        "type": event,
                        "timestamp": a.activity.at,
                        "data": {
                            "workspace_id": workspace,
                            "project_id": a.project_id,
                            "project_name": name,
                            "customer": customer,
                            "activity": a.activity,
                        }
                    })
                };
                messages.push(NewMessage {
                    channel: "webhook".into(),
                    kind: event.into(),
                    dedupe_key: format!("wh:{}:{}:{event}", e.id, a.seq),
                    recipient: e.id.clone(),
                    subject: event.into(),
                    body: body.to_string(),
                    due_at: now,
                    attachment: None,
                });
            }
        }
    }
    report.webhook_messages += app.store.enqueue(workspace, &messages, now).await?;
    app.store.advance_webhook_cursor(workspace, last).await?;
    Ok(())
}

/// Posts one webhook message.
pub async fn deliver(app: &App, m: &OutboxMessage) -> Result<(), Failure> {
    let endpoint = app
        .store
        .webhook_endpoint(&m.workspace_id, &m.recipient)
        .await
        .map_err(|e| Failure::temporary(e.to_string()))?
        .ok_or_else(|| Failure::permanent("the endpoint was removed"))?;
    let settings = super::settings::load(app, &m.workspace_id)
        .await
        .map_err(|e| Failure::temporary(e.to_string()))?;
    let mut allow = settings.allow_hosts;
    allow.extend(app.config.notify.allow_hosts.iter().cloned());
    let url = reqwest::Url::parse(&endpoint.url)
        .map_err(|e| Failure::permanent(format!("the endpoint URL is not valid: {e}")))?;
    let addr = super::ssrf::resolve(&url, &allow)
        .await
        .map_err(Failure::permanent)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .resolve(&host, addr)
        .user_agent("Finishline-Webhooks/1")
        .build()
        .map_err(|e| Failure::temporary(e.to_string()))?;
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(m.body.clone());
    if endpoint.target != "slack" {
        let ts = chrono::Utc::now().timestamp();
        let sig = sign(&endpoint.secret, &m.id, ts, &m.body)
            .ok_or_else(|| Failure::permanent("the endpoint secret is unreadable"))?;
        req = req
            .header("webhook-id", &m.id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig);
    }
    let res = req
        .send()
        .await
        .map_err(|e| Failure::temporary(format!("POST {}: {e}", endpoint.url)))?;
    let status = res.status();
    if status.is_success() {
        Ok(())
    } else if status.is_redirection() {
        Err(Failure::temporary(format!(
            "the receiver answered {status}: redirects are not followed"
        )))
    } else {
        Err(Failure::temporary(format!(
            "the receiver answered {status}"
        )))
    }
}
