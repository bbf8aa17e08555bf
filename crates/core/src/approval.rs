//! The customer's approval of the mutual action plan.
//!
//! The customer's decision maker approves a *version* of the plan: its tasks (title, owner, due
//! date, side), its scope by bucket, the finish line and the launch date. The approval keeps that
//! version whole (`PlanApproval`), so what was approved never changes afterwards, and `diff`
//! compares the project as it is now with it, item by item.
//!
//! A change asks for the customer's approval again when it moves what the customer committed to:
//! - a customer task's due date moved, or a new customer task (a new date for the customer);
//! - a task handed over to the customer's side (it becomes theirs to do);
//! - the launch date moved;
//! - scope added, removed, reworded or moved between buckets;
//! - the finish line rewritten.
//!
//! Other changes (a vendor task's date or owner, a renamed task, a task taken off the plan) are
//! shown to both sides as a difference but do not ask again. Approving again records a new
//! version; the latest approval is the one compared with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::activity::Activity;
use crate::command::Ctx;
use crate::command::Log;
use crate::error::DomainError;
use crate::people::{Role, Side};
use crate::plan::{Task, TaskLabel};
use crate::project::Project;
use crate::rule::Rule;
use crate::scope::ScopeBucket;

/// One task as it stood in the approved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovedTask {
    pub id: u32,
    pub title: String,
    pub owner: Option<u32>,
    pub due: NaiveDate,
    pub label: TaskLabel,
    /// Whether it was the customer's to do (a customer task, or owned by a customer person).
    pub customer: bool,
}

/// One scope item as it stood in the approved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovedScopeItem {
    pub id: u32,
    pub text: String,
    pub bucket: ScopeBucket,
}

/// The plan as approved: what the decision maker saw and agreed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersion {
    pub tasks: Vec<ApprovedTask>,
    /// Scope items with their bucket (in phase one, later, not included).
    pub scope: Vec<ApprovedScopeItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_date: Option<NaiveDate>,
}

/// A recorded approval of the plan by the customer's decision maker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanApproval {
    /// The project person who approved (the customer's decision maker).
    pub by: u32,
    /// Their name when they approved.
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub plan: PlanVersion,
}

/// Whether a task is the customer's to do: a customer task, or one owned by a customer person.
pub fn is_customer_task(p: &Project, t: &Task) -> bool {
    t.label == TaskLabel::CustomerTask
        || t.owner
            .and_then(|o| p.person(o))
            .is_some_and(|x| x.side == Side::Customer)
}

/// Whether a task is part of the plan the customer approves: the tasks the customer can see.
///
/// Internal tasks are left out here, so they never reach an approval, its difference or the
/// portal.
pub fn in_plan(_p: &Project, t: &Task) -> bool {
    crate::visibility::customer_sees(t)
}

impl PlanVersion {
    /// The plan of a project as it stands now.
    pub fn of(p: &Project) -> Self {
        PlanVersion {
            tasks: p
                .tasks
                .iter()
                .filter(|t| in_plan(p, t))
                .map(|t| ApprovedTask {
                    id: t.id,
                    title: t.title.clone(),
                    owner: t.owner,
                    due: t.due,
                    label: t.label,
                    customer: is_customer_task(p, t),
                })
                .collect(),
            scope: p
                .scope
                .iter()
                .map(|s| ApprovedScopeItem {
                    id: s.id,
                    text: s.text.clone(),
                    bucket: s.bucket,
                })
                .collect(),
            finish_line: p.finish_line.as_ref().map(|f| f.text.clone()),
            launch_date: p.launch_date,
        }
    }

