//! The CRM closed-won webhook: a signed delivery becomes a project, exactly once.
//!
//! Signature: `X-Finishline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
//! with `X-Finishline-Timestamp` (Unix seconds) and `X-Finishline-Delivery` (an id unique per
//! deal event). Stale timestamps are refused so a captured delivery cannot be replayed later, and
//! a delivery id applies once so a retried one cannot make a second project.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use std::collections::BTreeMap;

use axum::Json;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::parse;
use crate::state::AppState;
use finishline_app::handoffs::{import_handoff_once, NewHandoff};

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
    security(()),
    params(("workspace_id" = String, Path, description = "the receiving workspace"),
        ("x-finishline-signature" = String, Header, pattern = "^[!-~]+$", description = "`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook secret"),
        ("x-finishline-timestamp" = i64, Header, description = "Unix seconds; at most 5 minutes from the server's clock"),
        ("x-finishline-delivery" = String, Header, pattern = "^[!-~]{1,200}$", description = "an id per deal event (at most 200 characters): a retried delivery is applied once")),
    responses((status = 201, description = "a project was created", body = DeliveryResult),
        (status = 200, description = "this delivery was applied before: nothing new was created", body = DeliveryResult),
        (status = 403, description = "the signature does not match, or the timestamp is stale", body = Problem),
        (status = 409, body = Problem, description = "the same delivery is being applied right now: retry"),
        (status = 422, description = "a handoff that does not fit or that the rules refuse", body = Problem)))]
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
    let ws = state.app.store.workspace(&workspace_id).await?;
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
    let handoff = read_crm(&body)?;
    apply_crm(&state, &ws.id, &delivery, handoff, "CRM webhook").await
}

/// Reads the body of our own CRM webhook: a handoff. Pure (the fuzz target `crm_webhook` calls
/// it): nesting is bounded, and errors name the path of the bad value.
#[doc(hidden)]
pub fn read_crm(body: &[u8]) -> Result<NewHandoff, ApiError> {
    parse(body)
}

/// Reads the body of a HubSpot deal webhook with a mapping: the deal id and its handoff. Pure.
#[doc(hidden)]
pub fn read_hubspot(
    body: &[u8],
    mapping: &BTreeMap<String, String>,
) -> Result<(String, NewHandoff), ApiError> {
    let record: Value = parse(body)?;
    let id = property(&record, "objectId")
        .or_else(|| property(&record, "hs_object_id"))
        .or_else(|| property(&record, "properties.hs_object_id"))
        .ok_or_else(|| ApiError::bad("objectId", "the deal id is missing"))?;
    let props = record.get("properties").cloned().unwrap_or(Value::Null);
    Ok((id, handoff_of(&props, mapping)?))
}

/// Reads the body of a Salesforce JSON webhook (`{"sobject": record}` or the record) with a
/// mapping: the Opportunity id and its handoff. Pure.
#[doc(hidden)]
pub fn read_salesforce(
    body: &[u8],
    mapping: &BTreeMap<String, String>,
) -> Result<(String, NewHandoff), ApiError> {
    let record: Value = parse(body)?;
    let record = record.get("sobject").cloned().unwrap_or(record);
    let id = property(&record, "Id")
        .ok_or_else(|| ApiError::bad("Id", "the Opportunity id is missing"))?;
    Ok((id, handoff_of(&record, mapping)?))
}

