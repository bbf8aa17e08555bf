//! R12 — the scorecard, per project and across projects, computed from the project and its
//! activity log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::Activity;
use crate::ball::r7_ball_in_court;
use crate::lifecycle::LoopKind;
use crate::project::Project;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoopCounts {
    pub uat_rework: u32,
    pub sales_realign: u32,
    pub no_go: u32,
    pub adoption_intervention: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scorecard {
    /// Contract date to go-live (or to today while not live).
    pub days_to_launch: i64,
    pub live: bool,
    /// Days during which at least one task waited on the customer.
    pub days_waiting_on_customer: f64,
    pub days_waiting_on_vendor: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_week_logins: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_questions_first_days: Option<u32>,
    pub loops: LoopCounts,
    /// Task and launch-date re-baselines.
    pub rebaselines: u32,
    /// Went live on or before the first agreed launch date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_on_plan: Option<bool>,
    /// Contract date to the first success criterion met, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_to_first_value: Option<i64>,
}

/// R12 for one project.
pub fn r12_scorecard(p: &Project, activities: &[Activity], now: DateTime<Utc>) -> Scorecard {
    let start: NaiveDate = p.handoff.contract_date;
    let end = p.live_on.unwrap_or_else(|| now.date_naive());
    let ball = r7_ball_in_court(activities, now);
    let mut loops = LoopCounts::default();
    for a in activities {
        match a.kind.as_str() {
            k if k == LoopKind::UatRework.activity_kind() => loops.uat_rework += 1,
            k if k == LoopKind::SalesRealign.activity_kind() => loops.sales_realign += 1,
            k if k == LoopKind::NoGo.activity_kind() => loops.no_go += 1,
            k if k == LoopKind::AdoptionIntervention.activity_kind() => {
                loops.adoption_intervention += 1
            }
            _ => {}
        }
    }
    let rebaselines = activities
        .iter()
        .filter(|a| a.kind == "task.rebaselined" || a.kind == "launch.rebaselined")
        .count() as u32;
    let first_value = activities
        .iter()
        .filter(|a| {
            a.kind == "criterion.measured"
                && a.after
                    .as_ref()
                    .and_then(|v| v.get("met"))
                    .and_then(|m| m.as_bool())
                    == Some(true)
        })
        .map(|a| a.at)
        .min();
    let reading = p
        .adoption
        .iter()
        .find(|r| r.logins_first_week.is_some() || r.support_questions.is_some());
    Scorecard {
        days_to_launch: (end - start).num_days(),
        live: p.live_on.is_some(),
        days_waiting_on_customer: round1(ball.project.customer_days()),
        days_waiting_on_vendor: round1(ball.project.vendor_days()),
        first_week_logins: reading.and_then(|r| r.logins_first_week),
        support_questions_first_days: reading.and_then(|r| r.support_questions),
        loops,
        rebaselines,
        live_on_plan: p
            .live_on
            .map(|live| p.baseline_launch_date.is_some_and(|b| live <= b)),
        days_to_first_value: first_value.map(|t| (t.date_naive() - start).num_days()),
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Across projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioScorecard {
    pub projects: usize,
    pub live: usize,
    /// Median days from contract to go-live, over projects that are live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_days_to_go_live: Option<f64>,
    /// Share of live projects that went live on or before their first agreed launch date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_live_on_plan: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_days_to_first_value: Option<f64>,
    pub total_days_waiting_on_customer: f64,
    pub total_days_waiting_on_vendor: f64,
}

/// R12 across projects: time to go-live, the share reaching go-live on plan, time to first
/// value, and the days waiting on each side.
pub fn r12_portfolio(cards: &[Scorecard]) -> PortfolioScorecard {
    let live: Vec<&Scorecard> = cards.iter().filter(|c| c.live).collect();
    let on_plan: Vec<bool> = live.iter().filter_map(|c| c.live_on_plan).collect();
    PortfolioScorecard {
        projects: cards.len(),
        live: live.len(),
        median_days_to_go_live: median(live.iter().map(|c| c.days_to_launch as f64).collect()),
        share_live_on_plan: if on_plan.is_empty() {
            None
        } else {
            Some(on_plan.iter().filter(|b| **b).count() as f64 / on_plan.len() as f64)
        },
        median_days_to_first_value: median(
            cards
                .iter()
                .filter_map(|c| c.days_to_first_value.map(|d| d as f64))
                .collect(),
        ),
        total_days_waiting_on_customer: round1(
            cards.iter().map(|c| c.days_waiting_on_customer).sum(),
        ),
        total_days_waiting_on_vendor: round1(cards.iter().map(|c| c.days_waiting_on_vendor).sum()),
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}
