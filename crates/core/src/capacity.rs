//! Time and capacity (issue 17): the rules of logging time, the allocation a project's plan
//! implies, and the Team grid of capacity, allocation and logged time per member and week.
//!
//! Pure: the store keeps time entries and allocations as rows (they are many and belong to no
//! rule of the project), and hands them here as sums. Amounts are whole minutes; hours are what
//! people type and read.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::error::DomainError;
use crate::lifecycle::Stage;
use crate::people::Side;
use crate::plan::{Task, TaskLabel};
use crate::Project;

/// A day holds 24 hours, for one entry and for all of a member's entries together.
pub const MINUTES_PER_DAY: u32 = 24 * 60;
/// Time may be logged up to a week ahead (a trip booked, a workshop on Monday logged on Friday);
/// further ahead it is a plan, which is what allocations are for.
pub const MAX_DAYS_AHEAD: i64 = 7;
/// The weekly capacity of a member nobody set one for: a 40-hour week.
pub const DEFAULT_WEEKLY_MINUTES: u32 = 40 * 60;
/// The most a weekly capacity may be (every hour of the week).
pub const MAX_WEEKLY_MINUTES: u32 = 7 * MINUTES_PER_DAY;
/// The largest effort a playbook step may estimate.
pub const MAX_EFFORT_HOURS: f64 = 2000.0;

/// The Monday of `day`'s week: allocations and the Team grid count in weeks that start then.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Minutes as hours for people to read: `90` → `1.5`.
pub fn hours(minutes: i64) -> f64 {
    // Minutes logged in a workspace stay far below 2^52, so the conversion is exact.
    minutes as f64 / 60.0
}

/// Hours as whole minutes, refusing what cannot be an amount of time: not a number, zero or
/// less, or more than `max_hours`.
fn minutes_within(field: &str, hours: f64, max_hours: f64) -> Result<u32, DomainError> {
    if !hours.is_finite() || hours <= 0.0 {
        return Err(DomainError::invalid(
            field,
            format!("{hours} is not an amount of time: give hours above 0, such as 1.5"),
        ));
    }
    if hours > max_hours {
        return Err(DomainError::invalid(
            field,
            format!("{hours} hours is more than the {max_hours} allowed here"),
        ));
    }
    let minutes = (hours * 60.0).round();
    if minutes < 1.0 {
        return Err(DomainError::invalid(
            field,
            format!("{hours} hours is less than a minute: give at least 0.02"),
        ));
    }
    // Checked above: between 1 and max_hours * 60, well within u32.
    Ok(minutes as u32)
}

/// The minutes of one time entry: more than 0 and at most 24 hours.
pub fn entry_minutes(field: &str, hours: f64) -> Result<u32, DomainError> {
    minutes_within(field, hours, 24.0)
}

/// A step's estimated effort: above 0 and at most [`MAX_EFFORT_HOURS`].
pub fn check_effort(field: &str, hours: f64) -> Result<u32, DomainError> {
    minutes_within(field, hours, MAX_EFFORT_HOURS)
}

/// A weekly capacity or allocation: 0 up to every hour of the week.
pub fn week_minutes(field: &str, hours: f64) -> Result<u32, DomainError> {
    if hours == 0.0 {
        return Ok(0);
    }
    minutes_within(field, hours, f64::from(MAX_WEEKLY_MINUTES) / 60.0)
}

/// The day of an entry: not more than [`MAX_DAYS_AHEAD`] days after `today`.
pub fn check_entry_day(day: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if day > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(DomainError::invalid(
            "day",
            format!(
                "{day} is more than {MAX_DAYS_AHEAD} days ahead (today is {today}): log time once it is spent; planned work is an allocation"
            ),
        ));
    }
    Ok(())
}

/// A member's day in total: what is logged already plus this entry, at most 24 hours.
pub fn check_day_total(day: NaiveDate, already: u32, adding: u32) -> Result<(), DomainError> {
    let total = already.saturating_add(adding);
    if total > MINUTES_PER_DAY {
        return Err(DomainError::invalid(
            "hours",
            format!(
                "{day} would hold {} hours in all ({} already logged that day): a day holds at most 24",
                hours(i64::from(total)),
                hours(i64::from(already)),
            ),
        ));
    }
    Ok(())
}

/// The stage a task's work counts for: its phase's stage; for a task stored before tasks kept
/// it, a phase-mate's; else the project's.
pub fn task_stage(project: &Project, task: &Task) -> Stage {
    task.stage
        .or_else(|| {
            project
                .tasks
                .iter()
                .find(|t| t.phase == task.phase && t.stage.is_some())
                .and_then(|t| t.stage)
        })
        .unwrap_or_else(|| project_stage(project))
}

/// The stage time logged on the project itself counts for: the one it is in (or was in before
/// a pause).
pub fn project_stage(project: &Project) -> Stage {
    match (project.stage, project.paused_from) {
        (Stage::Paused, Some(from)) => from,
        (s, _) => s,
    }
}

/// The stage of an entry on `task` of the project (or on the project itself); an unknown task
/// is refused, naming it.
pub fn entry_stage(project: &Project, task: Option<u32>) -> Result<Stage, DomainError> {
    match task {
        None => Ok(project_stage(project)),
        Some(id) => project
            .task(id)
            .map(|t| task_stage(project, t))
            .ok_or_else(|| {
                DomainError::invalid(
                    "task_id",
                    format!(
                        "project {:?} has no task {id}: pick one of its tasks, or leave the task out to log time on the project",
                        project.name
                    ),
                )
            }),
    }
}

