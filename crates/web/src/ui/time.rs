//! Time tracking in the browser (issue 17): the weekly timesheet (`/time`), the Team page
//! (`/team`) and the "Log time" form of a task's page. Members only; nothing of it is in the
//! portal.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use finishline_app::error::AppError;
use finishline_app::time::{self as time_app, EntryChange, NewEntry, Team};
use finishline_core::capacity::{hours, week_of};
use finishline_store::{EntryFilter, TimeEntry};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::state::AppState;
use crate::ui::actions::see_other;
use crate::ui::form::{html as html_response, page_status, FormData, FormState};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::session::Vendor;

/// Hours as people write them: `1.5`, `8`, `0.25`.
pub fn fmt_hours(minutes: u32) -> String {
    let h = hours(i64::from(minutes));
    let s = format!("{h:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number of hours typed in a form, or the reason it is not one.
fn parse_hours(v: &str) -> Result<f64, String> {
    v.trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| format!("{v:?} is not a number of hours: write it like 1.5"))
}

fn parse_day(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
}

fn refusal_text(e: AppError) -> String {
    match e {
        AppError::Domain(finishline_core::DomainError::Invalid { field, message })
        | AppError::Invalid { field, message }
        | AppError::BadInput { field, message } => format!("{field}: {message}"),
        other => other.to_string(),
    }
}

#[derive(Debug, Deserialize)]
pub struct WeekQuery {
    pub week: Option<String>,
}

/// One row of the timesheet: a project, or one of its tasks.
type RowKey = (String, Option<u32>);

struct Sheet {
    days: Vec<NaiveDate>,
    entries: Vec<TimeEntry>,
    rows: BTreeMap<RowKey, String>,
    /// Projects offered for a new row: the member's allocated or recent ones.
    projects: Vec<(String, String)>,
}

impl Sheet {
    fn cell(&self, row: &RowKey, day: NaiveDate) -> Vec<&TimeEntry> {
        self.entries
            .iter()
            .filter(|e| e.project_id == row.0 && e.task_id == row.1 && e.day == day)
            .collect()
    }
}

fn cell_name(row: &RowKey, day: NaiveDate) -> String {
    format!(
        "h:{}:{}:{day}",
        row.0,
        row.1.map(|t| t.to_string()).unwrap_or_default()
    )
}

async fn load_sheet(state: &AppState, v: &Vendor, week: NaiveDate) -> Result<Sheet, AppError> {
    let store = &state.app.store;
    let ws = v.workspace();
    let days: Vec<NaiveDate> = (0..7).map(|i| week + Duration::days(i)).collect();
    let filter = EntryFilter {
        user_id: Some(v.user.id.clone()),
        project_id: None,
        from: Some(week),
        to: Some(week + Duration::days(6)),
    };
    let entries = time_app::entries(store, ws, &filter).await?;
    let recent = EntryFilter {
        from: Some(week - Duration::weeks(4)),
        ..filter.clone()
    };
    let mut offered: BTreeSet<String> = time_app::entries(store, ws, &recent)
        .await?
        .into_iter()
        .map(|e| e.project_id)
        .collect();
    for a in store
        .member_allocations(
            ws,
            &v.user.id,
            week - Duration::weeks(4),
            week + Duration::weeks(4),
        )
        .await?
    {
        offered.insert(a);
    }
    let names: HashMap<String, String> = store
        .project_rows(ws)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut rows = BTreeMap::new();
    let mut titles: HashMap<String, finishline_core::Project> = HashMap::new();
    for e in &entries {
        if !titles.contains_key(&e.project_id) {
            if let Some((p, _)) = store.project(ws, &e.project_id).await? {
                titles.insert(e.project_id.clone(), p);
            }
        }
        let project = names.get(&e.project_id).cloned().unwrap_or_default();
        let label = match (e.task_id, titles.get(&e.project_id)) {
            (Some(t), Some(p)) => format!(
                "{project}: #{t} {}",
                p.task(t).map(|t| t.title.as_str()).unwrap_or("")
            ),
            (Some(t), None) => format!("{project}: #{t}"),
            (None, _) => format!("{project} (the project)"),
        };
        rows.insert((e.project_id.clone(), e.task_id), label);
    }
    let mut projects: Vec<(String, String)> = offered
        .into_iter()
        .filter_map(|id| names.get(&id).map(|n| (id, n.clone())))
        .collect();
    projects.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Sheet {
        days,
        entries,
        rows,
        projects,
    })
}

