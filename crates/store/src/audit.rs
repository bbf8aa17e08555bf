//! The audit trail of security events (`audit_events`, migration 0006): sign-ins, failed
//! sign-ins, lockouts and throttled requests. Append-only: the store inserts and reads, it never
//! updates or deletes a row.
//!
//! An event belongs to a workspace when one is known; a failed sign-in with an email no member
//! has, or a request refused before it named anyone, has none. Reads are per workspace (what a
//! workspace admin may see) or of the events without a workspace (what a server operator sees).

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use crate::codec::{from_json, parse_ts, to_json, ts};
use crate::{Result, Store};

/// The kinds of event the server records, named `<what>.<outcome>`.
pub mod kind {
    /// A member signed in with their password.
    pub const SIGN_IN_SUCCEEDED: &str = "sign_in.succeeded";
    /// A password sign-in was refused (wrong password or unknown email).
    pub const SIGN_IN_FAILED: &str = "sign_in.failed";
    /// A customer opened the portal with an invitation link.
    pub const PORTAL_JOINED: &str = "portal.joined";
    /// An invitation or signed email link was refused (unknown, used, expired, revoked, forged).
    pub const LINK_REFUSED: &str = "link.refused";
    /// Too many failures: an account or a client address is locked for a while.
    pub const LOCKOUT_STARTED: &str = "lockout.started";
    /// A request was refused because its account or address is locked, or the server was too
    /// busy to take it (detail `reason`).
    pub const REQUEST_THROTTLED: &str = "request.throttled";
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    /// `None` when no workspace is known.
    pub workspace_id: Option<String>,
    /// Who: a member's email, the email typed at sign-in, or `anonymous`.
    pub actor: String,
    /// One of [`kind`].
    pub kind: String,
    /// A JSON object with what else is worth knowing (never a password or a secret).
    pub detail: serde_json::Value,
    /// The client's address as the server saw it.
    pub client_address: Option<String>,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEvent {
    /// Increasing in the order events were recorded.
    pub id: i64,
    pub workspace_id: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub detail: serde_json::Value,
    pub client_address: Option<String>,
}

fn event(r: &crate::Row) -> Result<AuditEvent> {
    let at: String = r.try_get("at")?;
    let detail: String = r.try_get("detail")?;
    Ok(AuditEvent {
        id: r.try_get("id")?,
        workspace_id: r.try_get("workspace_id")?,
        at: parse_ts(&at)?,
        actor: r.try_get("actor")?,
        kind: r.try_get("kind")?,
        detail: from_json("audit detail", &detail)?,
        client_address: r.try_get("client_address")?,
    })
}

const COLUMNS: &str = "id, workspace_id, at, actor, kind, detail, client_address";

impl Store {
    /// Appends one event.
    pub async fn record_audit(&self, e: &NewAuditEvent, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (workspace_id, at, actor, kind, detail, client_address) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.workspace_id.clone())
        .bind(ts(at))
        .bind(&e.actor)
        .bind(&e.kind)
        .bind(to_json(&e.detail)?)
        .bind(e.client_address.clone())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The latest events of one workspace, newest first.
    pub async fn audit_events(&self, workspace: &str, limit: u32) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(event).collect()
    }

    /// The latest events that belong to no workspace (unknown emails, refused links, busy
    /// refusals), newest first: for the server's operator, never shown to a workspace.
    pub async fn audit_events_without_workspace(&self, limit: u32) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE workspace_id IS NULL ORDER BY id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(event).collect()
    }
}