/// Minutes of a person's planned work in one week and stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedWork {
    /// The project person (a vendor person; the store finds their member).
    pub person: u32,
    pub week: NaiveDate,
    pub stage: Stage,
    pub minutes: u32,
}

/// The vendor work a task plans: its effort, when it has one, owner and is not the customer's.
fn planned_minutes(project: &Project, task: &Task) -> Option<(u32, u32)> {
    let owner = project.person(task.owner?)?;
    if task.label == TaskLabel::CustomerTask || owner.side != Side::Vendor {
        return None;
    }
    let minutes = check_effort("effort_hours", task.effort_hours?).ok()?;
    Some((owner.id, minutes))
}

/// When a task's work starts: when the last task it depends on is due, else the project's
/// start; never after its own due date.
pub fn work_start(project: &Project, task: &Task) -> NaiveDate {
    task.depends_on
        .iter()
        .filter_map(|d| project.task(*d))
        .map(|t| t.due)
        .max()
        .unwrap_or(project.start_date)
        .min(task.due)
}

/// `minutes` spread evenly over the working days (Monday to Friday) from `start` to `end`
/// inclusive, summed by week; a range of weekend days only puts it all in `end`'s week. The
/// parts add up to `minutes` exactly (the remainder goes to the first days).
pub fn spread_over_weeks(start: NaiveDate, end: NaiveDate, minutes: u32) -> Vec<(NaiveDate, u32)> {
    let days: Vec<NaiveDate> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let Ok(n) = u32::try_from(days.len()) else {
        return vec![(week_of(end), minutes)];
    };
    if n == 0 {
        return vec![(week_of(end), minutes)];
    }
    let (each, rest) = (minutes / n, minutes % n);
    let mut weeks: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for (i, d) in (0u32..).zip(&days) {
        *weeks.entry(week_of(*d)).or_default() += each + u32::from(i < rest);
    }
    weeks.into_iter().filter(|(_, m)| *m > 0).collect()
}

/// The allocation the project's plan implies: each vendor task's effort spread over the weeks
/// from its start ([`work_start`]) to its due date, to the person owning it, by stage. Done
/// tasks keep theirs (it was planned); tasks without an effort plan nothing.
pub fn plan_allocations(project: &Project) -> Vec<PlannedWork> {
    let mut sums: BTreeMap<(u32, NaiveDate, Stage), u32> = BTreeMap::new();
    for task in &project.tasks {
        let Some((person, minutes)) = planned_minutes(project, task) else {
            continue;
        };
        let stage = task_stage(project, task);
        for (week, m) in spread_over_weeks(work_start(project, task), task.due, minutes) {
            *sums.entry((person, week, stage)).or_default() += m;
        }
    }
    sums.into_iter()
        .map(|((person, week, stage), minutes)| PlannedWork {
            person,
            week,
            stage,
            minutes,
        })
        .collect()
}

/// A member's capacity, allocation and logged time in one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberWeek {
    pub week: NaiveDate,
    pub capacity: u32,
    pub allocated: u32,
    /// Logged time, for weeks that have begun (`None` for weeks to come).
    pub logged: Option<u32>,
}

impl MemberWeek {
    /// Allocated beyond the member's capacity.
    pub fn over_allocated(&self) -> bool {
        self.allocated > self.capacity
    }
}

/// One member's row of the Team grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub member: String,
    pub weeks: Vec<MemberWeek>,
}

impl TeamRow {
    /// The weeks to come in which the member is over-allocated.
    pub fn over_allocated_weeks(&self) -> usize {
        self.weeks.iter().filter(|w| w.over_allocated()).count()
    }
}

/// The weeks of the Team grid: `past` weeks before this one, this week, and `ahead - 1` after.
pub fn team_weeks(today: NaiveDate, past: u32, ahead: u32) -> Vec<NaiveDate> {
    let this = week_of(today);
    (-i64::from(past)..i64::from(ahead))
        .map(|i| this + Duration::weeks(i))
        .collect()
}

/// Sums keyed by member and week.
pub type MemberWeekSums = HashMap<(String, NaiveDate), u32>;

/// The Team grid: for each member (with their weekly capacity) and week, capacity, allocation
/// and, for weeks begun by `today`, time logged.
pub fn team_grid(
    members: &[(String, u32)],
    weeks: &[NaiveDate],
    today: NaiveDate,
    allocated: &MemberWeekSums,
    logged: &MemberWeekSums,
) -> Vec<TeamRow> {
    members
        .iter()
        .map(|(member, capacity)| TeamRow {
            member: member.clone(),
            weeks: weeks
                .iter()
                .map(|&week| {
                    let key = (member.clone(), week);
                    MemberWeek {
                        week,
                        capacity: *capacity,
                        allocated: allocated.get(&key).copied().unwrap_or(0),
                        logged: (week <= today).then(|| logged.get(&key).copied().unwrap_or(0)),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Planned and logged minutes of one stage of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageHours {
    pub planned: u32,
    pub logged: u32,
}

/// Hours logged against hours planned, by stage, in stage order: `planned` and `logged` are
/// (stage, minutes) sums, from allocations and time entries.
pub fn by_stage(
    planned: impl IntoIterator<Item = (Stage, u32)>,
    logged: impl IntoIterator<Item = (Stage, u32)>,
) -> Vec<(Stage, StageHours)> {
    let mut out: BTreeMap<Stage, StageHours> = BTreeMap::new();
    for (s, m) in planned {
        out.entry(s).or_default().planned += m;
    }
    for (s, m) in logged {
        out.entry(s).or_default().logged += m;
    }
    out.into_iter().collect()
}
