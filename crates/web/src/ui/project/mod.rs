//! The project page: the header (customer, owners, finish line, launch date, stage track with the
//! loops taken) and a section for each part of the project, each with its forms. Each section is
//! rendered by the module named after it; this one puts them in order, around the parts read on
//! every request, and serves the page. A task's page and the proof files sit beside it.

mod activity;
mod adoption;
mod customer_portal;
mod files;
mod finish_line;
mod gates;
mod handoff;
mod intake;
mod now;
pub(crate) mod occasional;
pub(crate) mod options;
pub(crate) mod parts;
mod people;
mod plan;
mod ratings;
mod scope;
mod status;
mod task;
mod training;
mod uat;

use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::people::Side;
use finishline_core::project::Project;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

pub use self::files::{file, serve_file};
pub use self::options::label_is_customer;
use self::parts::flash_slot;
pub use self::parts::{key, owner_name, people_opts};
pub use self::plan::{plan_table, task_state};
pub use self::task::{render_task, task_page};
use crate::cache::{Derived, PageHtml};
use crate::state::AppState;
use crate::ui::form::{
    clear_flash, html as html_response, page_status, take_flash, Flash, FormState,
};
use crate::ui::layout::{self, Nav};
use crate::ui::plan_approval;
use crate::ui::session::Vendor;

/// Stands for each member's CSRF token in the HTML shared between members: random per process,
/// so no project text can spell it, and swapped for the token of whoever is served.
static CSRF_SLOT: LazyLock<String> =
    LazyLock::new(|| format!("csrf-slot-{}", uuid::Uuid::new_v4().simple()));

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    /// A task of the plan, from the plan table's short links.
    #[serde(default)]
    task: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    vendor: Vendor,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(q) = query.unwrap_or_default();
    if let Some(t) = q.task.and_then(|t| t.parse::<u32>().ok()) {
        return crate::ui::actions::see_other(&format!("/projects/{id}/tasks/{t}"));
    }
    let flash = take_flash(&state, &headers, &vendor.csrf).await;
    let shown = flash.is_some();
    let mut res = render(&state, &vendor, &id, FormState::default(), flash).await;
    if shown {
        clear_flash(
            &mut res,
            &format!("/projects/{id}"),
            state.config.secure_cookies,
        );
    }
    res
}

/// The project page's data for a project of the member's workspace, or the page that says why
/// not (no such project here, or the database failed).
pub(crate) async fn page_data(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Arc<Derived>, Response> {
    match state
        .projects
        .project_page(&state.app.store, vendor.workspace(), id, now)
        .await
    {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(layout::not_found(&format!("Project {id}"))),
        Err(e) => Err(layout::internal(&e.to_string())),
    }
}

/// Renders the project page, with a refused form's state or a message shown once.
///
/// What depends only on the project's version and the minute (nearly all of the page) comes from
/// `ProjectCache`, rendered once; the invitations and files are read on each request, because
/// they change without changing the project.
pub async fn render(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    st: FormState,
    flash: Option<Flash>,
) -> Response {
    let now = state.now();
    let ws = vendor.workspace();
    let d = match page_data(state, vendor, id, now).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (files, invitations, mails) = match (
        state.app.store.files(ws, id).await,
        state.app.store.invitations(ws, id).await,
        state.app.store.invitation_mails(ws, id).await,
    ) {
        (Ok(f), Ok(i), Ok(m)) => (f, i, m),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return layout::internal(&e.to_string())
        }
    };
    let csrf = vendor.csrf.as_str();
    let p = &d.view.project;
    let mail_on = state.config.notify.smtp_url.is_some();
    // The invitations and files: read on every request (they change without a new project
    // version).
    let middle = html! {
        (customer_portal::customer_portal(p, &invitations, &mails, mail_on, &st, csrf, now))
        (files::files(p, &files))
    };
    let body = if st.is_empty() {
        let shared = d.html.get_or_init(|| {
            let none = FormState::default();
            Arc::new(PageHtml {
                before: before(&d, &none, CSRF_SLOT.as_str(), now).into_string(),
                after: activity::after(&d).into_string(),
            })
        });
        html! {
            (PreEscaped(shared.before.replace(CSRF_SLOT.as_str(), csrf)))
            (middle)
            (PreEscaped(shared.after.as_str()))
        }
    } else {
        let sections = html! {
            (before(&d, &st, csrf, now))
            (middle)
            (activity::after(&d))
        };
        layout::with_refusal(&st, sections)
    };
    let body = place_flash(body, flash.as_ref());
    html_response(
        page_status(&st),
        layout::page(&p.customer, Nav::Portfolio, &vendor.user.name, csrf, body),
    )
}

/// Puts a confirmation in the section it belongs to (its slot), or at the top when the page has
/// no such section now.
fn place_flash(body: Markup, flash: Option<&Flash>) -> Markup {
    let Some(fl) = flash else {
        return body;
    };
    let slot = flash_slot(&fl.at).into_string();
    let shown = fl.markup().into_string();
    if body.0.contains(&slot) {
        PreEscaped(body.0.replacen(&slot, &shown, 1))
    } else {
        PreEscaped(format!("{shown}{}", body.0))
    }
}