    /// A short, stable fingerprint of this version (FNV-1a over its JSON): a form carries the
    /// fingerprint of the plan it showed, so a plan changed meanwhile is not approved unseen.
    pub fn fingerprint(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PlanItem {
    Task(u32),
    Scope(u32),
    FinishLine,
    LaunchDate,
}

/// How an item changed since the approved version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    TaskAdded,
    TaskRemoved,
    DueMoved,
    OwnerChanged,
    Renamed,
    ScopeAdded,
    ScopeRemoved,
    ScopeMoved,
    ScopeReworded,
    FinishLineChanged,
    LaunchDateMoved,
}

impl ChangeKind {
    /// The change in a few words.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::TaskAdded => "task added",
            ChangeKind::TaskRemoved => "task taken off the plan",
            ChangeKind::DueMoved => "due date moved",
            ChangeKind::OwnerChanged => "owner changed",
            ChangeKind::Renamed => "task renamed",
            ChangeKind::ScopeAdded => "scope added",
            ChangeKind::ScopeRemoved => "scope removed",
            ChangeKind::ScopeMoved => "scope moved",
            ChangeKind::ScopeReworded => "scope reworded",
            ChangeKind::FinishLineChanged => "finish line rewritten",
            ChangeKind::LaunchDateMoved => "launch date moved",
        }
    }
}

/// One difference between the approved plan and the plan now, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChange {
    pub item: PlanItem,
    pub kind: ChangeKind,
    /// What it is about: the task's title, the scope item's text, "Finish line", "Launch date".
    pub subject: String,
    /// The approved value, in words (absent for something new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The value now, in words (absent for something taken away).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Whether it concerns the customer's own work, dates or scope.
    pub customer: bool,
    /// Whether the customer's decision maker must approve the plan again.
    pub needs_reapproval: bool,
}

impl PlanChange {
    /// "Send the signed order form: due date moved, 2026-03-10 → 2026-03-17".
    pub fn describe(&self) -> String {
        let values = match (&self.before, &self.after) {
            (Some(b), Some(a)) => format!(", {b} → {a}"),
            (None, Some(a)) => format!(": {a}"),
            (Some(b), None) => format!(" (was {b})"),
            (None, None) => String::new(),
        };
        format!("{}: {}{values}", self.subject, self.kind.label())
    }
}

fn bucket_words(b: ScopeBucket) -> &'static str {
    match b {
        ScopeBucket::In => "in phase one",
        ScopeBucket::Later => "later",
        ScopeBucket::Out => "not included",
    }
}

fn owner_words(p: &Project, owner: Option<u32>) -> String {
    owner.map_or_else(|| "no owner yet".to_string(), |o| p.person_name(o))
}

fn date_words(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "not set".to_string(), |d| d.to_string())
}

/// Every difference between the plan now and an approved version, tasks first (in plan order),
/// then scope, the finish line and the launch date.
pub fn diff(p: &Project, approval: &PlanApproval) -> Vec<PlanChange> {
    let then = &approval.plan;
    let mut out = task_changes(p, then);
    out.extend(scope_changes(p, then));
    let finish_line = p.finish_line.as_ref().map(|f| f.text.clone());
    if finish_line != then.finish_line {
        out.push(PlanChange {
            item: PlanItem::FinishLine,
            kind: ChangeKind::FinishLineChanged,
            subject: "Finish line".into(),
            before: then.finish_line.clone(),
            after: finish_line,
            customer: true,
            needs_reapproval: true,
        });
    }
    if p.launch_date != then.launch_date {
        out.push(PlanChange {
            item: PlanItem::LaunchDate,
            kind: ChangeKind::LaunchDateMoved,
            subject: "Launch date".into(),
            before: Some(date_words(then.launch_date)),
            after: Some(date_words(p.launch_date)),
            customer: true,
            needs_reapproval: true,
        });
    }
    out
}

