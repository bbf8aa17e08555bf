//! Commands: every change to a project goes through `apply`, which checks the rules, changes the
//! project and returns the activity records to append with it in one transaction.
//!
//! `execute` is a table: each command is one function in the module of its area (people,
//! handoff, finish line, scope, plan, intake, data, training, UAT, lifecycle, adoption, status
//! updates, retrospective, plan approval, nudges), and each rule it enforces is a named `rN_…`
//! function there.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::Activity;
use crate::error::DomainError;
use crate::finish_line::Direction;
use crate::handoff::{PromiseClass, PromiseResolution};
use crate::intake::{AccessDirection, IntakeKind, RuleCount, SampleState};
use crate::lifecycle::Stage;
use crate::people::{Role, Side};
use crate::plan::{refresh_readiness, Proof, TaskLabel};
use crate::project::{Project, RetroBucket, RetroKind};
use crate::scope::{ChangeDecision, ScopeBucket};
use crate::training::TrainingAudience;
use crate::visibility::Visibility;
use crate::{
    adoption, approval, data, finish_line, handoff, intake, lifecycle, nudge, people, plan, retro,
    scope, status_update, survey, training, uat,
};

mod create;
mod support;

pub use create::{create_project, NewPerson, NewProject};
pub(crate) use support::{person_exists, Log};
// Types commands carry and rules callers use, defined with their area; these paths keep working.
pub use crate::adoption::Intervention;
pub use crate::lifecycle::{r11_done_is_value, ReworkStage};

/// Who is acting and when.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Shown in the activity log.
    pub actor: String,
    /// The project person acting, when known (customers in the portal, linked members).
    pub person: Option<u32>,
    pub side: Side,
    pub now: DateTime<Utc>,
}

