//! The portfolio: every project of the workspace with its stage, computed health and reasons,
//! days since contract and to launch, who the ball is with, the owner; filters and sorting; and
//! the chart of days waiting on the customer vs on the vendor.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use finishline_core::health::HealthLevel;
use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use finishline_store::ProjectRow;

use crate::cache::Summarised;
use crate::state::AppState;
use crate::ui::form::html as html_response;
use crate::ui::layout::{self, Nav};
use crate::ui::session::Vendor;
use crate::ui::svg::{waits_chart, Waits};
use crate::views::ProjectSummary;

#[derive(Debug, Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub health: String,
    #[serde(default)]
    pub sort: String,
    /// 1-based page of the table.
    #[serde(default)]
    pub page: Option<String>,
}

struct Row {
    s: Arc<ProjectSummary>,
    version: i64,
    live_on: Option<chrono::NaiveDate>,
    customer_days: f64,
    vendor_days: f64,
}

fn health_key(l: HealthLevel) -> &'static str {
    match l {
        HealthLevel::OnTrack => "on_track",
        HealthLevel::AtRisk => "at_risk",
        HealthLevel::OffTrack => "off_track",
    }
}

/// The summary of every project of the workspace, from the shared cache: the whole list is
/// kept per list of rows and minute, and otherwise gathered from the summaries of unchanged
/// projects (by version and minute) and the documents of the others.
async fn summaries(
    state: &AppState,
    ws: &str,
    metas: &Arc<Vec<ProjectRow>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Arc<Vec<Summarised>>, finishline_store::StoreError> {
    if let Some(all) = state.projects.portfolio(ws, metas, now) {
        return Ok(all);
    }
    let flight = state.projects.flight(&format!("gather:{ws}"));
    let _gathering = flight.lock().await;
    if let Some(all) = state.projects.portfolio(ws, metas, now) {
        return Ok(all);
    }
    let mut all = Vec::with_capacity(metas.len());
    let mut wanted = Vec::new();
    let cached = state
        .projects
        .cached_summaries(metas.iter().map(|m| (m.id.as_str(), m.version)), now);
    for (m, c) in metas.iter().zip(cached) {
        match c {
            Some(s) => all.push(s),
            None => wanted.push((m.id.clone(), m.version)),
        }
    }
    // Documents come from the shared cache by version: when the minute turns, summaries are
    // recomputed from parsed documents instead of parsing every document again.
    if !wanted.is_empty() {
        for (p, version) in state
            .projects
            .documents(&state.app.store, ws, &wanted)
            .await?
        {
            all.push(state.projects.summary(&p, version, now));
        }
    }
    let all = Arc::new(all);
    state.projects.keep_portfolio(ws, metas, now, all.clone());
    Ok(all)
}

fn row(s: &Summarised) -> Row {
    Row {
        s: s.summary.clone(),
        version: s.version,
        live_on: s.live_on,
        customer_days: 0.0,
        vendor_days: 0.0,
    }
}

/// Past this many projects without a replay, one query reads the whole workspace's log instead
/// of one query per project (the first sort by waiting time, or after a restart).
const BULK_REPLAY: usize = 16;

/// Fills in the days waited per side (R7) of these rows: carried forward from the replays kept
/// per project version, the others replayed from their activity logs and kept.
async fn fill_waits(
    state: &AppState,
    ws: &str,
    rows: &mut [Row],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), finishline_store::StoreError> {
    let known = |rows: &mut [Row]| {
        let found = state
            .projects
            .waits(rows.iter().map(|r| (r.s.id.as_str(), r.version)), now);
        let mut missing = Vec::new();
        for (i, (r, k)) in rows.iter_mut().zip(found).enumerate() {
            match k {
                Some((c, v)) => (r.customer_days, r.vendor_days) = (c, v),
                None => missing.push(i),
            }
        }
        missing
    };
    if known(rows).is_empty() {
        return Ok(());
    }
    // Pages asked for together (every page sorted by waiting time) share one replay.
    let flight = state.projects.flight(&format!("waits:{ws}"));
    let _replaying = flight.lock().await;
    let missing = known(rows);
    let mut logs = if missing.len() > BULK_REPLAY {
        Some(state.app.store.workspace_activities(ws).await?)
    } else {
        None
    };
    for i in missing {
        let r = &mut rows[i];
        let acts = match logs.as_mut() {
            Some(all) => all.remove(&r.s.id).unwrap_or_default(),
            None => state.app.store.activities(ws, &r.s.id).await?,
        };
        (r.customer_days, r.vendor_days) =
            state.projects.replay_waits(&r.s.id, r.version, &acts, now);
    }
    Ok(())
}

/// Projects per page of the table; the waiting chart shows the page's projects.
const PAGE_ROWS: usize = 50;

/// The order of the projects for a sort choice other than waiting time, by borrowed keys (the
/// lower-case name is kept with each summary): a portfolio of thousands is ordered per request.
fn order(by: &str) -> fn(&&Summarised, &&Summarised) -> std::cmp::Ordering {
    match by {
        "launch" => |a, b| {
            let key = |r: &Summarised| r.summary.days_to_launch.unwrap_or(i64::MAX);
            key(a)
                .cmp(&key(b))
                .then_with(|| a.summary.name.cmp(&b.summary.name))
        },
        "contract" => |a, b| {
            b.summary
                .days_since_contract
                .cmp(&a.summary.days_since_contract)
                .then_with(|| a.summary.name.cmp(&b.summary.name))
        },
        "stage" => |a, b| {
            a.summary
                .stage
                .cmp(&b.summary.stage)
                .then_with(|| a.summary.name.cmp(&b.summary.name))
        },
        "name" => |a, b| a.name_key.cmp(&b.name_key),
        _ => |a, b| {
            b.summary
                .health
                .level
                .cmp(&a.summary.health.level)
                .then_with(|| a.name_key.cmp(&b.name_key))
        },
    }
}

/// Puts the first `upto` projects in order (the pages up to the one shown), leaving the rest
/// unordered: a linear selection, then a sort of the head only.
fn sort(list: &mut [&Summarised], by: &str, upto: usize) {
    let cmp = order(by);
    if upto < list.len() {
        list.select_nth_unstable_by(upto, cmp);
        list[..upto].sort_by(cmp);
    } else {
        list.sort_by(cmp);
    }
}

impl Filter {
    /// What a rendered page is kept under: everything the body depends on besides the data.
    fn key(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.stage,
            self.health,
            self.sort,
            self.page_asked()
        )
    }

    fn page_asked(&self) -> usize {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<usize>().ok())
            .unwrap_or(1)
    }
}

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    filter: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(filter) = filter.unwrap_or(Query(Filter::default()));
    let now = state.now();
    let ws = vendor.workspace();
    let rows = match state.projects.rows(&state.app.store, ws).await {
        Ok(r) => r,
        Err(e) => return layout::internal(&e.to_string()),
    };
    // Everything below the navigation depends only on the list, the minute and the query: a
    // page asked for again is the same text, whoever asks.
    let key = filter.key();
    let body = match state.projects.portfolio_body(ws, &rows, now, &key) {
        Some(body) => body,
        None => {
            // After a save, the requests for one page that arrive together wait for one of them
            // to render it, then share it; other pages render alongside.
            let flight = state.projects.flight(&format!("portfolio:{ws}:{key}"));
            let _rendering = flight.lock().await;
            match state.projects.portfolio_body(ws, &rows, now, &key) {
                Some(body) => body,
                None => {
                    let body: Arc<str> = match render(&state, ws, &rows, &filter, now).await {
                        Ok(b) => b.into_string().into(),
                        Err(e) => return layout::internal(&e.to_string()),
                    };
                    state
                        .projects
                        .keep_portfolio_body(ws, &rows, now, key, body.clone());
                    body
                }
            }
        }
    };
    html_response(
        StatusCode::OK,
        layout::page(
            "Portfolio",
            Nav::Portfolio,
            &vendor.user.name,
            &vendor.csrf,
            PreEscaped(&*body),
        ),
    )
}