/// The tasks' differences: removed, renamed, moved, handed over, then added.
fn task_changes(p: &Project, then: &PlanVersion) -> Vec<PlanChange> {
    let mut out = Vec::new();
    let task_change = |kind, t: &ApprovedTask, before, after, customer, needs| PlanChange {
        item: PlanItem::Task(t.id),
        kind,
        subject: t.title.clone(),
        before,
        after,
        customer,
        needs_reapproval: needs,
    };
    for old in &then.tasks {
        let Some(now) = p.task(old.id).filter(|t| in_plan(p, t)) else {
            out.push(task_change(
                ChangeKind::TaskRemoved,
                old,
                Some(format!("due {}, {}", old.due, owner_words(p, old.owner))),
                None,
                old.customer,
                false,
            ));
            continue;
        };
        let customer_now = is_customer_task(p, now);
        let customer = old.customer || customer_now;
        if now.title != old.title {
            out.push(task_change(
                ChangeKind::Renamed,
                old,
                Some(old.title.clone()),
                Some(now.title.clone()),
                customer,
                false,
            ));
        }
        if now.due != old.due {
            out.push(task_change(
                ChangeKind::DueMoved,
                old,
                Some(old.due.to_string()),
                Some(now.due.to_string()),
                customer,
                customer,
            ));
        }
        if now.owner != old.owner || customer_now != old.customer {
            out.push(task_change(
                ChangeKind::OwnerChanged,
                old,
                Some(owner_words(p, old.owner)),
                Some(owner_words(p, now.owner)),
                customer,
                customer_now && !old.customer,
            ));
        }
    }
    for t in p
        .tasks
        .iter()
        .filter(|t| in_plan(p, t) && !then.tasks.iter().any(|o| o.id == t.id))
    {
        let customer = is_customer_task(p, t);
        out.push(PlanChange {
            item: PlanItem::Task(t.id),
            kind: ChangeKind::TaskAdded,
            subject: t.title.clone(),
            before: None,
            after: Some(format!("due {}, {}", t.due, owner_words(p, t.owner))),
            customer,
            needs_reapproval: customer,
        });
    }
    out
}

/// The scope's differences: removed, reworded, moved between buckets, then added.
fn scope_changes(p: &Project, then: &PlanVersion) -> Vec<PlanChange> {
    let mut out = Vec::new();
    let scope_change = |item, kind, subject: &str, before, after| PlanChange {
        item: PlanItem::Scope(item),
        kind,
        subject: subject.to_string(),
        before,
        after,
        customer: true,
        needs_reapproval: true,
    };
    for old in &then.scope {
        let Some(now) = p.scope.iter().find(|s| s.id == old.id) else {
            out.push(scope_change(
                old.id,
                ChangeKind::ScopeRemoved,
                &old.text,
                Some(bucket_words(old.bucket).to_string()),
                None,
            ));
            continue;
        };
        if now.text != old.text {
            out.push(scope_change(
                old.id,
                ChangeKind::ScopeReworded,
                &now.text,
                Some(old.text.clone()),
                Some(now.text.clone()),
            ));
        }
        if now.bucket != old.bucket {
            out.push(scope_change(
                old.id,
                ChangeKind::ScopeMoved,
                &now.text,
                Some(bucket_words(old.bucket).to_string()),
                Some(bucket_words(now.bucket).to_string()),
            ));
        }
    }
    for s in p
        .scope
        .iter()
        .filter(|s| !then.scope.iter().any(|o| o.id == s.id))
    {
        out.push(scope_change(
            s.id,
            ChangeKind::ScopeAdded,
            &s.text,
            None,
            Some(bucket_words(s.bucket).to_string()),
        ));
    }
    out
}

/// Where the plan stands with the customer's approval.
#[derive(Debug, Clone, PartialEq)]
pub enum ApprovalState<'a> {
    /// The customer's decision maker has not approved any version of the plan.
    NotApproved,
    /// The plan is as it was last approved.
    Approved { approval: &'a PlanApproval },
    /// The plan changed since it was last approved.
    ChangedSinceApproval {
        approval: &'a PlanApproval,
        changes: Vec<PlanChange>,
        /// Whether any change asks for the customer's approval again.
        needs_reapproval: bool,
    },
}

impl ApprovalState<'_> {
    /// Whether the customer's decision maker is asked to approve (for the first time or again).
    pub fn awaits_customer(&self) -> bool {
        match self {
            ApprovalState::NotApproved => true,
            ApprovalState::Approved { .. } => false,
            ApprovalState::ChangedSinceApproval {
                needs_reapproval, ..
            } => *needs_reapproval,
        }
    }
}