impl Ctx {
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// Every change that can be made to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    // People (R1)
    AddPerson {
        name: String,
        email: String,
        side: Side,
        role: Role,
        #[serde(default)]
        user_id: Option<String>,
    },
    ChangeRole {
        person: u32,
        role: Role,
    },
    SetHelpContact {
        person: u32,
        help_contact: u32,
    },
    // Handoff
    ClassifyPromise {
        promise: u32,
        class: PromiseClass,
    },
    ResolvePromise {
        promise: u32,
        resolution: PromiseResolution,
    },
    RealignWithSales {
        reason: String,
    },
    // Finish line and criteria (R2)
    SetFinishLine {
        text: String,
    },
    AddCriterion {
        metric: String,
        #[serde(default)]
        baseline: Option<f64>,
        target: f64,
        #[serde(default)]
        direction: Direction,
        #[serde(default)]
        unit: String,
        how_measured: String,
    },
    MeasureCriterion {
        criterion: u32,
        value: f64,
    },
    AcceptCriterion {
        criterion: u32,
        by: u32,
        reason: String,
    },
    SetEarlyWin {
        criterion: u32,
    },
    // Scope (R3, R4)
    AddScopeItem {
        text: String,
        bucket: ScopeBucket,
    },
    MoveScopeItem {
        item: u32,
        bucket: ScopeBucket,
    },
    ConfirmNothingExcluded,
    RequestChange {
        title: String,
        #[serde(default)]
        description: String,
        requested_by: u32,
        #[serde(default)]
        adds_new_data: bool,
        #[serde(default)]
        adds_new_workflow: bool,
        #[serde(default)]
        adds_new_team: bool,
        #[serde(default)]
        proposed_launch_date: Option<NaiveDate>,
    },
    AnswerChange {
        request: u32,
        person: u32,
        approved: bool,
        #[serde(default)]
        note: String,
        #[serde(default)]
        proposed_launch_date: Option<NaiveDate>,
    },
    DecideChange {
        request: u32,
        decision: ChangeDecision,
        #[serde(default)]
        note: String,
    },
    // Plan (R5, R6, R7, R8)
    AddTask {
        title: String,
        phase: String,
        label: TaskLabel,
        owner: u32,
        due: NaiveDate,
        #[serde(default)]
        depends_on: Vec<u32>,
        #[serde(default = "yes")]
        needs_proof: bool,
        /// Shared (the customer sees it) unless said otherwise; a customer task cannot be internal.
        #[serde(default)]
        visibility: Visibility,
    },
    /// Makes a task shared with the customer or internal to the vendor team.
    SetTaskVisibility {
        task: u32,
        visibility: Visibility,
    },
    AssignTask {
        task: u32,
        owner: u32,
    },
    CompleteTask {
        task: u32,
        proof: Option<Proof>,
        #[serde(default)]
        completed_by: Option<u32>,
    },
    ReopenTask {
        task: u32,
        reason: String,
    },
    BlockTask {
        task: u32,
        needed: String,
        from: u32,
        by: NaiveDate,
    },
    UnblockTask {
        task: u32,
        #[serde(default)]
        note: String,
    },
    RebaselineTask {
        task: u32,
        due: NaiveDate,
        reason: String,
    },
    SetLaunchDate {
        date: NaiveDate,
        #[serde(default)]
        reason: String,
    },
    SetNextMeeting {
        date: NaiveDate,
    },
    // Intake, access, data, risks
    AddIntakeRequest {
        kind: IntakeKind,
        question: String,
        owner: u32,
        due: NaiveDate,
    },
    AnswerIntake {
        request: u32,
        answer: String,
    },
    AddAccessItem {
        what: String,
        direction: AccessDirection,
        grantor: u32,
        due: NaiveDate,
    },
    GrantAccess {
        item: u32,
    },
    AddDataSource {
        name: String,
        #[serde(default)]
        system: String,
        #[serde(default)]
        sample: SampleState,
    },
    SetSampleState {
        source: u32,
        sample: SampleState,
    },
    AddRisk {
        text: String,
        #[serde(default)]
        owner: Option<u32>,
    },
    ConfirmNoKnownRisks,
    RecordImportRun {
        #[serde(default)]
        source: Option<u32>,
        file_sha256: String,
        rows: u64,
        errors: u64,
        reviews: u64,
    },
    /// A data map (a project file the data engine reads) and the plan task its imports serve.
    AddDataMap {
        name: String,
        file: String,
        #[serde(default)]
        task: Option<u32>,
        #[serde(default)]
        source: Option<u32>,
        #[serde(default)]
        sample: Option<String>,
    },
    /// A new upload for a data map, checked: it replaces the map's draft and its fixes.
    StartImportDraft {
        map: u32,
        upload: String,
        name: String,
        sha256: String,
        report: String,
    },
    /// One more fix layered over the draft's upload (the data engine's JSON of a fix).
    AddImportFix {
        map: u32,
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        fix: serde_json::Value,
    },
    /// The draft re-checked with all its fixes so far.
    RecheckImportDraft {
        map: u32,
        report: String,
    },
    /// The draft submitted: its clean export becomes an import run, and the draft is closed.
    SubmitImportDraft {
        map: u32,
        rows: u64,
        errors: u64,
        reviews: u64,
        #[serde(default)]
        by_rule: Vec<RuleCount>,
        clean_file: String,
        report_file: String,
        #[serde(default)]
        fixes_file: Option<String>,
    },
    // Training (R14)
    ScheduleTraining {
        audience: TrainingAudience,
        title: String,
        scheduled_at: DateTime<Utc>,
        minutes: u32,
    },
    RecordAttendance {
        session: u32,
        person: u32,
        practice_task: String,
        completed: bool,
    },
    MarkTrainingHeld {
        session: u32,
    },
    SendTrainingRecap {
        session: u32,
    },
    // UAT and issues
    AddUatCase {
        title: String,
        criterion: u32,
    },
    RecordUatResult {
        case: u32,
        passed: bool,
        #[serde(default)]
        notes: String,
        #[serde(default)]
        loop_to: Option<ReworkStage>,
    },
    OpenIssue {
        title: String,
        #[serde(default)]
        owner: Option<u32>,
        #[serde(default)]
        due: Option<NaiveDate>,
    },
    UpdateIssue {
        issue: u32,
        #[serde(default)]
        owner: Option<u32>,
        #[serde(default)]
        due: Option<NaiveDate>,
    },
    CloseIssue {
        issue: u32,
    },
    // Lifecycle
    AdvanceStage {
        to: Stage,
    },
    DecideGoLive {
        go: bool,
        reason: String,
        #[serde(default)]
        override_reason: Option<String>,
        #[serde(default)]
        back_to: Option<ReworkStage>,
    },
    RecordAdoption {
        active_users: u32,
        trained_users: u32,
        #[serde(default)]
        logins_first_week: Option<u32>,
        #[serde(default)]
        support_questions: Option<u32>,
        #[serde(default)]
        key_features_unused: Vec<String>,
        #[serde(default)]
        intervention: Option<Intervention>,
    },
    PrepareTransition {
        renewal_csm: u32,
        notes: String,
    },
    AcceptTransition,
    Pause {
        reason: String,
    },
    Resume,
    Cancel {
        reason: String,
    },
    // Status updates (R10) and retrospective (R13)
    RecordStatusUpdate {
        meeting_date: NaiveDate,
        text: String,
        #[serde(default)]
        for_customer: bool,
    },
    AddRetroItem {
        text: String,
        kind: RetroKind,
        bucket: RetroBucket,
    },
    MarkRetroPromoted {
        item: u32,
        playbook: String,
    },
    /// The customer's decision maker approves the plan as it stands (see `approval`).
    ApprovePlan {
        /// The fingerprint of the plan version the approver was shown; refused if it changed.
        #[serde(default)]
        plan_version: Option<String>,
    },
    /// A customer person rates a milestone the project asks about (`survey`): once, never
    /// changed; a low score opens an internal follow-up task for the vendor owner.
    RateMilestone {
        milestone: crate::survey::Milestone,
        /// CSAT 1–5, CES 1–7 (the question the project asks at the milestone).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 7))]
        score: u8,
        #[serde(default)]
        comment: String,
    },
    // Nudges (R9), recorded by the sweep
    RecordNudge {
        task: u32,
        escalated: bool,
    },
}

