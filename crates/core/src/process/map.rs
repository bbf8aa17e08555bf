//! The live process map: the stage visits of many projects folded into a directly-follows graph.
//! Built one project at a time (`ProcessMapBuilder::add`), so a caller can stream projects through
//! it and keep only the figures, never every log at once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::activity::Activity;
use crate::lifecycle::{LoopKind, Stage, STAGE_ORDER};
use crate::project::Project;

use super::median;
use super::visits::{stage_visits, StageVisit};
use super::waiting::waiting_spans;

const DAY: f64 = 86_400.0;

/// A stage of the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapNode {
    pub stage: Stage,
    pub label: String,
    /// Projects that were ever in this stage.
    pub projects_passed: usize,
    /// Stays in this stage, a project looping back counted again.
    pub visits: usize,
    /// The median length of the finished stays, in days; `None` before any stay has ended.
    pub median_days: Option<f64>,
    /// Of all the time spent here, the share during which some task waited on the customer
    /// (0 to 1); `None` when no time was spent here.
    pub customer_wait_share: Option<f64>,
    /// The same for the vendor. Both can be waited on at once, so the two may add up to over 1.
    pub vendor_wait_share: Option<f64>,
    /// How many projects are in this stage now (complete and cancelled included).
    pub in_stage_now: usize,
    /// The projects in this stage now, longest here first; empty for complete and cancelled,
    /// where nobody waits and a list would only grow with the workspace's history (their count
    /// is `in_stage_now`).
    pub now: Vec<InStage>,
}

/// A project in a stage now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InStage {
    pub project_id: String,
    pub name: String,
    pub customer: String,
    pub since: DateTime<Utc>,
    pub days_here: f64,
    /// Days of this stay during which some task waited on the customer.
    pub customer_wait_days: f64,
}

/// A move from one stage to the next, as it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapEdge {
    pub from: Stage,
    pub to: Stage,
    /// How many times a project made this move.
    pub count: usize,
    /// The median time from entering `from` to entering `to`, in days.
    pub median_days: Option<f64>,
    /// Goes back in the lifecycle: a loop (or a resume that went back).
    pub back: bool,
    /// The loop recorded with the move (the most frequent one if moves differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<LoopKind>,
}

/// The map: stages in lifecycle order, then paused and cancelled if any project was there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessMap {
    pub projects: usize,
    pub nodes: Vec<MapNode>,
    /// Sorted by `from`'s then `to`'s place in the lifecycle.
    pub edges: Vec<MapEdge>,
}

impl ProcessMap {
    pub fn node(&self, stage: Stage) -> Option<&MapNode> {
        self.nodes.iter().find(|n| n.stage == stage)
    }

    pub fn edge(&self, from: Stage, to: Stage) -> Option<&MapEdge> {
        self.edges.iter().find(|e| e.from == from && e.to == to)
    }
}

#[derive(Default)]
struct NodeAcc {
    projects: usize,
    visits: usize,
    finished: Vec<i64>,
    seconds: i64,
    customer: i64,
    vendor: i64,
    here: usize,
    now: Vec<InStage>,
}

#[derive(Default)]
struct EdgeAcc {
    durations: Vec<i64>,
    loops: BTreeMap<u8, (usize, Option<LoopKind>)>,
}

/// What the map shows of a project besides its visits: who it is and the stage its document
/// is in.
#[derive(Debug, Clone, Copy)]
pub struct Passer<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub customer: &'a str,
    pub stage: Stage,
}

/// Folds projects into a `ProcessMap`, one at a time.
pub struct ProcessMapBuilder {
    now: DateTime<Utc>,
    projects: usize,
    nodes: BTreeMap<Stage, NodeAcc>,
    edges: BTreeMap<(Stage, Stage), EdgeAcc>,
}

/// Lifecycle order, with paused and cancelled after complete.
fn rank(stage: Stage) -> usize {
    stage.position().unwrap_or(match stage {
        Stage::Paused => STAGE_ORDER.len(),
        _ => STAGE_ORDER.len() + 1,
    })
}

fn loop_rank(kind: Option<LoopKind>) -> u8 {
    match kind {
        None => 0,
        Some(LoopKind::SalesRealign) => 1,
        Some(LoopKind::UatRework) => 2,
        Some(LoopKind::NoGo) => 3,
        Some(LoopKind::AdoptionIntervention) => 4,
    }
}

