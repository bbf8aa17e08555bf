//! The project page: the header (customer, owners, finish line, launch date, stage track with the
//! loops taken) and a section for each part of the project, each with its forms.

use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use finishline_core::finish_line::fmt_num;
use finishline_core::lifecycle::{Stage, STAGE_ORDER};
use finishline_core::people::{Role, Side};
use finishline_core::plan::{TaskLabel, TaskStatus};
use finishline_core::project::{Project, RetroBucket, RetroKind};
use finishline_core::scorecard::Scorecard;
use finishline_store::{Invitation, InvitationMail, StoredFile};
use maud::{html, Markup, PreEscaped};
use serde::{Deserialize, Serialize};

use crate::cache::{Derived, PageHtml};
use crate::state::AppState;
use crate::ui::form::{
    clear_flash, html as html_response, page_status, take_flash, Flash, FormState,
};
use crate::ui::layout::{self, Fields, Nav};
use crate::ui::plan_approval;
use crate::ui::project_forms;
use crate::ui::session::Vendor;
use crate::ui::svg;

/// The serde name of an enum value (`customer_task`, `go_no_go`).
pub fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn people_opts(
    p: &Project,
    keep: impl Fn(&finishline_core::people::Person) -> bool,
) -> Vec<(String, String)> {
    p.people
        .iter()
        .filter(|x| keep(x))
        .map(|x| (x.id.to_string(), x.display()))
        .collect()
}

pub(crate) fn with_blank(label: &str, mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.insert(0, (String::new(), label.to_string()));
    v
}

pub fn owner_name(p: &Project, id: Option<u32>) -> String {
    id.map_or_else(|| "unowned".to_string(), |i| p.person_name(i))
}

/// The state of a task in words, with its blocker or proof.
pub fn task_state(
    p: &Project,
    t: &finishline_core::plan::Task,
    today: NaiveDate,
    file_base: &str,
) -> Markup {
    html! {
        @match &t.status {
            TaskStatus::Done { proof, by, at } => {
                span class="badge ok" { "done" }
                div class="small" {
                    "by " (p.person_name(*by)) " on " (at.date_naive()) " — "
                    @match proof {
                        finishline_core::plan::Proof::File(f) => a href=(format!("{file_base}{f}")) hx-boost="false" download { "file" },
                        finishline_core::plan::Proof::Link(l) => a href=(l) rel="noopener noreferrer" { "link" },
                        other => (other.describe()),
                    }
                }
            }
            TaskStatus::Blocked(b) => {
                span class="badge bad" { "blocked" }
                div class="small" { "needs " (b.needed) " from " (p.person_name(b.from)) " by " (b.by) }
            }
            TaskStatus::Pending => span class="badge" { "waiting on earlier tasks" },
            TaskStatus::Open => {
                // The usual state goes without a badge: the exceptions stand out, and a plan of
                // hundreds of open tasks stays light.
                @if t.is_overdue(today) { span class="badge warn" { "overdue" } } @else { "open" }
            }
        }
        // R9: the chasing done for this task, as people ask about it ("did we remind them?").
        @if t.nudges > 0 || t.escalated_at.is_some() {
            div class="small muted" {
                @if t.nudges > 0 { "nudged " (t.nudges) "×" }
                @if let Some(at) = t.escalated_at {
                    @if t.nudges > 0 { ", " }
                    "escalated on " (at.format("%-d %b"))
                }
            }
        }
    }
}

fn ball(p: &Project, t: &finishline_core::plan::Task) -> Markup {
    let (class, text) = ball_cell(p, t);
    html! { span class=(class) { (text) } }
}

/// Who the ball is with, as a class and a word: the plan table puts the class on the cell itself.
fn ball_cell(p: &Project, t: &finishline_core::plan::Task) -> (&'static str, &'static str) {
    match p.ball_for(t) {
        Some(Side::Customer) => ("side customer", "customer"),
        Some(Side::Vendor) => ("side vendor", "vendor"),
        None => ("muted", "—"),
    }
}

/// The plan as a table; `file_base` is where proof files are downloaded.
pub fn plan_table(
    p: &Project,
    today: NaiveDate,
    tasks: &[&finishline_core::plan::Task],
    file_base: &str,
) -> Markup {
    plan_rows(p, today, tasks, file_base, false)
}

/// The plan as a table, a heading row where the phase changes. With `links`, each title links to
/// its task's page (where the task is completed, blocked, moved or reassigned), so the project
/// page does not repeat every task in the pickers of its forms. Rows are kept lean because plans
/// run to hundreds of tasks: the side is said only for customer and shared tasks, proof only when
/// it is *not* needed (most tasks need it).
fn plan_rows(
    p: &Project,
    today: NaiveDate,
    tasks: &[&finishline_core::plan::Task],
    file_base: &str,
    links: bool,
) -> Markup {
    html! {
        div class="table-wrap" {
            table class="plan" {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { "Task" }
                    th scope="col" { "Owner" }
                    th scope="col" { "Due" }
                    th scope="col" { "State" }
                    th scope="col" { "Ball" }
                } }
                tbody {
                    @for (i, t) in tasks.iter().enumerate() {
                        @if i == 0 || tasks[i - 1].phase != t.phase {
                            tr class="phase" { th colspan="6" scope="colgroup" { (t.phase) } }
                        }
                        tr id=(format!("task-{}", t.id)) {
                            td { (t.id) }
                            td {
                                // `?task=` answers with a redirect to the task's page: a short
                                // link, as it is repeated for every task.
                                @if links { a href=(format!("?task={}", t.id)) { (t.title) } (flash_slot(&format!("task-{}", t.id))) } @else { (t.title) }
                                @if t.label != TaskLabel::VendorTask || !t.needs_proof {
                                    div class="muted small" {
                                        @if t.label != TaskLabel::VendorTask { (t.label.label()) }
                                        @if t.label != TaskLabel::VendorTask && !t.needs_proof { " · " }
                                        @if !t.needs_proof { "no proof needed" }
                                    }
                                }
                                // The data page of the import this task waits on, for both sides
                                // (the portal's file base is /portal/files/, the workspace's
                                // /projects/{id}/files/: the data page sits beside it).
                                @if let (Some(m), Some(base)) = (p.data_maps.iter().find(|m| m.task == Some(t.id)), file_base.strip_suffix("files/")) {
                                    div class="small" { a href=(format!("{base}data#map-{}", m.id)) { "Data import: " (m.name) } }
                                }
                            }
                            td { (owner_name(p, t.owner)) }
                            td {
                                (t.due)
                                @if t.due != t.baseline_due {
                                    div class="small muted" { "baseline " (t.baseline_due) ", moved " (t.slips()) "×" }
                                }
                            }
                            td { (task_state(p, t, today, file_base)) }
                            @let (class, who) = ball_cell(p, t);
                            td class=(class) { (who) }
                        }
                    }
                }
            }
        }
    }
}

fn stage_track(p: &Project, sc: &Scorecard) -> Markup {
    let current = p
        .stage
        .position()
        .or(p.paused_from.and_then(Stage::position));
    let loops = [
        ("realign with sales", sc.loops.sales_realign),
        ("UAT rework", sc.loops.uat_rework),
        ("no-go", sc.loops.no_go),
        ("adoption intervention", sc.loops.adoption_intervention),
    ];
    html! {
        ol class="stages" aria-label="Stages" {
            @for (i, s) in STAGE_ORDER.iter().enumerate() {
                @let class = match current { Some(c) if i < c => "done", Some(c) if i == c => "current", _ => "" };
                li class=(class) aria-current=[(Some(i) == current).then_some("step")] { (s.label()) }
            }
        }
        @if matches!(p.stage, Stage::Paused | Stage::Cancelled) {
            p { span class="badge warn" { (p.stage.label()) } }
        }
        @if loops.iter().any(|(_, n)| *n > 0) {
            p class="loops" { "Loops taken: "
                @for (l, n) in loops.iter().filter(|(_, n)| *n > 0) {
                    span class="badge loop" { "↺ " (l) " ×" (n) } " "
                }
            }
        }
    }
}

