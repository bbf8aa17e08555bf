//! Portfolio analytics (issue 15): where time to value goes across the workspace's projects.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use finishline_core::analytics::{Analytics, Filter, FilterText};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;

/// Which projects to look at. Every parameter is optional; a blank one means "any".
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// Projects whose contract date is on or after this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Projects whose contract date is on or before this date (YYYY-MM-DD), not before `from`.
    pub to: Option<String>,
    /// `smb`, `mid_market` or `enterprise`.
    pub segment: Option<String>,
    /// A playbook key (`standard`), or one version of it (`standard@2`).
    pub playbook: Option<String>,
    /// The vendor implementation owner's name, in any case.
    pub owner: Option<String>,
}

impl AnalyticsQuery {
    /// The filter, or a 400 naming the parameter that does not parse.
    pub fn filter(&self) -> Result<Filter, ApiError> {
        Filter::parse(&FilterText {
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            segment: self.segment.as_deref(),
            playbook: self.playbook.as_deref(),
            owner: self.owner.as_deref(),
        })
        .map_err(|e| ApiError::bad(e.field, e.message))
    }
}

/// Time to value (median and 80th percentile, with and without days paused and days waiting on
/// the customer, by contract month, segment, playbook version and owner), go-lives on time and
/// why dates moved, each stage's days by who had the ball, loops and their cost, open projects
/// projected late with their reasons, and playbook versions side by side. Computed from the
/// activity logs; kept until a project of the workspace changes.
#[utoipa::path(get, path = "/api/v1/analytics", tag = "projects", params(AnalyticsQuery),
    responses((status = 200, body = Analytics)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
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
