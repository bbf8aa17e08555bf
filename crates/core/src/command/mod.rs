//! Commands: every change to a project goes through `apply`, which checks the rules, changes the
//! project and returns the activity records to append with it in one transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::activity::Activity;
use crate::error::{required_text, DomainError};
use crate::finish_line::Direction;
use crate::gates::{g1_kickoff_readiness, g2_go_live_readiness};
use crate::handoff::{PromiseClass, PromiseResolution};
use crate::intake::{AccessDirection, IntakeKind, RuleCount, SampleState};
use crate::lifecycle::{LoopKind, Stage};
use crate::people::{Role, Side};
use crate::plan::{refresh_readiness, task_mut};
use crate::plan::{Proof, Task, TaskLabel, TaskStatus};
use crate::project::{
    AdoptionReading, GoDecision, Project, RetroBucket, RetroItem, RetroKind, StatusUpdate,
    TransitionPacket,
};
use crate::rule::Rule;
use crate::scope::{ChangeDecision, ScopeBucket};
use crate::training::{Attendance, TrainingAudience, TrainingSession, TRAINING_MINUTES};
use crate::uat::{Issue, UatCase, UatResult};
use crate::visibility::Visibility;
use crate::{data, finish_line, handoff, intake, people, plan, scope};

mod create;
mod support;

pub use create::{create_project, NewPerson, NewProject};
pub(crate) use support::{person_exists, Log};

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

/// Where a failed UAT case or a no-go sends the project back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReworkStage {
    /// Technical setup: SSO, integrations, data migration.
    Build,
    Configuration,
    Training,
}

impl ReworkStage {
    fn stage(self) -> Stage {
        match self {
            ReworkStage::Build => Stage::Build,
            ReworkStage::Configuration => Stage::Configuration,
            ReworkStage::Training => Stage::Training,
        }
    }
}

/// How an adoption stall is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Intervention {
    Retrain,
    ReengageChampion,
    FixWorkflow,
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

fn set_stage(p: &mut Project, log: &mut Log, to: Stage, why: &str) {
    let from = p.stage;
    p.stage = to;
    log.push(
        "stage.changed",
        "project",
        format!(
            "Stage {} → {}{}",
            from.label(),
            to.label(),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ),
        Some(json!({ "stage": from })),
        Some(json!({ "stage": to })),
    );
}

pub(crate) fn record_loop(p: &mut Project, log: &mut Log, kind: LoopKind, to: Stage, reason: &str) {
    let from = p.stage;
    log.push(
        kind.activity_kind(),
        "project",
        format!(
            "Loop taken: {} — back from {} to {}: {reason}",
            kind.label(),
            from.label(),
            to.label()
        ),
        Some(json!({ "stage": from })),
        Some(json!({ "stage": to, "reason": reason })),
    );
    set_stage(p, log, to, reason);
}

