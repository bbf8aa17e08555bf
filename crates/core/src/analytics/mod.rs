//! Portfolio analytics: where time to value goes across projects (issue 15, part 1).
//!
//! Computed from each project's document and activity log only, like the scorecard: a project's
//! [`facts::ProjectFacts`] are derived once per project version (R7 spans, R8 re-baselines, R11
//! criteria, R12 scorecard), and [`analytics`] aggregates the facts that match a [`Filter`] at a
//! given time. Nothing here is stored, so nothing can drift from the log. Invariants the web
//! test checks on the demo: the go-live median, the on-time share, the loop counts and the
//! days waiting agree with the per-project scorecards.

pub mod facts;
pub mod filter;
pub mod forecast;
pub mod loops;
pub mod on_time;
pub mod playbook_versions;
pub mod ratings;
pub mod stats;
pub mod time_to_value;
pub mod timeline;
pub mod where_time_goes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use facts::{project_facts, ProjectFacts};
pub use filter::{Filter, FilterError, FilterText};

use forecast::Forecast;
use loops::LoopRow;
use on_time::OnTime;
use playbook_versions::VersionRow;
use ratings::Ratings;
use time_to_value::TimeToValue;
use where_time_goes::WhereTimeGoes;

/// Everything the analytics page and `GET /api/v1/analytics` show, for one filter and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Analytics {
    pub as_of: DateTime<Utc>,
    pub filter: Filter,
    /// Projects that match the filter.
    pub projects: usize,
    pub live: usize,
    pub time_to_value: TimeToValue,
    pub on_time: OnTime,
    pub where_time_goes: WhereTimeGoes,
    pub loops: Vec<LoopRow>,
    pub forecast: Forecast,
    pub playbook_versions: Vec<VersionRow>,
    /// Customer ratings at milestones (CSAT, CES) per owner, playbook, segment and milestone.
    pub ratings: Ratings,
}

/// The analytics of the projects whose facts match `filter`, at `now`.
pub fn analytics<'a>(
    all: impl IntoIterator<Item = &'a ProjectFacts>,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Analytics {
    let facts: Vec<&ProjectFacts> = all.into_iter().filter(|f| filter.matches(f)).collect();
    Analytics {
        as_of: now,
        filter: filter.clone(),
        projects: facts.len(),
        live: facts.iter().filter(|f| f.is_live()).count(),
        time_to_value: time_to_value::time_to_value(&facts),
        on_time: on_time::on_time(&facts),
        where_time_goes: where_time_goes::where_time_goes(&facts, now),
        loops: loops::loops(&facts),
        forecast: forecast::forecast(&facts, now.date_naive()),
        playbook_versions: playbook_versions::playbook_versions(&facts, now),
        ratings: ratings::ratings(&facts),
    }
}
