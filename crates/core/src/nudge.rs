//! R9 — nudges and escalation for overdue customer tasks: the cadence and the decision of what
//! is due for one task today. Sending belongs to the server; deciding belongs here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::Log;
use crate::error::DomainError;
use crate::plan::task_mut;
use crate::project::Project;

use crate::people::{Role, Side};
use crate::plan::Task;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadence {
    /// Days before the due date to remind (positive numbers).
    pub before_days: Vec<i64>,
    /// Days after the due date to remind.
    pub after_days: Vec<i64>,
    /// Escalate to the executive sponsor after this many nudges…
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub escalate_after_nudges: u32,
    /// …or this many days overdue, whichever comes first.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub escalate_after_days: i64,
}

impl Default for Cadence {
    fn default() -> Self {
        Self {
            before_days: vec![1],
            after_days: vec![1, 3, 7],
            escalate_after_nudges: 3,
            escalate_after_days: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeAction {
    Nothing,
    Remind,
    Escalate,
}

/// R9: what to do today for a task waiting on the customer.
pub fn r9_nudge_due(task: &Task, cadence: &Cadence, today: NaiveDate) -> NudgeAction {
    if task.ball != Some(Side::Customer) || task.is_done() || task.escalated_at.is_some() {
        return NudgeAction::Nothing;
    }
    let offset = (today - task.due).num_days();
    if offset > 0
        && (task.nudges >= cadence.escalate_after_nudges || offset >= cadence.escalate_after_days)
    {
        return NudgeAction::Escalate;
    }
    let on_cadence = (offset < 0 && cadence.before_days.contains(&-offset))
        || (offset > 0 && cadence.after_days.contains(&offset));
    if on_cadence {
        NudgeAction::Remind
    } else {
        NudgeAction::Nothing
    }
}

/// R9: who an escalation goes to, as (e-mail, name): the customer's executive sponsor(s) or,
/// without one, the customer's decision maker; and the vendor owner. Sorted, without blank
/// addresses, one entry per address whatever its case.
pub fn r9_escalation_recipients(p: &Project) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = p
        .people
        .iter()
        .filter(|x| x.side == Side::Customer && x.role == Role::ExecutiveSponsor)
        .map(|x| (x.email.clone(), x.name.clone()))
        .collect();
    if out.is_empty() {
        if let Some(dm) = p.decision_maker(Side::Customer) {
            out.push((dm.email.clone(), dm.name.clone()));
        }
    }
    if let Some(o) = p.vendor_owner() {
        out.push((o.email.clone(), o.name.clone()));
    }
    out.retain(|(e, _)| !e.trim().is_empty());
    out.sort();
    out.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    out
}

pub(crate) fn record_nudge(
    p: &mut Project,
    log: &mut Log,
    task: u32,
    escalated: bool,
) -> Result<(), DomainError> {
    let now = log.ctx.now;
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
    Ok(())
}