fn yes() -> bool {
    true
}

impl Command {
    /// The snake_case action name.
    pub fn name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
}

/// Applies one command to a project. On error the project is left unchanged.
pub fn apply(
    project: &mut Project,
    command: Command,
    ctx: &Ctx,
) -> Result<Vec<Activity>, DomainError> {
    let mut working = project.clone();
    let mut log = Log::new(ctx);
    if working.stage.is_closed()
        && !matches!(
            command,
            Command::AddRetroItem { .. }
                | Command::MarkRetroPromoted { .. }
                | Command::RecordStatusUpdate { .. }
        )
    {
        return Err(DomainError::wrong_stage(format!(
            "the project is {}: nothing more can change",
            working.stage.label()
        )));
    }
    if working.stage == Stage::Paused
        && !matches!(
            command,
            Command::Resume | Command::Cancel { .. } | Command::RecordStatusUpdate { .. }
        )
    {
        return Err(DomainError::wrong_stage(
            "the project is paused: resume it first",
        ));
    }
    execute(&mut working, command, &mut log)?;
    if ctx.side == Side::Customer {
        working.last_customer_activity_at = Some(ctx.now);
    }
    refresh_readiness(&mut working, &mut log);
    *project = working;
    Ok(log.out)
}

/// The dispatch table of `execute`: each command's fields, passed in order after the project
/// and the log, to the function that runs it. A macro so the table stays one line per command
/// (and the match stays exhaustive: a new command that is not listed does not compile).
macro_rules! by_area {
    ($command:expr, $p:expr, $log:expr, {
        $($variant:ident { $($field:ident),* $(,)? } => $run:path,)*
    }) => {
        match $command {
            $(Command::$variant { $($field),* } => $run($p, $log $(, $field)*),)*
        }
    };
}

