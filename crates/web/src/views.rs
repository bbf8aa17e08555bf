//! The computed views of a project the API answers with: the project with its health, gates,
//! ball in court and scorecard, and the portfolio's one line per project.

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::ball::{r7_ball_in_court, BallReport};
use finishline_core::gates::{g1_kickoff_readiness, g2_go_live_readiness, GateReport};
use finishline_core::health::{health, Health};
use finishline_core::people::Side;
use finishline_core::scorecard::{r12_scorecard, Scorecard};
use finishline_core::{Activity, Project};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Gates {
    pub kickoff: GateReport,
    pub go_live: GateReport,
}

/// A project with everything computed about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub project: Project,
    /// Bumped by every change; commands need not send it (the server retries on conflicts).
    pub version: i64,
    pub health: Health,
    pub gates: Gates,
    pub ball: BallReport,
    pub scorecard: Scorecard,
}

pub fn view(
    project: Project,
    version: i64,
    activities: &[Activity],
    now: DateTime<Utc>,
) -> ProjectView {
    let today = now.date_naive();
    ProjectView {
        health: health(&project, now),
        gates: Gates {
            kickoff: g1_kickoff_readiness(&project),
            go_live: g2_go_live_readiness(&project, today),
        },
        ball: r7_ball_in_court(activities, now),
        scorecard: r12_scorecard(&project, activities, now),
        project,
        version,
    }
}

/// One line of the portfolio.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub stage: finishline_core::lifecycle::Stage,
    pub owner: Option<String>,
    pub launch_date: Option<NaiveDate>,
    pub days_to_launch: Option<i64>,
    pub days_since_contract: i64,
    pub health: Health,
    /// Open tasks waiting on the customer right now.
    pub waiting_on_customer: usize,
    /// Open tasks waiting on the vendor right now.
    pub waiting_on_vendor: usize,
}

pub fn summary(p: &Project, now: DateTime<Utc>) -> ProjectSummary {
    let today = now.date_naive();
    let (mut customer, mut vendor) = (0, 0);
    for t in &p.tasks {
        match p.ball_for(t) {
            Some(Side::Customer) => customer += 1,
            Some(Side::Vendor) => vendor += 1,
            None => {}
        }
    }
    ProjectSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        customer: p.customer.clone(),
        stage: p.stage,
        owner: p.vendor_owner().map(|o| o.name.clone()),
        launch_date: p.launch_date,
        days_to_launch: p.days_to_launch(today),
        days_since_contract: (today - p.handoff.contract_date).num_days(),
        health: health(p, now),
        waiting_on_customer: customer,
        waiting_on_vendor: vendor,
    }
}
