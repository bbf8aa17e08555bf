//! Computed health: never a colour someone picks, always the reasons behind it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::Stage;
use crate::people::Side;
use crate::project::Project;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthLevel {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl HealthLevel {
    pub fn label(self) -> &'static str {
        match self {
            HealthLevel::OnTrack => "on track",
            HealthLevel::AtRisk => "at risk",
            HealthLevel::OffTrack => "off track",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub level: HealthLevel,
    pub reasons: Vec<String>,
}

/// Days without a word from the customer, while they hold the ball, before they count as silent.
pub const SILENT_CUSTOMER_DAYS: i64 = 7;

/// Computes a project's health at `now`.
pub fn health(p: &Project, now: DateTime<Utc>) -> Health {
    let today: NaiveDate = now.date_naive();
    if matches!(p.stage, Stage::Complete | Stage::Cancelled | Stage::Paused) {
        return Health {
            level: HealthLevel::OnTrack,
            reasons: vec![format!("{}", p.stage.label())],
        };
    }
    let mut off = Vec::new();
    let mut risk = Vec::new();

    if p.vendor_owner().is_none() {
        off.push("no vendor owner".to_string());
    }
    if p.stage >= Stage::Kickoff && p.customer_owner().is_none() {
        off.push("no customer owner".to_string());
    }
    let unowned = p
        .tasks
        .iter()
        .filter(|t| t.is_open() && t.owner.is_none())
        .count();
    if unowned > 0 {
        risk.push(format!("{unowned} open task(s) without an owner"));
    }

    let overdue: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| t.status != crate::plan::TaskStatus::Pending && t.is_overdue(today))
        .collect();
    if !overdue.is_empty() {
        let worst = overdue
            .iter()
            .map(|t| (today - t.due).num_days())
            .max()
            .unwrap_or(0);
        let msg = format!(
            "{} task(s) overdue, the oldest by {worst} day(s)",
            overdue.len()
        );
        if worst > 7 {
            off.push(msg);
        } else {
            risk.push(msg);
        }
    }

    let slips: usize = p.tasks.iter().map(|t| t.slips()).sum();
    if !p.launch_rebaselines.is_empty() {
        let msg = format!(
            "launch date moved {} time(s) (baseline {}, now {})",
            p.launch_rebaselines.len(),
            p.baseline_launch_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            p.launch_date.map(|d| d.to_string()).unwrap_or_default()
        );
        if p.launch_rebaselines.len() >= 2 {
            off.push(msg);
        } else {
            risk.push(msg);
        }
    }
    if slips >= 3 {
        risk.push(format!("dates drifting: {slips} task re-baselines"));
    }
    if let Some(launch) = p.launch_date {
        if launch < today && !p.stage.is_live() {
            off.push(format!("launch date {launch} passed before go-live"));
        }
    } else if p.stage > Stage::Kickoff {
        risk.push("no launch date agreed".to_string());
    }

    let customer_open: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| t.ball == Some(Side::Customer))
        .collect();
    if !customer_open.is_empty() {
        let last = p.last_customer_activity_at.unwrap_or(p.created_at);
        let silent = (now - last).num_days();
        if now - last > Duration::days(SILENT_CUSTOMER_DAYS) {
            risk.push(format!("silent customer: no word from the customer for {silent} days while {} task(s) wait on them", customer_open.len()));
        }
    }
    let blocked_late = p
        .tasks
        .iter()
        .filter(|t| matches!(&t.status, crate::plan::TaskStatus::Blocked(b) if b.by < today))
        .count();
    if blocked_late > 0 {
        risk.push(format!(
            "{blocked_late} blocker(s) past the date they were promised"
        ));
    }
    if let Some(r) = p.adoption.last() {
        if !r.stall_reasons.is_empty() {
            risk.push(format!("adoption stalled: {}", r.stall_reasons.join("; ")));
        }
    }

    risk.extend(crate::survey::unresolved_lows(p));

    let level = if !off.is_empty() {
        HealthLevel::OffTrack
    } else if !risk.is_empty() {
        HealthLevel::AtRisk
    } else {
        HealthLevel::OnTrack
    };
    let mut reasons = off;
    reasons.extend(risk);
    Health { level, reasons }
}
