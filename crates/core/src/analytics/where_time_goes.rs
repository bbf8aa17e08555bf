//! Where the time goes: each stage's days split by who had the ball (R7), and the kinds of
//! task that waited longest on each side.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::{Stage, STAGE_ORDER};

use super::facts::{ProjectFacts, SideSplit};
use super::stats::round1;
use super::timeline::days;

/// Days spent in one stage across projects, split by side. `both` is time when tasks waited on
/// the vendor and the customer at once; `nobody` when no task waited (or the project was
/// paused), so the four add up to the stage's days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsStageRow))]
pub struct StageRow {
    pub stage: Stage,
    pub label: String,
    /// Projects that spent time in the stage.
    pub projects: usize,
    pub vendor_days: f64,
    pub customer_days: f64,
    pub both_days: f64,
    pub nobody_days: f64,
    pub total_days: f64,
    /// Per project that passed, on average.
    pub mean_days: f64,
}

/// One kind of task (a playbook step, or a phase's tasks added by hand) and its waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsKindRow))]
pub struct KindRow {
    pub key: String,
    pub label: String,
    pub tasks: u32,
    pub customer_days: f64,
    pub vendor_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AnalyticsWhereTimeGoes))]
pub struct WhereTimeGoes {
    /// In lifecycle order, then paused.
    pub stages: Vec<StageRow>,
    /// Most waiting (both sides together) first.
    pub task_kinds: Vec<KindRow>,
}

pub fn where_time_goes(facts: &[&ProjectFacts], now: DateTime<Utc>) -> WhereTimeGoes {
    let mut per_stage: BTreeMap<Stage, (usize, SideSplit)> = BTreeMap::new();
    for f in facts {
        for (stage, split) in f.stages_at(now) {
            let e = per_stage.entry(stage).or_default();
            e.0 += 1;
            e.1.vendor += split.vendor;
            e.1.customer += split.customer;
            e.1.both += split.both;
            e.1.nobody += split.nobody;
        }
    }
    let order = STAGE_ORDER
        .iter()
        .copied()
        .chain(std::iter::once(Stage::Paused));
    let stages = order
        .filter_map(|s| per_stage.get(&s).map(|(n, split)| (s, *n, *split)))
        .filter(|(_, _, split)| split.total() > 0)
        .map(|(stage, projects, s)| StageRow {
            stage,
            label: stage.label().to_string(),
            projects,
            vendor_days: round1(days(s.vendor)),
            customer_days: round1(days(s.customer)),
            both_days: round1(days(s.both)),
            nobody_days: round1(days(s.nobody)),
            total_days: round1(days(s.total())),
            mean_days: round1(days(s.total()) / projects.max(1) as f64),
        })
        .collect();
    WhereTimeGoes {
        stages,
        task_kinds: task_kinds(facts, now),
    }
}

fn task_kinds(facts: &[&ProjectFacts], now: DateTime<Utc>) -> Vec<KindRow> {
    // Seconds per key: (label, tasks, customer, vendor).
    let mut kinds: BTreeMap<&str, (&str, u32, i64, i64)> = BTreeMap::new();
    for f in facts {
        let elapsed = f.elapsed(now);
        for k in &f.task_kinds {
            let e = kinds
                .entry(k.key.as_str())
                .or_insert((k.label.as_str(), 0, 0, 0));
            e.1 += k.tasks;
            e.2 += k.customer_seconds + elapsed * i64::from(k.waiting_customer_now);
            e.3 += k.vendor_seconds + elapsed * i64::from(k.waiting_vendor_now);
        }
    }
    let mut rows: Vec<KindRow> = kinds
        .into_iter()
        .filter(|(_, (_, _, c, v))| c + v > 0)
        .map(|(key, (label, tasks, c, v))| KindRow {
            key: key.to_string(),
            label: label.to_string(),
            tasks,
            customer_days: round1(days(c)),
            vendor_days: round1(days(v)),
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.customer_days + b.vendor_days)
            .total_cmp(&(a.customer_days + a.vendor_days))
            .then(a.key.cmp(&b.key))
    });
    rows
}
