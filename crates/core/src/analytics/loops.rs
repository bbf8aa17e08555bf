//! Loops: how often each loop back happens (the scorecard's counts, R12) and what it costs in
//! days until the project is back where it looped from.

use serde::{Deserialize, Serialize};

use crate::lifecycle::LoopKind;

use super::facts::ProjectFacts;
use super::stats::{round1, share, Dist};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsLoopRow))]
pub struct LoopRow {
    pub kind: LoopKind,
    pub label: String,
    /// Times taken.
    pub count: usize,
    /// Projects that took it at least once.
    pub projects: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_of_projects: Option<f64>,
    /// Days from the loop back to the stage it left, over loops that came back.
    pub cost_days: Dist,
    pub total_cost_days: f64,
    /// Loops the project has not come back from yet.
    pub still_open: usize,
}

pub const LOOP_KINDS: [LoopKind; 4] = [
    LoopKind::SalesRealign,
    LoopKind::UatRework,
    LoopKind::NoGo,
    LoopKind::AdoptionIntervention,
];

pub fn loops(facts: &[&ProjectFacts]) -> Vec<LoopRow> {
    LOOP_KINDS
        .iter()
        .map(|&kind| {
            let taken: Vec<_> = facts
                .iter()
                .flat_map(|f| f.loops.iter().filter(move |l| l.kind == kind))
                .collect();
            let costs: Vec<f64> = taken.iter().filter_map(|l| l.cost_days).collect();
            let projects = facts
                .iter()
                .filter(|f| f.loops.iter().any(|l| l.kind == kind))
                .count();
            LoopRow {
                kind,
                label: kind.label().to_string(),
                count: taken.len(),
                projects,
                share_of_projects: share(projects, facts.len()),
                total_cost_days: round1(costs.iter().sum()),
                still_open: taken.len() - costs.len(),
                cost_days: Dist::of(costs),
            }
        })
        .collect()
}
