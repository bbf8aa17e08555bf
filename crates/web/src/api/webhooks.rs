//! The CRM closed-won webhook: a signed delivery becomes a project, exactly once.
//!
//! Signature: `X-Finishline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
//! with `X-Finishline-Timestamp` (Unix seconds) and `X-Finishline-Delivery` (an id unique per
//! deal event). Stale timestamps are refused so a captured delivery cannot be replayed later, and
//! a delivery id applies once so a retried one cannot make a second project.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::parse;
use crate::service::{import_handoff_once, NewHandoff};
use crate::state::AppState;

pub const SIGNATURE_HEADER: &str = "x-finishline-signature";
pub const TIMESTAMP_HEADER: &str = "x-finishline-timestamp";
pub const DELIVERY_HEADER: &str = "x-finishline-delivery";

/// The signature header value for a body, for senders and tests.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn verify(secret: &str, timestamp: i64, body: &[u8], given: &str) -> bool {
    let Some(hex_sig) = given.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(bytes) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // Constant-time comparison.
    mac.verify_slice(&bytes).is_ok()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad(name, "is missing"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResult {
    pub project_id: String,
    /// False when this delivery id was applied before (a retry): nothing new was created.
    pub created: bool,
}

/// Receives a closed-won deal from a CRM, signed with the workspace's webhook secret.
#[utoipa::path(post, path = "/api/v1/webhooks/crm/{workspace_id}", tag = "webhooks", request_body = NewHandoff,
    params(("workspace_id" = String, Path, description = "the receiving workspace")),
    responses((status = 201, body = DeliveryResult), (status = 200, body = DeliveryResult),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn crm(
    State(state): State<AppState>,
    Path(workspace_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<DeliveryResult>), ApiError> {
    let signature = header(&headers, SIGNATURE_HEADER)?;
    let timestamp: i64 = header(&headers, TIMESTAMP_HEADER)?
        .parse()
        .map_err(|_| ApiError::bad(TIMESTAMP_HEADER, "must be Unix seconds"))?;
    let delivery = header(&headers, DELIVERY_HEADER)?.to_string();
    if delivery.len() > 200 {
        return Err(ApiError::bad(
            DELIVERY_HEADER,
            "must be at most 200 characters",
        ));
    }
    // An unknown workspace and a bad signature look the same from outside.
    let ws = state.store.workspace(&workspace_id).await?;
    let Some(ws) = ws.filter(|ws| verify(&ws.webhook_secret, timestamp, &body, signature)) else {
        return Err(ApiError::Forbidden(
            "the signature does not match this workspace's webhook secret".into(),
        ));
    };
    let now = state.now();
    let age = now.timestamp() - timestamp;
    if age.abs() > state.config.webhook_tolerance.num_seconds() {
        return Err(ApiError::Forbidden(format!(
            "the delivery is stale: its timestamp is {age} s from now (at most {} s allowed)",
            state.config.webhook_tolerance.num_seconds()
        )));
    }
    let handoff: NewHandoff = parse(&body)?;
    let ctx = finishline_core::Ctx {
        actor: "CRM webhook".into(),
        person: None,
        side: finishline_core::people::Side::Vendor,
        now,
    };
    let (outcome, project_id) =
        import_handoff_once(&state.store, &ws.id, &delivery, handoff, &ctx).await?;
    let created = outcome == finishline_store::Delivery::Created;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(DeliveryResult {
            project_id,
            created,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSettings {
    /// Where the CRM posts closed-won deals.
    pub path: String,
    pub secret: String,
}

/// The CRM webhook's address and signing secret (admins only).
#[utoipa::path(get, path = "/api/v1/settings/webhook", tag = "webhooks",
    responses((status = 200, body = WebhookSettings), (status = 403, body = Problem)))]
pub async fn settings(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<WebhookSettings>, ApiError> {
    member.require_admin()?;
    let ws = state
        .store
        .workspace(member.workspace())
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    Ok(Json(WebhookSettings {
        path: format!("/api/v1/webhooks/crm/{}", ws.id),
        secret: ws.webhook_secret,
    }))
}

/// Replaces the webhook secret; deliveries signed with the old one are refused from now on.
#[utoipa::path(post, path = "/api/v1/settings/webhook/rotate", tag = "webhooks",
    responses((status = 200, body = WebhookSettings), (status = 403, body = Problem)))]
pub async fn rotate(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<WebhookSettings>, ApiError> {
    member.require_admin()?;
    let secret = state
        .store
        .rotate_webhook_secret(member.workspace())
        .await?;
    Ok(Json(WebhookSettings {
        path: format!("/api/v1/webhooks/crm/{}", member.workspace()),
        secret,
    }))
}
