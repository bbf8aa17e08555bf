//! The analytics page (`/analytics`) and its CSV downloads (`/analytics/{table}.csv`): where
//! time to value goes across the workspace's projects. Vendor members only; the numbers come
//! from `finishline_app::analytics` (kept until a project changes), the tables from
//! `analytics_tables`, the charts from `analytics_charts`.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use finishline_core::analytics::filter::segment_key;
use finishline_core::analytics::{Analytics, Filter, FilterError, FilterText};
use finishline_core::handoff::Segment;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::state::AppState;
use crate::ui::analytics_charts::{bars, Bar, Part};
use crate::ui::analytics_tables::{self as tables, table};
use crate::ui::form::html as html_response;
use crate::ui::layout::{self, Nav};
use crate::ui::session::Vendor;

/// The filter form as sent (every field may be blank); the process map's page takes the same.
#[derive(Debug, Default, Deserialize)]
pub struct FilterForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub segment: String,
    #[serde(default)]
    pub playbook: String,
    #[serde(default)]
    pub owner: String,
}

impl FilterForm {
    pub fn parse(&self) -> Result<Filter, FilterError> {
        Filter::parse(&FilterText {
            from: Some(&self.from),
            to: Some(&self.to),
            segment: Some(&self.segment),
            playbook: Some(&self.playbook),
            owner: Some(&self.owner),
        })
    }
}

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    form: Result<Query<FilterForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(form) = form.unwrap_or(Query(FilterForm::default()));
    let now = state.now();
    let ws = vendor.workspace();
    let cache = &state.app.analytics;
    // The unfiltered report names every playbook version and owner for the form's choices.
    let all = match cache
        .report(&state.app.store, ws, &Filter::default(), now)
        .await
    {
        Ok(r) => r,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let (status, body) = match form.parse() {
        Err(e) => (
            StatusCode::BAD_REQUEST,
            html! {
                (head(&form, &all.analytics, Some(&e)))
                p { "Fix the filter above to see the numbers, or " a href="/analytics" { "clear it" } "." }
            },
        ),
        Ok(filter) => match cache.report(&state.app.store, ws, &filter, now).await {
            Ok(r) => {
                // Everything below the filter depends on the report only: rendered once.
                let below = r
                    .rendered
                    .get_or_init(|| sections(&r.analytics).into_string().into())
                    .clone();
                // Hours follow time entries, which change without a project changing: per request.
                let hours = match finishline_app::time::hours_by_stage(
                    &state.app.store,
                    cache,
                    ws,
                    &filter,
                    now,
                )
                .await
                {
                    Ok(h) => h,
                    Err(e) => return layout::internal(&e.to_string()),
                };
                (
                    StatusCode::OK,
                    html! { (head(&form, &all.analytics, None)) (PreEscaped(&*below)) (hours_section(&hours)) },
                )
            }
            Err(e) => return layout::internal(&e.to_string()),
        },
    };
    html_response(
        status,
        layout::page(
            "Analytics",
            Nav::Analytics,
            &vendor.user.name,
            &vendor.csrf,
            body,
        ),
    )
}

/// `/analytics/{table}.csv` with the page's filter.
pub async fn csv(
    State(state): State<AppState>,
    vendor: Vendor,
    Path(file): Path<String>,
    form: Result<Query<FilterForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(slug) = file
        .strip_suffix(".csv")
        .filter(|s| tables::SLUGS.contains(s))
    else {
        return layout::not_found("analytics table");
    };
    let Query(form) = form.unwrap_or(Query(FilterForm::default()));
    let filter = match form.parse() {
        Ok(f) => f,
        Err(e) => {
            return layout::error_page(
                StatusCode::BAD_REQUEST,
                "The filter does not work",
                &format!("{}: {}", e.field, e.message),
            )
        }
    };
    let report = match state
        .app
        .analytics
        .report(&state.app.store, vendor.workspace(), &filter, state.now())
        .await
    {
        Ok(r) => r,
        Err(e) => return layout::internal(&e.to_string()),
    };
    let Some(t) = table(&report.analytics, slug) else {
        return layout::not_found("analytics table");
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"analytics-{slug}.csv\""),
            ),
        ],
        tables::csv(&t),
    )
        .into_response()
}