fn section(id: &str, title: &str, body: Markup) -> Markup {
    html! {
        section id=(id) aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (title) }
            (flash_slot(id))
            (body)
        }
    }
}

/// Where a confirmation for the section (or task row) `id` goes: a comment the page swaps for it
/// when it is served (the shared HTML is rendered once, the confirmation is per request).
fn flash_slot(id: &str) -> Markup {
    PreEscaped(format!("<!--flash:{id}-->"))
}

/// The role a new customer person most likely has: the first one kickoff still needs.
fn next_role(p: &Project) -> String {
    let has = |r: Role| {
        p.people
            .iter()
            .any(|x| x.side == Side::Customer && x.role == r)
    };
    [
        Role::CustomerOwner,
        Role::DecisionMaker,
        Role::BackupContact,
    ]
    .into_iter()
    .find(|r| !has(*r))
    .map_or_else(|| key(&Role::EndUser), |r| key(&r))
}

/// The over-promises, the unresolved first.
fn over_promises(p: &Project) -> Vec<&finishline_core::handoff::Promise> {
    let mut over: Vec<_> = p
        .handoff
        .promises
        .iter()
        .filter(|x| x.class.is_over_promise())
        .collect();
    over.sort_by_key(|x| (x.resolution.is_some(), x.id));
    over
}

/// How an over-promise was resolved, in words.
fn resolution_words(p: &Project, r: &finishline_core::handoff::PromiseResolution) -> String {
    use finishline_core::handoff::PromiseResolution as R;
    match r {
        R::IntoScope { plan, scope } => match scope {
            Some(s) => format!("into scope as \u{201c}{s}\u{201d}; plan: {plan}"),
            None => format!("into scope; plan: {plan}"),
        },
        R::Later { acknowledged_by } => {
            format!("later, acknowledged by {}", p.person_name(*acknowledged_by))
        }
        R::Declined { reason } => format!("declined: {reason}"),
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

/// The section of the project page where a gate's item is worked on.
fn gate_item_section(key: &str) -> &'static str {
    match key {
        "who" | "help" => "people",
        "data" | "risks" => "intake",
        "success" | "early_win" => "finish-line",
        "promises" => "handoff",
        "not_included" => "scope",
        "training" => "training",
        "uat" | "issues" => "uat",
        "build" => "plan",
        _ => "gates",
    }
}

/// What matters now: the stage, the next gate with its failing items, the customer's overdue
/// tasks and the next meeting — what a member opens the page for.
fn now_panel(d: &Derived, today: NaiveDate) -> Markup {
    let p = &d.view.project;
    let gate = if p.stage <= Stage::Kickoff {
        Some(&d.view.gates.kickoff)
    } else if p.stage <= Stage::GoNoGo {
        Some(&d.view.gates.go_live)
    } else {
        None
    };
    let mut overdue: Vec<&finishline_core::plan::Task> = p
        .tasks
        .iter()
        .filter(|t| t.is_overdue(today) && p.ball_for(t) == Some(Side::Customer))
        .collect();
    overdue.sort_by_key(|t| (t.due, t.id));
    html! {
        section id="now" aria-labelledby="now-h" class="now-wrap" {
            h2 id="now-h" class="sr-only" { "Now" }
            (flash_slot("now"))
            (stage_track(p, &d.view.scorecard))
            div class="now" {
                div {
                    @match gate {
                        Some(g) => {
                            h2 { "Next gate: " (crate::ui::form::gate_title(g.gate)) }
                            @let failing: Vec<_> = g.failing().collect();
                            @if failing.is_empty() {
                                p { span class="badge ok" { "ready" } " every item passes." }
                            } @else {
                                p class="small muted" { (g.items.len() - failing.len()) " of " (g.items.len()) " items pass." }
                                ul { @for i in &failing {
                                    li { a href=(format!("#{}", gate_item_section(&i.key))) { (i.label) } div class="small muted" { (i.reason) } }
                                } }
                            }
                        },
                        None => { h2 { "Gates" } p { "Both gates are behind this project." } },
                    }
                }
                div {
                    h2 { "Customer's overdue tasks" }
                    @if overdue.is_empty() { p class="muted" { "None overdue." } }
                    ul { @for t in overdue.iter().take(5) {
                        li { a href=(format!("/projects/{}/tasks/{}", p.id, t.id)) { (t.title) } div class="small" { (owner_name(p, t.owner)) " · due " (t.due) " · " span class="late" { (layout::days((today - t.due).num_days())) " late" } } }
                    } }
                    @if overdue.len() > 5 { p class="small" { a href="#plan" { "and " (overdue.len() - 5) " more in the plan" } } }
                }
                div {
                    h2 { "Next meeting" }
                    @match p.next_meeting {
                        Some(m) => p { (m.format("%A %-d %B %Y")) @if m < today { " " span class="badge warn" { "past: set the next one" } } },
                        None => p class="muted" { "Not set." },
                    }
                    p class="small" { a href="#plan-forms" { "Set the next meeting or the launch date" } }
                }
            }
        }
    }
}

/// A form posting to an action of this project.
pub(crate) fn action_form(
    p: &Project,
    action: &str,
    f: &Fields,
    csrf: &str,
    submit: &str,
    multipart: bool,
    body: Markup,
) -> Markup {
    html! {
        form method="post" action=(format!("/projects/{}/actions/{action}", p.id))
            enctype=[multipart.then_some("multipart/form-data")] class="action" {
            (f.hidden(csrf))
            (f.message())
            (body)
            button type="submit" { (submit) }
        }
    }
}

/// A one-button form acting on one item of a list (grant this access, close this issue).
fn row_action(
    p: &Project,
    action: &str,
    csrf: &str,
    fields: &[(&str, String)],
    label: &str,
) -> Markup {
    html! {
        form method="post" action=(format!("/projects/{}/actions/{action}", p.id)) class="inline" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="_form" value=(action);
            @for (k, v) in fields { input type="hidden" name=(k) value=(v); }
            button type="submit" class="link" { (label) }
        }
    }
}

/// Stands for each member's CSRF token in the HTML shared between members: random per process,
/// so no project text can spell it, and swapped for the token of whoever is served.
static CSRF_SLOT: LazyLock<String> =
    LazyLock::new(|| format!("csrf-slot-{}", uuid::Uuid::new_v4().simple()));