/// Where each handoff field is read from when nothing else is configured.
pub fn default_mapping(source: Source) -> BTreeMap<String, String> {
    let pairs: [(&str, &str); 9] = match source {
        Source::HubSpot => [
            ("customer", "company_name"),
            ("sold", "dealname"),
            ("contract_date", "closedate"),
            ("champion", "champion"),
            ("expected_timeline", "expected_timeline"),
            ("segment", "segment"),
            ("account_executive", "hubspot_owner_name"),
            ("owner_name", "implementation_owner_name"),
            ("owner_email", "implementation_owner_email"),
        ],
        Source::Salesforce | Source::SalesforceOutbound => [
            ("customer", "Account.Name"),
            ("sold", "Name"),
            ("contract_date", "CloseDate"),
            ("champion", "Champion__c"),
            ("expected_timeline", "Expected_Timeline__c"),
            ("segment", "Segment__c"),
            ("account_executive", "Owner.Name"),
            ("owner_name", "Implementation_Owner_Name__c"),
            ("owner_email", "Implementation_Owner_Email__c"),
        ],
    };
    pairs
        .iter()
        .map(|(k, v)| {
            let v = match (source, *v) {
                (Source::SalesforceOutbound, "Account.Name") => "Account_Name__c",
                (Source::SalesforceOutbound, "Owner.Name") => "Owner_Name__c",
                (_, v) => v,
            };
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    HubSpot,
    Salesforce,
    /// Salesforce Outbound Messages carry only the Opportunity's own fields (no relations), so
    /// the account and owner names come from formula fields.
    SalesforceOutbound,
}

impl Source {
    /// The key of this source in `crm_mappings`.
    pub(super) fn key(self) -> &'static str {
        match self {
            Source::HubSpot => "hubspot",
            Source::Salesforce => "salesforce",
            Source::SalesforceOutbound => "salesforce_outbound",
        }
    }
}

/// A property of a CRM record: HubSpot's `properties.x` (a value or `{"value": …}`), or a
/// Salesforce field, with dotted paths for relations (`Account.Name`).
pub(super) fn property(record: &Value, path: &str) -> Option<String> {
    let mut v = record;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    let v = v.get("value").unwrap_or(v);
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A CRM date: ISO (`2026-03-01`, `2026-03-01T00:00:00Z`) or Unix milliseconds (HubSpot).
fn crm_date(s: &str) -> Option<String> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        let ms: i64 = s.parse().ok()?;
        return chrono::DateTime::from_timestamp_millis(ms).map(|d| d.date_naive().to_string());
    }
    s.get(..10)
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .map(str::to_string)
}

/// Builds our handoff from a CRM record with the workspace's mapping; errors name the handoff
/// field and the CRM property it was read from.
pub(super) fn handoff_of(
    record: &Value,
    mapping: &BTreeMap<String, String>,
) -> Result<NewHandoff, ApiError> {
    let get = |field: &str| mapping.get(field).and_then(|p| property(record, p));
    let required = |field: &str| {
        get(field).ok_or_else(|| {
            ApiError::bad(
                field,
                format!(
                    "missing: the CRM property {:?} is empty or absent (map another with crm_mappings)",
                    mapping.get(field).map(String::as_str).unwrap_or("")
                ),
            )
        })
    };
    let customer = required("customer")?;
    let sold = required("sold")?;
    let date = required("contract_date")?;
    let contract_date = crm_date(&date).ok_or_else(|| {
        ApiError::bad(
            "contract_date",
            format!("{date:?} is not a date (YYYY-MM-DD or Unix ms)"),
        )
    })?;
    let mut h = serde_json::json!({
        "customer": customer,
        "sold": sold,
        "contract_date": contract_date,
        "champion": get("champion").unwrap_or_default(),
        "expected_timeline": get("expected_timeline").unwrap_or_default(),
        "account_executive": get("account_executive").unwrap_or_default(),
    });
    if let Some(seg) = get("segment") {
        h["segment"] = Value::String(seg.to_lowercase().replace(['-', ' '], "_"));
    }
    if let (Some(name), Some(email)) = (get("owner_name"), get("owner_email")) {
        h["owner"] = serde_json::json!({"name": name, "email": email});
    }
    parse(h.to_string().as_bytes())
}

