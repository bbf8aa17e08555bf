//! Playbook versions side by side, so a change promoted from a retrospective (R13) is judged on
//! evidence: time to value, on-time share, loop and re-baseline rates, counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::LoopKind;

use super::facts::ProjectFacts;
use super::stats::{share, Dist};

/// Loops taken per project, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsLoopRates))]
pub struct LoopRates {
    pub sales_realign: f64,
    pub uat_rework: f64,
    pub no_go: f64,
    pub adoption_intervention: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsVersionRow))]
pub struct VersionRow {
    pub key: String,
    pub version: u32,
    pub name: String,
    pub projects: usize,
    pub live: usize,
    pub go_live_days: Dist,
    pub value_confirmed_days: Dist,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_on_time: Option<f64>,
    pub loops_per_project: LoopRates,
    pub rebaselines_per_project: f64,
    /// Days waiting on the customer (the scorecard's), per project.
    pub customer_wait_days: Dist,
}

pub fn playbook_versions(facts: &[&ProjectFacts], now: DateTime<Utc>) -> Vec<VersionRow> {
    let mut groups: BTreeMap<(&str, u32), Vec<&ProjectFacts>> = BTreeMap::new();
    for f in facts {
        groups
            .entry((f.playbook.key.as_str(), f.playbook.version))
            .or_default()
            .push(f);
    }
    groups
        .into_iter()
        .map(|((key, version), fs)| {
            let n = fs.len();
            let rate = |kind: LoopKind| {
                let taken = fs
                    .iter()
                    .flat_map(|f| &f.loops)
                    .filter(|l| l.kind == kind)
                    .count();
                round2(taken as f64 / n as f64)
            };
            let live: Vec<_> = fs.iter().filter(|f| f.is_live()).collect();
            let on_time = live
                .iter()
                .filter(|f| f.scorecard.live_on_plan == Some(true))
                .count();
            let rebaselines: u32 = fs.iter().map(|f| f.scorecard.rebaselines).sum();
            VersionRow {
                key: key.to_string(),
                version,
                name: fs
                    .last()
                    .map(|f| f.playbook.name.clone())
                    .unwrap_or_default(),
                projects: n,
                live: live.len(),
                go_live_days: Dist::of(
                    fs.iter()
                        .filter_map(|f| f.go_live.map(|m| m.days as f64))
                        .collect(),
                ),
                value_confirmed_days: Dist::of(
                    fs.iter()
                        .filter_map(|f| f.value_confirmed.map(|m| m.days as f64))
                        .collect(),
                ),
                share_on_time: share(on_time, live.len()),
                loops_per_project: LoopRates {
                    sales_realign: rate(LoopKind::SalesRealign),
                    uat_rework: rate(LoopKind::UatRework),
                    no_go: rate(LoopKind::NoGo),
                    adoption_intervention: rate(LoopKind::AdoptionIntervention),
                },
                rebaselines_per_project: round2(f64::from(rebaselines) / n as f64),
                customer_wait_days: Dist::of(
                    fs.iter()
                        .map(|f| f.scorecard_at(now).days_waiting_on_customer)
                        .collect(),
                ),
            }
        })
        .collect()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