/// How many of the latest activities the project page lists.
const ACTIVITY_SHOWN: usize = 30;

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
    let middle = live_sections(p, &files, &invitations, &mails, mail_on, &st, csrf, now);
    let body = if st.is_empty() {
        let shared = d.html.get_or_init(|| {
            let none = FormState::default();
            Arc::new(PageHtml {
                before: before(&d, &none, CSRF_SLOT.as_str(), now).into_string(),
                after: after(&d).into_string(),
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
            (after(&d))
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

/// An invitation's state in words: used, revoked, expired, or open until when.
fn invitation_state(inv: &Invitation, now: DateTime<Utc>) -> Markup {
    html! {
        @if let Some(at) = inv.revoked_at { span class="badge" { "revoked" } " " span class="small muted" { (at.format("%-d %b %Y")) } }
        @else if let Some(at) = inv.used_at { span class="badge ok" { "joined" } " " span class="small muted" { (at.format("%-d %b %Y")) } }
        @else if inv.expires_at <= now { span class="badge" { "expired" } " " span class="small muted" { (inv.expires_at.format("%-d %b %Y")) } }
        @else { span class="badge" { "not used yet" } " " span class="small" { "expires " (inv.expires_at.format("%-d %b %Y")) } }
    }
}

/// Where an invitation's email is, as the outbox has it.
fn mail_state(mail: Option<&InvitationMail>, mail_on: bool) -> Markup {
    html! {
        span class="small" {
            @match mail {
                Some(m) if m.sent_at.is_some() => { "· emailed " (m.sent_at.map(|t| t.format("%-d %b %H:%M").to_string()).unwrap_or_default()) },
                Some(m) if m.failed_at.is_some() => { "· " span class="late" { "email failed" } ": " (m.last_error.clone().unwrap_or_default()) },
                Some(m) if !mail_on => { "· not emailed (no mail server; in the outbox)" @if m.attempts > 0 { "" } },
                Some(m) if m.attempts > 0 => { "· email being retried (" (m.attempts) " attempts)" },
                Some(_) => "· email being sent",
                None => "· link only (made before invitations were emailed)",
            }
        }
    }
}

/// The invitations and files: read on every request (they change without a new project version).
#[expect(
    clippy::too_many_arguments,
    reason = "what is read per request, passed as it was read"
)]
fn live_sections(
    p: &Project,
    files: &[StoredFile],
    invitations: &[Invitation],
    mails: &[InvitationMail],
    mail_on: bool,
    st: &FormState,
    csrf: &str,
    now: DateTime<Utc>,
) -> Markup {
    let customers = people_opts(p, |x| x.side == Side::Customer);
    // The form starts on the customer person to invite next: the decision maker first, then
    // the owner, then anyone with no live or used invitation.
    let invited = |id: u32| {
        invitations.iter().any(|i| {
            i.person_id == id
                && i.revoked_at.is_none()
                && (i.used_at.is_some() || i.expires_at > now)
        })
    };
    let uninvited = [Role::DecisionMaker, Role::CustomerOwner]
        .into_iter()
        .find_map(|r| {
            p.people
                .iter()
                .find(|x| x.side == Side::Customer && x.role == r && !invited(x.id))
        })
        .or_else(|| {
            p.people
                .iter()
                .find(|x| x.side == Side::Customer && !invited(x.id))
        })
        .map(|x| x.id.to_string())
        .unwrap_or_default();
    let fb = format!("/projects/{}/files/", p.id);
    html! {
        (section("portal", "Customer portal", html! {
            p class="muted small" {
                "An invitation emails one customer person a link into this project's portal: single use, valid " (crate::ui::INVITATION_DAYS) " days, revocable. "
                @if !mail_on { strong { "No mail server is configured: " } "invitations wait in the " a href="/outbox" { "outbox" } "; copy the link shown after inviting and send it yourself." }
            }
            @let fi = Fields::new(Some(st), "invite");
            form method="post" action=(format!("/projects/{}/invitations", p.id)) class="action" id="form-invite" {
                (fi.hidden(csrf))
                (fi.message())
                (fi.select("person", "Customer person", &with_blank("choose a person", customers), &uninvited))
                button type="submit" { (if mail_on { "Email an invitation" } else { "Create invitation link" }) }
            }
            @if !invitations.is_empty() {
                h3 { "Invitations" }
                ul class="invitations" { @for (n, inv) in invitations.iter().enumerate() { li {
                    strong { (p.person_name(inv.person_id)) } " "
                    @if let Some(x) = p.person(inv.person_id) { span class="small muted" { (x.email) } " " }
                    (invitation_state(inv, now)) " "
                    (mail_state(mails.iter().find(|m| m.invitation_id == inv.id), mail_on))
                    div class="small muted" { "sent by " (inv.created_by) " on " (inv.created_at.format("%-d %b %Y")) }
                    div {
                        // Resent from the newest invitation of each person (a new link, that one revoked).
                        @if !invitations[..n].iter().any(|o| o.person_id == inv.person_id) {
                            form method="post" action=(format!("/projects/{}/invitations/{}/resend", p.id, inv.id)) class="inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" class="link" { "Resend (new link)" }
                            }
                        }
                        @if inv.revoked_at.is_none() {
                            form method="post" action=(format!("/projects/{}/invitations/{}/revoke", p.id, inv.id)) class="inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" class="link" { "Revoke" }
                            }
                        }
                        " " a href=(format!("/projects/{}/preview?person={}", p.id, inv.person_id)) { "preview their portal" }
                    }
                } } }
            }
        }))

        (section("files", "Files", html! {
            @if files.is_empty() { p class="muted" { "No files." } }
            ul { @for file in files { li { a href=(format!("{fb}{}", file.id)) hx-boost="false" download { (file.name) } " — " (file.size) " bytes, by " (file.uploaded_by) } } }
        }))
    }
}

/// The scorecard and the activity log: the end of the page, the same for every member.
fn after(d: &Derived) -> Markup {
    let sc = &d.view.scorecard;
    html! {
        (section("scorecard", "Scorecard", html! {
            dl class="facts" {
                div { dt { "Days to launch" } dd { (sc.days_to_launch) (if sc.live { " (live)" } else { " so far" }) } }
                div { dt { "Waiting on customer" } dd { (layout::days_f(sc.days_waiting_on_customer)) } }
                div { dt { "Waiting on vendor" } dd { (layout::days_f(sc.days_waiting_on_vendor)) } }
                div { dt { "Re-baselines" } dd { (sc.rebaselines) } }
                div { dt { "Loops" } dd { "UAT " (sc.loops.uat_rework) " · realign " (sc.loops.sales_realign) " · no-go " (sc.loops.no_go) } }
                div { dt { "First-week logins" } dd { (sc.first_week_logins.map(|n| n.to_string()).unwrap_or_else(|| "—".into())) } }
            }
        }))

        (section("activity", "Activity", html! {
            ol class="activity" {
                @for a in d.activities.iter().rev().take(ACTIVITY_SHOWN) {
                    li { time datetime=(a.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) { (a.at.format("%Y-%m-%d %H:%M")) } " " span class="actor" { (a.actor) } " — " (a.summary) }
                }
            }
            @if d.activities.len() > ACTIVITY_SHOWN { p class="muted small" { "Showing the latest " (ACTIVITY_SHOWN) " of " (d.activities.len()) "; each task's page shows its whole history." } }
        }))
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one page's sections in the order they are shown"
)]
fn before(d: &Derived, st: &FormState, csrf: &str, now: DateTime<Utc>) -> Markup {
    let today = now.date_naive();
    let p = &d.view.project;
    let fb = format!("/projects/{}/files/", p.id);
    let f = |k: &str| Fields::new(Some(st), k);
    let everyone = people_opts(p, |_| true);
    let customers = people_opts(p, |x| x.side == Side::Customer);
    let open_crs: Vec<(String, String)> = p
        .change_requests
        .iter()
        .filter(|c| c.is_open())
        .map(|c| (c.id.to_string(), format!("#{} {}", c.id, c.title)))
        .collect();
    let dms = people_opts(p, |x| x.role == Role::DecisionMaker);
    let csms = people_opts(p, |x| x.role == Role::RenewalCsm);
    let tasks: Vec<&finishline_core::plan::Task> = p.tasks.iter().collect();
    let open_issues: Vec<(String, String)> = p
        .issues
        .iter()
        .filter(|i| i.is_open())
        .map(|i| (i.id.to_string(), format!("#{} {}", i.id, i.title)))
        .collect();
    let sessions: Vec<(String, String)> = p
        .training
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                format!("{} ({})", s.title, s.scheduled_at.date_naive()),
            )
        })
        .collect();
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
        (section_menu(p))
        @if !d.view.health.reasons.is_empty() {
            ul class="reasons" { @for r in &d.view.health.reasons { li { (r) } } }
        }
        (now_panel(d, today))
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
        div class="finish-line" id="finish-line" {
            h2 { "Finish line" }
            (flash_slot("finish-line"))
            @match &p.finish_line {
                Some(fl) => {
                    p class="line" { (fl.text) }
                    @if !fl.vague_reasons.is_empty() {
                        p class="refusal" { strong { "Too vague to measure (R2): " } (fl.vague_reasons.join("; ")) }
                    }
                },
                None => p class="muted" { "Not written yet." },
            }
            @if !p.criteria.is_empty() {
                ul { @for c in &p.criteria {
                    li { (c.describe()) " — measured by " (c.how_measured)
                        @if p.early_win == Some(c.id) { " " span class="badge ok" { "early win" } }
                        @if let Some(v) = c.measured {
                            " · measured " (fmt_num(v)) " "
                            @if c.is_met() { span class="badge ok" { "met" } } @else { span class="badge warn" { "not met" } }
                        }
                        @if let Some(a) = &c.accepted {
                            " " span class="badge ok" { "accepted by " (p.person_name(a.by)) } " " span class="small" { (a.reason) }
                        }
                    }
                } }
            }
            (project_forms::links(p, &project_forms::offered(p, "finish-line")))
            details open[matches!(st.form.as_str(), "set_finish_line" | "add_criterion") || p.finish_line.is_none() || p.criteria.is_empty()] {
                summary { "Edit the finish line or add a criterion" }
                @let ff = f("set_finish_line");
                (action_form(p, "set_finish_line", &ff, csrf, "Save finish line", false, html! {
                    (ff.textarea("text", "Finish line: the user, the task and what done looks like, with a number", p.finish_line.as_ref().map_or("", |x| x.text.as_str()), true))
                }))
                @let fc = f("add_criterion");
                (action_form(p, "add_criterion", &fc, csrf, "Add criterion", false, html! {
                    div class="row" {
                        (fc.input("metric", "Metric", "text", "", true))
                        (fc.input("baseline", "Baseline", "text", "", false))
                        (fc.select("direction", "Better when", &[("at_least".into(), "at least the target".into()), ("at_most".into(), "at most the target".into())], "at_least"))
                        (fc.input("target", "Target", "text", "", true))
                        (fc.input("unit", "Unit", "text", "", false))
                    }
                    (fc.input("how_measured", "How it is measured", "text", "", true))
                }))
            }
        }
        (plan_approval::panel(p))
        (section("plan", "Plan", html! {
            p class="muted small" { "Open a task to complete it with proof, block it, move its due date or reassign it." }
            (plan_rows(p, today, &tasks, &fb, true))
            h3 id="gantt" { "Gantt" }
            // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
            div class="gantt-wrap" tabindex="0" role="region" aria-labelledby="gantt" { (svg::gantt(p, today)) }
            (svg::gantt_legend())
            div class="forms" id="plan-forms" {
                @let ft = f("add_task");
                (action_form(p, "add_task", &ft, csrf, "Add task", false, html! {
                    h3 { "Add a task" }
                    (ft.input("title", "Title", "text", "", true))
                    div class="row" {
                        (ft.input("phase", "Phase", "text", "", true))
                        (ft.select("label", "Side", &task_labels(), "vendor_task"))
                    }
                    div class="row" {
                        (ft.select("owner", "Owner", &with_blank("choose a person", everyone.clone()), ""))
                        (ft.input("due", "Due", "date", "", true))
                    }
                    (ft.select("visibility", "Who sees it", &with_blank("choose: shared or internal", visibilities()), ""))
                }))
                @let fl = f("set_launch_date");
                (action_form(p, "set_launch_date", &fl, csrf, "Set launch date", false, html! {
                    h3 { "Launch date" }
                    (fl.input("date", "Launch date", "date", &p.launch_date.map(|d| d.to_string()).unwrap_or_default(), true))
                    (fl.input("reason", "Reason (when moving it)", "text", "", false))
                }))
                @let fnm = f("set_next_meeting");
                (action_form(p, "set_next_meeting", &fnm, csrf, "Set next meeting", false, html! {
                    h3 { "Next meeting" }
                    (fnm.input("date", "Next meeting", "date", &p.next_meeting.map(|d| d.to_string()).unwrap_or_default(), true))
                }))
            }
        }))

        (section("scope", "Scope and change requests", html! {
            div class="cols" {
                @for (bucket, title) in [(finishline_core::scope::ScopeBucket::In, "In phase one"), (finishline_core::scope::ScopeBucket::Later, "Later"), (finishline_core::scope::ScopeBucket::Out, "Not included")] {
                    div { h3 { (title) } ul { @for s in p.scope.iter().filter(|s| s.bucket == bucket) { li { (s.text) } } } }
                }
            }
            (project_forms::links(p, &project_forms::offered(p, "scope")))
            @if p.nothing_excluded_confirmed { p class="muted" { "Nothing excluded (confirmed)." } }
            @else if !p.scope.iter().any(|s| s.bucket == finishline_core::scope::ScopeBucket::Out) {
                (f("confirm_nothing_excluded").message())
                p class="muted small" { "Nothing is listed as not included. "
                    (row_action(p, "confirm_nothing_excluded", csrf, &[], "Confirm phase one excludes nothing")) }
            }
            h3 { "Change requests" }
            @if p.change_requests.is_empty() { p class="muted" { "None." } }
            ul class="crs" {
                @for c in &p.change_requests {
                    li {
                        strong { "#" (c.id) " " (c.title) }
                        " — requested by " (p.person_name(c.requested_by)) " on " (c.requested_at.date_naive())
                        @if c.is_material() { " " span class="badge warn" { "material change (R4)" } }
                        @if !c.description.is_empty() { div class="small" { (c.description) } }
                        @for a in &c.approvals {
                            div class="small" { (p.person_name(a.person)) (if a.approved { " approved" } else { " declined" }) @if !a.note.is_empty() { ": " (a.note) } }
                        }
                        @match &c.decision {
                            Some(dc) => div { span class="badge ok" { "decided: " (dc.decision.label()) } @if !dc.note.is_empty() { " — " (dc.note) } },
                            None => div { span class="badge" { "open" } },
                        }
                    }
                }
            }
            div class="forms" {
                @let fs = f("add_scope_item");
                (action_form(p, "add_scope_item", &fs, csrf, "Add to scope", false, html! {
                    h3 { "Scope item" }
                    (fs.input("text", "Item", "text", "", true))
                    (fs.select("bucket", "Bucket", &scope_buckets(), "in"))
                }))
                @let fq = f("request_change");
                (action_form(p, "request_change", &fq, csrf, "Record request", false, html! {
                    h3 { "New change request" }
                    (fq.input("title", "Title", "text", "", true))
                    (fq.input("description", "Description", "text", "", false))
                    (fq.select("requested_by", "Requested by", &with_blank("choose a person", everyone.clone()), ""))
                    (fq.checkbox("adds_new_data", "adds new data", false))
                    (fq.checkbox("adds_new_workflow", "adds a new workflow", false))
                    (fq.checkbox("adds_new_team", "adds a new team", false))
                    (fq.input("proposed_launch_date", "Proposed launch date", "date", "", false))
                }))
                @if !open_crs.is_empty() {
                    @let fa = f("answer_change");
                    (action_form(p, "answer_change", &fa, csrf, "Record answer", false, html! {
                        h3 { "A decision maker's answer" }
                        (fa.select("request", "Change request", &open_crs, ""))
                        (fa.select("person", "Decision maker", &with_blank("choose", dms.clone()), ""))
                        (fa.select("approved", "Answer", &[("yes".into(), "approve".into()), ("no".into(), "decline".into())], "yes"))
                        (fa.input("note", "Note", "text", "", false))
                    }))
                    @let fd = f("decide_change");
                    (action_form(p, "decide_change", &fd, csrf, "Record decision", false, html! {
                        h3 { "Decide a change request" }
                        (fd.select("request", "Change request", &open_crs, ""))
                        (fd.select("decision", "Decision", &[("add_now".into(), "add now".into()), ("phase_two".into(), "phase two".into()), ("decline".into(), "decline".into())], ""))
                        (fd.input("note", "Note", "text", "", false))
                    }))
                }
            }
        }))

        (section("handoff", "Handoff and sales promises", html! {
            p { strong { "Sold: " } (p.handoff.sold) }
            p class="small muted" { "Champion: " (p.handoff.champion) " · expected timeline: " (p.handoff.expected_timeline) " · AE: " (p.handoff.account_executive) " · contract " (p.handoff.contract_date) }
            @if p.handoff.promises.is_empty() { p class="muted" { "No promises recorded." } }
            ul { @for pr in &p.handoff.promises {
                li {
                    "#" (pr.id) " " (pr.text) " — " span class=(if pr.class.is_over_promise() { "badge warn" } else { "badge ok" }) { (key(&pr.class).replace('_', " ")) }
                    @if let Some(r) = &pr.resolution { " " span class="badge ok" { "resolved" } " " span class="small" { (resolution_words(p, r)) } }
                    @else if pr.is_unresolved() { " " span class="badge bad" { "unresolved" } }
                }
            } }
            (project_forms::links(p, &project_forms::offered(p, "handoff")))
            @if !p.handoff.promises.is_empty() {
                @let unclassified = p.handoff.promises.iter().find(|x| x.class == finishline_core::handoff::PromiseClass::Unclassified).map(|x| x.id.to_string()).unwrap_or_default();
                // Over-promises, the unresolved first: the form starts on one that needs it.
                @let over = over_promises(p);
                @let over_opts: Vec<(String, String)> = over.iter().map(|x| (x.id.to_string(), format!("#{} {}{}", x.id, x.text, if x.resolution.is_some() { " (resolved)" } else { "" }))).collect();
                @let first_open = over.iter().find(|x| x.is_unresolved()).map(|x| x.id.to_string()).unwrap_or_default();
                div class="forms" {
                    @let fc = f("classify_promise");
                    (action_form(p, "classify_promise", &fc, csrf, "Classify", false, html! {
                        h3 { "Classify a promise" }
                        (fc.select("promise", "Promise", &p.handoff.promises.iter().map(|x| (x.id.to_string(), format!("#{} {}", x.id, x.text))).collect::<Vec<_>>(), &unclassified))
                        (fc.select("class", "Class", &promise_classes(), ""))
                    }))
                    @if !over.is_empty() {
                        @let fr = f("resolve_promise");
                        // One button per outcome, each with the fields that outcome needs: moving
                        // a promise into scope asks what scope will say and the plan.
                        form method="post" action=(format!("/projects/{}/actions/resolve_promise", p.id)) class="action" {
                            (fr.hidden(csrf))
                            (fr.message())
                            h3 { "Resolve an over-promise" }
                            @if first_open.is_empty() { p class="small muted" { "Every over-promise is resolved; choose one to change how." } }
                            (fr.select("promise", "Promise", &over_opts, &first_open))
                            fieldset {
                                legend { "Into scope with a plan" }
                                (fr.input("scope", "What phase one's scope will say", "text", "", false))
                                (fr.input("plan", "The plan to deliver it", "text", "", false))
                                button type="submit" name="outcome" value="into_scope" { "Bring into scope" }
                            }
                            fieldset {
                                legend { "Later, acknowledged by the customer" }
                                (fr.select("acknowledged_by", "Acknowledged by (a customer person)", &with_blank("—", customers.clone()), ""))
                                button type="submit" name="outcome" value="later" class="secondary" { "Move to later" }
                            }
                            fieldset {
                                legend { "Declined" }
                                (fr.input("reason", "The reason given to the customer", "text", "", false))
                                button type="submit" name="outcome" value="declined" class="secondary" { "Decline" }
                            }
                        }
                    }
                }
            }
        }))

        (section("people", "People and roles", html! {
            div class="table-wrap" { table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Side" } th scope="col" { "Email" } th scope="col" { "Help contact" } } }
                tbody { @for x in &p.people { tr {
                    td data-label="Name" { (x.name) } td data-label="Role" { (x.role.label()) } td data-label="Side" { (x.side.label()) }
                    td data-label="Email" { (x.email) }
                    td data-label="Help contact" { (x.help_contact.map(|h| p.person_name(h)).unwrap_or_default()) }
                } } }
            } }
            (project_forms::links(p, &project_forms::offered(p, "people")))
            @let fa = f("add_person");
            (action_form(p, "add_person", &fa, csrf, "Add person", false, html! {
                h3 { "Add a person" }
                div class="row" {
                    (fa.input("name", "Name", "text", "", true))
                    (fa.input("email", "Email", "email", "", true))
                    (fa.select("side", "Side", &[("customer".into(), "customer".into()), ("vendor".into(), "vendor".into())], "customer"))
                    (fa.select("role", "Role", &roles(), &next_role(p)))
                }
            }))
        }))

        (section("intake", "Intake, access, data and risks", html! {
            div class="cols" {
                div {
                    h3 { "Intake requests" }
                    ul { @for r in &p.intake { li {
                        (r.question) " — " (p.person_name(r.owner)) ", due " (r.due)
                        @match &r.answer { Some(a) => div class="small" { "answered: " (a) }, None => { " " span class="badge" { "open" } } }
                    } } }
                    @if p.intake.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Access" }
                    (f("grant_access").message())
                    ul { @for a in &p.access { li {
                        (a.what) " — granted by " (p.person_name(a.grantor)) ", due " (a.due)
                        @if a.granted_at.is_some() { " " span class="badge ok" { "granted" } } @else {
                            " " span class="badge" { "open" } " "
                            (row_action(p, "grant_access", csrf, &[("item", a.id.to_string())], "Mark granted"))
                        }
                    } } }
                    @if p.access.is_empty() { p class="muted" { "None." } }
                }
                div {
                    h3 { "Data sources" }
                    ul { @for s in &p.data_sources { li { (s.name) " (" (s.system) ") — sample " (key(&s.sample).replace('_', " ")) } } }
                    h3 { "Risks" }
                    ul { @for r in &p.risks { li { (r.text) } } }
                    @if p.no_known_risks { p class="muted" { "None known (stated)." } }
                    @else if p.risks.is_empty() {
                        (f("confirm_no_known_risks").message())
                        p class="muted small" { "No risk recorded. " (row_action(p, "confirm_no_known_risks", csrf, &[], "State that none are known")) }
                    }
                }
            }
            (project_forms::links(p, &project_forms::offered(p, "intake")))
            div class="forms" {
                @let fi = f("add_intake_request");
                (action_form(p, "add_intake_request", &fi, csrf, "Ask", false, html! {
                    h3 { "Ask the customer" }
                    (fi.select("kind", "Kind", &intake_kinds(), "other"))
                    (fi.input("question", "Question", "text", "", true))
                    (fi.select("owner", "Who answers", &with_blank("choose a person", customers.clone()), ""))
                    (fi.input("due", "Due", "date", "", true))
                }))
                @let fx = f("add_access_item");
                (action_form(p, "add_access_item", &fx, csrf, "Ask for access", false, html! {
                    h3 { "Access needed" }
                    (fx.input("what", "What access (SSO, API key, admin account…)", "text", "", true))
                    (fx.select("direction", "Direction", &[("customer_to_vendor".into(), "the customer grants us".into()), ("vendor_to_customer".into(), "we grant the customer".into())], "customer_to_vendor"))
                    (fx.select("grantor", "Who grants it", &with_blank("choose a person", everyone.clone()), ""))
                    (fx.input("due", "Due", "date", "", true))
                }))
                @let fd = f("add_data_source");
                (action_form(p, "add_data_source", &fd, csrf, "Add source", false, html! {
                    h3 { "Data source" }
                    (fd.input("name", "Name", "text", "", true))
                    (fd.input("system", "System", "text", "", false))
                    (fd.select("sample", "Sample", &sample_states(), "requested"))
                }))
                @let fr = f("add_risk");
                (action_form(p, "add_risk", &fr, csrf, "Add risk", false, html! {
                    h3 { "Risk" }
                    (fr.input("text", "Risk to launch", "text", "", true))
                }))
            }
        }))

        (section("training", "Training", html! {
            @if p.training.is_empty() { p class="muted" { "No sessions scheduled." } }
            (f("mark_training_held").message())
            (f("send_training_recap").message())
            ul { @for s in &p.training { li {
                (s.title) " — " (s.audience.label()) ", " (s.scheduled_at.format("%Y-%m-%d %H:%M UTC")) ", " (s.minutes) " min"
                @if s.held { " " span class="badge ok" { "held" } }
                " · " (s.attendees.iter().filter(|a| a.completed).count()) "/" (s.attendees.len()) " practice tasks completed"
                @if !s.held { " " (row_action(p, "mark_training_held", csrf, &[("session", s.id.to_string())], "Mark held")) }
                @else if s.recap_sent_at.is_none() { " " (row_action(p, "send_training_recap", csrf, &[("session", s.id.to_string())], "Send recap")) }
                @else { " · recap sent" }
                @if !s.attendees.is_empty() {
                    ul class="small" { @for at in &s.attendees { li {
                        (p.person_name(at.person)) ": " (at.practice_task) (if at.completed { " — done" } else { " — not done yet" })
                    } } }
                }
            } } }
            div class="forms" {
                @let fs = f("schedule_training");
                (action_form(p, "schedule_training", &fs, csrf, "Schedule", false, html! {
                    h3 { "Schedule a session" }
                    (fs.input("title", "Title", "text", "", true))
                    (fs.select("audience", "Audience", &audiences(), "daily_users"))
                    div class="row" {
                        (fs.input("scheduled_at", "When (UTC)", "datetime-local", "", true))
                        (fs.input("minutes", "Minutes (30 to 45)", "number", "45", true))
                    }
                }))
                @if !sessions.is_empty() {
                    @let fa = f("record_attendance");
                    (action_form(p, "record_attendance", &fa, csrf, "Record attendance", false, html! {
                        h3 { "Attendance" }
                        (fa.select("session", "Session", &sessions, ""))
                        (fa.select("person", "Person", &with_blank("choose a person", everyone.clone()), ""))
                        (fa.input("practice_task", "Practice task they did", "text", "", true))
                        (fa.checkbox("completed", "completed the practice task", true))
                    }))
                }
            }
        }))

        (section("uat", "UAT and issues", html! {
            @if p.uat.is_empty() { p class="muted" { "No UAT cases." } }
            ul { @for c in &p.uat { li {
                (c.title)
                // The result is a tagged value (with when, and notes on failure), not a plain word.
                @match &c.result {
                    finishline_core::uat::UatResult::Passed { .. } => { " " span class="badge ok" { "passed" } },
                    finishline_core::uat::UatResult::Failed { notes, .. } => {
                        " " span class="badge bad" { "failed" }
                        @if !notes.is_empty() { " " span class="small" { (notes) } }
                    },
                    finishline_core::uat::UatResult::NotRun => { " " span class="badge" { "not run" } },
                }
                @if c.failures > 0 { " · failed " (c.failures) "×" }
            } } }
            @if !p.criteria.is_empty() {
                div class="forms" {
                    @let fa = f("add_uat_case");
                    (action_form(p, "add_uat_case", &fa, csrf, "Add case", false, html! {
                        h3 { "UAT case" }
                        (fa.input("title", "Test case", "text", "", true))
                        (fa.select("criterion", "Success criterion it proves", &p.criteria.iter().map(|c| (c.id.to_string(), c.describe())).collect::<Vec<_>>(), ""))
                    }))
                    @if !p.uat.is_empty() {
                        @let fr = f("record_uat_result");
                        (action_form(p, "record_uat_result", &fr, csrf, "Record result", false, html! {
                            h3 { "UAT result" }
                            (fr.select("case", "Case", &p.uat.iter().map(|c| (c.id.to_string(), c.title.clone())).collect::<Vec<_>>(), ""))
                            (fr.select("passed", "Result", &[("yes".into(), "passed".into()), ("no".into(), "failed".into())], "yes"))
                            (fr.input("notes", "Notes", "text", "", false))
                            (fr.select("loop_to", "On failure, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                        }))
                    }
                }
            }
            h3 id="issues" { "Issues" }
            (f("close_issue").message())
            ul { @for i in &p.issues { li {
                "#" (i.id) " " (i.title) " — " (owner_name(p, i.owner)) @if let Some(d) = i.due { ", due " (d) }
                @if i.is_open() {
                    " " span class="badge warn" { "open" } " "
                    (row_action(p, "close_issue", csrf, &[("issue", i.id.to_string())], "Close"))
                } @else { " " span class="badge ok" { "closed" } }
            } } }
            @if p.issues.is_empty() { p class="muted" { "No issues." } }
            div class="forms" {
                @let fo = f("open_issue");
                (action_form(p, "open_issue", &fo, csrf, "Open issue", false, html! {
                    h3 { "Open an issue" }
                    (fo.input("title", "What is wrong", "text", "", true))
                    (fo.select("owner", "Owner", &with_blank("nobody yet", everyone.clone()), ""))
                    (fo.input("due", "Due", "date", "", false))
                }))
                @if !open_issues.is_empty() {
                    @let fu = f("update_issue");
                    (action_form(p, "update_issue", &fu, csrf, "Update issue", false, html! {
                        h3 { "Assign or reschedule an issue" }
                        (fu.select("issue", "Issue", &open_issues, ""))
                        (fu.select("owner", "Owner", &with_blank("keep the owner", everyone.clone()), ""))
                        (fu.input("due", "Due", "date", "", false))
                    }))
                }
            }
        }))

        (section("gates", "Gates and stage", html! {
            div class="cols" {
                (layout::gate_checklist(&d.view.gates.kickoff))
                (layout::gate_checklist(&d.view.gates.go_live))
            }
            (project_forms::links(p, &project_forms::offered(p, "gates")))
            div class="forms" {
                @let fa = f("advance_stage");
                (action_form(p, "advance_stage", &fa, csrf, "Advance", false, html! {
                    h3 { "Advance the stage" }
                    (fa.select("to", "To stage", &STAGE_ORDER.iter().map(|s| (s.key(), s.label().to_string())).collect::<Vec<_>>(), &p.stage.next().map(Stage::key).unwrap_or_default()))
                }))
                @if p.stage == Stage::GoNoGo {
                    @let fg = f("decide_go_live");
                    (action_form(p, "decide_go_live", &fg, csrf, "Record decision", false, html! {
                        h3 { "Go / no-go decision" }
                        (fg.select("go", "Decision", &[("go".into(), "go".into()), ("no".into(), "no-go".into())], "go"))
                        (fg.input("reason", "Reason", "text", "", true))
                        (fg.input("override_reason", "Override the gate (owner only): why", "text", "", false))
                        (fg.select("back_to", "On no-go, loop back to", &[("".into(), "—".into()), ("build".into(), "build".into()), ("configuration".into(), "configuration".into()), ("training".into(), "training".into())], ""))
                    }))
                }
            }
            @if p.stage == Stage::Paused {
                (f("resume").message())
                p { span class="badge warn" { "paused" } " " (row_action(p, "resume", csrf, &[], "Resume where it stopped")) }
            }
            @if !p.go_decisions.is_empty() {
                h3 { "Decisions" }
                ul { @for g in &p.go_decisions { li { (if g.go { "GO" } else { "NO-GO" }) " by " (g.decided_by) " on " (g.at.date_naive()) ": " (g.reason) } } }
            }
        }))

        (section("adoption", "Adoption and transition", html! {
            @if p.adoption.is_empty() { p class="muted" { "No adoption reading yet (measured after go-live)." } }
            ul { @for r in p.adoption.iter().rev() { li {
                (r.at.date_naive()) ": " (r.active_users) " of " (r.trained_users) " trained users active"
                @if let Some(n) = r.logins_first_week { " · " (n) " first-week logins" }
                @if let Some(n) = r.support_questions { " · " (n) " support questions" }
                @if !r.stall_reasons.is_empty() { " " span class="badge warn" { "stalled: " (r.stall_reasons.join("; ")) } }
            } } }
            h3 { "Transition to customer success" }
            @match &p.transition {
                Some(t) => p {
                    "Packet for " (p.person_name(t.renewal_csm)) ", prepared " (t.prepared_at.date_naive()) " · "
                    @if let Some(at) = t.accepted_at { span class="badge ok" { "accepted " (at.date_naive()) } }
                    @else { span class="badge warn" { "not accepted yet" } " " (row_action(p, "accept_transition", csrf, &[], "Accept the packet")) span class="small muted" { " (the renewal CSM accepts it, signed in as themself)" } }
                    div class="small" { (t.notes) }
                },
                None => p class="muted" { "No transition packet yet." },
            }
            (f("accept_transition").message())
            // Adoption is measured, and the packet handed over, once the project is live.
            @if p.stage.is_live() { div class="forms" {
                @let fa = f("record_adoption");
                (action_form(p, "record_adoption", &fa, csrf, "Record adoption", false, html! {
                    h3 { "Adoption reading" }
                    div class="row" {
                        (fa.input("active_users", "Active users (last 7 days)", "number", "", true))
                        (fa.input("trained_users", "Trained users", "number", "", true))
                    }
                    div class="row" {
                        (fa.input("logins_first_week", "First-week logins", "number", "", false))
                        (fa.input("support_questions", "Support questions", "number", "", false))
                    }
                    (fa.input("key_features_unused", "Key features unused (comma-separated)", "text", "", false))
                    (fa.select("intervention", "If it stalled: intervention", &interventions(), ""))
                }))
                @let fp = f("prepare_transition");
                (action_form(p, "prepare_transition", &fp, csrf, "Prepare packet", false, html! {
                    h3 { "Transition packet" }
                    (fp.select("renewal_csm", "Renewal CSM", &with_blank(if csms.is_empty() { "add a person with the renewal CSM role first" } else { "choose a person" }, csms.clone()), ""))
                    (fp.textarea("notes", "Notes for customer success (goals, risks, contacts)", "", true))
                }))
            } }
        }))

        @if p.live_on.is_some() || !p.retro.is_empty() {
            (section("retro", "Retrospective", retro(p, &f, csrf)))
        }

        (section("status", "Status update", html! {
            @let fs = f("record_status_update");
            (action_form(p, "record_status_update", &fs, csrf, "Send status update", false, html! {
                p class="muted small" { "Drafted from what happened since the last update (status update after every meeting, R10). Edit, then send." }
                (fs.input("meeting_date", "Meeting date", "date", &today.to_string(), true))
                (fs.textarea("text", "Text", &d.draft, true))
                (fs.checkbox("for_customer", "show it to the customer in the portal", true))
            }))
            @if !p.status_updates.is_empty() {
                h3 { "Sent" }
                @for u in p.status_updates.iter().rev() {
                    details { summary { (u.meeting_date) @if u.for_customer { " · shared with the customer" } } pre { (u.text) } }
                }
            }
        }))

    }
}

/// The page of one task: its facts, its history and the forms that act on it (complete with proof,
/// block, unblock, move, reassign, reopen). The plan table links here instead of the project page
/// repeating every task in a picker of each form.
pub async fn task_page(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, task)): Path<(String, String)>,
) -> Response {
    match task.parse::<u32>() {
        Ok(t) => render_task(&state, &vendor, &id, t, FormState::default()).await,
        Err(_) => layout::not_found(&format!("Task {task}")),
    }
}

/// Renders a task's page, with a refused form's state. A refusal for a task that does not exist
/// is shown at the top of the project page instead.
pub async fn render_task(
    state: &AppState,
    vendor: &Vendor,
    id: &str,
    task: u32,
    mut st: FormState,
) -> Response {
    let now = state.now();
    let d = match page_data(state, vendor, id, now).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let p = &d.view.project;
    let Some(t) = p.task(task) else {
        if st.is_empty() {
            return layout::not_found(&format!("Task {task}"));
        }
        st.form.clear();
        return render(state, vendor, id, st, None).await;
    };
    let today = now.date_naive();
    let csrf = vendor.csrf.as_str();
    let f = |k: &str| Fields::new(Some(&st), k);
    let everyone = people_opts(p, |_| true);
    let fb = format!("/projects/{}/files/", p.id);
    let subject = format!("task:{}", t.id);
    let back = format!("/projects/{}#task-{}", p.id, t.id);
    let hidden = html! { input type="hidden" name="task" value=(t.id); };
    let page = html! {
        p class="muted small" { a href="/" { "Portfolio" } " / " a href=(format!("/projects/{}", p.id)) { (p.customer) } " / task " (t.id) }
        h1 { (t.title) }
        p { a href=(back) { "← Back to the plan" } }
        dl class="facts" {
            div { dt { "State" } dd { (task_state(p, t, today, &fb)) } }
            div { dt { "Ball in court" } dd { (ball(p, t)) } }
            div { dt { "Owner" } dd { (owner_name(p, t.owner)) } }
            div { dt { "Due" } dd { (t.due) @if t.due != t.baseline_due { div class="small muted" { "baseline " (t.baseline_due) } } } }
            div { dt { "Phase" } dd { (t.phase) } }
            div { dt { "Side" } dd { (t.label.label()) (if t.needs_proof { ", needs proof" } else { "" }) } }
            div { dt { "Who sees it" } dd {
                (t.visibility.label())
                @if t.visibility.is_internal() { div class="small muted" { "The customer sees “vendor work in progress”, its owner and due date: no title, notes or proof." } }
            } }
        }
        @if !t.depends_on.is_empty() {
            p { "Starts after: "
                @for (i, dep) in t.depends_on.iter().enumerate() {
                    @if i > 0 { ", " }
                    @match p.task(*dep) {
                        Some(o) => a href=(format!("/projects/{}/tasks/{}", p.id, o.id)) { "#" (o.id) " " (o.title) },
                        None => { "#" (dep) },
                    }
                }
            }
        }
        div class="forms" {
            @if t.is_open() {
                @let fc = f("complete_task");
                (action_form(p, "complete_task", &fc, csrf, "Mark done", true, html! {
                    h3 { "Complete with proof" }
                    (hidden)
                    (fc.input("proof_link", "Link (https://…)", "url", "", false))
                    (fc.input("proof_note", "Or a note of the result", "text", "", false))
                    (fc.file("proof_file", "Or a file"))
                }))
                @if let TaskStatus::Blocked(_) = t.status {
                    @let fu = f("unblock_task");
                    (action_form(p, "unblock_task", &fu, csrf, "Unblock", false, html! {
                        h3 { "Unblock" }
                        (hidden)
                        (fu.input("note", "Note", "text", "", false))
                    }))
                } @else {
                    @let fbk = f("block_task");
                    (action_form(p, "block_task", &fbk, csrf, "Mark blocked", false, html! {
                        h3 { "Block" }
                        (hidden)
                        (fbk.input("needed", "What exactly is needed", "text", "", true))
                        (fbk.select("from", "From whom", &with_blank("choose a person", everyone.clone()), ""))
                        (fbk.input("by", "By when", "date", "", true))
                    }))
                }
                @let fr = f("rebaseline_task");
                (action_form(p, "rebaseline_task", &fr, csrf, "Move due date", false, html! {
                    h3 { "Move the due date" }
                    (hidden)
                    (fr.input("due", "New due date", "date", "", true))
                    (fr.input("reason", "Reason", "text", "", true))
                }))
                @let fa = f("assign_task");
                (action_form(p, "assign_task", &fa, csrf, "Reassign", false, html! {
                    h3 { "Reassign" }
                    (hidden)
                    (fa.select("owner", "Owner", &everyone, &t.owner.map(|o| o.to_string()).unwrap_or_default()))
                }))
                (visibility_form(p, t, &f, csrf))
            } @else {
                (visibility_form(p, t, &f, csrf))
                @let fo = f("reopen_task");
                (action_form(p, "reopen_task", &fo, csrf, "Reopen", false, html! {
                    h3 { "Reopen" }
                    (hidden)
                    (fo.input("reason", "Why it is not done after all", "text", "", true))
                }))
            }
        }
        @if !t.rebaselines.is_empty() {
            h2 { "Due date moves" }
            ul { @for r in &t.rebaselines { li { (r.at.date_naive()) ": " (r.from) " → " (r.to) " — " (r.reason) } } }
        }
        h2 { "History" }
        ol class="activity" {
            @for a in d.activities.iter().rev().filter(|a| a.subject == subject) {
                li { time datetime=(a.at.to_rfc3339()) { (a.at.format("%Y-%m-%d %H:%M")) } " " span class="actor" { (a.actor) } " — " (a.summary) }
            }
        }
    };
    let body = layout::with_refusal(&st, page);
    html_response(
        page_status(&st),
        layout::page(
            &format!("{} · {}", t.title, p.customer),
            Nav::Portfolio,
            &vendor.user.name,
            csrf,
            body,
        ),
    )
}

/// Shared or internal, for a task's page: a member sets it per task (its notes and proof follow).
fn visibility_form<'a>(
    p: &Project,
    t: &finishline_core::plan::Task,
    f: &impl Fn(&str) -> Fields<'a>,
    csrf: &str,
) -> Markup {
    let fv = f("set_task_visibility");
    html! {
        (action_form(p, "set_task_visibility", &fv, csrf, "Save", false, html! {
            h3 { "Who sees it" }
            input type="hidden" name="task" value=(t.id);
            (fv.select("visibility", "Who sees this task, its notes and proof", &visibilities(), &key(&t.visibility)))
        }))
    }
}

