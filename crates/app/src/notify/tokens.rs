//! Signed links in emails: one-click actions (expiring, single-use) and unsubscribe.
//!
//! A token is `base64url(JSON claims).base64url(HMAC-SHA256(key, JSON claims))`, the key a
//! random secret the server keeps in its database (`server_secrets`), the same for every server
//! on one database. A GET on a link only shows a page; a POST takes effect.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use finishline_core::survey::Milestone;

use crate::error::AppError;
use crate::App;

/// What a link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkAction {
    /// Show the task (changes nothing).
    Open,
    /// Mark the task done with a note.
    Done,
    /// Mark the task stuck with a reason.
    Stuck,
    /// Stop all mail from this workspace to this address.
    Unsubscribe,
    /// Rate a milestone with the score in the link (the page asks for a comment and a click).
    Rate,
}

impl LinkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Open => "open",
            LinkAction::Done => "done",
            LinkAction::Stuck => "stuck",
            LinkAction::Unsubscribe => "unsubscribe",
            LinkAction::Rate => "rate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Unique per link: a used one is recorded and refused after.
    pub jti: String,
    pub ws: String,
    pub email: String,
    pub act: LinkAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    /// The customer person acting (the task's owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<u32>,
    /// The milestone a rating link rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    /// The score a rating link gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

impl Claims {
    /// A new link's claims (a fresh `jti`), naming nothing in a project yet.
    fn new(ws: &str, email: &str, act: LinkAction, exp: DateTime<Utc>) -> Claims {
        Claims {
            jti: uuid::Uuid::new_v4().simple().to_string(),
            ws: ws.into(),
            email: email.into(),
            act,
            project: None,
            task: None,
            person: None,
            milestone: None,
            score: None,
            exp: exp.timestamp(),
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

async fn key(app: &App) -> Result<Vec<u8>, AppError> {
    signing_key(app, "link_signing_key").await
}

/// A random 32-byte key kept in `server_secrets` under `name`, made on first use. Each kind of
/// signed link has its own, so that no link of one kind can pass for another.
pub(crate) async fn signing_key(app: &App, name: &str) -> Result<Vec<u8>, AppError> {
    let hexed = app
        .store
        .server_secret(name, || {
            let mut k = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut k);
            hex::encode(k)
        })
        .await?;
    hex::decode(hexed).map_err(|e| AppError::Internal(format!("link key unreadable: {e}")))
}

pub(crate) fn mac(key: &[u8], data: &[u8]) -> Result<HmacSha256, AppError> {
    let mut m =
        <HmacSha256 as Mac>::new_from_slice(key).map_err(|e| AppError::Internal(e.to_string()))?;
    m.update(data);
    Ok(m)
}

pub async fn sign(app: &App, claims: &Claims) -> Result<String, AppError> {
    let key = key(app).await?;
    let json = serde_json::to_vec(claims).map_err(|e| AppError::Internal(e.to_string()))?;
    let sig = mac(&key, &json)?.finalize().into_bytes();
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(sig)
    ))
}

/// The claims of a genuine, unexpired token; any other token is refused with a 4xx.
pub async fn verify(app: &App, token: &str, now: DateTime<Utc>) -> Result<Claims, AppError> {
    let bad = || AppError::Forbidden("this link is not valid: it was changed or cut short".into());
    let (body, sig) = token.split_once('.').ok_or_else(bad)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| bad())?;
    let key = key(app).await?;
    mac(&key, &json)?.verify_slice(&sig).map_err(|_| bad())?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| bad())?;
    if claims.exp < now.timestamp() {
        return Err(AppError::Forbidden(
            "this link has expired; use the link in a newer email or sign in".into(),
        ));
    }
    Ok(claims)
}

/// A link for an action on a task (expires after the configured time).
#[expect(
    clippy::too_many_arguments,
    reason = "every claim of the link is one argument"
)]
pub async fn action_link(
    app: &App,
    ws: &str,
    email: &str,
    act: LinkAction,
    project: &str,
    task: u32,
    person: Option<u32>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let claims = Claims {
        project: Some(project.into()),
        task: Some(task),
        person,
        ..Claims::new(ws, email, act, now + app.config.notify.link_ttl)
    };
    let token = sign(app, &claims).await?;
    Ok(format!("{}/api/v1/act/{token}", base(app)))
}

/// The unsubscribe link of one address in one workspace (valid for a year).
pub async fn unsubscribe_link(
    app: &App,
    ws: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let claims = Claims::new(
        ws,
        email,
        LinkAction::Unsubscribe,
        now + chrono::Duration::days(365),
    );
    let token = sign(app, &claims).await?;
    Ok(format!("{}/api/v1/unsubscribe/{token}", base(app)))
}

/// A link that rates a milestone of a project with one score, as one customer person (expires
/// after the configured time). The page it opens records the rating on a click (a GET changes
/// nothing: mail scanners follow every link of an email).
#[expect(
    clippy::too_many_arguments,
    reason = "every claim of the link is one argument"
)]
pub async fn rating_link(
    app: &App,
    ws: &str,
    email: &str,
    project: &str,
    person: u32,
    milestone: Milestone,
    score: u8,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let claims = Claims {
        project: Some(project.into()),
        person: Some(person),
        milestone: Some(milestone),
        score: Some(score),
        ..Claims::new(
            ws,
            email,
            LinkAction::Rate,
            now + app.config.notify.link_ttl,
        )
    };
    let token = sign(app, &claims).await?;
    Ok(format!("{}/rate/{token}", base(app)))
}

pub(crate) fn base(app: &App) -> &str {
    app.config.notify.public_url.trim_end_matches('/')
}
