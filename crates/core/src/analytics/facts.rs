//! What one project contributes to the analytics, computed once per project version from its
//! document and activity log (R7 spans, R8 re-baselines, R11 criteria, R12 scorecard). The
//! values that move with the clock (the current stage's days, tasks waiting now) are carried
//! forward to any later time by `at`, so a cache can keep facts until the project changes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::Activity;
use crate::ball::{r7_ball_in_court_with_spans, SideTime};
use crate::handoff::Segment;
use crate::lifecycle::{LoopKind, Stage, STAGE_ORDER};
use crate::people::Side;
use crate::process::{stage_visits, visits_at, waiting_spans, Passer, StageVisit, WaitingNow};
use crate::project::{PlaybookRef, Project};
use crate::scorecard::{r12_scorecard, Scorecard};

use super::stats::round1;
use super::timeline::{
    intersection, overlap, stage_after, stage_before, stage_stays, union_of, Span,
};

/// Contract date to a milestone, and what of that time was paused or waiting on the customer
/// alone (a customer task waiting and no vendor task: time the vendor could not use).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub days: i64,
    #[serde(with = "exact")]
    pub paused_days: f64,
    #[serde(with = "exact")]
    pub customer_days: f64,
}

impl Milestone {
    pub fn excluding_paused(&self) -> f64 {
        (self.days as f64 - self.paused_days).max(0.0)
    }

    pub fn excluding_customer_wait(&self) -> f64 {
        (self.days as f64 - self.customer_days).max(0.0)
    }
}

/// Seconds of one stage split by who had the ball.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideSplit {
    /// Only vendor tasks waited.
    pub vendor: i64,
    /// Only customer tasks waited.
    pub customer: i64,
    /// Tasks waited on both sides at once.
    pub both: i64,
    /// No task waited on anybody (or the project was paused).
    pub nobody: i64,
}

impl SideSplit {
    fn add(&mut self, o: &SideSplit) {
        self.vendor += o.vendor;
        self.customer += o.customer;
        self.both += o.both;
        self.nobody += o.nobody;
    }

    pub fn total(&self) -> i64 {
        self.vendor + self.customer + self.both + self.nobody
    }
}

/// Waiting time of one kind of task (a playbook step, or a phase's tasks added by hand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindWait {
    pub key: String,
    pub label: String,
    pub tasks: u32,
    pub vendor_seconds: i64,
    pub customer_seconds: i64,
    /// Tasks of this kind waiting at `computed_at`, per side (their time grows with the clock).
    pub waiting_vendor_now: u32,
    pub waiting_customer_now: u32,
}

/// One loop taken, and how long until the project was back where it looped from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoopTaken {
    pub kind: LoopKind,
    /// `None` while the project has not come back yet.
    #[serde(with = "exact::option")]
    pub cost_days: Option<f64>,
}

/// One move of a date (R8): the launch's or a task's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub launch: bool,
    pub reason: String,
    pub days: i64,
}

/// What the forecast needs of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanProgress {
    /// Open tasks planned for before the launch.
    pub open_tasks: u32,
    pub done_tasks: u32,
    /// The open task planned for before the launch that is due last: its title and due date.
    pub latest_open: Option<(String, NaiveDate)>,
    pub start_date: NaiveDate,
}

/// The shape of [`ProjectFacts`] as kept outside the process (`app::analytics` stores them by
/// project version): raise it whenever what `project_facts` computes changes, so facts kept by
/// an older build are recomputed instead of read.
pub const FACTS_FORMAT: i64 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectFacts {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub segment: Segment,
    pub playbook: PlaybookRef,
    /// The vendor owner's name ("" when none).
    pub owner: String,
    /// The vendor owner's workspace user id, when the owner is a member.
    pub owner_user_id: Option<String>,
    pub contract_date: NaiveDate,
    pub stage: Stage,
    pub scorecard: Scorecard,
    pub go_live: Option<Milestone>,
    pub first_value: Option<Milestone>,
    /// R11: every success criterion met or accepted.
    pub value_confirmed: Option<Milestone>,
    pub baseline_launch_date: Option<NaiveDate>,
    pub launch_date: Option<NaiveDate>,
    pub live_on: Option<NaiveDate>,
    pub moves: Vec<Move>,
    /// Per stage visited, the time in it split by side.
    pub stages: BTreeMap<Stage, SideSplit>,
    pub task_kinds: Vec<KindWait>,
    pub loops: Vec<LoopTaken>,
    /// The stage visits of the process map (`process::stage_visits`) at `computed_at`.
    pub visits: Vec<StageVisit>,
    pub plan: PlanProgress,
    pub computed_at: DateTime<Utc>,
    /// R7's project time per side at `computed_at`, in seconds (the scorecard rounds it).
    pub waited: SideTime,
    /// Who had the ball at `computed_at` (nobody once the project is closed or paused).
    pub waiting_vendor_now: bool,
    pub waiting_customer_now: bool,
    /// The customer's ratings at milestones (`survey::ratings`).
    #[serde(default)]
    pub ratings: Vec<crate::survey::Rating>,
}