/// The title, what the numbers are, and the filter form (with its error, if any).
fn head(form: &FilterForm, all: &Analytics, error: Option<&FilterError>) -> Markup {
    let wrong = |field: &str| error.filter(|e| e.field == field);
    let field = |name: &'static str, label: &'static str, input: Markup| {
        html! {
            div class=(if wrong(name).is_some() { "field invalid" } else { "field" }) {
                label for=(format!("f-{name}")) { (label) }
                (input)
                @if let Some(e) = wrong(name) {
                    p class="error" id=(format!("f-{name}-error")) { (e.message) }
                }
            }
        }
    };
    let described = |name: &str| wrong(name).map(|_| format!("f-{name}-error"));
    html! {
        div class="page-head" { h1 { "Analytics" } }
        p class="muted" {
            "Where time to value goes across your projects, from their activity logs. "
            "Days are calendar days counted from the contract date; the filter picks projects by contract date."
        }
        @if let Some(e) = error {
            div class="refusal" role="alert" { p { strong { "The filter does not work: " } (e.message) } }
        }
        form method="get" action="/analytics" class="filters" aria-label="Filter the projects" {
            (field("from", "Contract from", html! {
                input type="date" id="f-from" name="from" value=(form.from) aria-describedby=[described("from")];
            }))
            (field("to", "Contract to", html! {
                input type="date" id="f-to" name="to" value=(form.to) aria-describedby=[described("to")];
            }))
            (field("segment", "Segment", html! {
                select id="f-segment" name="segment" aria-describedby=[described("segment")] {
                    option value="" { "any segment" }
                    @for (s, label) in [(Segment::Smb, "SMB"), (Segment::MidMarket, "mid-market"), (Segment::Enterprise, "enterprise")] {
                        option value=(segment_key(s)) selected[form.segment == segment_key(s)] { (label) }
                    }
                }
            }))
            (field("playbook", "Playbook", html! {
                select id="f-playbook" name="playbook" aria-describedby=[described("playbook")] {
                    option value="" { "any playbook" }
                    @for v in &all.playbook_versions {
                        @let key = format!("{}@{}", v.key, v.version);
                        option value=(key) selected[form.playbook == key] { (v.name) " v" (v.version) }
                    }
                }
            }))
            (field("owner", "Owner", html! {
                select id="f-owner" name="owner" aria-describedby=[described("owner")] {
                    option value="" { "any owner" }
                    @for g in &all.time_to_value.by_owner {
                        option value=(g.group) selected[form.owner.trim().eq_ignore_ascii_case(&g.group)] { (g.group) }
                    }
                }
            }))
            button type="submit" { "Apply" }
            a href="/analytics" { "Clear" }
        }
    }
}

