//! Workspaces, their members, login sessions and API tokens.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row as _;

use crate::audit::{kind, record_in, By};
use crate::codec::{new_id, parse_ts, ts};
use crate::credentials::{hash_secret, new_secret};
use crate::{corrupt, unique_or, Result, Row, Store};
use serde_json::json;

/// A vendor's workspace: its own members, projects and playbooks, seen by nobody else.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// Signs inbound CRM webhooks (HMAC-SHA256).
    #[serde(skip)]
    pub webhook_secret: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Manages members, tokens and settings.
    Admin,
    Member,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<UserRole> {
        match s {
            "admin" => Some(UserRole::Admin),
            "member" => Some(UserRole::Member),
            _ => None,
        }
    }
}

/// What became of a change to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// No such member in this workspace.
    NotFound,
    /// Refused: the workspace would be left without an admin.
    LastAdmin,
}

/// A member of a vendor workspace.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// An API token as listed; the secret itself is shown once, at creation.
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn workspace_of(r: &Row) -> Result<Workspace> {
    Ok(Workspace {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        webhook_secret: r.try_get("webhook_secret")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn user_of(row: &Row) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: UserRole::parse(&role).ok_or_else(|| corrupt("user role", &role))?,
        password_hash: row.try_get("password_hash")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.workspace_id, u.email, u.name, u.role, u.password_hash, u.created_at";

/// Emails are compared without case or surrounding space.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    pub async fn create_workspace(&self, name: &str, now: DateTime<Utc>) -> Result<Workspace> {
        let ws = Workspace {
            id: new_id("ws"),
            name: name.to_string(),
            webhook_secret: new_secret("whsec"),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO workspaces (id, name, webhook_secret, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&ws.id)
        .bind(&ws.name)
        .bind(&ws.webhook_secret)
        .bind(ts(now))
        .execute(&self.write)
        .await?;
        Ok(ws)
    }

    pub async fn workspace(&self, id: &str) -> Result<Option<Workspace>> {
        let row = sqlx::query(
            "SELECT id, name, webhook_secret, created_at FROM workspaces WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(workspace_of).transpose()
    }

    pub async fn workspaces(&self) -> Result<Vec<Workspace>> {
        let rows = sqlx::query(
            "SELECT id, name, webhook_secret, created_at FROM workspaces ORDER BY created_at",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(workspace_of).collect()
    }

    pub async fn rotate_webhook_secret(&self, workspace: &str, by: &By) -> Result<String> {
        let secret = new_secret("whsec");
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE workspaces SET webhook_secret = $1 WHERE id = $2")
            .bind(&secret)
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::WEBHOOK_SECRET_ROTATED,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Adds a member. `password_hash` comes from [`crate::credentials::hash_password`].
    pub async fn create_user(
        &self,
        workspace: &str,
        email: &str,
        name: &str,
        password_hash: &str,
        role: UserRole,
        by: &By,
    ) -> Result<User> {
        let now = by.at;
        let user = User {
            id: new_id("usr"),
            workspace_id: workspace.to_string(),
            email: normalise_email(email),
            name: name.trim().to_string(),
            role,
            password_hash: password_hash.to_string(),
            created_at: now,
        };
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, workspace_id, email, name, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.workspace_id)
        .bind(&user.email)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(role.as_str())
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_or(e, &format!("a user with email {}", user.email)))?;
        let detail = json!({"user_id": user.id, "email": user.email, "role": role.as_str()});
        record_in(&mut tx, Some(workspace), by, kind::MEMBER_ADDED, detail).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        ))
        .bind(normalise_email(email))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub async fn users(&self, workspace: &str) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.workspace_id = $1 ORDER BY u.created_at"
        ))
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(user_of).collect()
    }

    /// Changes a member's role. The workspace keeps at least one admin: demoting the last one is
    /// refused.
    pub async fn set_user_role(
        &self,
        workspace: &str,
        user_id: &str,
        role: UserRole,
        by: &By,
    ) -> Result<MemberChange> {
        let mut tx = self.write.begin().await?;
        match last_admin_check(&mut tx, workspace, user_id).await? {
            MemberChange::NotFound => return Ok(MemberChange::NotFound),
            MemberChange::LastAdmin if role != UserRole::Admin => {
                return Ok(MemberChange::LastAdmin)
            }
            _ => {}
        }
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND workspace_id = $3")
            .bind(role.as_str())
            .bind(user_id)
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
        let detail = json!({"user_id": user_id, "role": role.as_str()});
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::MEMBER_ROLE_CHANGED,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    /// Removes a member; their sessions and API tokens go with them (the foreign keys cascade),
    /// so they are signed out everywhere at once. The last admin cannot be removed.
    pub async fn remove_user(
        &self,
        workspace: &str,
        user_id: &str,
        by: &By,
    ) -> Result<MemberChange> {
        let mut tx = self.write.begin().await?;
        let check = last_admin_check(&mut tx, workspace, user_id).await?;
        if check != MemberChange::Done {
            return Ok(check);
        }
        let email: Option<String> =
            sqlx::query("SELECT email FROM users WHERE id = $1 AND workspace_id = $2")
                .bind(user_id)
                .bind(workspace)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("email"))
                .transpose()?;
        sqlx::query("DELETE FROM users WHERE id = $1 AND workspace_id = $2")
            .bind(user_id)
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
        let detail = json!({"user_id": user_id, "email": email});
        record_in(&mut tx, Some(workspace), by, kind::MEMBER_REMOVED, detail).await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    }

    /// Starts a login session; returns the secret for the cookie.
    pub async fn create_session(
        &self,
        user: &User,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<String> {
        let secret = new_secret("fl_ses");
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, workspace_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_secret(&secret))
        .bind(&user.id)
        .bind(&user.workspace_id)
        .bind(ts(now))
        .bind(ts(now + ttl))
        .execute(&self.write)
        .await?;
        Ok(secret)
    }

    /// The member behind a session secret, if it is live.
    pub async fn session_user(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(hash_secret(secret))
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub async fn delete_session(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_secret(secret))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Creates an API token for a member; returns it with the secret, shown this once.
    pub async fn create_api_token(
        &self,
        user: &User,
        name: &str,
        by: &By,
    ) -> Result<(ApiToken, String)> {
        let now = by.at;
        let secret = new_secret("fl_tok");
        let token = ApiToken {
            id: new_id("tok"),
            name: name.trim().to_string(),
            user_id: user.id.clone(),
            created_at: now,
            revoked_at: None,
        };
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, workspace_id, user_id, name, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token.id)
        .bind(&user.workspace_id)
        .bind(&user.id)
        .bind(&token.name)
        .bind(hash_secret(&secret))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let detail = json!({"token_id": token.id, "name": token.name, "acts_as": user.email});
        record_in(
            &mut tx,
            Some(&user.workspace_id),
            by,
            kind::TOKEN_CREATED,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok((token, secret))
    }

    pub async fn api_tokens(&self, workspace: &str) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, user_id, created_at, revoked_at FROM api_tokens \
             WHERE workspace_id = $1 ORDER BY created_at",
        )
        .bind(workspace)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let revoked: Option<String> = r.try_get("revoked_at")?;
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    user_id: r.try_get("user_id")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    revoked_at: revoked.as_deref().map(parse_ts).transpose()?,
                })
            })
            .collect()
    }

    /// Revokes a token of this workspace; false when there is no such token here.
    pub async fn revoke_api_token(&self, workspace: &str, id: &str, by: &By) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(by.at))
        .bind(id)
        .bind(workspace)
        .execute(&mut *tx)
        .await?;
        let revoked = done.rows_affected() == 1;
        if revoked {
            let detail = json!({"token_id": id});
            record_in(&mut tx, Some(workspace), by, kind::TOKEN_REVOKED, detail).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The member behind a bearer token, if it is not revoked.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        ))
        .bind(hash_secret(secret))
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_of).transpose()
    }
}

/// Whether a member exists and may stop being an admin: `LastAdmin` when they are the
/// workspace's only admin. The workspace row is locked first, so two admins demoting or removing
/// each other at once cannot both pass on PostgreSQL (SQLite has one writer anyway).
async fn last_admin_check(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    workspace: &str,
    user_id: &str,
) -> Result<MemberChange> {
    sqlx::query("UPDATE workspaces SET name = name WHERE id = $1")
        .bind(workspace)
        .execute(&mut **tx)
        .await?;
    let Some(row) = sqlx::query("SELECT role FROM users WHERE id = $1 AND workspace_id = $2")
        .bind(user_id)
        .bind(workspace)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(MemberChange::NotFound);
    };
    if row.try_get::<String, _>("role")? != UserRole::Admin.as_str() {
        return Ok(MemberChange::Done);
    }
    let admins: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE workspace_id = $1 AND role = 'admin'")
            .bind(workspace)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
    Ok(if admins > 1 {
        MemberChange::Done
    } else {
        MemberChange::LastAdmin
    })
}
