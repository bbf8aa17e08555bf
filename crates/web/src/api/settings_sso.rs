//! The workspace's single sign-on settings (admins only). The client secret is write-only: sent
//! in a PUT, kept, never answered; a PUT without it keeps the one stored.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use finishline_store::{SsoSettings, SsoSettingsRefused, UserRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::sso::settings::{self as check, SsoInput};
use crate::auth::Member;
use crate::error::{ApiError, FieldError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;

/// The role a person gets when they join on first SSO sign-in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SsoRole {
    Member,
    Admin,
}

impl From<UserRole> for SsoRole {
    fn from(r: UserRole) -> SsoRole {
        match r {
            UserRole::Admin => SsoRole::Admin,
            UserRole::Member => SsoRole::Member,
        }
    }
}

impl SsoRole {
    fn as_str(self) -> &'static str {
        match self {
            SsoRole::Admin => "admin",
            SsoRole::Member => "member",
        }
    }
}

/// New SSO settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSsoSettings {
    /// Off keeps the settings but signs nobody in with them (and passwords work for everyone).
    pub enabled: bool,
    /// The provider's issuer URL: https (plain http only on this machine), as its discovery
    /// document names it, e.g. `https://accounts.google.com`.
    #[schema(max_length = 2048)]
    pub issuer: String,
    #[schema(max_length = 512)]
    pub client_id: String,
    /// Required the first time; absent, null or empty keeps the stored one. Never answered back.
    #[serde(default)]
    #[schema(max_length = 2048)]
    pub client_secret: Option<String>,
    /// Email domains whose people may join on first sign-in (`example.com`); a domain belongs
    /// to one workspace of the server. Empty: only existing members sign in through SSO.
    #[schema(max_items = 50)]
    pub allowed_domains: Vec<String>,
    pub new_member_role: SsoRole,
    /// Refuse password sign-in to every member but the break-glass admin. Turning it on ends
    /// every session of the workspace but theirs and the acting admin's.
    pub require_sso: bool,
    /// An admin of this workspace who has a password and may still use it; required with
    /// `require_sso`.
    #[serde(default)]
    #[schema(max_length = 320)]
    pub break_glass_email: Option<String>,
}

/// The SSO settings as stored, without the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoSettingsView {
    pub enabled: bool,
    pub issuer: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is never shown).
    pub client_secret_set: bool,
    pub allowed_domains: Vec<String>,
    pub new_member_role: SsoRole,
    pub require_sso: bool,
    pub break_glass_email: Option<String>,
    /// Register this as the redirect URI with the provider.
    pub redirect_uri: String,
    pub updated_at: DateTime<Utc>,
}

fn view(state: &AppState, s: SsoSettings) -> SsoSettingsView {
    SsoSettingsView {
        enabled: s.enabled,
        issuer: s.issuer,
        client_id: s.client_id,
        client_secret_set: !s.client_secret.is_empty(),
        allowed_domains: s.allowed_domains,
        new_member_role: s.new_member_role.into(),
        require_sso: s.require_sso,
        break_glass_email: s.break_glass_email,
        redirect_uri: crate::auth::sso::redirect_uri(state),
        updated_at: s.updated_at,
    }
}

/// The workspace's single sign-on settings (admins only; the secret is never shown).
#[utoipa::path(get, path = "/api/v1/settings/sso", tag = "settings", operation_id = "get_sso_settings",
    responses((status = 200, body = SsoSettingsView),
        (status = 403, description = "admins only", body = Problem),
        (status = 404, description = "single sign-on is not set up for this workspace", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<SsoSettingsView>, ApiError> {
    member.require_admin()?;
    let settings = state
        .app
        .store
        .sso_settings(member.workspace())
        .await?
        .ok_or_else(|| ApiError::not_found("single sign-on for this workspace"))?;
    Ok(Json(view(&state, settings)))
}

/// Sets up or changes single sign-on (admins only); the change is in the audit trail.
#[utoipa::path(put, path = "/api/v1/settings/sso", tag = "settings", operation_id = "put_sso_settings", request_body = PutSsoSettings,
    responses((status = 200, body = SsoSettingsView),
        (status = 403, description = "admins only", body = Problem),
        (status = 409, description = "an allowed domain belongs to another workspace of this server", body = Problem),
        (status = 422, description = "a setting does not fit (the issuer is not an https URL, a domain is not one, the break-glass admin is not an admin with a password, the first set-up has no client secret); `errors[].field` names it", body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<PutSsoSettings>,
) -> Result<Json<SsoSettingsView>, ApiError> {
    member.require_admin()?;
    let input = SsoInput {
        enabled: body.enabled,
        issuer: body.issuer,
        client_id: body.client_id,
        client_secret: body.client_secret,
        allowed_domains: body.allowed_domains,
        new_member_role: body.new_member_role.as_str().to_string(),
        require_sso: body.require_sso,
        break_glass_email: body.break_glass_email,
    };
    let new = check::check(&input).map_err(|problems| invalid(&problems))?;
    let saved = state
        .app
        .store
        .put_sso_settings(member.workspace(), &new, &member.by(&state))
        .await?;
    match saved {
        Ok(s) => Ok(Json(view(&state, s))),
        Err(refused) => Err(refusal(refused)),
    }
}

fn invalid(problems: &[check::FieldProblem]) -> ApiError {
    let errors: Vec<FieldError> = problems
        .iter()
        .map(|(field, message)| FieldError {
            field: (*field).to_string(),
            message: message.clone(),
        })
        .collect();
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::Invalid { detail, errors }
}

/// A refusal of the store as the API says it.
pub fn refusal(r: SsoSettingsRefused) -> ApiError {
    match r {
        SsoSettingsRefused::SecretMissing => ApiError::invalid(
            "client_secret",
            "the first set-up needs the client secret the provider gave for this application",
        ),
        SsoSettingsRefused::DomainTaken(d) => ApiError::Conflict(format!(
            "allowed_domains: {d} belongs to another workspace of this server; a domain can send its people to one workspace only"
        )),
        SsoSettingsRefused::BreakGlassNotAdmin(e) => ApiError::invalid(
            "break_glass_email",
            format!(
                "{} is not an admin of this workspace with a password: name one, so someone can still sign in when the provider is down",
                e.unwrap_or_default()
            ),
        ),
    }
}
