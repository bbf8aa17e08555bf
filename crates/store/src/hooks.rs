//! Outbound webhook endpoints, and reading the activity log in order to turn it into deliveries.

use chrono::{DateTime, Utc};
use finishline_core::Activity;
use serde::Serialize;
use sqlx::Row as _;

use crate::audit::{kind, record_in, By};
use crate::codec::{from_json, new_id, parse_ts, to_json, ts};
use crate::{Result, Row, Store};
use serde_json::json;

/// Where a workspace's events are posted.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// `standard` (Standard Webhooks, signed JSON) or `slack` (an incoming-webhook URL).
    pub target: String,
    /// `whsec_…`: signs deliveries to a standard endpoint.
    #[serde(skip)]
    pub secret: String,
    /// Event types to send; empty means all.
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// An activity with its place in the log.
#[derive(Debug, Clone)]
pub struct LoggedActivity {
    pub seq: i64,
    pub project_id: String,
    pub activity: Activity,
}

fn endpoint_of(r: &Row) -> Result<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        target: r.try_get("target")?,
        secret: r.try_get("secret")?,
        events: from_json("webhook events", &r.try_get::<String, _>("events")?)?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

impl Store {
    /// Adds an endpoint; events logged from now on are delivered to it.
    pub async fn create_webhook_endpoint(
        &self,
        workspace: &str,
        url: &str,
        target: &str,
        secret: &str,
        events: &[String],
        by: &By,
    ) -> Result<WebhookEndpoint> {
        let now = by.at;
        let mut tx = self.write.begin().await?;
        let id = new_id("whe");
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, workspace_id, url, target, secret, events, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(workspace)
        .bind(url)
        .bind(target)
        .bind(secret)
        .bind(to_json(&events)?)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        // The first endpoint starts the workspace's cursor at the end of the log: no history floods it.
        sqlx::query(
            "INSERT INTO webhook_cursors (workspace_id, last_seq) \
             SELECT $1, COALESCE(MAX(seq), 0) FROM activities WHERE workspace_id = $1 \
             ON CONFLICT DO NOTHING",
        )
        .bind(workspace)
        .execute(&mut *tx)
        .await?;
        let detail = json!({"endpoint_id": id, "url": url, "target": target, "events": events});
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::WEBHOOK_ENDPOINT_ADDED,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(WebhookEndpoint {
            id,
            url: url.to_string(),
            target: target.to_string(),
            secret: secret.to_string(),
            events: events.to_vec(),
            created_at: now,
        })
    }

    /// The workspace's active endpoints.
    pub async fn webhook_endpoints(&self, workspace: &str) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(
            "SELECT id, url, target, secret, events, created_at FROM webhook_endpoints \
             WHERE workspace_id = $1 AND disabled_at IS NULL ORDER BY created_at, id",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(endpoint_of).collect()
    }

    pub async fn webhook_endpoint(
        &self,
        workspace: &str,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>> {
        let row = sqlx::query(
            "SELECT id, url, target, secret, events, created_at FROM webhook_endpoints \
             WHERE workspace_id = $1 AND id = $2 AND disabled_at IS NULL",
        )
        .bind(workspace)
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(endpoint_of).transpose()
    }

    /// Stops deliveries to an endpoint; true when it existed.
    pub async fn disable_webhook_endpoint(
        &self,
        workspace: &str,
        id: &str,
        by: &By,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET disabled_at = $1 WHERE workspace_id = $2 AND id = $3 \
             AND disabled_at IS NULL",
        )
        .bind(ts(by.at))
        .bind(workspace)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let disabled = done.rows_affected() == 1;
        if disabled {
            let detail = json!({"endpoint_id": id});
            record_in(
                &mut tx,
                Some(workspace),
                by,
                kind::WEBHOOK_ENDPOINT_DISABLED,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(disabled)
    }

    /// How far the workspace's log has been turned into deliveries; `None` before any endpoint.
    pub async fn webhook_cursor(&self, workspace: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT last_seq FROM webhook_cursors WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_optional(&self.write)
            .await?;
        row.map(|r| Ok(r.try_get::<i64, _>("last_seq")?))
            .transpose()
    }

    /// Moves the cursor forward (never back).
    pub async fn advance_webhook_cursor(&self, workspace: &str, to: i64) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_cursors SET last_seq = $1 WHERE workspace_id = $2 AND last_seq < $1",
        )
        .bind(to)
        .bind(workspace)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// How far `reader` has read the workspace's log. A reader seen for the first time starts
    /// at the log's end: it acts on what happens from now on, not on the history.
    pub async fn log_cursor(&self, workspace: &str, reader: &str) -> Result<i64> {
        sqlx::query(
            "INSERT INTO log_cursors (workspace_id, reader, last_seq) \
             SELECT $1, $2, COALESCE(MAX(seq), 0) FROM activities WHERE workspace_id = $1 \
             ON CONFLICT (workspace_id, reader) DO NOTHING",
        )
        .bind(workspace)
        .bind(reader)
        .execute(&self.write)
        .await?;
        let row =
            sqlx::query("SELECT last_seq FROM log_cursors WHERE workspace_id = $1 AND reader = $2")
                .bind(workspace)
                .bind(reader)
                .fetch_one(&self.write)
                .await?;
        Ok(row.try_get("last_seq")?)
    }

    /// Moves `reader`'s cursor forward (never back).
    pub async fn advance_log_cursor(&self, workspace: &str, reader: &str, to: i64) -> Result<()> {
        sqlx::query(
            "UPDATE log_cursors SET last_seq = $1 \
             WHERE workspace_id = $2 AND reader = $3 AND last_seq < $1",
        )
        .bind(to)
        .bind(workspace)
        .bind(reader)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Activities of the workspace logged after `after_seq`, in log order.
    pub async fn activities_after(
        &self,
        workspace: &str,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<LoggedActivity>> {
        let rows = sqlx::query(
            "SELECT seq, project_id, doc FROM activities WHERE workspace_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3",
        )
        .bind(workspace)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoggedActivity {
                    seq: r.try_get("seq")?,
                    project_id: r.try_get("project_id")?,
                    activity: from_json("activity", &r.try_get::<String, _>("doc")?)?,
                })
            })
            .collect()
    }
}