pub(super) async fn mapping_for(
    state: &AppState,
    ws: &str,
    source: Source,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut m = default_mapping(source);
    let settings = finishline_app::notify::settings::load(&state.app, ws).await?;
    if let Some(own) = settings.crm_mappings.get(source.key()) {
        m.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(m)
}

pub(super) async fn apply_crm(
    state: &AppState,
    ws: &str,
    delivery: &str,
    handoff: NewHandoff,
    actor: &str,
) -> Result<(StatusCode, Json<DeliveryResult>), ApiError> {
    let ctx = finishline_core::Ctx {
        actor: actor.into(),
        person: None,
        side: finishline_core::people::Side::Vendor,
        now: state.now(),
    };
    let (outcome, project_id) =
        import_handoff_once(&state.app.store, ws, delivery, handoff, &ctx).await?;
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

pub const HUBSPOT_SIGNATURE_HEADER: &str = "x-hubspot-signature-v3";
pub const HUBSPOT_TIMESTAMP_HEADER: &str = "x-hubspot-request-timestamp";

/// HubSpot's v3 signature: base64 HMAC-SHA256 of method, URI, body and timestamp (ms).
pub fn hubspot_sign(
    secret: &str,
    method: &str,
    uri: &str,
    body: &[u8],
    timestamp_ms: i64,
) -> String {
    use base64::Engine as _;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(method.as_bytes());
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp_ms.to_string().as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Receives a closed-won deal from a HubSpot workflow webhook (the deal record with its
/// properties), signed with HubSpot's v3 scheme using the workspace's webhook secret. One
/// project per deal id, however often HubSpot retries.
#[utoipa::path(post, path = "/api/v1/webhooks/crm/{workspace_id}/hubspot", tag = "webhooks",
    request_body(content = Object, content_type = "application/json", description = "the HubSpot deal record: objectId and properties"),
    security(()),
    params(("workspace_id" = String, Path, description = "the receiving workspace"),
        ("x-hubspot-signature-v3" = String, Header, pattern = "^[!-~]+$", description = "base64 HMAC-SHA256 of method, URI, body and timestamp with the webhook secret"),
        ("x-hubspot-request-timestamp" = i64, Header, description = "Unix milliseconds; at most 5 minutes from the server's clock")),
    responses((status = 201, description = "a project was created", body = DeliveryResult),
        (status = 200, description = "this deal was applied before: nothing new was created", body = DeliveryResult),
        (status = 403, description = "the signature does not match, or the timestamp is stale", body = Problem),
        (status = 409, body = Problem, description = "the same deal is being applied right now: retry"),
        (status = 422, description = "a record whose mapped properties do not make a handoff", body = Problem)))]
pub async fn hubspot(
    State(state): State<AppState>,
    Path(workspace_id): Path<String>,
    headers: HeaderMap,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    body: Bytes,
) -> Result<(StatusCode, Json<DeliveryResult>), ApiError> {
    let signature = header(&headers, HUBSPOT_SIGNATURE_HEADER)?.to_string();
    let ts: i64 = header(&headers, HUBSPOT_TIMESTAMP_HEADER)?
        .parse()
        .map_err(|_| ApiError::bad(HUBSPOT_TIMESTAMP_HEADER, "must be Unix milliseconds"))?;
    let host = header(&headers, "host").unwrap_or("");
    let public = state
        .config
        .notify
        .public_url
        .trim_end_matches('/')
        .to_string();
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(uri.path())
        .to_string();
    let ws = state.app.store.workspace(&workspace_id).await?;
    let ok = ws.as_ref().is_some_and(|ws| {
        // HubSpot signs the URI it called: the public URL, or the Host it reached.
        [
            format!("{public}{path}"),
            format!("https://{host}{path}"),
            format!("http://{host}{path}"),
        ]
        .iter()
        .any(|u| {
            let expected = hubspot_sign(&ws.webhook_secret, "POST", u, &body, ts);
            expected.len() == signature.len()
                && expected
                    .bytes()
                    .zip(signature.bytes())
                    .fold(0u8, |a, (x, y)| a | (x ^ y))
                    == 0
        })
    });
    let Some(ws) = ws.filter(|_| ok) else {
        return Err(ApiError::Forbidden(
            "the signature does not match this workspace's webhook secret".into(),
        ));
    };
    let age = state.now().timestamp_millis() - ts;
    if age.abs() > state.config.webhook_tolerance.num_milliseconds() {
        return Err(ApiError::Forbidden(format!(
            "the delivery is stale: its timestamp is {} s from now",
            age / 1000
        )));
    }
    let mapping = mapping_for(&state, &ws.id, Source::HubSpot).await?;
    let (id, handoff) = read_hubspot(&body, &mapping)?;
    apply_crm(
        &state,
        &ws.id,
        &format!("hubspot:deal:{id}"),
        handoff,
        "HubSpot webhook",
    )
    .await
}

/// Receives a closed-won Opportunity from Salesforce (a Flow or Apex callout posting the
/// record as JSON, `{"sobject": {...}}` or the record itself), signed like our own CRM webhook
/// (`X-Finishline-Signature`, `X-Finishline-Timestamp`). One project per Opportunity id.
#[utoipa::path(post, path = "/api/v1/webhooks/crm/{workspace_id}/salesforce", tag = "webhooks",
    request_body(content = Object, content_type = "application/json", description = "the Opportunity record, or {\"sobject\": record}"),
    security(()),
    params(("workspace_id" = String, Path, description = "the receiving workspace"),
        ("x-finishline-signature" = String, Header, pattern = "^[!-~]+$", description = "`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook secret"),
        ("x-finishline-timestamp" = i64, Header, description = "Unix seconds; at most 5 minutes from the server's clock")),
    responses((status = 201, description = "a project was created", body = DeliveryResult),
        (status = 200, description = "this Opportunity was applied before: nothing new was created", body = DeliveryResult),
        (status = 403, description = "the signature does not match, or the timestamp is stale", body = Problem),
        (status = 409, body = Problem, description = "the same Opportunity is being applied right now: retry"),
        (status = 422, description = "a record whose mapped fields do not make a handoff", body = Problem)))]
