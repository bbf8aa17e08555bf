//! Adoption after go-live: usage readings against the goals, the stall check and the
//! intervention that answers a stall (a loop back the brief asks to record).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::command::Log;
use crate::error::DomainError;
use crate::lifecycle::{record_loop, LoopKind, Stage};
use crate::plan::{Task, TaskLabel, TaskStatus};
use crate::playbook::StepKind;
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

/// The key features a reading names as untouched, trimmed, blanks dropped.
pub fn untouched_features(key_features_unused: &[String]) -> Vec<String> {
    key_features_unused
        .iter()
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// The stall's first sign: fewer than half the trained users were active in the last 7 days.
fn fewer_than_half_active(active_users: u32, trained_users: u32) -> bool {
    trained_users > 0 && active_users.saturating_mul(2) < trained_users
}

/// Why a reading counts as a stall: fewer than half the trained users active in the last 7
/// days, or a key feature untouched (blank names are ignored). Empty when adoption is on track.
pub fn stall_reasons(
    active_users: u32,
    trained_users: u32,
    key_features_unused: &[String],
) -> Vec<String> {
    let mut stall = Vec::new();
    if fewer_than_half_active(active_users, trained_users) {
        stall.push(format!(
            "only {active_users} of {trained_users} trained users active in the last 7 days"
        ));
    }
    let unused = untouched_features(key_features_unused);
    if !unused.is_empty() {
        stall.push(format!("key features untouched: {}", unused.join(", ")));
    }
    stall
}

/// The intervention that answers a stall best: nobody active, re-engage the champion; fewer
/// than half the trained users active, re-train them; otherwise (a key feature untouched), fix
/// the workflow behind it.
pub fn choose_intervention(active_users: u32, trained_users: u32) -> Intervention {
    if active_users == 0 {
        Intervention::ReengageChampion
    } else if fewer_than_half_active(active_users, trained_users) {
        Intervention::Retrain
    } else {
        Intervention::FixWorkflow
    }
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
    let unused = untouched_features(&key_features_unused);
    let stall = stall_reasons(active_users, trained_users, &unused);
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
            return Err(DomainError::rule(Rule::AdoptionStall, format!("adoption has stalled ({}): choose an intervention — retrain, reengage_champion or fix_workflow", stall.join("; "))));
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
            kind: StepKind::Other,
            effort_hours: None,
            stage: Some(to),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stall_reasons_counts_active_users_and_untouched_features() {
        assert!(stall_reasons(5, 10, &[]).is_empty());
        assert_eq!(
            stall_reasons(4, 10, &[" ".into(), " export ".into()]),
            vec![
                "only 4 of 10 trained users active in the last 7 days".to_string(),
                "key features untouched: export".to_string(),
            ]
        );
        assert!(stall_reasons(0, 0, &[String::new()]).is_empty());
    }

    #[test]
    fn choose_intervention_by_who_is_active() {
        assert_eq!(choose_intervention(0, 10), Intervention::ReengageChampion);
        assert_eq!(choose_intervention(3, 10), Intervention::Retrain);
        assert_eq!(choose_intervention(8, 10), Intervention::FixWorkflow);
    }
}
