//! The plan's commands: adding, assigning, completing (R5), blocking (R6) and moving (R8) tasks,
//! the launch date and the next meeting; and the refresh after every command that opens tasks
//! whose dependencies are done and records where the ball is (R7).

use chrono::NaiveDate;
use serde_json::json;

use super::{
    dependencies_done, r5_completed_by, r5_proof, r6_specific_blocker,
    r8_reason_for_moving_the_launch, r8_record_move, Blocker, Proof, Task, TaskLabel, TaskStatus,
};
use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::people::Side;
use crate::playbook::StepKind;
use crate::project::Project;
use crate::visibility::{check_task_visibility, Visibility};

pub(crate) fn task_mut(p: &mut Project, id: u32) -> Result<&mut Task, DomainError> {
    p.tasks
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| DomainError::not_found(format!("task {id}")))
}

/// Opens pending tasks whose dependencies are done, and records every ball change (R7).
pub(crate) fn refresh_readiness(p: &mut Project, log: &mut Log) {
    let done: std::collections::HashSet<u32> = p
        .tasks
        .iter()
        .filter(|t| t.is_done())
        .map(|t| t.id)
        .collect();
    for t in p.tasks.iter_mut() {
        if t.status == TaskStatus::Pending && t.depends_on.iter().all(|d| done.contains(d)) {
            t.status = TaskStatus::Open;
        }
    }
    let balls: Vec<(u32, Option<Side>)> = p.tasks.iter().map(|t| (t.id, p.ball_for(t))).collect();
    for (id, ball) in balls {
        let Some(t) = p.tasks.iter_mut().find(|t| t.id == id) else {
            continue;
        };
        if t.ball != ball {
            let summary = match ball {
                Some(side) => format!(
                    "Task {id} \"{}\" now waits on the {}",
                    t.title,
                    side.label()
                ),
                None => format!("Task {id} \"{}\" waits on nobody", t.title),
            };
            log.push(
                "task.ball",
                format!("task:{id}"),
                summary,
                Some(json!({ "side": t.ball })),
                Some(json!({ "side": ball })),
            );
            t.ball = ball;
        }
    }
}

pub(crate) fn rebaseline_launch(p: &mut Project, log: &mut Log, date: NaiveDate, reason: &str) {
    let from = p.launch_date;
    if let Some(from) = from {
        r8_record_move(&mut p.launch_rebaselines, from, date, reason, log.ctx.now);
    } else {
        p.baseline_launch_date = Some(date);
    }
    p.launch_date = Some(date);
    log.push(
        "launch.rebaselined",
        "launch",
        format!(
            "Launch date re-baselined {} → {date}: {reason}",
            from.map(|d| d.to_string()).unwrap_or_else(|| "none".into())
        ),
        Some(json!({ "date": from })),
        Some(json!({ "date": date, "reason": reason, "baseline": p.baseline_launch_date })),
    );
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
pub(crate) fn add_task(
    p: &mut Project,
    log: &mut Log,
    title: String,
    phase: String,
    label: TaskLabel,
    owner: u32,
    due: NaiveDate,
    depends_on: Vec<u32>,
    needs_proof: bool,
    visibility: Visibility,
) -> Result<(), DomainError> {
    let title = required_text("title", &title)?;
    let phase = required_text("phase", &phase)?;
    person_exists(p, owner, "owner")?;
    check_task_visibility(p, label, Some(owner), visibility)?;
    for d in &depends_on {
        if p.task(*d).is_none() {
            return Err(DomainError::invalid(
                "depends_on",
                format!("task {d} does not exist"),
            ));
        }
    }
    // A task added by hand is of its phase's kind, as G2 has always read it, and of its
    // phase-mates' stage.
    let kind = StepKind::from_phase_name(&phase);
    let stage = p
        .tasks
        .iter()
        .find(|t| t.phase == phase)
        .and_then(|t| t.stage);
    let id = p.take_id();
    p.tasks.push(Task {
        id,
        title: title.clone(),
        phase,
        label,
        owner: Some(owner),
        due,
        baseline_due: due,
        rebaselines: Vec::new(),
        depends_on,
        needs_proof,
        status: TaskStatus::Pending,
        ball: None,
        nudges: 0,
        escalated_at: None,
        step_key: None,
        owner_role: None,
        visibility,
        kind,
        effort_hours: None,
        stage,
    });
    log.push(
        "task.created",
        format!("task:{id}"),
        format!(
            "Task {id} \"{title}\" ({}, {}) for {}, due {due}",
            label.label(),
            visibility.label(),
            p.person_name(owner)
        ),
        None,
        Some(json!({ "owner": owner, "due": due, "label": label, "visibility": visibility })),
    );
    Ok(())
}

pub(crate) fn set_task_visibility(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    visibility: Visibility,
) -> Result<(), DomainError> {
    let t = p
        .task(task)
        .ok_or_else(|| DomainError::not_found(format!("task {task}")))?;
    check_task_visibility(p, t.label, t.owner, visibility)?;
    let t = task_mut(p, task)?;
    let before = t.visibility;
    if before != visibility {
        t.visibility = visibility;
        log.push(
            "task.visibility",
            format!("task:{task}"),
            format!("Task {task} is now {}", visibility.label()),
            Some(json!({ "visibility": before })),
            Some(json!({ "visibility": visibility })),
        );
    }
    Ok(())
}

pub(crate) fn assign_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    owner: u32,
) -> Result<(), DomainError> {
    person_exists(p, owner, "owner")?;
    if let Some(t) = p.task(task) {
        check_task_visibility(p, t.label, Some(owner), t.visibility)?;
    }
    let name = p.person_name(owner);
    let t = task_mut(p, task)?;
    let before = t.owner;
    t.owner = Some(owner);
    log.push(
        "task.assigned",
        format!("task:{task}"),
        format!("Task {task} assigned to {name}"),
        Some(json!({ "owner": before })),
        Some(json!({ "owner": owner })),
    );
    Ok(())
}