/// The facts of one project at `now`.
pub fn project_facts(p: &Project, activities: &[Activity], now: DateTime<Utc>) -> ProjectFacts {
    let sorted: Cow<[Activity]> = if activities.is_sorted_by_key(|a| a.at) {
        Cow::Borrowed(activities)
    } else {
        let mut v = activities.to_vec();
        v.sort_by_key(|a| a.at);
        Cow::Owned(v)
    };
    let sorted = sorted.as_ref();
    let scorecard = r12_scorecard(p, sorted, now);
    let (ball, spans) = r7_ball_in_court_with_spans(sorted, now);
    let vendor = union_of(&spans, Side::Vendor);
    let customer = union_of(&spans, Side::Customer);
    let both = intersection(&vendor, &customer);
    let stays = stage_stays(sorted, p.stage, now);
    let paused: Vec<Span> = stays
        .iter()
        .filter(|s| s.stage == Stage::Paused)
        .map(|s| (s.from, s.to))
        .collect();
    let milestone = |at: DateTime<Utc>| {
        let start = p
            .handoff
            .contract_date
            .and_hms_opt(0, 0, 0)
            .map_or(i64::MIN, |d| d.and_utc().timestamp());
        let cut = at.timestamp();
        Milestone {
            days: (at.date_naive() - p.handoff.contract_date).num_days(),
            paused_days: super::timeline::days(overlap(&paused, start, cut)),
            // Only the customer's: time when vendor work was waiting too was not lost to them.
            customer_days: super::timeline::days(
                overlap(&customer, start, cut) - overlap(&both, start, cut),
            ),
        }
    };
    let go_live = p.live_on.map(|live| {
        let at = sorted
            .iter()
            .find(|a| a.kind == "stage.changed" && stage_after(a) == Some(Stage::Hypercare))
            .map(|a| a.at)
            .or_else(|| live.and_hms_opt(0, 0, 0).map(|d| d.and_utc()))
            .unwrap_or(now);
        // The day count is the scorecard's (go-live date), whatever the hour.
        Milestone {
            days: (live - p.handoff.contract_date).num_days(),
            ..milestone(at)
        }
    });
    let first_value = first_value_at(sorted).map(milestone);
    let value_confirmed = value_confirmed_at(p, sorted).map(milestone);
    let mut stages: BTreeMap<Stage, SideSplit> = BTreeMap::new();
    for s in &stays {
        let v = overlap(&vendor, s.from, s.to);
        let c = overlap(&customer, s.from, s.to);
        let b = overlap(&both, s.from, s.to);
        stages.entry(s.stage).or_default().add(&SideSplit {
            vendor: v - b,
            customer: c - b,
            both: b,
            nobody: (s.to - s.from) - v - c + b,
        });
    }
    let current: Vec<Side> = ball.current.values().copied().collect();
    let visits = stage_visits(p, sorted, &waiting_spans(sorted, now), now);
    ProjectFacts {
        id: p.id.clone(),
        name: p.name.clone(),
        customer: p.customer.clone(),
        segment: p.handoff.segment,
        playbook: p.playbook.clone(),
        owner: p.vendor_owner().map(|o| o.name.clone()).unwrap_or_default(),
        owner_user_id: p.vendor_owner().and_then(|o| o.user_id.clone()),
        contract_date: p.handoff.contract_date,
        stage: p.stage,
        go_live,
        first_value,
        value_confirmed,
        baseline_launch_date: p.baseline_launch_date,
        launch_date: p.launch_date,
        live_on: p.live_on,
        moves: moves(p),
        stages,
        task_kinds: task_kinds(p, &ball),
        loops: loops_taken(sorted),
        visits,
        plan: plan_progress(p),
        computed_at: now,
        waited: ball.project,
        waiting_vendor_now: current.contains(&Side::Vendor),
        waiting_customer_now: current.contains(&Side::Customer),
        ratings: crate::survey::ratings(p),
        scorecard,
    }
}