fn execute(p: &mut Project, command: Command, log: &mut Log) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = ctx.now;
    match command {
        Command::AddPerson {
            name,
            email,
            side,
            role,
            user_id,
        } => {
            people::add_person(p, log, name, email, side, role, user_id)?;
        }
        Command::ChangeRole { person, role } => people::change_role(p, log, person, role)?,
        Command::SetHelpContact {
            person,
            help_contact,
        } => people::set_help_contact(p, log, person, help_contact)?,
        Command::ClassifyPromise { promise, class } => {
            handoff::classify_promise(p, log, promise, class)?
        }
        Command::ResolvePromise {
            promise,
            resolution,
        } => handoff::resolve_promise(p, log, promise, resolution)?,
        Command::RealignWithSales { reason } => handoff::realign_with_sales(p, log, reason)?,
        Command::SetFinishLine { text } => finish_line::set_finish_line(p, log, text)?,
        Command::AddCriterion {
            metric,
            baseline,
            target,
            direction,
            unit,
            how_measured,
        } => finish_line::add_criterion(
            p,
            log,
            metric,
            baseline,
            target,
            direction,
            unit,
            how_measured,
        )?,
        Command::MeasureCriterion { criterion, value } => {
            finish_line::measure_criterion(p, log, criterion, value)?
        }
        Command::AcceptCriterion {
            criterion,
            by,
            reason,
        } => finish_line::accept_criterion(p, log, criterion, by, reason)?,
        Command::SetEarlyWin { criterion } => finish_line::set_early_win(p, log, criterion)?,
        Command::AddScopeItem { text, bucket } => scope::add_scope_item(p, log, text, bucket)?,
        Command::MoveScopeItem { item, bucket } => scope::move_scope_item(p, log, item, bucket)?,
        Command::ConfirmNothingExcluded => scope::confirm_nothing_excluded(p, log)?,
        Command::RequestChange {
            title,
            description,
            requested_by,
            adds_new_data,
            adds_new_workflow,
            adds_new_team,
            proposed_launch_date,
        } => scope::request_change(
            p,
            log,
            title,
            description,
            requested_by,
            adds_new_data,
            adds_new_workflow,
            adds_new_team,
            proposed_launch_date,
        )?,
        Command::AnswerChange {
            request,
            person,
            approved,
            note,
            proposed_launch_date,
        } => scope::answer_change(
            p,
            log,
            request,
            person,
            approved,
            note,
            proposed_launch_date,
        )?,
        Command::DecideChange {
            request,
            decision,
            note,
        } => scope::decide_change(p, log, request, decision, note)?,
        Command::AddTask {
            title,
            phase,
            label,
            owner,
            due,
            depends_on,
            needs_proof,
            visibility,
        } => plan::add_task(
            p,
            log,
            title,
            phase,
            label,
            owner,
            due,
            depends_on,
            needs_proof,
            visibility,
        )?,
        Command::SetTaskVisibility { task, visibility } => {
            plan::set_task_visibility(p, log, task, visibility)?
        }
        Command::AssignTask { task, owner } => plan::assign_task(p, log, task, owner)?,
        Command::CompleteTask {
            task,
            proof,
            completed_by,
        } => plan::complete_task(p, log, task, proof, completed_by)?,
        Command::ReopenTask { task, reason } => plan::reopen_task(p, log, task, reason)?,
        Command::BlockTask {
            task,
            needed,
            from,
            by,
        } => plan::block_task(p, log, task, needed, from, by)?,
        Command::UnblockTask { task, note } => plan::unblock_task(p, log, task, note)?,
        Command::RebaselineTask { task, due, reason } => {
            plan::rebaseline_task(p, log, task, due, reason)?
        }
        Command::SetLaunchDate { date, reason } => plan::set_launch_date(p, log, date, reason)?,
        Command::SetNextMeeting { date } => plan::set_next_meeting(p, log, date)?,
        Command::AddIntakeRequest {
            kind,
            question,
            owner,
            due,
        } => intake::add_intake_request(p, log, kind, question, owner, due)?,
        Command::AnswerIntake { request, answer } => {
            intake::answer_intake(p, log, request, answer)?
        }
        Command::AddAccessItem {
            what,
            direction,
            grantor,
            due,
        } => intake::add_access_item(p, log, what, direction, grantor, due)?,
        Command::GrantAccess { item } => intake::grant_access(p, log, item)?,
        Command::AddDataSource {
            name,
            system,
            sample,
        } => intake::add_data_source(p, log, name, system, sample)?,
        Command::SetSampleState { source, sample } => {
            intake::set_sample_state(p, log, source, sample)?
        }
        Command::AddRisk { text, owner } => intake::add_risk(p, log, text, owner)?,
        Command::ConfirmNoKnownRisks => intake::confirm_no_known_risks(p, log)?,
        Command::RecordImportRun {
            source,
            file_sha256,
            rows,
            errors,
            reviews,
        } => data::record_import_run(p, log, source, file_sha256, rows, errors, reviews)?,
        Command::AddDataMap {
            name,
            file,
            task,
            source,
            sample,
        } => data::add_data_map(p, log, name, file, task, source, sample)?,
        Command::StartImportDraft {
            map,
            upload,
            name,
            sha256,
            report,
        } => data::start_import_draft(p, log, map, upload, name, sha256, report)?,
        Command::AddImportFix { map, fix } => data::add_import_fix(p, log, map, fix)?,
        Command::RecheckImportDraft { map, report } => {
            data::recheck_import_draft(p, log, map, report)?
        }
        Command::SubmitImportDraft {
            map,
            rows,
            errors,
            reviews,
            by_rule,
            clean_file,
            report_file,
            fixes_file,
        } => data::submit_import_draft(
            p,
            log,
            map,
            rows,
            errors,
            reviews,
            by_rule,
            clean_file,
            report_file,
            fixes_file,
        )?,
        Command::ScheduleTraining {
            audience,
            title,
            scheduled_at,
            minutes,
        } => {
            let title = required_text("title", &title)?;
            if !TRAINING_MINUTES.contains(&minutes) {
                return Err(DomainError::rule(Rule::R14, format!("a training session lasts 30 to 45 minutes, not {minutes}: split it into short sessions by role")));
            }
            let id = p.take_id();
            log.push(
                "training.scheduled",
                format!("training:{id}"),
                format!(
                    "Training for {} scheduled {scheduled_at}: {title} ({minutes} min)",
                    audience.label()
                ),
                None,
                Some(json!({ "audience": audience, "minutes": minutes })),
            );
            p.training.push(TrainingSession {
                id,
                audience,
                title,
                scheduled_at,
                minutes,
                attendees: Vec::new(),
                held: false,
                recap_sent_at: None,
            });
        }
        Command::RecordAttendance {
            session,
            person,
            practice_task,
            completed,
        } => {
            let practice_task = required_text("practice_task", &practice_task)?;
            person_exists(p, person, "person")?;
            let name = p.person_name(person);
            let s = p
                .training
                .iter_mut()
                .find(|s| s.id == session)
                .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
            s.attendees.retain(|a| a.person != person);
            s.attendees.push(Attendance {
                person,
                practice_task: practice_task.clone(),
                completed,
            });
            log.push(
                "training.attendance",
                format!("training:{session}"),
                format!(
                    "{name} attended \"{}\"; practice task \"{practice_task}\" {}",
                    s.title,
                    if completed {
                        "completed"
                    } else {
                        "not completed"
                    }
                ),
                None,
                Some(json!({ "person": person, "completed": completed })),
            );
        }
        Command::MarkTrainingHeld { session } => {
            let s = p
                .training
                .iter_mut()
                .find(|s| s.id == session)
                .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
            if s.attendees.is_empty() {
                return Err(DomainError::rule(
                    Rule::R14,
                    "record the attendees and their practice tasks before marking the session held",
                ));
            }
            s.held = true;
            log.push(
                "training.held",
                format!("training:{session}"),
                format!("Training held: {}", s.title),
                None,
                None,
            );
        }
        Command::SendTrainingRecap { session } => {
            let s = p
                .training
                .iter_mut()
                .find(|s| s.id == session)
                .ok_or_else(|| DomainError::not_found(format!("training session {session}")))?;
            if !s.held {
                return Err(DomainError::rule(
                    Rule::R14,
                    "the recap follows the session: mark it held first",
                ));
            }
            s.recap_sent_at = Some(now);
            log.push(
                "training.recap_sent",
                format!("training:{session}"),
                format!("Recap sent for \"{}\"", s.title),
                None,
                None,
            );
        }
        Command::AddUatCase { title, criterion } => {
            let title = required_text("title", &title)?;
            if !p.criteria.iter().any(|c| c.id == criterion) {
                return Err(DomainError::invalid("criterion", format!("success criterion {criterion} does not exist: UAT cases are tied to a success criterion")));
            }
            let id = p.take_id();
            p.uat.push(UatCase {
                id,
                title: title.clone(),
                criterion,
                result: UatResult::NotRun,
                failures: 0,
            });
            log.push(
                "uat.added",
                format!("uat:{id}"),
                format!("UAT case: {title}"),
                None,
                Some(json!({ "criterion": criterion })),
            );
        }
        Command::RecordUatResult {
            case,
            passed,
            notes,
            loop_to,
        } => {
            let c = p
                .uat
                .iter_mut()
                .find(|c| c.id == case)
                .ok_or_else(|| DomainError::not_found(format!("UAT case {case}")))?;
            let title = c.title.clone();
            if passed {
                c.result = UatResult::Passed { at: now };
                log.push(
                    "uat.passed",
                    format!("uat:{case}"),
                    format!("UAT passed: {title}"),
                    None,
                    None,
                );
            } else {
                let notes = required_text("notes", &notes)?;
                let to = loop_to.ok_or_else(|| DomainError::invalid("loop_to", "a failed UAT case loops back: say where (configuration or build for technical setup)"))?;
                c.result = UatResult::Failed {
                    at: now,
                    notes: notes.clone(),
                };
                c.failures += 1;
                log.push(
                    "uat.failed",
                    format!("uat:{case}"),
                    format!("UAT failed: {title} — {notes}"),
                    None,
                    Some(json!({ "notes": notes })),
                );
                if p.stage == Stage::Uat || p.stage == Stage::GoNoGo {
                    record_loop(
                        p,
                        log,
                        LoopKind::UatRework,
                        to.stage(),
                        &format!("UAT case \"{title}\" failed: {notes}"),
                    );
                }
            }
        }
        Command::OpenIssue { title, owner, due } => {
            let title = required_text("title", &title)?;
            if let Some(o) = owner {
                person_exists(p, o, "owner")?;
            }
            let id = p.take_id();
            p.issues.push(Issue {
                id,
                title: title.clone(),
                owner,
                due,
                closed_at: None,
            });
            log.push(
                "issue.opened",
                format!("issue:{id}"),
                format!("Issue opened: {title}"),
                None,
                Some(json!({ "owner": owner, "due": due })),
            );
        }
        Command::UpdateIssue { issue, owner, due } => {
            if let Some(o) = owner {
                person_exists(p, o, "owner")?;
            }
            let i = p
                .issues
                .iter_mut()
                .find(|i| i.id == issue)
                .ok_or_else(|| DomainError::not_found(format!("issue {issue}")))?;
            let before = json!({ "owner": i.owner, "due": i.due });
            if owner.is_some() {
                i.owner = owner;
            }
            if due.is_some() {
                i.due = due;
            }
            log.push(
                "issue.updated",
                format!("issue:{issue}"),
                format!("Issue updated: {}", i.title),
                Some(before),
                Some(json!({ "owner": i.owner, "due": i.due })),
            );
        }
        Command::CloseIssue { issue } => {
            let i = p
                .issues
                .iter_mut()
                .find(|i| i.id == issue)
                .ok_or_else(|| DomainError::not_found(format!("issue {issue}")))?;
            i.closed_at = Some(now);
            log.push(
                "issue.closed",
                format!("issue:{issue}"),
                format!("Issue closed: {}", i.title),
                None,
                None,
            );
        }
        Command::AdvanceStage { to } => advance(p, log, to)?,
        Command::DecideGoLive {
            go,
            reason,
            override_reason,
            back_to,
        } => {
            let reason = required_text("reason", &reason)?;
            if p.stage != Stage::GoNoGo {
                return Err(DomainError::wrong_stage(format!("the go / no-go decision is taken at the go / no-go stage; the project is at {}", p.stage.label())));
            }
            let report = g2_go_live_readiness(p, ctx.today());
            let failing: Vec<String> = report
                .failing()
                .map(|i| format!("{}: {}", i.label, i.reason))
                .collect();
            let decided_by = ctx.actor.clone();
            if go {
                let override_reason = match (report.ready, override_reason) {
                    (true, _) => None,
                    (false, Some(r)) if !r.trim().is_empty() => {
                        let is_owner = ctx
                            .person
                            .is_some_and(|id| p.vendor_owner().is_some_and(|o| o.id == id));
                        if !is_owner {
                            return Err(DomainError::rule(Rule::G2, "only the vendor implementation owner can override the go-live gate"));
                        }
                        Some(r.trim().to_string())
                    }
                    (false, _) => return Err(DomainError::GateNotReady { report }),
                };
                p.go_decisions.push(GoDecision {
                    go: true,
                    decided_by: decided_by.clone(),
                    at: now,
                    reason: reason.clone(),
                    override_reason: override_reason.clone(),
                    failing: failing.clone(),
                });
                log.push("go_live.decided", "go_live", format!("GO decided by {decided_by}: {reason}{}", override_reason.as_ref().map(|r| format!(" — gate overridden: {r}")).unwrap_or_default()), None, Some(json!({ "go": true, "override_reason": override_reason, "failing": failing })));
                let today = ctx.today();
                p.live_on = Some(today);
                p.hypercare_until = Some(today + Duration::days(i64::from(p.hypercare_days)));
                set_stage(p, log, Stage::Hypercare, "go-live");
            } else {
                let to = back_to.ok_or_else(|| {
                    DomainError::invalid(
                        "back_to",
                        "a no-go loops back: say where to (build, configuration or training)",
                    )
                })?;
                p.go_decisions.push(GoDecision {
                    go: false,
                    decided_by: decided_by.clone(),
                    at: now,
                    reason: reason.clone(),
                    override_reason: None,
                    failing: failing.clone(),
                });
                log.push(
                    "go_live.decided",
                    "go_live",
                    format!("NO-GO decided by {decided_by}: {reason}"),
                    None,
                    Some(json!({ "go": false, "failing": failing })),
                );
                record_loop(p, log, LoopKind::NoGo, to.stage(), &reason);
            }
        }
        Command::RecordAdoption {
            active_users,
            trained_users,
            logins_first_week,
            support_questions,
            key_features_unused,
            intervention,
        } => {
            if !p.stage.is_live() {
                return Err(DomainError::wrong_stage(
                    "adoption is measured after go-live",
                ));
            }
            let mut stall = Vec::new();
            if trained_users > 0 && active_users * 2 < trained_users {
                stall.push(format!("only {active_users} of {trained_users} trained users active in the last 7 days"));
            }
            let unused: Vec<String> = key_features_unused
                .iter()
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect();
            if !unused.is_empty() {
                stall.push(format!("key features untouched: {}", unused.join(", ")));
            }
            let reading = AdoptionReading {
                at: now,
                active_users,
                trained_users,
                logins_first_week,
                support_questions,
                key_features_unused: unused,
                stall_reasons: stall.clone(),
            };
            log.push(
                "adoption.recorded",
                "adoption",
                format!(
                    "Adoption: {active_users} of {trained_users} trained users active{}",
                    if stall.is_empty() {
                        String::new()
                    } else {
                        format!(" — stalled: {}", stall.join("; "))
                    }
                ),
                None,
                Some(json!(reading)),
            );
            p.adoption.push(reading);
            if !stall.is_empty() {
                let Some(kind) = intervention else {
                    return Err(DomainError::rule(Rule::R12, format!("adoption has stalled ({}): choose an intervention — retrain, reengage_champion or fix_workflow", stall.join("; "))));
                };
                let owner = p.vendor_owner().map(|o| o.id).ok_or_else(|| {
                    DomainError::rule(
                        Rule::R1,
                        "assign the vendor owner before opening an intervention",
                    )
                })?;
                // Re-engaging the champion is about the customer's people: vendor-only.
                let visibility = match kind {
                    Intervention::ReengageChampion => Visibility::Internal,
                    Intervention::Retrain | Intervention::FixWorkflow => Visibility::Shared,
                };
                let (title, to) = match kind {
                    Intervention::Retrain => {
                        ("Re-train the users who are not active", Stage::Training)
                    }
                    Intervention::ReengageChampion => ("Re-engage the champion", Stage::Adoption),
                    Intervention::FixWorkflow => (
                        "Fix the clunky workflow behind the stall",
                        Stage::Configuration,
                    ),
                };
                let id = p.take_id();
                let due = ctx.today() + Duration::days(7);
                p.tasks.push(Task {
                    id,
                    title: title.into(),
                    phase: "Adoption intervention".into(),
                    label: TaskLabel::VendorTask,
                    owner: Some(owner),
                    due,
                    baseline_due: due,
                    rebaselines: Vec::new(),
                    depends_on: Vec::new(),
                    needs_proof: true,
                    status: TaskStatus::Open,
                    ball: None,
                    nudges: 0,
                    escalated_at: None,
                    step_key: None,
                    owner_role: None,
                    visibility,
                });
                log.push(
                    "task.created",
                    format!("task:{id}"),
                    format!("Intervention task {id}: {title}"),
                    None,
                    Some(json!({ "owner": owner, "due": due })),
                );
                record_loop(
                    p,
                    log,
                    LoopKind::AdoptionIntervention,
                    to,
                    &stall.join("; "),
                );
            }
        }
        Command::PrepareTransition { renewal_csm, notes } => {
            let notes = required_text("notes", &notes)?;
            person_exists(p, renewal_csm, "renewal_csm")?;
            if p.person(renewal_csm).map(|x| x.role) != Some(Role::RenewalCsm) {
                return Err(DomainError::invalid(
                    "renewal_csm",
                    "name a person with the renewal CSM role",
                ));
            }
            p.transition = Some(TransitionPacket {
                renewal_csm,
                notes,
                prepared_at: now,
                accepted_at: None,
            });
            log.push(
                "transition.prepared",
                "transition",
                format!(
                    "Transition packet prepared for {}",
                    p.person_name(renewal_csm)
                ),
                None,
                None,
            );
        }
        Command::AcceptTransition => {
            let t = p.transition.as_mut().ok_or_else(|| {
                DomainError::invalid("transition", "prepare the transition packet first")
            })?;
            if let Some(acting) = ctx.person {
                if acting != t.renewal_csm {
                    return Err(DomainError::rule(
                        Rule::R11,
                        "only the renewal CSM named in the packet accepts the transition",
                    ));
                }
            }
            t.accepted_at = Some(now);
            log.push(
                "transition.accepted",
                "transition",
                "Transition accepted by the renewal CSM",
                None,
                None,
            );
        }
        Command::Pause { reason } => {
            let reason = required_text("reason", &reason)?;
            p.paused_from = Some(p.stage);
            set_stage(p, log, Stage::Paused, &reason);
        }
        Command::Resume => {
            let to = p
                .paused_from
                .take()
                .ok_or_else(|| DomainError::wrong_stage("the project is not paused"))?;
            set_stage(p, log, to, "resumed");
        }
        Command::Cancel { reason } => {
            let reason = required_text("reason", &reason)?;
            set_stage(p, log, Stage::Cancelled, &reason);
        }
        Command::RecordStatusUpdate {
            meeting_date,
            text,
            for_customer,
        } => {
            let text = required_text("text", &text)?;
            let id = p.take_id();
            p.status_updates.push(StatusUpdate {
                id,
                meeting_date,
                text,
                at: now,
                for_customer,
            });
            log.push(
                "status_update.sent",
                format!("status_update:{id}"),
                format!("Status update after the meeting of {meeting_date}"),
                None,
                None,
            );
        }
        Command::AddRetroItem { text, kind, bucket } => {
            let text = required_text("text", &text)?;
            if p.live_on.is_none() {
                return Err(DomainError::wrong_stage(
                    "the retrospective comes after go-live",
                ));
            }
            let id = p.take_id();
            p.retro.push(RetroItem {
                id,
                text: text.clone(),
                kind,
                bucket,
                promoted_to: None,
            });
            log.push(
                "retro.added",
                format!("retro:{id}"),
                format!("Retrospective ({kind:?}, {bucket:?}): {text}"),
                None,
                None,
            );
        }
        Command::MarkRetroPromoted { item, playbook } => {
            let r = p
                .retro
                .iter_mut()
                .find(|r| r.id == item)
                .ok_or_else(|| DomainError::not_found(format!("retrospective item {item}")))?;
            if r.bucket != RetroBucket::RolloutWork {
                return Err(DomainError::rule(Rule::R13, "only rollout fixes are promoted into a playbook; product work goes to the product team"));
            }
            r.promoted_to = Some(playbook.clone());
            log.push(
                "retro.promoted",
                format!("retro:{item}"),
                format!("Retrospective item promoted into playbook {playbook}"),
                None,
                None,
            );
        }
        Command::ApprovePlan { plan_version } => {
            log.out
                .push(crate::approval::approve(p, plan_version.as_deref(), ctx)?);
        }
        Command::RecordNudge { task, escalated } => {
            let t = task_mut(p, task)?;
            t.nudges += 1;
            if escalated {
                t.escalated_at = Some(now);
            }
            let n = t.nudges;
            log.push(
                if escalated {
                    "task.escalated"
                } else {
                    "task.nudged"
                },
                format!("task:{task}"),
                format!(
                    "Task {task} {} (nudge {n})",
                    if escalated {
                        "escalated to the executive sponsor"
                    } else {
                        "nudged"
                    }
                ),
                None,
                Some(json!({ "nudges": n })),
            );
        }
    }
    Ok(())
}

