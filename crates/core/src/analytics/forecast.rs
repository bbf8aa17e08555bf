//! Forecast: the open projects projected to miss their launch date, each with its reasons —
//! the launch date already passed, an open task planned before it now due after it, or the
//! plan's pace so far.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::lifecycle::Stage;

use super::facts::ProjectFacts;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsLateProject))]
pub struct LateProject {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub owner: String,
    pub stage: Stage,
    pub launch_date: NaiveDate,
    /// The latest date the reasons point to.
    pub projected: NaiveDate,
    pub days_late: i64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsForecast))]
pub struct Forecast {
    /// Open projects (not live, not closed) that are not paused.
    pub open: usize,
    pub paused: usize,
    /// Open projects with no launch date yet: nothing to be late against.
    pub without_launch_date: usize,
    /// Latest first.
    pub projected_late: Vec<LateProject>,
}

pub fn forecast(facts: &[&ProjectFacts], today: NaiveDate) -> Forecast {
    let open: Vec<&&ProjectFacts> = facts.iter().filter(|f| f.is_open()).collect();
    let paused = open.iter().filter(|f| f.stage == Stage::Paused).count();
    let working: Vec<_> = open.iter().filter(|f| f.stage != Stage::Paused).collect();
    let mut late: Vec<LateProject> = working.iter().filter_map(|f| late(f, today)).collect();
    late.sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.name.cmp(&b.name)));
    Forecast {
        open: working.len(),
        paused,
        without_launch_date: working.iter().filter(|f| f.launch_date.is_none()).count(),
        projected_late: late,
    }
}

/// Why one project is projected late, if it is.
pub fn late(f: &ProjectFacts, today: NaiveDate) -> Option<LateProject> {
    let launch = f.launch_date?;
    let mut reasons = Vec::new();
    let mut projected = launch;
    if launch < today {
        reasons.push(format!(
            "the launch date {launch} passed {} days ago and the project is not live",
            (today - launch).num_days()
        ));
        projected = projected.max(today);
    }
    if let Some((title, due)) = &f.plan.latest_open {
        if *due > launch {
            reasons.push(format!(
                "the open task \"{title}\", planned before the launch, is due {due}, {} days after it",
                (*due - launch).num_days()
            ));
            projected = projected.max(*due);
        }
    }
    if let Some(finish) = pace_finish(f, today) {
        if finish > launch {
            let elapsed = (today - f.plan.start_date).num_days();
            reasons.push(format!(
                "at the pace so far ({} tasks done in {elapsed} days), the {} open tasks due before the launch take until about {finish}",
                f.plan.done_tasks, f.plan.open_tasks
            ));
            projected = projected.max(finish);
        }
    }
    (!reasons.is_empty()).then(|| LateProject {
        id: f.id.clone(),
        name: f.name.clone(),
        customer: f.customer.clone(),
        owner: f.owner.clone(),
        stage: f.stage,
        launch_date: launch,
        projected,
        days_late: (projected - launch).num_days(),
        reasons,
    })
}

/// When the open tasks would be done at the rate tasks were done since the project started.
fn pace_finish(f: &ProjectFacts, today: NaiveDate) -> Option<NaiveDate> {
    let elapsed = (today - f.plan.start_date).num_days();
    if f.plan.done_tasks == 0 || f.plan.open_tasks == 0 || elapsed <= 0 {
        return None;
    }
    let days = (f64::from(f.plan.open_tasks) * elapsed as f64 / f64::from(f.plan.done_tasks)).ceil()
        as i64;
    today.checked_add_signed(Duration::days(days))
}