impl ProjectFacts {
    /// Live or later (the scorecard's `live`).
    pub fn is_live(&self) -> bool {
        self.live_on.is_some()
    }

    /// Not live, not cancelled, not complete.
    pub fn is_open(&self) -> bool {
        !self.is_live() && !self.stage.is_closed()
    }

    /// Seconds the clock moved since these facts were computed.
    pub fn elapsed(&self, now: DateTime<Utc>) -> i64 {
        (now - self.computed_at).num_seconds().max(0)
    }

    /// The scorecard (R12) at `now`: what `r12_scorecard` would give if the log were replayed
    /// then, since nothing happened in between (the version would have moved).
    pub fn scorecard_at(&self, now: DateTime<Utc>) -> Scorecard {
        let mut card = self.scorecard.clone();
        let elapsed = self.elapsed(now);
        if !self.is_live() {
            card.days_to_launch = (now.date_naive() - self.contract_date).num_days();
        }
        let grow = |seconds: i64, waiting: bool| {
            let s = seconds + if waiting { elapsed } else { 0 };
            round1(s as f64 / 86_400.0)
        };
        card.days_waiting_on_customer =
            grow(self.waited.customer_seconds, self.waiting_customer_now);
        card.days_waiting_on_vendor = grow(self.waited.vendor_seconds, self.waiting_vendor_now);
        card
    }

    /// The stage visits at `now` (`process::visits_at`), for the process map.
    pub fn visits_at(&self, now: DateTime<Utc>) -> Vec<StageVisit> {
        let waiting = WaitingNow {
            vendor: self.waiting_vendor_now,
            customer: self.waiting_customer_now,
        };
        visits_at(&self.visits, self.computed_at, now, waiting)
    }

    /// Who the project is, as the process map lists it.
    pub fn passer(&self) -> Passer<'_> {
        Passer {
            id: &self.id,
            name: &self.name,
            customer: &self.customer,
            stage: self.stage,
        }
    }

    /// The time per stage at `now`: the current stage keeps counting, on the side(s) that had
    /// the ball when the facts were computed (nothing changed since, or the version would have).
    pub fn stages_at(&self, now: DateTime<Utc>) -> BTreeMap<Stage, SideSplit> {
        let mut stages = self.stages.clone();
        let elapsed = self.elapsed(now);
        if elapsed > 0 && !self.stage.is_closed() {
            let split = stages.entry(self.stage).or_default();
            match (self.waiting_vendor_now, self.waiting_customer_now) {
                (true, true) => split.both += elapsed,
                (true, false) => split.vendor += elapsed,
                (false, true) => split.customer += elapsed,
                (false, false) => split.nobody += elapsed,
            }
        }
        stages
    }
}

fn first_value_at(sorted: &[Activity]) -> Option<DateTime<Utc>> {
    sorted
        .iter()
        .filter(|a| a.kind == "criterion.measured" && measured_met(a))
        .map(|a| a.at)
        .min()
}

fn measured_met(a: &Activity) -> bool {
    a.after
        .as_ref()
        .and_then(|v| v.get("met"))
        .and_then(|m| m.as_bool())
        == Some(true)
}

/// R11's value half: when the last success criterion became met or accepted, if all are.
fn value_confirmed_at(p: &Project, sorted: &[Activity]) -> Option<DateTime<Utc>> {
    if p.criteria.is_empty() || !p.criteria.iter().all(|c| c.is_settled()) {
        return None;
    }
    let mut latest: Option<DateTime<Utc>> = None;
    for c in &p.criteria {
        let subject = format!("criterion:{}", c.id);
        let settled = sorted.iter().rev().find(|a| {
            a.subject == subject
                && (a.kind == "criterion.accepted"
                    || (a.kind == "criterion.measured" && measured_met(a)))
        })?;
        latest = latest.max(Some(settled.at));
    }
    latest
}

