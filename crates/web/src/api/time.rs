//! Time tracking and capacity (issue 17): `/api/v1/time` (entries, and the timesheet as CSV),
//! `/api/v1/team` (the Team page's figures), members' weekly capacity and projects'
//! allocations. Vendor-internal: members only, never the portal.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use finishline_app::time::{
    self as time_app, AllocationEdit, AllocationView, EntryChange, EntryView, NewEntry, StageLine,
};
use finishline_core::capacity::hours;
use finishline_store::{EntryFilter, TimeEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::audit::csv_cell;
use super::query::{strict_day, strict_len};
use crate::auth::Member;
use crate::error::{ApiError, Problem};
use crate::json::ApiJson;
use crate::state::AppState;

/// The longest id a filter takes (the document's `maxLength`).
const MAX_ID_PARAM: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeQuery {
    /// Only this member's entries (a user id).
    #[param(max_length = 200)]
    pub user: Option<String>,
    /// Only this project's entries.
    #[param(max_length = 200)]
    pub project: Option<String>,
    /// On or after this day (YYYY-MM-DD).
    #[param(format = Date)]
    pub from: Option<String>,
    /// On or before this day (YYYY-MM-DD); before `from`, the range selects nothing.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `json` (the default) or `csv` (the timesheet, a download recorded in the audit trail).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

fn day_of(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    strict_day(field, v)?;
    Ok(v.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()))
}

fn text_of(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Time entries, by day (members only). `format=csv` downloads them as a timesheet.
#[utoipa::path(get, path = "/api/v1/time", operation_id = "list_time", tag = "time", params(TimeQuery),
    responses((status = 200, description = "the entries; CSV with format=csv",
            content((Vec<EntryView> = "application/json"), (String = "text/csv"))),
        (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<TimeQuery>,
) -> Result<Response, ApiError> {
    let csv = super::audit::wants_csv(q.format.as_deref())?;
    strict_len("user", q.user.as_deref(), MAX_ID_PARAM)?;
    strict_len("project", q.project.as_deref(), MAX_ID_PARAM)?;
    let filter = EntryFilter {
        user_id: text_of(q.user.as_deref()),
        project_id: text_of(q.project.as_deref()),
        from: day_of("from", q.from.as_deref())?,
        to: day_of("to", q.to.as_deref())?,
    };
    let entries = time_app::entries(&state.app.store, member.workspace(), &filter).await?;
    if !csv {
        let views: Vec<EntryView> = entries.iter().map(EntryView::from).collect();
        return Ok(Json(views).into_response());
    }
    let body = timesheet_csv(&state, member.workspace(), &entries).await?;
    state
        .app
        .store
        .record_export(
            member.workspace(),
            &member.by(&state),
            serde_json::json!({"what": "timesheet", "rows": entries.len()}),
        )
        .await?;
    Ok(super::audit::csv_download("timesheet.csv", body))
}

/// The entries as a timesheet (RFC 4180), with members' and projects' names.
pub async fn timesheet_csv(
    state: &AppState,
    workspace: &str,
    entries: &[TimeEntry],
) -> Result<String, ApiError> {
    let members: HashMap<String, (String, String)> = state
        .app
        .store
        .users(workspace)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.email)))
        .collect();
    let projects: HashMap<String, (String, String)> = state
        .app
        .store
        .project_rows(workspace)
        .await?
        .into_iter()
        .map(|r| (r.id, (r.name, r.customer)))
        .collect();
    let mut out =
        String::from("day,member,email,project,customer,task,stage,hours,billable,note,entry\r\n");
    for e in entries {
        let (name, email) = members.get(&e.user_id).cloned().unwrap_or_default();
        let (project, customer) = projects.get(&e.project_id).cloned().unwrap_or_default();
        let cells = [
            e.day.to_string(),
            name,
            email,
            project,
            customer,
            e.task_id.map(|t| t.to_string()).unwrap_or_default(),
            e.stage.label().to_string(),
            format!("{:.2}", hours(i64::from(e.minutes))),
            if e.billable { "yes" } else { "no" }.to_string(),
            e.note.clone(),
            e.id.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Logs time on a project or one of its tasks. A member logs their own; an admin may name
/// another member (`user_id`).
#[utoipa::path(post, path = "/api/v1/time", operation_id = "log_time", tag = "time", request_body = NewEntry,
    responses((status = 201, body = EntryView),
        (status = 403, description = "another member's time, by a member who is not an admin", body = Problem),
        (status = 422, description = "hours, day, project or task refused, or the day would hold more than 24 hours", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewEntry>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let now = state.now();
    let entry = time_app::log(
        &state.app.store,
        member.workspace(),
        &member.0,
        body,
        now.date_naive(),
        now,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(EntryView::from(&entry))))
}

/// Changes an entry (its day, hours, billable, note): one's own, or any for an admin.
#[utoipa::path(patch, path = "/api/v1/time/{entry_id}", operation_id = "change_time", tag = "time", request_body = EntryChange,
    params(("entry_id" = String, Path, description = "the entry")),
    responses((status = 200, body = EntryView),
        (status = 403, description = "another member's entry", body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    member: Member,
    Path(entry_id): Path<String>,
    ApiJson(body): ApiJson<EntryChange>,
) -> Result<Json<EntryView>, ApiError> {
    let now = state.now();
    let entry = time_app::change(
        &state.app.store,
        member.workspace(),
        &member.0,
        &entry_id,
        body,
        now.date_naive(),
        now,
    )
    .await?;
    Ok(Json(EntryView::from(&entry)))
}

/// Removes an entry: one's own, or any for an admin.
#[utoipa::path(delete, path = "/api/v1/time/{entry_id}", operation_id = "delete_time", tag = "time",
    params(("entry_id" = String, Path, description = "the entry")),
    responses((status = 204, description = "removed"),
        (status = 403, description = "another member's entry", body = Problem),
        (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path(entry_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    time_app::remove(&state.app.store, member.workspace(), &member.0, &entry_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member's weekly capacity.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Hours a week, 0 to 168.
    #[schema(minimum = 0, maximum = 168)]
    pub hours: f64,
}

/// Sets a member's weekly capacity (admins only).
#[utoipa::path(put, path = "/api/v1/members/{user_id}/capacity", operation_id = "set_capacity", tag = "time", request_body = Capacity,
    params(("user_id" = String, Path, description = "the member")),
    responses((status = 200, body = Capacity),
        (status = 403, description = "admins only", body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_capacity(
    State(state): State<AppState>,
    member: Member,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<Capacity>,
) -> Result<Json<Capacity>, ApiError> {
    let minutes = time_app::set_capacity(
        &state.app.store,
        member.workspace(),
        &member.0,
        &user_id,
        body.hours,
        state.now(),
    )
    .await?;
    Ok(Json(Capacity {
        hours: hours(i64::from(minutes)),
    }))
}

/// A project's allocations and its hours by stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectTime {
    pub allocations: Vec<AllocationView>,
    pub stages: Vec<StageLine>,
}

async fn project_time(
    state: &AppState,
    workspace: &str,
    project: &str,
) -> Result<ProjectTime, ApiError> {
    if state
        .app
        .store
        .project_version(workspace, project)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound(format!("project {project}")));
    }
    let allocations = state
        .app
        .store
        .project_allocations(workspace, project)
        .await?;
    Ok(ProjectTime {
        allocations: allocations.iter().map(AllocationView::from).collect(),
        stages: time_app::project_hours(&state.app.store, workspace, project).await?,
    })
}

/// A project's allocations per member and week (from its plan, or edited), and its hours
/// planned against logged by stage.
#[utoipa::path(get, path = "/api/v1/projects/{id}/allocations", operation_id = "project_allocations", tag = "time",
    params(("id" = String, Path, description = "the project")),
    responses((status = 200, body = ProjectTime), (status = 404, body = Problem)))]
pub async fn allocations(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<ProjectTime>, ApiError> {
    Ok(Json(project_time(&state, member.workspace(), &id).await?))
}

/// Sets one week of a member's allocation on the project; the plan leaves that week alone
/// from then on.
#[utoipa::path(put, path = "/api/v1/projects/{id}/allocations", operation_id = "set_allocation", tag = "time", request_body = AllocationEdit,
    params(("id" = String, Path, description = "the project")),
    responses((status = 200, body = ProjectTime), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_allocation(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AllocationEdit>,
) -> Result<Json<ProjectTime>, ApiError> {
    time_app::set_allocation(&state.app.store, member.workspace(), &id, &body).await?;
    Ok(Json(project_time(&state, member.workspace(), &id).await?))
}

/// One member's week on the Team page.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamWeek {
    /// Its Monday.
    pub week: NaiveDate,
    pub capacity_hours: f64,
    pub allocated_hours: f64,
    /// For weeks begun; absent for weeks to come.
    pub logged_hours: Option<f64>,
    pub over_allocated: bool,
}

/// One member of the Team page.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberView {
    pub user_id: String,
    pub name: String,
    pub weeks: Vec<TeamWeek>,
}

/// One project of the Team page.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamProjectView {
    pub id: String,
    pub name: String,
    pub planned_hours: f64,
    pub logged_hours: f64,
    pub stages: Vec<StageLine>,
}

/// The Team page's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub this_week: NaiveDate,
    pub members: Vec<TeamMemberView>,
    /// The projects with the most hours planned in these weeks.
    pub projects: Vec<TeamProjectView>,
    pub projects_total: usize,
}

/// Per member and week, from four weeks back to eleven ahead: capacity, allocated (over
/// capacity marked) and, for weeks begun, logged; and per project with work planned in those
/// weeks, hours planned against logged by stage.
#[utoipa::path(get, path = "/api/v1/team", operation_id = "team", tag = "time",
    responses((status = 200, body = TeamView)))]
pub async fn team(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<TeamView>, ApiError> {
    let today = state.now().date_naive();
    let t = time_app::team(&state.app.store, &state.app.team, member.workspace(), today).await?;
    let h = |m: u32| hours(i64::from(m));
    Ok(Json(TeamView {
        this_week: t.this_week,
        members: t
            .members
            .iter()
            .map(|m| TeamMemberView {
                user_id: m.id.clone(),
                name: m.name.clone(),
                weeks: m
                    .weeks
                    .iter()
                    .map(|w| TeamWeek {
                        week: w.week,
                        capacity_hours: h(w.capacity),
                        allocated_hours: h(w.allocated),
                        logged_hours: w.logged.map(h),
                        over_allocated: w.over_allocated(),
                    })
                    .collect(),
            })
            .collect(),
        projects: t
            .projects
            .iter()
            .map(|p| TeamProjectView {
                id: p.id.clone(),
                name: p.name.clone(),
                planned_hours: h(p.planned),
                logged_hours: h(p.logged),
                stages: time_app::stage_lines(&p.stages),
            })
            .collect(),
        projects_total: t.projects_total,
    }))
}