pub(crate) fn complete_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    proof: Option<Proof>,
    completed_by: Option<u32>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    let by = r5_completed_by(completed_by, ctx.person)?;
    person_exists(p, by, "completed_by")?;
    let by_name = p.person_name(by);
    let import_ids: Vec<String> = p.imports.iter().map(|r| r.id.to_string()).collect();
    let t = task_mut(p, task)?;
    if t.is_done() {
        return Err(DomainError::invalid(
            "task",
            format!("task {task} is already done"),
        ));
    }
    dependencies_done(t)?;
    let proof = r5_proof(t, proof)?;
    if let Proof::Link(l) = &proof {
        if !(l.starts_with("https://") || l.starts_with("http://")) {
            return Err(DomainError::invalid(
                "proof.value",
                "a link must start with https:// or http://",
            ));
        }
    }
    if let Proof::ImportRun(r) = &proof {
        if !import_ids.contains(r) {
            return Err(DomainError::invalid(
                "proof.value",
                format!("import run {r} is not recorded in this project"),
            ));
        }
    }
    let before = t.state_label();
    t.status = TaskStatus::Done {
        proof: proof.clone(),
        by,
        at: now,
    };
    let title = t.title.clone();
    log.push(
        "task.completed",
        format!("task:{task}"),
        format!(
            "Task {task} \"{title}\" done by {by_name} — proof: {}",
            proof.describe()
        ),
        Some(json!({ "state": before })),
        Some(json!({ "state": "done", "proof": proof, "by": by })),
    );
    Ok(())
}

pub(crate) fn reopen_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    reason: String,
) -> Result<(), DomainError> {
    let reason = required_text("reason", &reason)?;
    let t = task_mut(p, task)?;
    if !t.is_done() {
        return Err(DomainError::invalid(
            "task",
            format!("task {task} is not done"),
        ));
    }
    t.status = TaskStatus::Open;
    log.push(
        "task.reopened",
        format!("task:{task}"),
        format!("Task {task} reopened: {reason}"),
        Some(json!({ "state": "done" })),
        Some(json!({ "state": "open", "reason": reason })),
    );
    Ok(())
}

pub(crate) fn block_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    needed: String,
    from: u32,
    by: NaiveDate,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    r6_specific_blocker(&needed)?;
    person_exists(p, from, "from")?;
    let from_name = p.person_name(from);
    let t = task_mut(p, task)?;
    if t.is_done() {
        return Err(DomainError::invalid("task", format!("task {task} is done")));
    }
    let needed = needed.trim().to_string();
    t.status = TaskStatus::Blocked(Blocker {
        needed: needed.clone(),
        from,
        by,
        since: now,
    });
    log.push(
        "task.blocked",
        format!("task:{task}"),
        format!("Task {task} blocked: needs {needed} from {from_name} by {by}"),
        None,
        Some(json!({ "needed": needed, "from": from, "by": by })),
    );
    Ok(())
}

pub(crate) fn unblock_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    note: String,
) -> Result<(), DomainError> {
    let t = task_mut(p, task)?;
    if !matches!(t.status, TaskStatus::Blocked(_)) {
        return Err(DomainError::invalid(
            "task",
            format!("task {task} is not blocked"),
        ));
    }
    t.status = TaskStatus::Open;
    log.push(
        "task.unblocked",
        format!("task:{task}"),
        format!(
            "Task {task} unblocked{}",
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        ),
        None,
        None,
    );
    Ok(())
}

pub(crate) fn rebaseline_task(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    due: NaiveDate,
    reason: String,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
    let reason = required_text("reason", &reason)?;
    let t = task_mut(p, task)?;
    if t.due == due {
        return Err(DomainError::invalid(
            "due",
            format!("task {task} is already due {due}"),
        ));
    }
    let from = t.due;
    r8_record_move(&mut t.rebaselines, from, due, &reason, now);
    t.due = due;
    let slips = t.slips();
    log.push(
        "task.rebaselined",
        format!("task:{task}"),
        format!("Task {task} re-baselined {from} → {due} (slip {slips}): {reason}"),
        Some(json!({ "due": from })),
        Some(json!({ "due": due, "reason": reason, "baseline": t.baseline_due })),
    );
    Ok(())
}

pub(crate) fn set_launch_date(
    p: &mut Project,
    log: &mut Log,
    date: NaiveDate,
    reason: String,
) -> Result<(), DomainError> {
    if p.launch_date.is_none() {
        p.launch_date = Some(date);
        p.baseline_launch_date = Some(date);
        log.push(
            "launch.set",
            "launch",
            format!("Launch date set: {date}"),
            None,
            Some(json!({ "date": date })),
        );
    } else {
        let reason = r8_reason_for_moving_the_launch(&reason)?;
        rebaseline_launch(p, log, date, &reason);
    }
    Ok(())
}

pub(crate) fn set_next_meeting(
    p: &mut Project,
    log: &mut Log,
    date: NaiveDate,
) -> Result<(), DomainError> {
    let before = p.next_meeting;
    p.next_meeting = Some(date);
    log.push(
        "meeting.next",
        "project",
        format!("Next meeting: {date}"),
        Some(json!({ "date": before })),
        Some(json!({ "date": date })),
    );
    Ok(())
}
