//! Time tracking and capacity (issue 17): logging time by the rules of `core::capacity`, the
//! weekly capacities and allocations, and the Team page's figures.
//!
//! Time is vendor-internal: nothing here is reachable from the portal. A member logs, changes
//! and removes their own entries; an admin anyone's. Allocations from the plan are written by
//! the store with every save of a project; here a person edits a week of one.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate};
use finishline_core::capacity::{
    self, by_stage, check_day_total, check_entry_day, entry_minutes, entry_stage, team_grid,
    team_weeks, week_minutes, week_of, MemberWeek, MemberWeekSums, StageHours,
};
use finishline_core::lifecycle::Stage;
use finishline_store::{
    Allocation, EntryFilter, EntryRefused, EntryValues, Store, TimeEntry, TimeRevision, User,
    UserRole,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

/// The longest note on an entry.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The most entries one read answers (a year of a 40-person team is about 30,000).
pub const MAX_ENTRIES: u32 = 100_000;
/// Weeks before this one the Team page shows logged against allocated.
pub const TEAM_PAST_WEEKS: u32 = 4;
/// Weeks from this one the Team page shows allocated against capacity.
pub const TEAM_WEEKS_AHEAD: u32 = 12;
/// Projects listed on the Team page (those with the most planned hours in its weeks).
pub const TEAM_PROJECTS: usize = 50;

/// Time to log: on a task of a project, or on the project itself.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// Whose time it is: the caller when absent; an admin may log for another member.
    #[serde(default)]
    pub user_id: Option<String>,
    pub project_id: String,
    /// A task of the project; absent for time on the project as a whole.
    #[serde(default)]
    pub task_id: Option<u32>,
    /// The day the time was spent, at most a week ahead.
    pub day: NaiveDate,
    /// More than 0, at most 24; a member's day holds at most 24 in all.
    #[schema(exclusive_minimum = 0, maximum = 24)]
    pub hours: f64,
    /// Whether the customer is billed for it (default yes).
    #[serde(default = "yes")]
    pub billable: bool,
    #[serde(default)]
    pub note: String,
}

fn yes() -> bool {
    true
}

/// Changes to an entry; what is absent stays.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryChange {
    #[serde(default)]
    pub day: Option<NaiveDate>,
    /// More than 0, at most 24.
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 24)]
    pub hours: Option<f64>,
    #[serde(default)]
    pub billable: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An entry as answered: its hours beside the stored minutes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub user_id: String,
    pub project_id: String,
    pub task_id: Option<u32>,
    #[schema(value_type = String)]
    pub stage: Stage,
    pub day: NaiveDate,
    pub hours: f64,
    pub minutes: u32,
    pub billable: bool,
    pub note: String,
}

impl From<&TimeEntry> for EntryView {
    fn from(e: &TimeEntry) -> Self {
        EntryView {
            id: e.id.clone(),
            user_id: e.user_id.clone(),
            project_id: e.project_id.clone(),
            task_id: e.task_id,
            stage: e.stage,
            day: e.day,
            hours: capacity::hours(i64::from(e.minutes)),
            minutes: e.minutes,
            billable: e.billable,
            note: e.note.clone(),
        }
    }
}

fn check_note(note: &str) -> Result<String, AppError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::invalid(
            "note",
            format!(
                "{} characters is too long: at most {MAX_NOTE_CHARS}",
                note.chars().count()
            ),
        ));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(AppError::invalid("note", "remove the control characters"));
    }
    Ok(note.to_string())
}

fn day_full(day: NaiveDate, already: u32, adding: u32) -> AppError {
    match check_day_total(day, already, adding) {
        Err(e) => e.into(),
        Ok(()) => AppError::Internal("a day's total refused below 24 hours".into()),
    }
}

