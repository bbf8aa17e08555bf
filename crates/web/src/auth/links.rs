//! The guard of the routes that take a secret in a link.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use finishline_store::audit::kind;
use serde_json::json;

use super::sign_in::{audit, check, event, fail};
use crate::state::AppState;
use crate::throttle::{ClientAddress, Refusal, Scope};

/// Guards the routes that take a secret in a link (portal invitations, signed email links):
/// refused while the address is locked (429), rendered by `refused` as the router answers (a
/// page for the portal, problem+json for the API); a link the handler refuses (403, 404, 410)
/// counts as a failure of the address and is audited as `route`.
pub async fn guard(
    state: &AppState,
    req: Request,
    next: Next,
    route: &'static str,
    refused: fn(Refusal) -> Response,
) -> Response {
    let addr = ClientAddress::of_request(&req, &state.config.limits);
    if let Err(r) = check(state, Scope::Address, &addr.key(), "anonymous", &addr).await {
        return refused(r);
    }
    let method = req.method().to_string();
    let res = next.run(req).await;
    if matches!(
        res.status(),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::GONE
    ) {
        let detail = json!({ "link": route, "method": method, "status": res.status().as_u16() });
        audit(
            state,
            event(None, "anonymous", kind::LINK_REFUSED, detail, &addr),
        )
        .await;
        fail(state, Scope::Address, &addr.key(), None, "anonymous", &addr).await;
    }
    res
}

/// The layer of the API's link routes (one-click email actions, unsubscribe).
pub async fn guard_api_links(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The API's routes see their path without `/api/v1`.
    let route = if req.uri().path().contains("/unsubscribe/") {
        "unsubscribe link"
    } else {
        "email action link"
    };
    guard(&state, req, next, route, IntoResponse::into_response).await
}
