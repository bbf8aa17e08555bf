//! Customer portal access: invitation links and the portal sessions they start.
//!
//! An invitation is created by a vendor member for one customer person of one project. Its
//! secret is shown once and stored as SHA-256; it expires, can be revoked, and starts exactly one
//! portal session. A portal session is bound to the workspace, the project and the person, and
//! ends when it expires or when its invitation is revoked.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row as _;

use crate::audit::{kind, record_in, By};
use crate::codec::{new_id, parse_ts, ts};
use crate::credentials::{hash_secret, new_secret};
use crate::{corrupt, Result, Row, Store};
use serde_json::json;

/// An invitation as listed; the link's secret is shown once, at creation.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: String,
    pub project_id: String,
    pub person_id: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// Still able to start a session.
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && self.expires_at > now
    }
}

/// Where the email of an invitation is (its outbox message, keyed `invitation:<project>:<id>`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvitationMail {
    pub invitation_id: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The outbox key of an invitation's email: one email per invitation.
pub fn invitation_mail_key(project: &str, invitation: &str) -> String {
    format!("invitation:{project}:{invitation}")
}

/// Who a portal cookie belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct PortalSession {
    pub workspace_id: String,
    pub project_id: String,
    pub person_id: u32,
    pub invitation_id: String,
    pub expires_at: DateTime<Utc>,
}

fn opt_ts(r: &Row, col: &str) -> Result<Option<DateTime<Utc>>> {
    let v: Option<String> = r.try_get(col)?;
    v.as_deref().map(parse_ts).transpose()
}

fn person_of(r: &Row) -> Result<u32> {
    let v: i64 = r.try_get("person_id")?;
    u32::try_from(v).map_err(|e| corrupt("person id", e))
}

fn invitation_of(r: &Row) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        person_id: person_of(r)?,
        created_by: r.try_get("created_by")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
        used_at: opt_ts(r, "used_at")?,
        revoked_at: opt_ts(r, "revoked_at")?,
    })
}

const INVITATION_COLUMNS: &str =
    "id, project_id, person_id, created_by, created_at, expires_at, used_at, revoked_at";

impl Store {
    /// Creates an invitation for a person of a project; returns it with the secret, shown once.
    pub async fn create_invitation(
        &self,
        workspace: &str,
        project: &str,
        person: u32,
        created_by: &str,
        by: &By,
        ttl: chrono::Duration,
    ) -> Result<(Invitation, String)> {
        let mut tx = self.write.begin().await?;
        let made =
            insert_invitation(&mut tx, workspace, project, person, created_by, by.at, ttl).await?;
        let detail =
            json!({"invitation_id": made.0.id, "project_id": project, "person_id": person});
        record_in(&mut tx, Some(workspace), by, kind::PORTAL_INVITED, detail).await?;
        tx.commit().await?;
        Ok(made)
    }

