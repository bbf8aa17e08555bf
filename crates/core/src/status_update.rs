//! R10 — the status update draft after every meeting, generated from what happened since the
//! last update: five lines of summary, then the detail.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::command::Log;
use crate::error::{required_text, DomainError};

use crate::activity::Activity;
use crate::plan::TaskStatus;
use crate::project::Project;
use crate::scope::ScopeBucket;

/// A status update as sent after a meeting (R10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusUpdate {
    pub id: u32,
    pub meeting_date: NaiveDate,
    pub text: String,
    pub at: DateTime<Utc>,
    /// Shown to the customer in the portal.
    #[serde(default)]
    pub for_customer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextAction {
    pub task: u32,
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusDraft {
    /// The last status update this draft follows, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Exactly five lines.
    pub summary: Vec<String>,
    pub changed: Vec<String>,
    pub completed: Vec<String>,
    pub out_of_scope: Vec<String>,
    pub approvals: Vec<String>,
    pub blockers: Vec<String>,
    pub next_actions: Vec<NextAction>,
}

/// R10: drafts the status update from the activities since the last update was recorded.
pub fn r10_status_draft(p: &Project, activities: &[Activity], now: DateTime<Utc>) -> StatusDraft {
    let since = p.status_updates.iter().map(|u| u.at).max();
    let recent: Vec<&Activity> = activities
        .iter()
        .filter(|a| since.is_none_or(|s| a.at > s) && a.at <= now)
        .collect();
    let completed: Vec<String> = recent
        .iter()
        .filter(|a| a.kind == "task.completed")
        .map(|a| a.summary.clone())
        .collect();
    let mut approvals: Vec<String> = recent
        .iter()
        .filter(|a| {
            matches!(
                a.kind.as_str(),
                "change_request.approved"
                    | "change_request.declined_by"
                    | "change_request.decided"
                    | "go_live.decided"
                    | "criterion.accepted"
                    | "promise.resolved"
                    | "plan.approved"
            )
        })
        .map(|a| a.summary.clone())
        .collect();
    let changed: Vec<String> = recent
        .iter()
        .filter(|a| {
            matches!(
                a.kind.as_str(),
                "stage.changed"
                    | "launch.set"
                    | "launch.rebaselined"
                    | "task.rebaselined"
                    | "finish_line.set"
                    | "scope.added"
                    | "scope.moved"
                    | "change_request.opened"
                    | "import.recorded"
                    | "uat.passed"
                    | "uat.failed"
                    | "training.held"
            ) || a.kind.starts_with("loop.")
        })
        .map(|a| a.summary.clone())
        .collect();
    let out_of_scope = out_of_scope(p);
    let blockers = open_blockers(p);
    let next_actions = next_actions(p);
    let launch = match (p.launch_date, p.baseline_launch_date) {
        (Some(l), Some(b)) if l != b => format!("launch {l} (first agreed {b})"),
        (Some(l), _) => format!("launch {l}"),
        _ => "no launch date yet".into(),
    };
    let summary = vec![
        format!(
            "{} — {}: stage {}, {launch}.",
            p.customer,
            p.name,
            p.stage.label()
        ),
        format!(
            "{} task(s) completed since {}.",
            completed.len(),
            since.map_or("the start".into(), |s| s.date_naive().to_string())
        ),
        format!(
            "{} change(s) and {} decision(s) recorded.",
            changed.len(),
            approvals.len()
        ),
        if blockers.is_empty() {
            "No open blockers.".into()
        } else {
            format!("{} open blocker(s): {}", blockers.len(), blockers[0])
        },
        match next_actions.first() {
            Some(n) => format!("Next: {} — {} by {}.", n.title, n.owner, n.due),
            None => "No open next actions.".into(),
        },
    ];
    // Not a decision yet: listed under approvals, not counted in the summary's decisions.
    approvals.extend(awaiting_reapproval(p));
    StatusDraft {
        since,
        summary,
        changed,
        completed,
        out_of_scope,
        approvals,
        blockers,
        next_actions,
    }
}

/// What stayed out of scope: the later and not-included items.
fn out_of_scope(p: &Project) -> Vec<String> {
    p.scope
        .iter()
        .filter(|s| s.bucket != ScopeBucket::In)
        .map(|s| {
            format!(
                "{} ({})",
                s.text,
                if s.bucket == ScopeBucket::Later {
                    "later"
                } else {
                    "not included"
                }
            )
        })
        .collect()
}

/// Each blocked task with what it needs, from whom, by when (R6).
fn open_blockers(p: &Project) -> Vec<String> {
    p.tasks
        .iter()
        .filter_map(|t| match &t.status {
            TaskStatus::Blocked(b) => Some(format!(
                "Task {} \"{}\": needs {} from {} by {}",
                t.id,
                t.title,
                b.needed,
                p.person_name(b.from),
                b.by
            )),
            _ => None,
        })
        .collect()
}

/// The open tasks due first, up to eight, with their owners and dates.
fn next_actions(p: &Project) -> Vec<NextAction> {
    let mut open: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Open)
        .collect();
    open.sort_by_key(|t| (t.due, t.id));
    open.iter()
        .take(8)
        .map(|t| NextAction {
            task: t.id,
            title: t.title.clone(),
            owner: t
                .owner
                .map_or_else(|| "nobody (assign an owner)".into(), |o| p.person_name(o)),
            due: t.due,
        })
        .collect()
}

/// The plan changes waiting for the customer's decision maker to approve them again, if any.
fn awaiting_reapproval(p: &Project) -> Option<String> {
    let crate::approval::ApprovalState::ChangedSinceApproval {
        changes,
        needs_reapproval: true,
        ..
    } = crate::approval::approval_state(p)
    else {
        return None;
    };
    let asked: Vec<String> = changes
        .iter()
        .filter(|c| c.needs_reapproval)
        .map(crate::approval::PlanChange::describe)
        .collect();
    Some(format!(
            "Waiting for the customer's decision maker to approve the plan again ({} change(s) to their dates or scope): {}",
            asked.len(),
            asked.join("; ")
        ))
}

impl StatusDraft {
    /// The draft as plain text: five lines of summary, then detail.
    pub fn to_text(&self) -> String {
        let mut out = self.summary.join("\n");
        let mut section = |title: &str, items: &[String]| {
            out.push_str(&format!("\n\n{title}\n"));
            if items.is_empty() {
                out.push_str("- none");
            } else {
                out.push_str(
                    &items
                        .iter()
                        .map(|i| format!("- {i}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
        };
        section("What changed", &self.changed);
        section("Completed (with proof)", &self.completed);
        section("Stayed out of scope", &self.out_of_scope);
        section("Who approved what", &self.approvals);
        section("Open blockers", &self.blockers);
        let next: Vec<String> = self
            .next_actions
            .iter()
            .map(|n| format!("{} — {}, due {}", n.title, n.owner, n.due))
            .collect();
        section("Next actions", &next);
        out
    }
}

pub(crate) fn record_status_update(
    p: &mut Project,
    log: &mut Log,
    meeting_date: NaiveDate,
    text: String,
    for_customer: bool,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
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
    Ok(())
}