/// Whose entry it may be: the caller's, or anyone's of the workspace for an admin.
async fn check_member(
    store: &Store,
    workspace: &str,
    actor: &User,
    user_id: &str,
) -> Result<(), AppError> {
    if user_id == actor.id {
        return Ok(());
    }
    if actor.role != UserRole::Admin {
        return Err(AppError::Forbidden(
            "a member logs and changes their own time only; an admin may for others".into(),
        ));
    }
    if !store
        .users(workspace)
        .await?
        .iter()
        .any(|u| u.id == user_id)
    {
        return Err(AppError::invalid(
            "user_id",
            format!("no member {user_id:?} in this workspace"),
        ));
    }
    Ok(())
}

/// Logs time, checked: the hours, the day, the project and task, the member's day in total.
pub async fn log(
    store: &Store,
    workspace: &str,
    actor: &User,
    e: NewEntry,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<TimeEntry, AppError> {
    let user_id = e.user_id.clone().unwrap_or_else(|| actor.id.clone());
    check_member(store, workspace, actor, &user_id).await?;
    let minutes = entry_minutes("hours", e.hours)?;
    check_entry_day(e.day, today)?;
    let note = check_note(&e.note)?;
    let (project, _) = store
        .project(workspace, &e.project_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "project_id",
                format!("no project {:?} in this workspace", e.project_id),
            )
        })?;
    let stage = entry_stage(&project, e.task_id)?;
    let values = EntryValues {
        user_id,
        project_id: project.id.clone(),
        task_id: e.task_id,
        stage,
        day: e.day,
        minutes,
        billable: e.billable,
        note,
    };
    match store.insert_time_entry(workspace, &values, now).await? {
        Ok(entry) => Ok(entry),
        Err(EntryRefused::DayFull { day, already }) => Err(day_full(day, already, minutes)),
        Err(EntryRefused::NotFound) => Err(AppError::Internal("an insert found nothing".into())),
    }
}

/// The entry `id` if the caller may change it.
async fn own_entry(
    store: &Store,
    workspace: &str,
    actor: &User,
    id: &str,
) -> Result<TimeEntry, AppError> {
    let entry = store
        .time_entry(workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("time entry {id}")))?;
    check_member(store, workspace, actor, &entry.user_id).await?;
    Ok(entry)
}