pub async fn salesforce(
    State(state): State<AppState>,
    Path(workspace_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<DeliveryResult>), ApiError> {
    let signature = header(&headers, SIGNATURE_HEADER)?;
    let timestamp: i64 = header(&headers, TIMESTAMP_HEADER)?
        .parse()
        .map_err(|_| ApiError::bad(TIMESTAMP_HEADER, "must be Unix seconds"))?;
    let ws = state.app.store.workspace(&workspace_id).await?;
    let Some(ws) = ws.filter(|ws| verify(&ws.webhook_secret, timestamp, &body, signature)) else {
        return Err(ApiError::Forbidden(
            "the signature does not match this workspace's webhook secret".into(),
        ));
    };
    let age = state.now().timestamp() - timestamp;
    if age.abs() > state.config.webhook_tolerance.num_seconds() {
        return Err(ApiError::Forbidden(format!(
            "the delivery is stale: its timestamp is {age} s from now"
        )));
    }
    let mapping = mapping_for(&state, &ws.id, Source::Salesforce).await?;
    let (id, handoff) = read_salesforce(&body, &mapping)?;
    apply_crm(
        &state,
        &ws.id,
        &format!("salesforce:opportunity:{id}"),
        handoff,
        "Salesforce webhook",
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSettings {
    /// Where the CRM posts closed-won deals.
    pub path: String,
    pub secret: String,
    /// The Endpoint URL path for Salesforce Outbound Messages (they are not signed, so the path
    /// carries a key derived from the secret; rotating the secret changes it).
    pub salesforce_outbound_path: String,
}

/// The CRM webhook's address and signing secret (admins only).
#[utoipa::path(get, path = "/api/v1/settings/webhook", tag = "webhooks",
    responses((status = 200, body = WebhookSettings), (status = 403, description = "admins only", body = Problem)))]
pub async fn settings(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<WebhookSettings>, ApiError> {
    member.require_admin()?;
    let ws = state
        .app
        .store
        .workspace(member.workspace())
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    Ok(Json(WebhookSettings {
        path: format!("/api/v1/webhooks/crm/{}", ws.id),
        salesforce_outbound_path: crate::secrets::outbound_path(&ws.id, &ws.webhook_secret),
        secret: ws.webhook_secret,
    }))
}

/// Replaces the webhook secret; deliveries signed with the old one are refused from now on.
#[utoipa::path(post, path = "/api/v1/settings/webhook/rotate", tag = "webhooks",
    responses((status = 200, body = WebhookSettings), (status = 403, description = "admins only", body = Problem)))]
pub async fn rotate(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<WebhookSettings>, ApiError> {
    member.require_admin()?;
    let secret = state
        .app
        .store
        .rotate_webhook_secret(member.workspace(), &member.by(&state))
        .await?;
    Ok(Json(WebhookSettings {
        path: format!("/api/v1/webhooks/crm/{}", member.workspace()),
        salesforce_outbound_path: crate::secrets::outbound_path(member.workspace(), &secret),
        secret,
    }))
}