fn week_param(q: &WeekQuery, today: NaiveDate) -> NaiveDate {
    week_of(q.week.as_deref().and_then(parse_day).unwrap_or(today))
}

/// `GET /time`: the member's week of time, a row per project or task and a column per day.
pub async fn sheet_page(
    State(state): State<AppState>,
    v: Vendor,
    Query(q): Query<WeekQuery>,
) -> Response {
    let week = week_param(&q, state.now().date_naive());
    render_sheet(&state, &v, week, FormState::default()).await
}

async fn render_sheet(state: &AppState, v: &Vendor, week: NaiveDate, st: FormState) -> Response {
    let sheet = match load_sheet(state, v, week).await {
        Ok(s) => s,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let f = Fields::new(Some(&st), "timesheet");
    let total = |day: NaiveDate| -> u32 {
        sheet
            .entries
            .iter()
            .filter(|e| e.day == day)
            .map(|e| e.minutes)
            .sum()
    };
    let body = html! {
        h1 { "Timesheet" }
        p { "Your hours this week, per project or task and day. Change a number and save; clear it to remove the time. Time logged is for your team only: customers never see it." }
        nav class="weeks" aria-label="Weeks" {
            a href=(format!("/time?week={}", week - Duration::weeks(1))) { "← Previous week" }
            " "
            strong { "Week of " (week.format("%a %-d %b %Y")) }
            " "
            a href=(format!("/time?week={}", week + Duration::weeks(1))) { "Next week →" }
            " · "
            a href=(format!("/api/v1/time?format=csv&user={}&from={}&to={}", v.user.id, week, week + Duration::days(6))) { "Download this week (CSV)" }
        }
        form method="post" action="/time" class="sheet" {
            (f.hidden(&v.csrf))
            input type="hidden" name="week" value=(week);
            (f.message())
            @if !st.errors.is_empty() {
                ul class="errors" role="alert" {
                    @for (field, m) in &st.errors { li { (field) ": " (m) } }
                }
            }
            div class="table-wrap" {
                table class="sheet" {
                    caption class="sr-only" { "Hours per row and day" }
                    thead { tr {
                        th scope="col" { "Project or task" }
                        @for d in &sheet.days { th scope="col" { (d.format("%a %-d")) } }
                    } }
                    tbody {
                        @for (row, label) in &sheet.rows {
                            tr {
                                th scope="row" {
                                    @if let Some(t) = row.1 {
                                        a href=(format!("/projects/{}/tasks/{t}", row.0)) { (label) }
                                    } @else {
                                        a href=(format!("/projects/{}", row.0)) { (label) }
                                    }
                                }
                                @for d in &sheet.days {
                                    @let cell = sheet.cell(row, *d);
                                    @let label_text = format!("{label}, {}", d.format("%a %-d %b"));
                                    td data-label=(d.format("%a %-d")) {
                                        @if cell.len() > 1 {
                                            span { (fmt_hours(cell.iter().map(|e| e.minutes).sum())) }
                                            span class="small muted" { " (" (cell.len()) " entries, below)" }
                                        } @else {
                                            @let current = cell.first().map(|e| fmt_hours(e.minutes)).unwrap_or_default();
                                            input type="text" inputmode="decimal" size="4" name=(cell_name(row, *d))
                                                value=(current) aria-label=(label_text);
                                        }
                                    }
                                }
                            }
                        }
                        tr class="new" {
                            th scope="row" {
                                label for="new-project" { "Add a row: project" }
                                select id="new-project" name="new_project" {
                                    option value="" { "choose a project" }
                                    @for (id, name) in &sheet.projects { option value=(id) { (name) } }
                                }
                                label for="new-task" { "Task number (optional)" }
                                input id="new-task" type="text" inputmode="numeric" size="5" name="new_task";
                            }
                            @for d in &sheet.days {
                                td data-label=(d.format("%a %-d")) {
                                    input type="text" inputmode="decimal" size="4" name=(format!("new:{d}"))
                                        aria-label=(format!("New row, {}", d.format("%a %-d %b")));
                                }
                            }
                        }
                        tr class="total" {
                            th scope="row" { "Total" }
                            @for d in &sheet.days { td data-label=(d.format("%a %-d")) { (fmt_hours(total(*d))) } }
                        }
                    }
                }
            }
            div class="field check" {
                input type="checkbox" id="new-billable" name="new_billable" value="on" checked;
                label for="new-billable" { "New time is billable" }
            }
            button type="submit" { "Save the week" }
        }
        @if sheet.projects.is_empty() && sheet.rows.is_empty() {
            p class="muted" { "No project is allocated to you around this week. Log time on any task from its page (“Log time”)." }
        }
        @if !sheet.entries.is_empty() {
            h2 { "Entries this week" }
            ul class="entries" {
                @for e in &sheet.entries {
                    li {
                        (e.day) " · " (fmt_hours(e.minutes)) " h"
                        (if e.billable { " billable" } else { " not billable" })
                        " · " (sheet.rows.get(&(e.project_id.clone(), e.task_id)).map(String::as_str).unwrap_or(""))
                        @if !e.note.is_empty() { " — " (e.note) }
                        " "
                        form method="post" action=(format!("/time/{}/delete", e.id)) class="inline" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input type="hidden" name="week" value=(week);
                            button type="submit" class="link" aria-label=(format!("Remove {} h on {}", fmt_hours(e.minutes), e.day)) { "Remove" }
                        }
                    }
                }
            }
        }
    };
    html_response(
        page_status(&st),
        layout::page("Timesheet", Nav::Time, &v.user.name, &v.csrf, body),
    )
}