/// Changes an entry by the same rules as logging it.
pub async fn change(
    store: &Store,
    workspace: &str,
    actor: &User,
    id: &str,
    c: EntryChange,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<TimeEntry, AppError> {
    let entry = own_entry(store, workspace, actor, id).await?;
    let minutes = match c.hours {
        Some(h) => entry_minutes("hours", h)?,
        None => entry.minutes,
    };
    let day = c.day.unwrap_or(entry.day);
    if c.day.is_some() {
        check_entry_day(day, today)?;
    }
    let note = match &c.note {
        Some(n) => check_note(n)?,
        None => entry.note.clone(),
    };
    let values = EntryValues {
        user_id: entry.user_id.clone(),
        project_id: entry.project_id.clone(),
        task_id: entry.task_id,
        stage: entry.stage,
        day,
        minutes,
        billable: c.billable.unwrap_or(entry.billable),
        note,
    };
    match store.update_time_entry(workspace, id, &values, now).await? {
        Ok(e) => Ok(e),
        Err(EntryRefused::DayFull { day, already }) => Err(day_full(day, already, minutes)),
        Err(EntryRefused::NotFound) => Err(AppError::not_found(format!("time entry {id}"))),
    }
}

/// Removes an entry.
pub async fn remove(
    store: &Store,
    workspace: &str,
    actor: &User,
    id: &str,
) -> Result<(), AppError> {
    own_entry(store, workspace, actor, id).await?;
    if store.delete_time_entry(workspace, id).await? {
        Ok(())
    } else {
        Err(AppError::not_found(format!("time entry {id}")))
    }
}

/// Entries by filter (a range that ends before it starts selects nothing).
pub async fn entries(
    store: &Store,
    workspace: &str,
    filter: &EntryFilter,
) -> Result<Vec<TimeEntry>, AppError> {
    Ok(store.time_entries(workspace, filter, MAX_ENTRIES).await?)
}

/// Sets a member's weekly capacity (admins only).
pub async fn set_capacity(
    store: &Store,
    workspace: &str,
    actor: &User,
    user_id: &str,
    hours: f64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u32, AppError> {
    if actor.role != UserRole::Admin {
        return Err(AppError::Forbidden(
            "only an admin sets members' capacity".into(),
        ));
    }
    let minutes = week_minutes("capacity_hours", hours)?;
    if !store
        .set_member_capacity(workspace, user_id, minutes, now)
        .await?
    {
        return Err(AppError::not_found(format!("member {user_id}")));
    }
    Ok(minutes)
}

/// An allocation to set by hand.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationEdit {
    pub user_id: String,
    /// Any day of the week; the week starting that Monday is set.
    pub week: NaiveDate,
    /// 0 up to 168; the plan no longer changes this week of this member on this project.
    #[schema(minimum = 0, maximum = 168)]
    pub hours: f64,
}

/// Sets one week of a member's allocation on a project.
pub async fn set_allocation(
    store: &Store,
    workspace: &str,
    project_id: &str,
    edit: &AllocationEdit,
) -> Result<(), AppError> {
    let minutes = week_minutes("hours", edit.hours)?;
    if store
        .project_version(workspace, project_id)
        .await?
        .is_none()
    {
        return Err(AppError::not_found(format!("project {project_id}")));
    }
    if !store
        .users(workspace)
        .await?
        .iter()
        .any(|u| u.id == edit.user_id)
    {
        return Err(AppError::invalid(
            "user_id",
            format!("no member {:?} in this workspace", edit.user_id),
        ));
    }
    store
        .set_allocation(
            workspace,
            project_id,
            &edit.user_id,
            week_of(edit.week),
            minutes,
        )
        .await?;
    Ok(())
}

/// A project's allocations as answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocationView {
    pub user_id: String,
    pub week: NaiveDate,
    pub hours: f64,
    /// `playbook` (from the plan) or `edited`.
    pub source: String,
}

impl From<&Allocation> for AllocationView {
    fn from(a: &Allocation) -> Self {
        AllocationView {
            user_id: a.user_id.clone(),
            week: a.week,
            hours: capacity::hours(i64::from(a.minutes)),
            source: a.source.clone(),
        }
    }
}

/// Hours planned and logged for one stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageLine {
    #[schema(value_type = String)]
    pub stage: Stage,
    pub planned_hours: f64,
    pub logged_hours: f64,
}

/// Stage sums in hours.
pub fn stage_lines(rows: &[(Stage, StageHours)]) -> Vec<StageLine> {
    rows.iter()
        .map(|(stage, h)| StageLine {
            stage: *stage,
            planned_hours: capacity::hours(i64::from(h.planned)),
            logged_hours: capacity::hours(i64::from(h.logged)),
        })
        .collect()
}

/// One project's hours, planned against logged, by stage.
pub async fn project_hours(
    store: &Store,
    workspace: &str,
    project_id: &str,
) -> Result<Vec<StageLine>, AppError> {
    let planned = store
        .planned_by_stage(workspace, Some(project_id), None)
        .await?;
    let logged = store.logged_by_stage(workspace, Some(project_id)).await?;
    Ok(stage_lines(&by_stage(
        planned.into_iter().map(|(_, s, m)| (s, m)),
        logged.into_iter().map(|(_, s, m)| (s, m)),
    )))
}

