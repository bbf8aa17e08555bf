//! One project's path through the lifecycle: each stage it was in, from when to when, how it got
//! there (a loop or not), and who had the ball meanwhile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::Activity;
use crate::lifecycle::{LoopKind, Stage};
use crate::people::Side;
use crate::project::Project;

use super::waiting::WaitingSpans;

/// A stay in one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageVisit {
    pub stage: Stage,
    pub entered: DateTime<Utc>,
    /// When the project moved on; `None` while it is still here.
    pub left: Option<DateTime<Utc>>,
    /// Who moved the project into the stage, as the log names them.
    pub entered_by: String,
    /// The loop that brought the project back here, if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_loop: Option<LoopKind>,
    /// Seconds of the stay during which some task waited on the customer (R7).
    pub customer_seconds: i64,
    /// Seconds of the stay during which some task waited on the vendor (R7).
    pub vendor_seconds: i64,
    /// Length of the stay, up to `now` for the stage the project is in.
    pub seconds: i64,
}

fn stage_in(value: &Option<serde_json::Value>) -> Option<Stage> {
    value
        .as_ref()
        .and_then(|v| v.get("stage"))
        .and_then(|s| serde_json::from_value(s.clone()).ok())
}

fn loop_of(kind: &str) -> Option<LoopKind> {
    [
        LoopKind::SalesRealign,
        LoopKind::UatRework,
        LoopKind::NoGo,
        LoopKind::AdoptionIntervention,
    ]
    .into_iter()
    .find(|k| k.activity_kind() == kind)
}

/// The stage visits of a project, oldest first, with time measured up to `now`.
///
/// The first visit starts at `project.created` (or the document's `created_at` for a log that
/// lacks it) in the handoff stage; each `stage.changed` closes the stay and opens the next, and
/// a `loop.*` activity just before it marks the new stay as a loop's. Ball time comes from
/// `spans` (see `waiting_spans`), clipped to each stay.
pub fn stage_visits(
    project: &Project,
    activities: &[Activity],
    spans: &WaitingSpans,
    now: DateTime<Utc>,
) -> Vec<StageVisit> {
    let mut sorted: Vec<&Activity> = activities.iter().collect();
    // Stable: activities of one command share a timestamp and keep their logged order.
    sorted.sort_by_key(|a| a.at);
    let mut visits: Vec<StageVisit> = Vec::new();
    let mut pending_loop: Option<LoopKind> = None;
    let open = |stage, at, by: &str, via_loop| StageVisit {
        stage,
        entered: at,
        left: None,
        entered_by: by.to_string(),
        via_loop,
        customer_seconds: 0,
        vendor_seconds: 0,
        seconds: 0,
    };
    for a in sorted {
        if a.kind == "project.created" && visits.is_empty() {
            let stage = stage_in(&a.after).unwrap_or(Stage::Handoff);
            visits.push(open(stage, a.at, &a.actor, None));
        } else if let Some(kind) = loop_of(&a.kind) {
            pending_loop = Some(kind);
        } else if a.kind == "stage.changed" {
            let Some(to) = stage_in(&a.after) else {
                continue;
            };
            if visits.is_empty() {
                let from = stage_in(&a.before).unwrap_or(Stage::Handoff);
                let at = project.created_at.min(a.at);
                visits.push(open(from, at, "", None));
            }
            if let Some(last) = visits.last_mut() {
                last.left = Some(a.at);
            }
            visits.push(open(to, a.at, &a.actor, pending_loop.take()));
        }
    }
    if visits.is_empty() {
        visits.push(open(project.stage, project.created_at, "", None));
    }
    for v in &mut visits {
        let end = v.left.unwrap_or(now).max(v.entered);
        v.seconds = (end - v.entered).num_seconds();
        v.customer_seconds = spans.seconds_within(Side::Customer, v.entered, end);
        v.vendor_seconds = spans.seconds_within(Side::Vendor, v.entered, end);
    }
    visits
}

/// Who had the ball when visits were measured: the sides on which some task was waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitingNow {
    pub vendor: bool,
    pub customer: bool,
}

/// The visits `stage_visits` would give at `later`, from those it gave at `measured` for a log
/// with nothing after `measured` (had anything happened, the project's version would have
/// moved): only the stay not yet ended grows, and its waiting time grows on each side that had
/// the ball at `measured`, as R7's clocks do (`ball::project_time_at`). A paused or closed
/// project has nobody waiting, so only its stay grows.
pub fn visits_at(
    visits: &[StageVisit],
    measured: DateTime<Utc>,
    later: DateTime<Utc>,
    waiting: WaitingNow,
) -> Vec<StageVisit> {
    let mut out = visits.to_vec();
    if let Some(last) = out.last_mut().filter(|v| v.left.is_none()) {
        let grown = (later.max(last.entered) - measured.max(last.entered))
            .num_seconds()
            .max(0);
        last.seconds += grown;
        if waiting.customer {
            last.customer_seconds += grown;
        }
        if waiting.vendor {
            last.vendor_seconds += grown;
        }
    }
    out
}
