//! A new project from a handoff and a playbook.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::activity::Activity;
use crate::error::{required_text, DomainError};
use crate::lifecycle::Stage;
use crate::people::{Role, Side};
use crate::plan::{Task, TaskStatus};
use crate::playbook::Playbook;
use crate::project::Project;

use super::support::Log;
use super::Ctx;
use crate::people::add_person;
use crate::plan::refresh_readiness;

/// What a new project starts from.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub handoff: crate::handoff::Handoff,
    pub playbook: crate::playbook::Playbook,
    /// The vendor implementation owner, if known at handoff.
    pub owner: Option<NewPerson>,
    pub start_date: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: String,
    pub email: String,
    pub user_id: Option<String>,
}

/// Creates a project from a handoff and a playbook: phases become tasks with owners by role and
/// due dates from offsets.
pub fn create_project(new: NewProject, ctx: &Ctx) -> Result<(Project, Vec<Activity>), DomainError> {
    let name = required_text("name", &new.name)?;
    let customer = required_text("customer", &new.customer)?;
    required_text("handoff.sold", &new.handoff.sold)?;
    new.playbook.validate()?;
    let mut handoff = new.handoff;
    for (i, p) in handoff.promises.iter_mut().enumerate() {
        p.text = required_text(&format!("handoff.promises[{i}].text"), &p.text)?;
    }
    let mut project = Project {
        id: new.id,
        name,
        customer,
        stage: Stage::Handoff,
        paused_from: None,
        playbook: crate::project::PlaybookRef {
            key: new.playbook.key.clone(),
            version: new.playbook.version,
            name: new.playbook.name.clone(),
        },
        start_date: new.start_date,
        created_at: ctx.now,
        people: Vec::new(),
        finish_line: None,
        criteria: Vec::new(),
        early_win: None,
        scope: Vec::new(),
        nothing_excluded_confirmed: false,
        change_requests: Vec::new(),
        tasks: Vec::new(),
        intake: Vec::new(),
        access: Vec::new(),
        data_sources: Vec::new(),
        risks: Vec::new(),
        no_known_risks: false,
        imports: Vec::new(),
        data_maps: Vec::new(),
        training: Vec::new(),
        uat: Vec::new(),
        issues: Vec::new(),
        go_decisions: Vec::new(),
        launch_date: None,
        baseline_launch_date: None,
        launch_rebaselines: Vec::new(),
        plan_approvals: Vec::new(),
        next_meeting: None,
        live_on: None,
        hypercare_until: None,
        hypercare_days: new.playbook.hypercare_days,
        adoption: Vec::new(),
        transition: None,
        status_updates: Vec::new(),
        retro: Vec::new(),
        last_customer_activity_at: None,
        completed_at: None,
        surveys: new.playbook.surveys.clone(),
        survey_responses: Vec::new(),
        next_id: 0,
        handoff,
    };
    // Promise ids live in the project's id space.
    for i in 0..project.handoff.promises.len() {
        let id = project.take_id();
        project.handoff.promises[i].id = id;
    }
    let mut log = Log::new(ctx);
    log.push(
        "project.created",
        "project",
        format!("Project \"{}\" for {} created from the handoff, playbook {} v{}", project.name, project.customer, project.playbook.name, project.playbook.version),
        None,
        Some(json!({ "stage": Stage::Handoff, "playbook": project.playbook, "segment": project.handoff.segment })),
    );
    let over: Vec<String> = project
        .handoff
        .promises
        .iter()
        .filter(|p| p.class.is_over_promise())
        .map(|p| p.text.clone())
        .collect();
    if !over.is_empty() {
        log.push(
            "handoff.over_promises",
            "handoff",
            format!(
                "{} promise(s) need resolving before kickoff: {}",
                over.len(),
                over.join("; ")
            ),
            None,
            Some(json!({ "promises": over })),
        );
    }
    tasks_from_playbook(&mut project, &new.playbook, new.start_date);
    if let Some(owner) = new.owner {
        add_person(
            &mut project,
            &mut log,
            owner.name,
            owner.email,
            Side::Vendor,
            Role::ImplementationOwner,
            owner.user_id,
        )?;
    }
    refresh_readiness(&mut project, &mut log);
    Ok((project, log.out))
}

/// The playbook's steps become the project's tasks, due by their offsets from the start, with
/// their dependencies; owners come once people hold the steps' roles.
fn tasks_from_playbook(project: &mut Project, playbook: &Playbook, start: NaiveDate) {
    let mut key_to_id = std::collections::HashMap::new();
    for (phase, step) in playbook.steps() {
        let id = project.take_id();
        key_to_id.insert(step.key.clone(), id);
        let due = start + Duration::days(step.due_offset_days);
        project.tasks.push(Task {
            id,
            title: step.title.clone(),
            phase: phase.name.clone(),
            label: step.label,
            owner: None,
            due,
            baseline_due: due,
            rebaselines: Vec::new(),
            depends_on: step
                .depends_on
                .iter()
                .filter_map(|k| key_to_id.get(k).copied())
                .collect(),
            needs_proof: step.needs_proof,
            status: TaskStatus::Pending,
            ball: None,
            nudges: 0,
            escalated_at: None,
            step_key: Some(step.key.clone()),
            owner_role: Some(step.owner_role),
            visibility: step.visibility,
            kind: step.kind,
            effort_hours: step.effort_hours,
            stage: Some(phase.stage),
        });
    }
}
