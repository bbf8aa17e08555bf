//! R9 over time: each customer task due for a reminder or an escalation today gets a
//! `RecordNudge` through the core (the activity log says "nudged", "escalated") and, in the same
//! transaction, a line in the next digest of each person it goes to.

use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::lifecycle::Stage;
use finishline_core::nudge::{r9_escalation_recipients, r9_nudge_due, NudgeAction};
use finishline_core::people::Side;
use finishline_core::visibility::may_tell;
use finishline_core::{Command, Ctx, Project};
use finishline_store::{NewDigestItem, StoreError};
use serde::{Deserialize, Serialize};

use super::settings::NotifySettings;
use super::SweepReport;
use crate::commands::{run_decided, Attempt, SideEffects};
use crate::error::AppError;
use crate::App;

/// One line of a digest, as stored with the digest item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    /// `reminder` (to the task's owner) or `escalation` (to the sponsor and the vendor owner).
    pub kind: String,
    pub project_id: String,
    pub project: String,
    pub customer: String,
    pub task: u32,
    pub title: String,
    pub due: NaiveDate,
    /// Negative before the due date.
    pub days_overdue: i64,
    pub nudges: u32,
    pub owner: String,
    /// The customer person the action links act as (the task's owner), for reminders.
    #[serde(default)]
    pub act_as: Option<u32>,
}

fn active(p: &Project) -> bool {
    !matches!(p.stage, Stage::Complete | Stage::Cancelled | Stage::Paused)
}

/// What is due for one project today: (task id, action, the digest items).
fn plan(
    p: &Project,
    cadence: &finishline_core::nudge::Cadence,
    today: NaiveDate,
) -> Vec<(u32, NudgeAction, Vec<NewDigestItem>)> {
    let mut out = Vec::new();
    for t in &p.tasks {
        let action = r9_nudge_due(t, cadence, today);
        if action == NudgeAction::Nothing {
            continue;
        }
        let owner = t.owner.and_then(|o| p.person(o));
        let escalated = action == NudgeAction::Escalate;
        let line = |kind: &str, act_as: Option<u32>| Line {
            kind: kind.into(),
            project_id: p.id.clone(),
            project: p.name.clone(),
            customer: p.customer.clone(),
            task: t.id,
            title: t.title.clone(),
            due: t.due,
            days_overdue: (today - t.due).num_days(),
            nudges: t.nudges + 1,
            owner: owner.map(|o| o.name.clone()).unwrap_or_default(),
            act_as,
        };
        // A message about an internal task goes to the vendor side only.
        let side_of = |email: &str| {
            p.people
                .iter()
                .find(|x| x.email.eq_ignore_ascii_case(email))
                .map_or(Side::Customer, |x| x.side)
        };
        let items: Vec<NewDigestItem> = if escalated {
            r9_escalation_recipients(p)
                .into_iter()
                .filter(|(email, _)| may_tell(t, side_of(email)))
                .map(|(email, _)| NewDigestItem {
                    item_key: format!("r9:escalate:{}:{}:{}", p.id, t.id, email.to_lowercase()),
                    email: email.to_lowercase(),
                    urgent: true,
                    doc: serde_json::to_string(&line("escalation", None)).unwrap_or_default(),
                })
                .collect()
        } else {
            owner
                .filter(|o| !o.email.trim().is_empty() && may_tell(t, o.side))
                .map(|o| NewDigestItem {
                    item_key: format!(
                        "r9:remind:{}:{}:{today}:{}",
                        p.id,
                        t.id,
                        o.email.to_lowercase()
                    ),
                    email: o.email.to_lowercase(),
                    urgent: false,
                    doc: serde_json::to_string(&line("reminder", Some(o.id))).unwrap_or_default(),
                })
                .into_iter()
                .collect()
        };
        if !items.is_empty() {
            out.push((t.id, action, items));
        }
    }
    out
}

async fn reminded_today(
    app: &App,
    workspace: &str,
    p: &Project,
    task: u32,
    today: NaiveDate,
) -> Result<bool, AppError> {
    let Some(owner) = p
        .tasks
        .iter()
        .find(|t| t.id == task)
        .and_then(|t| t.owner)
        .and_then(|o| p.person(o))
    else {
        return Ok(false);
    };
    let key = format!(
        "r9:remind:{}:{task}:{today}:{}",
        p.id,
        owner.email.to_lowercase()
    );
    Ok(app.store.digest_item_exists(workspace, &key).await?)
}

