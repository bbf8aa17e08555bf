//! `finishline demo`: a workspace to look around in, seeded from the situations of the seeds.
//!
//! Every project is built by replaying the commands a team would have run, each with a
//! back-dated [`Ctx`], so the activity log, ball in court (R7), re-baselines (R8), health and the
//! scorecard (R12) are computed from what happened, never typed in. All dates are relative to
//! `now`: the demo always looks current. Every back-dated event falls before today's midnight.
//!
//! | project | seed | stage at `now` |
//! | --- | --- | --- |
//! | Harbor & Pine Insurance — renewals desk | 004 | handoff: an over-promise blocks kickoff after a realign loop |
//! | Calder Field Services — work orders | 004 | build: SSO blocked on the customer's IT, nudged and escalated |
//! | Brightwater Property — maintenance requests | 004, 001 | UAT: a failed case looped back to configuration |
//! | Lindenwood Family Clinic — scheduling | 001 | live + hypercare: the 21-day rollout, 8 days on the customer |
//! | Ridgeway Logistics — dispatch pilot | 000 | complete: launched in ten days, criteria met |
//!
//! Time (`time`): four weeks of hours logged by Alex and Sam on their tasks, Sam part-time at 20
//! hours a week and allocated beyond that next week (the Team page marks it).

use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use finishline_core::command::NewPerson;
use finishline_core::people::Side;
use finishline_core::{apply, Activity, Command, Ctx, Project};
use finishline_store::credentials::hash_password;
use finishline_store::{By, Store, UserRole};

mod brightwater;
mod calder;
mod harbor_pine;
mod lindenwood;
mod ridgeway;
mod script;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
mod time;

use brightwater::brightwater;
use calder::calder;
use harbor_pine::harbor_pine;
use lindenwood::lindenwood;
pub use lindenwood::LINDENWOOD_DAYS_AGO;
use ridgeway::ridgeway;
pub use script::Team;

/// How to sign in to the demo workspace.
pub struct DemoLogin {
    pub workspace_id: String,
    pub email: String,
    pub password: String,
}

pub const DEMO_EMAIL: &str = "demo@finishline.local";
pub const DEMO_PASSWORD: &str = "finishline-demo";
/// The second member; signs in with the same demo password.
pub const DEMO_MEMBER_EMAIL: &str = "sam@finishline.local";

/// Creates the demo workspace, its admin member, and at least five projects at different stages.
pub async fn seed(store: &Store, now: DateTime<Utc>) -> Result<DemoLogin> {
    let ws = store
        .create_workspace("Finishline demo", now)
        .await
        .context("creating the demo workspace")?;
    let hash =
        hash_password(DEMO_PASSWORD).map_err(|e| anyhow!("hashing the demo password: {e}"))?;
    let by = By::new("demo seed", None, now);
    let alex = store
        .create_user(
            &ws.id,
            DEMO_EMAIL,
            "Alex Morgan",
            &hash,
            UserRole::Admin,
            &by,
        )
        .await
        .context("creating the demo admin")?;
    let sam = store
        .create_user(
            &ws.id,
            DEMO_MEMBER_EMAIL,
            "Sam Rivera",
            &hash,
            UserRole::Member,
            &by,
        )
        .await
        .context("creating the demo member")?;
    let team = Team {
        alex: NewPerson {
            name: alex.name.clone(),
            email: alex.email.clone(),
            user_id: Some(alex.id.clone()),
        },
        sam: NewPerson {
            name: sam.name.clone(),
            email: sam.email.clone(),
            user_id: Some(sam.id.clone()),
        },
    };
    let prefix = ws.id.replacen("ws_", "prj_", 1);
    let stories = stories(&team, &prefix, now)?;
    let harbor = stories[0].0.id.clone();
    for (p, acts) in stories {
        store
            .insert_project(&ws.id, &p, &acts, now)
            .await
            .with_context(|| format!("storing demo project {}", p.name))?;
    }
    demo_data_map(store, &ws.id, &harbor, &alex.name, now)
        .await
        .context("adding the demo data map")?;
    time::demo_time(store, &ws.id, &alex.id, &sam.id, now)
        .await
        .context("adding the demo's time and capacity")?;
    Ok(DemoLogin {
        workspace_id: ws.id,
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
    })
}

/// Every demo project with its activity log, built by replaying its story at `now`. Pure: the
/// same team, prefix and clock give the same projects, byte for byte (the goldens hold it).
pub fn stories(
    team: &Team,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(Project, Vec<Activity>)>> {
    let scripts = [
        harbor_pine(team, prefix, now).context("seeding Harbor & Pine")?,
        calder(team, prefix, now).context("seeding Calder Field Services")?,
        brightwater(team, prefix, now).context("seeding Brightwater Property")?,
        lindenwood(team, prefix, now).context("seeding Lindenwood Family Clinic")?,
        ridgeway(team, prefix, now).context("seeding Ridgeway Logistics")?,
    ];
    Ok(scripts.into_iter().map(|s| (s.p, s.acts)).collect())
}

/// The demo's data map and a messy example file: a bad email, an unknown country (twice) and a
/// near-duplicate company, so a new user can try the data import end to end in the portal.
pub const DEMO_MAP: &str = include_str!("../../demo/policyholders.map.json");
pub const DEMO_SAMPLE: &str = include_str!("../../demo/policyholders.csv");

/// Adds the data map to Harbor & Pine after it is stored (its files need the project's row):
/// it serves the plan's data-import task, and the example file is offered for download.
async fn demo_data_map(
    store: &Store,
    ws: &str,
    project: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    // Just before today's midnight, like every other back-dated demo event.
    let at = now.date_naive().and_time(NaiveTime::MIN).and_utc() - Duration::minutes(5);
    let map = store
        .put_file(
            ws,
            project,
            "policyholders.map.json",
            "application/json",
            DEMO_MAP.as_bytes(),
            by,
            at,
        )
        .await?;
    let sample = store
        .put_file(
            ws,
            project,
            "policyholders-example.csv",
            "text/csv",
            DEMO_SAMPLE.as_bytes(),
            by,
            at,
        )
        .await?;
    let (mut p, version) = store
        .project(ws, project)
        .await?
        .ok_or_else(|| anyhow!("demo project {project} not stored"))?;
    let task = p
        .tasks
        .iter()
        .find(|t| t.step_key.as_deref() == Some("data-import"))
        .map(|t| t.id);
    let owner = p.vendor_owner().map(|o| o.id);
    let ctx = Ctx {
        actor: by.to_string(),
        person: owner,
        side: Side::Vendor,
        now: at,
    };
    let cmd = Command::AddDataMap {
        name: "Policyholder accounts".into(),
        file: map.id,
        task,
        source: None,
        sample: Some(sample.id),
    };
    let acts = apply(&mut p, cmd, &ctx).map_err(|e| anyhow!("demo data map: {e}"))?;
    store.save_project(ws, &p, version, &acts, at).await?;
    Ok(())
}