/// The portfolio below the navigation: filters, the table's page and the waiting chart.
async fn render(
    state: &AppState,
    ws: &str,
    rows: &Arc<Vec<ProjectRow>>,
    filter: &Filter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Markup, finishline_store::StoreError> {
    let all = summaries(state, ws, rows, now).await?;
    let total = all.len();
    let mut list: Vec<&Summarised> = all
        .iter()
        .filter(|r| {
            (filter.stage.is_empty() || r.summary.stage.key() == filter.stage)
                && (filter.health.is_empty() || health_key(r.summary.health.level) == filter.health)
        })
        .collect();
    // Time waited per side comes from the activity log (R7): read it for the projects sorted by
    // it, or for the ones shown, not for every project of a large portfolio.
    let by_waiting = filter.sort == "waiting";
    let filtered = list.len();
    let pages = filtered.div_ceil(PAGE_ROWS).max(1);
    let page = filter.page_asked().clamp(1, pages);
    let skip = (page - 1) * PAGE_ROWS;
    let mut rows: Vec<Row> = if by_waiting {
        list.iter().map(|s| row(s)).collect()
    } else {
        sort(&mut list, &filter.sort, skip + PAGE_ROWS);
        list.iter()
            .skip(skip)
            .take(PAGE_ROWS)
            .map(|s| row(s))
            .collect()
    };
    fill_waits(state, ws, &mut rows, now).await?;
    if by_waiting {
        rows.sort_by(|a, b| {
            b.customer_days
                .partial_cmp(&a.customer_days)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        rows = rows.into_iter().skip(skip).take(PAGE_ROWS).collect();
    }
    let page_link = |n: usize| {
        format!(
            "/?{}",
            serde_urlencoded::to_string([
                ("stage", filter.stage.as_str()),
                ("health", filter.health.as_str()),
                ("sort", filter.sort.as_str()),
                ("page", n.to_string().as_str()),
            ])
            .unwrap_or_default()
        )
    };
    let chart: Vec<Waits> = rows
        .iter()
        .map(|r| Waits {
            label: r.s.customer.clone(),
            customer_days: r.customer_days,
            vendor_days: r.vendor_days,
        })
        .collect();
    let mut stages: Vec<Stage> = STAGE_ORDER.to_vec();
    stages.extend([Stage::Paused, Stage::Cancelled]);
    Ok(html! {
        div class="page-head" {
            h1 { "Portfolio" }
            a class="button" href="/handoff" { "New handoff" }
        }
        form method="get" action="/" class="filters" aria-label="Filter and sort projects"
            hx-get="/" hx-trigger="change" hx-target="body" hx-push-url="true" {
            div class="field" {
                label for="f-stage" { "Stage" }
                select id="f-stage" name="stage" {
                    option value="" { "any stage" }
                    @for s in &stages {
                        option value=(s.key()) selected[s.key() == filter.stage] { (s.label()) }
                    }
                }
            }
            div class="field" {
                label for="f-health" { "Health" }
                select id="f-health" name="health" {
                    option value="" { "any health" }
                    @for l in [HealthLevel::OffTrack, HealthLevel::AtRisk, HealthLevel::OnTrack] {
                        option value=(health_key(l)) selected[health_key(l) == filter.health] { (l.label()) }
                    }
                }
            }
            div class="field" {
                label for="f-sort" { "Sort by" }
                select id="f-sort" name="sort" {
                    @for (v, l) in [("", "health, worst first"), ("launch", "days to launch"), ("contract", "days since contract"), ("waiting", "days waiting on customer"), ("stage", "stage"), ("name", "name")] {
                        option value=(v) selected[v == filter.sort] { (l) }
                    }
                }
            }
            button type="submit" { "Apply" }
        }
        p class="muted" { (filtered) " of " (total) " projects"
            @if pages > 1 { " · page " (page) " of " (pages) } }
        div class="table-wrap" {
            table class="portfolio" {
                thead { tr {
                    th scope="col" { "Project" }
                    th scope="col" { "Stage" }
                    th scope="col" { "Health" }
                    th scope="col" class="num" { "Since contract" }
                    th scope="col" class="num" { "To launch" }
                    th scope="col" { "Ball in court" }
                    th scope="col" { "Owner" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td data-label="Project" {
                                a href=(format!("/projects/{}", r.s.id)) { strong { (r.s.customer) } }
                                div class="muted small" { (r.s.name) }
                            }
                            td data-label="Stage" { (r.s.stage.label()) }
                            td data-label="Health" {
                                (layout::health_badge(&r.s.health))
                                @if !r.s.health.reasons.is_empty() {
                                    ul class="reasons" { @for why in &r.s.health.reasons { li { (why) } } }
                                }
                            }
                            td data-label="Since contract" class="num" { (layout::days(r.s.days_since_contract)) }
                            td data-label="To launch" class="num" {
                                @if let Some(live) = r.live_on.filter(|_| r.s.stage.is_live()) {
                                    span class="badge ok" { "live" } " since " (live)
                                } @else {
                                @match r.s.days_to_launch {
                                    Some(d) if d < 0 => span class="late" { (layout::days(-d)) " past" },
                                    Some(d) => (layout::days(d)),
                                    None => span class="muted" { "no date" },
                                }
                                }
                            }
                            td data-label="Ball in court" {
                                @if r.s.waiting_on_customer + r.s.waiting_on_vendor == 0 {
                                    span class="muted" { "nothing open" }
                                } @else {
                                    // A count is coloured by whose side it is only when there is something
                                    // on that side: zero is not a warning.
                                    @if r.s.waiting_on_customer == 0 { span class="muted" { "0 on customer" } }
                                    @else { span class="side customer" { (r.s.waiting_on_customer) " on customer" } }
                                    " · "
                                    @if r.s.waiting_on_vendor == 0 { span class="muted" { "0 on vendor" } }
                                    @else { span class="side vendor" { (r.s.waiting_on_vendor) " on vendor" } }
                                }
                            }
                            td data-label="Owner" { (r.s.owner.clone().unwrap_or_else(|| "unassigned".into())) }
                        }
                    }
                    @if rows.is_empty() {
                        tr { td colspan="7" class="muted" { "No project matches. " a href="/" { "Clear the filters" } } }
                    }
                }
            }
        }
        @if pages > 1 {
            nav class="pager" aria-label="Pages" {
                @if page > 1 { a href=(page_link(page - 1)) rel="prev" { "← previous" } }
                span { "page " (page) " of " (pages) }
                @if page < pages { a href=(page_link(page + 1)) rel="next" { "next →" } }
            }
        }
        section aria-labelledby="waits-h" {
            h2 id="waits-h" { "Where time is lost: days waiting on each side" }
            @if pages > 1 { p class="muted small" { "The projects of this page, in the table's order." } }
            @if chart.is_empty() { p class="muted" { "No projects yet." } } @else { (waits_chart(&chart)) }
        }
    })
}