/// Hours planned against logged by stage, summed over the projects that match an analytics
/// filter (`None`: every project with time planned or logged).
pub async fn hours_by_stage(
    store: &Store,
    analytics: &crate::analytics::AnalyticsCache,
    workspace: &str,
    filter: &finishline_core::analytics::Filter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<StageLine>, AppError> {
    let revision = store.projects_revision(workspace).await?.unwrap_or(0);
    let facts = analytics.facts(store, workspace, revision, now).await?;
    let matching: std::collections::HashSet<&str> = facts
        .iter()
        .filter(|(_, (_, f))| filter.matches(f))
        .map(|(id, _)| id.as_str())
        .collect();
    let keep = |rows: Vec<(String, Stage, u32)>| -> Vec<(Stage, u32)> {
        rows.into_iter()
            .filter(|(p, _, _)| matching.contains(p.as_str()))
            .map(|(_, s, m)| (s, m))
            .collect()
    };
    let planned = keep(store.planned_by_stage(workspace, None, None).await?);
    let logged = keep(store.logged_by_stage(workspace, None).await?);
    Ok(stage_lines(&by_stage(planned, logged)))
}

/// One project of the Team page.
#[derive(Debug, Clone)]
pub struct TeamProject {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub planned: u32,
    pub logged: u32,
    pub stages: Vec<(Stage, StageHours)>,
}

/// One member of the Team page.
#[derive(Debug, Clone)]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub capacity: u32,
    pub weeks: Vec<MemberWeek>,
}

impl TeamMember {
    pub fn over_allocated_weeks(&self) -> usize {
        self.weeks.iter().filter(|w| w.over_allocated()).count()
    }
}

/// The Team page: members by week, and the projects with work planned in its weeks.
#[derive(Debug)]
pub struct Team {
    pub today: NaiveDate,
    pub this_week: NaiveDate,
    pub weeks: Vec<NaiveDate>,
    pub members: Vec<TeamMember>,
    pub projects: Vec<TeamProject>,
    /// How many projects have work planned in the weeks shown (the list shows the first
    /// [`TEAM_PROJECTS`]).
    pub projects_total: usize,
    /// What a caller renders from the figures alone (the page's grid and projects), made once
    /// and kept with them: they never change, so neither does the rendering.
    pub rendered: std::sync::OnceLock<Arc<str>>,
}

/// The sums the Team page is drawn from, kept per workspace while its revisions and the day
/// stay the same.
#[derive(Debug)]
struct TeamSums {
    allocated: MemberWeekSums,
    logged: MemberWeekSums,
    capacities: HashMap<String, u32>,
    projects: Vec<TeamProject>,
    projects_total: usize,
    /// The page's figures for the members as they were, made from these sums.
    team: Mutex<Option<KeptTeam>>,
}

/// The Team page's figures, with the members (id and name each) they were made for.
type KeptTeam = (Vec<(String, String)>, Arc<Team>);

type TeamKey = (TimeRevision, NaiveDate);

/// What the Team page computed, per workspace, by revision and day.
#[derive(Default)]
pub struct TeamCache {
    kept: Mutex<HashMap<String, (TeamKey, Arc<TeamSums>)>>,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl TeamCache {
    fn kept(&self, workspace: &str, key: &TeamKey) -> Option<Arc<TeamSums>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(workspace)
            .filter(|(k, _)| k == key)
            .map(|(_, s)| s.clone())
    }

    async fn sums(
        &self,
        store: &Store,
        workspace: &str,
        weeks: &[NaiveDate],
        today: NaiveDate,
    ) -> Result<Arc<TeamSums>, AppError> {
        let revision = store
            .time_revision(workspace)
            .await?
            .ok_or_else(|| AppError::not_found(format!("workspace {workspace}")))?;
        let key = (revision, today);
        if let Some(s) = self.kept(workspace, &key) {
            return Ok(s);
        }
        // One request per workspace computes; the others wait for it and take its result.
        let flight = {
            let mut f = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            f.entry(workspace.to_string()).or_default().clone()
        };
        let _turn = flight.lock().await;
        if let Some(s) = self.kept(workspace, &key) {
            return Ok(s);
        }
        let sums = Arc::new(compute_sums(store, workspace, weeks).await?);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.insert(workspace.to_string(), (key, sums.clone()));
        Ok(sums)
    }
}

