//! Portfolio analytics (issue 15): where time to value goes across the workspace's projects.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use finishline_core::analytics::Analytics;

use super::query::FilterQuery;
use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;

/// Time to value (median and 80th percentile, with and without days paused and days waiting on
/// the customer, by contract month, segment, playbook version and owner), go-lives on time and
/// why dates moved, each stage's days by who had the ball, loops and their cost, open projects
/// projected late with their reasons, and playbook versions side by side. Computed from the
/// activity logs; kept until a project of the workspace changes.
#[utoipa::path(get, path = "/api/v1/analytics", tag = "projects", params(FilterQuery),
    responses((status = 200, body = Analytics)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<FilterQuery>,
) -> Result<Response, ApiError> {
    let filter = q.filter()?;
    let report = state
        .app
        .analytics
        .report(&state.app.store, member.workspace(), &filter, state.now())
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from_owner(report.json.clone()),
    )
        .into_response())
}

/// Hours planned (allocations) against hours logged, by lifecycle stage, over the projects the
/// filter selects: where the team's time goes. Vendor-internal.
#[utoipa::path(get, path = "/api/v1/analytics/hours", operation_id = "hours_by_stage", tag = "time", params(FilterQuery),
    responses((status = 200, body = [finishline_app::time::StageLine])))]
pub async fn hours(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<FilterQuery>,
) -> Result<axum::Json<Vec<finishline_app::time::StageLine>>, ApiError> {
    let filter = q.filter()?;
    Ok(axum::Json(
        finishline_app::time::hours_by_stage(
            &state.app.store,
            &state.app.analytics,
            member.workspace(),
            &filter,
            state.now(),
        )
        .await?,
    ))
}
