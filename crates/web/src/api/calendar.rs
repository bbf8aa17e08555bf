//! `GET|POST /api/v1/me/calendar`: the signed-in member's calendar feed link.

use axum::extract::State;
use axum::Json;
use finishline_app::calendar::{self, FeedLinks, Subject};

use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;

/// The address of the member's calendar feed (RFC 5545): their tasks due, and the meetings,
/// training sessions, go-live and milestones of the projects they are on. The same address
/// every time, until a new one is made. One project's dates are at the same address with
/// `.ics` replaced by `/{project id}.ics`.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "session",
    responses((status = 200, body = FeedLinks, description = "the current feed address")))]
pub async fn link(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<FeedLinks>, ApiError> {
    let subject = Subject::Member(member.0.id.clone());
    Ok(Json(
        calendar::links(&state.app, member.workspace(), &subject).await?,
    ))
}

/// Makes a new feed address; the old one stops working at once (recorded in the audit trail).
#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "session",
    responses((status = 200, body = FeedLinks, description = "the new feed address")))]
pub async fn replace(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<FeedLinks>, ApiError> {
    let subject = Subject::Member(member.0.id.clone());
    let by = member.by(&state);
    Ok(Json(
        calendar::replace(&state.app, member.workspace(), &subject, &by).await?,
    ))
}
