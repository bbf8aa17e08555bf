//! The JSON API under `/api/v1`, and its OpenAPI document.

pub mod analytics;
pub mod audit;
pub mod calendar;
pub mod doc;
pub mod imports;
pub mod members;
pub mod notify;
pub mod playbooks;
pub mod process;
pub mod projects;
pub mod query;
pub mod salesforce_outbound;
pub mod session;
pub mod settings_sso;
pub mod surveys;
pub mod time;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Finishline API", description = "From signed contract to a customer getting value: implementation projects, their rules and gates."),
    paths(
        openapi_json,
        session::login, session::logout, session::me, calendar::link, calendar::replace,
        members::list, members::create, members::tokens, members::create_token, members::revoke_token,
        audit::trail,
        projects::list, projects::create, projects::get, projects::command, projects::activity,
        projects::status_draft, projects::scorecard, projects::upload, projects::download,
        imports::create,
        playbooks::list, playbooks::get, playbooks::save,
        webhooks::crm, webhooks::hubspot, webhooks::salesforce, salesforce_outbound::receive, webhooks::settings, webhooks::rotate,
        settings_sso::get, settings_sso::put,
        notify::outbox, notify::sweep, notify::get_settings, notify::put_settings,
        notify::list_preferences, notify::put_preferences, notify::list_webhooks,
        notify::create_webhook, notify::delete_webhook, notify::deliveries, notify::usage,
        notify::put_goals, notify::get_adoption, notify::act_page, notify::act,
        notify::unsubscribe_page, notify::unsubscribe,
        process::map, process::ocel, process::xes,
        analytics::get, surveys::list,
        time::list, time::create, time::change, time::remove, time::set_capacity,
        time::allocations, time::set_allocation, time::team, analytics::hours,
    ),
    components(schemas(finishline_core::Command)),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// This document (OpenAPI 3.1), built once per process.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "the OpenAPI document", body = Object, content_type = "application/json")))]
async fn openapi_json() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        doc::document_bytes(),
    )
}

fn notify_routes(state: &AppState) -> Router<AppState> {
    use axum::routing::put;
    // Signed email links are throttled per client address.
    let links =
        axum::middleware::from_fn_with_state(state.clone(), crate::auth::links::guard_api_links);
    Router::new()
        .route("/outbox", get(notify::outbox))
        .route("/notify/sweep", post(notify::sweep))
        .route(
            "/notify/settings",
            get(notify::get_settings).put(notify::put_settings),
        )
        .route(
            "/notify/preferences",
            get(notify::list_preferences).put(notify::put_preferences),
        )
        .route(
            "/notify/webhooks",
            get(notify::list_webhooks).post(notify::create_webhook),
        )
        .route("/notify/webhooks/{hook_id}", delete(notify::delete_webhook))
        .route(
            "/notify/webhooks/{hook_id}/deliveries",
            get(notify::deliveries),
        )
        .route("/usage", post(notify::usage))
        .route("/projects/{id}/adoption-goals", put(notify::put_goals))
        .route("/projects/{id}/adoption", get(notify::get_adoption))
        .route(
            "/act/{token}",
            get(notify::act_page).post(notify::act).layer(links.clone()),
        )
        .route(
            "/unsubscribe/{token}",
            get(notify::unsubscribe_page)
                .post(notify::unsubscribe)
                .layer(links),
        )
}

/// The live process map and the process-mining exports (issue 15).
fn process_routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/process-map", get(process::map))
        .route("/export/ocel", get(process::ocel))
        .route("/export/xes", get(process::xes))
}

/// Time tracking and capacity (issue 17).
fn time_routes() -> Router<AppState> {
    use axum::routing::put;
    Router::new()
        .route("/time", get(time::list).post(time::create))
        .route(
            "/time/{entry_id}",
            axum::routing::patch(time::change).delete(time::remove),
        )
        .route("/members/{user_id}/capacity", put(time::set_capacity))
        .route(
            "/projects/{id}/allocations",
            get(time::allocations).put(time::set_allocation),
        )
        .route("/team", get(time::team))
}

pub fn router(state: &AppState) -> Router<AppState> {
    finishline_app::notify::install_tls_provider();
    let json_limit = state.config.max_json_bytes;
    let upload_limit = state.config.max_upload_bytes;
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/me/calendar", get(calendar::link).post(calendar::replace))
        .route("/members", get(members::list).post(members::create))
        .route("/audit", get(audit::trail))
        .route("/tokens", get(members::tokens).post(members::create_token))
        .route("/tokens/{id}", delete(members::revoke_token))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{id}", get(projects::get))
        .route("/projects/{id}/commands", post(projects::command))
        .route("/projects/{id}/activity", get(projects::activity))
        .route("/projects/{id}/status-draft", get(projects::status_draft))
        .route(
            "/projects/{id}/files",
            post(projects::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/projects/{id}/imports",
            post(imports::create).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/projects/{id}/files/{file_id}", get(projects::download))
        .route("/scorecard", get(projects::scorecard))
        .route("/playbooks", get(playbooks::list).post(playbooks::save))
        .route("/playbooks/{key}", get(playbooks::get))
        .route("/webhooks/crm/{workspace_id}", post(webhooks::crm))
        .route(
            "/webhooks/crm/{workspace_id}/hubspot",
            post(webhooks::hubspot),
        )
        .route(
            "/webhooks/crm/{workspace_id}/salesforce",
            post(webhooks::salesforce),
        )
        .route(
            "/webhooks/crm/{workspace_id}/salesforce/outbound/{key}",
            post(salesforce_outbound::receive),
        )
        .route("/settings/webhook", get(webhooks::settings))
        .route("/settings/webhook/rotate", post(webhooks::rotate))
        .route(
            "/settings/sso",
            get(settings_sso::get).put(settings_sso::put),
        )
        .route("/analytics", get(analytics::get))
        .route("/surveys", get(surveys::list))
        .route("/analytics/hours", get(analytics::hours))
        .merge(notify_routes(state))
        .merge(process_routes())
        .merge(time_routes())
        .layer(DefaultBodyLimit::max(json_limit))
}
