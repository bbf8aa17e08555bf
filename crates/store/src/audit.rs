//! The audit trail (`audit_events`, migration 0006): sign-ins, failed sign-ins, lockouts and
//! throttled requests, and every change to who may do what — members and roles, API tokens,
//! single sign-on, webhook and notification settings, portal invitations — plus backups and exports.
//! Append-only: the store inserts and reads, it never updates or deletes a row.
//!
//! A change to access is recorded by the store function that makes it, in the same transaction
//! (each takes a [`By`]): no caller can make the change and forget the record, and a change that
//! rolls back leaves no record of something that did not happen.
//!
//! An event belongs to a workspace when one is known; a failed sign-in with an email no member
//! has, or a request refused before it named anyone, has none. Reads are per workspace (what a
//! workspace admin may see) or of the events without a workspace (what a server operator sees).

use chrono::{DateTime, Utc};
use sqlx::{Any, Row as _, Transaction};

use crate::codec::{from_json, parse_ts, to_json, ts};
use crate::{Result, Store};

/// The kinds of event the server records, named `<what>.<outcome>`.
pub mod kind {
    /// A member signed in, with their password or through SSO (detail `method`).
    pub const SIGN_IN_SUCCEEDED: &str = "sign_in.succeeded";
    /// A sign-in was refused: a wrong password or unknown email, password sign-in while the
    /// workspace requires SSO, or an SSO sign-in the server would not accept (detail `method`,
    /// `reason`).
    pub const SIGN_IN_FAILED: &str = "sign_in.failed";
    /// A customer opened the portal with an invitation link.
    pub const PORTAL_JOINED: &str = "portal.joined";
    /// An invitation or signed email link was refused (unknown, used, expired, revoked, forged).
    pub const LINK_REFUSED: &str = "link.refused";
    /// A member was added to the workspace (detail: user id, email, role).
    pub const MEMBER_ADDED: &str = "member.added";
    /// A member's role changed (detail: user id, new role).
    pub const MEMBER_ROLE_CHANGED: &str = "member.role_changed";
    /// A member was removed, and signed out everywhere (detail: user id).
    pub const MEMBER_REMOVED: &str = "member.removed";
    /// An API token was created (detail: token id, name, the member it acts as).
    pub const TOKEN_CREATED: &str = "token.created";
    /// An API token was revoked (detail: token id).
    pub const TOKEN_REVOKED: &str = "token.revoked";
    /// The CRM webhook signing secret was replaced.
    pub const WEBHOOK_SECRET_ROTATED: &str = "settings.webhook_secret_rotated";
    /// An outbound webhook endpoint was added (detail: endpoint id, URL).
    pub const WEBHOOK_ENDPOINT_ADDED: &str = "webhook.endpoint_added";
    /// An outbound webhook endpoint was disabled (detail: endpoint id).
    pub const WEBHOOK_ENDPOINT_DISABLED: &str = "webhook.endpoint_disabled";
    /// The workspace's single sign-on settings changed (detail: every setting but the secret,
    /// whether the secret changed, and how many sessions "require SSO" ended).
    pub const SSO_SETTINGS_CHANGED: &str = "settings.sso_changed";
    /// The workspace's notification settings changed.
    pub const NOTIFY_SETTINGS_CHANGED: &str = "settings.notifications_changed";
    /// A customer was invited to a project's portal (detail: invitation, project, person).
    pub const PORTAL_INVITED: &str = "portal.invited";
    /// A portal invitation was replaced by a new link (detail: old and new invitation).
    pub const PORTAL_INVITATION_REPLACED: &str = "portal.invitation_replaced";
    /// A portal invitation was revoked (detail: invitation, project).
    pub const PORTAL_INVITATION_REVOKED: &str = "portal.invitation_revoked";
    /// A person's calendar feed link was replaced; the old one stops working (detail: whose).
    pub const CALENDAR_LINK_REPLACED: &str = "calendar.link_replaced";
    /// A copy of the whole database was written (`finishline backup`; no workspace).
    pub const BACKUP_WRITTEN: &str = "backup.written";
    /// Workspace data left the server as a download or export (detail: what).
    pub const EXPORT_DOWNLOADED: &str = "export.downloaded";
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

/// Who makes a change the trail records, when, and from where.
#[derive(Debug, Clone)]
pub struct By {
    /// A member's email, `command line`, or what else acted.
    pub actor: String,
    pub client_address: Option<String>,
    pub at: DateTime<Utc>,
}

impl By {
    pub fn new(actor: impl Into<String>, client_address: Option<String>, at: DateTime<Utc>) -> By {
        By {
            actor: actor.into(),
            client_address,
            at,
        }
    }

    /// Someone at the server's own command line (`finishline user create`, `token create`, …).
    pub fn command_line(at: DateTime<Utc>) -> By {
        By::new("command line", None, at)
    }
}

/// Appends one event inside the caller's transaction.
pub(crate) async fn record_in(
    tx: &mut Transaction<'_, Any>,
    workspace: Option<&str>,
    by: &By,
    kind: &str,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, at, actor, kind, detail, client_address) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(workspace.map(str::to_string))
    .bind(ts(by.at))
    .bind(&by.actor)
    .bind(kind)
    .bind(to_json(&detail)?)
    .bind(by.client_address.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which events of a workspace to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exactly this actor (an email, `command line`).
    pub actor: Option<String>,
    /// A kind (`member.added`) or a family of kinds (`member`).
    pub kind: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
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

    /// Records that workspace data left the server (a download, an export); written once the
    /// data is ready to go, since nothing else changes to share a transaction with.
    pub async fn record_export(
        &self,
        workspace: &str,
        by: &By,
        detail: serde_json::Value,
    ) -> Result<()> {
        let e = NewAuditEvent {
            workspace_id: Some(workspace.to_string()),
            actor: by.actor.clone(),
            kind: kind::EXPORT_DOWNLOADED.to_string(),
            detail,
            client_address: by.client_address.clone(),
        };
        self.record_audit(&e, by.at).await
    }

    /// One workspace's events matching `filter`, newest first.
    pub async fn audit_trail(
        &self,
        workspace: &str,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEvent>> {
        // A family (`sign_in`) matches its kinds by their first characters, not by LIKE: `_`
        // is a LIKE wildcard, so `sign_in.%` would also match a `signXin.` family.
        let family = filter
            .kind
            .as_ref()
            .map(|k| format!("{k}."))
            .unwrap_or_default();
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE workspace_id = $1 \
             AND ($2 = '' OR actor = $2) \
             AND ($3 = '' OR kind = $3 OR SUBSTR(kind, 1, CAST($4 AS INTEGER)) = $5) \
             AND ($6 = '' OR at >= $6) AND ($7 = '' OR at < $7) \
             ORDER BY id DESC LIMIT $8"
        ))
        .bind(workspace)
        .bind(filter.actor.clone().unwrap_or_default())
        .bind(filter.kind.clone().unwrap_or_default())
        .bind(i64::try_from(family.chars().count()).unwrap_or(i64::MAX))
        .bind(family)
        .bind(filter.from.map(ts).unwrap_or_default())
        .bind(filter.to.map(ts).unwrap_or_default())
        .bind(i64::from(filter.limit))
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
