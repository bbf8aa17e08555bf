//! The server-rendered web workspace (vendor members) and the customer portal.
//!
//! HTML is rendered with maud (compile-time templates, escaped by default). Every page works
//! without JavaScript; htmx (vendored, see `assets`) boosts links and forms so that a page is
//! swapped in place. Every state-changing form carries a CSRF token bound to the session (see
//! `csrf`), and every action runs through `finishline_app::commands::run_command`, so the rules of the core
//! decide and a refusal is shown next to the form with what the user typed.

#![expect(
    clippy::result_large_err,
    reason = "a refused form or request is answered with a rendered page; it is not a hot path"
)]

pub mod actions;
pub mod analytics;
pub mod analytics_charts;
pub mod analytics_tables;
pub mod assets;
pub mod calendar;
pub mod data;
pub mod data_actions;
pub mod data_grid;
pub mod data_grid_actions;
pub mod form;
pub mod handoff;
pub mod invitations;
pub mod layout;
pub mod outbox;
pub mod plan_approval;
pub mod playbooks;
pub mod portal;
pub mod portal_approval;
pub mod portfolio;
pub mod process_map;
pub mod project;
pub mod project_forms;
pub mod rating;
pub mod session;
pub mod settings;
pub mod sso;
pub mod svg;
pub mod time;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// How long a portal invitation link stays valid.
pub const INVITATION_DAYS: i64 = 14;

/// The route table of the HTML pages.
pub fn router(state: &AppState) -> Router<AppState> {
    let upload_limit = state.config.max_upload_bytes + 64 * 1024;
    // Invitation links are throttled per client address.
    let links =
        axum::middleware::from_fn_with_state(state.clone(), session::guard_invitation_links);
    Router::new()
        .route("/", get(portfolio::page))
        .route("/analytics", get(analytics::page))
        .route("/analytics/{file}", get(analytics::csv))
        .route("/login", get(session::login_page).post(session::login))
        .route("/login/sso", get(sso::page).post(sso::start))
        .route("/login/sso/callback", get(sso::callback))
        .route("/logout", post(session::logout))
        .route("/handoff", get(handoff::page).post(handoff::submit))
        .route("/projects/{id}", get(project::page))
        .route(
            "/projects/{id}/actions/{action}",
            post(actions::run).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/projects/{id}/tasks/{task}", get(project::task_page))
        .route("/projects/{id}/forms/{action}", get(project_forms::page))
        .route("/projects/{id}/files/{file}", get(project::file))
        .route("/projects/{id}/data", get(data_actions::vendor_page))
        .route(
            "/projects/{id}/data/maps",
            post(data_actions::add_map).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/projects/{id}/data/{map}/{action}",
            get(data_grid_actions::vendor_grid)
                .post(data_actions::vendor_action)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/projects/{id}/invitations", post(invitations::create))
        .route(
            "/projects/{id}/invitations/{inv}/resend",
            post(invitations::resend),
        )
        .route(
            "/projects/{id}/invitations/{inv}/revoke",
            post(invitations::revoke),
        )
        .route("/projects/{id}/preview", get(portal::preview))
        .route("/playbooks", get(playbooks::list))
        .route("/playbooks/{key}", get(playbooks::view))
        .route("/playbooks/{key}/copy", post(playbooks::copy))
        .route("/playbooks/{key}/edit", post(playbooks::edit))
        .route("/analytics/process", get(process_map::page))
        .route("/settings", get(settings::page))
        .route("/outbox", get(outbox::page))
        .route("/settings/members", post(settings::add_member))
        .route(
            "/settings/members/{id}/role",
            post(settings::set_member_role),
        )
        .route(
            "/settings/members/{id}/remove",
            post(settings::remove_member),
        )
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/webhook/rotate", post(settings::rotate_webhook))
        .route("/settings/sso", post(settings::save_sso))
        .route("/portal", get(portal::home))
        .route(
            "/portal/join/{token}",
            get(portal::join_page).layer(links.clone()),
        )
        .route("/portal/join", post(portal::join).layer(links))
        .route(
            "/portal/actions/{action}",
            post(portal::action).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/portal/files/{file}", get(portal::file))
        .route("/portal/data", get(data_actions::portal_page))
        .route(
            "/portal/data/{map}/{action}",
            get(data_grid_actions::portal_grid)
                .post(data_actions::portal_action)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/rate/{token}",
            get(rating::page)
                .post(rating::rate)
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    rating::guard,
                )),
        )
        .route("/portal/logout", post(portal::logout))
        .route("/portal/calendar/new", post(calendar::portal_replace))
        // Calendar feeds are not behind the link guard: calendar services poll from a few shared
        // addresses, so locking an address for a stale link would stop every other feed polled
        // from it; a feed token is an HMAC, which no number of guesses finds.
        .route("/calendar", get(calendar::page))
        .route("/calendar/new", post(calendar::replace))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/calendar/{token}/{file}", get(calendar::project_feed))
        .route("/time", get(time::sheet_page).post(time::save_sheet))
        .route("/time/{id}/delete", post(time::delete_entry))
        .route("/team", get(time::team_page))
        .route("/team/capacity", post(time::set_capacity))
        .route("/projects/{id}/tasks/{task}/time", post(time::log_on_task))
        .route("/assets/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            form::explain_too_large,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
