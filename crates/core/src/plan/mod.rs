//! The mutual action plan: tasks with one owner, a due date and its baseline, proof and blockers
//! (R5, R6, R8) and the side the ball is with (R7).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{required_text, DomainError};
use crate::people::Side;
use crate::playbook::StepKind;
use crate::rule::Rule;
use crate::visibility::{legacy_default, Visibility};

pub(crate) mod commands;

pub(crate) use commands::*;

/// Who a playbook step or task belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskLabel {
    VendorTask,
    CustomerTask,
    SharedTask,
}

impl TaskLabel {
    pub fn label(self) -> &'static str {
        match self {
            TaskLabel::VendorTask => "vendor task",
            TaskLabel::CustomerTask => "customer task",
            TaskLabel::SharedTask => "shared task",
        }
    }
}

/// Evidence that a task is done (R5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Proof {
    Link(String),
    /// The id of a file uploaded to the project.
    File(String),
    /// The id of a data import run.
    ImportRun(String),
    /// A note of the result.
    Note(String),
}

impl Proof {
    pub fn describe(&self) -> String {
        match self {
            Proof::Link(l) => format!("link {l}"),
            Proof::File(f) => format!("file {}", f.get(..12).unwrap_or(f)),
            Proof::ImportRun(r) => format!("import run {r}"),
            Proof::Note(n) => format!("note \"{n}\""),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Proof::Link(s) | Proof::File(s) | Proof::ImportRun(s) | Proof::Note(s) => s,
        }
    }
}

/// What a blocked task needs, from whom, by when (R6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Blocker {
    pub needed: String,
    pub from: u32,
    pub by: NaiveDate,
    pub since: DateTime<Utc>,
}

/// A task's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting for its dependencies.
    Pending,
    /// Ready to work on.
    Open,
    Blocked(Blocker),
    Done {
        proof: Proof,
        by: u32,
        at: DateTime<Utc>,
    },
}

/// A moved due date (R8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rebaseline {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// One task of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "TaskDoc")]
pub struct Task {
    pub id: u32,
    pub title: String,
    pub phase: String,
    pub label: TaskLabel,
    /// The one person who owns it (R1); `None` only while a playbook role is unfilled.
    pub owner: Option<u32>,
    pub due: NaiveDate,
    /// The first due date ever agreed (R8).
    pub baseline_due: NaiveDate,
    #[serde(default)]
    pub rebaselines: Vec<Rebaseline>,
    #[serde(default)]
    pub depends_on: Vec<u32>,
    pub needs_proof: bool,
    pub status: TaskStatus,
    /// The side this task waits on while it is open (R7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ball: Option<Side>,
    /// Reminders sent for it (R9).
    #[serde(default)]
    pub nudges: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<DateTime<Utc>>,
    /// The playbook step this task came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_key: Option<String>,
    /// The playbook role that owns it by default, used to assign it once someone holds the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_role: Option<crate::people::Role>,
    /// Whether the customer sees it, with its notes and proof (`visibility` module).
    #[serde(default)]
    pub visibility: Visibility,
    /// What kind of work it is (G2 checks the build tasks): its playbook step's kind, or for a
    /// task added by hand or stored before kinds existed, its phase's
    /// (`StepKind::from_phase_name`).
    #[serde(default)]
    pub kind: StepKind,
    /// Estimated vendor effort, from its playbook step (`capacity`): spread over the weeks before
    /// its due date as the owner's allocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort_hours: Option<f64>,
    /// The lifecycle stage of its phase, for time logged against it (`capacity::task_stage`);
    /// tasks stored before it existed take their phase-mates' or the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<crate::lifecycle::Stage>,
}