/// What one cell of the sheet asks for.
struct CellEdit {
    project: String,
    task: Option<u32>,
    day: NaiveDate,
    hours: f64,
    label: String,
}

/// The cells that changed, or the errors of those that do not parse.
fn edits_of(form: &FormData, sheet: &Sheet, st: &mut FormState) -> Vec<CellEdit> {
    let mut out = Vec::new();
    for (row, label) in &sheet.rows {
        for d in &sheet.days {
            let cell = sheet.cell(row, *d);
            if cell.len() > 1 {
                continue;
            }
            let name = cell_name(row, *d);
            // A cell the form did not send is left as it is (a blank one sent clears it).
            if !form.fields.iter().any(|(k, _)| *k == name) {
                continue;
            }
            let typed = form.get(&name);
            let now = cell.first().map_or(0, |e| e.minutes);
            let hours = if typed.is_empty() {
                0.0
            } else {
                match parse_hours(typed) {
                    Ok(h) => h,
                    Err(m) => {
                        st.field(&format!("{label}, {d}"), m);
                        continue;
                    }
                }
            };
            let unchanged = if typed.is_empty() {
                now == 0
            } else {
                finishline_core::capacity::entry_minutes("hours", hours).ok() == Some(now)
            };
            if unchanged {
                continue;
            }
            out.push(CellEdit {
                project: row.0.clone(),
                task: row.1,
                day: *d,
                hours,
                label: format!("{label}, {d}"),
            });
        }
    }
    let project = form.get("new_project");
    let task = form.get("new_task");
    let task = if task.is_empty() {
        None
    } else {
        match task.trim_start_matches('#').parse::<u32>() {
            Ok(t) => Some(t),
            Err(_) => {
                st.field("new_task", format!("{task:?} is not a task number"));
                return out;
            }
        }
    };
    for d in &sheet.days {
        let typed = form.get(&format!("new:{d}"));
        if typed.is_empty() {
            continue;
        }
        if project.is_empty() {
            st.field("new_project", "choose the project of the new row");
            break;
        }
        match parse_hours(typed) {
            Ok(h) => out.push(CellEdit {
                project: project.to_string(),
                task,
                day: *d,
                hours: h,
                label: format!("new row, {d}"),
            }),
            Err(m) => st.field(&format!("new row, {d}"), m),
        }
    }
    out
}

