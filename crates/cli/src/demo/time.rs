//! The demo's time and capacity: Sam works 20 hours a week and has the Calder integrations
//! push allocated next week on top of the plan (over-allocated on the Team page); both members
//! logged their last four working weeks on the tasks they own (hours by stage in the analytics).

use anyhow::{anyhow, Result};
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use finishline_core::capacity::week_of;
use finishline_core::people::Side;
use finishline_core::plan::TaskLabel;
use finishline_store::{EntryValues, Store};

/// Sam's weekly hours: part-time.
const SAM_WEEKLY_MINUTES: u32 = 20 * 60;
/// The integrations push allocated to Sam on Calder next week, on top of the plan.
const SAM_PUSH_MINUTES: u32 = 24 * 60;

pub(super) async fn demo_time(
    store: &Store,
    ws: &str,
    alex: &str,
    sam: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    store
        .set_member_capacity(ws, sam, SAM_WEEKLY_MINUTES, now)
        .await?;
    let projects = store.projects(ws).await?;
    let calder = projects
        .iter()
        .find(|(p, _)| p.id.ends_with("_calder"))
        .map(|(p, _)| p.id.clone())
        .ok_or_else(|| anyhow!("the demo has no Calder project"))?;
    let next_week = week_of(now.date_naive()) + Duration::weeks(1);
    store
        .set_allocation(ws, &calder, sam, next_week, SAM_PUSH_MINUTES)
        .await?;
    // The tasks each member owns on each project, vendor work first.
    let mut work: Vec<(
        &str,
        String,
        Option<u32>,
        String,
        finishline_core::lifecycle::Stage,
    )> = Vec::new();
    for (p, _) in &projects {
        for (user, who) in [(alex, "Alex"), (sam, "Sam")] {
            let person = p
                .people
                .iter()
                .find(|x| x.side == Side::Vendor && x.user_id.as_deref() == Some(user));
            let Some(person) = person else { continue };
            // The work in hand: an open task of theirs, else the last one they finished.
            let theirs = |t: &&finishline_core::plan::Task| {
                t.owner == Some(person.id)
                    && t.label != TaskLabel::CustomerTask
                    && t.effort_hours.is_some()
            };
            let task = p
                .tasks
                .iter()
                .filter(theirs)
                .find(|t| t.is_open())
                .or_else(|| p.tasks.iter().rfind(theirs));
            let (task_id, note) = match task {
                Some(t) => (Some(t.id), format!("{who}: {}", t.title)),
                None => (None, format!("{who}: project check-in with the team")),
            };
            let stage = finishline_core::capacity::entry_stage(p, task_id)
                .map_err(|e| anyhow!("demo time: {e}"))?;
            work.push((user, p.id.clone(), task_id, note, stage));
        }
    }
    // The last twenty working days, a few hours on each piece of work in turn.
    let mut day = now.date_naive() - Duration::days(1);
    let mut logged_days = 0;
    let mut turn = 0usize;
    while logged_days < 20 {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for user in [alex, sam] {
                let mine: Vec<_> = work.iter().filter(|w| w.0 == user).collect();
                for k in 0..2 {
                    let Some(w) = mine.get((turn + k) % mine.len().max(1)) else {
                        continue;
                    };
                    let values = EntryValues {
                        user_id: user.to_string(),
                        project_id: w.1.clone(),
                        task_id: w.2,
                        stage: w.4,
                        day,
                        minutes: if user == alex { 180 } else { 120 },
                        billable: k == 0,
                        note: w.3.clone(),
                    };
                    store
                        .insert_time_entry(ws, &values, now)
                        .await?
                        .map_err(|e| anyhow!("demo time refused: {e:?}"))?;
                }
            }
            logged_days += 1;
            turn += 1;
        }
        day -= Duration::days(1);
    }
    Ok(())
}