/// A task as stored. Documents written before visibility existed have none: their tasks from the
/// built-in playbooks' internal steps become internal, every other task shared
/// (`visibility::legacy_default`), so an old project never shows its internal kickoff to the
/// customer. The next save writes the field.
#[derive(Deserialize)]
struct TaskDoc {
    id: u32,
    title: String,
    phase: String,
    label: TaskLabel,
    owner: Option<u32>,
    due: NaiveDate,
    baseline_due: NaiveDate,
    #[serde(default)]
    rebaselines: Vec<Rebaseline>,
    #[serde(default)]
    depends_on: Vec<u32>,
    needs_proof: bool,
    status: TaskStatus,
    #[serde(default)]
    ball: Option<Side>,
    #[serde(default)]
    nudges: u32,
    #[serde(default)]
    escalated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    step_key: Option<String>,
    #[serde(default)]
    owner_role: Option<crate::people::Role>,
    #[serde(default)]
    visibility: Option<Visibility>,
    #[serde(default)]
    kind: Option<StepKind>,
    #[serde(default)]
    effort_hours: Option<f64>,
    #[serde(default)]
    stage: Option<crate::lifecycle::Stage>,
}

impl From<TaskDoc> for Task {
    fn from(d: TaskDoc) -> Self {
        let visibility = d
            .visibility
            .unwrap_or_else(|| legacy_default(d.step_key.as_deref()));
        let kind = d
            .kind
            .unwrap_or_else(|| StepKind::from_phase_name(&d.phase));
        Task {
            id: d.id,
            title: d.title,
            phase: d.phase,
            label: d.label,
            owner: d.owner,
            due: d.due,
            baseline_due: d.baseline_due,
            rebaselines: d.rebaselines,
            depends_on: d.depends_on,
            needs_proof: d.needs_proof,
            status: d.status,
            ball: d.ball,
            nudges: d.nudges,
            escalated_at: d.escalated_at,
            step_key: d.step_key,
            owner_role: d.owner_role,
            visibility,
            kind,
            effort_hours: d.effort_hours,
            stage: d.stage,
        }
    }
}

impl Task {
    pub fn is_done(&self) -> bool {
        matches!(self.status, TaskStatus::Done { .. })
    }

    pub fn is_open(&self) -> bool {
        !self.is_done()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due < today
    }

    pub fn slips(&self) -> usize {
        self.rebaselines.len()
    }

    pub fn state_label(&self) -> &'static str {
        match self.status {
            TaskStatus::Pending => "pending",
            TaskStatus::Open => "open",
            TaskStatus::Blocked(_) => "blocked",
            TaskStatus::Done { .. } => "done",
        }
    }
}

/// Words that say a task is blocked without saying on what.
const VAGUE_BLOCKERS: &[&str] = &[
    "we are blocked",
    "blocked",
    "waiting",
    "stuck",
    "tbd",
    "n/a",
    "on hold",
    "pending",
    "waiting on customer",
    "waiting on them",
];

/// R6: what a blocker must say. Returns the reason it is not specific, if it is not.
pub fn blocker_vagueness(needed: &str) -> Option<String> {
    let t = needed.trim().to_lowercase();
    let t = t.trim_end_matches(['.', '!']);
    if t.is_empty() {
        return Some("say exactly what is needed (\"customer sends CSV with fields X, Y\")".into());
    }
    if VAGUE_BLOCKERS.contains(&t) || t.split_whitespace().count() < 3 {
        return Some(format!(
            "\"{}\" does not say what is needed: name the thing to deliver (\"customer sends CSV with fields X, Y\")",
            needed.trim()
        ));
    }
    None
}

/// R5: a task done records who completed it: the person named, or else the person acting.
pub fn r5_completed_by(completed_by: Option<u32>, acting: Option<u32>) -> Result<u32, DomainError> {
    completed_by
        .or(acting)
        .ok_or_else(|| DomainError::rule(Rule::R5, "say who completed the task (completed_by)"))
}

/// A task is done only once the tasks it depends on are done (the plan's order).
pub fn dependencies_done(t: &Task) -> Result<(), DomainError> {
    if t.status == TaskStatus::Pending {
        return Err(DomainError::rule(
            Rule::Dependencies,
            format!(
                "task {} waits on tasks {:?} that are not done yet",
                t.id, t.depends_on
            ),
        ));
    }
    Ok(())
}

/// R5: a task is marked done only with proof (a link, a file, an import run or a note of the
/// result). Returns the proof to record: a task that needs none is done with the note "done".
pub fn r5_proof(t: &Task, proof: Option<Proof>) -> Result<Proof, DomainError> {
    match proof {
        Some(pr) if !pr.text().trim().is_empty() => Ok(pr),
        _ if !t.needs_proof => Ok(Proof::Note("done".into())),
        _ => Err(DomainError::rule(Rule::R5, format!("task {} \"{}\" cannot be marked done without proof: attach a link, a file, an import run or a note of the result", t.id, t.title))),
    }
}

