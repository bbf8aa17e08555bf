//! The project aggregate: everything one implementation holds. Commands change it as a whole
//! (see `command`), so every rule can see every part it needs.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::finish_line::SuccessCriterion;
use crate::handoff::Handoff;
use crate::intake::{AccessItem, DataMapRef, DataSource, ImportRun, IntakeRequest, Risk};
use crate::lifecycle::Stage;
use crate::people::{Person, Role, Side};
use crate::plan::{Rebaseline, Task, TaskLabel, TaskStatus};
use crate::scope::{ChangeRequest, ScopeItem};
use crate::training::TrainingSession;
use crate::uat::{Issue, UatCase};

// The parts of a project live with their area; these paths keep working.
pub use crate::adoption::AdoptionReading;
pub use crate::finish_line::FinishLine;
pub use crate::lifecycle::{GoDecision, TransitionPacket};
pub use crate::retro::{RetroBucket, RetroItem, RetroKind};
pub use crate::status_update::StatusUpdate;

/// The playbook version a project started from (it keeps it, whatever edits come later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaybookRef {
    pub key: String,
    pub version: u32,
    pub name: String,
}

/// One implementation project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub stage: Stage,
    /// Where to resume after a pause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_from: Option<Stage>,
    pub handoff: Handoff,
    pub playbook: PlaybookRef,
    pub start_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_line: Option<FinishLine>,
    #[serde(default)]
    pub criteria: Vec<SuccessCriterion>,
    /// The criterion picked as the early win (G2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_win: Option<u32>,
    #[serde(default)]
    pub scope: Vec<ScopeItem>,
    /// R3: the not-included list was confirmed empty on purpose.
    #[serde(default)]
    pub nothing_excluded_confirmed: bool,
    #[serde(default)]
    pub change_requests: Vec<ChangeRequest>,
    #[serde(default)]
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub intake: Vec<IntakeRequest>,
    #[serde(default)]
    pub access: Vec<AccessItem>,
    #[serde(default)]
    pub data_sources: Vec<DataSource>,
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// G1: "none known" stated explicitly.
    #[serde(default)]
    pub no_known_risks: bool,
    #[serde(default)]
    pub imports: Vec<ImportRun>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_maps: Vec<DataMapRef>,
    #[serde(default)]
    pub training: Vec<TrainingSession>,
    #[serde(default)]
    pub uat: Vec<UatCase>,
    #[serde(default)]
    pub issues: Vec<Issue>,
    #[serde(default)]
    pub go_decisions: Vec<GoDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_date: Option<NaiveDate>,
    /// The first launch date agreed (R8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_launch_date: Option<NaiveDate>,
    #[serde(default)]
    pub launch_rebaselines: Vec<Rebaseline>,
    /// Every approval of the plan by the customer's decision maker, oldest first (`approval`).
    #[serde(default)]
    pub plan_approvals: Vec<crate::approval::PlanApproval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_meeting: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hypercare_until: Option<NaiveDate>,
    pub hypercare_days: u32,
    #[serde(default)]
    pub adoption: Vec<AdoptionReading>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<TransitionPacket>,
    #[serde(default)]
    pub status_updates: Vec<StatusUpdate>,
    #[serde(default)]
    pub retro: Vec<RetroItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_customer_activity_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Which milestones ask the customer for a rating, copied from the playbook at creation;
    /// a project stored before ratings existed asks the defaults (`survey::default_asks`).
    #[serde(default = "crate::survey::default_asks")]
    pub surveys: Vec<crate::survey::SurveyAsk>,
    /// The customer's ratings, once per person per milestone (`survey`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub survey_responses: Vec<crate::survey::SurveyResponse>,
    /// The next id for anything inside the project.
    pub next_id: u32,
}

impl Project {
    pub fn take_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    pub fn person(&self, id: u32) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn person_name(&self, id: u32) -> String {
        self.person(id)
            .map_or_else(|| format!("person {id}"), |p| p.name.clone())
    }

    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(move |p| p.role == role)
    }

    pub fn first_with_role(&self, role: Role) -> Option<&Person> {
        self.with_role(role).next()
    }

    pub fn vendor_owner(&self) -> Option<&Person> {
        self.first_with_role(Role::ImplementationOwner)
    }

    pub fn customer_owner(&self) -> Option<&Person> {
        self.first_with_role(Role::CustomerOwner)
    }

    pub fn decision_maker(&self, side: Side) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.role == Role::DecisionMaker && p.side == side)
    }

    pub fn task(&self, id: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The side a task waits on when nothing blocks it (R7).
    pub fn default_ball(&self, task: &Task) -> Side {
        match task.label {
            TaskLabel::VendorTask => Side::Vendor,
            TaskLabel::CustomerTask => Side::Customer,
            TaskLabel::SharedTask => task
                .owner
                .and_then(|o| self.person(o))
                .map_or(Side::Vendor, |p| p.side),
        }
    }

    /// The side a task waits on right now, `None` if it is done or not yet ready.
    pub fn ball_for(&self, task: &Task) -> Option<Side> {
        match &task.status {
            TaskStatus::Done { .. } | TaskStatus::Pending => None,
            TaskStatus::Blocked(b) => Some(self.person(b.from).map_or(Side::Customer, |p| p.side)),
            TaskStatus::Open => Some(self.default_ball(task)),
        }
    }

    /// Days from today to the launch date (negative once passed).
    pub fn days_to_launch(&self, today: NaiveDate) -> Option<i64> {
        self.launch_date.map(|d| (d - today).num_days())
    }

    pub fn data_map(&self, id: u32) -> Option<&DataMapRef> {
        self.data_maps.iter().find(|m| m.id == id)
    }

    pub fn latest_import(&self) -> Option<&crate::intake::ImportRun> {
        self.imports.iter().max_by_key(|r| (r.at, r.id))
    }
}