    /// One invitation of a project.
    pub async fn invitation(
        &self,
        workspace: &str,
        project: &str,
        id: &str,
    ) -> Result<Option<Invitation>> {
        let row = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM portal_invitations \
             WHERE workspace_id = $1 AND project_id = $2 AND id = $3"
        ))
        .bind(workspace)
        .bind(project)
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(invitation_of).transpose()
    }

    /// A new link for the person of an invitation of this project, the old one revoked (and so
    /// every session it started), in one transaction; `None` when there is no such invitation.
    pub async fn replace_invitation(
        &self,
        workspace: &str,
        project: &str,
        old: &str,
        created_by: &str,
        by: &By,
        ttl: chrono::Duration,
    ) -> Result<Option<(Invitation, String)>> {
        let now = by.at;
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT person_id FROM portal_invitations \
             WHERE workspace_id = $1 AND project_id = $2 AND id = $3",
        )
        .bind(workspace)
        .bind(project)
        .bind(old)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let person = person_of(&row)?;
        sqlx::query(
            "UPDATE portal_invitations SET revoked_at = $1 \
             WHERE id = $2 AND workspace_id = $3 AND project_id = $4 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(old)
        .bind(workspace)
        .bind(project)
        .execute(&mut *tx)
        .await?;
        let (inv, secret) =
            insert_invitation(&mut tx, workspace, project, person, created_by, now, ttl).await?;
        let detail = json!({"old_invitation_id": old, "invitation_id": inv.id, "project_id": project, "person_id": person});
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::PORTAL_INVITATION_REPLACED,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Some((inv, secret)))
    }

    /// The emails of this project's invitations, as the outbox has them.
    pub async fn invitation_mails(
        &self,
        workspace: &str,
        project: &str,
    ) -> Result<Vec<InvitationMail>> {
        let prefix = invitation_mail_key(project, "");
        let rows = sqlx::query(
            "SELECT dedupe_key, sent_at, failed_at, attempts, last_error FROM outbox \
             WHERE workspace_id = $1 AND kind = 'invitation' AND dedupe_key LIKE $2",
        )
        .bind(workspace)
        .bind(format!("{prefix}%"))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let key: String = r.try_get("dedupe_key")?;
                Ok(InvitationMail {
                    invitation_id: key.strip_prefix(&prefix).unwrap_or(&key).to_string(),
                    sent_at: opt_ts(r, "sent_at")?,
                    failed_at: opt_ts(r, "failed_at")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// The invitations of a project, newest first.
    pub async fn invitations(&self, workspace: &str, project: &str) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM portal_invitations \
             WHERE workspace_id = $1 AND project_id = $2 ORDER BY created_at DESC, id"
        ))
        .bind(workspace)
        .bind(project)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(invitation_of).collect()
    }

    /// Revokes an invitation of this project (and so every session it started); false when there
    /// is no such live invitation here.
    pub async fn revoke_invitation(
        &self,
        workspace: &str,
        project: &str,
        id: &str,
        by: &By,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE portal_invitations SET revoked_at = $1 \
             WHERE id = $2 AND workspace_id = $3 AND project_id = $4 AND revoked_at IS NULL",
        )
        .bind(ts(by.at))
        .bind(id)
        .bind(workspace)
        .bind(project)
        .execute(&mut *tx)
        .await?;
        let revoked = done.rows_affected() == 1;
        if revoked {
            let detail = json!({"invitation_id": id, "project_id": project});
            record_in(
                &mut tx,
                Some(workspace),
                by,
                kind::PORTAL_INVITATION_REVOKED,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The invitation behind a link's secret, whatever its state (to explain why it does not work).
    pub async fn invitation_by_secret(&self, secret: &str) -> Result<Option<Invitation>> {
        let row = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM portal_invitations WHERE token_hash = $1"
        ))
        .bind(hash_secret(secret))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(invitation_of).transpose()
    }

    /// Uses an invitation once: when it is live, marks it used and starts a portal session;
    /// returns the session with its secret for the cookie. Two concurrent uses start one session.
    pub async fn redeem_invitation(
        &self,
        secret: &str,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<Option<(PortalSession, String)>> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE portal_invitations SET used_at = $1 WHERE token_hash = $2 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(ts(now))
        .bind(hash_secret(secret))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, workspace_id, project_id, person_id FROM portal_invitations WHERE token_hash = $1",
        )
        .bind(hash_secret(secret))
        .fetch_one(&mut *tx)
        .await?;
        let session = PortalSession {
            workspace_id: row.try_get("workspace_id")?,
            project_id: row.try_get("project_id")?,
            person_id: person_of(&row)?,
            invitation_id: row.try_get("id")?,
            expires_at: now + ttl,
        };
        let session_secret = new_secret("fl_por");
        sqlx::query(
            "INSERT INTO portal_sessions (token_hash, invitation_id, workspace_id, project_id, \
             person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash_secret(&session_secret))
        .bind(&session.invitation_id)
        .bind(&session.workspace_id)
        .bind(&session.project_id)
        .bind(i64::from(session.person_id))
        .bind(ts(now))
        .bind(ts(session.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((session, session_secret)))
    }

    /// The portal session behind a cookie secret, if it is live and its invitation not revoked.
    pub async fn portal_session(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PortalSession>> {
        let row = sqlx::query(
            "SELECT s.invitation_id, s.workspace_id, s.project_id, s.person_id, s.expires_at \
             FROM portal_sessions s JOIN portal_invitations i ON i.id = s.invitation_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND i.revoked_at IS NULL",
        )
        .bind(hash_secret(secret))
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(PortalSession {
                workspace_id: r.try_get("workspace_id")?,
                project_id: r.try_get("project_id")?,
                person_id: person_of(&r)?,
                invitation_id: r.try_get("invitation_id")?,
                expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
            })
        })
        .transpose()
    }

    pub async fn delete_portal_session(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM portal_sessions WHERE token_hash = $1")
            .bind(hash_secret(secret))
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

/// Writes a new invitation with a fresh secret; returns it with the secret, shown once.
async fn insert_invitation(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    workspace: &str,
    project: &str,
    person: u32,
    created_by: &str,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<(Invitation, String)> {
    let secret = new_secret("fl_inv");
    let inv = Invitation {
        id: new_id("inv"),
        project_id: project.to_string(),
        person_id: person,
        created_by: created_by.to_string(),
        created_at: now,
        expires_at: now + ttl,
        used_at: None,
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO portal_invitations (id, workspace_id, project_id, person_id, token_hash, \
         created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&inv.id)
    .bind(workspace)
    .bind(project)
    .bind(i64::from(person))
    .bind(hash_secret(&secret))
    .bind(created_by)
    .bind(ts(now))
    .bind(ts(inv.expires_at))
    .execute(&mut **tx)
    .await?;
    Ok((inv, secret))
}