impl ProcessMapBuilder {
    /// Time is measured up to `now` for the stays not yet ended.
    pub fn new(now: DateTime<Utc>) -> Self {
        ProcessMapBuilder {
            now,
            projects: 0,
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
        }
    }

    /// Adds one project and its activity log.
    pub fn add(&mut self, project: &Project, activities: &[Activity]) {
        let spans = waiting_spans(activities, self.now);
        let visits = stage_visits(project, activities, &spans, self.now);
        self.add_visits(
            &Passer {
                id: &project.id,
                name: &project.name,
                customer: &project.customer,
                stage: project.stage,
            },
            &visits,
        );
    }

    /// Adds one project by its stage visits measured up to the builder's `now` (what `add`
    /// derives from the log; a cache keeps them per project version and carries them forward).
    pub fn add_visits(&mut self, project: &Passer<'_>, visits: &[StageVisit]) {
        self.projects += 1;
        let mut seen: BTreeSet<Stage> = BTreeSet::new();
        for v in visits {
            let node = self.nodes.entry(v.stage).or_default();
            if seen.insert(v.stage) {
                node.projects += 1;
            }
            node.visits += 1;
            node.seconds += v.seconds;
            node.customer += v.customer_seconds;
            node.vendor += v.vendor_seconds;
            if v.left.is_some() {
                node.finished.push(v.seconds);
            }
        }
        for pair in visits.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let edge = self.edges.entry((a.stage, b.stage)).or_default();
            edge.durations.push(a.seconds);
            edge.loops
                .entry(loop_rank(b.via_loop))
                .or_insert((0, b.via_loop))
                .0 += 1;
        }
        // The stage the log ends in is where the project is now; the document agrees unless
        // the log is incomplete, and then the document's word is the one shown elsewhere.
        if let Some(here) = visits
            .last()
            .filter(|v| v.left.is_none() && v.stage == project.stage)
        {
            let node = self.nodes.entry(here.stage).or_default();
            node.here += 1;
            if here.stage.is_closed() {
                return;
            }
            node.now.push(InStage {
                project_id: project.id.to_string(),
                name: project.name.to_string(),
                customer: project.customer.to_string(),
                since: here.entered,
                days_here: here.seconds as f64 / DAY,
                customer_wait_days: here.customer_seconds as f64 / DAY,
            });
        }
    }

    pub fn finish(self) -> ProcessMap {
        let mut nodes: Vec<MapNode> = Vec::new();
        let extra = [Stage::Paused, Stage::Cancelled];
        let mut stages: Vec<Stage> = STAGE_ORDER.to_vec();
        stages.extend(extra.into_iter().filter(|s| self.nodes.contains_key(s)));
        let mut accs = self.nodes;
        for stage in stages {
            let mut acc = accs.remove(&stage).unwrap_or_default();
            let share = |secs: i64| (acc.seconds > 0).then(|| secs as f64 / acc.seconds as f64);
            let (customer_wait_share, vendor_wait_share) = (share(acc.customer), share(acc.vendor));
            acc.now.sort_by(|a, b| {
                a.since
                    .cmp(&b.since)
                    .then_with(|| a.project_id.cmp(&b.project_id))
            });
            nodes.push(MapNode {
                stage,
                label: stage.label().to_string(),
                projects_passed: acc.projects,
                visits: acc.visits,
                in_stage_now: acc.here,
                median_days: median(&mut acc.finished).map(|s| s / DAY),
                customer_wait_share,
                vendor_wait_share,
                now: acc.now,
            });
        }
        let mut edges: Vec<MapEdge> = self
            .edges
            .into_iter()
            .map(|((from, to), mut acc)| {
                // The most frequent loop recorded with the move; the last of equals, by kind.
                let loop_kind = acc
                    .loops
                    .values()
                    .filter_map(|(n, k)| k.map(|k| (*n, k)))
                    .max_by_key(|(n, _)| *n)
                    .map(|(_, k)| k);
                MapEdge {
                    from,
                    to,
                    count: acc.durations.len(),
                    median_days: median(&mut acc.durations).map(|s| s / DAY),
                    back: from
                        .position()
                        .zip(to.position())
                        .is_some_and(|(f, t)| t <= f),
                    loop_kind,
                }
            })
            .collect();
        edges.sort_by_key(|e| (rank(e.from), rank(e.to)));
        ProcessMap {
            projects: self.projects,
            nodes,
            edges,
        }
    }
}