/// The sections of the project page, in order, for its menu.
const SECTIONS: &[(&str, &str)] = &[
    ("now", "Now"),
    ("finish-line", "Finish line"),
    ("plan", "Plan"),
    ("scope", "Scope"),
    ("handoff", "Handoff"),
    ("people", "People"),
    ("portal", "Portal"),
    ("intake", "Intake"),
    ("training", "Training"),
    ("uat", "UAT"),
    ("gates", "Gates"),
    ("adoption", "Adoption"),
    ("ratings", "Ratings"),
    ("status", "Status"),
    ("files", "Files"),
    ("activity", "Activity"),
];

/// The section menu: sticky at the top of the screen, one scrolling row on a phone.
fn section_menu(p: &Project) -> Markup {
    html! {
        nav class="section-menu" aria-label="Sections of this project" {
            @for (id, label) in SECTIONS {
                a href=(format!("#{id}")) { (label) }
            }
            @if p.live_on.is_some() || !p.retro.is_empty() { a href="#retro" { "Retrospective" } }
        }
    }
}

/// The head of the page: where it sits, the customer, the health and the ways to the project's
/// data import and its portal as the customer sees it.
fn head(d: &Derived) -> Markup {
    let p = &d.view.project;
    html! {
        div class="page-head" {
            div {
                p class="muted small" { a href="/" { "Portfolio" } " / " (p.name) }
                h1 { (p.customer) }
            }
            div class="head-actions" {
                (layout::health_badge(&d.view.health))
                a class="button secondary" href=(format!("/projects/{}/data", p.id)) { "Data import" }
                a class="button secondary" href=(format!("/projects/{}/preview", p.id)) { "View as customer" }
            }
        }
    }
}

/// The project's facts: its owners and decision makers, the launch date and how far off it is,
/// the next meeting, the days since the contract and the playbook.
fn facts(p: &Project, today: NaiveDate) -> Markup {
    html! {
        dl class="facts" {
            div { dt { "Vendor owner" } dd { (p.vendor_owner().map_or("unassigned".into(), |o| o.name.clone())) } }
            div { dt { "Customer owner" } dd { (p.customer_owner().map_or("not named".into(), |o| o.name.clone())) } }
            div { dt { "Decision makers" } dd {
                (p.decision_maker(Side::Customer).map_or("customer: not named".into(), |o| format!("customer: {}", o.name)))
                br;
                (p.decision_maker(Side::Vendor).map_or("vendor: not named".into(), |o| format!("vendor: {}", o.name)))
            } }
            div { dt { "Launch date" } dd {
                @match p.launch_date {
                    Some(l) => {
                        (l) " — "
                        @let left = (l - today).num_days();
                        @if left < 0 { span class="late" { (layout::days(-left)) " past" } } @else { (layout::days(left)) " left" }
                        @if let Some(b) = p.baseline_launch_date { @if b != l { div class="small muted" { "baseline " (b) } } }
                    },
                    None => span class="muted" { "not set" },
                }
            } }
            div { dt { "Next meeting" } dd { @match p.next_meeting { Some(m) => (m), None => span class="muted" { "not set" } } } }
            div { dt { "Days since contract" } dd { ((today - p.handoff.contract_date).num_days()) } }
            div { dt { "Playbook" } dd { (p.playbook.name) " v" (p.playbook.version) } }
        }
    }
}

/// The part of the page that depends only on the project's version and the minute (shared
/// between members, see `render`): the head, the menu and every section of the project but the
/// portal and files (read on each request) and the scorecard and activity (`activity::after`).
fn before(d: &Derived, st: &FormState, csrf: &str, now: DateTime<Utc>) -> Markup {
    let today = now.date_naive();
    let p = &d.view.project;
    html! {
        (head(d))
        (section_menu(p))
        @if !d.view.health.reasons.is_empty() {
            ul class="reasons" { @for r in &d.view.health.reasons { li { (r) } } }
        }
        (now::now_panel(d, today))
        (facts(p, today))
        (finish_line::finish_line(p, st, csrf))
        (plan_approval::panel(p))
        (plan::plan(p, st, csrf, today))
        (scope::scope(p, st, csrf))
        (handoff::handoff(p, st, csrf))
        (people::people(p, st, csrf))
        (intake::intake(p, st, csrf))
        (training::training(p, st, csrf))
        (uat::uat(p, st, csrf))
        (gates::gates(d, st, csrf))
        (adoption::adoption(p, st, csrf))
        @if p.live_on.is_some() || !p.retro.is_empty() {
            (adoption::retro(p, st, csrf))
        }
        (ratings::ratings(p))
        (status::status(d, st, csrf, today))
    }
}

pub fn status_ok() -> StatusCode {
    StatusCode::OK
}