/// Runs one command: each is one function in its area's module, named after the command.
fn execute(p: &mut Project, command: Command, log: &mut Log) -> Result<(), DomainError> {
    by_area!(command, p, log, {
        // People (R1)
        AddPerson { name, email, side, role, user_id } => people::add_person,
        ChangeRole { person, role } => people::change_role,
        SetHelpContact { person, help_contact } => people::set_help_contact,
        // Handoff
        ClassifyPromise { promise, class } => handoff::classify_promise,
        ResolvePromise { promise, resolution } => handoff::resolve_promise,
        RealignWithSales { reason } => handoff::realign_with_sales,
        // Finish line and criteria (R2, R11)
        SetFinishLine { text } => finish_line::set_finish_line,
        AddCriterion { metric, baseline, target, direction, unit, how_measured }
            => finish_line::add_criterion,
        MeasureCriterion { criterion, value } => finish_line::measure_criterion,
        AcceptCriterion { criterion, by, reason } => finish_line::accept_criterion,
        SetEarlyWin { criterion } => finish_line::set_early_win,
        // Scope (R3, R4)
        AddScopeItem { text, bucket } => scope::add_scope_item,
        MoveScopeItem { item, bucket } => scope::move_scope_item,
        ConfirmNothingExcluded {} => scope::confirm_nothing_excluded,
        RequestChange {
            title, description, requested_by, adds_new_data, adds_new_workflow, adds_new_team,
            proposed_launch_date,
        } => scope::request_change,
        AnswerChange { request, person, approved, note, proposed_launch_date }
            => scope::answer_change,
        DecideChange { request, decision, note } => scope::decide_change,
        // Plan (R5, R6, R7, R8)
        AddTask { title, phase, label, owner, due, depends_on, needs_proof, visibility }
            => plan::add_task,
        SetTaskVisibility { task, visibility } => plan::set_task_visibility,
        AssignTask { task, owner } => plan::assign_task,
        CompleteTask { task, proof, completed_by } => plan::complete_task,
        ReopenTask { task, reason } => plan::reopen_task,
        BlockTask { task, needed, from, by } => plan::block_task,
        UnblockTask { task, note } => plan::unblock_task,
        RebaselineTask { task, due, reason } => plan::rebaseline_task,
        SetLaunchDate { date, reason } => plan::set_launch_date,
        SetNextMeeting { date } => plan::set_next_meeting,
        // Intake, access, sources, risks
        AddIntakeRequest { kind, question, owner, due } => intake::add_intake_request,
        AnswerIntake { request, answer } => intake::answer_intake,
        AddAccessItem { what, direction, grantor, due } => intake::add_access_item,
        GrantAccess { item } => intake::grant_access,
        AddDataSource { name, system, sample } => intake::add_data_source,
        SetSampleState { source, sample } => intake::set_sample_state,
        AddRisk { text, owner } => intake::add_risk,
        ConfirmNoKnownRisks {} => intake::confirm_no_known_risks,
        // Data maps, import drafts and runs
        RecordImportRun { source, file_sha256, rows, errors, reviews } => data::record_import_run,
        AddDataMap { name, file, task, source, sample } => data::add_data_map,
        StartImportDraft { map, upload, name, sha256, report } => data::start_import_draft,
        AddImportFix { map, fix } => data::add_import_fix,
        RecheckImportDraft { map, report } => data::recheck_import_draft,
        SubmitImportDraft {
            map, rows, errors, reviews, by_rule, clean_file, report_file, fixes_file,
        } => data::submit_import_draft,
        // Training (R14)
        ScheduleTraining { audience, title, scheduled_at, minutes } => training::schedule_training,
        RecordAttendance { session, person, practice_task, completed }
            => training::record_attendance,
        MarkTrainingHeld { session } => training::mark_training_held,
        SendTrainingRecap { session } => training::send_training_recap,
        // UAT and issues
        AddUatCase { title, criterion } => uat::add_uat_case,
        RecordUatResult { case, passed, notes, loop_to } => uat::record_uat_result,
        OpenIssue { title, owner, due } => uat::open_issue,
        UpdateIssue { issue, owner, due } => uat::update_issue,
        CloseIssue { issue } => uat::close_issue,
        // Lifecycle (G1, G2, R11)
        AdvanceStage { to } => lifecycle::advance_stage,
        DecideGoLive { go, reason, override_reason, back_to } => lifecycle::decide_go_live,
        PrepareTransition { renewal_csm, notes } => lifecycle::prepare_transition,
        AcceptTransition {} => lifecycle::accept_transition,
        Pause { reason } => lifecycle::pause,
        Resume {} => lifecycle::resume,
        Cancel { reason } => lifecycle::cancel,
        // Adoption
        RecordAdoption {
            active_users, trained_users, logins_first_week, support_questions,
            key_features_unused, intervention,
        } => adoption::record_adoption,
        // Status updates (R10), retrospective (R13), plan approval, nudges (R9)
        RecordStatusUpdate { meeting_date, text, for_customer }
            => status_update::record_status_update,
        AddRetroItem { text, kind, bucket } => retro::add_retro_item,
        MarkRetroPromoted { item, playbook } => retro::mark_retro_promoted,
        ApprovePlan { plan_version } => approval::approve_plan,
        RecordNudge { task, escalated } => nudge::record_nudge,
        // Customer ratings at milestones
        RateMilestone { milestone, score, comment } => survey::rate_milestone,
    })
}
