//! Adoption from the usage feed: for each live project with goals, active users in the last 7
//! days, logins in the first week after go-live and use of the key features, recorded through
//! the core's `RecordAdoption` once a week. A stall (fewer than half the trained users active,
//! or a key feature untouched) opens an intervention task there and shows in health.

use chrono::Duration;
use finishline_core::adoption::{choose_intervention, stall_reasons};
use finishline_core::people::Side;
use finishline_core::{Command, Ctx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::SweepReport;
use crate::error::AppError;
use crate::App;

/// The usage event that counts a support question.
pub const SUPPORT_QUESTION: &str = "support_question";

/// Goals set at kickoff, and the project's account in the usage feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptionGoals {
    /// The `account` the vendor's product reports usage under for this customer (not blank).
    #[schema(pattern = r"\S")]
    pub account: String,
    /// Users trained (and so expected to be active).
    pub trained_users: u32,
    /// Event names of the features that map to the success criteria.
    #[serde(default)]
    pub key_features: Vec<String>,
}

/// A reading of the usage feed for one project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdoptionReport {
    pub account: String,
    pub trained_users: u32,
    pub active_users_7d: u32,
    pub logins_first_week: Option<u32>,
    /// `support_question` events in the last 7 days (they feed the scorecard, R12).
    pub support_questions_7d: u32,
    pub key_features_unused: Vec<String>,
    /// Why adoption is stalling; empty when it is not.
    pub stall_reasons: Vec<String>,
}

/// Measures a project against its goals at `now`.
pub async fn measure(
    app: &App,
    workspace: &str,
    goals: &AdoptionGoals,
    live_on: Option<chrono::NaiveDate>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AdoptionReport, AppError> {
    let week = app
        .store
        .usage_summary(workspace, &goals.account, now - Duration::days(7), now)
        .await?;
    let first_week = match live_on.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        Some(start) => {
            let start = start.and_utc();
            Some(
                app.store
                    .usage_summary(workspace, &goals.account, start, start + Duration::days(7))
                    .await?
                    .users_logged_in,
            )
        }
        None => None,
    };
    let unused: Vec<String> = goals
        .key_features
        .iter()
        .filter(|f| !week.events.iter().any(|(e, n)| e == *f && *n > 0))
        .cloned()
        .collect();
    let stall = stall_reasons(week.active_users, goals.trained_users, &unused);
    Ok(AdoptionReport {
        account: goals.account.clone(),
        trained_users: goals.trained_users,
        active_users_7d: week.active_users,
        logins_first_week: first_week,
        support_questions_7d: week
            .events
            .iter()
            .find(|(e, _)| e == SUPPORT_QUESTION)
            .map_or(0, |(_, n)| *n),
        key_features_unused: unused,
        stall_reasons: stall,
    })
}

/// The adoption pass over one workspace: a week after go-live, and weekly after that.
pub async fn run(app: &App, workspace: &str, report: &mut SweepReport) -> Result<(), AppError> {
    let now = app.now();
    for row in app.store.adoption_goals(workspace).await? {
        let Ok(goals) = serde_json::from_str::<AdoptionGoals>(&row.doc) else {
            continue;
        };
        let Some((p, _)) = app.store.project(workspace, &row.project_id).await? else {
            continue;
        };
        let Some(live_on) = p.live_on else { continue };
        if !p.stage.is_live() || now.date_naive() < live_on + Duration::days(7) {
            continue;
        }
        if p.adoption
            .last()
            .is_some_and(|a| now - a.at < Duration::days(7))
        {
            continue;
        }
        let r = measure(app, workspace, &goals, Some(live_on), now).await?;
        let command = Command::RecordAdoption {
            active_users: r.active_users_7d,
            trained_users: r.trained_users,
            logins_first_week: r.logins_first_week,
            support_questions: Some(r.support_questions_7d),
            key_features_unused: r.key_features_unused.clone(),
            intervention: (!r.stall_reasons.is_empty())
                .then(|| choose_intervention(r.active_users_7d, r.trained_users)),
        };
        let result =
            crate::commands::run_command(&app.store, workspace, &p.id, &command, |_| Ctx {
                actor: "Finishline (usage feed)".into(),
                person: None,
                side: Side::Vendor,
                now,
            })
            .await;
        match result {
            Ok(_) if !r.stall_reasons.is_empty() => report.interventions += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(project.id = %p.id, error = %e, "recording adoption failed"),
        }
    }
    Ok(())
}