fn moves(p: &Project) -> Vec<Move> {
    let launch = p.launch_rebaselines.iter().map(|r| Move {
        launch: true,
        reason: r.reason.clone(),
        days: (r.to - r.from).num_days(),
    });
    let tasks = p.tasks.iter().flat_map(|t| {
        t.rebaselines.iter().map(|r| Move {
            launch: false,
            reason: r.reason.clone(),
            days: (r.to - r.from).num_days(),
        })
    });
    launch.chain(tasks).collect()
}

fn task_kinds(p: &Project, ball: &crate::ball::BallReport) -> Vec<KindWait> {
    let mut kinds: BTreeMap<String, KindWait> = BTreeMap::new();
    for t in &p.tasks {
        let (key, label) = match &t.step_key {
            Some(k) => (format!("{}:{k}", p.playbook.key), t.title.clone()),
            None => (
                format!("phase:{}", t.phase),
                format!("{} (added by hand)", t.phase),
            ),
        };
        let k = kinds.entry(key.clone()).or_insert_with(|| KindWait {
            key,
            label,
            tasks: 0,
            vendor_seconds: 0,
            customer_seconds: 0,
            waiting_vendor_now: 0,
            waiting_customer_now: 0,
        });
        k.tasks += 1;
        if let Some(time) = ball.tasks.get(&t.id) {
            k.vendor_seconds += time.vendor_seconds;
            k.customer_seconds += time.customer_seconds;
        }
        match ball.current.get(&t.id) {
            Some(Side::Vendor) => k.waiting_vendor_now += 1,
            Some(Side::Customer) => k.waiting_customer_now += 1,
            None => {}
        }
    }
    kinds.into_values().collect()
}

/// Each loop and its cost: from the loop to the first later change back to the stage it left
/// (or past it). A loop that stays in its stage (re-engaging the champion during adoption) costs
/// until the project moves on.
fn loops_taken(sorted: &[Activity]) -> Vec<LoopTaken> {
    const KINDS: [LoopKind; 4] = [
        LoopKind::SalesRealign,
        LoopKind::UatRework,
        LoopKind::NoGo,
        LoopKind::AdoptionIntervention,
    ];
    let position = |s: Stage| STAGE_ORDER.iter().position(|x| *x == s);
    let mut out = Vec::new();
    for (i, a) in sorted.iter().enumerate() {
        let Some(kind) = KINDS.into_iter().find(|k| k.activity_kind() == a.kind) else {
            continue;
        };
        let from = stage_before(a).and_then(position);
        let mut changes = sorted[i + 1..].iter().filter(|b| b.kind == "stage.changed");
        // The loop's own change of stage comes first.
        changes.next();
        let back = from.and_then(|from| {
            changes.find(|b| stage_after(b).and_then(position).is_some_and(|p| p >= from))
        });
        out.push(LoopTaken {
            kind,
            cost_days: back.map(|b| super::timeline::days((b.at - a.at).num_seconds())),
        });
    }
    out
}

/// The plan as the forecast sees it: only the tasks planned for before the launch (their first
/// due date on or before the first launch date) — steps after go-live (the value review, the
/// renewal hand-over) are meant to fall due after it.
fn plan_progress(p: &Project) -> PlanProgress {
    let planned_launch = p.baseline_launch_date.or(p.launch_date);
    let before_launch = |t: &&crate::plan::Task| planned_launch.is_none_or(|l| t.baseline_due <= l);
    let open: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| !t.is_done())
        .filter(before_launch)
        .collect();
    PlanProgress {
        open_tasks: open.len() as u32,
        done_tasks: p.tasks.iter().filter(|t| t.is_done()).count() as u32,
        latest_open: open
            .iter()
            .max_by_key(|t| (t.due, t.id))
            .map(|t| (t.title.clone(), t.due)),
        start_date: p.start_date,
    }
}

/// Days kept as text: serde_json's default float parsing can miss the last bit, and kept facts
/// must give the numbers fresh ones give. Rust prints the shortest text that parses back to the
/// same `f64`, and parses exactly.
mod exact {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<std::borrow::Cow<str>>::deserialize(d)?
                .map(|t| t.parse().map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}
