//! On time: the share of go-lives on or before the first committed launch date (R12), how far
//! the others slipped, and the reasons given when dates moved (R8).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facts::ProjectFacts;
use super::stats::{share, Dist};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsSlipBucket))]
pub struct SlipBucket {
    pub label: String,
    pub count: usize,
}

/// One reason given for moving a date, with how often and how far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsReasonRow))]
pub struct ReasonRow {
    pub reason: String,
    pub launch_moves: usize,
    pub task_moves: usize,
    /// Days the dates moved in all (later is positive).
    pub days_moved: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsOnTime))]
pub struct OnTime {
    pub go_lives: usize,
    /// Live on or before the first agreed launch date (the scorecard's `live_on_plan`).
    pub on_time: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_on_time: Option<f64>,
    /// Go-live date minus the first agreed launch date, over go-lives that had one.
    pub slip_days: Dist,
    pub slip_buckets: Vec<SlipBucket>,
    /// Most frequent first.
    pub reasons: Vec<ReasonRow>,
}

const BUCKETS: [(&str, i64, i64); 6] = [
    ("on time or early", i64::MIN, 0),
    ("1–7 days late", 1, 7),
    ("8–14 days late", 8, 14),
    ("15–30 days late", 15, 30),
    ("31–60 days late", 31, 60),
    ("over 60 days late", 61, i64::MAX),
];

pub fn on_time(facts: &[&ProjectFacts]) -> OnTime {
    let live: Vec<&&ProjectFacts> = facts.iter().filter(|f| f.is_live()).collect();
    let on_time = live
        .iter()
        .filter(|f| f.scorecard.live_on_plan == Some(true))
        .count();
    let slips: Vec<i64> = live
        .iter()
        .filter_map(|f| Some((f.live_on? - f.baseline_launch_date?).num_days()))
        .collect();
    OnTime {
        go_lives: live.len(),
        on_time,
        share_on_time: share(on_time, live.len()),
        slip_days: Dist::of(slips.iter().map(|d| *d as f64).collect()),
        slip_buckets: BUCKETS
            .iter()
            .map(|(label, lo, hi)| SlipBucket {
                label: (*label).to_string(),
                count: slips.iter().filter(|d| (*lo..=*hi).contains(*d)).count(),
            })
            .collect(),
        reasons: reasons(facts),
    }
}

/// Reasons grouped by their words whatever the case and spacing, shown as first written.
fn reasons(facts: &[&ProjectFacts]) -> Vec<ReasonRow> {
    let mut rows: BTreeMap<String, ReasonRow> = BTreeMap::new();
    for m in facts.iter().flat_map(|f| &f.moves) {
        let words = m.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        let row = rows
            .entry(words.to_lowercase())
            .or_insert_with(|| ReasonRow {
                reason: words,
                launch_moves: 0,
                task_moves: 0,
                days_moved: 0,
            });
        if m.launch {
            row.launch_moves += 1;
        } else {
            row.task_moves += 1;
        }
        row.days_moved += m.days;
    }
    let mut rows: Vec<ReasonRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        (b.launch_moves + b.task_moves)
            .cmp(&(a.launch_moves + a.task_moves))
            .then(b.days_moved.cmp(&a.days_moved))
            .then(a.reason.cmp(&b.reason))
    });
    rows
}
