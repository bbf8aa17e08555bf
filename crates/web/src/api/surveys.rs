//! `GET /api/v1/surveys`: the customer ratings at milestones (issue 17) of the workspace's
//! projects, one row per rating, from the same project facts as the analytics (so a warm
//! request reads one row and filters in memory). The aggregates per owner, playbook, segment and
//! milestone are the analytics' `ratings` part.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::handoff::Segment;
use finishline_core::survey::{Milestone, Question};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::query::{strict_day, strict_one_of};
use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;

/// Which ratings to list. Every parameter is optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// One project, by id.
    pub project: Option<String>,
    /// `after_kickoff`, `go_live` or `value_review`.
    #[param(pattern = "^(after_kickoff|go_live|value_review)?$")]
    pub milestone: Option<String>,
    /// `csat` (1–5) or `ces` (1–7).
    #[param(pattern = "^(csat|ces)?$")]
    pub question: Option<String>,
    /// Ratings given on or after this day (YYYY-MM-DD, UTC).
    #[param(format = Date)]
    pub since: Option<String>,
}

/// One customer rating, with the project it rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyRow {
    pub project_id: String,
    pub project: String,
    pub customer: String,
    /// The vendor owner's name ("" when none).
    pub owner: String,
    pub playbook: String,
    pub segment: Segment,
    pub milestone: Milestone,
    pub question: Question,
    #[schema(minimum = 1, maximum = 7)]
    pub score: u8,
    /// The question's highest score (5 for CSAT, 7 for CES).
    #[schema(minimum = 5, maximum = 7)]
    pub max: u8,
    /// CSAT 1–2 or CES 1–3.
    pub low: bool,
    /// A low score whose follow-up task is still open.
    pub unresolved: bool,
    /// The customer person who rated.
    pub person: String,
    pub comment: String,
    pub at: DateTime<Utc>,
    /// The vendor's internal follow-up task of a low score.
    pub follow_up_task: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyList {
    /// Newest first.
    pub ratings: Vec<SurveyRow>,
}

/// The customer ratings at milestones (CSAT 1–5, CES 1–7) of the workspace's projects, newest
/// first: who rated, the score, their comment and the follow-up a low score opened.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "projects", params(SurveyQuery),
    responses((status = 200, body = SurveyList)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<SurveyQuery>,
) -> Result<Json<SurveyList>, ApiError> {
    strict_one_of(
        "milestone",
        q.milestone.as_deref(),
        &["after_kickoff", "go_live", "value_review"],
    )?;
    strict_one_of("question", q.question.as_deref(), &["csat", "ces"])?;
    strict_day("since", q.since.as_deref())?;
    let milestone = q.milestone.as_deref().and_then(Milestone::parse);
    let question = q.question.as_deref().and_then(Question::parse);
    let since = q
        .since
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let project = q.project.as_deref().filter(|p| !p.is_empty());
    let ws = member.workspace();
    let now = state.now();
    let revision = state.app.store.projects_revision(ws).await?.unwrap_or(0);
    let facts = state
        .app
        .analytics
        .facts(&state.app.store, ws, revision, now)
        .await?;
    let mut ratings: Vec<SurveyRow> = facts
        .values()
        .map(|(_, f)| f.as_ref())
        .filter(|f| project.is_none_or(|id| f.id == id))
        .flat_map(|f| {
            f.ratings
                .iter()
                .filter(|r| milestone.is_none_or(|m| r.milestone == m))
                .filter(|r| question.is_none_or(|x| r.question == x))
                .filter(|r| since.is_none_or(|d| r.at.date_naive() >= d))
                .map(move |r| SurveyRow {
                    project_id: f.id.clone(),
                    project: f.name.clone(),
                    customer: f.customer.clone(),
                    owner: f.owner.clone(),
                    playbook: f.playbook.name.clone(),
                    segment: f.segment,
                    milestone: r.milestone,
                    question: r.question,
                    score: r.score,
                    max: r.question.max(),
                    low: r.low,
                    unresolved: r.unresolved,
                    person: r.person.clone(),
                    comment: r.comment.clone(),
                    at: r.at,
                    follow_up_task: r.follow_up_task,
                })
        })
        .collect();
    ratings.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| a.project_id.cmp(&b.project_id))
    });
    Ok(Json(SurveyList { ratings }))
}
