//! User acceptance testing tied to success criteria, and the open issues G2 reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::{person_exists, Log};
use crate::error::{required_text, DomainError};
use crate::lifecycle::{record_loop, LoopKind, ReworkStage, Stage};
use crate::project::Project;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum UatResult {
    NotRun,
    Passed { at: DateTime<Utc> },
    Failed { at: DateTime<Utc>, notes: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UatCase {
    pub id: u32,
    pub title: String,
    /// The success criterion it tests.
    pub criterion: u32,
    pub result: UatResult,
    /// Times it failed (each one a rework loop).
    #[serde(default)]
    pub failures: u32,
}

impl UatCase {
    pub fn passed(&self) -> bool {
        matches!(self.result, UatResult::Passed { .. })
    }
}

/// An open issue found along the way (G2: each has one owner and one due date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub id: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
}

impl Issue {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

pub(crate) fn add_uat_case(
    p: &mut Project,
    log: &mut Log,
    title: String,
    criterion: u32,
) -> Result<(), DomainError> {
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
    Ok(())
}

pub(crate) fn record_uat_result(
    p: &mut Project,
    log: &mut Log,
    case: u32,
    passed: bool,
    notes: String,
    loop_to: Option<ReworkStage>,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
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
    Ok(())
}

pub(crate) fn open_issue(
    p: &mut Project,
    log: &mut Log,
    title: String,
    owner: Option<u32>,
    due: Option<NaiveDate>,
) -> Result<(), DomainError> {
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
    Ok(())
}

pub(crate) fn update_issue(
    p: &mut Project,
    log: &mut Log,
    issue: u32,
    owner: Option<u32>,
    due: Option<NaiveDate>,
) -> Result<(), DomainError> {
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
    Ok(())
}

pub(crate) fn close_issue(p: &mut Project, log: &mut Log, issue: u32) -> Result<(), DomainError> {
    let now = log.ctx.now;
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
    Ok(())
}