/// Moves the project one stage forward, checking what the next stage needs.
fn advance(p: &mut Project, log: &mut Log, to: Stage) -> Result<(), DomainError> {
    let expected = p.stage.next().ok_or_else(|| {
        DomainError::wrong_stage(format!(
            "the project is {}: it has no next stage",
            p.stage.label()
        ))
    })?;
    if to != expected {
        return Err(DomainError::wrong_stage(format!(
            "the project is at {}; the next stage is {}, not {}",
            p.stage.label(),
            expected.label(),
            to.label()
        )));
    }
    let today = log.ctx.today();
    match to {
        Stage::Assign => {}
        Stage::Intake if p.vendor_owner().is_none() => {
            return Err(DomainError::rule(
                Rule::R1,
                "assign the vendor implementation owner before intake",
            ));
        }
        Stage::Kickoff => {
            let report = g1_kickoff_readiness(p);
            if !report.ready {
                return Err(DomainError::GateNotReady { report });
            }
        }
        Stage::Discovery => {
            let mut missing = Vec::new();
            if p.launch_date.is_none() {
                missing.push("a real launch date");
            }
            if p.next_meeting.is_none() {
                missing.push("the next meeting date");
            }
            if !missing.is_empty() {
                return Err(DomainError::wrong_stage(format!(
                    "kickoff is not finished: agree {}",
                    missing.join(" and ")
                )));
            }
            let r1 = crate::people::r1_one_owner(p);
            if !r1.is_empty() {
                return Err(DomainError::rule(Rule::R1, r1.join("; ")));
            }
        }
        Stage::GoNoGo if (p.uat.is_empty() || p.uat.iter().any(|c| !c.passed())) => {
            return Err(DomainError::wrong_stage(
                "UAT has not passed: every UAT case must pass before go / no-go",
            ));
        }
        Stage::Hypercare => {
            return Err(DomainError::wrong_stage(
                "going live is a recorded go / no-go decision (decide_go_live), not a stage change",
            ));
        }
        Stage::Adoption => {
            if let Some(until) = p.hypercare_until {
                if today < until {
                    return Err(DomainError::wrong_stage(format!(
                        "hypercare runs until {until}"
                    )));
                }
            }
        }
        Stage::ValueReview => {}
        Stage::Transition => {
            let unmeasured: Vec<String> = p
                .criteria
                .iter()
                .filter(|c| c.measured.is_none() && c.accepted.is_none())
                .map(|c| c.describe())
                .collect();
            if !unmeasured.is_empty() {
                return Err(DomainError::wrong_stage(format!(
                    "the value review measures every success criterion; not yet measured: {}",
                    unmeasured.join("; ")
                )));
            }
        }
        Stage::Complete => {
            let failing = r11_done_is_value(p);
            if !failing.is_empty() {
                return Err(DomainError::rule(Rule::R11, failing.join("; ")));
            }
            p.completed_at = Some(log.ctx.now);
        }
        _ => {}
    }
    set_stage(p, log, to, "");
    Ok(())
}

/// R11: complete only when every success criterion is met or explicitly accepted and the
/// transition is accepted. Returns what is still missing.
pub fn r11_done_is_value(p: &Project) -> Vec<String> {
    let mut failing = Vec::new();
    if p.criteria.is_empty() {
        failing.push("there are no success criteria to meet".to_string());
    }
    for c in p.criteria.iter().filter(|c| !c.is_settled()) {
        failing.push(match c.measured {
            None => format!("\"{}\" has not been measured", c.describe()),
            Some(v) => format!(
                "\"{}\" is not met (measured {}) and not accepted by the customer's decision maker",
                c.describe(),
                crate::finish_line::fmt_num(v)
            ),
        });
    }
    match &p.transition {
        None => failing.push("the transition packet to the renewal CSM is not prepared".into()),
        Some(t) if t.accepted_at.is_none() => {
            failing.push("the renewal CSM has not accepted the transition".into())
        }
        Some(_) => {}
    }
    failing
}