/// The choices of visibility, in words.
pub(crate) fn visibilities() -> Vec<(String, String)> {
    use finishline_core::visibility::Visibility;
    [Visibility::Shared, Visibility::Internal]
        .iter()
        .map(|v| (key(v), v.label().to_string()))
        .collect()
}

/// R13: what the rollout taught, sorted into rollout work and product work; rollout fixes can be
/// promoted into a playbook.
fn retro<'a>(p: &Project, f: &impl Fn(&str) -> Fields<'a>, csrf: &str) -> Markup {
    html! {
        div class="cols" {
            @for (bucket, title) in [(RetroBucket::RolloutWork, "Rollout work"), (RetroBucket::ProductWork, "Product work")] {
                div {
                    h3 { (title) }
                    ul { @for r in p.retro.iter().filter(|r| r.bucket == bucket) { li {
                        (r.text) " " span class="muted small" { "(" (retro_kind_label(r.kind)) ")" }
                        @if let Some(pb) = &r.promoted_to { " " span class="badge ok" { "in playbook " (pb) } }
                    } } }
                    @if !p.retro.iter().any(|r| r.bucket == bucket) { p class="muted" { "Nothing yet." } }
                }
            }
        }
        (project_forms::links(p, &project_forms::offered(p, "retro")))
        div class="forms" {
            @let fa = f("add_retro_item");
            (action_form(p, "add_retro_item", &fa, csrf, "Add", false, html! {
                h3 { "Add to the retrospective" }
                (fa.input("text", "What happened", "text", "", true))
                div class="row" {
                    (fa.select("kind", "Kind", &retro_kinds(), ""))
                    (fa.select("bucket", "Whose work", &[("rollout_work".into(), "rollout work".into()), ("product_work".into(), "product work".into())], "rollout_work"))
                }
            }))
        }
    }
}