/// Hours planned against logged by stage (issue 17), from allocations and time entries.
fn hours_section(lines: &[finishline_app::time::StageLine]) -> Markup {
    html! {
        section id="hours" aria-labelledby="hours-h" {
            h2 id="hours-h" { "Hours by stage" }
            @if lines.is_empty() {
                p { "No time is planned or logged on these projects yet (see the Team page and the timesheet)." }
            } @else {
                p class="small muted" { "Hours planned (allocations from the plans, or set by hand) and logged (timesheets), by the stage the work belongs to." }
                div class="table-wrap" {
                    table {
                        caption class="sr-only" { "Hours planned and logged by stage" }
                        thead { tr { th scope="col" { "Stage" } th scope="col" { "Planned" } th scope="col" { "Logged" } } }
                        tbody {
                            @for l in lines {
                                tr {
                                    td data-label="Stage" { (l.stage.label()) }
                                    td data-label="Planned" { (format!("{:.1}", l.planned_hours)) " h" }
                                    td data-label="Logged" { (format!("{:.1}", l.logged_hours)) " h" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A table shown on demand: the charts carry the message, the tables the detail (and on a phone
/// each row is a card, so open tables would make the page very long).
fn folded(summary: &str, table: Markup) -> Markup {
    html! {
        details class="table-fold" {
            summary { (summary) }
            (table)
        }
    }
}

fn csv_href(slug: &str, query: &str) -> String {
    if query.is_empty() {
        format!("/analytics/{slug}.csv")
    } else {
        format!("/analytics/{slug}.csv?{query}")
    }
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |d| format!("{d:.0} days"))
}

/// Everything below the filter.
fn sections(a: &Analytics) -> Markup {
    let q = a.filter.query();
    let t = |slug: &str, limit: usize| {
        table(a, slug).map_or_else(|| html! {}, |t| tables::html(&t, limit, &q))
    };
    let ttv = &a.time_to_value;
    let late = a.forecast.projected_late.len();
    html! {
        nav class="section-menu" aria-label="Sections" {
            a href="#time-to-value" { "Time to value" }
            a href="#on-time" { "On time" }
            a href="#where-time-goes" { "Where the time goes" }
            a href="#loops" { "Loops" }
            a href="#forecast" { "Forecast" }
            a href="#playbook-versions" { "Playbook versions" }
            a href="#ratings" { "Customer ratings" }
        }
        dl class="facts" {
            div { dt { "Projects" } dd { (a.projects) " (" (a.live) " live)" } }
            div { dt { "Median to go-live" } dd { (days(ttv.go_live.total.median)) } }
            div { dt { "Median to value confirmed" } dd { (days(ttv.value_confirmed.total.median)) } }
            div { dt { "Live on time" } dd { (a.on_time.share_on_time.map_or("–".to_string(), |s| format!("{:.0} %", s * 100.0))) } }
            div { dt { "Projected late" } dd { (late) " of " (a.forecast.open) " open" } }
        }
        @if a.projects == 0 {
            p { "No project matches this filter. " a href="/analytics" { "Clear the filter" } "." }
        } @else {
            section id="time-to-value" {
                h2 { "Time to value" }
                p class="muted small" {
                    "Median and 80th percentile (4 in 5 projects took this long or less). “Without days paused” takes out the days the project was paused; “without days waiting on the customer alone” takes out the days a customer task waited while no vendor task did — what is left is the time the vendor side could act on."
                }
                (t("time-to-value", 3))
                h3 { "Trend by month of contract" }
                (cohort_chart(a))
                (folded("Every month as a table", t("cohorts", 36)))
                h3 { "By segment, playbook version and owner" }
                (folded(&format!("By segment ({})", ttv.by_segment.len()), t("segments", 10)))
                (folded(&format!("By playbook version ({})", ttv.by_playbook.len()), t("playbooks", 30)))
                (folded(&format!("By owner ({})", ttv.by_owner.len()), t("owners", 50)))
            }
            section id="on-time" {
                h2 { "On time" }
                p {
                    (a.on_time.on_time) " of " (a.on_time.go_lives) " go-lives were on or before the first agreed launch date. "
                    @if let Some(m) = a.on_time.slip_days.median { "Median slip: " (format!("{m:.0}")) " days (negative is early)." }
                }
                (slip_chart(a))
                p class="small" { a href=(csv_href("slips", &q)) download { "Download these counts as CSV" } }
                h3 { "Why dates moved" }
                (t("reasons", 10))
            }
            section id="where-time-goes" {
                h2 { "Where the time goes" }
                p class="muted small" {
                    "Days per project in each stage, by who had the ball: a task waiting on the vendor, on the customer, on both at once, or no task waiting at all."
                }
                (stage_chart(a))
                (folded("The days as a table", t("stages", 20)))
                h3 { "Tasks with the most waiting" }
                (t("task-kinds", 10))
            }
            section id="loops" {
                h2 { "Loops" }
                p class="muted small" { "Each loop's cost runs from the loop back until the project was again at the stage it left." }
                (t("loops", 10))
            }
            section id="forecast" {
                h2 { "Forecast" }
                p class="muted small" {
                    "Open projects whose launch date has passed, with an open task planned before the launch now due after it, or whose pace so far (tasks done per day since the start) would finish after it. "
                    (a.forecast.paused) " paused and " (a.forecast.without_launch_date) " without a launch date are not forecast."
                }
                (t("forecast", 25))
            }
            section id="playbook-versions" {
                h2 { "Playbook versions" }
                p class="muted small" { "A running project keeps the version it started with: compare versions before and after a change was promoted from a retrospective." }
                (t("playbook-versions", 20))
            }
            section id="ratings" {
                h2 { "Customer ratings" }
                p class="muted small" {
                    "What customers answered at the milestones their playbook asks about: CSAT 1–5 (satisfaction) and CES 1–7 (ease), never averaged together. Low is CSAT 1–2 or CES 1–3; each opens a follow-up task for the vendor owner."
                }
                @if a.ratings.overall.is_empty() {
                    p class="muted" { "No rating yet." }
                } @else {
                    (t("ratings", 200))
                }
            }
        }
    }
}

const SIDES: [(&str, &str); 4] = [
    ("bar-vendor", "vendor"),
    ("bar-customer", "customer"),
    ("bar-both", "both"),
    ("bar-nobody", "nobody"),
];

fn stage_chart(a: &Analytics) -> Markup {
    let rows: Vec<Bar> = a
        .where_time_goes
        .stages
        .iter()
        .map(|s| {
            let per = s.projects.max(1) as f64;
            Bar {
                label: s.label.clone(),
                parts: vec![
                    Part {
                        class: "bar-vendor",
                        value: s.vendor_days / per,
                        what: "days waiting on the vendor",
                    },
                    Part {
                        class: "bar-customer",
                        value: s.customer_days / per,
                        what: "days waiting on the customer",
                    },
                    Part {
                        class: "bar-both",
                        value: s.both_days / per,
                        what: "days waiting on both",
                    },
                    Part {
                        class: "bar-nobody",
                        value: s.nobody_days / per,
                        what: "days nobody waited",
                    },
                ],
                value: format!("{:.1} d", s.mean_days),
            }
        })
        .collect();
    bars(
        "stages",
        "Days per project in each stage, by who had the ball",
        &SIDES,
        &rows,
    )
}

fn cohort_chart(a: &Analytics) -> Markup {
    // The last twelve months keep the chart short on a phone; the table has every month.
    let cohorts = &a.time_to_value.by_cohort;
    let shown = &cohorts[cohorts.len().saturating_sub(12)..];
    let rows: Vec<Bar> = shown
        .iter()
        .map(|g| Bar {
            label: format!("{} · {} projects, {} live", g.group, g.projects, g.live),
            parts: vec![Part {
                class: "bar-vendor",
                value: g.go_live.total.median.unwrap_or(0.0),
                what: "median days to go-live",
            }],
            value: g
                .go_live
                .total
                .median
                .map_or_else(|| "none live".to_string(), |m| format!("{m:.0} d")),
        })
        .collect();
    bars(
        "cohorts",
        "Median days from contract to go-live, by month of contract",
        &[("bar-vendor", "median days to go-live")],
        &rows,
    )
}

fn slip_chart(a: &Analytics) -> Markup {
    let rows: Vec<Bar> = a
        .on_time
        .slip_buckets
        .iter()
        .enumerate()
        .map(|(i, b)| Bar {
            label: b.label.clone(),
            parts: vec![Part {
                class: if i == 0 { "bar-ok" } else { "bar-customer" },
                value: b.count as f64,
                what: "go-lives",
            }],
            value: b.count.to_string(),
        })
        .collect();
    bars(
        "slips",
        "Go-lives by days late against the first agreed launch date",
        &[("bar-ok", "on time"), ("bar-customer", "late")],
        &rows,
    )
}
