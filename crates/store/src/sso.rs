//! Single sign-on with OpenID Connect (migration 0007): each workspace's provider settings, the
//! email domains it claims, the sign-ins sent to the provider and not back yet, and what a
//! verified identity becomes — a member signed in, a member created, or a refusal — each with
//! its record in the audit trail, in the same transaction.
//!
//! The protocol itself (discovery, the code exchange, checking the ID token) is the web layer's;
//! the store only keeps what it needs between the two legs and decides membership.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Any, Row as _, Transaction};

use crate::audit::{kind, record_in, By};
use crate::codec::{new_id, parse_ts, ts};
use crate::credentials::{hash_secret, NO_PASSWORD};
use crate::workspaces::{normalise_email, user_of, USER_COLUMNS};
use crate::{corrupt, Result, Row, Store, StoreError, User, UserRole};

/// A workspace's single sign-on, as stored.
#[derive(Clone)]
pub struct SsoSettings {
    pub workspace_id: String,
    /// Off: the settings are kept, nobody signs in with them, and passwords work.
    pub enabled: bool,
    /// The provider's issuer URL, exactly as its discovery document names itself.
    pub issuer: String,
    pub client_id: String,
    /// Sent to the provider's token endpoint; never shown back.
    pub client_secret: String,
    /// Lower-case email domains whose people may join on first sign-in.
    pub allowed_domains: Vec<String>,
    pub new_member_role: UserRole,
    /// Password sign-in refused for everyone but the break-glass admin.
    pub require_sso: bool,
    pub break_glass_email: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("workspace_id", &self.workspace_id)
            .field("enabled", &self.enabled)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("allowed_domains", &self.allowed_domains)
            .field("new_member_role", &self.new_member_role)
            .field("require_sso", &self.require_sso)
            .field("break_glass_email", &self.break_glass_email)
            .finish()
    }
}

impl SsoSettings {
    /// Whether password sign-in is refused to this member.
    pub fn refuses_password_for(&self, user: &User) -> bool {
        let break_glass = self
            .break_glass_email
            .as_deref()
            .is_some_and(|e| e == user.email && user.role == UserRole::Admin);
        self.enabled && self.require_sso && !break_glass
    }
}

/// New settings from an admin. `client_secret: None` keeps the stored one.
#[derive(Clone)]
pub struct NewSsoSettings {
    pub enabled: bool,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub allowed_domains: Vec<String>,
    pub new_member_role: UserRole,
    pub require_sso: bool,
    pub break_glass_email: Option<String>,
}

impl std::fmt::Debug for NewSsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSsoSettings")
            .field("enabled", &self.enabled)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("allowed_domains", &self.allowed_domains)
            .field("new_member_role", &self.new_member_role)
            .field("require_sso", &self.require_sso)
            .field("break_glass_email", &self.break_glass_email)
            .finish()
    }
}

/// Why new settings were not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoSettingsRefused {
    /// First set-up without a client secret.
    SecretMissing,
    /// A domain another workspace of this server claims.
    DomainTaken(String),
    /// Require SSO without a break-glass admin, or one who is not an admin here with a password.
    BreakGlassNotAdmin(Option<String>),
}

/// A sign-in sent to the provider, kept until the browser comes back.
#[derive(Debug, Clone)]
pub struct SsoAttempt {
    pub workspace_id: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go once signed in (a path of this site).
    pub next_path: String,
    pub expires_at: DateTime<Utc>,
}

/// What a verified identity became.
#[derive(Debug, Clone)]
pub enum SsoOutcome {
    /// An existing member of the workspace.
    SignedIn(User),
    /// A new member, created now because their domain is allowed.
    Joined(User),
    /// Refused: no member has this email and its domain is not allowed (the domain).
    DomainNotAllowed(String),
    /// Refused: the email belongs to a member of another workspace of this server.
    OtherWorkspace,
}