/// `POST /time`: saves the changed cells of the week. Each cell is its own entry, checked by
/// the same rules as the API; a refused cell is named at the top and the others are kept.
pub async fn save_sheet(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let now = state.now();
    let week = week_of(parse_day(form.get("week")).unwrap_or(now.date_naive()));
    let sheet = match load_sheet(&state, &v, week).await {
        Ok(s) => s,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let mut st = FormState::new(&form);
    let billable = form.has("new_billable");
    let store = &state.app.store;
    for edit in edits_of(&form, &sheet, &mut st) {
        let existing = sheet.cell(&(edit.project.clone(), edit.task), edit.day);
        let done = match (existing.first(), edit.hours.abs() < f64::EPSILON) {
            (Some(e), true) => time_app::remove(store, v.workspace(), &v.user, &e.id).await,
            (Some(e), false) => {
                let change = EntryChange {
                    hours: Some(edit.hours),
                    ..EntryChange::default()
                };
                time_app::change(
                    store,
                    v.workspace(),
                    &v.user,
                    &e.id,
                    change,
                    now.date_naive(),
                    now,
                )
                .await
                .map(|_| ())
            }
            (None, true) => Ok(()),
            (None, false) => {
                let entry = NewEntry {
                    user_id: None,
                    project_id: edit.project.clone(),
                    task_id: edit.task,
                    day: edit.day,
                    hours: edit.hours,
                    billable,
                    note: String::new(),
                };
                time_app::log(store, v.workspace(), &v.user, entry, now.date_naive(), now)
                    .await
                    .map(|_| ())
            }
        };
        match done {
            Ok(()) => {}
            Err(AppError::Store(e)) => return layout::internal(&e.to_string()),
            Err(e) => st.field(&edit.label, refusal_text(e)),
        }
    }
    if st.errors.is_empty() {
        return see_other(&format!("/time?week={week}"));
    }
    st.message = Some(format!(
        "{} cell(s) were not saved; the others were. Each is named below with what to change.",
        st.errors.len()
    ));
    render_sheet(&state, &v, week, st).await
}

/// `POST /time/{id}/delete`: removes one of the member's entries.
pub async fn delete_entry(
    State(state): State<AppState>,
    v: Vendor,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let week = parse_day(form.get("week")).unwrap_or(state.now().date_naive());
    match time_app::remove(&state.app.store, v.workspace(), &v.user, &id).await {
        Ok(()) => see_other(&format!("/time?week={}", week_of(week))),
        Err(AppError::NotFound(what)) => layout::not_found(&what),
        Err(AppError::Forbidden(why)) => {
            layout::error_page(StatusCode::FORBIDDEN, "Not yours to remove", &why)
        }
        Err(e) => layout::internal(&e.to_string()),
    }
}

/// The "Log time" form of a task's page, and the time logged on the task so far.
pub fn task_time(
    project: &str,
    task: u32,
    entries: &[TimeEntry],
    names: &HashMap<String, String>,
    st: &FormState,
    csrf: &str,
    today: NaiveDate,
) -> Markup {
    let f = Fields::new(Some(st), "log_time");
    let total: u32 = entries.iter().map(|e| e.minutes).sum();
    html! {
        section id="time" aria-labelledby="time-h" {
            h2 id="time-h" { "Time" }
            p class="small muted" { "For your team only: customers never see time logged." }
            @if entries.is_empty() {
                p { "No time logged on this task yet." }
            } @else {
                p { (fmt_hours(total)) " h logged in all." }
                ul class="entries" {
                    @for e in entries.iter().rev().take(20) {
                        li { (e.day) " · " (names.get(&e.user_id).map(String::as_str).unwrap_or("a former member")) " · " (fmt_hours(e.minutes)) " h"
                            (if e.billable { "" } else { " (not billable)" })
                            @if !e.note.is_empty() { " — " (e.note) } }
                    }
                }
            }
            form method="post" action=(format!("/projects/{project}/tasks/{task}/time")) class="action narrow" {
                (f.hidden(csrf))
                (f.message())
                h3 { "Log time" }
                (f.input("day", "Day", "date", &today.to_string(), true))
                (f.input("hours", "Hours (such as 1.5)", "text", "", true))
                (f.checkbox("billable", "Billable", true))
                (f.input("note", "Note (optional)", "text", "", false))
                button type="submit" { "Log time" }
            }
        }
    }
}

/// `POST /projects/{id}/tasks/{task}/time`: logs the member's time on the task.
pub async fn log_on_task(
    State(state): State<AppState>,
    v: Vendor,
    Path((id, task)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let Ok(task) = task.parse::<u32>() else {
        return layout::not_found(&format!("Task {task}"));
    };
    let mut st = FormState::new(&form);
    st.form = "log_time".into();
    let day = parse_day(form.get("day"));
    if day.is_none() {
        st.field("day", "give the day as YYYY-MM-DD");
    }
    let hours = match parse_hours(form.get("hours")) {
        Ok(h) => Some(h),
        Err(m) => {
            st.field("hours", m);
            None
        }
    };
    let now = state.now();
    if let (Some(day), Some(hours)) = (day, hours) {
        let entry = NewEntry {
            user_id: None,
            project_id: id.clone(),
            task_id: Some(task),
            day,
            hours,
            billable: form.has("billable"),
            note: form.get("note").to_string(),
        };
        match time_app::log(
            &state.app.store,
            v.workspace(),
            &v.user,
            entry,
            now.date_naive(),
            now,
        )
        .await
        {
            Ok(_) => return see_other(&format!("/projects/{id}/tasks/{task}#time")),
            Err(AppError::Store(e)) => return layout::internal(&e.to_string()),
            Err(e) => match st.refused(e) {
                Ok(s) => st = s,
                Err(e) => return layout::internal(&e.to_string()),
            },
        }
    } else {
        st.message = Some("The time was not logged: see the fields below.".into());
    }
    super::project::render_task(&state, &v, &id, task, st).await
}

/// `GET /team`: per member and week, allocated against capacity (and logged, for weeks begun);
/// per project, hours planned against logged by stage.
pub async fn team_page(State(state): State<AppState>, v: Vendor) -> Response {
    render_team(&state, &v, FormState::default()).await
}

async fn render_team(state: &AppState, v: &Vendor, st: FormState) -> Response {
    let today = state.now().date_naive();
    let team = match time_app::team(&state.app.store, &state.app.team, v.workspace(), today).await {
        Ok(t) => t,
        Err(e) => return layout::internal(&e.to_string()),
    };
    // The grid and the projects depend on the figures only: rendered once per figures.
    let figures = team
        .rendered
        .get_or_init(|| {
            html! { (team_grid(&team)) (team_projects(&team)) }
                .into_string()
                .into()
        })
        .clone();
    let body = html! {
        h1 { "Team" }
        p { "Who has how much work planned, week by week: allocations come from each project's plan (the playbook's effort per step, spread over the weeks before the step is due) or were set by hand. Weeks begun show the hours logged." }
        (PreEscaped(&*figures))
        @if v.is_admin() { (capacity_form(&team, &st, &v.csrf)) }
    };
    html_response(
        page_status(&st),
        layout::page("Team", Nav::Team, &v.user.name, &v.csrf, body),
    )
}

fn team_grid(team: &Team) -> Markup {
    let over: Vec<&str> = team
        .members
        .iter()
        .filter(|m| {
            m.weeks
                .iter()
                .any(|w| w.week >= team.this_week && w.over_allocated())
        })
        .map(|m| m.name.as_str())
        .collect();
    html! {
        @if over.is_empty() {
            p { "Nobody is allocated beyond their capacity in the coming weeks." }
        } @else {
            p class="late" role="status" { "Over-allocated in the coming weeks: " (over.join(", ")) "." }
        }
        p class="small muted" { "Coming weeks: allocated / capacity, in hours. Weeks begun: logged / allocated. “Over” marks more allocated than the member's capacity." }
        div class="table-wrap" {
            table class="team" {
                caption class="sr-only" { "Hours per member and week" }
                thead { tr {
                    th scope="col" { "Member" }
                    @for w in &team.weeks {
                        th scope="col" { (w.format("%-d %b")) @if *w == team.this_week { br; span class="small" { "this week" } } }
                    }
                } }
                tbody {
                    @for m in &team.members {
                        tr {
                            th scope="row" { (m.name) br; span class="small muted" { (fmt_hours(m.capacity)) " h a week" } }
                            @for w in &m.weeks {
                                @let label = format!("Week of {}", w.week.format("%-d %b"));
                                @if let Some(logged) = w.logged.filter(|_| w.week < team.this_week) {
                                    td data-label=(label) class="past" { (fmt_hours(logged)) " / " (fmt_hours(w.allocated)) }
                                } @else if w.over_allocated() {
                                    td data-label=(label) class="over" {
                                        (fmt_hours(w.allocated)) " / " (fmt_hours(w.capacity))
                                        " " strong { "over by " (fmt_hours(w.allocated - w.capacity)) }
                                        (so_far(w.logged))
                                    }
                                } @else {
                                    td data-label=(label) { (fmt_hours(w.allocated)) " / " (fmt_hours(w.capacity)) (so_far(w.logged)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// This week's hours logged so far, under its allocation.
fn so_far(logged: Option<u32>) -> Markup {
    html! {
        @if let Some(l) = logged {
            br; span class="small" { (fmt_hours(l)) " logged so far" }
        }
    }
}

fn capacity_form(team: &Team, st: &FormState, csrf: &str) -> Markup {
    let f = Fields::new(Some(st), "capacity");
    let members: Vec<(String, String)> = team
        .members
        .iter()
        .map(|m| {
            (
                m.id.clone(),
                format!("{} ({} h now)", m.name, fmt_hours(m.capacity)),
            )
        })
        .collect();
    html! {
        form method="post" action="/team/capacity" class="action narrow" {
            (f.hidden(csrf))
            (f.message())
            h2 { "Weekly capacity" }
            (f.select("user_id", "Member", &members, ""))
            (f.input("hours", "Hours a week", "text", "40", true))
            button type="submit" { "Set capacity" }
        }
    }
}

fn team_projects(team: &Team) -> Markup {
    html! {
        h2 { "Projects: planned and logged by stage" }
        @if team.projects.is_empty() {
            p { "No project has work planned in these weeks." }
        } @else {
            @if team.projects_total > team.projects.len() {
                p class="small muted" { "The " (team.projects.len()) " projects with the most hours planned, of " (team.projects_total) " with work in these weeks." }
            }
            div class="table-wrap" {
                table class="team-projects" {
                    caption class="sr-only" { "Hours planned and logged per project and stage" }
                    thead { tr {
                        th scope="col" { "Project" }
                        th scope="col" { "Planned" }
                        th scope="col" { "Logged" }
                        th scope="col" { "By stage: logged / planned" }
                    } }
                    tbody {
                        @for p in &team.projects {
                            tr {
                                td data-label="Project" { a href=(format!("/projects/{}", p.id)) { (p.name) } br; span class="small muted" { (p.customer) } }
                                td data-label="Planned" { (fmt_hours(p.planned)) " h" }
                                td data-label="Logged" {
                                    (fmt_hours(p.logged)) " h"
                                    @if p.logged > p.planned { " " strong class="late" { "over plan" } }
                                }
                                td data-label="By stage" {
                                    @for (i, (stage, h)) in p.stages.iter().enumerate() {
                                        @if i > 0 { "; " }
                                        (stage.label()) " " (fmt_hours(h.logged)) " / " (fmt_hours(h.planned))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /team/capacity`: an admin sets a member's weekly capacity.
pub async fn set_capacity(State(state): State<AppState>, v: Vendor, form: FormData) -> Response {
    if let Err(r) = form.check_csrf(&v.csrf) {
        return r;
    }
    let mut st = FormState::new(&form);
    st.form = "capacity".into();
    match parse_hours(form.get("hours")) {
        Ok(h) => {
            match time_app::set_capacity(
                &state.app.store,
                v.workspace(),
                &v.user,
                form.get("user_id"),
                h,
                state.now(),
            )
            .await
            {
                Ok(_) => return see_other("/team"),
                Err(AppError::Store(e)) => return layout::internal(&e.to_string()),
                Err(e) => match st.refused(e) {
                    Ok(s) => st = s,
                    Err(e) => return layout::internal(&e.to_string()),
                },
            }
        }
        Err(m) => {
            st.field("hours", m);
            st.message = Some("The capacity was not set: see the fields below.".into());
        }
    }
    render_team(&state, &v, st).await
}