/// Records one nudge or escalation with its digest lines, once: if another server did it
/// already (the digest line's key is taken), nothing is written. `listed` is the project as the
/// pass read it; what is due is decided again on the project as stored at each attempt, with
/// the workspace's settings the pass read once.
async fn nudge(
    app: &App,
    workspace: &str,
    settings: &NotifySettings,
    listed: &Project,
    task: u32,
    now: DateTime<Utc>,
    report: &mut SweepReport,
) -> Result<(), AppError> {
    let today = now.date_naive();
    let due_now = |p: &Project| {
        plan(p, settings.cadence_for(p), today)
            .into_iter()
            .find(|(t, _, _)| *t == task)
    };
    if let Some((_, NudgeAction::Escalate, _)) = due_now(listed) {
        if reminded_today(app, workspace, listed, task, today).await? {
            // The third reminder went out today: escalate on a later pass, not hours after it.
            return Ok(());
        }
    }
    let mut escalated = false;
    let ran = run_decided(&app.store, workspace, &listed.id, |p| {
        let Some((_, action, items)) = due_now(p) else {
            return Ok(None);
        };
        escalated = action == NudgeAction::Escalate;
        Ok(Some(Attempt {
            command: Command::RecordNudge { task, escalated },
            ctx: Ctx {
                actor: "Finishline (R9 cadence)".into(),
                person: None,
                side: Side::Vendor,
                now,
            },
            effects: SideEffects {
                digest_items: items,
                ..SideEffects::default()
            },
        }))
    })
    .await;
    match ran {
        Ok(Some(_)) if escalated => report.escalations += 1,
        Ok(Some(_)) => report.nudges += 1,
        // Gone, nothing due any more, or another server wrote this nudge's line first.
        Ok(None) | Err(AppError::NotFound(_)) | Err(AppError::Store(StoreError::Duplicate(_))) => {}
        Err(e) => return Err(e),
    }
    Ok(())
}

/// The cadence pass over one workspace.
pub async fn run(app: &App, workspace: &str, report: &mut SweepReport) -> Result<(), AppError> {
    let now = app.now();
    let settings = super::settings::load(app, workspace).await?;
    for (p, _) in app.store.projects(workspace).await? {
        if !active(&p) {
            continue;
        }
        for (task, _, _) in plan(&p, settings.cadence_for(&p), now.date_naive()) {
            if let Err(e) = nudge(app, workspace, &settings, &p, task, now, report).await {
                tracing::warn!(project.id = %p.id, task, error = %e, "recording a nudge failed");
            }
        }
        hypercare_summary(app, workspace, &p, now).await?;
    }
    Ok(())
}

/// During hypercare, a daily line in the vendor owner's digest: open issues and usage.
async fn hypercare_summary(
    app: &App,
    workspace: &str,
    p: &Project,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = now.date_naive();
    let (Stage::Hypercare, Some(until)) = (p.stage, p.hypercare_until) else {
        return Ok(());
    };
    let Some(owner) = p.vendor_owner().filter(|o| !o.email.trim().is_empty()) else {
        return Ok(());
    };
    if today > until {
        return Ok(());
    }
    let open: Vec<&str> = p
        .issues
        .iter()
        .filter(|i| i.is_open())
        .map(|i| i.title.as_str())
        .collect();
    let mut text = format!("Hypercare until {until}: {} open issue(s)", open.len());
    if !open.is_empty() {
        text.push_str(&format!(" ({})", open.join("; ")));
    }
    let goals = app
        .store
        .adoption_goals(workspace)
        .await?
        .into_iter()
        .find(|g| g.project_id == p.id);
    if let Some(g) = goals {
        let week = app
            .store
            .usage_summary(workspace, &g.account, now - chrono::Duration::days(7), now)
            .await?;
        text.push_str(&format!(
            "; usage: {} active user(s) in the last 7 days, {} logged in",
            week.active_users, week.users_logged_in
        ));
    }
    let line = Line {
        kind: "hypercare".into(),
        project_id: p.id.clone(),
        project: p.name.clone(),
        customer: p.customer.clone(),
        task: 0,
        title: text,
        due: until,
        days_overdue: 0,
        nudges: 0,
        owner: owner.name.clone(),
        act_as: None,
    };
    let email = owner.email.to_lowercase();
    let item = NewDigestItem {
        item_key: format!("hypercare:{}:{today}:{email}", p.id),
        email,
        urgent: false,
        doc: serde_json::to_string(&line).unwrap_or_default(),
    };
    app.store.add_digest_item(workspace, &item, now).await?;
    Ok(())
}