fn retro_kind_label(k: RetroKind) -> &'static str {
    match k {
        RetroKind::NeededManualHelp => "needed manual help",
        RetroKind::FinalScopeCall => "final call on scope",
        RetroKind::TookLonger => "took longer than expected",
        RetroKind::Blocked => "blocked",
        RetroKind::OnlyAnnoyed => "only annoyed",
    }
}

fn retro_kinds() -> Vec<(String, String)> {
    [
        RetroKind::NeededManualHelp,
        RetroKind::FinalScopeCall,
        RetroKind::TookLonger,
        RetroKind::Blocked,
        RetroKind::OnlyAnnoyed,
    ]
    .iter()
    .map(|k| (key(k), retro_kind_label(*k).to_string()))
    .collect()
}

pub(crate) fn scope_buckets() -> Vec<(String, String)> {
    vec![
        ("in".into(), "in phase one".into()),
        ("later".into(), "later".into()),
        ("out".into(), "not included".into()),
    ]
}

pub(crate) fn sample_states() -> Vec<(String, String)> {
    vec![
        ("not_requested".into(), "not requested".into()),
        ("requested".into(), "requested".into()),
        ("received".into(), "received".into()),
    ]
}

fn task_labels() -> Vec<(String, String)> {
    [
        TaskLabel::VendorTask,
        TaskLabel::CustomerTask,
        TaskLabel::SharedTask,
    ]
    .iter()
    .map(|l| (key(l), l.label().to_string()))
    .collect()
}