fn settings_of(r: &Row, domains: Vec<String>) -> Result<SsoSettings> {
    let role: String = r.try_get("new_member_role")?;
    Ok(SsoSettings {
        workspace_id: r.try_get("workspace_id")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        issuer: r.try_get("issuer")?,
        client_id: r.try_get("client_id")?,
        client_secret: r.try_get("client_secret")?,
        allowed_domains: domains,
        new_member_role: UserRole::parse(&role).ok_or_else(|| corrupt("SSO role", &role))?,
        require_sso: r.try_get::<i64, _>("require_sso")? != 0,
        break_glass_email: r.try_get("break_glass_email")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// The domain of an email, lower case (`None` without an `@`).
pub fn email_domain(email: &str) -> Option<String> {
    let email = normalise_email(email);
    let (_, domain) = email.rsplit_once('@')?;
    (!domain.is_empty()).then(|| domain.to_string())
}

const SETTINGS_COLUMNS: &str = "workspace_id, enabled, issuer, client_id, client_secret, \
     new_member_role, require_sso, break_glass_email, updated_at";

impl Store {
    /// A workspace's SSO settings, if it set them up.
    pub async fn sso_settings(&self, workspace: &str) -> Result<Option<SsoSettings>> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {SETTINGS_COLUMNS} FROM sso_settings WHERE workspace_id = $1"
        ))
        .bind(workspace)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let domains =
            sqlx::query("SELECT domain FROM sso_domains WHERE workspace_id = $1 ORDER BY domain")
                .bind(workspace)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| r.try_get("domain"))
                .collect::<Result<Vec<String>, _>>()?;
        settings_of(&row, domains).map(Some)
    }

    /// The SSO of the workspace an email signs in to: its member's workspace, or else the one
    /// that claims its domain. `None` when neither has SSO set up and enabled.
    pub async fn sso_for_email(&self, email: &str) -> Result<Option<SsoSettings>> {
        let email = normalise_email(email);
        let member_ws: Option<String> =
            sqlx::query("SELECT workspace_id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(&self.read)
                .await?
                .map(|r| r.try_get("workspace_id"))
                .transpose()?;
        let ws = match member_ws {
            Some(ws) => Some(ws),
            None => match email_domain(&email) {
                Some(domain) => {
                    sqlx::query("SELECT workspace_id FROM sso_domains WHERE domain = $1")
                        .bind(domain)
                        .fetch_optional(&self.read)
                        .await?
                        .map(|r| r.try_get("workspace_id"))
                        .transpose()?
                }
                None => None,
            },
        };
        let Some(ws) = ws else { return Ok(None) };
        Ok(self.sso_settings(&ws).await?.filter(|s| s.enabled))
    }

    /// Saves a workspace's SSO settings and records the change (never the secret). Turning
    /// "require SSO" on ends every session of the workspace but the break-glass admin's and
    /// the acting admin's, so nobody stays signed in by password.
    pub async fn put_sso_settings(
        &self,
        workspace: &str,
        new: &NewSsoSettings,
        by: &By,
    ) -> Result<Result<SsoSettings, SsoSettingsRefused>> {
        let mut tx = self.write.begin().await?;
        let old: Option<(String, bool)> = sqlx::query(
            "SELECT client_secret, require_sso FROM sso_settings WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<(String, bool)> {
            Ok((
                r.try_get("client_secret")?,
                r.try_get::<i64, _>("require_sso")? != 0,
            ))
        })
        .transpose()?;
        let secret = match (&new.client_secret, &old) {
            (Some(s), _) => s.clone(),
            (None, Some((s, _))) => s.clone(),
            (None, None) => return Ok(Err(SsoSettingsRefused::SecretMissing)),
        };
        let break_glass = new.break_glass_email.as_deref().map(normalise_email);
        if new.require_sso && !is_admin(&mut tx, workspace, break_glass.as_deref()).await? {
            return Ok(Err(SsoSettingsRefused::BreakGlassNotAdmin(break_glass)));
        }
        for domain in &new.allowed_domains {
            let owner: Option<String> =
                sqlx::query("SELECT workspace_id FROM sso_domains WHERE domain = $1")
                    .bind(domain)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get("workspace_id"))
                    .transpose()?;
            if owner.is_some_and(|o| o != workspace) {
                return Ok(Err(SsoSettingsRefused::DomainTaken(domain.clone())));
            }
        }
        sqlx::query("DELETE FROM sso_settings WHERE workspace_id = $1")
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO sso_settings ({SETTINGS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(workspace)
        .bind(i64::from(new.enabled))
        .bind(&new.issuer)
        .bind(&new.client_id)
        .bind(&secret)
        .bind(new.new_member_role.as_str())
        .bind(i64::from(new.require_sso))
        .bind(break_glass.clone())
        .bind(ts(by.at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sso_domains WHERE workspace_id = $1")
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
        for domain in &new.allowed_domains {
            sqlx::query("INSERT INTO sso_domains (domain, workspace_id) VALUES ($1, $2)")
                .bind(domain)
                .bind(workspace)
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::unique_or(e, &format!("the SSO domain {domain}")))?;
        }
        let was_required = old.as_ref().is_some_and(|(_, r)| *r);
        let sessions_ended = if new.enabled && new.require_sso && !was_required {
            end_password_sessions(
                &mut tx,
                workspace,
                &[break_glass.as_deref(), Some(&by.actor)],
            )
            .await?
        } else {
            0
        };
        let detail = json!({
            "enabled": new.enabled,
            "issuer": new.issuer,
            "client_id": new.client_id,
            "client_secret_changed": new.client_secret.is_some(),
            "allowed_domains": new.allowed_domains,
            "new_member_role": new.new_member_role.as_str(),
            "require_sso": new.require_sso,
            "break_glass_email": break_glass,
            "sessions_ended": sessions_ended,
        });
        record_in(
            &mut tx,
            Some(workspace),
            by,
            kind::SSO_SETTINGS_CHANGED,
            detail,
        )
        .await?;
        tx.commit().await?;
        let saved = self.sso_settings(workspace).await?;
        saved
            .map(Ok)
            .ok_or_else(|| StoreError::Corrupt("SSO settings vanished after saving".into()))
    }

    /// Keeps a sign-in sent to the provider; forgets the ones whose time ran out.
    pub async fn start_sso_attempt(
        &self,
        state: &str,
        attempt: &SsoAttempt,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM sso_attempts WHERE expires_at < $1")
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_attempts (state_hash, workspace_id, nonce, pkce_verifier, next_path, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash_secret(state))
        .bind(&attempt.workspace_id)
        .bind(&attempt.nonce)
        .bind(&attempt.pkce_verifier)
        .bind(&attempt.next_path)
        .bind(ts(now))
        .bind(ts(attempt.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the sign-in a state belongs to, once: the row is deleted as it is read, so the same
    /// state coming back again finds nothing. An expired attempt is returned (and gone) for the
    /// caller to refuse with the right words.
    pub async fn take_sso_attempt(&self, state: &str) -> Result<Option<SsoAttempt>> {
        let row = sqlx::query(
            "DELETE FROM sso_attempts WHERE state_hash = $1 \
             RETURNING workspace_id, nonce, pkce_verifier, next_path, expires_at",
        )
        .bind(hash_secret(state))
        .fetch_optional(&self.write)
        .await?;
        row.map(|r| -> Result<SsoAttempt> {
            Ok(SsoAttempt {
                workspace_id: r.try_get("workspace_id")?,
                nonce: r.try_get("nonce")?,
                pkce_verifier: r.try_get("pkce_verifier")?,
                next_path: r.try_get("next_path")?,
                expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
            })
        })
        .transpose()
    }

    /// What an identity the provider vouched for becomes in `workspace`: its member signed in,
    /// a new member (when the domain is allowed), or a refusal. The outcome is recorded in the
    /// audit trail in the same transaction (a new member also as `member.added`).
    pub async fn sso_sign_in(
        &self,
        settings: &SsoSettings,
        email: &str,
        name: &str,
        subject: &str,
        by: &By,
    ) -> Result<SsoOutcome> {
        let ws = settings.workspace_id.as_str();
        let email = normalise_email(email);
        let mut tx = self.write.begin().await?;
        let existing = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        ))
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(user_of)
        .transpose()?;
        let domain = email_domain(&email).unwrap_or_default();
        let outcome = match existing {
            Some(user) if user.workspace_id == ws => SsoOutcome::SignedIn(user),
            Some(_) => SsoOutcome::OtherWorkspace,
            None if settings.allowed_domains.contains(&domain) => {
                let user = insert_member(&mut tx, settings, &email, name, by).await?;
                SsoOutcome::Joined(user)
            }
            None => SsoOutcome::DomainNotAllowed(domain),
        };
        let (event, detail) = match &outcome {
            SsoOutcome::SignedIn(u) | SsoOutcome::Joined(u) => (
                kind::SIGN_IN_SUCCEEDED,
                json!({"method": "sso", "user_id": u.id, "subject": subject,
                       "joined": matches!(outcome, SsoOutcome::Joined(_))}),
            ),
            SsoOutcome::DomainNotAllowed(d) => (
                kind::SIGN_IN_FAILED,
                json!({"method": "sso", "reason": "domain not allowed", "domain": d, "subject": subject}),
            ),
            SsoOutcome::OtherWorkspace => (
                kind::SIGN_IN_FAILED,
                json!({"method": "sso", "reason": "member of another workspace", "subject": subject}),
            ),
        };
        record_in(&mut tx, Some(ws), by, event, detail).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

async fn insert_member(
    tx: &mut Transaction<'_, Any>,
    settings: &SsoSettings,
    email: &str,
    name: &str,
    by: &By,
) -> Result<User> {
    let name = name.trim();
    let user = User {
        id: new_id("usr"),
        workspace_id: settings.workspace_id.clone(),
        email: email.to_string(),
        name: if name.is_empty() {
            email.to_string()
        } else {
            name.to_string()
        },
        role: settings.new_member_role,
        password_hash: NO_PASSWORD.to_string(),
        created_at: by.at,
    };
    sqlx::query(
        "INSERT INTO users (id, workspace_id, email, name, password_hash, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&user.id)
    .bind(&user.workspace_id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(&user.password_hash)
    .bind(user.role.as_str())
    .bind(ts(by.at))
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_or(e, &format!("a user with email {}", user.email)))?;
    let detail =
        json!({"user_id": user.id, "email": user.email, "role": user.role.as_str(), "via": "sso"});
    record_in(tx, Some(&user.workspace_id), by, kind::MEMBER_ADDED, detail).await?;
    Ok(user)
}

async fn is_admin(
    tx: &mut Transaction<'_, Any>,
    workspace: &str,
    email: Option<&str>,
) -> Result<bool> {
    let Some(email) = email else { return Ok(false) };
    Ok(sqlx::query(
        "SELECT 1 AS one FROM users WHERE workspace_id = $1 AND email = $2 AND role = 'admin' \
         AND password_hash <> $3",
    )
    .bind(workspace)
    .bind(email)
    .bind(NO_PASSWORD)
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Ends the workspace's sessions except those of the members named; how many ended.
async fn end_password_sessions(
    tx: &mut Transaction<'_, Any>,
    workspace: &str,
    keep: &[Option<&str>],
) -> Result<u64> {
    let keep: Vec<String> = keep.iter().flatten().map(|e| normalise_email(e)).collect();
    let first = keep.first().cloned().unwrap_or_default();
    let second = keep.get(1).cloned().unwrap_or_default();
    let done = sqlx::query(
        "DELETE FROM sessions WHERE workspace_id = $1 AND user_id NOT IN \
         (SELECT id FROM users WHERE workspace_id = $1 AND email IN ($2, $3))",
    )
    .bind(workspace)
    .bind(first)
    .bind(second)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
