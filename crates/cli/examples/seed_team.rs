//! Adds a team and a year of time to a workspace made by `seed_bench`, for the Team page's
//! benchmark (issue 17): MEMBERS members with weekly capacities (every fifth part-time), each
//! project's vendor owner made one of them (so its plan's effort is allocated to a member), and
//! a year of time entries: every working day each member logs two or three entries on projects
//! they own.
//!
//! cargo run --release --example seed_team -- DATABASE_URL WORKSPACE_ID [MEMBERS]
//! Members are member{N}@vendor.test / bench-password; prints the number of entries.

use anyhow::{bail, Context, Result};
use chrono::{Datelike, Duration, Utc, Weekday};
use finishline_core::capacity::entry_stage;
use finishline_store::{credentials, By, EntryValues, Store, UserRole};

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(ws)) = (args.get(1), args.get(2)) else {
        bail!("usage: seed_team DATABASE_URL WORKSPACE_ID [MEMBERS]");
    };
    let members: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(40);
    let store = Store::open(url).await.context("opening the database")?;
    let now = Utc::now();
    let hash = credentials::hash_password("bench-password").map_err(anyhow::Error::msg)?;
    let by = By::new("bench seed", None, now);
    let mut ids = Vec::new();
    for m in 0..members {
        let user = store
            .create_user(
                ws,
                &format!("member{m}@vendor.test"),
                &format!("Member {m:02}"),
                &hash,
                UserRole::Member,
                &by,
            )
            .await?;
        let weekly = if m % 5 == 4 { 20 * 60 } else { 40 * 60 };
        store.set_member_capacity(ws, &user.id, weekly, now).await?;
        ids.push(user.id);
    }
    // Each project's vendor owner becomes a member; the save rewrites its allocations.
    let projects = store.projects(ws).await?;
    let mut owned: Vec<Vec<(String, Option<u32>, finishline_core::lifecycle::Stage)>> =
        vec![Vec::new(); members];
    for (i, (mut p, version)) in projects.into_iter().enumerate() {
        let m = i % members;
        if let Some(owner) = p.vendor_owner().map(|o| o.id) {
            if let Some(person) = p.people.iter_mut().find(|x| x.id == owner) {
                person.user_id = Some(ids[m].clone());
            }
        }
        store.save_project(ws, &p, version, &[], now).await?;
        let task = p
            .tasks
            .iter()
            .find(|t| t.effort_hours.is_some() && t.is_open())
            .map(|t| t.id);
        let stage = entry_stage(&p, task).map_err(anyhow::Error::msg)?;
        owned[m].push((p.id.clone(), task, stage));
    }
    // A year of working days, two or three entries a day per member.
    let mut entries = 0usize;
    let mut day = now.date_naive() - Duration::days(365);
    let mut n = 0usize;
    while day < now.date_naive() {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for (m, user) in ids.iter().enumerate() {
                let mine = &owned[m];
                if mine.is_empty() {
                    continue;
                }
                for k in 0..(2 + n % 2) {
                    let (project, task, stage) = &mine[(n + k * 7) % mine.len()];
                    let values = EntryValues {
                        user_id: user.clone(),
                        project_id: project.clone(),
                        task_id: *task,
                        stage: *stage,
                        day,
                        minutes: 90 + 30 * ((n + k + m) % 4) as u32,
                        billable: k != 2,
                        note: format!("work on {project}"),
                    };
                    if store.insert_time_entry(ws, &values, now).await?.is_ok() {
                        entries += 1;
                    }
                }
                n += 1;
            }
        }
        day += Duration::days(1);
    }
    println!("{entries}");
    Ok(())
}