fn audiences() -> Vec<(String, String)> {
    use finishline_core::training::TrainingAudience::*;
    [Admins, Managers, DailyUsers, SupportOps]
        .iter()
        .map(|a| (key(a), a.label().to_string()))
        .collect()
}

fn interventions() -> Vec<(String, String)> {
    [
        ("", "none (not stalled)"),
        ("retrain", "re-train the inactive users"),
        ("reengage_champion", "re-engage the champion"),
        ("fix_workflow", "fix the workflow behind the stall"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

fn promise_classes() -> Vec<(String, String)> {
    [
        ("standard", "standard"),
        ("phase_two", "phase two"),
        ("needs_custom_work", "needs custom work"),
        ("not_offered", "not offered"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

pub(crate) fn roles() -> Vec<(String, String)> {
    [
        Role::CustomerOwner,
        Role::BackupContact,
        Role::DecisionMaker,
        Role::ExecutiveSponsor,
        Role::CustomerAdmin,
        Role::EndUser,
        Role::ImplementationOwner,
        Role::VendorTeammate,
        Role::AccountExecutive,
        Role::RenewalCsm,
    ]
    .iter()
    .map(|r| (key(r), r.label().to_string()))
    .collect()
}

fn intake_kinds() -> Vec<(String, String)> {
    use finishline_core::intake::IntakeKind::*;
    [
        FirstOutcome,
        NamesAndRoles,
        SampleFiles,
        Access,
        Deadlines,
        Risks,
        Other,
    ]
    .iter()
    .map(|k| (key(k), key(k).replace('_', " ")))
    .collect()
}

pub fn label_is_customer(l: TaskLabel) -> bool {
    l == TaskLabel::CustomerTask
}

/// A proof file of this project, as an attachment (never rendered in our origin).
pub async fn file(
    State(state): State<AppState>,
    vendor: Vendor,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    serve_file(&state, vendor.workspace(), &id, &file_id).await
}

pub async fn serve_file(state: &AppState, ws: &str, project: &str, file_id: &str) -> Response {
    match state.app.store.file(ws, file_id).await {
        Ok(Some((meta, body))) if meta.project_id == project => {
            // Any stored name makes a valid header (an ASCII fallback and RFC 5987).
            (
                [
                    (
                        header::CONTENT_TYPE,
                        axum::http::HeaderValue::from_static("application/octet-stream"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        crate::files::content_disposition(&meta.name),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Ok(_) => layout::not_found(&format!("File {file_id}")),
        Err(e) => layout::internal(&e.to_string()),
    }
}

pub fn status_ok() -> StatusCode {
    StatusCode::OK
}
