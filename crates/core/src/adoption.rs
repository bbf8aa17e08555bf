//! Adoption after go-live: usage readings against the goals, the stall check and the
//! intervention that answers a stall (a loop back the brief asks to record).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::Log;
use crate::error::DomainError;
use crate::lifecycle::{record_loop, LoopKind, Stage};
use crate::plan::{Task, TaskLabel, TaskStatus};
use crate::project::Project;
use crate::rule::Rule;
use crate::visibility::Visibility;

/// A usage reading during adoption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptionReading {
    pub at: DateTime<Utc>,
    pub active_users: u32,
    pub trained_users: u32,
    #[serde(default)]
    pub logins_first_week: Option<u32>,
    #[serde(default)]
    pub support_questions: Option<u32>,
    #[serde(default)]
    pub key_features_unused: Vec<String>,
    /// Why the reading counts as a stall, if it does.
    #[serde(default)]
    pub stall_reasons: Vec<String>,
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

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
pub(crate) fn record_adoption(
    p: &mut Project,
    log: &mut Log,
    active_users: u32,
    trained_users: u32,
    logins_first_week: Option<u32>,
    support_questions: Option<u32>,
    key_features_unused: Vec<String>,
    intervention: Option<Intervention>,
) -> Result<(), DomainError> {
    let ctx = log.ctx;
    let now = log.ctx.now;
    if !p.stage.is_live() {
        return Err(DomainError::wrong_stage(
            "adoption is measured after go-live",
        ));
    }
    let mut stall = Vec::new();
    if trained_users > 0 && active_users * 2 < trained_users {
        stall.push(format!(
            "only {active_users} of {trained_users} trained users active in the last 7 days"
        ));
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
            Intervention::Retrain => ("Re-train the users who are not active", Stage::Training),
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
    Ok(())
}
