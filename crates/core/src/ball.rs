//! R7 — ball in court: from the activity log, how long each task and the whole project waited on
//! each side. This is where time-to-value is lost between teams, so it is computed from what
//! happened, never typed in.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::Activity;
use crate::people::Side;

/// Time waiting on each side, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SideTime {
    pub vendor_seconds: i64,
    pub customer_seconds: i64,
}

impl SideTime {
    pub fn vendor_days(&self) -> f64 {
        self.vendor_seconds as f64 / 86_400.0
    }

    pub fn customer_days(&self) -> f64 {
        self.customer_seconds as f64 / 86_400.0
    }

    fn add(&mut self, side: Side, seconds: i64) {
        match side {
            Side::Vendor => self.vendor_seconds += seconds,
            Side::Customer => self.customer_seconds += seconds,
        }
    }
}

/// Ball-in-court time for one project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallReport {
    /// Per task id: time its ball spent on each side. JSON keys are strings: the ids in decimal.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, SideTime>))]
    pub tasks: BTreeMap<u32, SideTime>,
    /// Wall-clock time during which at least one task waited on each side (overlaps counted once).
    pub project: SideTime,
    /// The side each open task waits on right now, by task id (in decimal, as JSON keys are).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Side>))]
    pub current: BTreeMap<u32, Side>,
}

fn side_of(value: &Option<serde_json::Value>) -> Option<Side> {
    value
        .as_ref()
        .and_then(|v| v.get("side"))
        .and_then(|s| serde_json::from_value(s.clone()).ok())
}

fn task_id(subject: &str) -> Option<u32> {
    subject.strip_prefix("task:").and_then(|s| s.parse().ok())
}

/// One stretch of time during which a task waited on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BallSpan {
    pub task: u32,
    pub side: Side,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// R7: computes ball-in-court time from `task.ball` activities up to `now`.
///
/// A paused or cancelled project stops every clock: nobody is waiting on anybody.
pub fn r7_ball_in_court(activities: &[Activity], now: DateTime<Utc>) -> BallReport {
    r7_ball_in_court_with_spans(activities, now).0
}

/// R7 with every span it counted, for reports that cut the time by something else than the
/// task (analytics split each stage's days by side).
pub fn r7_ball_in_court_with_spans(
    activities: &[Activity],
    now: DateTime<Utc>,
) -> (BallReport, Vec<BallSpan>) {
    let mut report = BallReport::default();
    // Open intervals per task: (side, since).
    let mut open: BTreeMap<u32, (Side, DateTime<Utc>)> = BTreeMap::new();
    // Every closed span, for the union per side.
    let mut intervals: Vec<BallSpan> = Vec::new();
    let mut halted_since: Option<DateTime<Utc>> = None;

    let close = |open: &mut BTreeMap<u32, (Side, DateTime<Utc>)>,
                 report: &mut BallReport,
                 intervals: &mut Vec<_>,
                 id: u32,
                 at: DateTime<Utc>| {
        if let Some((side, since)) = open.remove(&id) {
            let secs = (at - since).num_seconds().max(0);
            report.tasks.entry(id).or_default().add(side, secs);
            intervals.push(BallSpan {
                task: id,
                side,
                from: since,
                to: at,
            });
        }
    };

    let mut sorted: Vec<&Activity> = activities.iter().collect();
    sorted.sort_by_key(|a| a.at);
    for a in sorted {
        if a.kind == "stage.changed" {
            let to: Option<String> = a
                .after
                .as_ref()
                .and_then(|v| v.get("stage"))
                .and_then(|s| s.as_str())
                .map(str::to_string);
            let halted = matches!(to.as_deref(), Some("paused" | "cancelled" | "complete"));
            if halted && halted_since.is_none() {
                let ids: Vec<u32> = open.keys().copied().collect();
                for id in ids {
                    let side = open[&id].0;
                    close(&mut open, &mut report, &mut intervals, id, a.at);
                    // Remember the side to resume with.
                    report.current.insert(id, side);
                }
                halted_since = Some(a.at);
            } else if !halted && halted_since.is_some() {
                for (id, side) in std::mem::take(&mut report.current) {
                    open.insert(id, (side, a.at));
                }
                halted_since = None;
            }
            continue;
        }
        if a.kind != "task.ball" {
            continue;
        }
        let Some(id) = task_id(&a.subject) else {
            continue;
        };
        if halted_since.is_some() {
            match side_of(&a.after) {
                Some(side) => report.current.insert(id, side),
                None => report.current.remove(&id),
            };
            continue;
        }
        close(&mut open, &mut report, &mut intervals, id, a.at);
        if let Some(side) = side_of(&a.after) {
            open.insert(id, (side, a.at));
        }
    }
    if halted_since.is_none() {
        let ids: Vec<u32> = open.keys().copied().collect();
        for id in ids {
            let side = open[&id].0;
            close(&mut open, &mut report, &mut intervals, id, now);
            report.current.insert(id, side);
        }
    } else {
        report.current.clear();
    }
    for side in [Side::Vendor, Side::Customer] {
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = intervals
            .iter()
            .filter(|s| s.side == side)
            .map(|s| (s.from, s.to))
            .collect();
        report.project.add(side, union_seconds(&mut spans));
    }
    (report, intervals)
}

/// The project's time waiting on each side at `later`, from a report computed at `computed` from
/// a log with nothing after `computed`: a side with a task waiting at `computed` has waited the
/// whole time since (the union of its spans grows by exactly that), and a halted project accrues
/// nothing (its report has no task waiting). Lets a cache keep one report per project version
/// instead of replaying the log every time the clock moves.
pub fn project_time_at(
    report: &BallReport,
    computed: DateTime<Utc>,
    later: DateTime<Utc>,
) -> SideTime {
    let elapsed = (later - computed).num_seconds().max(0);
    let mut t = report.project;
    for side in [Side::Vendor, Side::Customer] {
        if report.current.values().any(|s| *s == side) {
            t.add(side, elapsed);
        }
    }
    t
}

fn union_seconds(spans: &mut [(DateTime<Utc>, DateTime<Utc>)]) -> i64 {
    spans.sort();
    let mut total = 0;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for &(a, b) in spans.iter() {
        match current {
            Some((s, e)) if a <= e => current = Some((s, e.max(b))),
            Some((s, e)) => {
                total += (e - s).num_seconds();
                current = Some((a, b));
            }
            None => current = Some((a, b)),
        }
    }
    if let Some((s, e)) = current {
        total += (e - s).num_seconds();
    }
    total
}
