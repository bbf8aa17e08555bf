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
    #[param(format = Date)]
    pub from: Option<String>,
    /// Projects whose contract date is on or before this date (YYYY-MM-DD); before `from`, the
    /// range selects nothing.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `smb`, `mid_market` or `enterprise`.
    #[param(pattern = "^(smb|mid_market|enterprise)?$")]
    pub segment: Option<String>,
    /// A playbook key (`standard`), or one version of it (`standard@2`).
    /// Anything else is taken as a key and matches no project.
    pub playbook: Option<String>,
    /// The vendor implementation owner's name, in any case.
    pub owner: Option<String>,
}

impl AnalyticsQuery {
    /// The filter, or a 400 naming the parameter that does not parse.
    pub fn filter(&self) -> Result<Filter, ApiError> {
        super::query::strict_day("from", self.from.as_deref())?;
        super::query::strict_day("to", self.to.as_deref())?;
        super::query::strict_one_of("segment", self.segment.as_deref(), super::query::SEGMENTS)?;
        let mut filter = Filter::parse(&FilterText {
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            segment: self.segment.as_deref(),
            playbook: None,
            owner: self.owner.as_deref(),
        })
        .map_err(|e| ApiError::bad(e.field, e.message))?;
        // Any text is a playbook filter here: what is not `key` or `key@version` is a key no
        // playbook has (the document cannot state the pages' finer rule, so the API does not
        // refuse on it).
        if let Some(p) = self.playbook.as_deref().filter(|p| !p.trim().is_empty()) {
            let only = FilterText {
                from: None,
                to: None,
                segment: None,
                playbook: Some(p),
                owner: None,
            };
            filter.playbook = Some(
                Filter::parse(&only)
                    .ok()
                    .and_then(|f| f.playbook)
                    .unwrap_or(finishline_core::analytics::filter::PlaybookFilter {
                        key: p.to_string(),
                        version: None,
                    }),
            );
        }
        Ok(filter)
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