/// The approval state of a project: compared with its latest approval.
pub fn approval_state(p: &Project) -> ApprovalState<'_> {
    let Some(approval) = p.plan_approvals.last() else {
        return ApprovalState::NotApproved;
    };
    let changes = diff(p, approval);
    if changes.is_empty() {
        ApprovalState::Approved { approval }
    } else {
        let needs_reapproval = changes.iter().any(|c| c.needs_reapproval);
        ApprovalState::ChangedSinceApproval {
            approval,
            changes,
            needs_reapproval,
        }
    }
}

/// The refusal given to anyone but the customer's decision maker.
const ONLY_THE_DECISION_MAKER: &str =
    "only the customer's decision maker approves the plan, from the customer portal";

/// `Command::ApprovePlan`: the customer's decision maker approves the plan as it stands now.
/// `seen` is the fingerprint of the version they were shown, if the caller knows it.
pub fn approve(p: &mut Project, seen: Option<&str>, ctx: &Ctx) -> Result<Activity, DomainError> {
    let approver = match (ctx.side, ctx.person.and_then(|id| p.person(id))) {
        (Side::Customer, Some(x)) if x.side == Side::Customer && x.role == Role::DecisionMaker => {
            x.clone()
        }
        (Side::Customer, Some(x)) => {
            return Err(DomainError::rule(
                Rule::PlanApproval,
                format!(
                    "{} is the {}, not the decision maker: {ONLY_THE_DECISION_MAKER}",
                    x.name,
                    x.role.label()
                ),
            ))
        }
        (Side::Customer, None) => {
            return Err(DomainError::rule(
                Rule::PlanApproval,
                format!("the approver is not a person of this project: {ONLY_THE_DECISION_MAKER}"),
            ))
        }
        (Side::Vendor, _) => {
            return Err(DomainError::rule(
                Rule::PlanApproval,
                format!(
                    "the vendor cannot approve on the customer's behalf: {ONLY_THE_DECISION_MAKER}"
                ),
            ))
        }
    };
    let plan = PlanVersion::of(p);
    if let Some(seen) = seen.map(str::trim).filter(|s| !s.is_empty()) {
        if seen != plan.fingerprint() {
            return Err(DomainError::invalid(
                "plan_version",
                "the plan changed while you were reading it: look at the plan again and approve what it says now",
            ));
        }
    }
    let changes = match p.plan_approvals.last() {
        None => None,
        Some(last) => {
            let changes = diff(p, last);
            if changes.is_empty() {
                return Err(DomainError::invalid(
                    "plan",
                    format!(
                        "the plan is already approved as it stands ({} approved it on {})",
                        last.by_name,
                        last.at.date_naive()
                    ),
                ));
            }
            Some(changes)
        }
    };
    let summary = match &changes {
        None => format!(
            "Plan approved by {} (customer decision maker): {} tasks, {} scope items, launch date {}",
            approver.name,
            plan.tasks.len(),
            plan.scope.len(),
            date_words(plan.launch_date)
        ),
        Some(c) => format!(
            "Plan approved again by {} (customer decision maker), with {} change(s) since the last approval: {}",
            approver.name,
            c.len(),
            c.iter().map(PlanChange::describe).collect::<Vec<_>>().join("; ")
        ),
    };
    let after = json!({
        "approval": p.plan_approvals.len() + 1,
        "by": approver.id,
        "tasks": plan.tasks.len(),
        "scope": plan.scope.len(),
        "launch_date": plan.launch_date,
        "fingerprint": plan.fingerprint(),
        "changes": changes,
    });
    let before = p.plan_approvals.last().map(|a| {
        json!({ "approval": p.plan_approvals.len(), "by": a.by, "at": a.at, "fingerprint": a.plan.fingerprint() })
    });
    p.plan_approvals.push(PlanApproval {
        by: approver.id,
        by_name: approver.name.clone(),
        at: ctx.now,
        plan,
    });
    Ok(Activity {
        at: ctx.now,
        actor: ctx.actor.clone(),
        kind: "plan.approved".into(),
        subject: "plan".into(),
        summary,
        before,
        after: Some(after),
    })
}

pub(crate) fn approve_plan(
    p: &mut Project,
    log: &mut Log,
    plan_version: Option<String>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    log.out
        .push(crate::approval::approve(p, plan_version.as_deref(), ctx)?);
    Ok(())
}