/// R6: a blocker says exactly what is needed ("customer sends CSV with fields X, Y"), never
/// just "we are blocked".
pub fn r6_specific_blocker(needed: &str) -> Result<(), DomainError> {
    match blocker_vagueness(needed) {
        Some(why) => Err(DomainError::rule(Rule::R6, why)),
        None => Ok(()),
    }
}

/// R8: moving a date keeps the original baseline (it is never overwritten) and records the move
/// with its reason; slips are counted from these records.
pub fn r8_record_move(
    moves: &mut Vec<Rebaseline>,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
    at: DateTime<Utc>,
) {
    moves.push(Rebaseline {
        from,
        to,
        reason: reason.into(),
        at,
    });
}

/// R8: the launch date moves only with a reason.
pub fn r8_reason_for_moving_the_launch(reason: &str) -> Result<String, DomainError> {
    required_text("reason", reason)
        .map_err(|_| DomainError::rule(Rule::R8, "moving the launch date needs a reason"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid date")
    }

    fn task(status: TaskStatus, needs_proof: bool) -> Task {
        Task {
            id: 7,
            title: "Send the orders CSV".into(),
            phase: "Week 2: set up with real data".into(),
            label: TaskLabel::CustomerTask,
            owner: Some(2),
            due: date(10),
            baseline_due: date(10),
            rebaselines: Vec::new(),
            depends_on: vec![3],
            needs_proof,
            status,
            ball: None,
            nudges: 0,
            escalated_at: None,
            step_key: None,
            owner_role: None,
            visibility: Visibility::Shared,
            kind: StepKind::Build,
            effort_hours: None,
            stage: None,
        }
    }

    #[test]
    fn r5_completed_by_falls_back_to_the_person_acting() {
        assert_eq!(r5_completed_by(Some(1), Some(2)).ok(), Some(1));
        assert_eq!(r5_completed_by(None, Some(2)).ok(), Some(2));
        assert!(r5_completed_by(None, None).is_err());
    }

    #[test]
    fn dependencies_done_before_a_task_is() {
        let pending = task(TaskStatus::Pending, true);
        let waits = dependencies_done(&pending).expect_err("pending");
        assert!(waits.to_string().contains("waits on tasks [3]"), "{waits}");
        assert!(matches!(
            waits,
            DomainError::Rule {
                rule: Rule::Dependencies,
                ..
            }
        ));
        assert!(dependencies_done(&task(TaskStatus::Open, true)).is_ok());
    }

    #[test]
    fn r5_proof_is_needed_unless_the_task_needs_none() {
        let open = task(TaskStatus::Open, true);
        assert!(r5_proof(&open, None).is_err());
        assert!(r5_proof(&open, Some(Proof::Note("  ".into()))).is_err());
        assert_eq!(
            r5_proof(&open, Some(Proof::Note("sent".into()))).ok(),
            Some(Proof::Note("sent".into()))
        );
        let no_proof_needed = task(TaskStatus::Open, false);
        assert_eq!(
            r5_proof(&no_proof_needed, None).ok(),
            Some(Proof::Note("done".into()))
        );
    }

    #[test]
    fn r6_specific_blocker_refuses_we_are_blocked() {
        assert!(r6_specific_blocker("we are blocked").is_err());
        assert!(r6_specific_blocker("").is_err());
        assert!(r6_specific_blocker("customer sends CSV with fields id, name").is_ok());
    }

    #[test]
    fn r8_record_move_keeps_from_to_and_reason() {
        let mut moves = Vec::new();
        let at = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid time");
        r8_record_move(&mut moves, date(10), date(17), "CSV late", at);
        assert_eq!(moves.len(), 1);
        assert_eq!((moves[0].from, moves[0].to), (date(10), date(17)));
        assert_eq!(moves[0].reason, "CSV late");
    }

    #[test]
    fn r8_reason_for_moving_the_launch_is_required() {
        assert!(r8_reason_for_moving_the_launch("  ").is_err());
        assert_eq!(
            r8_reason_for_moving_the_launch(" CSV late ").ok(),
            Some("CSV late".into())
        );
    }
}