async fn compute_sums(
    store: &Store,
    workspace: &str,
    weeks: &[NaiveDate],
) -> Result<TeamSums, AppError> {
    let (Some(&first), Some(&last)) = (weeks.first(), weeks.last()) else {
        return Err(AppError::Internal("the Team page has no weeks".into()));
    };
    let mut allocated = MemberWeekSums::new();
    for (user, week, m) in store
        .allocated_by_member_week(workspace, first, last)
        .await?
    {
        *allocated.entry((user, week)).or_default() += m;
    }
    let mut logged = MemberWeekSums::new();
    let until = last + Duration::days(6);
    for (user, day, m) in store.logged_by_member_day(workspace, first, until).await? {
        *logged.entry((user, week_of(day))).or_default() += m;
    }
    let capacities = store.member_capacities(workspace).await?;
    let planned = store
        .planned_by_stage(workspace, None, Some((first, last)))
        .await?;
    // Per project: (planned, logged) minutes by stage.
    type StageSums = Vec<(Stage, u32)>;
    let mut per_project: BTreeMap<String, (StageSums, StageSums)> = BTreeMap::new();
    for (p, s, m) in planned {
        per_project.entry(p).or_default().0.push((s, m));
    }
    let projects_total = per_project.len();
    for (p, s, m) in store.logged_by_stage(workspace, None).await? {
        if let Some(entry) = per_project.get_mut(&p) {
            entry.1.push((s, m));
        }
    }
    let rows: HashMap<String, finishline_store::ProjectRow> = store
        .project_rows(workspace)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut projects: Vec<TeamProject> = per_project
        .into_iter()
        .map(|(id, (planned, logged))| {
            let stages = by_stage(planned, logged);
            let row = rows.get(&id);
            TeamProject {
                name: row.map(|r| r.name.clone()).unwrap_or_else(|| id.clone()),
                customer: row.map(|r| r.customer.clone()).unwrap_or_default(),
                planned: stages.iter().map(|(_, h)| h.planned).sum(),
                logged: stages.iter().map(|(_, h)| h.logged).sum(),
                id,
                stages,
            }
        })
        .collect();
    projects.sort_by(|a, b| b.planned.cmp(&a.planned).then_with(|| a.name.cmp(&b.name)));
    projects.truncate(TEAM_PROJECTS);
    Ok(TeamSums {
        allocated,
        logged,
        capacities,
        projects,
        projects_total,
        team: Mutex::new(None),
    })
}

/// The Team page's figures for `today`: members by week (capacity, allocated, over-allocation,
/// logged for weeks begun) and the projects with work planned in those weeks. Kept with the sums
/// they come from while the members stay the same.
pub async fn team(
    store: &Store,
    cache: &TeamCache,
    workspace: &str,
    today: NaiveDate,
) -> Result<Arc<Team>, AppError> {
    let weeks = team_weeks(today, TEAM_PAST_WEEKS, TEAM_WEEKS_AHEAD);
    let sums = cache.sums(store, workspace, &weeks, today).await?;
    let mut users = store.users(workspace).await?;
    users.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    let who: Vec<(String, String)> = users
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let mut kept = sums.team.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, team)) = kept.as_ref() {
        if *k == who {
            return Ok(team.clone());
        }
    }
    let members: Vec<(String, u32)> = users
        .iter()
        .map(|u| {
            let c = sums
                .capacities
                .get(&u.id)
                .copied()
                .unwrap_or(capacity::DEFAULT_WEEKLY_MINUTES);
            (u.id.clone(), c)
        })
        .collect();
    let grid = team_grid(&members, &weeks, today, &sums.allocated, &sums.logged);
    let members = users
        .iter()
        .zip(grid)
        .zip(&members)
        .map(|((u, row), (_, capacity))| TeamMember {
            id: u.id.clone(),
            name: u.name.clone(),
            capacity: *capacity,
            weeks: row.weeks,
        })
        .collect();
    let team = Arc::new(Team {
        today,
        this_week: week_of(today),
        weeks,
        members,
        projects: sums.projects.clone(),
        projects_total: sums.projects_total,
        rendered: std::sync::OnceLock::new(),
    });
    *kept = Some((who, team.clone()));
    Ok(team)
}
